package lab

// pagepanel.go: the page panel (action page-panel, Ctrl-P): a minimap of
// the file's pages from the kernel's own figures (cachestat per cell,
// mincore when the file is small enough, see pagecache.PageMap), the pages
// edited here and not yet synced, the cursor's page and the visible window,
// the counts, the kernel's writeback timers and the system-wide Dirty: and
// Writeback:. It refreshes about 4 times a second while shown; the
// measuring runs on its own goroutine (Editor.Go: panic-safe; it never
// touches mapped memory), at most one at a time, so typing is not
// disturbed. Also the writeback action
// (sync_file_range(SYNC_FILE_RANGE_WRITE) on the whole file).

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"
	"golang.org/x/sys/unix"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/extents"
	"mmhex/mapping/pagecache"
	"mmhex/view"
)

const pagePanelName = "pages"

// probeState is a panel's background measurement: at most one runs at a
// time (busy) and the last result is kept (res). mu guards them, and may
// guard the panel's other fields too.
type probeState[T any] struct {
	mu   sync.Mutex
	busy bool
	res  *T
}

// finish keeps the result of a measurement and lets the next one start.
func (s *probeState[T]) finish(p *T) {
	s.mu.Lock()
	s.res, s.busy = p, false
	s.mu.Unlock()
}

func (s *probeState[T]) result() *T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.res
}

// startProbe runs a panel's measurement on a panic-safe goroutine (a panic
// restores the terminal), or at once when inline (a test's setting: the
// panels' field, not a package variable).
func startProbe(e *view.Editor, inline bool, run func()) {
	if inline {
		run()
		return
	}
	e.Go(run)
}

// addProbedPanel registers p, a panel that measures in the background
// (request): action toggles it and measures when it appears, and it
// measures again every pageRefresh while shown.
func addProbedPanel(e *view.Editor, p *view.Panel, action keymap.Action, request func()) {
	e.AddPanel(p)
	e.Handle(action, func(e *view.Editor, a view.Args) {
		if e.TogglePanel(p.Name) {
			request()
		}
	})
	e.EveryWhile(pageRefresh, func() bool { return e.PanelShown(p.Name) }, request)
}

// pageProbe is one measurement.
type pageProbe struct {
	m      pagecache.PageMap
	err    error
	tun    pagecache.WritebackTunables
	tunErr error
	sys    pagecache.SystemDirty
	sysErr error
	memfs  string // "tmpfs" (mapping.File.MemoryFS): no disk behind the pages
	holes  []bool // per cell: every page of it lies in a hole (SEEK_HOLE)
	at     time.Time
	f      *mapping.File // the file measured (mmhex A B: the side active then)
}

type pagePanel struct {
	e      *view.Editor
	inline bool // measure on the calling goroutine (tests)

	probeState[pageProbe]
	hist chartHistory // the chart's samples (guarded by mu)
	// histFile is the file hist's samples are of: in mmhex A B a switch
	// of the active side starts the chart anew (guarded by mu).
	histFile *mapping.File
	// now is the clock of the samples (nil: time.Now; tests set it).
	now func() time.Time
	// The chart's samples while the panel is hidden (hiddenSample):
	// the last one's time, and one at a time (guarded by mu).
	lastHidden time.Time
	sampling   bool

	// The writeback action's last run: its result and the figures right
	// after the call.
	wb      mapping.SyncResult
	wbAfter pagecache.PageTotals
	hasWB   bool
	wbFile  *mapping.File // the file written back (mmhex A B: its side)
}

// Glyphs and colours of the map.
var (
	pageGlyph = map[pagecache.CellState]rune{
		pagecache.CellUnknown:     '?',
		pagecache.CellNotResident: '░',
		pagecache.CellResident:    '▓',
		pagecache.CellDirty:       '█',
		pagecache.CellWriteback:   '▒',
	}
	pageStyle = map[pagecache.CellState]tcell.Style{
		pagecache.CellUnknown:     tcell.StyleDefault.Foreground(tcell.PaletteColor(8)),
		pagecache.CellNotResident: tcell.StyleDefault.Foreground(tcell.PaletteColor(8)),
		pagecache.CellResident:    tcell.StyleDefault.Foreground(tcell.PaletteColor(2)),
		pagecache.CellDirty:       tcell.StyleDefault.Foreground(tcell.PaletteColor(9)),
		pagecache.CellWriteback:   tcell.StyleDefault.Foreground(tcell.PaletteColor(11)),
	}
	editedGlyph    = '▲'
	holeGlyph      = '·'
	styleHole      = tcell.StyleDefault.Foreground(tcell.PaletteColor(244)).Background(tcell.PaletteColor(236))
	stylePanelHead = tcell.StyleDefault.Bold(true)
	stylePanelText = tcell.StyleDefault
	stylePanelNote = tcell.StyleDefault.Foreground(tcell.PaletteColor(3))
)

