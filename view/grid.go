package view

import (
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/view/hexfmt"
)

// Grid is the hex grid primitive: a column header, then one row per
// BytesPerRow bytes: offset, hex bytes in groups of 8, text column.
type Grid struct {
	*tview.Box
	e        *Editor
	dragging bool // a left-button drag that started on the rows is going on
}

// groupSize is the number of bytes between the wider gaps of the hex column.
const groupSize = 8

// geom is the horizontal layout of a grid row, in cells from the grid's left.
type geom struct {
	digits int // hex digits of the offset column
	bpr    int
	hexX   int // first hex digit of byte 0
	textX  int // text column
	width  int // a full row, from the leading space to the last text cell
}

// offsetDigits is the width of the offset column for a file of size bytes:
// as many hex digits as the largest offset needs, at least 8.
func offsetDigits(size int64) int {
	last := uint64(0)
	if size > 1 {
		last = uint64(size - 1)
	}
	d := (bits.Len64(last) + 3) / 4
	return max(d, 8)
}

func makeGeom(digits, bpr int) geom {
	g := geom{digits: digits, bpr: bpr, hexX: 1 + digits + 2}
	g.textX = g.hexX + hexPos(bpr-1) + 2 + 3
	g.width = g.textX + bpr
	return g
}

// hexPos is the x of byte i's first hex digit relative to the hex column.
func hexPos(i int) int { return i*3 + i/groupSize }

// fitBytesPerRow is the widest row that fits in w cells: a multiple of 8
// when one fits, else 1..7.
func fitBytesPerRow(w, digits int) int {
	best := 0
	for n := groupSize; ; n += groupSize {
		if makeGeom(digits, n).width > w {
			break
		}
		best = n
	}
	if best > 0 {
		return best
	}
	for n := groupSize - 1; n > 1; n-- {
		if makeGeom(digits, n).width <= w {
			return n
		}
	}
	return 1
}

func newGrid(e *Editor) *Grid {
	return &Grid{Box: tview.NewBox(), e: e}
}

// Styles of the grid; the configurable ones are defaults (palette,
// config.go), never written.
var (
	styleDefault = tcell.StyleDefault
	styleDim     = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))
	// the offsets in the terminal's own colour, readable on a dark and a
	// light background (dark blue on black was not); the cursor's row bold
	styleOffset    = tcell.StyleDefault
	styleOffsetCur = tcell.StyleDefault.Bold(true)
	styleColHeader = tcell.StyleDefault.Foreground(tcell.PaletteColor(8)).Bold(true)
	colourUnsynced = tcell.PaletteColor(9)
)

// byteStyle is the style of a byte of class cls with marks m, before the
// cursor attributes.
func (pal *palette) byteStyle(b byte, unsynced bool, m Mark) tcell.Style {
	st := pal.class[hexfmt.ClassOf(b)]
	if unsynced {
		st = st.Foreground(pal.unsynced).Attributes(pal.unsyncedAttr)
	}
	if pal.mono && m != 0 { // NO_COLOR: a marked byte in reverse video
		return st.Reverse(true)
	}
	switch {
	case m&MarkMatch != 0:
		st = st.Background(tcell.PaletteColor(3)).Foreground(tcell.PaletteColor(0))
	case m&MarkSelected != 0:
		st = st.Background(tcell.PaletteColor(4)).Foreground(tcell.PaletteColor(15))
	case m&MarkChanged != 0:
		st = st.Background(tcell.PaletteColor(1)).Foreground(tcell.PaletteColor(15))
	case m&MarkField != 0:
		st = st.Background(tcell.PaletteColor(6)).Foreground(tcell.PaletteColor(0))
	case m&MarkMarked != 0:
		st = st.Background(tcell.PaletteColor(5)).Foreground(tcell.PaletteColor(0))
	case m&MarkDiffer != 0:
		st = st.Background(tcell.PaletteColor(6)).Foreground(tcell.PaletteColor(0))
	case m&MarkHole != 0:
		st = st.Background(tcell.PaletteColor(236)).Foreground(tcell.PaletteColor(244))
	}
	if m&MarkShared != 0 {
		st = st.Underline(true)
	}
	return st
}

