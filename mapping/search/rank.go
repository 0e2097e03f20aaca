package search

// byteRank estimates how common each byte value is in typical files (a mix
// of text, executables and data), 0 = rare, 255 = very common. The anchor of
// a pattern is its rarest byte: IndexByte on it stops least often.
var byteRank = func() [256]byte {
	var r [256]byte
	for c := 0; c < 256; c++ {
		switch {
		case c == 0x00:
			r[c] = 255
		case c == 0xff:
			r[c] = 200
		case c == ' ':
			r[c] = 230
		case c == '\n':
			r[c] = 150
		case c == '\t' || c == '\r':
			r[c] = 90
		case c == 0x01 || c == 0x02 || c == 0x03 || c == 0x04 || c == 0x08 || c == 0x10 || c == 0x20-1:
			r[c] = 110
		case c < 0x20:
			r[c] = 50
		case c >= '0' && c <= '9':
			r[c] = 110
		case c >= 'a' && c <= 'z':
			r[c] = 120
		case c >= 'A' && c <= 'Z':
			r[c] = 80
		case c < 0x7f:
			r[c] = 70 // punctuation
		case c == 0x80 || c == 0xc0 || c == 0xe8 || c == 0x89 || c == 0x8b || c == 0x48:
			r[c] = 100 // common in x86-64 code
		default:
			r[c] = 40
		}
	}
	for i, c := range []byte("etaoinsr") {
		r[c] = 180 - byte(i)*5
	}
	for _, c := range []byte("hldcu") {
		r[c] = 140
	}
	for _, c := range []byte("qjzxQJZX") {
		r[c] -= 40
	}
	for _, c := range []byte(".,_-/=\"();:") {
		r[c] = 100
	}
	return r
}()
