// Package search holds mmhex's search patterns (hex bytes with "??"
// wildcards, UTF-8 text, ASCII case folding) and the search engine that runs
// them over a mapped file window by window: forward, backward, wrapping,
// with progress, cancellation and sparse-file hole skipping.
package search

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pattern is a compiled search pattern. Every position i matches a data byte
// d when d&mask[i] == val[i]: mask 0xff is an exact byte, 0x00 any byte
// ("??"), 0xdf an ASCII letter in either case.
type Pattern struct {
	val  []byte
	mask []byte
	src  string // as the user typed it
	hex  bool
	fold bool

	exact bool // every mask is 0xff: val is the literal pattern
	// anchor: the position searched for with IndexByte, chosen by rarity.
	anchor int
	a0, a1 byte // the anchor's byte(s); a0 == a1 unless folded
	// run: the longest run of exact bytes, used with bytes.Index when the
	// anchor byte turns out to be common in the data.
	runOff int
	run    []byte
	// pair: the two rarest fixed positions k1 < k2, searched together by
	// the AVX2 filter: data[s+k1]|o1 == c1 && data[s+k2]|o2 == c2.
	pair           bool
	noPair         bool // the pair filter off although the CPU has it (tests)
	k1, k2         int
	c1, o1, c2, o2 byte
	// words: the pattern as 64-bit masked compares (makeWords, linear).
	words []word
}

// ParseHex parses hex bytes: pairs of hex digits, optionally separated by
// whitespace, "??" for any byte. "de ad be ef", "deadbeef", "DE AD ?? EF".
// A malformed pattern returns an error that wraps ErrMalformedHex and names
// the problem and its column (1-based, in characters).
func ParseHex(s string) (*Pattern, error) {
	var val, mask []byte
	rs := []rune(s)
	for i := 0; i < len(rs); {
		c := rs[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' {
			i++
			continue
		}
		if c == '?' {
			if i+1 < len(rs) && rs[i+1] == '?' {
				val = append(val, 0)
				mask = append(mask, 0)
				i += 2
				continue
			}
			return nil, fmt.Errorf("%w: column %d: a wildcard is \"??\", a single \"?\" is incomplete", ErrMalformedHex, i+1)
		}
		hi, ok := hexDigit(c)
		if !ok {
			return nil, fmt.Errorf("%w: column %d: %s is not a hex digit", ErrMalformedHex, i+1, quoteRune(c))
		}
		if i+1 >= len(rs) {
			return nil, fmt.Errorf("%w: column %d: %s needs a second hex digit (odd number of digits)", ErrMalformedHex, i+1, quoteRune(c))
		}
		lo, ok := hexDigit(rs[i+1])
		if !ok {
			if rs[i+1] == ' ' || rs[i+1] == '\t' || rs[i+1] == ',' || rs[i+1] == '?' {
				return nil, fmt.Errorf("%w: column %d: %s needs a second hex digit (odd number of digits)", ErrMalformedHex, i+1, quoteRune(c))
			}
			return nil, fmt.Errorf("%w: column %d: %s is not a hex digit", ErrMalformedHex, i+2, quoteRune(rs[i+1]))
		}
		val = append(val, hi<<4|lo)
		mask = append(mask, 0xff)
		i += 2
	}
	if len(val) == 0 {
		return nil, fmt.Errorf("%w: no hex bytes in %q", ErrEmptyPattern, s)
	}
	return compile(val, mask, s, true, false), nil
}

// ParseText parses a text pattern: its UTF-8 bytes. With fold, ASCII letters
// match in either case (other bytes exactly).
func ParseText(s string, fold bool) (*Pattern, error) {
	if s == "" {
		return nil, ErrEmptyPattern
	}
	if !utf8.ValidString(s) {
		col := 1
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
			col++
		}
		return nil, fmt.Errorf("%w: column %d", ErrInvalidUTF8, col)
	}
	val := []byte(s)
	mask := make([]byte, len(val))
	for i, c := range val {
		mask[i] = 0xff
		if fold && isLetter(c) {
			mask[i] = 0xdf
			val[i] = c & 0xdf
		}
	}
	return compile(val, mask, s, false, fold), nil
}

// Parse parses s as hex (ParseHex) or as text (ParseText, fold for ASCII
// case-insensitive).
func Parse(s string, hex, fold bool) (*Pattern, error) {
	if hex {
		return ParseHex(s)
	}
	return ParseText(s, fold)
}

// Literal is an exact pattern of the given bytes.
func Literal(b []byte) *Pattern {
	if len(b) == 0 {
		return nil
	}
	val := append([]byte(nil), b...)
	mask := make([]byte, len(b))
	for i := range mask {
		mask[i] = 0xff
	}
	return compile(val, mask, FormatHex(val, mask), true, false)
}

// Bytes returns copies of the pattern's bytes and masks: position i
// matches a data byte d when d&mask[i] == val[i] (mask 0xff exact, 0x00
// "??", 0xdf an ASCII letter in either case).
func (p *Pattern) Bytes() (val, mask []byte) {
	return append([]byte(nil), p.val...), append([]byte(nil), p.mask...)
}

