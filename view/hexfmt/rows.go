package hexfmt

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

// appendCanonicalRow appends one `hexdump -C` row of up to 16 bytes.
func appendCanonicalRow(dst []byte, row []byte, off int64, color bool) []byte {
	if color {
		return appendCanonicalColor(dst, row, off)
	}
	dst = appendOffset(dst, off)
	if len(row) == 16 {
		dst, p := grow(dst, 2+16*3+1+2+16+2)
		b := dst[p:]
		b[0], b[1] = ' ', ' '
		q := 2
		for i := 0; i < 8; i++ {
			h := hexPair[row[i]]
			b[q], b[q+1], b[q+2] = h[0], h[1], ' '
			q += 3
		}
		b[q] = ' '
		q++
		for i := 8; i < 16; i++ {
			h := hexPair[row[i]]
			b[q], b[q+1], b[q+2] = h[0], h[1], ' '
			q += 3
		}
		b[q], b[q+1] = ' ', '|'
		q += 2
		t := b[q : q+16]
		for i, c := range row[:16] {
			t[i] = textTable[c]
		}
		b[q+16], b[q+17] = '|', '\n'
		return dst
	}
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
	dst = appendOffset(dst, off)
	if len(row) == 16 && !color {
		dst, p := grow(dst, 2+40+1+16+1)
		b := dst[p:]
		b[0], b[1] = ':', ' '
		q := 2
		for i := 0; i < 16; i += 2 {
			h, l := hexPair[row[i]], hexPair[row[i+1]]
			b[q], b[q+1], b[q+2], b[q+3], b[q+4] = h[0], h[1], l[0], l[1], ' '
			q += 5
		}
		b[q] = ' '
		q++
		t := b[q : q+16]
		for i, c := range row[:16] {
			t[i] = textTable[c]
		}
		b[q+16] = '\n'
		return dst
	}
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
