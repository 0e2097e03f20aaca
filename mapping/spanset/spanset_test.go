package spanset

import (
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
)

// TestModel compares random Add (also after every span and before every
// span), Clip, Has, Overlaps and Clear with a plain boolean slice.
func TestModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		const size = 300
		var s Set
		model := make([]bool, size+20)
		for step := 0; step < 2000; step++ {
			switch k := r.IntN(20); {
			case k < 3:
				// After every span (touching the last, or apart):
				// Add's append path.
				hi := 0
				for i, m := range model {
					if m {
						hi = i + 1
					}
				}
				a := int64(hi + r.IntN(3))
				b := min(a+int64(1+r.IntN(4)), size+19)
				s.Add(a, b)
				for i := a; i < b; i++ {
					model[i] = true
				}
				if hi > size-20 {
					s.Clear()
					clear(model)
				}
			case k < 5:
				// Before every span (touching the first, or apart):
				// Add's prepend path.
				lo := size
				for i := len(model) - 1; i >= 0; i-- {
					if model[i] {
						lo = i
					}
				}
				b := int64(lo - r.IntN(3))
				a := b - int64(1+r.IntN(4))
				if a < 0 {
					s.Clear()
					clear(model)
					break
				}
				s.Add(a, b)
				for i := a; i < b; i++ {
					model[i] = true
				}
			case k < 14:
				a := int64(r.IntN(size))
				b := a + int64(r.IntN(12))
				s.Add(a, b)
				for i := a; i < b; i++ {
					model[i] = true
				}
			case k < 15:
				lim := int64(r.IntN(size + 10))
				s.Clip(lim)
				for i := lim; i < int64(len(model)); i++ {
					model[i] = false
				}
			case k < 16 && r.IntN(10) == 0:
				s.Clear()
				clear(model)
			default:
				a := int64(r.IntN(size + 10))
				b := a + int64(r.IntN(12))
				want := false
				for i := a; i < b; i++ {
					want = want || model[i]
				}
				if got := s.Overlaps(a, b); got != want {
					t.Fatalf("seed %d step %d: Overlaps(%d, %d) = %v", seed, step, a, b, got)
				}
			}
			// Whole-set check: spans, counts, Has.
			var spans []Span
			var total int64
			for i := 0; i < len(model); i++ {
				if model[i] {
					j := i
					for j < len(model) && model[j] {
						j++
					}
					spans = append(spans, Span{int64(i), int64(j)})
					total += int64(j - i)
					i = j
				}
			}
			got := s.Spans()
			if len(got) != len(spans) || s.Len() != len(spans) || s.Total() != total {
				t.Fatalf("seed %d step %d: spans %v (Len %d Total %d), want %v (total %d)", seed, step, got, s.Len(), s.Total(), spans, total)
			}
			for i := range got {
				if got[i] != spans[i] {
					t.Fatalf("seed %d step %d: spans %v, want %v", seed, step, got, spans)
				}
			}
			v := int64(r.IntN(len(model)))
			if s.Has(v) != model[v] {
				t.Fatalf("seed %d step %d: Has(%d) = %v", seed, step, v, !model[v])
			}
		}
	}
}

// BenchmarkScattered adds 10^6 one-value spans at every other value in
// a shuffled order, and reports the bytes each span costs.
func BenchmarkScattered(b *testing.B) {
	const n = 1_000_000
	order := rand.New(rand.NewPCG(1, 2)).Perm(n)
	var ms0, ms1 runtime.MemStats
	var ru0, ru1 syscall.Rusage
	for b.Loop() {
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		var s Set
		for _, i := range order {
			s.Add(int64(2*i), int64(2*i+1))
		}
		for _, i := range order[:1000] {
			if !s.Has(int64(2 * i)) {
				b.Fatal("lost a span")
			}
		}
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		b.ReportMetric(float64(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano())/n, "cpu-ns/add")
		runtime.GC()
		runtime.ReadMemStats(&ms1)
		b.ReportMetric(float64(ms1.HeapAlloc-ms0.HeapAlloc)/n, "B/span")
		runtime.KeepAlive(&s)
	}
}

// TestChunks: a set of more spans than a chunk of nodes holds (three
// chunks and more), added in increasing order (the append path) and
// shuffled, merged, clipped, cloned and cleared, against a boolean slice.
func TestChunks(t *testing.T) {
	const size = 4 * 3 * chunkLen
	r := rand.New(rand.NewPCG(3, 9))
	var s Set
	model := make([]bool, size+4)
	check := func(what string, s *Set, model []bool) {
		t.Helper()
		var want []Span
		for i := 0; i < len(model); i++ {
			if model[i] {
				j := i
				for j < len(model) && model[j] {
					j++
				}
				want = append(want, Span{int64(i), int64(j)})
				i = j
			}
		}
		got := s.Spans()
		if len(got) != len(want) || s.Len() != len(want) {
			t.Fatalf("%s: %d spans (Len %d), want %d", what, len(got), s.Len(), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: span %d is %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	add := func(a, b int64) {
		s.Add(a, b)
		for i := a; i < b; i++ {
			model[i] = true
		}
	}
	for round := 0; round < 2; round++ {
		for a := int64(0); a+2 <= size; a += 4 { // apart, in order: 3 chunks
			add(a, a+2)
		}
		if len(s.chunks) < 3 {
			t.Fatalf("round %d: %d chunks of nodes for %d spans", round, len(s.chunks), s.Len())
		}
		check("in order", &s, model)
		c := s.Clone()
		cm := append([]bool(nil), model...)
		for range 20000 { // shuffled: merges free nodes, new spans reuse them
			a := int64(r.IntN(size))
			add(a, a+int64(1+r.IntN(3)))
		}
		check("shuffled", &s, model)
		check("the clone, after the original changed", &c, cm)
		s.Clip(size / 2)
		for i := size / 2; i < len(model); i++ {
			model[i] = false
		}
		check("clipped", &s, model)
		s.Clear()
		clear(model)
		check("cleared", &s, model)
	}
}

// BenchmarkDescending adds the spans of BenchmarkAscending in decreasing
// order (the unsynced bytes of an undo of that replace).
func BenchmarkDescending(b *testing.B) {
	for range b.N {
		var s Set
		for i := int64(1<<20 - 1); i >= 0; i-- {
			s.Add(16*i, 16*i+4)
		}
		if s.Len() != 1<<20 {
			b.Fatal(s.Len())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(1<<20), "ns/add")
}

// BenchmarkAscending adds 10^6 spans of 4 values, 16 apart, in
// increasing order (the unsynced bytes of a replace of 10^6 matches).
func BenchmarkAscending(b *testing.B) {
	for range b.N {
		var s Set
		for i := range int64(1 << 20) {
			s.Add(16*i, 16*i+4)
		}
		if s.Len() != 1<<20 {
			b.Fatal(s.Len())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(1<<20), "ns/add")
}