// pageRefresh is how often the panel measures while shown.
const pageRefresh = 250 * time.Millisecond

// PagePanel is the page panel feature (the page-panel and writeback
// actions), a new value for each editor.
func PagePanel() view.Feature { return &pagePanel{} }

func (pp *pagePanel) Name() string { return "page panel" }

func (pp *pagePanel) Register(e *view.Editor) error {
	pp.e = e
	e.AddPanel(&view.Panel{Name: pagePanelName, Side: view.Bottom, SizeFunc: pp.height, Draw: pp.draw})
	e.Handle(keymap.PagePanel, func(e *view.Editor, a view.Args) {
		if e.TogglePanel(pagePanelName) {
			pp.request()
		}
	})
	// The panel's tick measures while it is shown; while it is hidden the
	// same tick (no other wake-up) records the chart's figures every
	// hiddenEvery, so that the chart shows the last 60 s when it opens.
	// While polling is off (follow's inotify watch: no tick at all) the
	// chart records only at the changes that run the ticks (RunTicks).
	e.EveryWhile(pageRefresh, func() bool {
		return e.PanelShown(pagePanelName) || pp.hiddenDue()
	}, func() {
		if e.PanelShown(pagePanelName) {
			pp.request()
			return
		}
		pp.hiddenSample()
	})
	e.Handle(keymap.Writeback, func(e *view.Editor, a view.Args) { pp.writeback() })
	return nil
}

// mapRows is the number of minimap rows for a screen of height h.
func mapRows(h int) int {
	switch {
	case h >= 50:
		return 3
	case h >= 32:
		return 2
	}
	return 1
}

// height: counts, map rows, legend, kernel line, last line, and the chart
// on a tall screen. A pure function (layoutFor asks it, from Draw too).
func (pp *pagePanel) height(h int) int {
	return mapRows(h) + 4 + chartLines(h)
}

// chartIn is how many of a panel's h lines are the chart's: height gives
// a panel of 7 lines or more only with a chart (mapRows is 1 below the
// chart's screen height), so the panel's own height tells; Draw and the
// measurement (cellsFor) agree without keeping anything.
func chartIn(h int) int {
	if h >= 5+chartLines(30) {
		return chartLines(30)
	}
	return 0
}

// hiddenEvery is how often the chart records while the panel is hidden:
// once a second, at the panel's tick (every 4th). The samples' times keep
// a one-second grid (the last one's time + 1 s, while the ticks come), so
// that each of the chart's seconds holds exactly one.
const hiddenEvery = time.Second

func (pp *pagePanel) clock() time.Time {
	if pp.now != nil {
		return pp.now()
	}
	return time.Now()
}

// hiddenDue says whether the chart's next hidden sample is due (on the UI
// goroutine, at the panel's tick): the nearest tick to the next second.
func (pp *pagePanel) hiddenDue() bool {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return !pp.sampling && pp.clock().Sub(pp.lastHidden) >= hiddenEvery-pageRefresh/2
}

// hiddenSample records the chart's figures alone (the file's totals by
// one cachestat, /proc/meminfo's Dirty: and Writeback:), in the
// background: no page map, no frame of the panel.
func (pp *pagePanel) hiddenSample() {
	e := pp.e
	pp.mu.Lock()
	if pp.sampling {
		pp.mu.Unlock()
		return
	}
	at := pp.clock()
	if d := at.Sub(pp.lastHidden); !pp.lastHidden.IsZero() && d < 2*hiddenEvery {
		at = pp.lastHidden.Add(hiddenEvery) // on the grid
	}
	pp.sampling, pp.lastHidden = true, at
	pp.mu.Unlock()
	f := e.File()
	size := f.Size()
	startProbe(e, pp.inline, func() {
		cs := chartSample{at: at, fileDirty: pagecache.Unknown, fileWB: pagecache.Unknown, sysDirty: pagecache.Unknown, sysWB: pagecache.Unknown}
		if m, err := pagecache.Measure(f, 0, size, pagecache.PageMapOptions{Cells: 1, MincorePages: -1}); err == nil && m.CachestatErr == nil {
			cs.fileDirty, cs.fileWB = m.Totals.Dirty, m.Totals.Writeback
		}
		if sys, err := pagecache.ReadSystemDirty(); err == nil {
			cs.sysDirty, cs.sysWB = sys.Dirty, sys.Writeback
		}
		pp.mu.Lock()
		pp.addSample(f, cs)
		pp.sampling = false
		pp.mu.Unlock()
	})
}

