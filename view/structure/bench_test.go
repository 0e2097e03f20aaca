package structure

import (
	"os"
	"strings"
	"testing"
	"time"

	"mmhex/view"
)

// BenchmarkOpenPanel: from the structure key to the first frame with the
// tree, on the file named by $MMHEX_BENCH_FILE (bench/decode.sh makes a
// 1 GiB ELF; a go test must not write one): format detection, the
// top-level fields and instances, the frame. Skipped without the variable.
func BenchmarkOpenPanel(b *testing.B) {
	p := os.Getenv("MMHEX_BENCH_FILE")
	if p == "" {
		b.Skip("set MMHEX_BENCH_FILE to a large ELF file (bench/decode.sh does)")
	}
	var worst time.Duration
	for range b.N {
		b.StopTimer()
		h := newHarness(b, p, 120, 40, view.Options{})
		b.StartTimer()
		start := time.Now()
		h.Press("Alt-t")
		screen := h.Draw()
		worst = max(worst, time.Since(start))
		b.StopTimer()
		if !strings.Contains(screen, "structure: elf") || !strings.Contains(screen, "section_headers") {
			b.Fatalf("panel:\n%s", screen)
		}
		h.F.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}
