package view

import (
	"os"
	"testing"

	"mmhex/mapping"
)

// BenchmarkDrawFrame draws one 200×60 frame (fit width, inspector shown)
// into the screen's cell buffer: one ReadAt of the visible bytes plus the
// inspector's 8. (Showing it is the terminal's cost: the simulation
// screen's Show is not the editor's.)
func BenchmarkDrawFrame(b *testing.B) {
	p, err := makeDemo(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	h := newHarness(b, p, 200, 60, mapping.Options{}, Options{FitWidth: true, Inspector: true})
	h.e.SetCursor(0x1000)
	b.ReportAllocs()
	for b.Loop() {
		h.e.root.Draw(h.sim)
	}
}

// BenchmarkDrawFrame1TiB is the same frame at the end of a 1 TiB sparse
// file: the cost does not depend on the file size.
func BenchmarkDrawFrame1TiB(b *testing.B) {
	p := writeFile(b, "huge.bin", nil)
	if err := os.Truncate(p, 1<<40); err != nil {
		b.Skip(err)
	}
	h := newHarness(b, p, 200, 60, mapping.Options{}, Options{FitWidth: true, Inspector: true})
	h.e.SetCursor(1<<40 - 1)
	b.ReportAllocs()
	for b.Loop() {
		h.e.root.Draw(h.sim)
	}
}