// Len is the number of bytes a match spans.
func (p *Pattern) Len() int { return len(p.val) }

// Source is the pattern as the user typed it.
func (p *Pattern) Source() string { return p.src }

// IsHex reports whether the pattern was given as hex.
func (p *Pattern) IsHex() bool { return p.hex }

// Fold reports whether the pattern is ASCII case-insensitive.
func (p *Pattern) Fold() bool { return p.fold }

// Exact reports whether the pattern is a plain byte string (no wildcards, no
// case folding).
func (p *Pattern) Exact() bool { return p.exact }

// Hex is the canonical hex form of the pattern: "de ad ?? ef". For a
// case-folded letter the upper-case byte is shown.
func (p *Pattern) Hex() string { return FormatHex(p.val, p.mask) }

// String describes the pattern for a status line: hex as canonical hex,
// text quoted (with "/i" when case-insensitive). Non-printable characters
// are escaped so the terminal never receives them.
func (p *Pattern) String() string {
	if p.hex {
		return p.Hex()
	}
	q := quoteText(p.src)
	if p.fold {
		return q + "/i"
	}
	return q
}

// MatchesZeros reports whether a run of zero bytes (a hole of a sparse
// file) matches the pattern. When it does not, holes can be skipped.
func (p *Pattern) MatchesZeros() bool {
	for _, v := range p.val {
		if v != 0 {
			return false
		}
	}
	return true
}

// MatchAt reports whether the pattern matches b at its start. b must hold at
// least Len bytes.
func (p *Pattern) MatchAt(b []byte) bool {
	if len(b) < len(p.val) {
		return false
	}
	for i, v := range p.val {
		if b[i]&p.mask[i] != v {
			return false
		}
	}
	return true
}

// FormatHex formats val/mask as "de ad ?? ef".
func FormatHex(val, mask []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	for i, v := range val {
		if i > 0 {
			sb.WriteByte(' ')
		}
		if mask[i] == 0 {
			sb.WriteString("??")
			continue
		}
		sb.WriteByte(digits[v>>4])
		sb.WriteByte(digits[v&15])
	}
	return sb.String()
}

func compile(val, mask []byte, src string, hex, fold bool) *Pattern {
	p := &Pattern{val: val, mask: mask, src: src, hex: hex, fold: fold, exact: true, anchor: -1}
	p.makeWords()
	for _, m := range mask {
		if m != 0xff {
			p.exact = false
		}
	}
	// The anchor: the rarest fixed position (an exact byte counts once, a
	// folded letter twice: both cases are searched).
	best := 1 << 30
	for i, m := range mask {
		var cost int
		switch m {
		case 0xff:
			cost = int(byteRank[val[i]])
		case 0xdf:
			cost = int(byteRank[val[i]]) + int(byteRank[val[i]|0x20])
		default:
			continue
		}
		if cost < best {
			best, p.anchor = cost, i
		}
	}
	if p.anchor >= 0 {
		p.a0, p.a1 = val[p.anchor], val[p.anchor]
		if mask[p.anchor] == 0xdf {
			p.a1 = val[p.anchor] | 0x20
		}
	}
	p.choosePair(func(i int) int {
		if mask[i] == 0xdf {
			return int(byteRank[val[i]]) + int(byteRank[val[i]|0x20])
		}
		return int(byteRank[val[i]])
	})
	// The longest run of exact bytes.
	for i := 0; i < len(mask); {
		if mask[i] != 0xff {
			i++
			continue
		}
		j := i
		for j < len(mask) && mask[j] == 0xff {
			j++
		}
		if j-i > len(p.run) {
			p.runOff, p.run = i, val[i:j]
		}
		i = j
	}
	return p
}

func hexDigit(c rune) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return byte(c - '0'), true
	case c >= 'a' && c <= 'f':
		return byte(c - 'a' + 10), true
	case c >= 'A' && c <= 'F':
		return byte(c - 'A' + 10), true
	}
	return 0, false
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// quoteRune names a character for an error message without letting a
// control character reach the terminal.
func quoteRune(c rune) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", string(c))
	}
	return fmt.Sprintf("%U", c)
}

// quoteText quotes s with Go escapes for everything that is not printable.
func quoteText(s string) string {
	return fmt.Sprintf("%q", s)
}

// choosePair picks the two fixed positions of least cost for the pair
// filter.
func (p *Pattern) choosePair(cost func(i int) int) {
	a, b := -1, -1
	for i, m := range p.mask {
		if m == 0 {
			continue
		}
		switch {
		case a < 0 || cost(i) < cost(a):
			a, b = i, a
		case b < 0 || cost(i) < cost(b):
			b = i
		}
	}
	if a < 0 || b < 0 {
		p.pair = false
		return
	}
	if a > b {
		a, b = b, a
	}
	p.pair, p.k1, p.k2 = true, a, b
	p.c1, p.o1 = p.pairByte(a)
	p.c2, p.o2 = p.pairByte(b)
}

func (p *Pattern) pairByte(i int) (c, o byte) {
	if p.mask[i] == 0xdf {
		return p.val[i] | 0x20, 0x20
	}
	return p.val[i], 0
}