const hexDigits = "0123456789abcdef"

// Draw draws the grid: it reads the visible bytes (one ReadAt) and changes
// nothing: the row width, rows and scroll it shows are viewFor of its size,
// which the editor adopted after the last event (adoptLayout), and a read
// that fails posts a refresh instead of doing it (readVisible).
func (gr *Grid) Draw(s tcell.Screen) {
	// The box clears its cells through clipScreen, which writes ASCII
	// without allocating (two thirds of a frame's allocations otherwise).
	bx, _, bw, _ := gr.GetRect()
	gr.DrawForSubclass(clipScreen{Screen: s, x0: bx, x1: bx + bw}, gr)
	x, y, w, h := gr.GetInnerRect()
	e := gr.e
	if w <= 0 || h <= 0 {
		return
	}
	v := e.viewFor(w, h)
	g := v.g
	s = clipScreen{Screen: s, x0: x, x1: x + w}

	// Column header.
	drawText(s, x+1, y, g.digits, "offset", styleColHeader)
	for i := 0; i < g.bpr; i++ {
		px := x + g.hexX + hexPos(i)
		s.SetContent(px, y, rune(hexDigits[(i>>4)&0xf]), nil, styleColHeader)
		s.SetContent(px+1, y, rune(hexDigits[i&0xf]), nil, styleColHeader)
		s.SetContent(x+g.textX+i, y, rune(hexDigits[i&0xf]), nil, styleColHeader)
	}
	if e.size == 0 {
		drawText(s, x+1, y+1, w-1, "(empty file)", styleDim)
		return
	}

	// The hole lines (squeezed), then the runs of rows between them, each
	// read and highlighted as one range.
	for i, l := range v.lines {
		if l.hole {
			st := e.pal.byteStyle(0, false, MarkHole)
			fill(s, x, y+1+i, g.width, ' ', st)
			drawText(s, x+1, y+1+i, w-1, holeLineText(l), st)
		}
	}
	for _, r := range v.runs(e.size) {
		e.drawRun(s, x, y+1+r.line, w, v, r.start, r.rows, e.readVisible(r.start, r.n))
	}
}

// gridRun is a run of rows the grid shows between squeezed hole lines
// (all of them when nothing is squeezed): n bytes from start, rows rows,
// the first on line line of the grid.
type gridRun struct {
	start      int64
	n          int64
	line, rows int
}

// runs is the runs of rows of v in a file of size bytes: what a frame
// reads and draws, and what the editor reads after each event for the
// OnShown hooks.
func (v gridView) runs(size int64) []gridRun {
	if !v.squeezed() {
		return []gridRun{{start: v.top, n: min(int64(v.rows*v.bpr), max(size-v.top, 0)), rows: v.rows}}
	}
	var out []gridRun
	for i := 0; i < len(v.lines); {
		if v.lines[i].hole {
			i++
			continue
		}
		j := i
		for j < len(v.lines) && !v.lines[j].hole {
			j++
		}
		out = append(out, gridRun{start: v.lines[i].off, n: v.lines[j-1].end - v.lines[i].off, line: i, rows: j - i})
		i = j
	}
	return out
}

// shownRun is the bytes of a run of rows read after an event (readShown).
type shownRun struct {
	start int64
	data  []byte
}

// readShown reads the bytes of v's runs after each event, once the layout
// is adopted (adoptLayout), never in Draw, and hands them to the OnShown
// hooks. It keeps them (e.shown): a frame during a long restore step
// (TryReadAt: ErrBusy) draws the bytes kept for the same place. A run the
// step holds now is not read: its bytes kept before the step stay, and
// the hooks do not see it.
func (e *Editor) readShown(v gridView) {
	if e.size == 0 {
		e.shown = e.shown[:0]
		return
	}
	old := e.shown
	used := make([]bool, len(old))
	var next []shownRun
	for _, r := range v.runs(e.size) {
		k := -1 // the bytes kept of this place, read whole
		for i, o := range old {
			if !used[i] && o.start == r.start && int64(len(o.data)) == r.n {
				k = i
				break
			}
		}
		var buf []byte
		if k >= 0 {
			used[k] = true
			buf = old[k].data
		} else {
			for i, o := range old { // a buffer of a place no longer shown
				if !used[i] && int64(cap(o.data)) >= r.n {
					used[i] = true
					buf = o.data[:r.n]
					break
				}
			}
			if buf == nil {
				buf = make([]byte, r.n)
			}
		}
		got, err := e.f.TryReadAt(buf, r.start) // writes nothing when busy
		if errors.Is(err, mapping.ErrBusy) {
			if k >= 0 {
				next = append(next, old[k])
			}
			continue
		}
		data := buf[:max(got, 0)]
		next = append(next, shownRun{r.start, data})
		for _, fn := range e.shownHooks {
			fn(r.start, data)
		}
	}
	e.shown = next
}

