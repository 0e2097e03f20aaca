package search

import "unsafe"

// Every match, sparse or dense. Index finds the next match fast when
// matches are far apart (a SIMD filter that skips what cannot match), but
// it costs a call and a filter start per match: on `aa` in a file of `a`
// (a match at every byte) that was 2.6 M matches a second. appendAll and
// count therefore watch the distance between matches and, where it is
// short, test every position in turn instead (linear: one 8-byte load,
// mask and compare per position, no call), going back to Index where
// matches thin out again.

const (
	// denseCheck: matches found with Index between two looks at their
	// density.
	denseCheck = 32
	// denseGap: a mean distance between matches under which testing every
	// position is cheaper than Index per match (Index: ~15–20 ns a call;
	// a position tested in turn: ~1 ns).
	denseGap = 16
	// denseBlock: positions tested in turn before the density is looked at
	// again; a block with fewer than denseBlock/(4*denseGap) matches goes
	// back to Index.
	denseBlock = 4096
)

// words is the pattern as 64-bit masked compares for linear: a position i
// matches when, for every word w, le64(b[i+w.off:])&w.m == w.v. The words
// lie at 0, 8, 16, … and, when the length is not a multiple of 8, one more
// ends at the pattern's last byte (overlapping the one before), so no load
// reads past the candidate; a pattern shorter than 8 is one word whose mask
// is 0 past its end (that load reads up to 8 bytes).
type word struct {
	off  uintptr
	m, v uint64
}

func (p *Pattern) makeWords() {
	n := len(p.val)
	p.words = p.words[:0]
	at := func(o int) word {
		w := word{off: uintptr(o)}
		for j := 0; j < 8 && o+j < n; j++ {
			w.m |= uint64(p.mask[o+j]) << (8 * j)
			w.v |= uint64(p.val[o+j]) << (8 * j)
		}
		return w
	}
	for o := 0; o+8 <= n; o += 8 {
		p.words = append(p.words, at(o))
	}
	switch {
	case n < 8:
		p.words = append(p.words, at(0))
	case n%8 != 0:
		p.words = append(p.words, at(n-8))
	}
}

// restMatch reports whether the words ws (the pattern's words after the
// first, which the caller has checked) match at position x.
func restMatch(bp unsafe.Pointer, x uintptr, ws []word) bool {
	for _, w := range ws {
		if load64(bp, x+w.off)&w.m != w.v {
			return false
		}
	}
	return true
}

// wordSpan: bytes from a candidate's start that its words read.
func (p *Pattern) wordSpan() int { return max(len(p.val), 8) }

func load64(base unsafe.Pointer, i uintptr) uint64 {
	return *(*uint64)(unsafe.Add(base, i)) // little endian (amd64, arm64)
}

// linear appends base+i for every match starting at i in [i, end) (matches
// lying wholly in b) until dst is full, and returns dst and the first
// position not tested.
func (p *Pattern) linear(dst []int64, b []byte, base int64, i, end int) ([]int64, int) {
	n := len(p.val)
	fast := min(end, len(b)-p.wordSpan()+1) // positions whose words stay in b
	if i < fast {
		bp := unsafe.Pointer(unsafe.SliceData(b))
		ws := p.words
		out := dst[len(dst):cap(dst)] // stored by index: no append per match
		k := 0
		switch len(ws) {
		case 1: // up to 8 bytes
			m, v := ws[0].m, ws[0].v
			for ; i < fast; i++ {
				if load64(bp, uintptr(i))&m == v {
					if k == len(out) {
						return dst[:len(dst)+k], i
					}
					out[k] = base + int64(i)
					k++
				}
			}
		case 2: // 9 to 16 bytes
			w0, w1 := ws[0], ws[1]
			for ; i < fast; i++ {
				if load64(bp, uintptr(i))&w0.m == w0.v && load64(bp, uintptr(i)+w1.off)&w1.m == w1.v {
					if k == len(out) {
						return dst[:len(dst)+k], i
					}
					out[k] = base + int64(i)
					k++
				}
			}
		default:
			w0 := ws[0]
			for ; i < fast; i++ {
				if load64(bp, uintptr(i))&w0.m != w0.v || !restMatch(bp, uintptr(i), ws[1:]) {
					continue
				}
				if k == len(out) {
					return dst[:len(dst)+k], i
				}
				out[k] = base + int64(i)
				k++
			}
		}
		dst = dst[:len(dst)+k]
	}
	for ; i < end; i++ {
		if p.verify(b[i : i+n]) {
			if len(dst) == cap(dst) {
				return dst, i
			}
			dst = append(dst, base+int64(i))
		}
	}
	return dst, i
}

