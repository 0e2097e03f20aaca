package mapping

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// ParseSize parses an offset or length: decimal ("123"), hexadecimal with
// 0x ("0x1f"), optionally followed by a binary suffix k, M, G or T (any
// case, optionally with "iB" or "B": "4k", "4KiB", "1G", "0x10k").
func ParseSize(s string) (int64, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrBadNumber)
	}
	mult := int64(1)
	low := strings.ToLower(s)
	for _, suf := range []string{"ib", "b"} {
		if len(low) > len(suf)+1 && strings.HasSuffix(low, suf) {
			c := low[len(low)-len(suf)-1]
			if c == 'k' || c == 'm' || c == 'g' || c == 't' {
				low = low[:len(low)-len(suf)]
			}
			break
		}
	}
	if n := len(low); n > 1 {
		switch low[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult != 1 {
			low = low[:n-1]
		}
	}
	var v uint64
	var err error
	if strings.HasPrefix(low, "0x") {
		if len(low) == 2 {
			return 0, fmt.Errorf("%w: %q", ErrBadNumber, orig)
		}
		v, err = strconv.ParseUint(low[2:], 16, 63)
	} else {
		v, err = strconv.ParseUint(low, 10, 63)
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%w: %q is too large", ErrBadNumber, orig)
		}
		return 0, fmt.Errorf("%w: %q (use decimal, 0x hex, k/M/G suffixes)", ErrBadNumber, orig)
	}
	if v > uint64(math.MaxInt64/mult) {
		return 0, fmt.Errorf("%w: %q is too large", ErrBadNumber, orig)
	}
	return int64(v) * mult, nil
}

// ParseHex parses hex bytes: "de ad BEEF", "0xdead", "de:ad", "de,ad".
// Whitespace, ':' , ',' and '-' separate groups; each group may carry a 0x
// prefix and must have an even number of digits.
func ParseHex(s string) ([]byte, error) {
	groups := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == ':' || r == ',' || r == '-'
	})
	var out []byte
	for _, g := range groups {
		d := g
		if len(d) >= 2 && (d[:2] == "0x" || d[:2] == "0X") {
			d = d[2:]
		}
		if d == "" || len(d)%2 != 0 {
			return nil, fmt.Errorf("%w: %q has an odd number of hex digits", ErrBadHex, g)
		}
		for i := 0; i < len(d); i += 2 {
			hi, ok1 := unhex(d[i])
			lo, ok2 := unhex(d[i+1])
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%w: %q is not hex", ErrBadHex, g)
			}
			out = append(out, hi<<4|lo)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no bytes given", ErrBadHex)
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
