package mapping

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkUndoReaders: the undo (then redo, alternately) of a 64 MiB
// fill while another goroutine reads 64 bytes with ReadAt in a loop, as a
// frame or a search would: the step stored in parts of restorePart
// (part=4MiB, the default) against one hold for the whole step
// (part=whole, the old way). It reports the step's throughput (MB/s) and
// the longest a ReadAt waited (max-ReadAt-ms): with parts, about one
// part's copy; without, the whole step.
func BenchmarkUndoReaders(b *testing.B) {
	const n = 64 << 20
	for _, c := range []struct {
		name string
		part int64
	}{{"part=4MiB", 0}, {"part=whole", 1 << 62}} {
		b.Run(c.name, func(b *testing.B) {
			p := filepath.Join(b.TempDir(), "u.bin")
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				b.Fatal(err)
			}
			if err := os.Truncate(p, n); err != nil {
				b.Fatal(err)
			}
			f := open(b, p, Options{})
			f.restorePart = c.part
			if err := f.Fill(0, n, 0x5a); err != nil {
				b.Fatal(err)
			}
			var worst atomic.Int64
			stop, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				var buf [64]byte
				for off := int64(0); ; off = (off + 1<<20) % n {
					select {
					case <-stop:
						return
					default:
					}
					t0 := time.Now()
					f.ReadAt(buf[:], off)
					if w := int64(time.Since(t0)); w > worst.Load() {
						worst.Store(w)
					}
				}
			}()
			b.SetBytes(n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var err error
				if i%2 == 0 {
					_, err = f.Undo()
				} else {
					_, err = f.Redo()
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			close(stop)
			<-done
			b.ReportMetric(float64(worst.Load())/1e6, "max-ReadAt-ms")
		})
	}
}
