package search

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// grepPOffsets runs LC_ALL=C grep -obUaP and keeps the offsets.
func grepPOffsets(t *testing.T, file, pat string) []int64 {
	t.Helper()
	cmd := exec.Command("grep", "-obUaP", "--", pat, file)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return nil
		}
		t.Fatalf("grep -P %q: %v", pat, err)
	}
	var r []int64
	for _, line := range bytes.Split(out, []byte("\n")) {
		i := bytes.IndexByte(line, ':')
		if i < 0 {
			continue
		}
		// a match may hold no ':' before the offset's: the first is it
		n, err := strconv.ParseInt(string(line[:i]), 10, 64)
		if err != nil {
			continue // the rest of a match that held a newline cannot happen: grep -P is line by line
		}
		r = append(r, n)
	}
	return r
}

func regexOffsets(t *testing.T, src Source, re *Regex, off, end int64) (offs, lens []int64) {
	t.Helper()
	err := RegexAll(context.Background(), src, re, off, end, func(o, n int64) bool {
		offs = append(offs, o)
		lens = append(lens, n)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

// regexReference is the rule, byte loop over the whole data at once:
// from each character start (decoding from 0), the longest-preferred
// match within MaxLen bytes; non-empty ones are taken and the loop goes
// on after them.
func regexReference(re *Regex, data []byte) (offs, lens []int64) {
	for i := 0; i < len(data); {
		if n := re.matchAt(data[i:]); n > 0 {
			offs, lens = append(offs, int64(i)), append(lens, int64(n))
			i += n
			continue
		}
		_, w := utf8.DecodeRune(data[i:])
		i += w
	}
	return
}

// TestRegexAgainstGrepP: on real binaries, for expressions that mean the
// same to Go's RE2 and to PCRE in the C locale (ASCII classes, no
// newline), `mmhex search --regex` prints exactly the offsets
// `grep -obUaP` prints.
func TestRegexAgainstGrepP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	testenv.RequireTool(t, "grep")
	pats := []string{`GLIBC_[0-9.]+`, `[A-Za-z_]{8,}`, `[0-9]{3,}`, `lib[a-z]+\.so(\.[0-9]+)*`, `(?i)usage|error`, `\x7fELF`, `ZZZZqq[0-9]`, `[a-z]+_[a-z]+`}
	for _, file := range realFiles(t) {
		for _, pat := range pats {
			want := grepPOffsets(t, file, pat)
			got, code := mmhexOffsets(t, "search", "--regex", file, pat)
			if !slices.Equal(got, want) {
				t.Fatalf("%s %q: mmhex %d offsets, grep -P %d; first difference at %d", file, pat, len(got), len(want), firstDiff(got, want))
			}
			if wantCode := map[bool]int{true: 0, false: 1}[len(want) > 0]; code != wantCode {
				t.Fatalf("%s %q: exit %d, want %d", file, pat, code, wantCode)
			}
		}
	}
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestRegexWindowBorders: with windows of 8×MaxLen, matches across every
// window border, greedy matches longer than MaxLen (cut to the longest
// that fits), and multi-byte characters at borders give exactly what the
// rule gives on the whole data at once, for several MaxLen and window
// sizes.
func TestRegexWindowBorders(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 24<<10)
	alpha := []byte("ab.\n\xc3\xa9\xff")
	for i := range data {
		data[i] = alpha[rng.IntN(len(alpha))]
	}
	for i := 0; i < 8; i++ { // long runs: greedy matches over MaxLen
		at := rng.IntN(len(data) - 1200)
		copy(data[at:], bytes.Repeat([]byte("a"), 100+rng.IntN(1100)))
	}
	p := filepath.Join(t.TempDir(), "w.bin")
	os.WriteFile(p, data, 0o644)
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, pat := range []string{`a+`, `ab+a`, `[ab]{3}`, `(?s)a.b`, `é+`, `\x{fffd}a`, `(a|ab)(c|bcd)?`, `b*`, `a{200,}`} {
		for _, ml := range []int{1, 64, 1000} {
			re, err := ParseRegex(pat, ml)
			if errors.Is(err, ErrTooLong) { // checked in TestRegexRefusals
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			wantO, wantL := regexReference(re, data)
			for _, chunk := range []int64{4096, 16 << 10} {
				re.chunk = chunk
				gotO, gotL := regexOffsets(t, f, re, 0, f.Size())
				if !slices.Equal(gotO, wantO) || !slices.Equal(gotL, wantL) {
					k := firstDiff(gotO, wantO)
					t.Errorf("%q max-len %d window %d: %d matches, reference %d; first difference #%d (got %v, want %v)",
						pat, ml, max(chunk, 8*int64(ml)), len(gotO), len(wantO), k, at(gotO, gotL, k), at(wantO, wantL, k))
				}
			}
		}
	}
}

func at(o, l []int64, k int) []int64 {
	if k < len(o) {
		return []int64{o[k], l[k]}
	}
	return nil
}

// TestRegexHolesAndStream: a sparse file with data at both ends and in
// the middle gives the matches of the data (holes skipped: the pattern
// cannot match zeros), the same read from a pipe through the CLI; an
// expression that matches zeros finds them in the hole.
func TestRegexHolesAndStream(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const size = 200 << 20
	p := filepath.Join(t.TempDir(), "s.bin")
	fh, _ := os.Create(p)
	fh.Truncate(size)
	for _, o := range []int64{0, 64<<20 - 3, 100 << 20, size - 9} {
		fh.WriteAt([]byte("key=val;"), o)
	}
	fh.Close()
	want := []int64{0, 64<<20 - 3, 100 << 20, size - 9}
	got, code := mmhexOffsets(t, "search", "--regex", p, `[a-z]+=[a-z]+;`)
	if !slices.Equal(got, want) || code != 0 {
		t.Fatalf("file: %v (exit %d), want %v", got, code, want)
	}
	// a pipe: the input's end is known only when it comes
	small := filepath.Join(t.TempDir(), "small.bin")
	sh, _ := os.Create(small)
	sh.Truncate(1 << 20)
	for _, o := range []int64{0, 512<<10 - 3, 1<<20 - 9} {
		sh.WriteAt([]byte("key=val;"), o)
	}
	sh.Close()
	cmd := exec.Command(mmhexBinary(t), "search", "--regex", "-", `[a-z]+=[a-z]+;`)
	in, _ := os.Open(small)
	defer in.Close()
	cmd.Stdin = in
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "0\n524285\n1048567\n" {
		t.Fatalf("stdin: %q", out)
	}
	f, _ := mapping.Open(p, mapping.Options{ReadOnly: true})
	defer f.Close()
	re3, err := ParseRegex(`\x00{100}`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !re3.MatchesZeros() {
		t.Fatal(`\x00{100} does not match zeros`)
	}
	n, err := RegexCount(context.Background(), f, re3, 1<<20, 1<<20+64<<10, 0)
	if err != nil || n != (64<<10)/100 {
		t.Fatalf("zeros in a hole: %d matches, %v; want %d", n, err, (64<<10)/100)
	}
}

// TestRegexRefusals: anchors, a bad expression and a bad --max-len are
// refused with the reason (exit 2); a match longer than --max-len is not
// reported (exit 1).
func TestRegexRefusals(t *testing.T) {
	for _, c := range []struct {
		pat string
		err error
	}{{`^abc`, ErrAnchor}, {`abc$`, ErrAnchor}, {`\bword`, ErrAnchor}, {`(?m)^x`, ErrAnchor}} {
		if _, err := ParseRegex(c.pat, 0); !errors.Is(err, c.err) {
			t.Errorf("%q: %v, want %v", c.pat, err, c.err)
		}
	}
	if _, err := ParseRegex(`a(b`, 0); err == nil || err.Error() != "error parsing regexp: missing closing ): `a(b`" {
		t.Errorf("a(b: %v", err)
	}
	if _, err := ParseRegex(`(a)\1`, 0); err == nil || err.Error() != "error parsing regexp: invalid escape sequence: `\\1`" {
		t.Errorf("backreference: %v", err)
	}
	p := filepath.Join(t.TempDir(), "r.bin")
	os.WriteFile(p, []byte("aaaaaaa"), 0o644)
	f, _ := mapping.Open(p, mapping.Options{ReadOnly: true})
	defer f.Close()
	re, _ := ParseRegex(`a+`, 3)
	o, l := regexOffsets(t, f, re, 0, f.Size())
	if !slices.Equal(o, []int64{0, 3, 6}) || !slices.Equal(l, []int64{3, 3, 1}) {
		t.Fatalf("a+ max-len 3 in aaaaaaa: %v %v", o, l)
	}
	if _, err := ParseRegex(`xa{5}|b{4}c`, 4); !errors.Is(err, ErrTooLong) || err.Error() != "the expression cannot match within --max-len: the shortest match is at least 5 bytes, more than --max-len 4" {
		t.Fatalf("xa{5}|b{4}c with max-len 4: %v", err)
	}
	re, _ = ParseRegex(`(?s)a.{3,}`, 4) // "a" and 3 characters: 4 bytes fit, longer ones are cut
	if o, l := regexOffsets(t, f, re, 0, f.Size()); !slices.Equal(o, []int64{0}) || !slices.Equal(l, []int64{4}) {
		t.Fatalf("a.{3,} with max-len 4 in aaaaaaa: %v %v, want [0] [4]", o, l)
	}
	if testing.Short() {
		return
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"search", "--regex", p, "^a"}, 2},
		{[]string{"search", "--regex", "--max-len", "0", p, "a"}, 2},
		{[]string{"search", "--regex", "--hex", p, "61"}, 2},
		{[]string{"search", "--max-len", "10", p, "a"}, 2},
		{[]string{"search", "--regex", "--max-len", "4", p, "a{5}"}, 2},
		{[]string{"search", "--regex", p, "b"}, 1},
	} {
		if _, code := mmhexOffsets(t, c.args...); code != c.code {
			t.Errorf("%q: exit %d, want %d", c.args, code, c.code)
		}
	}
}
