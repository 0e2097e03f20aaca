package wal

// The file: a header, then records, each checked by a CRC-32C.
//
//	"MMHEXJ01" | u32 length | JSON Header | u32 crc32c(JSON)
//	record: "MMJR" | kind u8 | flags u8 | fill u8 | 0 u8 | seq u64 | off u64 | n u64 | aux u64
//	        payload (kind 'S': the n bytes before the store, then the n
//	        bytes it stored, or nothing after them when flags&1: a fill of
//	        the byte fill) | u32 crc32c(record header and payload) | "END\n"
//
// A cover record (kind 'A', journaled ahead) holds the n bytes at off as
// they were when it was written, and stores nothing: it makes the stores
// of a burst of typing that follow it over those bytes durable-before-store
// without an fdatasync each (their own records are written, not synced).
// It is no edit: Records leaves it out, Covers lists it; recovery uses it
// only to name bytes that differ from it where no surviving record says
// why (see mapping/recovery).
//
// Integers are little-endian. A record that does not end with a valid
// trailer is torn: it and everything after it are ignored (its store never
// happened: a store waits for its record). A marker (kind 'M') says that
// the stores recorded before the log offset aux are on disk (a sync
// covering them returned).

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

const (
	fileMagic = "MMHEXJ01"
	recMagic  = "MMJR"
	recHdr    = 40
	trailer   = 8
	endMagic  = "END\n"

	kindStore  = 'S'
	kindMarker = 'M'
	kindCover  = 'A'

	flagFill = 1

	// small records are built in memory and written with one pwrite.
	small = 64 << 10
)

// castagnoli is built on first use (0.15 ms at start-up otherwise, for
// every command, also those that never journal).
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Header is what a journal says about the file it belongs to.
type Header struct {
	Dev    uint64 `json:"dev"`
	Ino    uint64 `json:"ino"`
	Btime  int64  `json:"btime,omitempty"` // the file's birth time (statx), ns since 1970; 0: unknown
	Size   int64  `json:"size"`            // at open
	Mtime  int64  `json:"mtime"`           // at open, ns since 1970
	Path   string `json:"path"`            // a hint: the absolute path at open
	PID    int    `json:"pid"`
	Opened int64  `json:"opened"` // ns since 1970
}

// Writer appends to one journal, which it holds locked (flock) while open.
type Writer struct {
	dir   *os.File
	f     *os.File
	fd    int
	name  string // in dir
	path  string // dir/name
	hdr   int64  // end of the header
	end   int64  // where the next record goes
	seq   uint64
	recs  int // store records since the header (or the last Retire)
	syncs int // fdatasync calls

	// Records appended (Append) and not yet written: they go to the
	// journal at Flush, or once they fill batchBytes.
	pend     []byte
	pendRecs int
	batchAt  int64 // end of the log at the first Append since the last Flush; -1: none
	batchRec int   // recs then
}

// batchBytes is how much Append gathers before one pwrite.
const batchBytes = 4 << 20

// Syncs returns how many times the journal was made durable (fdatasync).
func (w *Writer) Syncs() int { return w.syncs }

var created atomic.Int64

// createdHook, when set (tests), runs between the journal's creation and
// its lock.
var createdHook func(path string)

