package extents

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// The text and JSON of `mmhex extents`, written as the ranges and extents
// are found (a file with 100 000 extents starts printing at once and is
// never held in memory).

// Human is a size in the largest binary unit that keeps it short: "4 KiB",
// "1023 MiB", "1.50 GiB", "17 B". Fractions are cut, not rounded: a hole
// 4 KiB short of 64 MiB is "63.99 MiB", never "64.00 MiB".
func Human(n int64) string { return string(appendHuman(nil, n)) }

// appendHuman appends Human(n) to b without allocating.
func appendHuman(b []byte, n int64) []byte {
	const unit = 1024
	if n < unit {
		b = strconv.AppendInt(b, n, 10)
		return append(b, " B"...)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	b = strconv.AppendInt(b, n/div, 10)
	if n%div != 0 {
		frac := (n % div) / (div / 100) // EiB: n%div*100 would overflow
		if div <= 1<<56 {
			frac = n % div * 100 / div
		}
		frac = min(frac, 99)
		b = append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
	}
	return append(append(append(b, ' '), "KMGTPE"[exp]), "iB"...)
}

// appendHex appends 0x-prefixed hex of v, right-aligned in width
// columns (left-aligned when width < 0).
func appendHex(b []byte, v int64, width int) []byte {
	var t [24]byte
	x := strconv.AppendUint(append(t[:0], "0x"...), uint64(v), 16)
	return appendPad(b, x, width)
}

// appendDec is v in decimal, right-aligned in width columns.
func appendDec(b []byte, v int64, width int) []byte {
	var t [24]byte
	return appendPad(b, strconv.AppendInt(t[:0], v, 10), width)
}

func appendPad(b, x []byte, width int) []byte {
	left := width < 0
	if left {
		width = -width
	}
	pad := max(0, width-len(x))
	if !left {
		for range pad {
			b = append(b, ' ')
		}
	}
	b = append(b, x...)
	if left {
		for range pad {
			b = append(b, ' ')
		}
	}
	return b
}

// appendFlags appends the extent's flags as filefrag -v prints them, each
// through item (which quotes them for JSON or not), separated by commas:
// the FIEMAP flags, then "eof" when the extent reaches the end of the file
// (size).
func appendFlags(b []byte, x Extent, size int64, quote bool) []byte {
	n := 0
	add := func(s string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		if quote {
			b = strconv.AppendQuote(b, s)
		} else {
			b = append(b, s...)
		}
	}
	rest := x.Flags
	for _, f := range flagNames {
		if x.Flags&f.f != 0 {
			add(f.name)
			rest &^= f.f
		}
	}
	if rest != 0 {
		for _, s := range rest.Names() { // unknown bits: rare, may allocate
			add(s)
		}
	}
	if x.End() >= size {
		add("eof")
	}
	return b
}

// Write writes the report of `mmhex extents` on f to w: the data and hole
// ranges, then the FIEMAP extents, as text (asJSON false) or as one JSON
// object. Where the filesystem has no FIEMAP the report says why in place
// of the extents and Write returns nil: the ranges are the answer there.
// A write error is returned naming the file.
func Write(w io.Writer, f *mapping.File, asJSON bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	name := display.Name(f.Path())
	var size int64
	err := f.WithDescriptor(func(fd int, _ int64) error {
		s, _, err := fdSize(fd)
		size = s
		return err
	})
	if err != nil {
		return err
	}
	var dataN, holeN, dataB, holeB int64
	countRange := func(r Range) {
		if r.Hole {
			holeN++
			holeB += r.Len()
		} else {
			dataN++
			dataB += r.Len()
		}
	}
	var nExt int64
	var buf []byte
	if asJSON {
		buf = append(buf, `{"file":`...)
		buf = strconv.AppendQuote(buf, name)
		buf = append(buf, `,"size":`...)
		buf = strconv.AppendInt(buf, size, 10)
		buf = append(buf, `,"ranges":[`...)
		bw.Write(buf)
		err = Ranges(f, 0, size, func(r Range) error {
			buf = buf[:0]
			if dataN+holeN > 0 {
				buf = append(buf, ',')
			}
			countRange(r)
			buf = append(buf, `{"kind":"`...)
			buf = append(buf, r.Kind()...)
			buf = append(buf, `","start":`...)
			buf = strconv.AppendInt(buf, r.Off, 10)
			buf = append(buf, `,"end":`...)
			buf = strconv.AppendInt(buf, r.End, 10)
			buf = append(buf, '}')
			_, err := bw.Write(buf)
			return writeErr(f, err)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, `],"data_ranges":%d,"data_bytes":%d,"holes":%d,"hole_bytes":%d,"extents":[`, dataN, dataB, holeN, holeB)
		err = Extents(f, func(x Extent) error {
			buf = buf[:0]
			if nExt > 0 {
				buf = append(buf, ',')
			}
			nExt++
			buf = append(buf, `{"logical":`...)
			buf = strconv.AppendInt(buf, x.Logical, 10)
			buf = append(buf, `,"physical":`...)
			buf = strconv.AppendInt(buf, x.Physical, 10)
			buf = append(buf, `,"length":`...)
			buf = strconv.AppendInt(buf, x.Length, 10)
			buf = append(buf, `,"flags":[`...)
			buf = appendFlags(buf, x, size, true)
			buf = append(buf, "]}"...)
			_, err := bw.Write(buf)
			return writeErr(f, err)
		})
		why := []byte("null")
		var nf *NoFiemapError
		if errors.As(err, &nf) {
			why = strconv.AppendQuote(nil, display.Line(nf.Why))
			err = nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, `],"extent_count":%d,"no_extents":%s}`+"\n", nExt, why)
		return writeErr(f, bw.Flush())
	}

	fmt.Fprintf(bw, "file     %s\nsize     %d (%s)\n", name, size, Human(size))
	bw.WriteString("data and holes (SEEK_DATA/SEEK_HOLE):\n")
	err = Ranges(f, 0, size, func(r Range) error {
		countRange(r)
		buf = append(append(append(buf[:0], "  "...), r.Kind()...), "  "...)
		buf = appendHex(buf, r.Off, 16)
		buf = append(buf, " – "...)
		buf = appendHex(buf, r.End, -16)
		buf = appendDec(append(buf, ' '), r.Len(), 12)
		buf = append(appendHuman(append(buf, " ("...), r.Len()), ")\n"...)
		_, err := bw.Write(buf)
		return writeErr(f, err)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "  %d data %s (%s), %d %s (%s)\n", dataN, plural(dataN, "range", "ranges"), Human(dataB), holeN, plural(holeN, "hole", "holes"), Human(holeB))
	head := false
	err = Extents(f, func(x Extent) error {
		if !head {
			bw.WriteString("extents (FIEMAP, bytes):\n" +
				"         #           logical          physical        length  flags\n")
			head = true
		}
		buf = appendDec(buf[:0], nExt, 10)
		buf = appendHex(append(buf, "  "...), x.Logical, 16)
		buf = appendHex(append(buf, "  "...), x.Physical, 16)
		buf = appendDec(append(buf, "  "...), x.Length, 12)
		n := len(buf)
		if buf = appendFlags(append(buf, "  "...), x, size, false); len(buf) == n+2 {
			buf = buf[:n] // no flags: no trailing blanks
		}
		buf = append(buf, '\n')
		_, err := bw.Write(buf)
		nExt++
		return writeErr(f, err)
	})
	var nf *NoFiemapError
	if errors.As(err, &nf) {
		fmt.Fprintf(bw, "extents (FIEMAP): none: %s\n", display.Line(nf.Why))
		return writeErr(f, bw.Flush())
	}
	if err != nil {
		return err
	}
	if !head {
		bw.WriteString("extents (FIEMAP): none (no block is allocated)\n")
	} else {
		fmt.Fprintf(bw, "  %d %s\n", nExt, plural(nExt, "extent", "extents"))
	}
	return writeErr(f, bw.Flush())
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeErr names the file in a write error (a closed pipe, a full disk).
func writeErr(f *mapping.File, err error) error {
	if err == nil {
		return nil
	}
	return errf(f, "writing: %w", err)
}
