package lab

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gdamore/tcell/v2"
	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
	"mmhex/view"
)

// pagesFile makes a file of n pages, each written by its own write(2) (so
// the page cache holds one-page folios and one store dirties one page),
// clean, with pages [0, evict) evicted.
func pagesFile(t *testing.T, n, evict int) string {
	t.Helper()
	ps := os.Getpagesize()
	path := filepath.Join(t.TempDir(), "pages.bin")
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	b := make([]byte, ps)
	for p := 0; p < n; p++ {
		for i := range b {
			b[i] = byte('A' + p%26)
		}
		if _, err := unix.Pwrite(fd, b, int64(p*ps)); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Fdatasync(fd); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fadvise(fd, 0, int64(evict*ps), unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
	return path
}

// evict drops clean, unmapped pages [a, b) of path from the page cache.
func evict(t *testing.T, path string, a, b int) {
	t.Helper()
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	ps := int64(os.Getpagesize())
	if err := unix.Fadvise(fd, int64(a)*ps, int64(b-a)*ps, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
}

// kernelFigures reads cachestat and mincore for the whole file with our
// own descriptor and mapping: the figures the panel must show.
func kernelFigures(t *testing.T, path string) (cs unix.Cachestat_t, resident []bool) {
	t.Helper()
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	if err := unix.Cachestat(uint(fd), &unix.CachestatRange{Off: 0, Len: uint64(st.Size)}, &cs, 0); err != nil {
		t.Fatal(err)
	}
	data, err := unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(data)
	ps := int64(os.Getpagesize())
	vec := make([]byte, (st.Size+ps-1)/ps)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatal(e)
	}
	for _, v := range vec {
		resident = append(resident, v&1 != 0)
	}
	return cs, resident
}

// panelTop is the screen row of the page panel's first line.
func panelTop(t *testing.T, h *harness) int {
	t.Helper()
	_, y, ok := h.Find("pages of ")
	if !ok { // a narrow screen: the figures without the name
		_, y, ok = h.Find(" × 4 KiB")
	}
	if !ok {
		t.Fatalf("no page panel on screen:\n%s", h.Draw())
	}
	return y
}

func countsLine(name string, cs unix.Cachestat_t, resident []bool, edited int) string {
	r := 0
	for _, v := range resident {
		if v {
			r++
		}
	}
	return fmt.Sprintf("pages of %s: %d × 4 KiB  resident %d  cached %d  dirty %d  writeback %d  evicted %d  edited %d",
		name, len(resident), r, cs.Cache, cs.Dirty, cs.Writeback, cs.Evicted, edited)
}

func screenLine(h *harness, y int) string {
	return strings.Split(h.Draw(), "\n")[y]
}

func TestPagePanel(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	// Pages [56, 64) are evicted after the editor has drawn and edited:
	// a fault reads around the faulting page, and mapped pages cannot be
	// evicted, so these are far from anything the editor touched.
	const pages, evictFrom = 64, 56
	path := pagesFile(t, pages, 0)
	h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "pages.bin"})
	// Edit one byte of pages 20 and 40 (typed in the hex column).
	h.E.SetCursor(20*4096 + 3)
	h.Type("41")
	h.E.SetCursor(40*4096 + 9)
	h.Type("42")
	h.E.SetCursor(40*4096 + 16)
	h.Draw()
	evict(t, path, evictFrom, pages)
	h.Press("Ctrl-P")
	h.Draw()
	y := panelTop(t, h)
	cs, res := kernelFigures(t, path)
	// Under heavy dirty load (system Dirty over dirty_background) the
	// flusher cleans pages at once: edit again, a few times.
	for try := 0; cs.Dirty != 2 && try < 5; try++ {
		t.Logf("the edited pages were written back at once (%+v); editing again", cs)
		h.E.SetCursor(20*4096 + 3)
		h.Type(fmt.Sprintf("%02x", 0x50+try))
		h.E.SetCursor(40*4096 + 9)
		h.Type(fmt.Sprintf("%02x", 0x60+try))
		h.E.SetCursor(40*4096 + 16)
		h.E.RunTicks()
		h.Draw()
		cs, res = kernelFigures(t, path)
	}
	if cs.Dirty != 2 {
		t.Skipf("the kernel writes dirty pages back at once here (system Dirty over dirty_background?): %+v", cs)
	}
	if cs.Cache != evictFrom {
		t.Fatalf("kernel: %+v; the test file is not as planned", cs)
	}
	if got, want := screenLine(h, y), " "+countsLine("pages.bin", cs, res, 2); got != want {
		t.Errorf("counts line\n got %q\nwant %q", got, want)
	}
	// 40 rows: two map rows of 118 cells: one cell per page.
	vs, ve := h.E.VisibleRange()
	for p := 0; p < pages; p++ {
		want, st := '▓', pageStyle[pagecache.CellResident]
		switch {
		case p >= evictFrom:
			want, st = '░', pageStyle[pagecache.CellNotResident]
		case p == 20 || p == 40:
			want, st = '▲', pageStyle[pagecache.CellDirty]
		}
		if int64(p) >= vs/4096 && int64(p) <= (ve-1)/4096 {
			st = st.Underline(true)
		}
		if p == 40 { // the cursor's page
			st = st.Reverse(true)
		}
		r, got := h.Cell(1+p, y+1)
		if r != want || got != st {
			t.Errorf("page %d: %c %v, want %c %v", p, r, got, want, st)
		}
	}
	if r, _ := h.Cell(1+pages, y+1); r != ' ' {
		t.Errorf("a cell after the last page: %c", r)
	}
	legend := screenLine(h, y+3)
	if !strings.HasPrefix(legend, " ░ not resident  ▓ resident  █ dirty  ▒ writeback  ▲ edited, unsynced  ? unknown  │ on screen  cursor  1 cell = 1 page") {
		t.Errorf("legend %q", legend)
	}
	tun, err := pagecache.ReadWritebackTunables()
	if err != nil {
		t.Fatal(err)
	}
	if k := screenLine(h, y+4); !strings.HasPrefix(k, " kernel: "+tun.String()+";  system Dirty: ") || !strings.Contains(k, " kB  Writeback: ") {
		t.Errorf("kernel line %q", k)
	}
	if l := screenLine(h, y+5); !strings.HasPrefix(l, " 2 dirty pages: they reach the disk by Ctrl-S, the writeback action, or kernel writeback (dirty_expire ") {
		t.Errorf("last line %q", l)
	}

	// MS_SYNC: clean at once.
	h.Press("Ctrl-S")
	h.E.RunTicks()
	h.Draw()
	cs, res = kernelFigures(t, path)
	if cs.Dirty != 0 {
		t.Fatalf("kernel says %d dirty after MS_SYNC", cs.Dirty)
	}
	if got, want := screenLine(h, y), " "+countsLine("pages.bin", cs, res, 0); got != want {
		t.Errorf("after MS_SYNC counts\n got %q\nwant %q", got, want)
	}
	if r, st := h.Cell(1+20, y+1); r != '▓' || st != pageStyle[pagecache.CellResident] {
		t.Errorf("page 20 after MS_SYNC: %c %v", r, st)
	}
	if l := screenLine(h, y+5); l != " last: msync(MS_SYNC) — 2 pages written and waited for; dirty now 0" {
		t.Errorf("after MS_SYNC last line %q", l)
	}

	// MS_ASYNC: the page stays dirty and edited (unsynced: not known to be
	// on disk), and the panel says why.
	h.E.SetCursor(30 * 4096)
	h.Type("43")
	h.Press("Ctrl-W")
	h.E.RunTicks()
	h.Draw()
	cs, res = kernelFigures(t, path)
	if got, want := screenLine(h, y), " "+countsLine("pages.bin", cs, res, 1); got != want {
		t.Errorf("after MS_ASYNC counts\n got %q\nwant %q", got, want)
	}
	if r, st := h.Cell(1+30, y+1); r != '▲' || st != pageStyle[pagecache.CellDirty].Reverse(true).Underline(true) {
		t.Errorf("page 30 after MS_ASYNC: %c %v", r, st)
	}
	if cs.Dirty != 1 {
		// Only memory pressure makes the flusher this quick; the rest
		// of the test (the writeback action) still runs.
		t.Logf("kernel writeback took the page already (%+v); MS_ASYNC's dirty page not checked", cs)
	} else {
		wantLast := fmt.Sprintf(" last: msync(MS_ASYNC), a no-op on Linux: 1 dirty page waits for kernel writeback (dirty_expire %s) or Ctrl-S",
			trimSeconds(tun.DirtyExpire()))
		if l := screenLine(h, y+5); l != wantLast {
			t.Errorf("after MS_ASYNC last line %q", l)
		}
	}

	// The writeback action: started at once, done soon, long before
	// dirty_expire. The page stays edited (▲): writeback was not waited
	// for, so nothing proves it on disk. A slow call (a loaded machine:
	// "31.0 ms") makes the line one cell too long for its last figure,
	// which the message line then ends with "…".
	h.Press("Alt-w")
	wbMsg := regexp.MustCompile(`^ sync_file_range\(SYNC_FILE_RANGE_WRITE\): writeback started \([0-9.]+ (ns|µs|ms|s), not waited for\); right after: writeback \d+, dirty( \d+|…)$`)
	if l := strings.Split(h.Draw(), "\n")[39]; !wbMsg.MatchString(l) {
		t.Errorf("message after the writeback action %q", l)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.E.RunTicks()
		h.Draw()
		if cs, _ := kernelFigures(t, path); cs.Dirty == 0 && cs.Writeback == 0 && strings.HasSuffix(screenLine(h, y+5), "; now writeback 0 dirty 0") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("page 30 still not clean 5 s after sync_file_range:\n%s", h.Draw())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r, _ := h.Cell(1+30, y+1); r != '▲' {
		t.Errorf("page 30 after the writeback action: %c, want ▲ (still unsynced)", r)
	}
	if l := screenLine(h, y+5); !strings.HasPrefix(l, " last: sync_file_range(SYNC_FILE_RANGE_WRITE), no wait: right after writeback ") || !strings.HasSuffix(l, "; now writeback 0 dirty 0") {
		t.Errorf("after writeback last line %q", l)
	}

	// Ctrl-P again hides it.
	h.Press("Ctrl-P")
	if _, _, ok := h.Find("pages of "); ok {
		t.Errorf("page panel still shown after a second Ctrl-P")
	}
}

// Groups of pages per cell, and the explanation lines for missing figures.
func TestPagePanelGroupsAndUnknown(t *testing.T) {
	path := pagesFile(t, 300, 0)
	h := newInlineHarness(t, path, 60, 24, mapping.Options{}, view.Options{Name: "pages.bin"})
	h.Press("Ctrl-P")
	h.Draw()
	y := panelTop(t, h)
	// 24 rows: one map row of 58 cells for 300 pages.
	if l := screenLine(h, y+2); !strings.Contains(l, "1 cell = ~6 pages") && !strings.HasPrefix(l, " ░ not resident") {
		t.Errorf("legend %q", l)
	}
	row := screenLine(h, y+1)
	if got := strings.Count(row, "▓"); got != 58 {
		t.Errorf("map row %q: %d resident cells, want 58", row, got)
	}

	pp := &pagePanel{e: h.E, inline: true}
	for _, c := range []struct {
		err  error
		min  error
		want string
	}{
		{fmt.Errorf("x: cachestat: %w", unix.ENOSYS), nil, "cachestat unavailable (Linux < 6.5): cached, dirty, writeback unknown; the map shows mincore and your edits"},
		{fmt.Errorf("x: cachestat: %w", unix.EPERM), fmt.Errorf("x: %w", pagecache.ErrResidencyUnknown), "unknown: the kernel hides the page cache of files you neither own nor can write (cachestat EPERM; mincore would lie)"},
	} {
		p := &pageProbe{m: pagecache.PageMap{CachestatErr: c.err, MincoreErr: c.min}}
		if got := pp.lastLine(p); got != c.want {
			t.Errorf("lastLine(%v)\n got %q\nwant %q", c.err, got, c.want)
		}
	}
}

// The panel draws "unknown" cells and figures as such, never as zero.
func TestPagePanelUnknownCells(t *testing.T) {
	path := pagesFile(t, 4, 0)
	h := newInlineHarness(t, path, 80, 20, mapping.Options{}, view.Options{Name: "p"})
	pp := &pagePanel{e: h.E, inline: true}
	u := pagecache.Unknown
	pp.res = &pageProbe{m: pagecache.PageMap{PageSize: 4096, Totals: pagecache.PageTotals{Pages: 4, Resident: u, Cached: u, Dirty: u, Writeback: u, Evicted: u, RecentlyEvicted: u},
		Cells:        []pagecache.PageCell{{FirstPage: 0, Pages: 1}, {FirstPage: 1, Pages: 1}, {FirstPage: 2, Pages: 1}, {FirstPage: 3, Pages: 1}},
		CachestatErr: fmt.Errorf("cachestat: %w", unix.EPERM), MincoreErr: pagecache.ErrResidencyUnknown}}
	_, line := drawPanel(pp, 120, 6)
	if got, want := line(0), " pages of p: 4 × 4 KiB  resident unknown  cached, dirty, writeback, evicted: unknown  edited 0"; got != want {
		t.Errorf("counts\n got %q\nwant %q", got, want)
	}
	if got := line(1); got != " ????" {
		t.Errorf("map %q", got)
	}
}

// A file we neither own nor may write: cachestat says EPERM and mincore
// would lie, so the panel says the figures are unknown, never 0. Runs this
// test binary again as nobody.
func TestPagePanelNotOwner(t *testing.T) {
	if path := os.Getenv("MMHEX_PANEL_NOT_OWNER"); path != "" {
		h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "root.bin"})
		h.Press("Ctrl-P")
		h.Draw()
		y := panelTop(t, h)
		if got, want := screenLine(h, y), " pages of root.bin: 3 × 4 KiB  resident unknown  cached, dirty, writeback, evicted: unknown  edited 0"; got != want {
			t.Errorf("counts\n got %q\nwant %q", got, want)
		}
		if got := screenLine(h, y+1); got != " ???" {
			t.Errorf("map %q", got)
		}
		if got, want := screenLine(h, y+5), " unknown: the kernel hides the page cache of files you neither own nor can write (cachestat EPERM; mincore would lie)"; got != want {
			t.Errorf("last line\n got %q\nwant %q", got, want)
		}
		return
	}
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screen assumes 4 KiB pages")
	}
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "needs root to run a child as another user")
	}
	setpriv := testenv.RequireTool(t, "setpriv")
	dir, err := os.MkdirTemp("", "mmhex-panel-notowner")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "root.bin")
	if err := os.WriteFile(path, make([]byte, 3*4096), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		os.Args[0], "-test.run=^TestPagePanelNotOwner$", "-test.v")
	cmd.Env = append(os.Environ(), "MMHEX_PANEL_NOT_OWNER="+path, "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestPagePanelNotOwner") {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
}

