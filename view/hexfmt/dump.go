package hexfmt

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"

	"mmhex/mapping"
)

// Format is a dump layout.
type Format uint8

const (
	// Canonical is byte-for-byte `hexdump -C`: 16 bytes a row, identical
	// rows folded into one `*` line, the end offset on a line of its own.
	Canonical Format = iota
	// XXD is byte-for-byte `xxd`: "%08x: ", 16 bytes in groups of two, text.
	XXD
	// Plain is `xxd -p`: 30 bytes of continuous hex a line.
	Plain
)

var formatNames = []string{"canonical", "xxd", "plain"}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "invalid"
}

// FormatNames are the names ParseFormat accepts, in order.
func FormatNames() []string { return append([]string(nil), formatNames...) }

// ParseFormat accepts "canonical", "xxd" or "plain".
func ParseFormat(s string) (Format, error) {
	for i, n := range formatNames {
		if s == n {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q (want canonical, xxd or plain)", ErrBadFormat, s)
}

// rowBytes is the number of input bytes on one output line.
func (f Format) rowBytes() int {
	if f == Plain {
		return 30
	}
	return 16
}

// maxLine is an upper bound of one output line in bytes, colour included
// (the row writers reserve this much).
func (f Format) maxLine(color bool) int {
	if color {
		return 16 + colorRowMax // offset up to 16 digits
	}
	if f == Plain {
		return 61
	}
	return 16 + 71 // canonical is the widest
}

// Options chooses the layout of a dump.
type Options struct {
	Format Format
	Color  bool // colour bytes by Class (SGR sequences)
	// Workers formats segments in parallel (0: GOMAXPROCS). Output order
	// does not depend on it.
	Workers int
}

// segBytes is the input size of one formatting job (a multiple of 16 and 30).
const segBytes = 240 * 256 // 60 KiB in, ~300 KB out: a job's buffer stays in the core's cache

// Dumper is an io.Writer that formats the bytes written to it as a dump of
// consecutive file bytes starting at the offset given to NewDumper, and
// writes the text to the underlying writer in order. Large writes are split
// into segments formatted by Workers goroutines while an earlier segment is
// being written out. The slice given to Write is not used after Write
// returns, so it may be a view of mapped memory that is released next.
// Close flushes the last partial row and canonical's final offset line;
// it must be called (it also ends the Dumper's goroutines). A Dumper is not
// safe for concurrent use.
type Dumper struct {
	w     io.Writer
	o     Options
	row   int   // bytes per row
	start int64 // offset of the first byte
	pos   int64 // offset of the next byte

	carry  [30]byte // a partial row waiting for more bytes
	carryN int

	prev     [16]byte // canonical: the last full row, and whether it was a repeat
	havePrev bool
	prevDup  bool

	jobs    chan *job
	ordered chan *job
	free    chan *job
	wdone   chan struct{}
	mu      sync.Mutex
	werr    error
	closed  bool
	started bool
}

type job struct {
	data    []byte
	off     int64
	prev    []byte // canonical: row before data[0], nil if none
	prevDup bool
	last    bool // format a trailing partial row too, and the end line
	end     int64
	out     []byte
	lastDup bool
	err     error // a memory fault while formatting
	done    chan struct{}
	wg      *sync.WaitGroup
}

// NewDumper returns a Dumper writing to w; the first byte written is at
// file offset start.
func NewDumper(w io.Writer, start int64, o Options) *Dumper {
	return &Dumper{w: w, o: o, row: o.Format.rowBytes(), start: start, pos: start}
}

func (d *Dumper) begin() {
	d.started = true
	n := d.o.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	inflight := 2*n + 2
	d.jobs = make(chan *job, inflight)
	d.ordered = make(chan *job, inflight)
	d.free = make(chan *job, inflight)
	for i := 0; i < inflight; i++ {
		d.free <- &job{done: make(chan struct{}, 1)}
	}
	d.wdone = make(chan struct{})
	for i := 0; i < n; i++ {
		go d.worker()
	}
	go d.writer()
}

func (d *Dumper) worker() {
	// The bytes may be mapped memory: a fault (the file shrank) must become
	// an error, not kill the process. The setting is per goroutine.
	debug.SetPanicOnFault(true)
	for j := range d.jobs {
		d.run(j)
		j.data, j.prev = nil, nil
		wg := j.wg
		j.done <- struct{}{}
		if wg != nil {
			wg.Done()
		}
	}
}

// run formats one job, turning a memory fault into the job's error.
func (d *Dumper) run(j *job) {
	defer func() {
		if r := recover(); r != nil {
			if !mapping.IsFault(r) {
				panic(r)
			}
			j.out = j.out[:0]
			j.err = fmt.Errorf("dump at %#x: %w", j.off, mapping.ErrFault)
		}
	}()
	j.err = nil
	j.out, j.lastDup = d.format(j.out[:0], j)
}

func (d *Dumper) writer() {
	defer close(d.wdone)
	for j := range d.ordered {
		<-j.done
		if j.err != nil && d.err() == nil {
			d.mu.Lock()
			d.werr = j.err
			d.mu.Unlock()
		}
		if d.err() == nil && len(j.out) > 0 {
			if _, err := d.w.Write(j.out); err != nil {
				d.mu.Lock()
				d.werr = err
				d.mu.Unlock()
			}
		}
		d.free <- j
	}
}

func (d *Dumper) err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.werr
}

// submit queues one formatting job; it is written after every job
// submitted before it.
func (d *Dumper) submit(data []byte, off int64, prev []byte, prevDup, last bool, wg *sync.WaitGroup) *job {
	j := <-d.free
	j.data, j.off, j.prev, j.prevDup, j.last, j.end, j.wg = data, off, prev, prevDup, last, d.pos, wg
	if need := (len(data)/d.row+3)*d.o.Format.maxLine(d.o.Color) + 32; cap(j.out) < need {
		j.out = make([]byte, 0, need)
	}
	if wg != nil {
		wg.Add(1)
	}
	d.ordered <- j
	d.jobs <- j
	return j
}

// Write formats p, the bytes at the current offset. It returns the first
// error of the underlying writer (a closed pipe: syscall.EPIPE), or an
// error wrapping mapping.ErrFault when reading p faulted.
// Write reads p in the calling goroutine too (row comparisons at segment
// borders); a fault there is also returned as an error.
func (d *Dumper) Write(p []byte) (n int, err error) {
	var wg sync.WaitGroup
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !mapping.IsFault(r) {
				panic(r)
			}
			wg.Wait() // no job may still read p
			err = fmt.Errorf("dump at %#x: %w", d.pos, mapping.ErrFault)
			d.mu.Lock()
			if d.werr == nil {
				d.werr = err
			}
			d.mu.Unlock()
		}
	}()
	return d.write(p, &wg)
}