// request starts a measurement unless one is running. The parameters are
// taken here, on the UI goroutine.
func (pp *pagePanel) request() {
	e := pp.e
	pp.mu.Lock()
	if pp.busy {
		pp.mu.Unlock()
		return
	}
	pp.busy = true
	pp.mu.Unlock()
	cells := 100
	if _, _, w, h, ok := e.PanelRect(pagePanelName); ok {
		cells = pp.cellsFor(w, h) // the map of the panel as it is on the screen
	}
	size := e.File().Size()
	vs, ve := e.VisibleRange()
	f := e.File()
	run := func() {
		p := &pageProbe{at: pp.clock(), f: f}
		p.m, p.err = pagecache.Measure(f, 0, size, pagecache.PageMapOptions{Cells: cells, VisibleOff: vs, VisibleLen: ve - vs})
		p.tun, p.tunErr = pagecache.ReadWritebackTunables()
		p.sys, p.sysErr = pagecache.ReadSystemDirty()
		p.memfs = pagecache.MemoryFS(f)
		if p.err == nil {
			p.holes = holeCells(f, &p.m, size)
		}
		cs := chartSample{at: p.at, fileDirty: pagecache.Unknown, fileWB: pagecache.Unknown, sysDirty: pagecache.Unknown, sysWB: pagecache.Unknown}
		if p.err == nil && p.m.CachestatErr == nil {
			cs.fileDirty, cs.fileWB = p.m.Totals.Dirty, p.m.Totals.Writeback
		}
		if p.sysErr == nil {
			cs.sysDirty, cs.sysWB = p.sys.Dirty, p.sys.Writeback
		}
		pp.mu.Lock()
		pp.addSample(f, cs)
		pp.mu.Unlock()
		pp.finish(p)
	}
	startProbe(e, pp.inline, run)
}

// addSample adds a chart sample of f (pp.mu held): the samples of
// another file (the other side of mmhex A B) are dropped first.
func (pp *pagePanel) addSample(f *mapping.File, cs chartSample) {
	if pp.histFile != f {
		pp.hist, pp.histFile = chartHistory{}, f
	}
	pp.hist.add(cs)
}

// holeCells says, per cell of m, whether every page of it lies in a hole
// of the file (lseek SEEK_DATA/SEEK_HOLE through mapping/extents): the
// page panel draws those cells as holes, not as pages not yet read.
func holeCells(f *mapping.File, m *pagecache.PageMap, size int64) []bool {
	n := len(m.Cells)
	if n == 0 {
		return nil
	}
	ps := m.PageSize
	out := make([]bool, n)
	extents.Ranges(f, 0, size, func(r extents.Range) error {
		if !r.Hole {
			return nil
		}
		first, last := (r.Off+ps-1)/ps, r.End/ps-1 // the pages wholly in the hole
		if r.End == size && size%ps != 0 {
			last = r.End / ps // the partial last page: the file ends in the hole
		}
		if last < first {
			return nil
		}
		ci, cj := m.CellOf(first), m.CellOf(last)
		if ci < 0 || cj < 0 {
			return nil
		}
		if first > 0 && m.CellOf(first-1) == ci { // the cell starts before the hole
			ci++
		}
		if m.CellOf(last+1) == cj && last+1 < (size+ps-1)/ps { // and ends after it
			cj--
		}
		for i := ci; i <= cj; i++ {
			out[i] = true
		}
		return nil
	})
	return out
}

