package display

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSanitizeControls: every C0 control byte, DEL, every C1 control and
// every byte of invalid UTF-8 becomes exactly one '.', wherever it is in
// the text; printable text around it is kept.
func TestSanitizeControls(t *testing.T) {
	check := func(in, want string) {
		t.Helper()
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	for b := 0; b < 0x20; b++ {
		check("a"+string(rune(b))+"b", "a.b")
	}
	check("a\x7fb", "a.b")
	for r := rune(0x80); r <= 0x9f; r++ { // C1 controls, as UTF-8 (2 bytes each)
		check("a"+string(r)+"b", "a.b")
	}
	for b := 0x80; b <= 0xff; b++ { // a lone high byte is never valid UTF-8
		check("a"+string([]byte{byte(b)})+"b", "a.b")
	}
	for _, c := range []struct{ in, want string }{
		{"\xc3", "."},                // truncated 2-byte sequence
		{"\xe6\x97", ".."},           // truncated 3-byte sequence
		{"\xc0\xaf", ".."},           // overlong '/'
		{"\xed\xa0\x80", "..."},      // UTF-16 surrogate
		{"\xf4\x90\x80\x80", "...."}, // past U+10FFFF
		{"\ufffd", "."},              // what invalid bytes decode to
		{"\x1b[2J\x1b]0;pwn\a", ".[2J.]0;pwn."},
		{"\u009b31m", ".31m"},         // the C1 CSI
		{"bidi \u202e x", "bidi . x"}, // right-to-left override
		{"zw\u200bsp nb\u00a0sp", "zw.sp nb.sp"},
		{"plain: é 日本 ~!", "plain: é 日本 ~!"},
		{"", ""},
	} {
		check(c.in, c.want)
	}
}

// TestSanitizeOutputSafe: whatever the input, the output is valid UTF-8
// with no control character, and has one rune per input rune.
func TestSanitizeOutputSafe(t *testing.T) {
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
	}
	s := Sanitize(string(all) + "\u2028\u0085\ufeff")
	if !utf8.ValidString(s) {
		t.Fatalf("not valid UTF-8: %q", s)
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			t.Fatalf("control %U left in %q", r, s)
		}
	}
	if want := strings.Repeat(".", 32) + " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~" +
		strings.Repeat(".", 129+3); s != want {
		t.Fatalf("Sanitize(0x00..0xff) = %q\nwant %q", s, want)
	}
}

// TestByte: the text column's rule for one byte is Sanitize's rule for the
// one-byte string.
func TestByte(t *testing.T) {
	for b := 0; b < 256; b++ {
		want := Sanitize(string([]byte{byte(b)}))
		if got := string(Byte(byte(b))); got != want {
			t.Errorf("Byte(%#x) = %q, Sanitize gives %q", b, got, want)
		}
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"plain.bin":        "plain.bin",
		"/tmp/ü ok":        "/tmp/ü ok",
		"evil\x1b[31m.bin": "evil.[31m.bin",
		"nl\nname":         "nl.name",
		"bad\xffutf8":      "bad.utf8",
		"":                 `""`,
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := Quote("a\x1b[2Jb\u202e"); got != `"a.[2Jb."` {
		t.Errorf("Quote = %s", got)
	}
}

func TestLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain: é 日本", "plain: é 日本"},
		{"flag -\x1b]0;pwn\a", "flag -.]0;pwn."},
		{"two\nlines\r", "two lines "},
		{"bidi \u202e and tab\t", "bidi . and tab."},
		{"bad \xff utf8", "bad . utf8"},
	} {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1.00 KiB"}, {1536, "1.50 KiB"}, {8 << 30, "8.00 GiB"},
		{1 << 40, "1.00 TiB"}, {1 << 62, "4.00 EiB"}, {1<<63 - 1, "8.00 EiB"}} {
		if got := HumanBytes(c.n); got != c.want {
			t.Errorf("HumanBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestImportsOnlyStdlib: display imports nothing but the standard library,
// which is what lets mapping, keymap, view and main all import it
// (docs/architecture.md) without keymap depending on mapping.
func TestImportsOnlyStdlib(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if strings.Contains(strings.Split(path, "/")[0], ".") || strings.HasPrefix(path, "mmhex") {
				t.Errorf("%s imports %s: display may import only the standard library", name, path)
			}
		}
	}
}
