package view

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// inspectLine is one row of the data inspector: a label and its value.
type inspectLine struct{ label, value string }

// naValue is shown for a value that needs more bytes than the file has left.
const naValue = "— (past end)"

// inspect decodes b, the bytes from the cursor on (at most 8; fewer where the
// file ends), into the inspector's rows.
func inspect(b []byte) []inspectLine {
	var out []inspectLine
	add := func(label, value string) { out = append(out, inspectLine{label, value}) }
	n := len(b)
	if n == 0 {
		add("", "(no byte)")
		return out
	}
	add("u8", strconv.FormatUint(uint64(b[0]), 10))
	add("i8", strconv.FormatInt(int64(int8(b[0])), 10))
	type order struct {
		name string
		bo   binary.ByteOrder
	}
	orders := []order{{"le", binary.LittleEndian}, {"be", binary.BigEndian}}
	ints := func(size int, sign bool) {
		for _, o := range orders {
			kind := "u"
			if sign {
				kind = "i"
			}
			label := fmt.Sprintf("%s%d %s", kind, size*8, o.name)
			if n < size {
				add(label, naValue)
				continue
			}
			var u uint64
			switch size {
			case 2:
				u = uint64(o.bo.Uint16(b))
			case 4:
				u = uint64(o.bo.Uint32(b))
			case 8:
				u = o.bo.Uint64(b)
			}
			if !sign {
				add(label, strconv.FormatUint(u, 10))
				continue
			}
			var v int64
			switch size {
			case 2:
				v = int64(int16(u))
			case 4:
				v = int64(int32(u))
			case 8:
				v = int64(u)
			}
			add(label, strconv.FormatInt(v, 10))
		}
	}
	for _, size := range []int{2, 4, 8} {
		ints(size, false)
		ints(size, true)
	}
	for _, o := range orders {
		if n < 4 {
			add("f32 "+o.name, naValue)
		} else {
			add("f32 "+o.name, formatFloat(float64(math.Float32frombits(o.bo.Uint32(b))), 32))
		}
	}
	for _, o := range orders {
		if n < 8 {
			add("f64 "+o.name, naValue)
		} else {
			add("f64 "+o.name, formatFloat(math.Float64frombits(o.bo.Uint64(b)), 64))
		}
	}
	add("binary", fmt.Sprintf("%08b", b[0]))
	add("utf-8", describeUTF8(b))
	for _, o := range orders {
		if n < 4 {
			add("time32 "+o.name, naValue)
		} else {
			add("time32 "+o.name, unixTime(int64(o.bo.Uint32(b))))
		}
	}
	for _, o := range orders {
		if n < 8 {
			add("time64 "+o.name, naValue)
		} else {
			add("time64 "+o.name, unixTime(int64(o.bo.Uint64(b))))
		}
	}
	return out
}

// maxValueWidth is the inspector's value column.
const maxValueWidth = 23

// formatFloat is the shortest representation that reads back as v, with
// fewer digits when that does not fit the inspector.
func formatFloat(v float64, bits int) string {
	s := strconv.FormatFloat(v, 'g', -1, bits)
	for prec := 16; len(s) > maxValueWidth && prec > 1; prec-- {
		s = strconv.FormatFloat(v, 'g', prec, bits)
	}
	return s
}

// describeUTF8 names the UTF-8 character that starts at b[0]: its code
// point, its length, and the character itself when it is printable.
func describeUTF8(b []byte) string {
	r, size := utf8.DecodeRune(b)
	if r == utf8.RuneError && size <= 1 {
		if !utf8.FullRune(b) {
			return "incomplete sequence"
		}
		return "invalid"
	}
	s := fmt.Sprintf("U+%04X", r)
	if size > 1 {
		s += fmt.Sprintf(" (%d bytes)", size)
	}
	if unicode.IsPrint(r) {
		s += " '" + string(r) + "'"
	}
	return s
}

// unixTime formats seconds since 1970 as a UTC date, or says it is out of range.
func unixTime(sec int64) string {
	// Years 0..9999 only: beyond that the format is meaningless.
	const minSec, maxSec = -62135596800, 253402300799
	if sec < minSec || sec > maxSec {
		return "out of range"
	}
	return time.Unix(sec, 0).UTC().Format("2006-01-02 15:04:05") + " UTC"
}
