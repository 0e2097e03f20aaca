package lab

// chart.go: the page panel's chart of the last 60 seconds: the file's
// dirty and writeback pages (cachestat) and the system's Dirty: and
// Writeback: (/proc/meminfo), one cell a second, so that the drain of
// dirty pages (30 s after MS_ASYNC, dirty_expire) is seen rather than read
// about. The samples are the panel's own measurements (4 a second while it
// is shown) and, while it is hidden, the figures alone taken at the
// panel's tick every hiddenEvery from the editor's start, so that the
// chart shows the last 60 s when it opens (pagePanel.hiddenSample).

import (
	"fmt"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/mapping/pagecache"
	"mmhex/view"
)

// chartSpan is the seconds the chart shows, one cell each.
const chartSpan = 60

// chartSample is one measurement's figures; Unknown (-1) where the kernel
// did not say.
type chartSample struct {
	at                time.Time
	fileDirty, fileWB int64 // pages
	sysDirty, sysWB   int64 // bytes
}

// chartHistory keeps the samples of the last chartSpan seconds.
type chartHistory struct{ samples []chartSample }

func (h *chartHistory) add(s chartSample) {
	h.samples = append(h.samples, s)
	cut := 0
	for cut < len(h.samples) && s.at.Sub(h.samples[cut].at) >= chartSpan*time.Second {
		cut++
	}
	h.samples = append(h.samples[:0], h.samples[cut:]...)
}

// chartCell is one second: the largest total (dirty + writeback) of its
// samples and whether writeback was under way; ok false when no sample
// (or only unknown figures) fell in it.
type chartCell struct {
	total int64
	wb    bool
	ok    bool
}

// buckets splits the samples into chartSpan cells ending at now (the
// newest second on the right) with the figures dirty and wb give.
func buckets(samples []chartSample, now time.Time, dirty, wb func(chartSample) int64) [chartSpan]chartCell {
	var cells [chartSpan]chartCell
	for _, s := range samples {
		age := int(now.Sub(s.at) / time.Second)
		if age < 0 || age >= chartSpan {
			continue
		}
		d, w := dirty(s), wb(s)
		if d < 0 || w < 0 {
			continue
		}
		c := &cells[chartSpan-1-age]
		c.total = max(c.total, d+w)
		c.wb = c.wb || w > 0
		c.ok = true
	}
	return cells
}

// sparkGlyphs: 0 is the baseline; anything above 0 is at least one step up.
var sparkGlyphs = []rune("▁▂▃▄▅▆▇█")

// spark is the glyph of each cell scaled to peak (' ' for no sample).
func spark(cells [chartSpan]chartCell, peak int64) []rune {
	out := make([]rune, chartSpan)
	for i, c := range cells {
		switch {
		case !c.ok:
			out[i] = ' '
		case c.total <= 0 || peak <= 0:
			out[i] = sparkGlyphs[0]
		default:
			steps := int64(len(sparkGlyphs) - 2) // 1..7: above the baseline
			out[i] = sparkGlyphs[1+min(c.total, peak)*steps/peak]
		}
	}
	return out
}

func peakOf(cells [chartSpan]chartCell) int64 {
	var p int64
	for _, c := range cells {
		if c.ok {
			p = max(p, c.total)
		}
	}
	return p
}

var (
	styleChartDirty = tcell.StyleDefault.Foreground(tcell.PaletteColor(9))
	styleChartWB    = tcell.StyleDefault.Foreground(tcell.PaletteColor(11)).Underline(true) // not by colour alone
)

// chartLines is how many lines the chart takes on a screen of height h
// (none on short screens: the map and figures come first).
func chartLines(h int) int {
	if h >= 30 {
		return 2
	}
	return 0
}

// drawChart draws the file's line and the system's at (x, y).
func drawChart(s tcell.Screen, x, y, w int, samples []chartSample, now time.Time) {
	last := chartSample{fileDirty: pagecache.Unknown, fileWB: pagecache.Unknown, sysDirty: pagecache.Unknown, sysWB: pagecache.Unknown}
	if len(samples) > 0 {
		last = samples[len(samples)-1]
	}
	fig := pagecache.FigureString
	kB := func(b int64) string {
		if b < 0 {
			return "unknown"
		}
		return fmt.Sprintf("%d kB", b/1024)
	}
	for i, ln := range []struct {
		label     string
		dirty, wb func(chartSample) int64
		now       string
		unit      func(int64) string
	}{
		{"file  ", func(c chartSample) int64 { return c.fileDirty }, func(c chartSample) int64 { return c.fileWB },
			fmt.Sprintf("dirty %s writeback %s", fig(last.fileDirty), fig(last.fileWB)), func(p int64) string { return fmt.Sprintf("%d pages", p) }},
		{"system", func(c chartSample) int64 { return c.sysDirty }, func(c chartSample) int64 { return c.sysWB },
			fmt.Sprintf("Dirty %s Writeback %s", kB(last.sysDirty), kB(last.sysWB)), kB},
	} {
		cells := buckets(samples, now, ln.dirty, ln.wb)
		peak := peakOf(cells)
		cx := view.DrawText(s, x, y+i, w, ln.label+" ", stylePanelText)
		for j, g := range spark(cells, peak) {
			if cx+j >= x+w {
				break
			}
			st := styleChartDirty
			if cells[j].wb {
				st = styleChartWB
			}
			s.SetContent(cx+j, y+i, g, nil, st)
		}
		cx += chartSpan + 1
		if cx < x+w {
			view.DrawText(s, cx, y+i, x+w-cx, fmt.Sprintf("last 60 s, peak %s; now %s", ln.unit(peak), ln.now), stylePanelText)
		}
	}
}
