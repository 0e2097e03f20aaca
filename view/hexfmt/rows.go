package hexfmt

import "encoding/binary"

const hexDigits = "0123456789abcdef"

// hexPair[b] is b as two lower-case hex digits.
var hexPair = func() (t [256][2]byte) {
	for i := range t {
		t[i] = [2]byte{hexDigits[i>>4], hexDigits[i&15]}
	}
	return
}()

// grow makes room for n more bytes and returns dst extended by n and the
// index where the new bytes start.
func grow(dst []byte, n int) ([]byte, int) {
	l := len(dst)
	if cap(dst)-l < n {
		nd := make([]byte, l, 2*cap(dst)+n)
		copy(nd, dst)
		dst = nd
	}
	return dst[:l+n], l
}

// appendOffset appends off as "%08x" (wider when it needs more digits).
func appendOffset(dst []byte, off int64) []byte {
	u := uint64(off)
	w := 8
	for v := u >> 32; v != 0; v >>= 4 {
		w++
	}
	dst, p := grow(dst, w)
	b := dst[p : p+w]
	for i := w - 1; i >= 0; i-- {
		b[i] = hexDigits[u&15]
		u >>= 4
	}
	return dst
}

// hex3[b] is b as "xx  " in one little-endian word: storing it at the
// byte's place writes the two digits and the blank after them; the fourth
// byte is overwritten by the next store, or is the blank that follows.
var hex3 = func() (t [256]uint32) {
	for i := range t {
		t[i] = uint32(hexDigits[i>>4]) | uint32(hexDigits[i&15])<<8 | ' '<<16 | ' '<<24
	}
	return
}()

// hex2[b] is b as two hex digits in one little-endian half-word.
var hex2 = func() (t [256]uint16) {
	for i := range t {
		t[i] = uint16(hexDigits[i>>4]) | uint16(hexDigits[i&15])<<8
	}
	return
}()

// putOffset8 writes off (< 1<<32) as 8 hex digits.
func putOffset8(b *[8]byte, off uint32) {
	binary.LittleEndian.PutUint16(b[0:], hex2[byte(off>>24)])
	binary.LittleEndian.PutUint16(b[2:], hex2[byte(off>>16)])
	binary.LittleEndian.PutUint16(b[4:], hex2[byte(off>>8)])
	binary.LittleEndian.PutUint16(b[6:], hex2[byte(off)])
}

// putText writes the text column of 16 bytes.
func putText(t *[16]byte, r *[16]byte) {
	for i := 0; i < 16; i++ {
		t[i] = textTable[r[i]]
	}
}

// appendCanonicalRow appends one `hexdump -C` row of up to 16 bytes.
func appendCanonicalRow(dst []byte, row []byte, off int64, color bool) []byte {
	if color {
		return appendCanonicalColor(dst, row, off)
	}
	if len(row) == 16 && off>>32 == 0 {
		// "oooooooo  xx xx xx xx xx xx xx xx  xx xx xx xx xx xx xx xx  |tttttttttttttttt|\n"
		const n = 79
		dst, p := grow(dst, n+1) // +1: slack for the last word store
		b := (*[n + 1]byte)(dst[p : p+n+1])
		r := (*[16]byte)(row)
		putOffset8((*[8]byte)(b[0:8]), uint32(off))
		b[8], b[9] = ' ', ' '
		for i := 0; i < 8; i++ {
			binary.LittleEndian.PutUint32(b[10+3*i:], hex3[r[i]])
		}
		for i := 8; i < 16; i++ {
			binary.LittleEndian.PutUint32(b[11+3*i:], hex3[r[i]])
		}
		b[60] = '|'
		putText((*[16]byte)(b[61:77]), r)
		b[77], b[78] = '|', '\n'
		return dst[:len(dst)-1]
	}
	dst = appendOffset(dst, off)
	// partial row: missing bytes are blanks of the same width; the text
	// column is as long as the row
	dst = append(dst, ' ', ' ')
	for i := 0; i < 16; i++ {
		if i == 8 {
			dst = append(dst, ' ')
		}
		if i < len(row) {
			h := hexPair[row[i]]
			dst = append(dst, h[0], h[1], ' ')
		} else {
			dst = append(dst, ' ', ' ', ' ')
		}
	}
	dst = append(dst, ' ', '|')
	for _, c := range row {
		dst = append(dst, textTable[c])
	}
	return append(dst, '|', '\n')
}