// Create makes a new journal for the file h describes: 0600, in the
// journal folder (0700, made when missing), never through a symbolic
// link, the header on disk when it returns.
func Create(h Header) (*Writer, error) {
	d, dir, err := openDir(true)
	if err != nil {
		return nil, err
	}
	name := fileName(h.Dev, h.Ino, os.Getpid(), int(created.Add(1)))
	fd, err := unix.Openat(int(d.Fd()), name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("journal %s: %w", filepath.Join(dir, name), err)
	}
	w := &Writer{dir: d, f: os.NewFile(uintptr(fd), filepath.Join(dir, name)), fd: fd, name: name, path: filepath.Join(dir, name)}
	fail := func(err error) (*Writer, error) {
		unix.Unlinkat(int(d.Fd()), name, 0)
		w.f.Close()
		d.Close()
		return nil, fmt.Errorf("journal %s: %w", w.path, err)
	}
	if createdHook != nil {
		createdHook(w.path)
	}
	// A search for journals (Find, FindByPath: another mmhex opening a
	// file, mmhex recover) may hold this new, empty file locked for a
	// moment: wait for it (it lets go of an empty file at once), where
	// LOCK_NB refused the edit.
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		return fail(err)
	}
	js, _ := json.Marshal(h)
	buf := make([]byte, 0, len(fileMagic)+8+len(js))
	buf = append(buf, fileMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(js)))
	buf = append(buf, js...)
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(js, castagnoli()))
	if err := pwriteAll(fd, buf, 0); err != nil {
		return fail(err)
	}
	if err := unix.Fdatasync(fd); err != nil {
		return fail(err)
	}
	if err := unix.Fsync(int(d.Fd())); err != nil {
		return fail(err)
	}
	w.hdr, w.end = int64(len(buf)), int64(len(buf))
	w.batchAt = -1
	return w, nil
}

// File is the journal's open file (ReadAt, and after Detach).
func (w *Writer) File() *os.File { return w.f }

// Path returns the journal's path.
func (w *Writer) Path() string { return w.path }

// End returns the log offset where the next record goes (a marker's
// argument).
func (w *Writer) End() int64 { return w.end }

// Records returns the store records written since Create, Retire or the
// point a marker named.
func (w *Writer) Records() int { return w.recs }

// Rec is a store record being written: its payload is handed to Write in
// order (the bytes before the store, then those it stores unless it is a
// fill), then Commit ends it.
type Rec struct {
	w     *Writer
	at    int64 // record start
	total int64 // payload length
	pos   int64 // payload bytes written
	crc   uint32
	buf   []byte // small records: the whole record
}

// Begin starts a store record of n bytes at off: the bytes a fill of b
// stores when fill is set, else n bytes given after the old ones.
func (w *Writer) Begin(off, n int64, fill bool, b byte) *Rec {
	w.mustBeFlushed()
	var h [recHdr]byte
	copy(h[:], recMagic)
	h[4] = kindStore
	total := 2 * n
	if fill {
		h[5], h[6] = flagFill, b
		total = n
	}
	w.seq++
	binary.LittleEndian.PutUint64(h[8:], w.seq)
	binary.LittleEndian.PutUint64(h[16:], uint64(off))
	binary.LittleEndian.PutUint64(h[24:], uint64(n))
	r := &Rec{w: w, at: w.end, total: total, crc: crc32.Update(0, castagnoli(), h[:])}
	if total <= small {
		r.buf = make([]byte, 0, recHdr+total+trailer)
		r.buf = append(r.buf, h[:]...)
	} else {
		r.buf = h[:] // written at Commit
	}
	return r
}

// Shape record kinds (Record.Kind): what changed the file's size or moved
// its blocks. Off, N and Aux as each says; the payload is the bytes the
// change removed (Truncate, Collapse), N of them, or nothing.
const (
	Store    byte = kindStore
	Grow     byte = 'G' // the size went from Off to Off+N (a hole); Aux: the size after
	Truncate byte = 'T' // the size went from Off+N to Off; payload: the N bytes cut; Aux: the size after
	Insert   byte = 'I' // INSERT_RANGE at Off of N bytes (a hole); Aux: the size after
	Collapse byte = 'C' // COLLAPSE_RANGE at Off of N bytes; payload: the N bytes removed; Aux: the size after
	// Cover is a cover record's kind (Journal.Covers): the N bytes at
	// Off as they were, journaled ahead of stores that may come.
	Cover byte = kindCover
)