// drawRun draws rows rows from start, the first at screen row y, from
// data (read from them; shorter when the read failed or at the end):
// highlighters see them as one range.
func (e *Editor) drawRun(s tcell.Screen, x, y, w int, v gridView, start int64, rows int, data []byte) {
	g := v.g
	end := start + int64(len(data))
	var marks []func(int64) Mark
	for _, h := range e.highlighters {
		if fn := h(start, end); fn != nil {
			marks = append(marks, fn)
		}
	}
	// The bytes stored since the last MS_SYNC, from the mapping's own
	// record (one call for the range): their colour says "unsynced".
	unsynced := e.f.UnsyncedBytes(start, end)
	isUnsynced := func(off int64) bool {
		for len(unsynced) > 0 && unsynced[0].B <= off {
			unsynced = unsynced[1:]
		}
		return len(unsynced) > 0 && unsynced[0].A <= off
	}
	curRow := int64(-1)
	if e.cursor >= start {
		curRow = (e.cursor - start) / int64(g.bpr)
	}

	for r := 0; r < rows; r++ {
		rowOff := start + int64(r*g.bpr)
		if rowOff >= e.size {
			// mmhex A B: the other file's tail, shown beside (or below)
			if e.other != nil && rowOff < e.other.Size() && (r == 0 || rowOff-int64(g.bpr) < e.size) {
				drawText(s, x+1, y+r, w-1, fmt.Sprintf("only in %s from 0x%x: %d bytes", display.Name(e.other.Path()), e.size, e.other.Size()-e.size), styleOnlyHere)
			}
			break
		}
		py := y + r
		ost := e.pal.offset
		if int64(r) == curRow {
			ost = e.pal.offsetCur
		}
		drawHex(s, x+1, py, rowOff, g.digits, ost)
		var prevBg tcell.Color = tcell.ColorDefault
		for i := 0; i < g.bpr; i++ {
			off := rowOff + int64(i)
			idx := int(off - start)
			if idx >= len(data) {
				break
			}
			b := data[idx]
			var m Mark
			for _, fn := range marks {
				m |= fn(off)
			}
			st := e.pal.byteStyle(b, isUnsynced(off), m)
			_, bg, _ := st.Decompose()
			px := x + g.hexX + hexPos(i)
			// The gap before a byte takes the background of a highlight
			// that runs through it, so a selection reads as one band.
			if i > 0 && bg != tcell.ColorDefault && bg == prevBg {
				gap := hexPos(i) - hexPos(i-1) - 2
				fill(s, px-gap, py, gap, ' ', tcell.StyleDefault.Background(bg))
			}
			prevBg = bg
			hi, lo := st, st
			tst := st
			if off == e.cursor {
				if e.col == HexColumn {
					if e.nibble == 1 {
						hi, lo = st.Underline(true), st.Reverse(true)
					} else {
						hi, lo = st.Reverse(true), st.Reverse(true)
					}
					tst = st.Underline(true)
				} else {
					hi, lo = st.Underline(true), st.Underline(true)
					tst = st.Reverse(true)
				}
			}
			s.Put(px, py, cellText[hexDigits[b>>4]], hi)
			s.Put(px+1, py, cellText[hexDigits[b&0xf]], lo)
			s.Put(x+g.textX+i, py, cellText[hexfmt.TextChar(b)], tst)
		}
	}
}

