package lab

import (
	"strings"
	"testing"
	"time"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/view"
)

// TestChartCells: one cell a second, the newest on the right, the largest
// dirty+writeback of each second scaled to the peak (any figure above 0 is
// above the baseline), blank where no sample or only unknown figures fell,
// samples 60 s old or more left out; the history keeps 60 s.
func TestChartCells(t *testing.T) {
	now := time.Unix(1000, 0)
	at := func(secs float64, d, w int64) chartSample {
		return chartSample{at: now.Add(-time.Duration(secs * float64(time.Second))), fileDirty: d, fileWB: w}
	}
	samples := []chartSample{
		at(60, 99, 99), // too old
		at(59.5, 2, 0), // cell 0
		at(30, 0, 0),   // cell 29: baseline
		at(10, -1, 0),  // unknown: blank
		at(1.2, 4, 4),  // cell 58: writeback
		at(0.9, 1, 0),  // cell 59, with the next
		at(0, 8, 0),    // cell 59: the peak
		at(-1, 100, 0), // in the future: left out
	}
	cells := buckets(samples, now, func(c chartSample) int64 { return c.fileDirty }, func(c chartSample) int64 { return c.fileWB })
	peak := peakOf(cells)
	if peak != 8 {
		t.Fatalf("peak %d, want 8", peak)
	}
	want := "▃" + strings.Repeat(" ", 28) + "▁" + strings.Repeat(" ", 28) + "██"
	if got := string(spark(cells, peak)); got != want {
		t.Errorf("spark\n got %q\nwant %q", got, want)
	}
	if !cells[58].wb || cells[59].wb || cells[0].wb {
		t.Errorf("writeback cells: %v %v %v", cells[0].wb, cells[58].wb, cells[59].wb)
	}
	// levels: 1 of 8 is one step up, 4 of 8 the middle
	var c [chartSpan]chartCell
	c[0], c[1], c[2] = chartCell{1, false, true}, chartCell{4, false, true}, chartCell{0, false, true}
	if got := string(spark(c, 8)[:3]); got != "▂▅▁" {
		t.Errorf("levels %q", got)
	}
	var h chartHistory
	for i := 0; i <= 100; i++ {
		h.add(chartSample{at: now.Add(time.Duration(i) * time.Second)})
	}
	if len(h.samples) != 60 || !h.samples[0].at.Equal(now.Add(41*time.Second)) {
		t.Errorf("history keeps %d samples from %v", len(h.samples), h.samples[0].at)
	}
}

// TestPagePanelChart: on a screen of 30 rows or more the page panel ends
// with the chart of the file's and the system's dirty and writeback
// figures; after an edit (a dirty page) the file's newest cell is the peak
// (█, in the dirty colour) and the line says the figures now; on 24 rows
// there is no chart.
func TestPagePanelChart(t *testing.T) {
	path := pagesFile(t, 16, 0)
	h := newInlineHarness(t, path, 140, 40, mapping.Options{}, view.Options{Name: "pages.bin"})
	h.E.SetCursor(3 * 4096)
	h.Type("41")
	h.Press("Ctrl-P")
	scr := h.Draw()
	var fileLine, sysLine string
	lines := strings.Split(scr, "\n")
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, " file   "):
			fileLine = l
		case strings.HasPrefix(l, " system "):
			sysLine = l
		}
	}
	if fileLine == "" || sysLine == "" {
		t.Fatalf("no chart lines:\n%s", scr)
	}
	cs, _ := kernelFigures(t, path)
	if cs.Dirty+cs.Writeback > 0 {
		spark := []rune(fileLine)[8 : 8+chartSpan]
		if spark[chartSpan-1] != '█' {
			t.Errorf("the newest cell of a dirty file: %q", string(spark))
		}
		x, y, _ := h.Find(fileLine)
		if _, st := h.Cell(x+8+chartSpan-1, y); st != styleChartDirty && st != styleChartWB {
			t.Errorf("the newest cell's style: %v", st)
		}
	}
	if !strings.Contains(fileLine, "last 60 s, peak ") || !strings.Contains(fileLine, "; now dirty ") {
		t.Errorf("file line: %q", fileLine)
	}
	if !strings.Contains(sysLine, "; now Dirty ") || !strings.Contains(sysLine, " kB Writeback ") {
		t.Errorf("system line: %q", sysLine)
	}

	short := newInlineHarness(t, path, 140, 24, mapping.Options{}, view.Options{Name: "pages.bin"})
	short.Press("Ctrl-P")
	if s := short.Draw(); strings.Contains(s, "last 60 s") {
		t.Errorf("a chart on 24 rows:\n%s", s)
	}
}

