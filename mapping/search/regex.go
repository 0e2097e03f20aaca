package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"mmhex/mapping"
)

// DefaultMaxLen is the longest regular-expression match by default
// (--max-len).
const DefaultMaxLen = 4 << 10

// MaxMaxLen bounds --max-len: the windows overlap by twice it.
const MaxMaxLen = 16 << 20

// ErrTooLong: no match of the expression fits in --max-len bytes.
var ErrTooLong = errors.New("the expression cannot match within --max-len")

// regexChunk is RegexAll's window (at least 8×MaxLen; the tests of
// window borders set a smaller one in Regex.chunk).
const regexChunk int64 = 16 << 20

// ErrAnchor: the regular expression uses an assertion that depends on
// what lies outside a window (^ $ \A \z \b \B).
var ErrAnchor = errors.New("anchors and word boundaries (^ $ \\A \\z \\b \\B) are not supported")

// Regex is a compiled regular expression (Go's regexp, RE2 syntax) for
// searching bytes. On binary data: the bytes are read as UTF-8, so a
// valid multi-byte sequence is one character (`.` matches all of it) and
// every byte of an invalid sequence is one character U+FFFD (`.` and
// `[^a]` match it, `\x{fffd}` too); `\xHH` is the character U+00HH, which
// for HH ≥ 0x80 is two bytes (`\xff` is C3 BF, not the byte ff), so match
// high bytes with hex search instead; `.` matches `\n` only with `(?s)`;
// `(?i)` folds Unicode case. RE2 has no backreferences and no
// look-around. A match is at most MaxLen bytes long.
type Regex struct {
	re     *regexp.Regexp // the pattern
	anch   *regexp.Regexp // \A(?:pattern): a match starting at the slice's start
	src    string
	maxLen int
	zeros  bool  // some string of zeros matches: holes cannot be skipped
	chunk  int64 // RegexAll's window when not 0 (tests: a field, not a package variable)
	// prefix: every match starts with these bytes (regexp's
	// LiteralPrefix): candidates are found with bytes.Index and matched
	// anchored, within MaxLen bytes.
	prefix []byte
}

// ParseRegex compiles s; maxLen (0: DefaultMaxLen) bounds a match's length.
func ParseRegex(s string, maxLen int) (*Regex, error) {
	if s == "" {
		return nil, ErrEmptyPattern
	}
	if maxLen == 0 {
		maxLen = DefaultMaxLen
	}
	if maxLen < 1 || maxLen > MaxMaxLen {
		return nil, fmt.Errorf("--max-len must be between 1 and %d: %d", MaxMaxLen, maxLen)
	}
	tree, err := syntax.Parse(s, syntax.Perl)
	if err != nil {
		return nil, err
	}
	if hasAnchor(tree) {
		return nil, fmt.Errorf("%w: the file is searched in windows", ErrAnchor)
	}
	if n := minRunes(tree); n > maxLen {
		return nil, fmt.Errorf("%w: the shortest match is at least %d bytes, more than --max-len %d", ErrTooLong, n, maxLen)
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, err
	}
	anch := regexp.MustCompile(`\A(?:` + s + `)`)
	r := &Regex{re: re, anch: anch, src: s, maxLen: maxLen}
	r.zeros = re.Match(make([]byte, 2*maxLen))
	if pre, _ := re.LiteralPrefix(); pre != "" && !strings.ContainsRune(pre, utf8.RuneError) {
		// (U+FFFD also matches every invalid byte: not a byte string)
		r.prefix = []byte(pre)
	}
	return r, nil
}

