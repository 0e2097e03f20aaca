package shape

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
)

// TestEntropyStream: the stream form gives the blocks the reference gives
// (checkBlocks), with readers that return one byte at a time and blocks
// larger and smaller than its reads, and stops when fn says so.
func TestEntropyStream(t *testing.T) {
	data := mixed(300000+17, 5)
	for _, block := range []int64{1, 7, 4096, 65536, 1 << 21} {
		for _, one := range []bool{false, true} {
			if block == 1 && one {
				continue
			}
			var r io.Reader = bytes.NewReader(data)
			if one {
				r = iotest.OneByteReader(r)
			}
			var got []Block
			n, err := EntropyStream(context.Background(), r, block, func(bs []Block) bool {
				got = append(got, bs...)
				return true
			})
			if err != nil || n != int64(len(data)) {
				t.Fatalf("block %d: %d bytes, %v", block, n, err)
			}
			checkBlocks(t, fmt.Sprintf("stream, one byte a read %v, block %d", one, block), data, block, got)
		}
	}
	calls := 0
	EntropyStream(context.Background(), bytes.NewReader(data), 1, func(bs []Block) bool { calls++; return false })
	if calls != 1 {
		t.Errorf("fn called %d times after returning false", calls)
	}
}
