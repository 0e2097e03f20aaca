package compare

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// Format is how Report prints the differences.
type Format int

const (
	Ranges Format = iota // "OFFSET LENGTH" in hex, one run a line, then a total line
	JSON                 // one JSON object
	Bytes                // what `cmp -l` prints: 1-based decimal offset, both bytes in octal
	Quiet                // nothing: the result only
)

// ReportOptions are `mmhex diff`'s flags.
type ReportOptions struct {
	Format Format
	Off    int64 // compare from here (-s); with Bytes, cmp's -i: offsets count from here
	Len    int64 // this many bytes (-n); < 0: to the end
	Max    int64 // at most this many ranges (Bytes: lines); 0: no limit
	Opts   Options
	// Names, when set, are shown for A and B instead of display.Name of
	// their paths (or the Stream's Name).
	Names [2]string
}

// pair is the two sides of a report: two mapped files, or one mapped
// file and a Stream.
type pair struct {
	f         [2]*mapping.File // nil: the stream's side
	s         *Stream
	streamIsA bool
	o         ReportOptions
}

func (p *pair) name(i int) string {
	if p.o.Names[i] != "" {
		return p.o.Names[i]
	}
	if p.f[i] == nil {
		return p.s.Name
	}
	return display.Name(p.f[i].Path())
}

// size of side i (the stream's: as far as it was read).
func (p *pair) size(i int) int64 {
	if p.f[i] == nil {
		return p.s.Size
	}
	return p.f[i].Size()
}

// file is the mapped file of a stream pair.
func (p *pair) file() *mapping.File {
	if p.streamIsA {
		return p.f[1]
	}
	return p.f[0]
}

// regular is side i's size as cmp counts it in its offsets' width (the
// size of a regular file), and whether it counts.
func (p *pair) regular(i int) (int64, bool) {
	if p.f[i] == nil {
		return p.s.Regular + p.s.Size, p.s.Regular >= 0
	}
	return p.f[i].Size(), !p.f[i].IsBlockDevice()
}

// diff is Diff (or DiffReader) over [off, end).
func (p *pair) diff(ctx context.Context, off, end int64, fn func(Range) bool) error {
	if p.s != nil {
		return DiffReader(ctx, p.s, p.streamIsA, p.file(), off, end, fn)
	}
	return Diff(ctx, p.f[0], p.f[1], off, end, p.o.Opts, fn)
}

// pieces calls fn with the differing bytes of the common part inside
// [off, end), in order, a piece at a time with the bytes of both sides
// (valid during the call); tails are not reported.
func (p *pair) pieces(ctx context.Context, off, end int64, fn func(off int64, a, b []byte) bool) error {
	if p.s != nil {
		return diffStream(ctx, p.s, p.streamIsA, p.file(), off, end, func(r Range, a, b []byte) bool {
			return r.Side != Both || fn(r.Off, a, b)
		})
	}
	bufA := make([]byte, 64<<10)
	bufB := make([]byte, 64<<10)
	var rerr error
	err := Diff(ctx, p.f[0], p.f[1], off, end, p.o.Opts, func(r Range) bool {
		if r.Side != Both {
			return true
		}
		for off := r.Off; off < r.End(); {
			n := int(min(int64(len(bufA)), r.End()-off))
			if _, rerr = p.f[0].ReadAt(bufA[:n], off); rerr != nil {
				return false
			}
			if _, rerr = p.f[1].ReadAt(bufB[:n], off); rerr != nil {
				return false
			}
			if !fn(off, bufA[:n], bufB[:n]) {
				return false
			}
			off += int64(n)
		}
		return true
	})
	if err == nil {
		err = rerr
	}
	return err
}

// Report compares a and b as `mmhex diff` does and writes the result to
// w; with Bytes, the line `cmp` writes to standard error when one file
// ends first (`cmp: EOF on B after byte N`, `cmp: EOF on B which is
// empty`) goes to errw, the same text. It returns whether the files differ
// (inside the range compared). The names shown are display.Name of the
// files' paths.
func Report(ctx context.Context, a, b *mapping.File, o ReportOptions, w, errw io.Writer) (bool, error) {
	return report(ctx, &pair{f: [2]*mapping.File{a, b}, o: o}, w, errw)
}

// ReportStream is Report with one side a Stream (streamIsA: it is A),
// read once in order, a chunk at a time (DiffReader): the same output as
// Report of the same bytes in a file. It reads the stream only as far as
// the output needs (to its end for the ranges' tail and the JSON sizes;
// with Bytes and Quiet, one byte past the file's end at most, as cmp).
func ReportStream(ctx context.Context, s *Stream, streamIsA bool, f *mapping.File, o ReportOptions, w, errw io.Writer) (bool, error) {
	p := &pair{s: s, streamIsA: streamIsA, o: o}
	if streamIsA {
		p.f[1] = f
	} else {
		p.f[0] = f
	}
	return report(ctx, p, w, errw)
}

