package hexfmt

import "encoding/binary"

// Bulk row loops for the uncoloured formats: the output of many full rows
// is reserved at once and each row is written at fixed places (constant
// offsets into array pointers, so no bounds checks inside a row).

// offsetWidth is the number of hex digits "%08x" gives for off.
func offsetWidth(off int64) int {
	w := 8
	for v := uint64(off) >> 32; v != 0; v >>= 4 {
		w++
	}
	return w
}

// sameWidthRows is how many of the n rows starting at off (rowBytes apart)
// have an offset of the same width as off's.
func sameWidthRows(off int64, n, rowBytes int) int {
	w := offsetWidth(off)
	if w >= 16 {
		return n
	}
	limit := int64(1) << (4 * w)
	if k := (limit - off + int64(rowBytes) - 1) / int64(rowBytes); k < int64(n) {
		return int(k)
	}
	return n
}

// putOffset writes off as len(b) hex digits.
func putOffset(b []byte, off int64) {
	if len(b) == 8 {
		putOffset8((*[8]byte)(b), uint32(off))
		return
	}
	u := uint64(off)
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = hexDigits[u&15]
		u >>= 4
	}
}

// xxdRows appends the xxd rows of data, whose length is a multiple of 16.
func xxdRows(dst []byte, data []byte, off int64) []byte {
	for len(data) >= 16 {
		n := sameWidthRows(off, len(data)/16, 16)
		dst = xxdRowsW(dst, data[:16*n], off, offsetWidth(off))
		data = data[16*n:]
		off += int64(16 * n)
	}
	return dst
}

func xxdRowsW(dst []byte, data []byte, off int64, w int) []byte {
	if w == 8 && hasXXDAVX && len(data) >= 16 {
		n := len(data) / 16
		dst, p := grow(dst, n*68)
		xxdRowsAVX(&dst[p], &data[0], n, uint32(off))
		return dst
	}
	return xxdRowsGo(dst, data, off, w)
}

// xxdRowsGo is xxdRowsW in Go: any offset width, any CPU.
func xxdRowsGo(dst []byte, data []byte, off int64, w int) []byte {
	// "oooooooo" + ": xxxx xxxx xxxx xxxx xxxx xxxx xxxx xxxx  tttttttttttttttt\n"
	const tl = 60
	n := len(data) / 16
	L := w + tl
	dst, p := grow(dst, n*L)
	out := dst[p:]
	for i := 0; i < n; i++ {
		row := out[i*L : i*L+L]
		putOffset(row[:w], off)
		b := (*[tl]byte)(row[w:])
		r := (*[16]byte)(data[16*i:])
		lo, hi := binary.LittleEndian.Uint64(r[0:8]), binary.LittleEndian.Uint64(r[8:16])
		h0 := uint64(hex2[r[0]]) | uint64(hex2[r[1]])<<16 | uint64(hex2[r[2]])<<32 | uint64(hex2[r[3]])<<48
		h1 := uint64(hex2[r[4]]) | uint64(hex2[r[5]])<<16 | uint64(hex2[r[6]])<<32 | uint64(hex2[r[7]])<<48
		h2 := uint64(hex2[r[8]]) | uint64(hex2[r[9]])<<16 | uint64(hex2[r[10]])<<32 | uint64(hex2[r[11]])<<48
		h3 := uint64(hex2[r[12]]) | uint64(hex2[r[13]])<<16 | uint64(hex2[r[14]])<<32 | uint64(hex2[r[15]])<<48
		// ": " G0 ' ' G1 ' ' ... G7 ' ' ' ' text '\n', as 8-byte words:
		// b[0:8]   ':' ' ' G0 G0 G0 G0 ' ' G1
		// b[8:16]  G1 G1 G1 ' ' G2 G2 G2 G2 ... assembled from the groups
		binary.LittleEndian.PutUint64(b[0:], ':'|' '<<8|(h0&0xffffffff)<<16|' '<<48|(h0>>32&0xff)<<56)
		binary.LittleEndian.PutUint64(b[8:], (h0>>40)|' '<<24|(h1&0xffffffff)<<32)
		binary.LittleEndian.PutUint64(b[16:], ' '|(h1>>32)<<8|' '<<40|(h2&0xffff)<<48)
		binary.LittleEndian.PutUint64(b[24:], (h2>>16&0xffff)|' '<<16|(h2>>32)<<24|' '<<56)
		binary.LittleEndian.PutUint64(b[32:], (h3&0xffffffff)|' '<<32|(h3>>32&0xffffff)<<40)
		tlo := text8(lo)
		binary.LittleEndian.PutUint32(b[40:], uint32(h3>>56)|' '<<8|' '<<16|uint32(tlo&0xff)<<24)
		binary.LittleEndian.PutUint64(b[43:], tlo)
		binary.LittleEndian.PutUint64(b[51:], text8(hi))
		b[59] = '\n'
		off += 16
	}
	return dst
}