// Without newInlineHarness the panels measure on a background goroutine
// (Editor.Go); the UI goroutine only starts it and draws the last result,
// so typing goes on while a measurement runs. The result arrives with a
// later frame, and an edit typed meanwhile shows up in a later one.
func TestPagePanelMeasuresInBackground(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	path := pagesFile(t, 8, 0)
	h := newHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "bg.bin"})
	if h.pp.inline || h.dv.inline {
		t.Fatal("the panels measure inline")
	}
	h.Press("Ctrl-P", "Ctrl-D")
	waitScreen := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			h.E.RunTicks()
			scr := h.Draw()
			if strings.Contains(scr, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen did not show %q within 10 s:\n%s", want, scr)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitScreen("pages of bg.bin: 8 × 4 KiB  resident 8  cached 8  dirty 0")
	waitScreen("memory and disk agree")
	h.Type("41")
	waitScreen("pages of bg.bin: 8 × 4 KiB  resident 8  cached 8  dirty ")
	waitScreen("  edited 1")
	if cs, _ := kernelFigures(t, path); cs.Dirty == 1 {
		waitScreen(" 1 dirty page: it reaches the disk by Ctrl-S, the writeback action, or kernel writeback (dirty_expire ")
	}
}

// Without cachestat (Linux < 6.5: ENOSYS) the panel shows what mincore and
// the journal give, says the rest is unknown, and shows no false 0: the
// counts line names the missing figures, the cells come from mincore
// (a cell mincore did not measure is '?', not '░'), the edited page is ▲.
func TestPagePanelNoCachestat(t *testing.T) {
	path := pagesFile(t, 4, 0)
	h := newInlineHarness(t, path, 80, 20, mapping.Options{}, view.Options{Name: "old.bin"})
	pp := &pagePanel{e: h.E, inline: true}
	u := pagecache.Unknown
	cell := func(p, res, measured, edited int64) pagecache.PageCell {
		c := pagecache.PageCell{FirstPage: p, Pages: 1, Cached: u, Dirty: u, Writeback: u, Resident: res, Measured: measured, Edited: edited}
		switch {
		case res > 0:
			c.State = pagecache.CellResident
		case measured == 1:
			c.State = pagecache.CellNotResident
		default:
			c.State = pagecache.CellUnknown
		}
		return c
	}
	pp.res = &pageProbe{
		m: pagecache.PageMap{PageSize: 4096,
			Totals:       pagecache.PageTotals{Pages: 4, Resident: u, Cached: u, Dirty: u, Writeback: u, Evicted: u, RecentlyEvicted: u, Edited: 1},
			Cells:        []pagecache.PageCell{cell(0, 1, 1, 1), cell(1, 0, 1, 0), cell(2, 1, 1, 0), cell(3, u, 0, 0)},
			CachestatErr: fmt.Errorf("old.bin: cachestat: %w", unix.ENOSYS),
			MincoreErr:   nil},
		tun: pagecache.WritebackTunables{DirtyExpireCentisecs: 3000, DirtyWritebackCentisecs: 500},
		sys: pagecache.SystemDirty{Dirty: 8 << 10, Writeback: 0},
	}
	sim, line := drawPanel(pp, 120, 6)
	for y, want := range []string{
		" pages of old.bin: 4 × 4 KiB  resident unknown  cached, dirty, writeback, evicted: unknown  edited 1",
		" ▲░▓?",
		"",
		"",
		" kernel: dirty_expire 30.00 s, writeback every 5.00 s;  system Dirty: 8 kB  Writeback: 0 kB",
		" cachestat unavailable (Linux < 6.5): cached, dirty, writeback unknown; the map shows mincore and your edits",
	} {
		if y == 3 {
			if got := line(y); !strings.HasPrefix(got, " ░ not resident  ▓ resident") {
				t.Errorf("legend %q", got)
			}
			continue
		}
		if got := line(y); got != want {
			t.Errorf("line %d\n got %q\nwant %q", y, got, want)
		}
	}
	if got := line(0); strings.Contains(got, "dirty 0") || strings.Contains(got, "cached 0") {
		t.Errorf("a false zero: %q", got)
	}
	// The edited page keeps mincore's colour (resident; it is also the
	// cursor's page and on screen), the unmeasured page is drawn in the
	// unknown style.
	if _, st, _ := sim.Get(1, 1); st != pageStyle[pagecache.CellResident].Underline(true).Reverse(true) {
		t.Errorf("edited cell style %v", st)
	}
	if _, st, _ := sim.Get(4, 1); st != pageStyle[pagecache.CellUnknown] {
		t.Errorf("unmeasured cell style %v", st)
	}
}

