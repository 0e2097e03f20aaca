package mapping

// durable.go: the journal on disk (mapping/wal). Every store through a
// shared mapping goes through storeFrom, which first appends a record of
// the bytes it replaces and the bytes it stores; the record is on disk
// (fdatasync) before the store unless the bytes it replaces were already
// saved since the last sync (covered): typing over a byte typed before, or
// the second hex digit of a byte, costs a write(2), not an fdatasync; so
// does a byte typed into a range Cover journaled ahead (a burst of keys).
// A full sync moves the journal's synced point (a marker) or, when
// nothing was stored meanwhile, empties it; Close deletes it unless edits
// are kept unsynced.

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping/spanset"
	"mmhex/mapping/wal"
)

// durable is the File's part of the durable journal (guarded by f.mu).
type durable struct {
	w   *wal.Writer
	hdr wal.Header
	// covered: bytes whose old value since the last sync is on disk in
	// w (in a store's record, or in a cover record: Cover).
	covered spanset.Set
	// At the start of a full sync: where the log ended and how many
	// records it held (the marker written when it succeeds).
	syncAt   int64
	syncRecs int
	buf      []byte

	// A batch (logSpans): logStore gathers the records (wal.Append, one
	// write and one fdatasync for them all); the ranges whose old bytes
	// were not covered are covered once the batch is on disk.
	batch     bool
	batchSync bool
	pendCover []spanset.Span
	// ahead: the stores now running are those of a batch on disk already:
	// logStore writes nothing for them (set and cleared under f.mu, in
	// one hold of it).
	ahead bool
	tmp   []byte
	// lastAt is the payload offset of the record logStore or
	// shapeRecord committed last, -1 after one that failed (or was not
	// written).
	lastAt int64
}

// walSpan is a store logSpans journals ahead: n bytes at off from src, or
// a fill of the byte fill when fill >= 0 (as logStore takes them).
type walSpan struct {
	off, n int64
	src    func(i int64, max int) ([]byte, error)
	fill   int
}

// logSpans journals the stores of spans, which must not overlap, as one
// batch: their records written together and on disk with one fdatasync
// (none when every range's old bytes are covered already) before it
// returns. Then, while f.d.ahead is set, the stores themselves log
// nothing. On an error nothing of the batch is in the journal.
func (f *File) logSpans(spans []walSpan) error {
	if f.mode != Shared || len(spans) == 0 {
		return nil
	}
	b, err := f.walBatch()
	if err != nil {
		return err
	}
	for _, s := range spans {
		if err = f.logStore(s.off, s.n, s.src, s.fill); err != nil {
			break
		}
	}
	return b.end(err)
}

// walBatchRun is a batch of durable-journal records being gathered
// (walBatch): logStore and logAppend add to it, end writes it.
type walBatchRun struct {
	f     *File
	start int64
	recs  int
}

// maxCoverBatch: the ranges of a batch of more spans than this are not
// marked covered (a later store over them saves their old bytes again):
// a million spans in the covered set would cost more than they save.
const maxCoverBatch = 1024

// walBatch starts a batch (in shared mode; the journal made when
// missing).
func (f *File) walBatch() (*walBatchRun, error) {
	if err := f.walOpen(); err != nil {
		return nil, err
	}
	f.d.batch, f.d.batchSync, f.d.pendCover = true, false, f.d.pendCover[:0]
	return &walBatchRun{f: f, start: f.d.w.End(), recs: f.d.w.Records()}, nil
}

// end writes the batch and makes it durable (one fdatasync, none when
// every range was covered), unless err (from gathering it) is not nil;
// on any error nothing of the batch stays in the journal.
func (b *walBatchRun) end(err error) error {
	f := b.f
	w := f.d.w
	f.d.batch = false
	if err == nil {
		if err = w.Flush(f.d.batchSync); err != nil {
			err = f.errf("%w; nothing was stored", err)
		}
	}
	if err != nil {
		w.Rewind(b.start, b.recs)
		return err
	}
	if len(f.d.pendCover) <= maxCoverBatch {
		for _, c := range f.d.pendCover {
			f.d.covered.Add(c.A, c.B)
		}
	}
	return nil
}