// canonicalRows appends the hexdump -C rows of data (a multiple of 16
// bytes), folding repeats into "*" given the row before data (prev, nil if
// none) and whether it was itself a repeat; it returns whether the last row
// was a repeat.
func canonicalRows(dst []byte, data []byte, off int64, prev []byte, dup bool) ([]byte, bool) {
	for len(data) >= 16 {
		n := sameWidthRows(off, len(data)/16, 16)
		dst, dup = canonicalRowsW(dst, data[:16*n], off, offsetWidth(off), prev, dup)
		prev = data[16*n-16 : 16*n]
		data = data[16*n:]
		off += int64(16 * n)
	}
	return dst, dup
}

func canonicalRowsW(dst []byte, data []byte, off int64, w int, prev []byte, dup bool) ([]byte, bool) {
	// "oooooooo" + "  xx xx xx xx xx xx xx xx  xx xx xx xx xx xx xx xx  |tttttttttttttttt|\n"
	const tl = 71
	n := len(data) / 16
	L := w + tl
	dst, p := grow(dst, n*L)
	out := dst[p:]
	q := 0
	var pv *[16]byte
	if prev != nil {
		pv = (*[16]byte)(prev)
	}
	for i := 0; i < n; i++ {
		r := (*[16]byte)(data[16*i:])
		if pv != nil && *r == *pv {
			if !dup {
				out[q], out[q+1] = '*', '\n'
				q += 2
			}
			dup = true
			off += 16
			continue
		}
		dup = false
		pv = r
		row := out[q : q+L]
		putOffset(row[:w], off)
		b := (*[tl]byte)(row[w:])
		b[0], b[1] = ' ', ' '
		binary.LittleEndian.PutUint32(b[2:], hex3[r[0]])
		binary.LittleEndian.PutUint32(b[5:], hex3[r[1]])
		binary.LittleEndian.PutUint32(b[8:], hex3[r[2]])
		binary.LittleEndian.PutUint32(b[11:], hex3[r[3]])
		binary.LittleEndian.PutUint32(b[14:], hex3[r[4]])
		binary.LittleEndian.PutUint32(b[17:], hex3[r[5]])
		binary.LittleEndian.PutUint32(b[20:], hex3[r[6]])
		binary.LittleEndian.PutUint32(b[23:], hex3[r[7]])
		binary.LittleEndian.PutUint32(b[27:], hex3[r[8]])
		binary.LittleEndian.PutUint32(b[30:], hex3[r[9]])
		binary.LittleEndian.PutUint32(b[33:], hex3[r[10]])
		binary.LittleEndian.PutUint32(b[36:], hex3[r[11]])
		binary.LittleEndian.PutUint32(b[39:], hex3[r[12]])
		binary.LittleEndian.PutUint32(b[42:], hex3[r[13]])
		binary.LittleEndian.PutUint32(b[45:], hex3[r[14]])
		binary.LittleEndian.PutUint32(b[48:], hex3[r[15]])
		lo, hi := binary.LittleEndian.Uint64(r[0:8]), binary.LittleEndian.Uint64(r[8:16])
		b[52] = '|'
		binary.LittleEndian.PutUint64(b[53:], text8(lo))
		binary.LittleEndian.PutUint64(b[61:], text8(hi))
		b[69], b[70] = '|', '\n'
		q += L
		off += 16
	}
	return dst[:p+q], dup
}

// plainRows appends the xxd -p lines of data, whose length is a multiple of 30.
func plainRows(dst []byte, data []byte) []byte {
	n := len(data) / 30
	dst, p := grow(dst, n*61)
	out := dst[p:]
	for i := 0; i < n; i++ {
		b := (*[61]byte)(out[61*i:])
		r := (*[30]byte)(data[30*i:])
		binary.LittleEndian.PutUint64(b[0:], hex8(binary.LittleEndian.Uint32(r[0:])))
		binary.LittleEndian.PutUint64(b[8:], hex8(binary.LittleEndian.Uint32(r[4:])))
		binary.LittleEndian.PutUint64(b[16:], hex8(binary.LittleEndian.Uint32(r[8:])))
		binary.LittleEndian.PutUint64(b[24:], hex8(binary.LittleEndian.Uint32(r[12:])))
		binary.LittleEndian.PutUint64(b[32:], hex8(binary.LittleEndian.Uint32(r[16:])))
		binary.LittleEndian.PutUint64(b[40:], hex8(binary.LittleEndian.Uint32(r[20:])))
		binary.LittleEndian.PutUint64(b[48:], hex8(binary.LittleEndian.Uint32(r[24:])))
		binary.LittleEndian.PutUint16(b[56:], hex2[r[28]])
		binary.LittleEndian.PutUint16(b[58:], hex2[r[29]])
		b[60] = '\n'
	}
	return dst
}