// Every cell state is drawn with its glyph and colour, pages under
// writeback included (the kernel rarely holds them long enough for a
// screen test to catch them).
func TestPagePanelCellGlyphs(t *testing.T) {
	path := pagesFile(t, 8, 0)
	h := newInlineHarness(t, path, 80, 20, mapping.Options{}, view.Options{Name: "g.bin"})
	h.E.SetCursor(7 * 4096) // off the first cells
	pp := &pagePanel{e: h.E, inline: true}
	states := []pagecache.CellState{pagecache.CellNotResident, pagecache.CellResident, pagecache.CellDirty, pagecache.CellWriteback, pagecache.CellUnknown}
	var cells []pagecache.PageCell
	for i, st := range states {
		cells = append(cells, pagecache.PageCell{FirstPage: int64(i), Pages: 1, State: st})
	}
	pp.res = &pageProbe{m: pagecache.PageMap{PageSize: 4096, FirstPage: 0, Cells: cells,
		Totals: pagecache.PageTotals{Pages: 5, Resident: 3, Cached: 3, Dirty: 1, Writeback: 1, Evicted: 2, RecentlyEvicted: 0}}}
	sim := tcell.NewSimulationScreen("UTF-8")
	sim.Init()
	sim.SetSize(120, 6)
	pp.draw(sim, 0, 0, 120, 6)
	sim.Show()
	for i, st := range states {
		str, style, _ := sim.Get(1+i, 1)
		if str != string(pageGlyph[st]) || style != pageStyle[st] {
			t.Errorf("cell %d (%v): %s %v, want %c %v", i, st, str, style, pageGlyph[st], pageStyle[st])
		}
	}
	want := []rune{'░', '▓', '█', '▒', '?'}
	for i, g := range want {
		if pageGlyph[states[i]] != g {
			t.Errorf("glyph of %v is %c, want %c", states[i], pageGlyph[states[i]], g)
		}
	}
	var b strings.Builder
	for x := 0; x < 120; x++ {
		str, _, _ := sim.Get(x, 0)
		b.WriteString(str)
	}
	if got, want := strings.TrimRight(b.String(), " "), " pages of g.bin: 5 × 4 KiB  resident 3  cached 3  dirty 1  writeback 1  evicted 2  edited 0"; got != want {
		t.Errorf("counts\n got %q\nwant %q", got, want)
	}
}

