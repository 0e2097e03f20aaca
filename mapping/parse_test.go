package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"0": 0, "123": 123, "0x10": 16, "0X1f": 31, "4k": 4096, "4K": 4096, "4KiB": 4096, "4kb": 4096,
		"1M": 1 << 20, "2m": 2 << 20, "1G": 1 << 30, "8G": 8 << 30, "1T": 1 << 40, "0x10k": 16 << 10, " 7 ": 7,
		"9223372036854775807": 1<<63 - 1,
	}
	for in, want := range good {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "x", "0x", "12q", "1.5k", "k", "9223372036854775808", "8388608T", "0xg", "1 2"} {
		if v, err := ParseSize(in); !errors.Is(err, ErrBadNumber) {
			t.Errorf("ParseSize(%q) = %d, %v; want ErrBadNumber", in, v, err)
		}
	}
}

func TestParseHex(t *testing.T) {
	good := map[string][]byte{
		"de ad BEEF": {0xde, 0xad, 0xbe, 0xef}, "41": {0x41}, "0x4142": {0x41, 0x42},
		"de:ad": {0xde, 0xad}, "00,ff": {0, 0xff}, "\tab\n": {0xab},
	}
	for in, want := range good {
		got, err := ParseHex(in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseHex(%q) = % x, %v; want % x", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":     `bad hex bytes: no bytes given`,
		"abc":  `bad hex bytes: "abc" has an odd number of hex digits`,
		"zz":   `bad hex bytes: "zz" is not hex`,
		"0x":   `bad hex bytes: "0x" has an odd number of hex digits`,
		"de a": `bad hex bytes: "a" has an odd number of hex digits`,
	}
	for in, want := range bad {
		_, err := ParseHex(in)
		if err == nil || err.Error() != want || !errors.Is(err, ErrBadHex) {
			t.Errorf("ParseHex(%q) error = %v; want %q", in, err, want)
		}
	}
}

func TestPageSet(t *testing.T) {
	var s pageSet
	s.add(10, 12)
	s.add(5, 6)
	s.add(12, 13) // adjacent: merges
	s.add(20, 30)
	s.add(7, 21) // bridges two ranges
	if r := s.ranges(); len(r) != 2 || r[0] != (prange{5, 6}) || r[1] != (prange{7, 30}) || s.n != 24 {
		t.Fatalf("ranges %v n %d", r, s.n)
	}
	for p, want := range map[int64]bool{4: false, 5: true, 6: false, 7: true, 29: true, 30: false} {
		if s.has(p) != want {
			t.Errorf("has(%d) = %v", p, !want)
		}
	}
	if !s.overlaps(0, 6) || s.overlaps(6, 7) || !s.overlaps(29, 40) {
		t.Error("overlaps")
	}
	s.clip(25)
	if r := s.ranges(); s.n != 19 || r[1].b != 25 {
		t.Fatalf("after clip: %v n %d", r, s.n)
	}
	s.clip(6)
	if s.n != 1 || len(s.ranges()) != 1 {
		t.Fatalf("after clip 6: %v n %d", s.ranges(), s.n)
	}
}

// FuzzParseHex: never panics; bytes formatted with % x parse back.
func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"de ad", "0xBEEF", "a", "", "::", "0x0x", "zz 00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseHex(s)
		if err != nil {
			if len(b) != 0 {
				t.Fatalf("bytes with an error")
			}
			return
		}
		again, err := ParseHex(fmt.Sprintf("% x", b))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip of %q: % x -> % x, %v", s, b, again, err)
		}
	})
}

// FuzzParseSize: never panics; never negative; decimal round trip.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "4k", "0x10", "1G", "-1", "9223372036854775807", "1T", "0xk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSize(s)
		if err != nil {
			if !errors.Is(err, ErrBadNumber) {
				t.Fatalf("error %v does not wrap ErrBadNumber", err)
			}
			return
		}
		if v < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, v)
		}
		if w, err := ParseSize(fmt.Sprint(v)); err != nil || w != v {
			t.Fatalf("round trip of %d: %d, %v", v, w, err)
		}
	})
}