// BeginShape starts a shape record (Grow, Truncate, Insert, Collapse);
// Truncate and Collapse take the N removed bytes with Write.
func (w *Writer) BeginShape(kind byte, off, n, aux int64) *Rec {
	w.mustBeFlushed()
	var h [recHdr]byte
	copy(h[:], recMagic)
	h[4] = kind
	var total int64
	if kind == Truncate || kind == Collapse {
		total = n
	}
	w.seq++
	binary.LittleEndian.PutUint64(h[8:], w.seq)
	binary.LittleEndian.PutUint64(h[16:], uint64(off))
	binary.LittleEndian.PutUint64(h[24:], uint64(n))
	binary.LittleEndian.PutUint64(h[32:], uint64(aux))
	r := &Rec{w: w, at: w.end, total: total, crc: crc32.Update(0, castagnoli(), h[:])}
	if total <= small {
		r.buf = make([]byte, 0, recHdr+total+trailer)
		r.buf = append(r.buf, h[:]...)
	} else {
		r.buf = h[:]
	}
	return r
}

var zeros [64 << 10]byte

// Write appends payload bytes. In a large record, runs of zeros are left
// as a hole in the journal.
func (r *Rec) Write(p []byte) error {
	if int64(len(p)) > r.total-r.pos {
		return errors.New("journal: record overrun")
	}
	r.crc = crc32.Update(r.crc, castagnoli(), p)
	if r.total <= small {
		r.buf = append(r.buf, p...)
		r.pos += int64(len(p))
		return nil
	}
	for len(p) > 0 {
		c := min(len(p), len(zeros))
		if !bytes.Equal(p[:c], zeros[:c]) {
			if err := pwriteAll(r.w.fd, p[:c], r.at+recHdr+r.pos); err != nil {
				return fmt.Errorf("journal %s: %w", r.w.path, err)
			}
		}
		p, r.pos = p[c:], r.pos+int64(c)
	}
	return nil
}

// WriteZeros appends n zero bytes (a hole of the file, in a large record a
// hole of the journal).
func (r *Rec) WriteZeros(n int64) error {
	if r.total > small && n > 0 {
		// A hole of the journal: nothing written, the checksum in
		// O(log n) (crcZeros).
		if n > r.total-r.pos {
			return errors.New("journal: record overrun")
		}
		r.crc = crcZeros(r.crc, n)
		r.pos += n
		return nil
	}
	for n > 0 {
		c := min(n, int64(len(zeros)))
		if err := r.Write(zeros[:c]); err != nil {
			return err
		}
		n -= c
	}
	return nil
}

// Commit writes the record's end; with sync it is on disk (fdatasync),
// with every record before it, when Commit returns.
func (r *Rec) Commit(sync bool) error {
	if r.pos != r.total {
		return fmt.Errorf("journal %s: record of %d bytes given %d", r.w.path, r.total, r.pos)
	}
	var t [trailer]byte
	binary.LittleEndian.PutUint32(t[:], r.crc)
	copy(t[4:], endMagic)
	w := r.w
	if r.total <= small {
		if err := pwriteAll(w.fd, append(r.buf, t[:]...), r.at); err != nil {
			return w.cut(r.at, err)
		}
	} else {
		if err := pwriteAll(w.fd, r.buf, r.at); err != nil {
			return w.cut(r.at, err)
		}
		if err := pwriteAll(w.fd, t[:], r.at+recHdr+r.total); err != nil {
			return w.cut(r.at, err)
		}
	}
	if sync {
		w.syncs++
		if err := unix.Fdatasync(w.fd); err != nil {
			return w.cut(r.at, err)
		}
	}
	w.end = r.at + recHdr + r.total + trailer
	w.recs++
	return nil
}