// The legend's scale fits the line: for a 1 TiB file on a 120-column
// screen "1 cell = ~1137439 pages" would be cut, so it reads in bytes.
func TestPagePanelLegendScale(t *testing.T) {
	path := pagesFile(t, 1, 0)
	h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "huge.bin"})
	legend := func(pages int64, ncell int) string {
		pp := &pagePanel{e: h.E, inline: true}
		cells := make([]pagecache.PageCell, ncell)
		for i := range cells {
			cells[i] = pagecache.PageCell{FirstPage: int64(i) * pages / int64(ncell), State: pagecache.CellNotResident}
		}
		pp.res = &pageProbe{m: pagecache.PageMap{PageSize: 4096, Cells: cells,
			Totals: pagecache.PageTotals{Pages: pages, Resident: pagecache.Unknown}}}
		sim := tcell.NewSimulationScreen("UTF-8")
		sim.Init()
		sim.SetSize(120, 7)
		pp.draw(sim, 0, 0, 120, 6)
		var b strings.Builder
		for x := 0; x < 120; x++ {
			str, _, _ := sim.Get(x, 3)
			b.WriteString(str)
		}
		return strings.TrimRight(b.String(), " ")
	}
	const head = " ░ not resident  ▓ resident  █ dirty  ▒ writeback  ▲ edited, unsynced  ? unknown  │ on screen  cursor  "
	for _, c := range []struct {
		pages int64
		cells int
		want  string
	}{
		{236, 236, "1 cell = 1 page"},
		{1416, 236, "1 cell = ~6 pages"},
		{268435456, 236, "1 cell ≈ 4.34 GiB"}, // 1 TiB
	} {
		if got := legend(c.pages, c.cells); got != head+c.want {
			t.Errorf("%d pages in %d cells: legend\n got %q\nwant %q", c.pages, c.cells, got, head+c.want)
		}
	}
}