// logAppend adds to the batch the record of a store of len(old) bytes at
// off: old, the bytes there now, and stored.
func (f *File) logAppend(off int64, old, stored []byte) error {
	n := int64(len(old))
	if !f.d.covered.Covers(off, off+n) {
		f.d.batchSync = true
		f.d.pendCover = append(f.d.pendCover, spanset.Span{A: off, B: off + n})
	}
	if f.hooks.walCommit != nil {
		f.hooks.walCommit(off, n)
	}
	if err := f.d.w.Append(off, old, stored); err != nil {
		return f.errf("%w; nothing was stored", err)
	}
	return nil
}

// walOpen makes the durable journal at the first store (and after a
// sync detached the one before).
func (f *File) walOpen() error {
	if f.d.w != nil {
		return nil
	}
	if err := f.newWal(); err != nil {
		return f.errf("%w; nothing was stored (edits need the journal)", err)
	}
	return nil
}

// newWal makes the durable journal and registers it as the current
// journal file kWal blobs may name.
func (f *File) newWal() error {
	w, err := wal.Create(f.d.hdr)
	if err != nil {
		return err
	}
	f.d.w = w
	j := &f.j
	if j.segs == nil {
		j.segs = make(map[uint32]*walSeg)
	}
	j.lastSeg++
	j.seg = j.lastSeg
	j.segs[j.seg] = &walSeg{file: w.File()}
	return nil
}

// logSmall gathers the record of a store of n (at most wal's small) bytes
// at off from src into the batch, reading the bytes there now.
func (f *File) logSmall(off, n int64, src func(i int64, max int) ([]byte, error)) error {
	if cap(f.d.tmp) < int(2*n) {
		f.d.tmp = make([]byte, 2*n, max(2*n, 4096))
	}
	old, nb := f.d.tmp[:n], f.d.tmp[n:2*n]
	if err := f.readOld(old, off); err != nil {
		return err
	}
	for i := int64(0); i < n; {
		p, err := src(i, int(n-i))
		if err != nil {
			return f.errf("%w", err)
		}
		if len(p) == 0 {
			return f.errf("journal: short source")
		}
		i += int64(copy(nb[i:], p))
	}
	return f.logAppend(off, old, nb)
}

// readOld reads the bytes [off, off+len(b)) as they are now; holes of the
// file are read as zeros without touching the mapping when a read of
// them faults (tmpfs allocates a page to read a hole).
func (f *File) readOld(b []byte, off int64) error {
	_, err := f.readAtLocked(b, off)
	if err == nil || !errors.Is(err, ErrFault) || errors.Is(err, ErrShrank) {
		return err
	}
	clear(b)
	end := off + int64(len(b))
	for _, r := range f.dataRanges(off, end, 0, nil) {
		if _, err := f.readAtLocked(b[r.a-off:r.b-off], r.a); err != nil {
			return err
		}
	}
	return nil
}

// walHeader records what the file was at open.
func (f *File) walHeader(st *unix.Stat_t) {
	h := wal.Header{Dev: st.Dev, Ino: st.Ino, Size: st.Size, Mtime: st.Mtim.Nano(), PID: os.Getpid(), Opened: time.Now().UnixNano()}
	var sx unix.Statx_t
	if unix.Statx(f.fd, "", unix.AT_EMPTY_PATH, unix.STATX_BTIME, &sx) == nil && sx.Mask&unix.STATX_BTIME != 0 {
		h.Btime = sx.Btime.Sec*1e9 + int64(sx.Btime.Nsec)
	}
	if p, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.fd)); err == nil {
		h.Path = p
	} else {
		h.Path = f.path
	}
	f.d.hdr = h
}

