package hexfmt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

// copyLengths: the edge lengths (0, 1, a line of 12 and one more...) and
// a longer one.
var copyLengths = []int{0, 1, 2, 11, 12, 13, 23, 24, 25, 100, 4099}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// xxd -i of standard input, xxd -i FILE (run in the file's folder, with
// its bare name and with a path) and base64 -w 0: byte for byte.
func TestCopyAsMatchesTools(t *testing.T) {
	xxd := testenv.RequireTool(t, "xxd")
	b64 := testenv.RequireTool(t, "base64")
	dir := t.TempDir()
	for _, n := range copyLengths {
		data := randomBytes(n, uint64(n))
		name := fmt.Sprintf("%dbytes-of.data", n) // starts with a digit: xxd puts "__" first
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(xxd, "-i")
		cmd.Stdin = bytes.NewReader(data)
		want, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		testenv.MustEqual(t, fmt.Sprintf("%d bytes as xxd-i", n), CopyAs(data, AsXxdI, ""), want)
		cmd = exec.Command(xxd, "-i", name)
		cmd.Dir = dir
		if want, err = cmd.Output(); err != nil {
			t.Fatal(err)
		}
		testenv.MustEqual(t, fmt.Sprintf("%d bytes as c", n), CopyAs(data, AsC, name), want)
		if want, err = exec.Command(xxd, "-i", path).Output(); err != nil {
			t.Fatal(err)
		}
		testenv.MustEqual(t, fmt.Sprintf("%d bytes as c (%s)", n, path), CopyAs(data, AsC, path), want)
		if want, err = exec.Command(b64, "-w", "0", path).Output(); err != nil {
			t.Fatal(err)
		}
		testenv.MustEqual(t, fmt.Sprintf("%d bytes as base64", n), CopyAs(data, AsBase64, ""), want)
	}
}

// Every format reads back as the same bytes: Go through go/parser, Python
// and the escaped string through strconv.Unquote (the same \xNN escapes),
// Rust, C and the hex forms by their numbers; written in pieces of any
// size the text is the same.
func TestCopyAsRoundTrip(t *testing.T) {
	hexNum := regexp.MustCompile(`0x[0-9a-f]{2}`)
	for _, n := range copyLengths {
		data := randomBytes(n, uint64(n)+7)
		data = append(data, "\n\t\r\\\"'ok"...)
		for _, f := range CopyFormats {
			text := CopyAs(data, f.Format, "x")
			var sb strings.Builder
			w := NewCopyWriter(&sb, f.Format, "x", int64(len(data)))
			for i := 0; i < len(data); i += 5 {
				w.Write(data[i:min(len(data), i+5)])
			}
			w.Close()
			testenv.MustEqual(t, fmt.Sprintf("%s in pieces", f.Format), []byte(sb.String()), text)
			var got []byte
			var err error
			s := string(text)
			switch f.Format {
			case AsHex:
				got, err = hex.DecodeString(s)
			case AsHexSpaces:
				got, err = hex.DecodeString(strings.ReplaceAll(s, " ", ""))
				if len(data) > 0 && len(s) != 3*len(data)-1 {
					t.Errorf("hex-spaces: %d characters for %d bytes", len(s), len(data))
				}
			case AsBase64:
				got, err = base64.StdEncoding.DecodeString(s)
			case AsPython:
				if !strings.HasPrefix(s, "b\"") {
					t.Fatalf("python: %q", s)
				}
				var u string
				u, err = strconv.Unquote(s[1:])
				got = []byte(u)
			case AsEscaped:
				var u string
				u, err = strconv.Unquote(`"` + s + `"`)
				got = []byte(u)
			case AsGo:
				got, err = goBytes(s)
			case AsRust:
				if want := fmt.Sprintf("let data: [u8; %d] = [", len(data)); !strings.HasPrefix(s, want) || !strings.HasSuffix(s, "];\n") {
					t.Errorf("rust: %q", s)
				}
				fallthrough
			default: // c, xxd-i
				for _, h := range hexNum.FindAllString(s, -1) {
					v, _ := strconv.ParseUint(h[2:], 16, 8)
					got = append(got, byte(v))
				}
			}
			if err != nil {
				t.Fatalf("%s of %d bytes: %v\n%s", f.Format, len(data), err, text)
			}
			testenv.MustEqual(t, fmt.Sprintf("%s of %d bytes read back", f.Format, len(data)), got, data)
			if f.Format == AsEscaped || f.Format == AsHex || f.Format == AsPython {
				for _, c := range text {
					if c < 0x20 || c >= 0x7f {
						t.Fatalf("%s: byte %#x in the text", f.Format, c)
					}
				}
			}
		}
	}
}

// goBytes evaluates a []byte{...} literal.
func goBytes(s string) ([]byte, error) {
	e, err := parser.ParseExpr(s)
	if err != nil {
		return nil, err
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil, fmt.Errorf("not a composite literal: %T", e)
	}
	out := []byte{}
	for _, el := range lit.Elts {
		b, ok := el.(*ast.BasicLit)
		if !ok || b.Kind != token.INT {
			return nil, fmt.Errorf("element %T", el)
		}
		v, err := strconv.ParseUint(b.Value, 0, 8)
		if err != nil {
			return nil, err
		}
		out = append(out, byte(v))
	}
	return out, nil
}

func TestCNameAndParse(t *testing.T) {
	for in, want := range map[string]string{"a.bin": "a_bin", "9x": "__9x", "dir/é-1": "dir____1", "": ""} {
		if got := CName(in); got != want {
			t.Errorf("CName(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := ParseCopyFormat("java"); err == nil || err.Error() != `unknown format "java" (hex, hex-spaces, c, go, python, rust, base64, escaped, xxd-i)` {
		t.Errorf("java: %v", err)
	}
}