// writeback starts writeback of every dirty page of the file and reports
// the figures right after the call: writeback started, not waited for.
func (pp *pagePanel) writeback() {
	e := pp.e
	if e.File().Mode() == mapping.Private {
		e.Message("private mapping (MAP_PRIVATE): edits never reach the file; nothing to write back")
		return
	}
	r, err := pagecache.StartWritebackRange(e.File(), 0, -1)
	if err != nil {
		e.ShowError(err)
		return
	}
	after, err := pagecache.Measure(e.File(), 0, e.File().Size(), pagecache.PageMapOptions{Cells: 1, MincorePages: -1})
	pp.mu.Lock()
	pp.wb, pp.hasWB, pp.wbFile = r, true, e.File()
	pp.wbAfter = after.Totals
	pp.mu.Unlock()
	msg := fmt.Sprintf("sync_file_range(SYNC_FILE_RANGE_WRITE): writeback started (%s, not waited for)",
		formatDuration(r.Duration))
	if err == nil && after.CachestatErr == nil {
		msg += fmt.Sprintf("; right after: writeback %d, dirty %d", after.Totals.Writeback, after.Totals.Dirty)
	}
	e.Message("%s", msg)
	if !e.PanelShown(pagePanelName) {
		e.ShowPanel(pagePanelName, true)
	}
	pp.request()
}

// pageUnit is "4 KiB" for the page size.
func pageUnit(ps int64) string {
	if ps%1024 == 0 {
		return fmt.Sprintf("%d KiB", ps/1024)
	}
	return fmt.Sprintf("%d B", ps)
}

// cellsFor is the number of map cells a panel of w×h shows: the map's rows
// (what the counts, legend, chart and last lines leave) by its width.
func (pp *pagePanel) cellsFor(w, h int) int {
	chart := chartIn(h)
	return max(w-2, 1) * max(h-4-chart, 1)
}

func (pp *pagePanel) draw(s tcell.Screen, x, y, w, h int) {
	e := pp.e
	chart := chartIn(h)
	rows := max(h-4-chart, 1)
	mw := max(w-2, 1)
	// Measured for this size when shown and at each tick (request asks
	// the editor where the panel is); Draw only draws the last result.
	p := pp.result()
	if p != nil && p.f != nil && p.f != e.File() {
		p = nil // measured before a switch of side (mmhex A B): the next tick measures this file
	}
	name := display.Name(e.FileName()) // the header has the path
	ps := e.File().PageSize()
	line := func(i int, text string, st tcell.Style) {
		if i < h {
			view.DrawText(s, x+1, y+i, w-1, text, st)
		}
	}
	if p == nil {
		line(0, fmt.Sprintf("pages of %s: measuring…", name), stylePanelHead)
		return
	}
	if p.err != nil {
		line(0, fmt.Sprintf("pages of %s: %v", name, p.err), styleError)
		return
	}
	m := p.m
	t := m.Totals
	fig := pagecache.FigureString
	counts := fmt.Sprintf("cached %s  dirty %s  writeback %s  evicted %s", fig(t.Cached), fig(t.Dirty), fig(t.Writeback), fig(t.Evicted))
	if m.CachestatErr != nil {
		counts = "cached, dirty, writeback, evicted: unknown"
	}
	figs := fmt.Sprintf("%d × %s  resident %s  %s  edited %d", t.Pages, pageUnit(ps), fig(t.Resident), counts, t.Edited)
	head := fmt.Sprintf("pages of %s: %s", name, figs)
	// On a narrow screen the figures go first: drop the name, then the
	// double spaces, the most telling figures first (what a cut loses is
	// at the end).
	if uniseg.StringWidth(head) > w-1 {
		head = figs
		if uniseg.StringWidth(head) > w-1 {
			head = fmt.Sprintf("%d × %s dirty %s writeback %s edited %d resident %s cached %s evicted %s",
				t.Pages, pageUnit(ps), fig(t.Dirty), fig(t.Writeback), t.Edited, fig(t.Resident), fig(t.Cached), fig(t.Evicted))
		}
	}
	line(0, head, stylePanelHead)

	// The map.
	cur := -1
	vFirst, vLast := -1, -1
	if e.Size() > 0 {
		cur = m.CellOf(e.Cursor() / ps)
		vs, ve := e.VisibleRange()
		if ve > vs {
			vFirst, vLast = m.CellOf(vs/ps), m.CellOf((ve-1)/ps)
		}
	}
	for i, c := range m.Cells {
		r, col := i/mw, i%mw
		if r >= rows || 1+r >= h {
			break
		}
		g, st := pageGlyph[c.State], pageStyle[c.State]
		if i < len(p.holes) && p.holes[i] && c.State != pagecache.CellDirty && c.State != pagecache.CellWriteback {
			g, st = holeGlyph, styleHole
		}
		if c.Edited > 0 {
			g = editedGlyph
		}
		if i >= vFirst && i <= vLast && vFirst >= 0 {
			st = st.Underline(true)
		}
		if i == cur {
			st = st.Reverse(true)
		}
		s.SetContent(x+1+col, y+1+r, g, nil, st)
	}
	// The scale: the first of these that fits the rest of the legend line.
	per := []string{"1 cell = 1 page"}
	if len(m.Cells) > 0 && t.Pages > int64(len(m.Cells)) {
		n := (t.Pages + int64(len(m.Cells)) - 1) / int64(len(m.Cells))
		per = []string{fmt.Sprintf("1 cell = ~%d pages", n), "1 cell ≈ " + display.HumanBytes(n*ps), "cell ≈ " + display.HumanBytes(n*ps)}
	}
	pp.drawLegend(s, x+1, y+1+rows, w-1, per, slices.Contains(p.holes, true))
	if 2+rows < h {
		kl := "kernel: "
		if p.tunErr != nil {
			kl += p.tunErr.Error()
		} else {
			kl += p.tun.String()
		}
		if p.sysErr != nil {
			kl += ";  " + p.sysErr.Error()
		} else {
			kl += ";  " + p.sys.String()
		}
		line(2+rows, kl, stylePanelText)
	}
	line(3+rows, pp.lastLine(p), stylePanelNote)
	if chart > 0 && 4+rows < h {
		pp.mu.Lock()
		samples := append([]chartSample(nil), pp.hist.samples...)
		pp.mu.Unlock()
		drawChart(s, x+1, y+4+rows, w-1, samples, p.at)
	}
}