// With MAP_PRIVATE an edit is a copy of the page in this process: the
// file's page stays clean (the kernel's figures say so), the panel marks
// the page as edited and says the edits never reach the file; dirty pages
// of the file are not the edits'.
func TestPagePanelPrivate(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	path := pagesFile(t, 4, 0)
	h := newInlineHarness(t, path, 120, 40, mapping.Options{Private: true}, view.Options{Name: "priv.bin"})
	h.Type("41")
	h.Press("Ctrl-P")
	h.Draw()
	y := panelTop(t, h)
	cs, res := kernelFigures(t, path)
	if cs.Dirty != 0 {
		t.Fatalf("the private edit dirtied the file's page: %+v", cs)
	}
	if got, want := screenLine(h, y), " "+countsLine("priv.bin", cs, res, 1); got != want {
		t.Errorf("counts\n got %q\nwant %q", got, want)
	}
	if r, _ := h.Cell(1, y+1); r != '▲' {
		t.Errorf("page 0: %c, want ▲", r)
	}
	if got, want := screenLine(h, y+5), " MAP_PRIVATE: your edits (▲) are copies in this process, never written to the file; the counts are the file's pages"; got != want {
		t.Errorf("last line\n got %q\nwant %q", got, want)
	}
	// Another writer dirties page 2 of the file.
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte("x"), 2*4096); err != nil {
		t.Fatal(err)
	}
	h.E.RunTicks()
	h.Draw()
	if got, want := screenLine(h, y+5), " MAP_PRIVATE: your edits (▲) are copies in this process, never written; the file's 1 dirty page is not from them"; got != want {
		t.Errorf("last line with another writer\n got %q\nwant %q", got, want)
	}
}

