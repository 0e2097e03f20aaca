package hexfmt

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CopyFormat is a way to write bytes as text for a program or a person
// (`mmhex cat --as`, the editor's copy-as).
type CopyFormat string

// The copy-as formats. The one-line formats (hex, hex-spaces, python,
// base64, escaped) end without a newline, as `base64 -w 0` does; the
// others end with one.
const (
	AsHex       CopyFormat = "hex"        // 0a1bff
	AsHexSpaces CopyFormat = "hex-spaces" // 0a 1b ff
	AsC         CopyFormat = "c"          // `xxd -i FILE`: unsigned char NAME[] = {…}; unsigned int NAME_len = N;
	AsGo        CopyFormat = "go"         // []byte{…}
	AsPython    CopyFormat = "python"     // b"\x0a\x1b\xff"
	AsRust      CopyFormat = "rust"       // let data: [u8; N] = […];
	AsBase64    CopyFormat = "base64"     // `base64 -w 0`
	AsEscaped   CopyFormat = "escaped"    // printable ASCII as is, \n \t \r \\ \" and \xNN
	AsXxdI      CopyFormat = "xxd-i"      // `xxd -i` of standard input: the 0x.. list, 12 a line
)

// CopyFormats is every format, in the order menus list them, with a
// description.
var CopyFormats = []struct {
	Format CopyFormat
	Desc   string
}{
	{AsHex, "hex string (0a1bff)"},
	{AsHexSpaces, "hex with spaces (0a 1b ff)"},
	{AsC, "C array, as xxd -i FILE"},
	{AsGo, "Go []byte{...}"},
	{AsPython, `Python bytes b"\x.."`},
	{AsRust, "Rust [u8; N] array"},
	{AsBase64, "base64, as base64 -w 0"},
	{AsEscaped, `escaped string (\n, \t, \xNN)`},
	{AsXxdI, "the 0x.. list of xxd -i"},
}

// ParseCopyFormat reads a format name.
func ParseCopyFormat(s string) (CopyFormat, error) {
	var names []string
	for _, f := range CopyFormats {
		if string(f.Format) == s {
			return f.Format, nil
		}
		names = append(names, string(f.Format))
	}
	return "", fmt.Errorf("unknown format %q (%s)", s, strings.Join(names, ", "))
}

// CName is the variable name `xxd -i NAME` declares: every byte that is
// not an ASCII letter or digit becomes '_', and "__" goes before a name
// that starts with a digit.
func CName(name string) string {
	b := make([]byte, 0, len(name)+2)
	if name != "" && name[0] >= '0' && name[0] <= '9' {
		b = append(b, "__"...)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b = append(b, c)
		} else {
			b = append(b, '_')
		}
	}
	return string(b)
}

// CopyWriter writes the bytes written to it in a CopyFormat; Close writes
// the end (the closing bracket, C's length line, base64's padding).
type CopyWriter struct {
	w      io.Writer
	f      CopyFormat
	name   string // C: the variable; Rust: its length is only known at the end
	n      int64  // bytes written so far
	buf    []byte
	b64    io.WriteCloser
	err    error
	rustN  int64
	closed bool
}