// minRunes is the fewest characters a match of t holds (each at least a
// byte).
func minRunes(t *syntax.Regexp) int {
	const never = 1 << 30
	switch t.Op {
	case syntax.OpNoMatch:
		return never
	case syntax.OpLiteral:
		return len(t.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minRunes(t.Sub[0])
	case syntax.OpRepeat:
		return min(never, t.Min*minRunes(t.Sub[0]))
	case syntax.OpConcat:
		n := 0
		for _, s := range t.Sub {
			n = min(never, n+minRunes(s))
		}
		return n
	case syntax.OpAlternate:
		n := never
		for _, s := range t.Sub {
			n = min(n, minRunes(s))
		}
		return n
	}
	return 0
}

func hasAnchor(t *syntax.Regexp) bool {
	switch t.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, s := range t.Sub {
		if hasAnchor(s) {
			return true
		}
	}
	return false
}

// MaxLen is the longest match.
func (r *Regex) MaxLen() int { return r.maxLen }

// Source is the expression as typed.
func (r *Regex) Source() string { return r.src }

// String describes the expression for a status line: /expr/, escaped so
// no control character reaches the terminal.
func (r *Regex) String() string {
	q := quoteText(r.src)
	return "/" + q[1:len(q)-1] + "/"
}

// MatchesZeros reports whether a run of zero bytes holds a match (then the
// holes of a sparse file are searched too).
func (r *Regex) MatchesZeros() bool { return r.zeros }

// matchAt returns the length of the match the expression prefers among
// those starting at b[0] and at most maxLen bytes long, or -1.
func (r *Regex) matchAt(b []byte) int {
	if len(b) > r.maxLen {
		b = b[:r.maxLen]
	}
	loc := r.anch.FindIndex(b)
	if loc == nil {
		return -1
	}
	return loc[1]
}

// RegexAll calls fn with the offset and length of every match of r lying
// in [off, end), in increasing order, until fn returns false. The rule is
// grep -o's: from the left, the leftmost start at which the expression
// matches within MaxLen bytes is taken, with the match the expression
// prefers among those (leftmost-first, as Perl); empty matches are not
// reported; the search goes on after the end of the match. The range is
// read window by window (windows overlap by 2×MaxLen, so no match is
// missed at a border and the answer does not depend on where they fall),
// through Sweep: memory stays flat. Holes are skipped unless a string of
// zeros matches.
func RegexAll(ctx context.Context, src Source, r *Regex, off, end int64, fn func(off, n int64) bool) error {
	return regexAll(ctx, src, r, off, end, fn, nil)
}

// regexAll is RegexAll calling progress (when not nil) after each window
// with the bytes of [off, end) passed and the range's length.
func regexAll(ctx context.Context, src Source, r *Regex, off, end int64, fn func(off, n int64) bool, progress func(done, total int64)) error {
	off = max(0, off)
	end = min(end, src.Size())
	if off >= end {
		return nil
	}
	m := int64(r.maxLen)
	chunk := regexChunk
	if r.chunk > 0 {
		chunk = r.chunk
	}
	chunk = max(chunk, 8*m)
	k := max(8*m, 64<<10) // the slice searched at once
	next := off           // no match starts before next
	done := off           // the starts before done were searched by an earlier window
	stop := false
	// window searches the starts in [max(next, done), limit) of b (at base).
	window := func(base int64, b []byte, limit int64) bool {
		s := max(next, base, done)
		if s > base && s < limit {
			s = base + int64(align(b, int(s-base)))
		}
		done = max(done, limit)
		e := base + int64(len(b))
		for s < limit {
			if ctx.Err() != nil {
				return false
			}
			// Search a slice of at most K bytes: a greedy expression
			// (a+ over a long run) costs K per match, not the window.
			se, lim := min(e, s+k), limit
			if se < e {
				lim = min(limit, se-m)
			}
			var loc []int
			if r.prefix != nil {
				// The leftmost candidate where the expression matches
				// within MaxLen bytes: what the rule takes.
				for from := s; ; {
					i := bytes.Index(b[from-base:se-base], r.prefix)
					if i < 0 || from+int64(i) >= lim {
						break
					}
					c := from + int64(i)
					if n := r.matchAt(b[c-base:]); n >= 0 {
						loc = []int{int(c - s), int(c-s) + n}
						break
					}
					from = c + 1
				}
			} else {
				loc = r.re.FindIndex(b[s-base : se-base])
			}
			if loc == nil || s+int64(loc[0]) >= lim {
				if lim >= limit {
					break
				}
				s = base + int64(align(b, int(lim-base)))
				continue
			}
			ms, me := s+int64(loc[0]), s+int64(loc[1])
			if me-ms > m {
				n := r.matchAt(b[ms-base:])
				if n < 0 {
					s = ms + runeLen(b[ms-base:])
					continue
				}
				me = ms + int64(n)
			}
			if me == ms {
				s = ms + runeLen(b[ms-base:])
				continue
			}
			if !fn(ms, me-ms) {
				stop = true
				return false
			}
			next, s = me, me
		}
		return true
	}
	var tail []byte // the last 2×MaxLen bytes of the last window
	var tailBase int64
	err := src.Sweep(off, end, mapping.ScanOptions{Overlap: int(2 * m), SkipHoles: !r.zeros, Chunk: chunk}, func(base int64, b []byte) bool {
		e := base + int64(len(b))
		limit := e - m // starts owned by this window: at least MaxLen bytes follow them
		if e >= end {
			limit = e
		}
		if !window(base, b, limit) {
			return false
		}
		if progress != nil {
			progress(min(e, end)-off, end-off)
		}
		k := max(0, len(b)-int(2*m))
		tail, tailBase = append(tail[:0], b[k:]...), base+int64(k)
		return true
	})
	if err == nil && !stop && ctx.Err() == nil {
		// The starts in the last MaxLen bytes of the input (a stream's
		// end is known only now; at a hole they are zeros, which cannot
		// match).
		window(tailBase, tail, tailBase+int64(len(tail)))
	}
	if err == nil && !stop {
		err = ctx.Err()
	}
	return err
}

func runeLen(b []byte) int64 {
	_, n := utf8.DecodeRune(b)
	return int64(n)
}

// align returns the first character boundary at or after p in b, as one
// decoding from b's start finds it (looking back at most 3 bytes: UTF-8
// resynchronises within them).
func align(b []byte, p int) int {
	for j := 1; j <= 3 && p-j >= 0; j++ {
		c := b[p-j]
		if c < 0x80 {
			return p
		}
		if c >= 0xc0 {
			if r, n := utf8.DecodeRune(b[p-j:]); (r != utf8.RuneError || n > 1) && p-j+n > p {
				return p - j + n
			}
			return p
		}
	}
	return p
}

// RegexCount counts the matches RegexAll reports, stopping at maxN when
// maxN > 0.
func RegexCount(ctx context.Context, src Source, r *Regex, off, end, maxN int64) (int64, error) {
	var n int64
	err := RegexAll(ctx, src, r, off, end, func(int64, int64) bool {
		n++
		return maxN <= 0 || n < maxN
	})
	return n, err
}

// RegexFind finds one match of r for the editor: forward, the first
// match RegexAll reports from `from` on; backward (reverse), the last one
// it reports from the start of the file that starts at or before `from`.
// With wrap it goes on from the other end once and says so. It returns the
// match's offset and length; ErrNotFound when there is none. progress,
// when not nil, is called from the searching goroutine after each window
// with the bytes of the pass passed and the pass's length (a wrap is a
// second pass).
func RegexFind(ctx context.Context, src Source, r *Regex, from int64, reverse, wrap bool, progress func(done, total int64)) (off, n int64, wrapped bool, err error) {
	size := src.Size()
	first := func(a, b int64) (int64, int64, bool, error) {
		var o, l int64
		found := false
		err := regexAll(ctx, src, r, a, b, func(x, k int64) bool {
			o, l, found = x, k, true
			return false
		}, progress)
		return o, l, found, err
	}
	last := func(a, b, maxStart int64) (int64, int64, bool, error) {
		var o, l int64
		found := false
		err := regexAll(ctx, src, r, a, b, func(x, k int64) bool {
			if x > maxStart {
				return false
			}
			o, l, found = x, k, true
			return true
		}, progress)
		return o, l, found, err
	}
	from = max(-1, min(from, size))
	var ok bool
	if !reverse {
		if off, n, ok, err = first(max(from, 0), size); err != nil || ok {
			return off, n, false, err
		}
		if wrap {
			if off, n, ok, err = first(0, size); err != nil || ok {
				return off, n, true, err
			}
		}
	} else {
		if from >= 0 {
			if off, n, ok, err = last(0, size, from); err != nil || ok {
				return off, n, false, err
			}
		}
		if wrap {
			if off, n, ok, err = last(0, size, size); err != nil || ok {
				return off, n, true, err
			}
		}
	}
	return 0, 0, false, fmt.Errorf("%s: %w", r, ErrNotFound)
}