// The writeback action on a private mapping writes nothing and says why.
func TestWritebackPrivate(t *testing.T) {
	path := pagesFile(t, 2, 0)
	h := newInlineHarness(t, path, 120, 40, mapping.Options{Private: true}, view.Options{Name: "p"})
	h.Type("5a")
	h.Press("Alt-w")
	if got, want := strings.Split(h.Draw(), "\n")[39], " private mapping (MAP_PRIVATE): edits never reach the file; nothing to write back"; got != want {
		t.Errorf("message\n got %q\nwant %q", got, want)
	}
	if cs, _ := kernelFigures(t, path); cs.Dirty != 0 || cs.Writeback != 0 {
		t.Errorf("kernel figures after the action: %+v", cs)
	}
	if b, _ := os.ReadFile(path); b[0] != 'A' {
		t.Errorf("the file's byte 0 is %q", b[0])
	}
}

// After MS_ASYNC the pages stay dirty until something writes them back;
// once they are clean the last line says so. (Kernel writeback takes
// ~30 s; an fdatasync by another descriptor cleans them the same way.)
func TestPagePanelAsyncThenClean(t *testing.T) {
	path := pagesFile(t, 4, 0)
	h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "a.bin"})
	h.Type("41")
	h.Press("Ctrl-W", "Ctrl-P")
	h.Draw()
	y := panelTop(t, h)
	if cs, _ := kernelFigures(t, path); cs.Dirty == 0 {
		t.Skipf("kernel writeback took the page already (%+v)", cs)
	}
	if l := screenLine(h, y+5); !strings.HasPrefix(l, " last: msync(MS_ASYNC), a no-op on Linux: 1 dirty page waits for kernel writeback (dirty_expire ") || !strings.HasSuffix(l, " or Ctrl-S") {
		t.Errorf("after MS_ASYNC %q", l)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Fdatasync(fd); err != nil {
		t.Fatal(err)
	}
	h.E.RunTicks()
	h.Draw()
	if cs, _ := kernelFigures(t, path); cs.Dirty != 0 {
		t.Fatalf("dirty after fdatasync: %+v", cs)
	}
	if got, want := screenLine(h, y+5), " last: msync(MS_ASYNC), a no-op on Linux; written back since (dirty 0), still unsynced until Ctrl-S"; got != want {
		t.Errorf("after writeback\n got %q\nwant %q", got, want)
	}
}

