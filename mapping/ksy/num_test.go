package ksy

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendUint: the flat path's number writer writes what strconv
// does, at every number of digits and for random values.
func TestAppendUint(t *testing.T) {
	vals := []uint64{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, math.MaxUint64, 1 << 63, 10000000000000000000, 9999999999999999999}
	for p := uint64(1); p < 1e19; p *= 10 {
		vals = append(vals, p-1, p, p+1)
	}
	for range 100000 {
		vals = append(vals, rand.Uint64()>>uint(rand.IntN(64)))
	}
	for _, v := range vals {
		if g, w := string(appendUint([]byte("x"), v)), "x"+strconv.FormatUint(v, 10); g != w {
			t.Fatalf("%d: %s want %s", v, g, w)
		}
		if g, w := string(appendInt(nil, int64(v))), strconv.FormatInt(int64(v), 10); g != w {
			t.Fatalf("%d: %s want %s", int64(v), g, w)
		}
	}
}
