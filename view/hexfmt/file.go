package hexfmt

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// ColorMode is --color: auto (when the output is a terminal), always, never.
type ColorMode uint8

const (
	ColorAuto ColorMode = iota
	ColorAlways
	ColorNever
)

// ColorModeNames are the names ParseColorMode accepts.
func ColorModeNames() []string { return []string{"auto", "always", "never"} }

// ParseColorMode accepts "auto", "always" or "never".
func ParseColorMode(s string) (ColorMode, error) {
	switch s {
	case "auto":
		return ColorAuto, nil
	case "always":
		return ColorAlways, nil
	case "never":
		return ColorNever, nil
	}
	return 0, fmt.Errorf("%w %q (want auto, always or never)", ErrBadColor, s)
}

// UseColor decides whether a dump to fd is coloured: always, never, or
// (auto) when fd is a terminal and NO_COLOR is not set (no-color.org: set
// and not empty; --color always still colours).
func (m ColorMode) UseColor(fd uintptr) bool {
	switch m {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	return os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(fd))
}

// DumpFile writes the dump of n bytes of f from offset off (n < 0: to the
// end; a range past the end is clipped, as hexdump and xxd do) to w. It
// reads through f.Scan, so only the chunk being formatted is mapped and
// the pages behind are released: memory does not grow with the file, and
// the cost does not depend on where in the file the range lies.
//
// An offset past the end of the file is an error (ErrPastEnd); an offset at
// the end dumps nothing (canonical: the end offset line, as hexdump -C -s
// does). n == 0 writes nothing. A write error (EPIPE on a closed pipe) is
// returned as it is.
func DumpFile(w io.Writer, f *mapping.File, off, n int64, o Options) error {
	size := f.Size()
	name := display.Name(f.Path())
	if off < 0 {
		return fmt.Errorf("%s: %w: %d", name, mapping.ErrOffset, off)
	}
	if off > size {
		return fmt.Errorf("%s: %w: offset %d (%#x), size %d (%#x)", name, mapping.ErrPastEnd, off, off, size, size)
	}
	if n == 0 {
		return nil
	}
	end := size
	if n > 0 && n < size-off {
		end = off + n
	}
	d := NewDumper(w, off, o)
	var werr error
	// The canonical format skips the holes of sparse files: their zero
	// rows print as one row and "*" (Dumper.Zeros), so nothing there is
	// read or brought into the page cache. The other formats print every
	// row and read the holes as zeros.
	skip := o.Format == Canonical
	at := off // the next offset to dump
	err := f.Scan(off, end, mapping.ScanOptions{SkipHoles: skip}, func(base int64, b []byte) bool {
		if base > at {
			if werr = d.Zeros(base - at); werr != nil {
				return false
			}
		}
		_, werr = d.Write(b)
		at = base + int64(len(b))
		return werr == nil
	})
	if err == nil && werr == nil && at < end {
		werr = d.Zeros(end - at)
	}
	cerr := d.Close()
	switch {
	case werr != nil:
		return dumpError(name, werr)
	case err != nil:
		return fmt.Errorf("dump: %w", err)
	case cerr != nil:
		return dumpError(name, cerr)
	}
	return nil
}

// dumpError names the file in an error of the Dumper: a memory fault (the
// file shrank) or a write error (wrapped, so errors.Is still finds EPIPE).
func dumpError(name string, err error) error {
	if errors.Is(err, mapping.ErrFault) {
		return fmt.Errorf("%s: %w", name, err)
	}
	return fmt.Errorf("%s: writing: %w", name, err)
}

// DumpStream is DumpFile for an input that cannot be mapped (a pipe): it
// reads r once, front to back, drops the first off bytes, and formats up to
// n bytes (n < 0: to the end of the input) with the same Dumper, so the
// text is the one DumpFile writes for a file holding the same bytes. name
// (display-safe, e.g. "standard input") is how errors name the input. An
// offset past the end of the input is an error (ErrPastEnd), as for a file.
func DumpStream(w io.Writer, r io.Reader, name string, off, n int64, o Options) error {
	if off < 0 {
		return fmt.Errorf("%s: %w: %d", name, mapping.ErrOffset, off)
	}
	skipped, err := io.CopyN(io.Discard, r, off)
	if err != nil && err != io.EOF {
		return fmt.Errorf("%s: reading: %w", name, err)
	}
	if skipped < off {
		return fmt.Errorf("%s: %w: offset %d (%#x), size %d (%#x)", name, mapping.ErrPastEnd, off, off, skipped, skipped)
	}
	if n == 0 {
		return nil
	}
	if n > 0 {
		r = io.LimitReader(r, n)
	}
	d := NewDumper(w, off, o)
	buf := make([]byte, segBytes*4)
	var werr, rerr error
	for werr == nil {
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			_, werr = d.Write(buf[:k])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	cerr := d.Close()
	switch {
	case werr != nil:
		return dumpError(name, werr)
	case rerr != nil:
		return fmt.Errorf("%s: reading: %w", name, rerr)
	case cerr != nil:
		return dumpError(name, cerr)
	}
	return nil
}
