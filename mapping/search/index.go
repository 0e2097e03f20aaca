package search

import "bytes"

// Index returns the first position i in b where the pattern matches
// (i+Len() <= len(b)), or -1. It finds candidates with bytes.IndexByte
// (SIMD in the Go runtime) on the pattern's rarest fixed byte and verifies
// them; when that byte turns out to be common in the data it switches to
// bytes.Index on the longest exact run.
func (p *Pattern) Index(b []byte) int {
	n := len(p.val)
	if n > len(b) {
		return -1
	}
	if p.anchor < 0 { // only wildcards: matches everywhere
		return 0
	}
	t := len(b) - n // last possible start
	if p.pair && hasPair && !p.noPair && t >= 64 {
		return p.indexPair(b, t)
	}
	if p.exact && p.anchor == 0 {
		return bytes.Index(b, p.val)
	}
	k := p.anchor
	i := 0
	fails := 0
	if p.a0 == p.a1 {
		for i <= t {
			o := bytes.IndexByte(b[i+k:t+k+1], p.a0)
			if o < 0 {
				return -1
			}
			i += o
			if p.verify(b[i : i+n]) {
				return i
			}
			i++
			fails++
			if fails > 32+i>>5 && len(p.run) >= 2 {
				return p.indexRun(b, i)
			}
		}
		return -1
	}
	// A folded letter: the next of either case. The next position of each
	// is remembered so a byte that is absent is not searched for again.
	n0, n1 := -2, -2 // absolute position of the anchor in b; -1 none; -2 unknown
	for i <= t {
		lo := i + k
		if n0 != -1 && n0 < lo {
			if o := bytes.IndexByte(b[lo:t+k+1], p.a0); o >= 0 {
				n0 = lo + o
			} else {
				n0 = -1
			}
		}
		if n1 != -1 && n1 < lo {
			if o := bytes.IndexByte(b[lo:t+k+1], p.a1); o >= 0 {
				n1 = lo + o
			} else {
				n1 = -1
			}
		}
		c := n0
		if c < 0 || (n1 >= 0 && n1 < c) {
			c = n1
		}
		if c < 0 {
			return -1
		}
		i = c - k
		if p.verify(b[i : i+n]) {
			return i
		}
		i++
	}
	return -1
}

// indexPair finds candidates 32 positions at a time with the AVX2 pair
// filter (two rare bytes at their distance) and verifies them.
func (p *Pattern) indexPair(b []byte, t int) int {
	n := len(p.val)
	k1, d := p.k1, p.k2-p.k1
	i := 0
	for i <= t {
		m := (t + 1 - i) &^ 31
		if m == 0 {
			break
		}
		j := pairAVX2(&b[i+k1], m, d, p.c1, p.o1, p.c2, p.o2)
		if j < 0 {
			i += m
			continue
		}
		s := i + j
		if p.verify(b[s : s+n]) {
			return s
		}
		i = s + 1
	}
	for ; i <= t; i++ {
		if p.verify(b[i : i+n]) {
			return i
		}
	}
	return -1
}

// indexRun finds the first match at or after from by searching for the
// longest exact run with bytes.Index and verifying the rest.
func (p *Pattern) indexRun(b []byte, from int) int {
	n := len(p.val)
	t := len(b) - n
	for from <= t {
		o := bytes.Index(b[from+p.runOff:t+p.runOff+len(p.run)], p.run)
		if o < 0 {
			return -1
		}
		i := from + o
		if p.verify(b[i : i+n]) {
			return i
		}
		from = i + 1
	}
	return -1
}

func (p *Pattern) verify(b []byte) bool {
	if p.exact {
		return bytes.Equal(b, p.val)
	}
	m := p.mask
	for i, v := range p.val {
		if b[i]&m[i] != v {
			return false
		}
	}
	return true
}

// lastBlock is the size of the blocks LastIndex searches forward, from the
// end of the buffer backwards: forward search is SIMD, backward is not.
const lastBlock = 64 << 10

// LastIndex returns the last position i in b where the pattern matches
// (i+Len() <= len(b)), or -1.
func (p *Pattern) LastIndex(b []byte) int {
	n := len(p.val)
	if n > len(b) {
		return -1
	}
	t := len(b) - n // last possible start
	if p.anchor < 0 {
		return t
	}
	// Blocks of candidate starts [lo, hi], highest first.
	for hi := t; hi >= 0; hi -= lastBlock {
		lo := hi - lastBlock + 1
		if lo < 0 {
			lo = 0
		}
		seg := b[lo : hi+n]
		last := -1
		for j := 0; ; {
			o := p.Index(seg[j:])
			if o < 0 {
				break
			}
			last = j + o
			j = last + 1
		}
		if last >= 0 {
			return lo + last
		}
	}
	return -1
}

// All calls fn with the position of every match in b, overlapping matches
// included, in order, until fn returns false. It returns false when fn did.
func (p *Pattern) All(b []byte, fn func(i int) bool) bool {
	for j := 0; ; {
		o := p.Index(b[j:])
		if o < 0 {
			return true
		}
		if !fn(j + o) {
			return false
		}
		j += o + 1
	}
}

// sampleLen is how much of the data Tuned looks at.
const sampleLen = 64 << 10

// Tuned returns the pattern with its anchor chosen by the byte counts of
// sample (the start of the data about to be searched): the fixed position
// whose byte (both cases when folded) is least frequent there, so
// IndexByte stops least often. The static ranking breaks ties. The result
// shares the pattern's bytes; p is not changed.
func (p *Pattern) Tuned(sample []byte) *Pattern {
	if p.anchor < 0 || len(sample) == 0 {
		return p
	}
	sample = sample[:min(len(sample), sampleLen)]
	var hist [256]int
	for _, c := range sample {
		hist[c]++
	}
	q := *p
	best := -1
	for i, m := range p.mask {
		var cost int
		switch m {
		case 0xff:
			cost = hist[p.val[i]]<<8 + int(byteRank[p.val[i]])
		case 0xdf:
			lo := p.val[i] | 0x20
			cost = (hist[p.val[i]]+hist[lo])<<8 + int(byteRank[p.val[i]]) + int(byteRank[lo])
		default:
			continue
		}
		if best < 0 || cost < best {
			best, q.anchor = cost, i
		}
	}
	q.choosePair(func(i int) int {
		if p.mask[i] == 0xdf {
			lo := p.val[i] | 0x20
			return (hist[p.val[i]]+hist[lo])<<8 + int(byteRank[p.val[i]]) + int(byteRank[lo])
		}
		return hist[p.val[i]]<<8 + int(byteRank[p.val[i]])
	})
	q.a0, q.a1 = p.val[q.anchor], p.val[q.anchor]
	if p.mask[q.anchor] == 0xdf {
		q.a1 = p.val[q.anchor] | 0x20
	}
	return &q
}
