package wal

import (
	"hash/crc32"
	"testing"
)

// crcZeros equals crc32.Update over the zeros themselves, for lengths
// around the table's sizes and powers of two, from several registers.
func TestCRCZeros(t *testing.T) {
	big := make([]byte, 3<<20+5)
	for _, start := range []uint32{0, 1, 0xffffffff, 0x12345678, crc32.Checksum([]byte("mmhex"), castagnoli())} {
		for _, n := range []int64{0, 1, 2, 3, 7, 8, 63, 64 << 10, 64<<10 + 1, 1 << 20, 1<<20 + 13, 3<<20 + 5} {
			want := crc32.Update(start, castagnoli(), big[:n])
			if got := crcZeros(start, n); got != want {
				t.Fatalf("crcZeros(%#x, %d) = %#x, want %#x", start, n, got, want)
			}
		}
	}
}