// JournalPath returns the path of the file's durable journal, "" before
// the first edit (it is made then) and in read-only and private mode.
func (f *File) JournalPath() string {
	f.lockRead()
	defer f.mu.Unlock()
	if f.d.w == nil {
		return ""
	}
	return f.d.w.Path()
}

// JournalSyncs returns how many times the durable journal was made
// durable (fdatasync) since Open: a store of bytes not saved since the
// last sync takes one, a batch (WriteSpans) one for all its spans.
func (f *File) JournalSyncs() int {
	f.lockRead()
	defer f.mu.Unlock()
	if f.d.w == nil {
		return 0
	}
	return f.d.w.Syncs()
}

// JournalHeader returns what the durable journal records about the file
// as it was at Open: device, inode, birth time, size, mtime, path.
func (f *File) JournalHeader() wal.Header { return f.d.hdr }

// logStore appends the record of a store of n bytes at off (from src, or
// a fill of the byte fill when fill >= 0) to the durable journal: the
// bytes there now, then the new ones. The record is on disk before it
// returns unless the range's old bytes were already.
func (f *File) logStore(off, n int64, src func(i int64, max int) ([]byte, error), fill int) error {
	f.d.lastAt = -1
	if f.mode != Shared || n <= 0 || f.d.ahead {
		return nil
	}
	n = min(n, f.size-off)
	if n <= 0 {
		return nil
	}
	if err := f.walOpen(); err != nil {
		return err
	}
	sync := !f.d.covered.Covers(off, off+n)
	if f.d.batch {
		if fill < 0 && 2*n <= 64<<10 {
			return f.logSmall(off, n, src)
		}
		if sync {
			f.d.batchSync = true
			f.d.pendCover = append(f.d.pendCover, spanset.Span{A: off, B: off + n})
			sync = false
		}
		if f.hooks.walCommit != nil {
			f.hooks.walCommit(off, n)
		}
		// A large record (or a fill) is written as it is made, not synced.
		if err := f.d.w.Flush(false); err != nil {
			return f.errf("%w; nothing was stored", err)
		}
	}
	r := f.d.w.Begin(off, n, fill >= 0, byte(max(fill, 0)))
	if err := f.logBefore(r, off, n); err != nil {
		r.Abort()
		return err
	}
	if fill < 0 {
		for i := int64(0); i < n; {
			p, err := src(i, int(min(n-i, 1<<20)))
			if err != nil {
				r.Abort()
				return f.errf("%w", err)
			}
			if len(p) == 0 {
				r.Abort()
				return f.errf("journal: short source")
			}
			if err := r.Write(p); err != nil {
				r.Abort()
				return f.errf("%w", err)
			}
			i += int64(len(p))
		}
	}
	if f.hooks.walCommit != nil && !f.d.batch {
		f.hooks.walCommit(off, n)
	}
	if err := r.Commit(sync); err != nil {
		return f.errf("%w; nothing was stored", err)
	}
	f.d.lastAt = r.PayloadAt()
	if sync {
		f.d.covered.Add(off, off+n)
	}
	return nil
}

// logBefore writes the bytes [off, off+n) as they are now into r; holes
// of the file are read as zeros without touching the mapping.
func (f *File) logBefore(r *wal.Rec, off, n int64) error {
	if cap(f.d.buf) == 0 {
		f.d.buf = make([]byte, 1<<20)
	}
	buf := f.d.buf
	if n <= 64<<10 {
		b := buf[:n]
		_, err := f.readAtLocked(b, off)
		if err == nil {
			return r.Write(b)
		}
		if !errors.Is(err, ErrFault) || errors.Is(err, ErrShrank) {
			return err
		}
	}
	pos := off
	for _, d := range f.dataRanges(off, off+n, 0, nil) {
		if err := r.WriteZeros(d.a - pos); err != nil {
			return f.errf("%w", err)
		}
		for pos = d.a; pos < d.b; {
			c := min(int64(len(buf)), d.b-pos)
			if _, err := f.readAtLocked(buf[:c], pos); err != nil {
				return err
			}
			if err := r.Write(buf[:c]); err != nil {
				return f.errf("%w", err)
			}
			pos += c
		}
	}
	if err := r.WriteZeros(off + n - pos); err != nil {
		return f.errf("%w", err)
	}
	return nil
}

