package mapping

import (
	"math/rand/v2"
	"testing"

	"mmhex/mapping/testenv"
)

// BenchmarkJournalScattered makes 10^6 one-byte edits at every other
// byte of a 2 MB file in a shuffled order, undoes them all and redoes them
// all. It reports the heap bytes each edit holds (journal and unsynced
// page set) and the CPU time of an edit, an undo and a redo.
func BenchmarkJournalScattered(b *testing.B) {
	const n = 1_000_000
	order := rand.New(rand.NewPCG(3, 4)).Perm(n)
	p := testenv.WriteFile(b, "scatter.bin", make([]byte, 2*n))
	for b.Loop() {
		f, err := Open(p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		h0 := testenv.HeapNow()
		c0 := testenv.CPUTime()
		for k, i := range order {
			if _, err := f.WriteAt([]byte{byte(k) | 1}, int64(2*i)); err != nil {
				b.Fatal(err)
			}
		}
		c1 := testenv.CPUTime()
		h1 := testenv.HeapNow()
		for range n {
			if _, err := f.Undo(); err != nil {
				b.Fatal(err)
			}
		}
		c2 := testenv.CPUTime()
		for range n {
			if _, err := f.Redo(); err != nil {
				b.Fatal(err)
			}
		}
		c3 := testenv.CPUTime()
		b.ReportMetric(float64(h1-h0)/n, "B/edit")
		b.ReportMetric(float64(c1-c0)/n, "cpu-ns/edit")
		b.ReportMetric(float64(c2-c1)/n, "cpu-ns/undo")
		b.ReportMetric(float64(c3-c2)/n, "cpu-ns/redo")
		f.RevertAll()
		f.Close()
	}
}