// Append adds a store record of len(old) bytes at off, old the bytes
// before the store and stored those it stores (as long), to the records
// gathered for one write: they reach the journal, in order, at Flush (or a
// part of them once they fill a few MiB), and are on disk after a
// Flush(true): one fdatasync for them all, where Begin and Commit(true)
// take one a record. A store waits for the Flush of its record. Flush
// before Begin, BeginShape or Marker. On an error the records appended
// since the last Flush are gone from the journal.
func (w *Writer) Append(off int64, old, stored []byte) error {
	if len(old) != len(stored) {
		return fmt.Errorf("journal %s: record of %d bytes given %d", w.path, len(old), len(stored))
	}
	if w.batchAt < 0 {
		w.batchAt, w.batchRec = w.end, w.recs
	}
	n := int64(len(old))
	if w.pend == nil {
		// Made whole once: grown by append, a batch of small records
		// copied the buffer each time it grew.
		w.pend = make([]byte, 0, batchBytes+2*small+recHdr+trailer)
	}
	at := len(w.pend)
	w.pend = append(w.pend, recMagic...)
	w.pend = append(w.pend, kindStore, 0, 0, 0)
	w.seq++
	w.pend = binary.LittleEndian.AppendUint64(w.pend, w.seq)
	w.pend = binary.LittleEndian.AppendUint64(w.pend, uint64(off))
	w.pend = binary.LittleEndian.AppendUint64(w.pend, uint64(n))
	w.pend = binary.LittleEndian.AppendUint64(w.pend, 0)
	w.pend = append(w.pend, old...)
	w.pend = append(w.pend, stored...)
	w.pend = binary.LittleEndian.AppendUint32(w.pend, crc32.Checksum(w.pend[at:], castagnoli()))
	w.pend = append(w.pend, endMagic...)
	w.pendRecs++
	if len(w.pend) >= batchBytes {
		return w.writePend()
	}
	return nil
}

// pwriteAll writes all of p at off: a short write (a full filesystem
// takes what fits and says nothing) goes on with the rest, which then
// says why (ENOSPC); a write of nothing is io.ErrShortWrite. A record
// taken for written when it was not would be torn on disk while its
// store goes to the file.
func pwriteAll(fd int, p []byte, off int64) error {
	for len(p) > 0 {
		c, err := unix.Pwrite(fd, p, off)
		if err != nil {
			return err
		}
		if c == 0 {
			return io.ErrShortWrite
		}
		p, off = p[c:], off+int64(c)
	}
	return nil
}

// writePend writes the appended records at the end of the log.
func (w *Writer) writePend() error {
	for k := 0; k < len(w.pend); {
		c, err := unix.Pwrite(w.fd, w.pend[k:], w.end+int64(k))
		if err == nil && c == 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			return w.dropBatch(err)
		}
		k += c
	}
	w.end += int64(len(w.pend))
	w.recs += w.pendRecs
	w.pend, w.pendRecs = w.pend[:0], 0
	if cap(w.pend) > 2*batchBytes {
		w.pend = nil
	}
	return nil
}

// dropBatch cuts the records appended since the last Flush.
func (w *Writer) dropBatch(err error) error {
	at := w.batchAt
	unix.Ftruncate(w.fd, at)
	w.end, w.recs = at, w.batchRec
	w.pend, w.pendRecs, w.batchAt = w.pend[:0], 0, -1
	return fmt.Errorf("journal %s: %w", w.path, err)
}

// Flush writes the records appended since the last Flush; with sync they
// are on disk (fdatasync), with every record before them, when it returns
// (also when none was appended: the records committed without sync).
func (w *Writer) Flush(sync bool) error {
	if w.batchAt >= 0 && len(w.pend) > 0 {
		if err := w.writePend(); err != nil {
			return err
		}
	}
	if sync {
		w.syncs++
		if err := unix.Fdatasync(w.fd); err != nil {
			if w.batchAt >= 0 {
				return w.dropBatch(err)
			}
			return fmt.Errorf("journal %s: %w", w.path, err)
		}
	}
	w.batchAt = -1
	return nil
}

func (w *Writer) mustBeFlushed() {
	if w.batchAt >= 0 {
		panic("wal: a record begun with appended records not flushed")
	}
}

// PayloadAt is the journal offset of the record's payload: for a store,
// the n bytes before it there, then (unless a fill) the n bytes it
// stored; for a Truncate or Collapse, the bytes removed. The in-memory
// undo reads them back with ReadAt instead of keeping a copy.
func (r *Rec) PayloadAt() int64 { return r.at + recHdr }

// Abort drops a record that will not be committed.
func (r *Rec) Abort() { unix.Ftruncate(r.w.fd, r.at) }