// clipScreen drops cells outside the columns [x0, x1): a row too wide for
// a very narrow terminal is cut, never drawn over a panel.
type clipScreen struct {
	tcell.Screen
	x0, x1 int
}

func (c clipScreen) SetContent(x, y int, r rune, comb []rune, st tcell.Style) {
	if x < c.x0 || x >= c.x1 {
		return
	}
	if r >= 0 && r < 0x80 && len(comb) == 0 && cellText[r] != "" {
		c.Screen.Put(x, y, cellText[r], st)
		return
	}
	c.Screen.SetContent(x, y, r, comb, st)
}

func (c clipScreen) Put(x, y int, str string, st tcell.Style) (string, int) {
	if x >= c.x0 && x < c.x1 {
		return c.Screen.Put(x, y, str, st)
	}
	return "", 0
}

// cellText holds the printable ASCII characters as one-character strings:
// the grid writes its cells with Screen.Put from it, which allocates
// nothing (SetContent builds a string for every cell).
var cellText = func() (t [128]string) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = string(rune(c))
	}
	return
}()

// drawHex draws v as exactly digits lower-case hex digits.
func drawHex(s tcell.Screen, x, y int, v int64, digits int, st tcell.Style) {
	for i := digits - 1; i >= 0; i-- {
		s.Put(x+i, y, cellText[hexDigits[v&0xf]], st)
		v >>= 4
	}
}

// gridView is what the grid shows in a box of w×h cells: the row width,
// the data rows, the first byte shown and the column positions.
type gridView struct {
	bpr, rows int
	top       int64
	g         geom
	// lines, when squeezing (SetSqueeze), are the lines shown from top:
	// rows and squeezed holes; nil: rows*bpr bytes from top, one a row.
	lines []gridLine
}

// end is the end of the bytes v shows.
func (v gridView) end(size int64) int64 {
	if v.lines != nil {
		if len(v.lines) == 0 {
			return v.top
		}
		return v.lines[len(v.lines)-1].end
	}
	return min(v.top+int64(v.rows*v.bpr), size)
}

// squeezed reports whether v has a squeezed line.
func (v gridView) squeezed() bool {
	for _, l := range v.lines {
		if l.hole {
			return true
		}
	}
	return false
}

// scrollTopFor is scrollTop, with squeezed lines when squeezing.
func (e *Editor) scrollTopFor(top, cursor, size int64, bpr, rows int) int64 {
	if !e.squeezing() {
		return scrollTop(top, cursor, size, bpr, rows)
	}
	return e.scrollTopSqueezed(top, cursor, size, bpr, rows)
}

// viewFor is the grid's view for a box of w×h cells, from the editor's
// state and without changing it (Draw calls it): the row width (configured,
// or the widest that fits), the rows, and the scroll that shows the cursor
// (the least needed; a change of row width keeps the cursor's screen row).
// adoptLayout stores the same values after each event, so a frame and the
// next key agree.
func (e *Editor) viewFor(w, h int) gridView {
	digits := offsetDigits(e.size)
	bpr := e.opts.BytesPerRow
	if e.opts.FitWidth {
		bpr = fitBytesPerRow(w, digits)
	} else if makeGeom(digits, bpr).width > w {
		// Too narrow for the configured width: the widest that fits.
		bpr = min(bpr, fitBytesPerRow(w, digits))
	}
	rows := max(h-1, 1)
	top := e.top
	if e.bpr != bpr && e.bpr > 0 {
		screenRow := max((e.cursor-e.top)/int64(e.bpr), 0)
		top = max(e.cursor/int64(bpr)-screenRow, 0) * int64(bpr)
	}
	top = e.scrollTopFor(top, e.cursor, e.limit(), bpr, rows)
	v := gridView{bpr: bpr, rows: rows, top: top, g: makeGeom(digits, bpr)}
	if e.squeezing() {
		v.lines = e.linesFrom(top, e.cursor, e.size, bpr, rows)
	}
	return v
}

