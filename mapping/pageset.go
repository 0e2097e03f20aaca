package mapping

import (
	"slices"
	"sort"
)

// pageSet is a set of page numbers kept as sorted, disjoint, non-adjacent
// half-open ranges, so that a fill of a huge range costs one entry.
type pageSet struct {
	r []prange
	n int64
}

type prange struct{ a, b int64 } // pages [a, b)

func (s *pageSet) add(a, b int64) {
	if a >= b {
		return
	}
	i := sort.Search(len(s.r), func(i int) bool { return s.r[i].b >= a })
	j := i
	for j < len(s.r) && s.r[j].a <= b {
		a = min(a, s.r[j].a)
		b = max(b, s.r[j].b)
		s.n -= s.r[j].b - s.r[j].a
		j++
	}
	s.r = slices.Replace(s.r, i, j, prange{a, b})
	s.n += b - a
}

func (s *pageSet) has(p int64) bool {
	i := sort.Search(len(s.r), func(i int) bool { return s.r[i].b > p })
	return i < len(s.r) && s.r[i].a <= p
}

// overlaps reports whether any page in [a, b) is in the set.
func (s *pageSet) overlaps(a, b int64) bool {
	i := sort.Search(len(s.r), func(i int) bool { return s.r[i].b > a })
	return i < len(s.r) && s.r[i].a < b
}

// clip drops pages >= limit.
func (s *pageSet) clip(limit int64) {
	for len(s.r) > 0 {
		last := &s.r[len(s.r)-1]
		if last.a >= limit {
			s.n -= last.b - last.a
			s.r = s.r[:len(s.r)-1]
			continue
		}
		if last.b > limit {
			s.n -= last.b - limit
			last.b = limit
		}
		break
	}
}

func (s *pageSet) clear() { s.r, s.n = nil, 0 }

func (s *pageSet) ranges() []prange { return slices.Clone(s.r) }
