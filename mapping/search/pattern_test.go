package search

import (
	"bytes"
	"errors"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseHex(t *testing.T) {
	for _, c := range []struct{ in, hex string }{
		{"de ad be ef", "de ad be ef"},
		{"deadbeef", "de ad be ef"},
		{"DE AD BE EF", "de ad be ef"},
		{"  de\tad  ", "de ad"},
		{"de ?? ef", "de ?? ef"},
		{"de??ef", "de ?? ef"},
		{"??", "??"},
		{"00", "00"},
		{"de,ad", "de ad"},
	} {
		p, err := ParseHex(c.in)
		if err != nil {
			t.Errorf("ParseHex(%q): %v", c.in, err)
			continue
		}
		if got := p.Hex(); got != c.hex {
			t.Errorf("ParseHex(%q).Hex() = %q, want %q", c.in, got, c.hex)
		}
		if !p.IsHex() || p.Source() != c.in {
			t.Errorf("ParseHex(%q): IsHex %v Source %q", c.in, p.IsHex(), p.Source())
		}
	}
}

func TestParseHexErrors(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"de ad b", `malformed hex: column 7: "b" needs a second hex digit (odd number of digits)`},
		{"dx", `malformed hex: column 2: "x" is not a hex digit`},
		{"zz", `malformed hex: column 1: "z" is not a hex digit`},
		{"de a bc", `malformed hex: column 4: "a" needs a second hex digit (odd number of digits)`},
		{"de ? ad", `malformed hex: column 4: a wildcard is "??", a single "?" is incomplete`},
		{"de\x1b[31m", `malformed hex: column 3: U+001B is not a hex digit`},
		{"dé", `malformed hex: column 2: U+00E9 is not a hex digit`},
		{"0xde", `malformed hex: column 2: "x" is not a hex digit`},
	} {
		_, err := ParseHex(c.in)
		if err == nil {
			t.Errorf("ParseHex(%q): no error, want %q", c.in, c.msg)
			continue
		}
		if !errors.Is(err, ErrMalformedHex) {
			t.Errorf("ParseHex(%q): %v does not wrap ErrMalformedHex", c.in, err)
		}
		if err.Error() != c.msg {
			t.Errorf("ParseHex(%q) error\n got %q\nwant %q", c.in, err.Error(), c.msg)
		}
	}
	for _, in := range []string{"", "   "} {
		if _, err := ParseHex(in); !errors.Is(err, ErrEmptyPattern) {
			t.Errorf("ParseHex(%q) = %v, want ErrEmptyPattern", in, err)
		}
	}
}

