package view

import (
	"fmt"
	"math/big"
	"strings"

	"mmhex/mapping"
)

// maxGotoExpr bounds a goto expression: 100 characters hold any offset
// (0x plus 16 hex digits) and a percentage with 90 decimals.
const maxGotoExpr = 100

// parseGoto evaluates a goto expression against the cursor position and the
// file size and returns the target offset, or an error meant for the prompt.
//
//	123, 0x7b, 4k, 1M, 2G   absolute (mapping.ParseSize)
//	+N, -N                  relative to the cursor
//	N%                      that share of the file (decimals allowed: 12.5%)
//	end                     the last byte ("start" is 0; "$" is end)
//	end-N, $-N              N bytes before the last byte (end-0x10)
func parseGoto(expr string, cursor, size int64) (int64, error) {
	s := strings.TrimSpace(expr)
	if s == "" {
		return 0, fmt.Errorf("empty offset")
	}
	if len(s) > maxGotoExpr { // a million-digit percentage took big.Rat 1.6 s
		return 0, fmt.Errorf("offset expression too long: %d characters (at most %d)", len(s), maxGotoExpr)
	}
	if size <= 0 {
		return 0, fmt.Errorf("the file is empty")
	}
	last := size - 1
	switch strings.ToLower(s) {
	case "end", "$":
		return last, nil
	case "start", "begin":
		return 0, nil
	}
	for _, base := range []string{"end", "$"} {
		if rest, ok := strings.CutPrefix(strings.ToLower(s), base); ok {
			rest = strings.TrimSpace(rest)
			num, ok := strings.CutPrefix(rest, "-")
			if !ok {
				return 0, fmt.Errorf("bad offset %q: after %s comes -N (%s-16, %s-0x10)", s, base, base, base)
			}
			n, err := mapping.ParseSize(strings.TrimSpace(num))
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad offset %q: %v", s, err)
			}
			if n > last {
				return 0, fmt.Errorf("%s goes before the start of the file (last offset 0x%x)", s, last)
			}
			return last - n, nil
		}
	}
	if strings.HasSuffix(s, "%") {
		num := strings.TrimSpace(strings.TrimSuffix(s, "%"))
		r, ok := new(big.Rat).SetString(num)
		if !ok || num == "" || strings.ContainsAny(num, "/eE") {
			return 0, fmt.Errorf("bad percentage %q", s)
		}
		if r.Sign() < 0 || r.Cmp(big.NewRat(100, 1)) > 0 {
			return 0, fmt.Errorf("percentage %s is not between 0 and 100", s)
		}
		off := new(big.Rat).Mul(r, big.NewRat(size, 100))
		v := new(big.Int).Quo(off.Num(), off.Denom()).Int64()
		if v > last {
			v = last
		}
		return v, nil
	}
	rel := 0
	switch s[0] {
	case '+':
		rel = 1
	case '-':
		rel = -1
	}
	num := s
	if rel != 0 {
		num = strings.TrimSpace(s[1:])
	}
	n, err := mapping.ParseSize(num)
	if err != nil {
		return 0, fmt.Errorf("bad offset %q: %v", s, err)
	}
	if n < 0 {
		return 0, fmt.Errorf("bad offset %q", s)
	}
	target := n
	switch rel {
	case 1:
		if n > last-cursor {
			return 0, fmt.Errorf("%s goes past the end of the file (last offset 0x%x)", s, last)
		}
		target = cursor + n
	case -1:
		if n > cursor {
			return 0, fmt.Errorf("%s goes before the start of the file", s)
		}
		target = cursor - n
	}
	if target > last {
		return 0, fmt.Errorf("offset 0x%x (%d) is past the end of the file (last offset 0x%x)", target, target, last)
	}
	return target, nil
}
