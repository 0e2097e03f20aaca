package compare

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
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
	// their paths ("-": standard input, spooled to a temporary file).
	Names [2]string
}

// nameOf is how the report names f, A or B.
func (o ReportOptions) nameOf(f, a *mapping.File) string {
	i := 1
	if f == a {
		i = 0
	}
	if o.Names[i] != "" {
		return o.Names[i]
	}
	return display.Name(f.Path())
}

// Report compares a and b as `mmhex diff` does and writes the result to
// w; with Bytes, the line `cmp` writes to standard error when one file
// ends first (`cmp: EOF on B after byte N`, `cmp: EOF on B which is
// empty`) goes to errw, the same text. It returns whether the files differ
// (inside the range compared). The names shown are display.Name of the
// files' paths.
func Report(ctx context.Context, a, b *mapping.File, o ReportOptions, w, errw io.Writer) (bool, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var differ bool
	var err error
	switch o.Format {
	case Bytes:
		differ, err = reportBytes(ctx, a, b, o, bw, errw)
	default:
		differ, err = reportRanges(ctx, a, b, o, bw)
		// an empty file against one that is not: say which is empty
		if sa, sb := a.Size(), b.Size(); err == nil && o.Format != Quiet && (sa == 0) != (sb == 0) {
			empty, other := a, b
			if sb == 0 {
				empty, other = b, a
			}
			if err = bw.Flush(); err == nil {
				fmt.Fprintf(errw, "mmhex: %s: empty file, %s is not (%d bytes)\n", o.nameOf(empty, a), o.nameOf(other, a), other.Size())
			}
		}
	}
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("writing: %w", ferr)
	}
	return differ, err
}

func end(o ReportOptions) int64 {
	if o.Len < 0 || o.Off > math.MaxInt64-o.Len {
		return math.MaxInt64
	}
	return o.Off + o.Len
}

func reportRanges(ctx context.Context, a, b *mapping.File, o ReportOptions, w *bufio.Writer) (bool, error) {
	na, nb := o.nameOf(a, a), o.nameOf(b, a)
	var n, bytes int64
	stopped := false
	var line []byte
	if o.Format == JSON {
		fmt.Fprintf(w, `{"a":{"name":%s,"size":%d},"b":{"name":%s,"size":%d},"ranges":[`,
			strconv.Quote(na), a.Size(), strconv.Quote(nb), b.Size())
	}
	err := Diff(ctx, a, b, o.Off, end(o), o.Opts, func(r Range) bool {
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

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// octal[b] is b as cmp -l prints it: "%3o".
var octal = func() (t [256][3]byte) {
	for b := range 256 {
		s := fmt.Sprintf("%3o", b)
		copy(t[b][:], s)
	}
	return
}()

// reportBytes prints what `cmp -l -i OFF -n LEN A B` prints.
func reportBytes(ctx context.Context, a, b *mapping.File, o ReportOptions, w *bufio.Writer, errw io.Writer) (bool, error) {
	avail := func(f *mapping.File) int64 { return max(0, f.Size()-o.Off) }
	limit := int64(math.MaxInt64)
	if o.Len >= 0 {
		limit = o.Len
	}
	// cmp's offset width: the digits of the largest byte number it may
	// print, from the sizes of regular files (not of devices) and -n.
	maxNum := limit
	for _, f := range []*mapping.File{a, b} {
		if !f.IsBlockDevice() {
			maxNum = min(maxNum, f.Size()-o.Off)
		}
	}
	width := 1
	for maxNum /= 10; maxNum != 0; maxNum /= 10 {
		width++
	}
	common := min(avail(a), avail(b), limit)
	var lines int64
	differ := false
	bufA := make([]byte, 64<<10)
	bufB := make([]byte, 64<<10)
	var line []byte
	var numBuf [24]byte
	pad := make([]byte, 20)
	for i := range pad {
		pad[i] = ' '
	}
	stopped := false
	var rerr error
	err := Diff(ctx, a, b, o.Off, o.Off+common, o.Opts, func(r Range) bool {
		if r.Side != Both {
			return true // the tail: cmp's EOF line below
		}
		differ = true
		for off := r.Off; off < r.End(); {
			n := int(min(int64(len(bufA)), r.End()-off))
			if _, rerr = a.ReadAt(bufA[:n], off); rerr != nil {
				return false
			}
			if _, rerr = b.ReadAt(bufB[:n], off); rerr != nil {
				return false
			}
			for i := range n {
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
				line = append(line, octal[bufA[i]][:]...)
				line = append(line, ' ')
				line = append(line, octal[bufB[i]][:]...)
				line = append(line, '\n')
				if _, err := w.Write(line); err != nil {
					rerr = fmt.Errorf("writing: %w", err)
					return false
				}
			}
			off += int64(n)
		}
		return true
	})
	if err == nil {
		err = rerr
	}
	if err != nil || stopped {
		return differ, err
	}
	if la, lb := avail(a), avail(b); la != lb && min(la, lb) < limit {
		short := b
		if la < lb {
			short = a
		}
		if err := w.Flush(); err != nil {
			return true, fmt.Errorf("writing: %w", err)
		}
		if n := min(la, lb); n == 0 {
			fmt.Fprintf(errw, "cmp: EOF on %s which is empty\n", o.nameOf(short, a))
		} else {
			fmt.Fprintf(errw, "cmp: EOF on %s after byte %d\n", o.nameOf(short, a), n)
		}
		differ = true
	}
	return differ, nil
}
