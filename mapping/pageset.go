package mapping

import "mmhex/mapping/spanset"

// pageSet is a set of page numbers kept as disjoint, non-adjacent
// half-open ranges in a balanced tree, so that a fill of a huge range
// costs one entry and scattered edits cost O(log n) each.
type pageSet struct {
	s spanset.Set
	n int64 // pages in the set
}

type prange struct{ a, b int64 } // pages [a, b)

func (s *pageSet) add(a, b int64) {
	s.s.Add(a, b)
	s.n = s.s.Total()
}

func (s *pageSet) has(p int64) bool { return s.s.Has(p) }

// overlaps reports whether any page in [a, b) is in the set.
func (s *pageSet) overlaps(a, b int64) bool { return s.s.Overlaps(a, b) }

// clip drops pages >= limit.
func (s *pageSet) clip(limit int64) {
	s.s.Clip(limit)
	s.n = s.s.Total()
}

func (s *pageSet) clear() { s.s.Clear(); s.n = 0 }

// ranges returns the ranges in order.
func (s *pageSet) ranges() []prange {
	out := make([]prange, 0, s.s.Len())
	s.s.Each(func(sp spanset.Span) bool { out = append(out, prange{sp.A, sp.B}); return true })
	return out
}