func TestParseText(t *testing.T) {
	p, err := ParseText("Hello, wörld", false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != len("Hello, wörld") || !p.Exact() || p.IsHex() || p.Fold() {
		t.Errorf("text pattern: len %d exact %v hex %v fold %v", p.Len(), p.Exact(), p.IsHex(), p.Fold())
	}
	if got := p.String(); got != `"Hello, wörld"` {
		t.Errorf("String() = %q", got)
	}
	pi, err := ParseText("Ab1", true)
	if err != nil {
		t.Fatal(err)
	}
	if pi.Exact() || pi.String() != `"Ab1"/i` {
		t.Errorf("fold pattern: exact %v String %q", pi.Exact(), pi.String())
	}
	for _, s := range []string{"ab1", "AB1", "aB1", "Ab1"} {
		if !pi.MatchAt([]byte(s)) {
			t.Errorf("%q does not match /Ab1/i", s)
		}
	}
	for _, s := range []string{"Ab2", "A\x821", "a@1", "Ab", "!b1"} {
		if pi.MatchAt([]byte(s)) {
			t.Errorf("%q matches /Ab1/i", s)
		}
	}
	// '@' (0x40) and '`' (0x60) differ only in bit 5 but are not letters.
	pa, _ := ParseText("@", true)
	if pa.MatchAt([]byte("`")) {
		t.Error("/@/i matches '`'")
	}
	if _, err := ParseText("", false); !errors.Is(err, ErrEmptyPattern) {
		t.Errorf("empty text: %v", err)
	}
	_, err = ParseText("ab\xffc", false)
	if !errors.Is(err, ErrInvalidUTF8) || err.Error() != "invalid UTF-8: column 3" {
		t.Errorf("invalid UTF-8: %v", err)
	}
	// Control characters never reach a status line raw.
	pc, _ := ParseText("a\x1b[2Jb", false)
	if s := pc.String(); strings.ContainsRune(s, 0x1b) {
		t.Errorf("String() contains ESC: %q", s)
	}
}

func TestMatchesZeros(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{{"00", true}, {"00 ?? 00", true}, {"??", true}, {"00 01", false}, {"?? 41", false}} {
		p, _ := ParseHex(c.in)
		if p.MatchesZeros() != c.want {
			t.Errorf("%q MatchesZeros = %v", c.in, !c.want)
		}
	}
}

// naiveAll is the obviously correct matcher the fast one is checked against.
func naiveAll(p *Pattern, b []byte) []int {
	var r []int
	for i := 0; i+p.Len() <= len(b); i++ {
		if p.MatchAt(b[i:]) {
			r = append(r, i)
		}
	}
	return r
}

func fastAll(p *Pattern, b []byte) []int {
	var r []int
	p.All(b, func(i int) bool { r = append(r, i); return true })
	return r
}

func eqInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIndexAgainstNaive(t *testing.T) { indexAgainstNaive(t, false) }

// withoutPair turns the AVX2 pair filter off in each pattern when off is
// set (TestWithoutAVX2): a field of the pattern, not a package variable.
func withoutPair(off bool, ps ...*Pattern) {
	for _, p := range ps {
		p.noPair = off
	}
}

func indexAgainstNaive(t *testing.T, noPair bool) {
	rng := rand.New(rand.NewSource(1))
	pats := []string{"de ad", "ad", "00 00 01", "?? 41 ?? 42", "41 ?? ?? ?? 41", "00", "??", "?? ??", "61 62 61", "ff ff ff ff"}
	texts := []string{"abc", "aBa", "ZZZ", "ab", "a", "@`", "hello world"}
	for round := 0; round < 300; round++ {
		n := rng.Intn(300)
		alpha := 1 + rng.Intn(6)
		b := make([]byte, n)
		for i := range b {
			switch rng.Intn(3) {
			case 0:
				b[i] = byte(rng.Intn(256))
			default:
				b[i] = "abABde\xad\x00\x41\x42@`"[rng.Intn(alpha*2)]
			}
		}
		var ps []*Pattern
		for _, s := range pats {
			p, err := ParseHex(s)
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
		}
		for _, s := range texts {
			p1, _ := ParseText(s, false)
			p2, _ := ParseText(s, true)
			ps = append(ps, p1, p2)
		}
		// A pattern cut from the data itself, with random wildcards.
		if n > 4 {
			at := rng.Intn(n - 3)
			l := 1 + rng.Intn(min(n-at, 20))
			ps = append(ps, Literal(b[at:at+l]))
			h := FormatHex(b[at:at+l], bytes.Repeat([]byte{0xff}, l))
			hs := strings.Fields(h)
			hs[rng.Intn(l)] = "??"
			p, err := ParseHex(strings.Join(hs, ""))
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
		}
		withoutPair(noPair, ps...)
		for _, p := range ps {
			want := naiveAll(p, b)
			got := fastAll(p, b)
			if !eqInts(got, want) {
				t.Fatalf("pattern %s in %x:\n got %v\nwant %v", p, b, got, want)
			}
			last := -1
			if len(want) > 0 {
				last = want[len(want)-1]
			}
			if l := p.LastIndex(b); l != last {
				t.Fatalf("LastIndex %s in %x = %d, want %d", p, b, l, last)
			}
		}
	}
}

// TestIndexAdaptive: the anchor byte is common in the data, so Index
// switches to the run; results must not change.
func TestIndexAdaptive(t *testing.T) { indexAdaptive(t, false) }

func indexAdaptive(t *testing.T, noPair bool) {
	b := bytes.Repeat([]byte("zq"), 50000)
	copy(b[77777:], "zqzQzq")
	p, _ := ParseHex("7a 71 7a 51 ?? 71") // anchor 'Q' is rare... make 'q' common
	withoutPair(noPair, p)
	if got := p.Index(b); got != 77777 {
		t.Errorf("Index = %d", got)
	}
	p2, _ := ParseHex("71 ?? 71 7a 51")
	withoutPair(noPair, p2)
	if got, want := fastAll(p2, b), naiveAll(p2, b); !eqInts(got, want) {
		t.Errorf("All = %v, want %v", got, want)
	}
	// Long LastIndex over several blocks.
	big := make([]byte, 3*lastBlock+17)
	copy(big[5:], "needle")
	copy(big[lastBlock-3:], "needle") // across a block border
	pn, _ := ParseText("NEEDLE", true)
	withoutPair(noPair, pn)
	if got := pn.LastIndex(big); got != lastBlock-3 {
		t.Errorf("LastIndex = %d", got)
	}
	if got := pn.LastIndex(big[:lastBlock+2]); got != 5 {
		t.Errorf("LastIndex (cut) = %d", got)
	}
}

// FuzzParse: whatever the input, the parser returns a pattern or an error
// that wraps a sentinel, never panics, and a pattern round-trips through its
// canonical hex form and matches its own bytes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"de ad be ef", "deadbeef", "de ?? ef", "??", "d", "de a", "zz", "?", "", " ", "héllo", "Hello", "\xff", "0x41", "a\x00b"} {
		f.Add(s, true, false)
		f.Add(s, false, true)
		f.Add(s, false, false)
	}
	f.Fuzz(func(t *testing.T, s string, hex, fold bool) {
		p, err := Parse(s, hex, fold)
		if err != nil {
			if !errors.Is(err, ErrMalformedHex) && !errors.Is(err, ErrEmptyPattern) && !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("Parse(%q, %v, %v): unexpected error %v", s, hex, fold, err)
			}
			if p != nil {
				t.Fatalf("pattern and error")
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\x1b\x07") && !strings.Contains(msg, "no hex bytes") {
				t.Fatalf("error text carries a control byte: %q", msg)
			}
			return
		}
		if p.Len() == 0 {
			t.Fatal("empty pattern without error")
		}
		if !hex && p.Len() != len(s) {
			t.Fatalf("text pattern length %d, want %d", p.Len(), len(s))
		}
		if !hex && !utf8.ValidString(s) {
			t.Fatal("invalid UTF-8 accepted")
		}
		q, err := ParseHex(p.Hex())
		if err != nil {
			t.Fatalf("canonical hex %q of %q does not parse: %v", p.Hex(), s, err)
		}
		if q.Hex() != p.Hex() {
			t.Fatalf("round trip %q -> %q", p.Hex(), q.Hex())
		}
		// The pattern matches its own bytes (wildcards filled with 0x55).
		b := make([]byte, p.Len())
		for i := range b {
			b[i] = p.val[i] | ^p.mask[i]&0x55
		}
		if !p.MatchAt(b) || p.Index(b) != 0 || p.LastIndex(b) != 0 {
			t.Fatalf("pattern %s does not match %x", p, b)
		}
		if strings.ContainsRune(p.String(), 0x1b) {
			t.Fatalf("String() carries ESC: %q", p.String())
		}
	})
}