func appendCanonicalColor(dst []byte, row []byte, off int64) []byte {
	dst = appendOffset(dst, off)
	dst = append(dst, ' ', ' ')
	cur := Class(255)
	for i := 0; i < 16; i++ {
		if i == 8 {
			dst = append(dst, ' ')
		}
		if i < len(row) {
			if c := classTable[row[i]]; c != cur {
				cur = c
				dst = append(dst, sgrTable[c]...)
			}
			h := hexPair[row[i]]
			dst = append(dst, h[0], h[1], ' ')
		} else {
			dst = append(dst, ' ', ' ', ' ')
		}
	}
	dst = append(dst, SGRReset...)
	dst = append(dst, ' ', '|')
	dst = appendTextColor(dst, row)
	return append(dst, '|', '\n')
}

func appendTextColor(dst []byte, row []byte) []byte {
	cur := Class(255)
	for _, b := range row {
		if c := classTable[b]; c != cur {
			cur = c
			dst = append(dst, sgrTable[c]...)
		}
		dst = append(dst, textTable[b])
	}
	return append(dst, SGRReset...)
}

// appendXXDRow appends one `xxd` row of up to 16 bytes.
func appendXXDRow(dst []byte, row []byte, off int64, color bool) []byte {
	if len(row) == 16 && !color && off>>32 == 0 {
		// "oooooooo: xxxx xxxx xxxx xxxx xxxx xxxx xxxx xxxx  tttttttttttttttt\n"
		const n = 68
		dst, p := grow(dst, n)
		b := (*[n]byte)(dst[p : p+n])
		r := (*[16]byte)(row)
		putOffset8((*[8]byte)(b[0:8]), uint32(off))
		b[8], b[9] = ':', ' '
		for i := 0; i < 8; i++ {
			q := 10 + 5*i
			binary.LittleEndian.PutUint32(b[q:], uint32(hex2[r[2*i]])|uint32(hex2[r[2*i+1]])<<16)
			b[q+4] = ' '
		}
		b[50] = ' '
		putText((*[16]byte)(b[51:67]), r)
		b[67] = '\n'
		return dst
	}
	dst = appendOffset(dst, off)
	dst = append(dst, ':', ' ')
	cur := Class(255)
	for i := 0; i < 16; i++ {
		if i < len(row) {
			if color {
				if c := classTable[row[i]]; c != cur {
					cur = c
					dst = append(dst, sgrTable[c]...)
				}
			}
			h := hexPair[row[i]]
			dst = append(dst, h[0], h[1])
		} else {
			dst = append(dst, ' ', ' ')
		}
		if i&1 == 1 {
			dst = append(dst, ' ')
		}
	}
	if color {
		dst = append(dst, SGRReset...)
	}
	dst = append(dst, ' ')
	if color {
		dst = appendTextColor(dst, row)
	} else {
		for _, c := range row {
			dst = append(dst, textTable[c])
		}
	}
	return append(dst, '\n')
}

// appendPlainRow appends one `xxd -p` line of up to 30 bytes.
func appendPlainRow(dst []byte, row []byte, color bool) []byte {
	if !color {
		dst, p := grow(dst, 2*len(row)+1)
		b := dst[p:]
		for i, c := range row {
			h := hexPair[c]
			b[2*i], b[2*i+1] = h[0], h[1]
		}
		b[2*len(row)] = '\n'
		return dst
	}
	cur := Class(255)
	for _, c := range row {
		if k := classTable[c]; k != cur {
			cur = k
			dst = append(dst, sgrTable[k]...)
		}
		h := hexPair[c]
		dst = append(dst, h[0], h[1])
	}
	dst = append(dst, SGRReset...)
	return append(dst, '\n')
}
