package numparse

import (
	"errors"
	"testing"
)

// TestSize: a leading zero is decimal (010 is 10, not octal 8), 0x is hex,
// suffixes are powers of 1024; errors wrap ErrBadNumber, and ErrTooLarge
// when the number does not fit.
func TestSize(t *testing.T) {
	for in, want := range map[string]int64{"010": 10, "0010k": 10 << 10, "0x10": 16, "4KiB": 4096, " 7 ": 7, "1T": 1 << 40} {
		if got, err := Size(in); err != nil || got != want {
			t.Errorf("Size(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"":                     "bad number: empty",
		"-1":                   `bad number: "-1" (use decimal, 0x hex, k/M/G suffixes)`,
		"0x":                   `bad number: "0x"`,
		"99999999999999999999": `bad number: "99999999999999999999" is too large`,
		"9999999999T":          `bad number: "9999999999T" is too large`,
	} {
		_, err := Size(in)
		if err == nil || err.Error() != want || !errors.Is(err, ErrBadNumber) {
			t.Errorf("Size(%q): %v, want %s", in, err, want)
		}
		if errors.Is(err, ErrTooLarge) != (in == "99999999999999999999" || in == "9999999999T") {
			t.Errorf("Size(%q): ErrTooLarge %v", in, errors.Is(err, ErrTooLarge))
		}
	}
}