func (w *Writer) cut(at int64, err error) error {
	unix.Ftruncate(w.fd, at)
	return fmt.Errorf("journal %s: %w", w.path, err)
}

// Marker records, on disk when it returns, that the stores recorded before
// the log offset upTo are on disk; kept is how many records follow upTo
// (Records afterwards).
func (w *Writer) Marker(upTo int64, kept int) error {
	w.mustBeFlushed()
	var h [recHdr + trailer]byte
	copy(h[:], recMagic)
	h[4] = kindMarker
	w.seq++
	binary.LittleEndian.PutUint64(h[8:], w.seq)
	binary.LittleEndian.PutUint64(h[32:], uint64(upTo))
	binary.LittleEndian.PutUint32(h[recHdr:], crc32.Checksum(h[:recHdr], castagnoli()))
	copy(h[recHdr+4:], endMagic)
	if err := pwriteAll(w.fd, h[:], w.end); err != nil {
		return w.cut(w.end, err)
	}
	if err := unix.Fdatasync(w.fd); err != nil {
		return w.cut(w.end, err)
	}
	w.end += recHdr + trailer
	w.recs = kept
	return nil
}

// Cover writes a cover record of the bytes old, at off in the file now,
// and makes it durable (fdatasync) with every record before it. It is no
// store: Records does not count it, and a journal holding nothing else is
// empty to Close and to recovery.
func (w *Writer) Cover(off int64, old []byte) error {
	w.mustBeFlushed()
	n := int64(len(old))
	b := make([]byte, 0, recHdr+n+trailer)
	b = append(b, recMagic...)
	b = append(b, kindCover, 0, 0, 0)
	w.seq++
	b = binary.LittleEndian.AppendUint64(b, w.seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(off))
	b = binary.LittleEndian.AppendUint64(b, uint64(n))
	b = binary.LittleEndian.AppendUint64(b, 0)
	b = append(b, old...)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli()))
	b = append(b, endMagic...)
	if err := pwriteAll(w.fd, b, w.end); err != nil {
		return w.cut(w.end, err)
	}
	w.syncs++
	if err := unix.Fdatasync(w.fd); err != nil {
		return w.cut(w.end, err)
	}
	w.end += int64(len(b))
	return nil
}

// Rewind drops the records from the log offset to (End before a record
// whose change did not happen) and is on disk when it returns.
func (w *Writer) Rewind(to int64, records int) error {
	w.pend, w.pendRecs, w.batchAt = w.pend[:0], 0, -1
	if err := unix.Ftruncate(w.fd, to); err != nil {
		return fmt.Errorf("journal %s: %w", w.path, err)
	}
	if err := unix.Fdatasync(w.fd); err != nil {
		return fmt.Errorf("journal %s: %w", w.path, err)
	}
	w.end, w.recs = to, records
	return nil
}

// Retire drops every record (nothing is unsynced): the journal is its
// header again, on disk when it returns.
func (w *Writer) Retire() error {
	if err := unix.Ftruncate(w.fd, w.hdr); err != nil {
		return fmt.Errorf("journal %s: %w", w.path, err)
	}
	if err := unix.Fdatasync(w.fd); err != nil {
		return fmt.Errorf("journal %s: %w", w.path, err)
	}
	w.end, w.recs = w.hdr, 0
	return nil
}

// ReadAt reads len(p) bytes of the journal at at (a payload: PayloadAt).
// The large records' holes read as zeros.
func (w *Writer) ReadAt(p []byte, at int64) error {
	if _, err := w.f.ReadAt(p, at); err != nil {
		return fmt.Errorf("journal %s: %w", w.path, err)
	}
	return nil
}

// Detach ends the journal where Retire would empty it while the payloads
// of its records are still read (ReadAt): its name is removed (nothing is
// left to recover: no mmhex will find it) and the open file is returned,
// for reading and for punching the parts no longer needed; the caller
// closes it. The Writer is done: the next record goes to a new journal
// (Create).
func (w *Writer) Detach() (*os.File, error) {
	err := unix.Unlinkat(int(w.dir.Fd()), w.name, 0)
	if err == nil {
		unix.Fsync(int(w.dir.Fd()))
	}
	w.dir.Close()
	if err != nil {
		w.f.Close()
		return nil, fmt.Errorf("journal %s: %w", w.path, err)
	}
	return w.f, nil
}