// adoptLayout stores the layout of the screen in the editor (the
// terminal's size with Options.Screen; else the root's rectangle, which
// tview sets before each frame): the grid's row
// width, rows and scroll (viewFor of the grid's box) and whether the
// terminal is too small to edit. It runs
// on the UI goroutine after each event (syncSize), never from Draw, so the
// keys that follow move by the rows on the screen.
func (e *Editor) adoptLayout() {
	// The terminal's size now: after a resize the frame that follows is
	// drawn for it, whether or not it was drawn yet.
	x, y, w, h, ok := e.screenRect()
	if !ok {
		return // never drawn yet
	}
	if e.prompt != nil {
		e.prompt.adoptScroll(w)
	}
	fl := e.layoutFor(x, y, w, h)
	e.tooSmall = fl.tooSmall
	if fl.tooSmall || fl.grid.w <= 0 || fl.grid.h <= 0 {
		return
	}
	// The holes asked for the view are kept for the frames (holeAt):
	// asked afresh at each adoption (another writer may punch or fill).
	clear(e.holesAsked)
	e.holeRuns = e.holeRuns[:0]
	e.adopting = true
	v := e.viewFor(fl.grid.w, fl.grid.h)
	e.adopting = false
	e.bpr, e.rows, e.top = v.bpr, v.rows, v.top
	e.readShown(v)
	if len(e.layoutHooks) > 0 {
		start, end := v.top, v.end(e.size)
		for _, fn := range e.layoutHooks {
			fn(start, end)
		}
	}
}

// scrollToCursor scrolls the least needed to show the cursor's row, and
// never further than the last row allows.
func (e *Editor) scrollToCursor() {
	e.top = e.scrollTopFor(e.top, e.cursor, e.limit(), e.bpr, e.visibleRows())
}

// scrollTop is the first byte shown when top was, for the cursor at cursor
// in rows of bpr bytes, rows of them: the least scroll that shows the
// cursor's row, never past the last row.
func scrollTop(top, cursor, size int64, bpr, rows int) int64 {
	b, n := int64(bpr), int64(rows)
	topRow := top / b
	row := cursor / b
	if row < topRow {
		topRow = row
	}
	if row >= topRow+n {
		topRow = row - n + 1
	}
	lastRow := int64(0)
	if size > 0 {
		lastRow = (size - 1) / b
	}
	if topRow > lastRow-n+1 {
		topRow = lastRow - n + 1
	}
	if topRow < 0 {
		topRow = 0
	}
	return topRow * b
}

func (e *Editor) visibleRows() int {
	if e.rows > 0 {
		return e.rows
	}
	return 1
}

// syncSize adopts a size change seen by someone else (another feature's
// f.Refresh, an undo that re-read the size), keeping the cursor in the
// file, and then the screen's layout (adoptLayout). It runs after each
// event on the UI goroutine (a key, a click, a tick, a background result),
// never from Draw: frames only draw.
func (e *Editor) syncSize() {
	if n := e.f.Size(); n != e.size {
		old := e.size
		e.size = n
		if e.cursor >= e.limit() {
			e.cursor = max(e.limit()-1, 0)
			e.nibble = 0
		}
		e.Message("the file changed size: %s, was %d B", sizeNote(n), old)
	}
	e.adoptLayout()
}

// readVisible reads the n bytes at top (a run of rows shown) with one
// TryReadAt into the frame's scratch buffer. When the read fails (the file
// shrank under the mapping: the mapping's fault error) it returns the
// bytes read before the failure and posts a refresh (postRefresh): the
// frame draws what it has, and the refresh, on the UI goroutine, adopts
// the new size and draws again. Draw changes nothing itself: the buffer is
// scratch, reused, read by no one after the frame.
func (e *Editor) readVisible(top, n int64) []byte {
	if int64(cap(e.frame)) < n {
		e.frame = make([]byte, n)
	}
	buf := e.frame[:n]
	got, err := e.f.TryReadAt(buf, top)
	if errors.Is(err, mapping.ErrBusy) {
		// An undo, redo or revert step holds the file (the status line
		// says which): the bytes read after the last event that could
		// read them (readShown) when they are of the same place, else
		// none (the rows show their offsets only).
		for _, r := range e.shown {
			if r.start == top && int64(len(r.data)) == n {
				return r.data
			}
		}
		return buf[:0]
	}
	if err == nil || (errors.Is(err, io.EOF) && int64(got) == n) {
		return buf
	}
	e.postRefresh(top, err)
	return buf[:got]
}