// TestChartRecordsHidden: the chart records from the editor's start, on
// the panel's own tick, while the panel is hidden (every 4th tick: one
// sample a second), so that opening it shows the seconds before. The
// editor's ticks run for n seconds (a fake clock, RunTicks as Run's
// tickers would), the panel opens: the newest n+1 cells of both lines hold
// a sample ('▁' for the file: clean, synced), the older cells are blank;
// after 70 s every cell holds one. Nothing is measured for the map while
// hidden (no page map probe).
func TestChartRecordsHidden(t *testing.T) {
	for _, c := range []struct {
		n      int
		jitter time.Duration // the ticks come late by this, every other one
	}{{20, 0}, {70, 0}, {20, 60 * time.Millisecond}} {
		n := c.n
		path := pagesFile(t, 16, 0)
		h := newInlineHarness(t, path, 140, 40, mapping.Options{}, view.Options{Name: "pages.bin"})
		start := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
		clock := start
		h.pp.now = func() time.Time { return clock }
		for i := range n * int(time.Second/pageRefresh) {
			clock = start.Add(time.Duration(i) * pageRefresh)
			if i%2 == 1 {
				clock = clock.Add(c.jitter)
			}
			h.E.RunTicks()
		}
		clock = start.Add(time.Duration(n) * time.Second)
		h.pp.mu.Lock()
		got, probe := len(h.pp.hist.samples), h.pp.res
		h.pp.mu.Unlock()
		if want := min(n, chartSpan); got != want || probe != nil {
			t.Fatalf("%d s hidden: %d samples (want %d), a page map probe: %v", n, got, want, probe != nil)
		}
		h.Press("Ctrl-P")
		scr := h.Draw()
		var fileLine, sysLine string
		for _, l := range strings.Split(scr, "\n") {
			switch {
			case strings.HasPrefix(l, " file   "):
				fileLine = l
			case strings.HasPrefix(l, " system "):
				sysLine = l
			}
		}
		if fileLine == "" || sysLine == "" {
			t.Fatalf("no chart lines:\n%s", scr)
		}
		filled := min(n+1, chartSpan) // the seconds 0..n: the open's probe is at n
		want := strings.Repeat(" ", chartSpan-filled) + strings.Repeat("▁", filled)
		if spark := string([]rune(fileLine)[8 : 8+chartSpan]); spark != want {
			t.Errorf("%d s: file cells\n got %q\nwant %q", n, spark, want)
		}
		x, y, _ := h.Find(fileLine)
		for j := range chartSpan {
			if r, st := h.Cell(x+8+j, y); r != ' ' && st != styleChartDirty {
				t.Errorf("%d s: file cell %d style %v", n, j, st)
			}
		}
		sys := []rune(sysLine)[8 : 8+chartSpan]
		for j, r := range sys {
			if blank := j < chartSpan-filled; blank != (r == ' ') || (!blank && !strings.ContainsRune("▁▂▃▄▅▆▇█", r)) {
				t.Errorf("%d s: system cell %d is %q: %q", n, j, r, string(sys))
			}
		}
	}
}

// BenchmarkHiddenSample: what the chart's sample costs while the panel is
// hidden (once a second): one cachestat over the file and /proc/meminfo.
func BenchmarkHiddenSample(b *testing.B) {
	path := writeFile(b, "pages.bin", make([]byte, 64<<20))
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for b.Loop() {
		if _, err := pagecache.Measure(f, 0, f.Size(), pagecache.PageMapOptions{Cells: 1, MincorePages: -1}); err != nil {
			b.Fatal(err)
		}
		if _, err := pagecache.ReadSystemDirty(); err != nil {
			b.Fatal(err)
		}
	}
}