// Close closes the journal and keeps it (edits were kept unsynced: the
// next open finds it). With remove it is deleted first (nothing left to
// recover).
func (w *Writer) Close(remove bool) error {
	var err error
	if remove {
		if e := unix.Unlinkat(int(w.dir.Fd()), w.name, 0); e != nil {
			err = fmt.Errorf("journal %s: %w", w.path, e)
		} else {
			unix.Fsync(int(w.dir.Fd()))
		}
	}
	w.f.Close()
	w.dir.Close()
	return err
}

// Journal is a journal read back: its header and the store records since
// its last marker (the edits not known to be on disk), oldest first.
type Journal struct {
	Path    string
	Header  Header
	Records []Record
	// Covers: the cover records (Kind Cover) since the last marker,
	// oldest first; their Seq orders them among Records.
	Covers []Record
	Torn   bool      // an incomplete record at its end was ignored
	Ended  time.Time // when it was last written (its mtime)

	f    *os.File
	dir  *os.File
	name string
}

// Record is one store: N bytes at Off.
type Record struct {
	Kind     byte // Store, or a shape change (Grow, Truncate, Insert, Collapse); Cover in Journal.Covers
	Aux      int64
	Seq      uint64
	Off, N   int64
	Fill     bool // the store was a fill of FillByte
	FillByte byte
	at       int64 // payload start in the journal
}

// ErrInUse: the journal is held by a running mmhex.
var ErrInUse = errors.New("in use by a running mmhex")

// InUse is ErrInUse for the journal at Path, held by process PID (from
// its name; 0 when the name does not say).
type InUse struct {
	Path string
	PID  int
}

func (e *InUse) Error() string { return fmt.Sprintf("journal %s: %v", e.Path, ErrInUse) }
func (e *InUse) Unwrap() error { return ErrInUse }

// pidOf is the process id in a journal's name (fileName), 0 when none.
func pidOf(name string) int {
	parts := strings.Split(strings.TrimSuffix(name, ".mmj"), "-")
	if len(parts) != 4 {
		return 0
	}
	pid, err := strconv.Atoi(parts[2])
	if err != nil {
		return 0
	}
	return pid
}

// errEmpty: an empty journal file (its session was killed between
// creating it and writing its header): no record, nothing to recover.
var errEmpty = errors.New("empty")

// open opens the journal name in d and locks it, refusing a symbolic
// link, anything but a regular file, and a file another user owns.
func open(d *os.File, dir, name string) (*Journal, error) {
	p := filepath.Join(dir, name)
	fd, err := unix.Openat(int(d.Fd()), name, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("journal %s: refused: it is a symbolic link", p)
		}
		return nil, fmt.Errorf("journal %s: %w", p, err)
	}
	f := os.NewFile(uintptr(fd), p)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", p, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		f.Close()
		return nil, fmt.Errorf("journal %s: refused: not a regular file", p)
	}
	if st.Uid != uint32(os.Geteuid()) {
		f.Close()
		return nil, fmt.Errorf("journal %s: refused: owned by uid %d, not by you", p, st.Uid)
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &InUse{Path: p, PID: pidOf(name)}
		}
		return nil, fmt.Errorf("journal %s: %w", p, err)
	}
	if st.Size == 0 {
		f.Close()
		return nil, errEmpty
	}
	j := &Journal{Path: p, f: f, name: name, Ended: time.Unix(st.Mtim.Unix())}
	if err := j.parse(st.Size); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", p, err)
	}
	return j, nil
}

