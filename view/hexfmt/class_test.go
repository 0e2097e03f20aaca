package hexfmt

import (
	"fmt"
	"testing"
)

func TestClassOf(t *testing.T) {
	cases := []struct {
		b    byte
		want Class
	}{
		{0x00, Null}, {0x01, Control}, {0x07, Control}, {'\t', Whitespace}, {'\n', Whitespace},
		{0x0b, Control}, {'\f', Whitespace}, {'\r', Whitespace}, {0x1b, Control}, {0x1f, Control},
		{' ', Whitespace}, {'!', Printable}, {'A', Printable}, {'~', Printable}, {0x7f, Control},
		{0x80, High}, {0x9b, High}, {0xff, High},
	}
	for _, c := range cases {
		if got := ClassOf(c.b); got != c.want {
			t.Errorf("ClassOf(%#02x) = %v, want %v", c.b, got, c.want)
		}
	}
	counts := map[Class]int{}
	for i := 0; i < 256; i++ {
		counts[ClassOf(byte(i))]++
	}
	want := map[Class]int{Null: 1, Printable: 94, Whitespace: 5, Control: 28, High: 128}
	for c, n := range want {
		if counts[c] != n {
			t.Errorf("%v: %d bytes, want %d", c, counts[c], n)
		}
	}
}

func TestTextChar(t *testing.T) {
	for i := 0; i < 256; i++ {
		b := byte(i)
		got := TextChar(b)
		if b >= 0x20 && b <= 0x7e {
			if got != b {
				t.Errorf("TextChar(%#02x) = %q, want itself", b, got)
			}
		} else if got != '.' {
			t.Errorf("TextChar(%#02x) = %q, want '.'", b, got)
		}
	}
}

func TestColoursDistinct(t *testing.T) {
	seen := map[string]Class{}
	for c := Class(0); c < NumClasses; c++ {
		if c.ANSI() > 15 {
			t.Errorf("%v: ANSI %d out of the 16-colour palette", c, c.ANSI())
		}
		if p, ok := seen[c.SGR()]; ok {
			t.Errorf("%v and %v share SGR %q", c, p, c.SGR())
		}
		seen[c.SGR()] = c
	}
}

// The SWAR helpers agree with the tables for every byte in every lane.
func TestSWAR(t *testing.T) {
	for i := 0; i < 256; i++ {
		for lane := 0; lane < 8; lane++ {
			x := uint64(0x4141414141414141) &^ (0xff << (8 * lane)) // 'A's around it
			x |= uint64(i) << (8 * lane)
			got := byte(text8(x) >> (8 * lane))
			if got != TextChar(byte(i)) {
				t.Fatalf("text8 byte %#02x lane %d: %q", i, lane, got)
			}
			if o := text8(x) &^ (0xff << (8 * lane)); o != x&^(0xff<<(8*lane)) {
				t.Fatalf("text8 byte %#02x lane %d changed the other lanes", i, lane)
			}
		}
		for lane := 0; lane < 4; lane++ {
			u := uint32(0x5a5a5a5a)&^(0xff<<(8*lane)) | uint32(i)<<(8*lane)
			h := hex8(u)
			var b [8]byte
			for k := range b {
				b[k] = byte(h >> (8 * k))
			}
			want := fmt.Sprintf("%02x%02x%02x%02x", byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
			if string(b[:]) != want {
				t.Fatalf("hex8(%#08x) = %q, want %q", u, b, want)
			}
		}
	}
}
