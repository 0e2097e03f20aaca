package hexfmt

import (
	"encoding/binary"
)

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
	binary.LittleEndian.PutUint64(b[:], uint64(hex2[byte(off>>24)])|uint64(hex2[byte(off>>16)])<<16|
		uint64(hex2[byte(off>>8)])<<32|uint64(hex2[byte(off)])<<48)
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	low7  = 0x7f7f7f7f7f7f7f7f
)

// text8 is TextChar of 8 bytes at once (SWAR): each byte of x outside
// 0x20..0x7e becomes '.'.
func text8(x uint64) uint64 {
	l := x & low7
	bad := x & highs                // 0x80..0xff
	bad |= ^(l + 0x60*ones) & highs // low 7 bits < 0x20
	bad |= (l + ones) & highs       // low 7 bits == 0x7f
	mask := (bad >> 7) * 0xff
	return x&^mask | '.'*ones&mask
}

// hex8 is the 4 bytes of u (in memory order, little-endian) as 8 hex digits
// in memory order, little-endian (SWAR).
func hex8(u uint32) uint64 {
	x := uint64(u)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff                        // one byte per 16-bit lane
	d := (x>>4)&0x000f000f000f000f | (x&0x000f000f000f000f)<<8 // high nibble first
	// digit -> ASCII: '0'+d, plus 'a'-'0'-10 = 39 where d > 9
	return d + '0'*ones + ((d+0x76*ones)>>7&ones)*39
}

// appendCanonicalRow appends one `hexdump -C` row of up to 16 bytes.
func appendCanonicalRow(dst []byte, row []byte, off int64, color bool) []byte {
	if color {
		return appendCanonicalColor(dst, row, off)
	}
	dst = appendOffset(dst, off)
	// (full rows go through canonicalRows) a partial row: missing bytes
	// are blanks of the same width; the text column is as long as the row
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

// sgrWord[c] is c's SGR sequence (5 bytes) in a little-endian word; the
// 3 bytes after it are overwritten by what follows.
var sgrWord = func() (t [NumClasses]uint64) {
	for c := range t {
		var w [8]byte
		copy(w[:], sgrTable[c])
		t[c] = binary.LittleEndian.Uint64(w[:])
	}
	return
}()

var resetWord = binary.LittleEndian.Uint32([]byte(SGRReset))

// colorRowMax bounds a coloured row after its offset: every byte of both
// columns behind its own SGR, two resets, the separators, word slack.
const colorRowMax = 256

func appendCanonicalColor(dst []byte, row []byte, off int64) []byte {
	dst = appendOffset(dst, off)
	dst, p := grow(dst, colorRowMax)
	b := (*[colorRowMax]byte)(dst[p:])
	b[0], b[1] = ' ', ' '
	q := 2
	cur := Class(255)
	for i := 0; i < 16; i++ {
		if i == 8 {
			b[q] = ' '
			q++
		}
		if i < len(row) {
			if c := classTable[row[i]]; c != cur {
				cur = c
				binary.LittleEndian.PutUint64(b[q:], sgrWord[c])
				q += 5
			}
			binary.LittleEndian.PutUint32(b[q:], hex3[row[i]])
		} else {
			b[q], b[q+1], b[q+2] = ' ', ' ', ' '
		}
		q += 3
	}
	binary.LittleEndian.PutUint32(b[q:], resetWord)
	b[q+4], b[q+5] = ' ', '|'
	q = putTextColor(b, q+6, row)
	b[q], b[q+1] = '|', '\n'
	return dst[:p+q+2]
}

// putTextColor writes the coloured text column of row at b[q:] and returns
// the index after it.
func putTextColor(b *[colorRowMax]byte, q int, row []byte) int {
	cur := Class(255)
	for _, c := range row {
		if k := classTable[c]; k != cur {
			cur = k
			binary.LittleEndian.PutUint64(b[q:], sgrWord[k])
			q += 5
		}
		b[q] = textTable[c]
		q++
	}
	binary.LittleEndian.PutUint32(b[q:], resetWord)
	return q + 4
}

// appendXXDRow appends one `xxd` row of up to 16 bytes.
func appendXXDRow(dst []byte, row []byte, off int64, color bool) []byte {
	dst = appendOffset(dst, off)
	dst, p := grow(dst, colorRowMax)
	b := (*[colorRowMax]byte)(dst[p:])
	b[0], b[1] = ':', ' '
	q := 2
	cur := Class(255)
	for i := 0; i < 16; i++ {
		if i < len(row) {
			if color {
				if c := classTable[row[i]]; c != cur {
					cur = c
					binary.LittleEndian.PutUint64(b[q:], sgrWord[c])
					q += 5
				}
			}
			binary.LittleEndian.PutUint16(b[q:], hex2[row[i]])
		} else {
			b[q], b[q+1] = ' ', ' '
		}
		q += 2
		if i&1 == 1 {
			b[q] = ' '
			q++
		}
	}
	if color {
		binary.LittleEndian.PutUint32(b[q:], resetWord)
		q += 4
	}
	b[q] = ' '
	q++
	if color {
		q = putTextColor(b, q, row)
	} else {
		for _, c := range row {
			b[q] = textTable[c]
			q++
		}
	}
	b[q] = '\n'
	return dst[:p+q+1]
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
	dst, p := grow(dst, colorRowMax)
	b := (*[colorRowMax]byte)(dst[p:])
	q := 0
	cur := Class(255)
	for _, c := range row {
		if k := classTable[c]; k != cur {
			cur = k
			binary.LittleEndian.PutUint64(b[q:], sgrWord[k])
			q += 5
		}
		binary.LittleEndian.PutUint16(b[q:], hex2[c])
		q += 2
	}
	binary.LittleEndian.PutUint32(b[q:], resetWord)
	b[q+4] = '\n'
	return dst[:p+q+5]
}