func report(ctx context.Context, p *pair, w, errw io.Writer) (bool, error) {
	o := p.o
	bw := bufio.NewWriterSize(w, 256<<10)
	var differ bool
	var err error
	switch o.Format {
	case Bytes:
		differ, err = reportBytes(ctx, p, bw, errw)
	default:
		differ, err = reportRanges(ctx, p, bw)
		// an empty file against one that is not: say which is empty
		if sa, sb := p.size(0), p.size(1); err == nil && o.Format != Quiet && (sa == 0) != (sb == 0) {
			empty, other := 0, 1
			if sb == 0 {
				empty, other = 1, 0
			}
			if err = bw.Flush(); err == nil {
				fmt.Fprintf(errw, "mmhex: %s: empty file, %s is not (%d bytes)\n", p.name(empty), p.name(other), p.size(other))
			}
		}
	}
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("writing: %w", ferr)
	}
	return differ, err
}

// soon is where a stream compare that only needs to know whether the
// stream goes on past the file can stop reading: one byte past the file
// (or past off), or end.
func (p *pair) soon(off, end int64) int64 {
	if p.s == nil {
		return end
	}
	return min(end, max(p.file().Size(), off)+1)
}

func end(o ReportOptions) int64 {
	if o.Len < 0 || o.Off > math.MaxInt64-o.Len {
		return math.MaxInt64
	}
	return o.Off + o.Len
}

func reportRanges(ctx context.Context, p *pair, out *bufio.Writer) (bool, error) {
	o := p.o
	na, nb := p.name(0), p.name(1)
	var n, bytes int64
	stopped := false
	var line []byte
	w := out
	var body *spill
	if o.Format == JSON {
		if p.s == nil {
			fmt.Fprintf(w, `{"a":{"name":%s,"size":%d},"b":{"name":%s,"size":%d},"ranges":[`,
				strconv.Quote(na), p.size(0), strconv.Quote(nb), p.size(1))
		} else {
			// the stream's size is known at its end: the ranges wait
			body = &spill{}
			defer body.close()
			w = bufio.NewWriterSize(body, 64<<10)
		}
	}
	e := end(o)
	if o.Format == Quiet {
		e = p.soon(o.Off, e)
	}
	err := p.diff(ctx, o.Off, e, func(r Range) bool {
		if o.Max > 0 && n == o.Max {
			stopped = true
			return false
		}
		n++
		bytes += r.Len
		switch o.Format {
		case Quiet:
			return false // one is enough
		case JSON:
			line = line[:0]
			if n > 1 {
				line = append(line, ',')
			}
			line = append(line, `{"offset":`...)
			line = strconv.AppendInt(line, r.Off, 10)
			line = append(line, `,"length":`...)
			line = strconv.AppendInt(line, r.Len, 10)
			switch r.Side {
			case OnlyA:
				line = append(line, `,"only":"a"`...)
			case OnlyB:
				line = append(line, `,"only":"b"`...)
			}
			line = append(line, '}')
		default:
			line = append(line[:0], "0x"...)
			line = strconv.AppendInt(line, r.Off, 16)
			line = append(line, " 0x"...)
			line = strconv.AppendInt(line, r.Len, 16)
			switch r.Side {
			case OnlyA:
				line = append(line, " only in "...)
				line = append(line, na...)
			case OnlyB:
				line = append(line, " only in "...)
				line = append(line, nb...)
			}
			line = append(line, '\n')
		}
		_, werr := w.Write(line)
		return werr == nil
	})
	if err != nil {
		return n > 0, err
	}
	if p.s != nil && o.Format != Quiet && (o.Format == JSON || p.size(0) == 0 || p.size(1) == 0) {
		// the sizes shown (JSON, the empty-file line) are whole
		if err := p.s.Drain(); err != nil {
			return n > 0, err
		}
	}
	if body != nil {
		fmt.Fprintf(out, `{"a":{"name":%s,"size":%d},"b":{"name":%s,"size":%d},"ranges":[`,
			strconv.Quote(na), p.size(0), strconv.Quote(nb), p.size(1))
		if err := w.Flush(); err != nil {
			return n > 0, fmt.Errorf("writing: %w", err)
		}
		if err := body.copyTo(out); err != nil {
			return n > 0, err
		}
		w = out
	}
	switch o.Format {
	case JSON:
		fmt.Fprintf(w, `],"total_ranges":%d,"total_bytes":%d,"complete":%t}`+"\n", n, bytes, !stopped)
	case Ranges:
		more := ""
		if stopped {
			more = fmt.Sprintf(" (stopped at --max %d)", o.Max)
		}
		fmt.Fprintf(w, "total: %d %s, %d %s differ%s\n", n, plural(n, "range", "ranges"), bytes, plural(bytes, "byte", "bytes"), more)
	}
	return n > 0, nil
}