// payloadCRC updates crc with the journal's bytes [a, b): its holes (a
// large record's zeros, never written) by crcZeros, not read.
func (j *Journal) payloadCRC(crc uint32, a, b int64, buf []byte) (uint32, error) {
	fd := int(j.f.Fd())
	for a < b {
		d, err := unix.Seek(fd, a, unix.SEEK_DATA)
		switch {
		case errors.Is(err, unix.ENXIO) || err == nil && d > b:
			d = b // no data before b
		case err != nil || d < a:
			d = a // cannot tell: read it
		}
		if d > a {
			crc, a = crcZeros(crc, d-a), d
			continue
		}
		h, err := unix.Seek(fd, a, unix.SEEK_HOLE)
		if err != nil || h > b || h <= a {
			h = b
		}
		for a < h {
			c := min(int64(len(buf)), h-a)
			if _, err := j.f.ReadAt(buf[:c], a); err != nil {
				return 0, err
			}
			crc = crc32.Update(crc, castagnoli(), buf[:c])
			a += c
		}
	}
	return crc, nil
}

func (j *Journal) parse(size int64) error {
	var h [12]byte
	if _, err := j.f.ReadAt(h[:], 0); err != nil || string(h[:8]) != fileMagic {
		return errors.New("not an mmhex journal")
	}
	n := int64(binary.LittleEndian.Uint32(h[8:]))
	if n > 1<<20 || 12+n+4 > size {
		return errors.New("bad header")
	}
	js := make([]byte, n+4)
	if _, err := j.f.ReadAt(js, 12); err != nil {
		return errors.New("bad header")
	}
	if crc32.Checksum(js[:n], castagnoli()) != binary.LittleEndian.Uint32(js[n:]) {
		return errors.New("bad header checksum")
	}
	if err := json.Unmarshal(js[:n], &j.Header); err != nil {
		return fmt.Errorf("bad header: %v", err)
	}
	pos := 12 + n + 4
	var all []Record
	var synced int64
	buf := make([]byte, 1<<20)
	for pos < size {
		var rh [recHdr]byte
		if _, err := j.f.ReadAt(rh[:], pos); err != nil || string(rh[:4]) != recMagic {
			j.Torn = true
			break
		}
		r := Record{Kind: rh[4], Seq: binary.LittleEndian.Uint64(rh[8:]), Off: int64(binary.LittleEndian.Uint64(rh[16:])),
			N: int64(binary.LittleEndian.Uint64(rh[24:])), Aux: int64(binary.LittleEndian.Uint64(rh[32:])), at: pos + recHdr}
		var total int64
		switch rh[4] {
		case kindStore:
			total = 2 * r.N
			if rh[5]&flagFill != 0 {
				r.Fill, r.FillByte, total = true, rh[6], r.N
			}
		case kindMarker, Grow, Insert:
		case Truncate, Collapse, kindCover:
			total = r.N
		default:
			j.Torn = true
		}
		if j.Torn || r.N < 0 || r.Off < 0 || total < 0 || pos+recHdr+total+trailer > size {
			j.Torn = true
			break
		}
		crc, err := j.payloadCRC(crc32.Update(0, castagnoli(), rh[:]), r.at, r.at+total, buf)
		if err != nil {
			return err
		}
		var t [trailer]byte
		if _, err := j.f.ReadAt(t[:], r.at+total); err != nil || string(t[4:]) != endMagic || binary.LittleEndian.Uint32(t[:]) != crc {
			j.Torn = true
			break
		}
		if rh[4] == kindMarker {
			synced = int64(binary.LittleEndian.Uint64(rh[32:]))
		} else {
			all = append(all, r)
		}
		pos = r.at + total + trailer
	}
	for _, r := range all {
		switch {
		case r.at < synced:
		case r.Kind == kindCover:
			j.Covers = append(j.Covers, r)
		default:
			j.Records = append(j.Records, r)
		}
	}
	return nil
}

// Before reads the bytes [i, i+len(p)) of what r's store replaced (or,
// for Truncate and Collapse, removed; for a Cover, the bytes it holds).
func (j *Journal) Before(r Record, i int64, p []byte) error {
	return j.read(r.at+i, p)
}

