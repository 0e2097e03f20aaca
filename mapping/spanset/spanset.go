// Package spanset is a set of int64 values kept as disjoint, non-adjacent
// half-open spans [A, B) in a treap (a balanced binary search tree), so
// that adding a span, testing a value and clipping cost O(log n) expected
// (plus the spans merged away), whatever the order of the additions. The
// nodes live in chunks of 4096 (a set of a million spans is never copied
// whole to grow), linked by 32-bit indices: 32 bytes a span.
package spanset

// Span is the half-open range [A, B).
type Span struct{ A, B int64 }

type node struct {
	a, b int64
	l, r int32 // children; 0 = none
	pri  uint32
}

// Set is a set of spans. The zero value is empty and ready to use.
type Set struct {
	// chunks hold the nodes, node i at chunks[i>>chunkBits][i&chunkMask];
	// all but the last are full (chunkLen nodes). Node 0 is unused:
	// index 0 means "no node".
	chunks [][]node
	free   []int32
	root   int32
	// last is the node of the span that starts last (0: not known):
	// adds in increasing order (a replace's matches) extend it or go
	// after it without a descent to find where they go.
	last int32
	// first is the node of the span that starts first (0: not known):
	// adds in decreasing order (an undo of a replace) likewise.
	first int32
	spans int
	total int64
	seed  uint32
}

// Len returns the number of spans.
func (s *Set) Len() int { return s.spans }

// Total returns the number of values in the set (the spans' lengths).
func (s *Set) Total() int64 { return s.total }

const (
	chunkBits = 12
	chunkLen  = 1 << chunkBits
	chunkMask = chunkLen - 1
)

// nd returns node i.
func (s *Set) nd(i int32) *node { return &s.chunks[i>>chunkBits][i&chunkMask] }

func (s *Set) alloc(a, b int64) int32 {
	s.seed = s.seed*1664525 + 1013904223
	nd := node{a: a, b: b, pri: s.seed ^ s.seed>>15}
	if k := len(s.free); k > 0 {
		i := s.free[k-1]
		s.free = s.free[:k-1]
		*s.nd(i) = nd
		return i
	}
	k := len(s.chunks)
	if k == 0 || len(s.chunks[k-1]) == chunkLen {
		// The first chunk grows by append (a small set stays small); the
		// next ones are made whole.
		c := make([]node, 0, chunkLen)
		if k == 0 {
			c = append(make([]node, 0, 8), node{})
		}
		s.chunks = append(s.chunks, c)
		k++
	}
	s.chunks[k-1] = append(s.chunks[k-1], nd)
	return int32((k-1)<<chunkBits + len(s.chunks[k-1]) - 1)
}

// split cuts t into the nodes with a < key and those with a >= key.
func (s *Set) split(t int32, key int64) (l, r int32) {
	if t == 0 {
		return 0, 0
	}
	n := s.nd(t)
	if n.a < key {
		x, y := s.split(n.r, key)
		s.nd(t).r = x
		return t, y
	}
	x, y := s.split(n.l, key)
	s.nd(t).l = y
	return x, t
}

// merge joins l and r, every key of l below every key of r.
func (s *Set) merge(l, r int32) int32 {
	switch {
	case l == 0:
		return r
	case r == 0:
		return l
	}
	if s.nd(l).pri > s.nd(r).pri {
		s.nd(l).r = s.merge(s.nd(l).r, r)
		return l
	}
	s.nd(r).l = s.merge(l, s.nd(r).l)
	return r
}

// release frees every node of t, subtracting them from the counts.
func (s *Set) release(t int32) {
	for t != 0 {
		n := *s.nd(t)
		s.release(n.l)
		s.spans--
		s.total -= n.b - n.a
		s.free = append(s.free, t)
		t = n.r
	}
}

// popMax removes the node with the largest key from t and returns the
// new tree and the node's span (ok false when t is empty).
func (s *Set) popMax(t int32) (int32, Span, bool) {
	if t == 0 {
		return 0, Span{}, false
	}
	n := *s.nd(t)
	if n.r == 0 {
		s.free = append(s.free, t)
		return n.l, Span{n.a, n.b}, true
	}
	r, sp, ok := s.popMax(n.r)
	s.nd(t).r = r
	return t, sp, ok
}