// spill holds text in memory up to spillMem, then in an unlinked
// temporary file: a JSON report over a stream keeps its ranges until the
// stream's size is known, with memory flat however many there are.
type spill struct {
	mem  []byte
	file *os.File
	err  error
}

const spillMem = 1 << 20

func (s *spill) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.file == nil && len(s.mem)+len(p) <= spillMem {
		s.mem = append(s.mem, p...)
		return len(p), nil
	}
	if s.file == nil {
		f, err := os.CreateTemp("", "mmhex-diff-")
		if err != nil {
			s.err = fmt.Errorf("a temporary file for the ranges: %w", err)
			return 0, s.err
		}
		os.Remove(f.Name()) // the descriptor keeps it; nothing is left behind
		s.file = f
	}
	n, err := s.file.Write(p)
	if err != nil {
		s.err = fmt.Errorf("a temporary file for the ranges: %w", err)
	}
	return n, s.err
}

func (s *spill) copyTo(w io.Writer) error {
	if _, err := w.Write(s.mem); err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	if s.file == nil {
		return nil
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("a temporary file for the ranges: %w", err)
	}
	if _, err := io.Copy(w, s.file); err != nil {
		return fmt.Errorf("a temporary file for the ranges: %w", err)
	}
	return nil
}

func (s *spill) close() {
	if s.file != nil {
		s.file.Close()
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// octal[b] is b as cmp -l prints it: "%3o".
var octal = func() (t [256][3]byte) {
	for b := range 256 { // digits by hand: fmt at start-up costs every command 256 allocations
		t[b] = [3]byte{' ', ' ', byte('0' + b%8)}
		if b >= 8 {
			t[b][1] = byte('0' + b/8%8)
		}
		if b >= 64 {
			t[b][0] = byte('0' + b/64)
		}
	}
	return
}()

// reportBytes prints what `cmp -l -i OFF -n LEN A B` prints.
func reportBytes(ctx context.Context, p *pair, w *bufio.Writer, errw io.Writer) (bool, error) {
	o := p.o
	avail := func(i int) int64 { return max(0, p.size(i)-o.Off) }
	limit := int64(math.MaxInt64)
	if o.Len >= 0 {
		limit = o.Len
	}
	// cmp's offset width: the digits of the largest byte number it may
	// print, from the sizes of regular files (not of devices or pipes)
	// and -n.
	maxNum := limit
	for i := range 2 {
		if size, ok := p.regular(i); ok {
			maxNum = min(maxNum, size-o.Off)
		}
	}
	width := 1
	for maxNum /= 10; maxNum != 0; maxNum /= 10 {
		width++
	}
	e := end(o)
	if p.s == nil {
		e = o.Off + min(avail(0), avail(1), limit)
	}
	e = p.soon(o.Off, e)
	var lines int64
	differ := false
	var line []byte
	var numBuf [24]byte
	pad := make([]byte, 20)
	for i := range pad {
		pad[i] = ' '
	}
	stopped := false
	var rerr error
	err := p.pieces(ctx, o.Off, e, func(off int64, ba, bb []byte) bool {
		differ = true
		for i := range ba {
			if o.Max > 0 && lines == o.Max {
				stopped = true
				return false
			}
			lines++
			num := strconv.AppendInt(numBuf[:0], off+int64(i)-o.Off+1, 10)
			line = line[:0]
			if len(num) < width {
				line = append(line, pad[:width-len(num)]...)
			}
			line = append(line, num...)
			line = append(line, ' ')
			line = append(line, octal[ba[i]][:]...)
			line = append(line, ' ')
			line = append(line, octal[bb[i]][:]...)
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				rerr = fmt.Errorf("writing: %w", err)
				return false
			}
		}
		return true
	})
	if err == nil {
		err = rerr
	}
	if err != nil || stopped {
		return differ, err
	}
	if la, lb := avail(0), avail(1); la != lb && min(la, lb) < limit {
		short := 1
		if la < lb {
			short = 0
		}
		if err := w.Flush(); err != nil {
			return true, fmt.Errorf("writing: %w", err)
		}
		if n := min(la, lb); n == 0 {
			fmt.Fprintf(errw, "cmp: EOF on %s which is empty\n", p.name(short))
		} else {
			fmt.Fprintf(errw, "cmp: EOF on %s after byte %d\n", p.name(short), n)
		}
		differ = true
	}
	return differ, nil
}
