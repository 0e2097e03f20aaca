package wal

import "hash/crc32"

// crcZeros returns crc32.Update(crc, castagnoli(), n zero bytes) in
// O(log n): appending a zero byte is a linear map of the CRC's register,
// a 32×32 matrix over GF(2), raised to the n-th power by squaring (as
// zlib's crc32_combine). A record's holes (a truncate or punch of a
// sparse file: gigabytes of zeros never copied) cost nothing to checksum,
// writing the record or reading it back.
func crcZeros(crc uint32, n int64) uint32 {
	if n <= int64(len(zeros)) {
		return crc32.Update(crc, castagnoli(), zeros[:n])
	}
	raw := ^crc
	op := zeroByteOp()
	for n > 0 {
		if n&1 != 0 {
			raw = op.times(raw)
		}
		if n >>= 1; n > 0 {
			op = op.square()
		}
	}
	return ^raw
}

// gf2 is a linear map of 32-bit registers: column i is the image of 1<<i.
type gf2 [32]uint32

func (m *gf2) times(v uint32) uint32 {
	var r uint32
	for i := 0; v != 0; i, v = i+1, v>>1 {
		if v&1 != 0 {
			r ^= m[i]
		}
	}
	return r
}

func (m *gf2) square() gf2 {
	var s gf2
	for i := range s {
		s[i] = m.times(m[i])
	}
	return s
}

// zeroByteOp is the map of one zero byte on the (inverted) register, as
// crc32.Update steps it: r = tab[byte(r)] ^ r>>8.
func zeroByteOp() gf2 {
	tab := castagnoli()
	var m gf2
	for i := range m {
		v := uint32(1) << i
		m[i] = tab[byte(v)] ^ v>>8
	}
	return m
}