// countLinear counts the matches starting in [i, end) (lying wholly in b).
func (p *Pattern) countLinear(b []byte, i, end int) int {
	n := len(p.val)
	c := 0
	fast := min(end, len(b)-p.wordSpan()+1)
	if i < fast {
		bp := unsafe.Pointer(unsafe.SliceData(b))
		ws := p.words
		if len(ws) == 1 {
			m, v := ws[0].m, ws[0].v
			for ; i+4 <= fast; i += 4 {
				x := uintptr(i)
				c += b2i(load64(bp, x)&m == v) + b2i(load64(bp, x+1)&m == v) +
					b2i(load64(bp, x+2)&m == v) + b2i(load64(bp, x+3)&m == v)
			}
			for ; i < fast; i++ {
				c += b2i(load64(bp, uintptr(i))&m == v)
			}
		} else if len(ws) == 2 { // 9 to 16 bytes
			w0, w1 := ws[0], ws[1]
			for ; i < fast; i++ {
				x := uintptr(i)
				c += b2i(load64(bp, x)&w0.m == w0.v && load64(bp, x+w1.off)&w1.m == w1.v)
			}
		} else {
			w0 := ws[0]
			for ; i < fast; i++ {
				if load64(bp, uintptr(i))&w0.m != w0.v || !restMatch(bp, uintptr(i), ws[1:]) {
					continue
				}
				c++
			}
		}
	}
	for ; i < end; i++ {
		if p.verify(b[i : i+n]) {
			c++
		}
	}
	return c
}

func b2i(x bool) int {
	if x {
		return 1
	}
	return 0
}

// appendAll appends base+i for every match starting at i >= from and lying
// wholly in b, in order, until dst is full (len == cap). It returns dst and
// the position to go on from: len(b)-Len()+1 or more when b is done.
func (p *Pattern) appendAll(dst []int64, b []byte, base int64, from int) ([]int64, int) {
	n := len(p.val)
	t := len(b) - n // the last start
	i := max(from, 0)
	if p.anchor < 0 { // only wildcards: every position
		for ; i <= t && len(dst) < cap(dst); i++ {
			dst = append(dst, base+int64(i))
		}
		return dst, i
	}
	dense := false
	mark, k := i, 0
	for i <= t && len(dst) < cap(dst) {
		if dense {
			end := min(t+1, i+denseBlock)
			before := len(dst)
			dst, i = p.linear(dst, b, base, i, end)
			if i < end {
				return dst, i // dst is full
			}
			if (len(dst)-before)*4*denseGap < denseBlock {
				dense, mark, k = false, i, 0
			}
			continue
		}
		o := p.Index(b[i:])
		if o < 0 {
			return dst, t + 1
		}
		dst = append(dst, base+int64(i+o))
		i += o + 1
		if k++; k == denseCheck {
			dense = i-mark < denseCheck*denseGap
			mark, k = i, 0
		}
	}
	return dst, i
}

// count is the number of matches lying wholly in b (overlapping included),
// found as appendAll finds them, without keeping their offsets.
func (p *Pattern) count(b []byte) int64 {
	n := len(p.val)
	t := len(b) - n
	if t < 0 {
		return 0
	}
	if p.anchor < 0 {
		return int64(t + 1)
	}
	var c int64
	dense := false
	i, mark, k := 0, 0, 0
	for i <= t {
		if dense {
			end := min(t+1, i+denseBlock)
			got := p.countLinear(b, i, end)
			c += int64(got)
			i = end
			if got*4*denseGap < denseBlock {
				dense, mark, k = false, i, 0
			}
			continue
		}
		o := p.Index(b[i:])
		if o < 0 {
			break
		}
		c++
		i += o + 1
		if k++; k == denseCheck {
			dense = i-mark < denseCheck*denseGap
			mark, k = i, 0
		}
	}
	return c
}