// Add adds [a, b), merging it with the spans it overlaps or touches.
func (s *Set) Add(a, b int64) {
	if a >= b {
		return
	}
	// Fast paths. Starting in or after the last span (adds in increasing
	// order: the matches of a replace): extend it, or join the tree's
	// right spine, with no descent to find the place.
	if s.root == 0 {
		s.spans++
		s.total += b - a
		s.last = s.alloc(a, b)
		s.root, s.first = s.last, s.last
		return
	}
	if s.last == 0 {
		s.last = s.root
		for s.nd(s.last).r != 0 {
			s.last = s.nd(s.last).r
		}
	}
	if n := s.nd(s.last); a > n.b {
		s.spans++
		s.total += b - a
		s.last = s.alloc(a, b)
		s.insertLast(s.last)
		return
	} else if a >= n.a {
		if b > n.b {
			s.total += b - n.b
			n.b = b
		}
		return
	}
	// Ending before or in the first span (adds in decreasing order).
	if s.first == 0 {
		s.first = s.root
		for s.nd(s.first).l != 0 {
			s.first = s.nd(s.first).l
		}
	}
	if n := s.nd(s.first); b < n.a {
		s.spans++
		s.total += b - a
		s.first = s.alloc(a, b)
		s.insertFirst(s.first)
		return
	} else if a <= n.a && b <= n.b {
		if a < n.a {
			s.total += n.a - a
			n.a = a // still the smallest key
		}
		return
	}
	// Two descents: already in the set (undo and redo of highlighted
	// bytes), or extending the span it starts in without reaching the
	// next one (typing forward).
	t := s.floor(a)
	if t != 0 && s.nd(t).b >= a {
		n := s.nd(t)
		if b <= n.b {
			return
		}
		if nx := s.above(n.a); nx == 0 || s.nd(nx).a > b {
			s.total += b - n.b
			n.b = b
			return
		}
	}
	l, r := s.split(s.root, a)
	// The last span starting before a may reach a.
	if nl, sp, ok := s.popMax(l); ok {
		if sp.B >= a {
			a = min(a, sp.A)
			b = max(b, sp.B)
			s.spans--
			s.total -= sp.B - sp.A
			l = nl
		} else {
			// Not touching: put it back (its node was freed: reuse it).
			x := s.alloc(sp.A, sp.B)
			if nl == 0 { // it was the only span before a: the first
				s.first = x
			}
			l = s.merge(nl, x)
		}
	}
	// Spans starting in [a, b] are merged in.
	m, r := s.split(r, b+1)
	if m != 0 {
		t := m
		for s.nd(t).r != 0 {
			t = s.nd(t).r
		}
		b = max(b, s.nd(t).b)
		s.release(m)
	}
	s.spans++
	s.total += b - a
	nd := s.alloc(a, b)
	if r == 0 { // the last span now; else the last is in r, unchanged
		s.last = nd
	}
	if l == 0 { // the first span now; else the first is in l, unchanged
		s.first = nd
	}
	s.root = s.merge(s.merge(l, nd), r)
}

// insertLast puts the new node x, whose span starts after every span,
// into the tree: down the right spine to the first node of a lower
// priority, which becomes x's left child (merge(root, x), without the
// recursion and the writes on the way back up).
func (s *Set) insertLast(x int32) {
	pri := s.nd(x).pri
	parent, t := int32(0), s.root
	for t != 0 && s.nd(t).pri > pri {
		parent, t = t, s.nd(t).r
	}
	s.nd(x).l = t
	if parent == 0 {
		s.root = x
	} else {
		s.nd(parent).r = x
	}
}

// insertFirst puts the new node x, whose span ends before every span,
// into the tree: down the left spine, as insertLast.
func (s *Set) insertFirst(x int32) {
	pri := s.nd(x).pri
	parent, t := int32(0), s.root
	for t != 0 && s.nd(t).pri > pri {
		parent, t = t, s.nd(t).l
	}
	s.nd(x).r = t
	if parent == 0 {
		s.root = x
	} else {
		s.nd(parent).l = x
	}
}

// floor returns the node with the largest a <= v (0 when none).
func (s *Set) floor(v int64) int32 {
	t, best := s.root, int32(0)
	for t != 0 {
		if s.nd(t).a <= v {
			best = t
			t = s.nd(t).r
		} else {
			t = s.nd(t).l
		}
	}
	return best
}

// above returns the node with the smallest a > v (0 when none).
func (s *Set) above(v int64) int32 {
	t, best := s.root, int32(0)
	for t != 0 {
		if s.nd(t).a > v {
			best = t
			t = s.nd(t).l
		} else {
			t = s.nd(t).r
		}
	}
	return best
}

// Has reports whether v is in the set.
func (s *Set) Has(v int64) bool {
	t := s.floor(v)
	return t != 0 && v < s.nd(t).b
}

// Overlaps reports whether any value in [a, b) is in the set.
func (s *Set) Overlaps(a, b int64) bool {
	if a >= b {
		return false
	}
	t := s.floor(b - 1)
	return t != 0 && s.nd(t).b > a
}

// Covers reports whether every value in [a, b) is in the set.
func (s *Set) Covers(a, b int64) bool {
	if a >= b {
		return true
	}
	t := s.floor(a)
	return t != 0 && s.nd(t).b >= b
}

// Clip drops every value >= limit.
func (s *Set) Clip(limit int64) {
	l, r := s.split(s.root, limit)
	s.release(r)
	s.last = 0
	if l == 0 {
		s.first = 0
	} else {
		t := l
		for s.nd(t).r != 0 {
			t = s.nd(t).r
		}
		if n := s.nd(t); n.b > limit {
			s.total -= n.b - limit
			n.b = limit
		}
		s.last = t
	}
	s.root = l
}

// Clear empties the set (keeping its memory).
func (s *Set) Clear() {
	if len(s.chunks) > 0 {
		clear(s.chunks[1:])
		s.chunks = s.chunks[:1]
		s.chunks[0] = s.chunks[0][:1] // node 0 stays
	}
	s.free, s.root, s.last, s.first, s.spans, s.total = s.free[:0], 0, 0, 0, 0, 0
}

// Each calls fn for every span in order until fn returns false.
func (s *Set) Each(fn func(Span) bool) {
	s.each(s.root, fn)
}

func (s *Set) each(t int32, fn func(Span) bool) bool {
	for t != 0 {
		n := *s.nd(t)
		if !s.each(n.l, fn) || !fn(Span{n.a, n.b}) {
			return false
		}
		t = n.r
	}
	return true
}

// Spans returns the spans in order.
func (s *Set) Spans() []Span {
	out := make([]Span, 0, s.spans)
	s.Each(func(sp Span) bool { out = append(out, sp); return true })
	return out
}

// Clone returns a copy of the set.
func (s *Set) Clone() Set {
	c := *s
	c.chunks = make([][]node, len(s.chunks))
	for i, ch := range s.chunks {
		c.chunks[i] = append(make([]node, 0, cap(ch)), ch...)
	}
	c.free = append([]int32(nil), s.free...)
	return c
}
