package view

import (
	"flag"
	"math/rand/v2"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// BenchmarkScatteredEdits: 10^6 one-byte edits through the editor at
// every other byte of a 2 MB file in a shuffled order, then 10^6 undos and
// 10^6 redos (the editor's undo: journal, highlight set, cursor,
// message). Reports the heap bytes an edit holds (journal, unsynced pages
// and both highlight sets) and the CPU time of each operation; every one
// is O(log n), so none depends on how many edits there are.
var scatterN = flag.Int("scatter.n", 1_000_000, "edits in BenchmarkScatteredEdits")

func BenchmarkScatteredEdits(b *testing.B) {
	n := *scatterN
	order := rand.New(rand.NewPCG(5, 6)).Perm(n)
	p := writeFile(b, "scatter.bin", make([]byte, 2*n))
	for b.Loop() {
		h := newHarness(b, p, 120, 40, mapping.Options{}, Options{})
		e := h.e
		h0 := testenv.HeapNow()
		c0 := testenv.CPUTime()
		for k, i := range order {
			if err := e.WriteAt([]byte{byte(k) | 1}, int64(2*i)); err != nil {
				b.Fatal(err)
			}
		}
		c1 := testenv.CPUTime()
		h1 := testenv.HeapNow()
		for range n {
			if !e.undo(false) {
				b.Fatal("undo failed")
			}
		}
		c2 := testenv.CPUTime()
		for range n {
			if !e.undo(true) {
				b.Fatal("redo failed")
			}
		}
		c3 := testenv.CPUTime()
		b.ReportMetric(float64(h1-h0)/float64(n), "B/edit")
		b.ReportMetric(float64(c1-c0)/float64(n), "cpu-ns/edit")
		b.ReportMetric(float64(c2-c1)/float64(n), "cpu-ns/undo")
		b.ReportMetric(float64(c3-c2)/float64(n), "cpu-ns/redo")
		h.f.RevertAll()
		h.f.Close()
	}
}