func (d *Dumper) write(p []byte, wg *sync.WaitGroup) (int, error) {
	if d.closed {
		return 0, ErrClosed
	}
	if err := d.err(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !d.started {
		d.begin()
	}
	total := len(p)
	canon := d.o.Format == Canonical
	var lastJob *job
	// complete a carried partial row
	if d.carryN > 0 {
		k := copy(d.carry[d.carryN:d.row], p)
		d.carryN += k
		p = p[k:]
		if d.carryN < d.row {
			d.pos += int64(k)
			return total, nil
		}
		off := d.pos + int64(k) - int64(d.row)
		d.pos += int64(k)
		var prev []byte
		if d.havePrev {
			prev = d.prev[:]
		}
		lastJob = d.submit(d.carry[:d.row], off, prev, d.prevDup, false, wg)
		wg.Wait() // carry and prev are rewritten below
		d.carryN = 0
		if canon {
			copy(d.prev[:], d.carry[:16])
			d.havePrev, d.prevDup = true, lastJob.lastDup
		}
	}
	full := len(p) / d.row * d.row
	body, rest := p[:full], p[full:]
	var lastPrevDupJob *job
	for i := 0; i < len(body) && d.err() == nil; i += segBytes {
		seg := body[i:min(i+segBytes, len(body))]
		var prev []byte
		prevDup := false
		if canon {
			switch {
			case i > 0:
				// the row before seg, and whether it repeated its own
				// predecessor (i >= segBytes >= 32: both are in body)
				prev = body[i-16 : i]
				prevDup = string(body[i-32:i-16]) == string(prev)
			case d.havePrev:
				prev, prevDup = d.prev[:], d.prevDup
			}
		}
		lastPrevDupJob = d.submit(seg, d.pos+int64(i), prev, prevDup, false, wg)
	}
	wg.Wait()
	if full > 0 && canon && lastPrevDupJob != nil {
		copy(d.prev[:], body[full-16:])
		d.havePrev, d.prevDup = true, lastPrevDupJob.lastDup
	}
	d.pos += int64(full)
	d.carryN = copy(d.carry[:], rest)
	d.pos += int64(len(rest))
	if err := d.err(); err != nil {
		return total, err
	}
	return total, nil
}

// zeroRows is what Zeros writes at a time.
var zeroRows [segBytes]byte

// Zeros formats n zero bytes at the current offset, as Write would, without
// anybody having to read them (a hole of a sparse file). In the canonical
// format a run of equal rows prints as its first row and one "*", so once
// two zero rows have gone through Write the rest of the run prints nothing
// and only the offset moves: a hole of any size costs a few rows. The
// other formats print every row: the zeros are written.
func (d *Dumper) Zeros(n int64) error {
	write := func(k int64) error {
		for k > 0 {
			m := min(k, int64(len(zeroRows)))
			if _, err := d.Write(zeroRows[:m]); err != nil {
				return err
			}
			k -= m
		}
		return nil
	}
	row := int64(d.row)
	// the partial row completed, then two whole zero rows: the second
	// repeats the first, so the state is "a zero row, already starred"
	head := (row-int64(d.carryN))%row + 2*row
	if d.o.Format != Canonical || n < head+row {
		return write(n)
	}
	if err := write(head); err != nil {
		return err
	}
	if d.carryN != 0 || !d.havePrev || !d.prevDup || d.prev != [16]byte{} {
		return write(n - head) // not in a starred zero run after all: no shortcut
	}
	skip := (n - head) / row * row
	d.pos += skip
	return write(n - head - skip)
}

// Close formats the trailing partial row and, for Canonical, the end offset
// line (unless nothing was dumped from offset 0, as hexdump does), waits for
// everything to be written, and returns the first write error.
func (d *Dumper) Close() error {
	if d.closed {
		return ErrClosed
	}
	d.closed = true
	if !d.started {
		if d.carryN == 0 && (d.o.Format != Canonical || d.pos == 0) {
			return nil
		}
		d.begin()
	}
	if d.err() == nil {
		var wg sync.WaitGroup
		var prev []byte
		if d.havePrev {
			prev = d.prev[:]
		}
		d.submit(d.carry[:d.carryN], d.pos-int64(d.carryN), prev, d.prevDup, true, &wg)
		wg.Wait()
	}
	close(d.jobs)
	close(d.ordered)
	<-d.wdone
	return d.err()
}

// format appends the text of j to dst. It returns dst and, for Canonical,
// whether the last row formatted was a repeat of the one before.
func (d *Dumper) format(dst []byte, j *job) ([]byte, bool) {
	data := j.data
	switch d.o.Format {
	case XXD:
		if !d.o.Color {
			full := len(data) &^ 15
			dst = xxdRows(dst, data[:full], j.off)
			data = data[full:]
		}
		for off := j.off; len(data) >= 16; off += 16 {
			dst = appendXXDRow(dst, data[:16], off, d.o.Color)
			data = data[16:]
		}
		if j.last && len(data) > 0 {
			dst = appendXXDRow(dst, data, j.end-int64(len(data)), d.o.Color)
		}
		return dst, false
	case Plain:
		if !d.o.Color {
			full := len(data) / 30 * 30
			dst = plainRows(dst, data[:full])
			data = data[full:]
		}
		for len(data) >= 30 {
			dst = appendPlainRow(dst, data[:30], d.o.Color)
			data = data[30:]
		}
		if j.last && len(data) > 0 {
			dst = appendPlainRow(dst, data, d.o.Color)
		}
		return dst, false
	}
	prev, dup := j.prev, j.prevDup
	off := j.off
	if !d.o.Color && len(data) >= 16 {
		full := len(data) &^ 15
		dst, dup = canonicalRows(dst, data[:full], off, prev, dup)
		prev = data[full-16 : full]
		data = data[full:]
		off += int64(full)
	}
	for len(data) >= 16 {
		row := data[:16]
		if prev != nil && string(row) == string(prev) {
			if !dup {
				dst = append(dst, '*', '\n')
			}
			dup = true
		} else {
			dup = false
			dst = appendCanonicalRow(dst, row, off, d.o.Color)
		}
		prev = row
		data = data[16:]
		off += 16
	}
	if j.last {
		if len(data) > 0 {
			// hexdump never folds the partial last row
			dst = appendCanonicalRow(dst, data, off, d.o.Color)
		}
		if j.end != 0 {
			dst = appendOffset(dst, j.end)
			dst = append(dst, '\n')
		}
	}
	return dst, dup
}