// postRefresh asks for a refresh after a frame could not read the bytes at
// top (readVisible): the refresh runs on the UI goroutine after the frame
// (postUI). It adopts a new size (Refresh); when the bytes still cannot be
// read it says so once (readFailed), and frames do not ask again until the
// place, the size or the error changes, so a lasting read error is no loop.
func (e *Editor) postRefresh(top int64, err error) {
	if e.readFailed == readKey(top, e.size, err) {
		return
	}
	e.postUI(func() {
		e.Refresh()
		e.syncSize()
		n := min(int64(e.visibleRows()*e.bpr), max(e.size-e.top, 0))
		buf := make([]byte, n)
		got, rerr := e.f.TryReadAt(buf, e.top)
		if errors.Is(rerr, mapping.ErrBusy) {
			return // a restore step holds the file: the frames after it read again
		}
		if rerr == nil || (errors.Is(rerr, io.EOF) && int64(got) == n) {
			e.readFailed = ""
			return
		}
		e.readFailed = readKey(e.top, e.size, rerr)
		e.Errorf("reading 0x%x: %v", e.top, rerr)
	})
}

// readKey names a failed read: where, at what size, why.
func readKey(top, size int64, err error) string { return fmt.Sprintf("%d/%d/%v", top, size, err) }

// postUI runs fn on the UI goroutine after the current event or frame:
// with Run through the application's queue (post); without Run (tests
// driving the editor by hand) it is kept until the test runs the posted
// work (runPosted: the harness after each frame, RunTicks).
func (e *Editor) postUI(fn func()) {
	if e.running {
		e.post(fn)
		return
	}
	e.posted = append(e.posted, fn)
}

// runPosted runs the work postUI kept (without Run) and reports whether
// there was any.
func (e *Editor) runPosted() bool {
	ran := false
	for len(e.posted) > 0 {
		fn := e.posted[0]
		e.posted = e.posted[1:]
		fn()
		e.syncSize()
		ran = true
	}
	return ran
}

// cursorByte is the byte under the cursor, read from the file (the status
// line's one byte a frame).
func (e *Editor) cursorByte() (byte, bool) {
	var one [1]byte
	if n, _ := e.f.TryReadAt(one[:], e.cursor); n == 1 {
		return one[0], true
	}
	return 0, false
}

// hit maps a grid cell (relative to the grid's inner rectangle) to a byte
// offset and column.
func (gr *Grid) hit(cx, cy int) (off int64, col Column, ok bool) {
	e := gr.e
	_, _, w, h := gr.GetInnerRect()
	if w <= 0 || h <= 0 {
		return 0, 0, false
	}
	v := e.viewFor(w, h) // what the last frame showed
	g := v.g
	if cy < 1 || cy > v.rows || g.bpr == 0 {
		return 0, 0, false
	}
	rowOff := v.top + int64((cy-1)*g.bpr)
	if v.lines != nil {
		if cy-1 >= len(v.lines) {
			return 0, 0, false
		}
		l := v.lines[cy-1]
		if l.hole { // a squeezed hole: its start
			return l.off, e.col, true
		}
		rowOff = l.off
	}
	idx := -1
	switch {
	case cx >= g.textX && cx < g.textX+g.bpr:
		idx, col = cx-g.textX, TextColumn
	case cx >= g.hexX && cx < g.textX-2:
		for i := g.bpr - 1; i >= 0; i-- {
			if cx >= g.hexX+hexPos(i) {
				idx, col = i, HexColumn
				break
			}
		}
	}
	if idx < 0 {
		return 0, 0, false
	}
	off = rowOff + int64(idx)
	if off >= e.size {
		return 0, 0, false
	}
	return off, col, true
}