// After MS_SYNC, pages dirtied by another writer are not called ours.
func TestPagePanelSyncOtherDirty(t *testing.T) {
	path := pagesFile(t, 4, 0)
	h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "o.bin"})
	h.Type("41")
	h.Press("Ctrl-S", "Ctrl-P")
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte("x"), 3*4096); err != nil {
		t.Fatal(err)
	}
	h.E.RunTicks()
	h.Draw()
	y := panelTop(t, h)
	if cs, _ := kernelFigures(t, path); cs.Dirty != 1 {
		t.Skipf("kernel writeback took the page already (%+v)", cs)
	}
	if got, want := screenLine(h, y+5), " last: msync(MS_SYNC) — 1 page written and waited for; dirty now 1, not your edits (Ctrl-S writes them)"; got != want {
		t.Errorf("last line\n got %q\nwant %q", got, want)
	}
}

// On a narrow screen the counts line keeps the figures and drops the name
// (and at 60 columns the double spaces too).
func TestPagePanelNarrow(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	path := pagesFile(t, 4, 0)
	h := newInlineHarness(t, path, 80, 24, mapping.Options{}, view.Options{Name: "a-rather-long-file-name.bin"})
	h.Press("Ctrl-P")
	h.Draw()
	_, y, ok := h.Find("4 × 4 KiB")
	if !ok {
		t.Fatalf("no page panel:\n%s", h.Draw())
	}
	cs, res := kernelFigures(t, path)
	want := strings.TrimPrefix(countsLine("a-rather-long-file-name.bin", cs, res, 0), "pages of a-rather-long-file-name.bin: ")
	if got := screenLine(h, y); got != " "+want {
		t.Errorf("counts at 80 columns\n got %q\nwant %q", got, " "+want)
	}
	h60 := newInlineHarness(t, path, 60, 24, mapping.Options{}, view.Options{Name: "a-rather-long-file-name.bin"})
	h60.Press("Ctrl-P")
	h60.Draw()
	y = panelTop(t, h60)
	if got, want := screenLine(h60, y), fmt.Sprintf(" 4 × 4 KiB dirty %d writeback %d edited 0 resident %d cached %d evicted %d",
		cs.Dirty, cs.Writeback, cs.Cache, cs.Cache, cs.Evicted); !strings.HasPrefix(want, got) || !strings.Contains(got, " edited 0 resident 4 ") {
		t.Errorf("counts at 60 columns\n got %q\nwant %q", got, want)
	}
}

// drawPanel draws the page panel alone on a w×h simulation screen and
// returns the screen and a reader of its lines (trailing blanks trimmed).
func drawPanel(pp *pagePanel, w, h int) (tcell.SimulationScreen, func(y int) string) {
	sim := tcell.NewSimulationScreen("UTF-8")
	sim.Init()
	sim.SetSize(w, h)
	pp.draw(sim, 0, 0, w, h)
	sim.Show()
	cells, cw, _ := sim.GetContents()
	return sim, func(y int) string {
		var b strings.Builder
		for x := 0; x < cw; x++ {
			if r := cells[y*cw+x].Runes; len(r) > 0 {
				b.WriteRune(r[0])
			} else {
				b.WriteByte(' ')
			}
		}
		return strings.TrimRight(b.String(), " ")
	}
}

// On tmpfs there is no disk: the last line never says "memory and disk
// agree" nor that a sync wrote pages, before or after Ctrl-S.
func TestPagePanelTmpfs(t *testing.T) {
	shm := shmFile(t, []byte(strings.Repeat("tmpfs", 2000)))
	h := newInlineHarness(t, shm, 120, 40, mapping.Options{}, view.Options{Name: "t.bin"})
	h.Press("Ctrl-P")
	h.Draw()
	y := panelTop(t, h)
	const want = " tmpfs keeps files in memory only: there is no disk behind these pages; msync and writeback have nothing to write"
	if got := screenLine(h, y+5); got != want {
		t.Errorf("before an edit\n got %q\nwant %q", got, want)
	}
	h.Type("41")
	h.Press("Ctrl-S")
	h.E.RunTicks()
	h.Draw()
	if got := screenLine(h, y+5); got != want {
		t.Errorf("after Ctrl-S\n got %q\nwant %q", got, want)
	}
	if b, _ := os.ReadFile(shm); b[0] != 'A' {
		t.Errorf("byte 0 is %q", b[0])
	}
}