// TestPairFilter: long buffers (the AVX2 pair filter's 64- and 32-byte
// loops and the scalar tail) against the naive matcher, for exact, folded
// and wildcard patterns with candidates planted at every alignment.
func TestPairFilter(t *testing.T) { pairFilter(t, false) }

func pairFilter(t *testing.T, noPair bool) {
	rng := rand.New(rand.NewSource(9))
	pats := []*Pattern{}
	for _, s := range []string{"xQz", "ab", "needle", "a b"} {
		p1, _ := ParseText(s, false)
		p2, _ := ParseText(s, true)
		pats = append(pats, p1, p2)
	}
	for _, s := range []string{"78 ?? 7a", "61 ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? 62"} {
		p, _ := ParseHex(s)
		pats = append(pats, p)
	}
	withoutPair(noPair, pats...)
	for round := 0; round < 200; round++ {
		n := 64 + rng.Intn(400)
		b := make([]byte, n)
		for i := range b {
			b[i] = "xqzXQZabAB needlNEEDL"[rng.Intn(21)]
		}
		for _, p := range pats {
			if !p.pair {
				t.Fatalf("%s has no pair", p)
			}
			for _, q := range []*Pattern{p, p.Tuned(b)} {
				if got, want := fastAll(q, b), naiveAll(q, b); !eqInts(got, want) {
					t.Fatalf("%s (k1 %d k2 %d) in %q:\n got %v\nwant %v", q, q.k1, q.k2, b, got, want)
				}
			}
		}
	}
}
