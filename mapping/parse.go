package mapping

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"mmhex/mapping/numparse"
)

// ParseSize parses an offset or length: decimal ("123"; a leading zero is
// still decimal), hexadecimal with 0x ("0x1f"), optionally followed by a
// binary suffix k, M, G or T (any case, optionally with "iB" or "B": "4k",
// "4KiB", "1G", "0x10k"). It is numparse.Size, the one rule for sizes,
// also used for the configuration file's window (ParseWindow).
func ParseSize(s string) (int64, error) { return numparse.Size(s) }

// ParseWindow reads the configuration file's window setting ("64M",
// "0x1000", "010" = 10): ParseSize, then positive. Its errors are the
// reason alone, for the problem line keymap makes of them (Map.Window:
// `config.toml:3: window: "lots": not a size (a size such as 64M or 1G)`):
// "not a size", "too large", "must be positive".
func ParseWindow(s string) (int64, error) {
	n, err := numparse.Size(s)
	switch {
	case errors.Is(err, numparse.ErrTooLarge):
		return 0, errors.New("too large")
	case err != nil:
		return 0, errors.New("not a size")
	case n <= 0:
		return 0, errors.New("must be positive")
	}
	return n, nil
}

// ParseHex parses hex bytes: "de ad BEEF", "0xdead", "de:ad", "de,ad".
// Whitespace, ':' , ',' and '-' separate groups; each group may carry a 0x
// prefix and must have an even number of digits.
func ParseHex(s string) ([]byte, error) {
	groups := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == ':' || r == ',' || r == '-'
	})
	var out []byte
	for _, g := range groups {
		d := g
		if len(d) >= 2 && (d[:2] == "0x" || d[:2] == "0X") {
			d = d[2:]
		}
		if d == "" || len(d)%2 != 0 {
			return nil, fmt.Errorf("%w: %q has an odd number of hex digits", ErrBadHex, g)
		}
		for i := 0; i < len(d); i += 2 {
			hi, ok1 := unhex(d[i])
			lo, ok2 := unhex(d[i+1])
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%w: %q is not hex", ErrBadHex, g)
			}
			out = append(out, hi<<4|lo)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no bytes given", ErrBadHex)
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