// TestPagePanelHoles: the page panel draws the cells whose pages all lie
// in a hole of a sparse file as holes (·), not as pages not yet read; the
// data pages around them are not, and the legend names the glyph.
func TestPagePanelHoles(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected map assumes 4 KiB pages")
	}
	path := writeFile(t, "sparse.bin", nil)
	g, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	g.Truncate(64 * 4096)
	g.WriteAt(testenv.Pattern(4*4096, 1), 0)       // pages 0-3: data
	g.WriteAt(testenv.Pattern(4*4096, 2), 60*4096) // pages 60-63: data
	g.Sync()
	g.Close()
	h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "sparse.bin"})
	h.Press("Ctrl-P")
	scr := h.Draw()
	y := panelTop(t, h)
	row := []rune(strings.Split(scr, "\n")[y+1])
	if len(row) < 1+64 {
		t.Fatalf("map row %q", string(row))
	}
	cells := string(row[1 : 1+64])
	want := strings.Repeat("·", 56)
	if string(row[5:61]) != want || strings.ContainsRune(string(row[1:5]), '·') || strings.ContainsRune(string(row[61:65]), '·') {
		t.Fatalf("map %q: want 4 data cells, 56 holes (·), 4 data cells\n%s", cells, scr)
	}
	if !strings.Contains(scr, "· hole") {
		t.Fatalf("no legend for holes:\n%s", scr)
	}
}

// TestPagePanelCompareSides: in mmhex A B the page panel shows the active
// side: A's 3 pages with A's edited page, then after the switch (F6) B's 6
// pages with B's edited page (never A's figures under B's name), then A's
// again after switching back.
func TestPagePanelCompareSides(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	pa := writeFile(t, "a.bin", bytes.Repeat([]byte{'a'}, 3*4096))
	pb := writeFile(t, "b.bin", bytes.Repeat([]byte{'b'}, 6*4096))
	fb, err := mapping.Open(pb, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fb.Close() })
	h := newInlineHarness(t, pa, 120, 40, mapping.Options{}, view.Options{Other: fb})
	head := regexp.MustCompile(`^ pages of (\S+): (\d+) × 4 KiB .* edited (\d+)$`)
	// check says the panel shows name's pages, n of them, edited the one
	// page edited (▲ in its cell, none after the last page).
	check := func(when, name string, n, edited int) {
		t.Helper()
		y := panelTop(t, h)
		l := screenLine(h, y)
		m := head.FindStringSubmatch(l)
		if m == nil || m[1] != name || m[2] != fmt.Sprint(n) || m[3] != "1" {
			t.Fatalf("%s: page panel head %q, want %s's %d pages, edited 1\n%s", when, l, name, n, h.Draw())
		}
		for p := 0; p <= n; p++ {
			r, _ := h.Cell(1+p, y+1)
			switch {
			case p == n && r != ' ':
				t.Errorf("%s: a cell after %s's last page: %c", when, name, r)
			case p == edited && r != '▲':
				t.Errorf("%s: %s's edited page %d: %c, want ▲", when, name, p, r)
			case p < n && p != edited && r == '▲':
				t.Errorf("%s: %s's page %d shown edited", when, name, p)
			}
		}
	}
	h.E.SetCursor(1*4096 + 3) // A's page 1
	h.Type("41")
	h.Press("Ctrl-P")
	check("A", "a.bin", 3, 1)
	const wbLine = " last: sync_file_range(SYNC_FILE_RANGE_WRITE), no wait"
	h.Press("Alt-w") // A's writeback: the last line says so on A only
	h.E.RunTicks()
	if _, _, ok := h.Find(wbLine); !ok {
		t.Fatalf("A after the writeback action: no %q\n%s", wbLine, h.Draw())
	}
	h.Press("F6")
	h.E.SetCursor(4*4096 + 5) // B's page 4
	h.Type("42")
	if s := h.Draw(); strings.Contains(s, "pages of b.bin: 3 ×") {
		t.Errorf("right after the switch: A's figures under B's name:\n%s", s)
	}
	h.E.RunTicks() // the panel's tick measures
	check("B", "b.bin", 6, 4)
	if _, _, ok := h.Find(wbLine); ok {
		t.Errorf("B shows A's writeback:\n%s", h.Draw())
	}
	// the chart starts anew with B: one sample, of B
	h.pp.mu.Lock()
	n, of := len(h.pp.hist.samples), h.pp.histFile
	h.pp.mu.Unlock()
	if n != 1 || of != fb {
		t.Errorf("the chart on B: %d samples of %v, want 1 of B", n, of.Path())
	}
	h.Press("F6")
	h.E.RunTicks()
	check("A again", "a.bin", 3, 1)
	if _, _, ok := h.Find(wbLine); !ok {
		t.Errorf("A again: no %q\n%s", wbLine, h.Draw())
	}
}