// walSyncStart notes, as a full sync takes the unsynced pages, where the
// journal ends: the records before are what the sync puts on disk. The
// stores after it must save their old bytes again (covered starts empty).
func (f *File) walSyncStart() {
	if f.d.w == nil {
		return
	}
	f.d.syncAt, f.d.syncRecs = f.d.w.End(), f.d.w.Records()
	f.d.covered.Clear()
}

// walSynced follows a full sync that succeeded: with no store since it
// began the journal is emptied, else a marker says the records before
// its start are on disk.
func (f *File) walSynced() error {
	w := f.d.w
	if w == nil {
		return nil
	}
	if w.Records() == f.d.syncRecs {
		// Cover records written since the sync began go with the rest.
		f.d.covered.Clear()
		if s := f.j.segs[f.j.seg]; s != nil && s.refs > 0 {
			// Nothing to recover, but undo still reads large edits'
			// bytes from its records: it leaves the folder and stays
			// open for that; the next store starts a new journal.
			file, err := w.Detach()
			f.d.w = nil
			if err != nil {
				delete(f.j.segs, f.j.seg)
				f.j.seg = 0
				return err
			}
			s.file, s.detached = file, true
			f.j.seg = 0
			return nil
		}
		return w.Retire()
	}
	return w.Marker(f.d.syncAt, w.Records()-f.d.syncRecs)
}

// walClose closes the durable journal at Close: deleted when it holds no
// record since the last sync (nothing to recover), kept otherwise.
func (f *File) walClose() {
	if f.d.w == nil {
		return
	}
	f.d.w.Close(f.d.w.Records() == 0)
	f.d.w = nil
	delete(f.j.segs, f.j.seg)
	f.j.seg = 0
}

// MaxCover is the most bytes one Cover journals.
const MaxCover = 64 << 10

// Cover journals the bytes [off, off+n) as they are now (at most
// MaxCover of them, clipped to the file's end), durably, with one
// fdatasync, so that stores there until the next sync need none: their
// records are written and not synced, because the bytes they replace
// are on disk already. This is for a burst of typed keys (the editor
// covers the bytes the keys queued behind the one it handles can reach):
// one fdatasync for the burst instead of one for each byte.
//
// When the byte at off is covered already, Cover does nothing (the
// burst's next bytes were covered by the Cover before, or were stored
// since the last sync). The cover record is no edit: nothing is stored,
// counted as unsynced or undone, and recovery neither lists it nor puts
// its bytes back (mapping/recovery). In private and read-only mode it
// does nothing.
func (f *File) Cover(off, n int64) error {
	f.lockEdit()
	defer f.mu.Unlock()
	if f.closed {
		return f.errf("%w", ErrClosed)
	}
	if f.mode != Shared || off < 0 || off >= f.size || n <= 0 || f.d.covered.Has(off) {
		return nil
	}
	n = min(n, f.size-off, MaxCover)
	if err := f.walOpen(); err != nil {
		return err
	}
	if cap(f.d.tmp) < int(n) {
		f.d.tmp = make([]byte, n, max(2*n, 4096))
	}
	old := f.d.tmp[:n]
	if err := f.readOld(old, off); err != nil {
		return err
	}
	if err := f.d.w.Cover(off, old); err != nil {
		return f.errf("%w", err)
	}
	f.d.covered.Add(off, off+n)
	return nil
}
