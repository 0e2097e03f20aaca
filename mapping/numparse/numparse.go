// Package numparse is the one rule for reading sizes and offsets, shared
// by the command line, the editor's prompts (through mapping.ParseSize) and
// the configuration file (keymap, which does not import mapping).
package numparse

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

var (
	// ErrBadNumber is wrapped by every error of Size (mapping.ErrBadNumber
	// is the same error).
	ErrBadNumber = errors.New("bad number")
	// ErrTooLarge is wrapped too when the number does not fit in an int64.
	ErrTooLarge = errors.New("is too large")
)

// Size parses an offset or length: decimal ("123"), hexadecimal with
// 0x ("0x1f"), optionally followed by a binary suffix k, M, G or T (any
// case, optionally with "iB" or "B": "4k", "4KiB", "1G", "0x10k").
func Size(s string) (int64, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrBadNumber)
	}
	mult := int64(1)
	low := strings.ToLower(s)
	for _, suf := range []string{"ib", "b"} {
		if len(low) > len(suf)+1 && strings.HasSuffix(low, suf) {
			c := low[len(low)-len(suf)-1]
			if c == 'k' || c == 'm' || c == 'g' || c == 't' {
				low = low[:len(low)-len(suf)]
			}
			break
		}
	}
	if n := len(low); n > 1 {
		switch low[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult != 1 {
			low = low[:n-1]
		}
	}
	var v uint64
	var err error
	if strings.HasPrefix(low, "0x") {
		if len(low) == 2 {
			return 0, fmt.Errorf("%w: %q", ErrBadNumber, orig)
		}
		v, err = strconv.ParseUint(low[2:], 16, 63)
	} else {
		v, err = strconv.ParseUint(low, 10, 63)
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%w: %q %w", ErrBadNumber, orig, ErrTooLarge)
		}
		return 0, fmt.Errorf("%w: %q (use decimal, 0x hex, k/M/G suffixes)", ErrBadNumber, orig)
	}
	if v > uint64(math.MaxInt64/mult) {
		return 0, fmt.Errorf("%w: %q %w", ErrBadNumber, orig, ErrTooLarge)
	}
	return int64(v) * mult, nil
}