func (pp *pagePanel) drawLegend(s tcell.Screen, x, y, w int, per []string, holes bool) {
	end := x + w
	item := func(g rune, st tcell.Style, label string) {
		if x+2 > end {
			return
		}
		s.SetContent(x, y, g, nil, st)
		x = view.DrawText(s, x+2, y, end-x-2, label, stylePanelText) + 2
	}
	item(pageGlyph[pagecache.CellNotResident], pageStyle[pagecache.CellNotResident], "not resident")
	item(pageGlyph[pagecache.CellResident], pageStyle[pagecache.CellResident], "resident")
	item(pageGlyph[pagecache.CellDirty], pageStyle[pagecache.CellDirty], "dirty")
	item(pageGlyph[pagecache.CellWriteback], pageStyle[pagecache.CellWriteback], "writeback")
	item(editedGlyph, pageStyle[pagecache.CellDirty], "edited, unsynced")
	item(pageGlyph[pagecache.CellUnknown], pageStyle[pagecache.CellUnknown], "unknown")
	if holes { // only for a map that shows some: the scale keeps its room
		item(holeGlyph, styleHole, "hole")
	}
	if x < end {
		x = view.DrawText(s, x, y, end-x, "│ ", styleSep)
	}
	if x < end {
		x = view.DrawText(s, x, y, end-x, "on screen", stylePanelText.Underline(true))
		x += 2
	}
	if x < end {
		x = view.DrawText(s, x, y, end-x, "cursor", stylePanelText.Reverse(true))
		x += 2
	}
	for i, p := range per {
		if x < end && (i == len(per)-1 || uniseg.StringWidth(p) <= end-x) {
			view.DrawText(s, x, y, end-x, p, stylePanelText)
			break
		}
	}
}