// NewCopyWriter returns a CopyWriter. name is the C variable's source (a
// file name, as xxd -i FILE takes it: CName); size is the number of bytes
// that will be written (Rust's array type says it first).
func NewCopyWriter(w io.Writer, f CopyFormat, name string, size int64) *CopyWriter {
	c := &CopyWriter{w: w, f: f, name: CName(name), rustN: size}
	switch f {
	case AsC:
		c.put("unsigned char " + c.name + "[] = {\n")
	case AsGo:
		if size > 0 {
			c.put("[]byte{\n")
		} else {
			c.put("[]byte{")
		}
	case AsPython:
		c.put(`b"`)
	case AsRust:
		c.put("let data: [u8; " + strconv.FormatInt(size, 10) + "] = [")
		if size > 0 {
			c.put("\n")
		}
	case AsBase64:
		c.b64 = base64.NewEncoder(base64.StdEncoding, writerFunc(func(p []byte) (int, error) {
			c.buf = append(c.buf, p...)
			return len(p), nil
		}))
	}
	return c
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (c *CopyWriter) put(s string) { c.buf = append(c.buf, s...) }

// Write formats p.
func (c *CopyWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), 32<<10)
		c.format(p[:k])
		p = p[k:]
		if err := c.flush(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (c *CopyWriter) format(p []byte) {
	switch c.f {
	case AsHex:
		for _, b := range p {
			c.buf = append(c.buf, hexDigits[b>>4], hexDigits[b&15])
		}
	case AsHexSpaces:
		for _, b := range p {
			if c.n > 0 {
				c.buf = append(c.buf, ' ')
			}
			c.buf = append(c.buf, hexDigits[b>>4], hexDigits[b&15])
			c.n++
		}
		return
	case AsC, AsXxdI:
		// xxd -i: "  0x61, 0x62, ..." 12 a line, ",\n  " between lines
		for _, b := range p {
			switch {
			case c.n == 0:
				c.put("  ")
			case c.n%12 == 0:
				c.put(",\n  ")
			default:
				c.put(", ")
			}
			c.buf = append(c.buf, '0', 'x', hexDigits[b>>4], hexDigits[b&15])
			c.n++
		}
		return
	case AsGo, AsRust:
		indent := "\t"
		if c.f == AsRust {
			indent = "    "
		}
		for _, b := range p {
			switch {
			case c.n == 0:
				c.put(indent)
			case c.n%12 == 0:
				c.put(",\n" + indent)
			default:
				c.put(", ")
			}
			c.buf = append(c.buf, '0', 'x', hexDigits[b>>4], hexDigits[b&15])
			c.n++
		}
		return
	case AsPython:
		for _, b := range p {
			c.buf = append(c.buf, '\\', 'x', hexDigits[b>>4], hexDigits[b&15])
		}
	case AsEscaped:
		for _, b := range p {
			switch {
			case b == '\n':
				c.put(`\n`)
			case b == '\t':
				c.put(`\t`)
			case b == '\r':
				c.put(`\r`)
			case b == '\\':
				c.put(`\\`)
			case b == '"':
				c.put(`\"`)
			case b >= 0x20 && b < 0x7f:
				c.buf = append(c.buf, b)
			default:
				c.buf = append(c.buf, '\\', 'x', hexDigits[b>>4], hexDigits[b&15])
			}
		}
	case AsBase64:
		c.b64.Write(p)
	}
	c.n += int64(len(p))
}

func (c *CopyWriter) flush() error {
	if len(c.buf) == 0 || c.err != nil {
		return c.err
	}
	_, c.err = c.w.Write(c.buf)
	c.buf = c.buf[:0]
	return c.err
}

// Close writes the end of the text.
func (c *CopyWriter) Close() error {
	if c.closed {
		return c.err
	}
	c.closed = true
	switch c.f {
	case AsC:
		if c.n > 0 {
			c.put("\n")
		}
		c.put("};\nunsigned int " + c.name + "_len = " + strconv.FormatInt(c.n, 10) + ";\n")
	case AsXxdI:
		if c.n > 0 {
			c.put("\n")
		}
	case AsGo:
		if c.n > 0 {
			c.put(",\n")
		}
		c.put("}\n")
	case AsRust:
		if c.n > 0 {
			c.put(",\n")
		}
		c.put("];\n")
	case AsPython:
		c.put(`"`)
	case AsBase64:
		c.b64.Close()
	}
	return c.flush()
}

// Len is the number of bytes written (formatted) so far.
func (c *CopyWriter) Len() int64 { return c.n }

// CopyAs is the text of p in format f (name: see NewCopyWriter).
func CopyAs(p []byte, f CopyFormat, name string) []byte {
	var sb strings.Builder
	c := NewCopyWriter(&sb, f, name, int64(len(p)))
	c.Write(p)
	c.Close()
	return []byte(sb.String())
}