// MouseHandler: a click puts the cursor on the byte (either column), the
// wheel scrolls three rows. A drag that started on the rows and goes above
// or below them (the column header, the status line, past the window)
// scrolls one row per motion and goes on at the first or last row, so a
// mouse selection can grow past the screen.
func (gr *Grid) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return gr.WrapMouseHandler(func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		e := gr.e
		defer e.syncSize()
		mx, my := event.Position()
		ix, iy, iw, _ := gr.GetInnerRect()
		switch {
		case action == tview.MouseLeftDown:
			gr.dragging = gr.InRect(mx, my) && my-iy >= 1 && my-iy <= e.rows
		case action == tview.MouseLeftUp || event.Buttons()&tcell.Button1 == 0:
			gr.dragging = false
		}
		if action == tview.MouseMove && gr.dragging && e.rows > 0 {
			switch cy := my - iy; {
			case cy < 1:
				e.scrollRows(-1)
				my = iy + 1
			case cy > e.rows:
				e.scrollRows(1)
				my = iy + e.rows
			}
			mx = min(max(mx, ix), ix+iw-1)
		} else if !gr.InRect(mx, my) {
			return false, nil
		}
		off, col, ok := gr.hit(mx-ix, my-iy)
		if ok {
			for _, h := range e.mouseHooks {
				if h(action, off, col) {
					return true, nil
				}
			}
		}
		switch action {
		case tview.MouseLeftDown, tview.MouseLeftClick:
			if ok {
				e.col = col
				e.SetCursor(off)
			}
			return true, nil
		case tview.MouseScrollUp:
			e.scrollRows(-3)
			return true, nil
		case tview.MouseScrollDown:
			e.scrollRows(3)
			return true, nil
		}
		return false, nil
	})
}

// scrollRows scrolls the view and the cursor by n rows.
func (e *Editor) scrollRows(n int) {
	if e.size == 0 {
		return
	}
	if e.squeezing() {
		e.scrollLines(n)
		return
	}
	bpr := int64(e.bpr)
	lastRow := (e.limit() - 1) / bpr
	// no scroll goes further than the file has rows (a huge count would
	// overflow the offsets)
	rows := max(min(int64(n), lastRow+1), -(lastRow + 1))
	n = int(rows)
	delta := rows * bpr
	topRow := e.top/bpr + int64(n)
	topRow = min(topRow, lastRow-int64(e.visibleRows())+1)
	topRow = max(topRow, 0)
	target := e.cursor + delta
	if target < 0 {
		target = e.cursor % bpr
	}
	if target > e.limit()-1 {
		target = e.limit() - 1
	}
	e.top = topRow * bpr
	e.SetCursor(target)
}

// scrollLines is scrollRows when squeezing: the view and the cursor move by
// n lines, a squeezed hole counting as one (the cursor steps over it).
func (e *Editor) scrollLines(n int) {
	bpr := int64(e.bpr)
	lastRow := (e.size - 1) / bpr
	n = int(max(min(int64(n), lastRow+1), -(lastRow + 1)))
	top := e.top
	for i := 0; i < n; i++ {
		top = e.lineAt(top, e.cursor, e.size, e.bpr).end
	}
	for i := 0; i > n; i-- {
		if p := e.lineBefore(top, e.cursor, e.size, e.bpr); p >= 0 {
			top = p
		}
	}
	top = min(top/bpr*bpr, lastRow*bpr)
	if lim := e.back(lastRow*bpr, e.visibleRows()-1, e.cursor, e.size, e.bpr); top > lim {
		top = lim
	}
	// the cursor moves by n lines too; onto a squeezed line, past it
	row := e.cursor / bpr * bpr
	for i := 0; i < n && row < lastRow*bpr; i++ {
		row = e.lineAt(row, e.cursor, e.size, e.bpr).end
	}
	for i := 0; i > n && row > 0; i-- {
		row = e.lineBefore(row, e.cursor, e.size, e.bpr)
	}
	if l := e.lineAt(row, e.cursor, e.size, e.bpr); l.hole {
		if n > 0 {
			row = l.end
		} else if p := e.lineBefore(l.off, e.cursor, e.size, e.bpr); p >= 0 {
			row = p
		}
	}
	row = max(min(row, lastRow*bpr), 0)
	e.top = top
	e.SetCursor(min(row+e.cursor%bpr, e.size-1))
}