// BeforeZerosUntil is where, from i on, the bytes Before gives for r may
// be other than zeros: the end of the hole of the journal at i (r.N when
// the rest is hole), i when there is data at i or the filesystem cannot
// tell. A truncate of a sparse file keeps its holes as holes of the
// journal: putting the bytes back skips them.
func (j *Journal) BeforeZerosUntil(r Record, i int64) int64 {
	d, err := unix.Seek(int(j.f.Fd()), r.at+i, unix.SEEK_DATA)
	switch {
	case errors.Is(err, unix.ENXIO):
		return r.N
	case err == nil && d > r.at+i:
		return min(d-r.at, r.N)
	}
	return i
}

// After reads the bytes [i, i+len(p)) of what r's store stored.
func (j *Journal) After(r Record, i int64, p []byte) error {
	if r.Fill {
		for k := range p {
			p[k] = r.FillByte
		}
		return nil
	}
	return j.read(r.at+r.N+i, p)
}

func (j *Journal) read(at int64, p []byte) error {
	if _, err := j.f.ReadAt(p, at); err != nil && !(err == io.EOF) {
		return fmt.Errorf("journal %s: %w", j.Path, err)
	}
	return nil
}

// Close lets go of the journal (it stays).
func (j *Journal) Close() {
	j.f.Close()
	if j.dir != nil {
		j.dir.Close()
	}
}

// Remove deletes the journal and closes it.
func (j *Journal) Remove() error {
	defer j.Close()
	if j.dir == nil {
		return os.Remove(j.Path)
	}
	if err := unix.Unlinkat(int(j.dir.Fd()), j.name, 0); err != nil {
		return fmt.Errorf("journal %s: %w", j.Path, err)
	}
	unix.Fsync(int(j.dir.Fd()))
	return nil
}

// Peek reads the journal at path without locking it (a running mmhex
// may be writing it): for tests and listings.
func Peek(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	j := &Journal{Path: path, f: f, Ended: st.ModTime()}
	if err := j.parse(st.Size()); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return j, nil
}

// Find returns the journals in the journal folder left for the file with
// device dev and inode ino by an mmhex that is no longer running (those a
// running mmhex holds are left out, and empty ones), oldest first, each
// locked until Close or Remove; and, in bad, why each other file named
// for it was left out: held by a running mmhex (ErrInUse, an *InUse),
// or not readable as a journal (damaged, another user's, a symbolic
// link). No folder: none.
func Find(dev, ino uint64) (js []*Journal, bad []error, err error) {
	return find(prefix(dev, ino), nil)
}

// FindByPath returns the journals left (as Find) whose header names path
// but another device and inode: the file at path was replaced since.
// Files of the folder that cannot be read as journals are not its: they
// are left out.
func FindByPath(path string, dev, ino uint64) ([]*Journal, error) {
	js, _, err := find("", func(h Header) bool { return h.Path == path && (h.Dev != dev || h.Ino != ino) })
	return js, err
}

func find(pre string, keep func(Header) bool) (out []*Journal, bad []error, err error) {
	d, dir, err := openDir(false)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	defer d.Close()
	names, err := list(d, pre)
	if err != nil {
		return nil, nil, fmt.Errorf("journal folder %s: %w", dir, err)
	}
	for _, n := range names {
		j, err := open(d, dir, n)
		if err != nil {
			// One unreadable file must not stop the recovery of the
			// others (nor of every file, for a stray one).
			if !errors.Is(err, errEmpty) && keep == nil {
				bad = append(bad, err) // ErrInUse too: the caller counts them
			}
			continue
		}
		if keep != nil && !keep(j.Header) {
			j.Close()
			continue
		}
		dd, err := unix.Dup(int(d.Fd()))
		if err == nil {
			j.dir = os.NewFile(uintptr(dd), dir)
		}
		out = append(out, j)
	}
	// oldest first
	for i := 1; i < len(out); i++ {
		for k := i; k > 0 && out[k].Header.Opened < out[k-1].Header.Opened; k-- {
			out[k], out[k-1] = out[k-1], out[k]
		}
	}
	return out, bad, nil
}