// lastLine explains what the figures mean right now: why there are none,
// or what the last sync or writeback did and why pages are still dirty.
func (pp *pagePanel) lastLine(p *pageProbe) string {
	e := pp.e
	m, t := p.m, p.m.Totals
	switch {
	case errors.Is(m.CachestatErr, unix.ENOSYS):
		return "cachestat unavailable (Linux < 6.5): cached, dirty, writeback unknown; the map shows mincore and your edits"
	case errors.Is(m.CachestatErr, unix.EPERM) && errors.Is(m.MincoreErr, pagecache.ErrResidencyUnknown):
		return "unknown: the kernel hides the page cache of files you neither own nor can write (cachestat EPERM; mincore would lie)"
	case errors.Is(m.CachestatErr, unix.EPERM):
		return "cachestat refused (EPERM): cached, dirty, writeback unknown; the map shows mincore and your edits"
	case m.CachestatErr != nil:
		return fmt.Sprintf("cachestat failed: %v; the map shows mincore and your edits", m.CachestatErr)
	}
	if e.File().Mode() == mapping.Private {
		if t.Dirty > 0 {
			are := "are"
			if t.Dirty == 1 {
				are = "is"
			}
			return fmt.Sprintf("MAP_PRIVATE: your edits (▲) are copies in this process, never written; the file's %s %s not from them",
				plural(int(t.Dirty), "dirty page"), are)
		}
		return "MAP_PRIVATE: your edits (▲) are copies in this process, never written to the file; the counts are the file's pages"
	}
	if p.memfs != "" {
		// Nothing is ever written: "memory and disk agree" or "written
		// and waited for" would be false.
		return fmt.Sprintf("%s keeps files in memory only: there is no disk behind these pages; msync and writeback have nothing to write", p.memfs)
	}
	expire := ""
	if p.tunErr == nil {
		expire = fmt.Sprintf(" (dirty_expire %s)", trimSeconds(p.tun.DirtyExpire()))
	}
	pp.mu.Lock()
	wb, wbAfter, hasWB := pp.wb, pp.wbAfter, pp.hasWB && pp.wbFile == e.File()
	pp.mu.Unlock()
	ls, hasSync := e.File().LastSync()
	if hasWB && (!hasSync || wb.At.After(ls.At)) {
		return fmt.Sprintf("last: sync_file_range(SYNC_FILE_RANGE_WRITE), no wait: right after writeback %s dirty %s; now writeback %d dirty %d",
			pagecache.FigureString(wbAfter.Writeback), pagecache.FigureString(wbAfter.Dirty), t.Writeback, t.Dirty)
	}
	key := e.SyncKey()
	if hasSync {
		if strings.HasPrefix(ls.Flag, "MS_ASYNC") {
			// MS_ASYNC wrote nothing: the edits stay unsynced (▲) until
			// the sync key writes them.
			if t.Dirty > 0 || t.Writeback > 0 {
				verb := "wait"
				if t.Dirty == 1 {
					verb = "waits"
				}
				return fmt.Sprintf("last: msync(%s), a no-op on Linux: %s %s for kernel writeback%s or %s",
					ls.Flag, plural(int(t.Dirty), "dirty page"), verb, expire, key)
			}
			return fmt.Sprintf("last: msync(%s), a no-op on Linux; written back since (dirty 0), still unsynced until %s", ls.Flag, key)
		}
		if t.Dirty > 0 && t.Edited == 0 {
			return fmt.Sprintf("last: msync(%s) — %s written and waited for; dirty now %d, not your edits (%s writes them)",
				ls.Flag, plural(ls.Pages, "page"), t.Dirty, key)
		}
		return fmt.Sprintf("last: msync(%s) — %s written and waited for; dirty now %d", ls.Flag, plural(ls.Pages, "page"), t.Dirty)
	}
	if t.Dirty > 0 {
		they := "they reach"
		if t.Dirty == 1 {
			they = "it reaches"
		}
		if e.File().Mode() == mapping.ReadOnly {
			return fmt.Sprintf("%s: %s the disk by kernel writeback%s (read-only here: %s does not sync)",
				plural(int(t.Dirty), "dirty page"), they, expire, key)
		}
		return fmt.Sprintf("%s: %s the disk by %s, the writeback action, or kernel writeback%s",
			plural(int(t.Dirty), "dirty page"), they, key, expire)
	}
	if errors.Is(m.MincoreErr, pagecache.ErrMincoreSkipped) {
		return fmt.Sprintf("resident: mincore skipped for files over %d pages (it costs ~40 ms a GiB); cached is cachestat's count", pagecache.DefaultMincorePages)
	}
	return "no dirty pages: memory and disk agree"
}

// trimSeconds formats d as "30 s" or "0.5 s".
func trimSeconds(d time.Duration) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", d.Seconds()), "0"), ".") + " s"
}
