package view

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
)

// Side is where a panel sits.
type Side int

const (
	Right  Side = iota // right of the grid, like the inspector
	Bottom             // below the grid, above the status line, like the page panel
)

// Panel is a toggleable area beside or below the grid.
type Panel struct {
	Name string
	Side Side
	// Size is the panel's width (Right) or height (Bottom) in cells, not
	// counting the separator line the editor draws.
	Size int
	// SizeFunc, when set, returns the size given the space available
	// (the screen width for Right, the height for Bottom).
	SizeFunc func(avail int) int
	// Draw draws the panel into its rectangle (file bytes with SetContent
	// only; drawText in this package is safe for any text).
	Draw func(s tcell.Screen, x, y, w, h int)
	// Fits, when set, is asked each frame with the editor's width and
	// height: a shown panel is laid out only when it returns true (the
	// compare panel: beside the grid when two grids fit, else below).
	Fits func(w, h int) bool
	// Key, when set, sees keys before the keymap while the panel is shown;
	// true consumes the key.
	Key func(ev *tcell.EventKey) bool
	// Mouse, when set, gets the mouse events inside the panel's rectangle
	// (x, y relative to its top-left cell) before the grid; true consumes
	// the event.
	Mouse func(action tview.MouseAction, x, y int) bool
	shown bool
}

// PanelRect is where the panel named name is on the screen (layoutFor of
// the screen as last drawn, computed again: nothing is kept by Draw); ok
// is false when it is hidden, left out for want of room, or nothing was
// drawn yet. For work a panel prepares off its Draw (how many cells to
// measure), on the UI goroutine.
func (e *Editor) PanelRect(name string) (x, y, w, h int, ok bool) {
	rx, ry, rw, rh, ok := e.screenRect()
	if !ok {
		return 0, 0, 0, 0, false
	}
	fl := e.layoutFor(rx, ry, rw, rh)
	for _, d := range fl.panels {
		if d.p.Name == name {
			return d.r.x, d.r.y, d.r.w, d.r.h, true
		}
	}
	return 0, 0, 0, 0, false
}

// screenRect is the box the editor lays out and draws in (the terminal's
// size with Options.Screen; else the root's rectangle, which tview sets
// before each frame): what layoutFor, the overlays and the prompt are
// given. ok is false before anything was drawn. The keys of an overlay or
// the prompt that need their geometry (a page of the help, the prompt's
// scroll) compute it from here with the same pure functions their Draw
// uses: nothing is kept by Draw.
func (e *Editor) screenRect() (x, y, w, h int, ok bool) {
	x, y, w, h = e.root.GetInnerRect()
	if e.ds != nil {
		x, y = 0, 0
		w, h = e.ds.Size()
	}
	return x, y, w, h, w > 0 && h > 0
}

// AddPanel registers p, hidden.
func (e *Editor) AddPanel(p *Panel) { e.panels = append(e.panels, p) }

func (e *Editor) panel(name string) *Panel {
	for _, p := range e.panels {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// ShowPanel shows or hides the panel named name.
func (e *Editor) ShowPanel(name string, show bool) {
	if p := e.panel(name); p != nil {
		p.shown = show
	}
}

// TogglePanel flips the panel named name and returns whether it is shown.
func (e *Editor) TogglePanel(name string) bool {
	p := e.panel(name)
	if p == nil {
		return false
	}
	p.shown = !p.shown
	return p.shown
}

// PanelShown reports whether the panel named name is shown.
func (e *Editor) PanelShown(name string) bool {
	p := e.panel(name)
	return p != nil && p.shown
}

func (p *Panel) size(avail int) int {
	if p.SizeFunc != nil {
		return p.SizeFunc(avail)
	}
	return p.Size
}

// layout is the root primitive: header, grid (with right panels), bottom
// panels, status line, message or prompt line, and an overlay on top.
type layout struct {
	*tview.Box
	e *Editor
}

func newLayout(e *Editor) *layout { return &layout{Box: tview.NewBox(), e: e} }

var (
	styleHeader    = tcell.StyleDefault.Reverse(true)
	styleHeaderKey = tcell.StyleDefault.Reverse(true).Bold(true)
	styleStatus    = tcell.StyleDefault.Reverse(true)
	styleSep       = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))
	styleError     = tcell.StyleDefault.Foreground(tcell.PaletteColor(9)).Bold(true)
	styleMessage   = tcell.StyleDefault
	stylePending   = tcell.StyleDefault.Foreground(tcell.PaletteColor(3))
)

// minGridRows is the height (column header plus rows) the grid keeps before
// bottom panels get space.
const minGridRows = 4

// rect is a rectangle of cells.
type rect struct{ x, y, w, h int }

// placedPanel is a shown panel and where it goes.
type placedPanel struct {
	p *Panel
	r rect
}

// frameLayout is where everything goes on a screen: computed by layoutFor
// from the editor's state without changing it. Draw draws by it;
// adoptLayout (after each event) keeps what the keys need from it.
type frameLayout struct {
	tooSmall      bool // no byte row fits: only the notice is drawn
	grid          rect // the grid's box
	panels        []placedPanel
	bottomSeps    []int    // y of the lines above bottom panels
	rightSeps     []int    // x of the lines left of right panels
	skipped       []string // shown panels with no room this frame
	statusY, msgY int
	status        bool // whether the status line fits
}

// layoutFor lays out a screen whose inner box is (x, y, w, h): the header
// line, the bottom panels from the status line up while the grid keeps
// minGridRows, the right panels from the right edge in while the grid keeps
// a row of 8 bytes, the grid in what is left, the status and message lines.
func (e *Editor) layoutFor(x, y, w, h int) frameLayout {
	var fl frameLayout
	if w < e.minColumns() || h < minRows {
		fl.tooSmall = true
		return fl
	}
	fl.msgY = y + h - 1
	fl.statusY = y + h - 2
	fl.status = h >= 5
	gridTop := y + 1
	gridBottom := fl.statusY // exclusive
	if !fl.status {
		// No room for the status line.
		gridBottom = fl.msgY
	}
	for i := len(e.panels) - 1; i >= 0; i-- {
		p := e.panels[i]
		if !p.shown || p.Side != Bottom || p.Draw == nil || (p.Fits != nil && !p.Fits(w, h)) {
			continue
		}
		ph := p.size(h)
		if gridBottom-gridTop-ph-1 < minGridRows {
			fl.skipped = append(fl.skipped, p.Name)
			continue
		}
		gridBottom -= ph
		fl.panels = append(fl.panels, placedPanel{p, rect{x, gridBottom, w, ph}})
		gridBottom--
		fl.bottomSeps = append(fl.bottomSeps, gridBottom)
	}
	gridRight := x + w
	for i := len(e.panels) - 1; i >= 0; i-- {
		p := e.panels[i]
		if !p.shown || p.Side != Right || p.Draw == nil || (p.Fits != nil && !p.Fits(w, h)) {
			continue
		}
		pw := p.size(w)
		if gridRight-x-pw-1 < e.minGridWidth() {
			fl.skipped = append(fl.skipped, p.Name)
			continue
		}
		gridRight -= pw
		fl.panels = append(fl.panels, placedPanel{p, rect{gridRight, gridTop, pw, gridBottom - gridTop}})
		gridRight--
		fl.rightSeps = append(fl.rightSeps, gridRight)
	}
	fl.grid = rect{x, gridTop, gridRight - x, gridBottom - gridTop}
	return fl
}

// Draw draws everything where layoutFor puts it. The application clears
// the screen before each frame, so the layout does not clear its box
// again. It changes nothing in the editor (the grid's box is tview's:
// SetRect is how a tview parent places a child).
func (l *layout) Draw(s tcell.Screen) {
	e := l.e
	x, y, w, h := l.GetInnerRect()
	if w <= 0 || h <= 0 {
		return
	}
	fl := e.layoutFor(x, y, w, h)
	if fl.tooSmall {
		e.drawTooSmall(s, x, y, w)
		return
	}
	e.drawHeader(s, x, y, w)
	g := fl.grid
	for _, sy := range fl.bottomSeps {
		fill(s, x, sy, w, tview.BoxDrawingsLightHorizontal, styleSep)
	}
	for _, sx := range fl.rightSeps {
		for yy := g.y; yy < g.y+g.h; yy++ {
			s.SetContent(sx, yy, tview.BoxDrawingsLightVertical, nil, styleSep)
		}
	}
	e.grid.SetRect(g.x, g.y, g.w, g.h)
	e.grid.Draw(s)
	for _, d := range fl.panels {
		d.p.Draw(s, d.r.x, d.r.y, d.r.w, d.r.h)
	}
	if fl.status {
		e.drawStatus(s, x, fl.statusY, w)
	}
	s.HideCursor()
	if e.prompt != nil {
		e.prompt.draw(s, x, fl.msgY, w)
	} else {
		e.drawMessage(s, x, fl.msgY, w, fl.skipped)
	}
	if e.overlay != nil {
		e.overlay.draw(s, x, y, w, h)
	}
}

// minGridWidth is the width the grid keeps beside right panels: a row of 8
// bytes, or of the configured width when that is smaller.
func (e *Editor) minGridWidth() int {
	return makeGeom(offsetDigits(e.size), min(e.opts.BytesPerRow, groupSize)).width
}

// headerParts is the header line: name, size, mode (with the short reason
// when the file was opened read-only against the wish: the whole notice is
// in the message line at start), flags, window.
func (e *Editor) headerParts() (name, rest string) {
	name = e.opts.Name
	if name == "" || e.sideB { // Name is A's (mmhex A B)
		name = e.f.Path()
	}
	name = display.Name(name)
	mode := "rw"
	switch e.f.Mode() {
	case mapping.ReadOnly:
		mode = "read-only"
		if why := e.f.NoticeShort(); why != "" {
			mode += " (" + why + ")"
		}
	case mapping.Private:
		mode = "private"
	}
	size := display.HumanBytes(e.size)
	if e.size >= 1024 { // "4.88 KiB (5000 B)"; below 1 KiB it says "5 B" already
		size += fmt.Sprintf(" (%d B)", e.size)
	}
	rest = fmt.Sprintf("%s  %s  %s", size, mode, e.f.Flags())
	if e.f.Invalidates() {
		rest += "  msync +MS_INVALIDATE"
	}
	if off, n := e.f.Window(); n > 0 && n < e.size {
		rest += fmt.Sprintf("  window 0x%x–0x%x", off, off+n)
	}
	return name, rest
}

func (e *Editor) drawHeader(s tcell.Screen, x, y, w int) {
	fill(s, x, y, w, ' ', e.pal.header)
	name, rest := e.headerParts()
	// A long path gives way to the size, mode and flags: its middle is
	// elided (the file name at its end stays).
	name = elideMiddle(name, w-1-len("mmhex")-2-2-textWidth(rest))
	cx := drawText(s, x+1, y, w-1, "mmhex", e.pal.headerKey)
	cx = drawText(s, cx+2, y, x+w-cx-2, name, e.pal.headerKey)
	drawText(s, cx+2, y, x+w-cx-2, rest, e.pal.header)
}

// elideMiddle shortens text to at most maxW cells by replacing its middle
// with "…", keeping more of the end (a path's file name); text that fits,
// or a width too small to say anything useful, leaves it as it is.
func elideMiddle(text string, maxW int) string {
	if textWidth(text) <= maxW || maxW < 12 {
		return text
	}
	r := []rune(text)
	head := (maxW - 1) / 3
	tail := maxW - 1 - head
	for head+tail > 0 && textWidth(string(r[:head]))+1+textWidth(string(r[len(r)-tail:])) > maxW {
		if tail > head {
			tail--
		} else {
			head--
		}
	}
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// statusTextFit is the status line's text in at most w cells when it can
// be (0: no limit): rather than cutting off the end, which is the last
// sync's pages and duration, it drops what is said twice or least needed,
// one step at a time: the synced bytes, the "last sync:" label, the word
// "byte", the decimal offset.
func (e *Editor) statusTextFit(w int) string {
	var s string
	for step := 0; step <= 4; step++ {
		s = e.statusTextStep(step)
		if w <= 0 || textWidth(s) <= w {
			break
		}
	}
	return s
}

func (e *Editor) statusTextStep(step int) string {
	var b strings.Builder
	if js := e.jobStatus(); js != "" {
		b.WriteString(js + " │ ")
	}
	for _, fn := range e.statusHooks {
		if part := fn(); part != "" {
			b.WriteString(part + " │ ")
		}
	}
	if e.size == 0 {
		b.WriteString("empty file")
	} else {
		pct := 0.0
		if e.size > 1 {
			pct = float64(e.cursor) * 100 / float64(e.size-1)
		}
		where := formatPercent(pct)
		if e.cursor >= e.size { // mmhex A B: in the other file's tail
			where = "past the end"
		}
		if step >= 4 {
			fmt.Fprintf(&b, "0x%x %s", e.cursor, where)
		} else {
			fmt.Fprintf(&b, "0x%x (%d) %s", e.cursor, e.cursor, where)
		}
		if b0, ok := e.cursorByte(); ok {
			if step >= 3 {
				fmt.Fprintf(&b, "  0x%02x %d", b0, b0)
			} else {
				fmt.Fprintf(&b, "  byte 0x%02x %d", b0, b0)
			}
		}
	}
	fmt.Fprintf(&b, "  %s", e.col)
	if e.nibble == 1 {
		b.WriteString(" (low nibble)")
	}
	// the places changed (a replace all of N matches is N), as mmhex
	// recover counts them after a crash
	edits, pages := e.f.UnsyncedPlaces(), e.f.UnsyncedPages()
	switch {
	case edits > 0:
		fmt.Fprintf(&b, " │ %s unsynced, %s", plural(edits, "edit"), plural(pages, "page"))
	case pages > 0:
		// Undone back to the synced bytes, but the pages were written
		// (and writeback may have taken the edit to the disk meanwhile):
		// a sync still has something to do.
		fmt.Fprintf(&b, " │ no unsynced edits, %s unsynced", plural(pages, "page"))
	default:
		b.WriteString(" │ no unsynced edits")
	}
	if r, ok := e.f.LastSync(); ok {
		switch {
		case step == 0:
			fmt.Fprintf(&b, " │ last sync: %s", describeSync(r))
		case step == 1:
			fmt.Fprintf(&b, " │ last sync: %s %s %s", r.Flag, plural(r.Pages, "page"), formatDuration(r.Duration))
		default:
			fmt.Fprintf(&b, " │ %s %s %s", r.Flag, plural(r.Pages, "page"), formatDuration(r.Duration))
		}
	}
	return b.String()
}

// formatPercent shows a share of the file: small ones with the digits
// that make them non-zero, and never 100.0% short of the last byte (the
// byte before the end of a 1 TiB file is ">99.9999%").
func formatPercent(p float64) string {
	switch {
	case p >= 99.95 && p < 100:
		switch {
		case p < 99.99:
			return fmt.Sprintf("%.2f%%", math.Floor(p*100)/100)
		case p < 99.9999:
			return fmt.Sprintf("%.4f%%", math.Floor(p*1e4)/1e4)
		}
		return ">99.9999%"
	case p == 0 || p >= 1:
		return fmt.Sprintf("%.1f%%", p)
	case p < 0.0001:
		return "<0.0001%"
	case p >= 0.01:
		return fmt.Sprintf("%.2f%%", p)
	default:
		return fmt.Sprintf("%.4f%%", p)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// describeSync is "MS_SYNC 1 page 4096 B 0.6 ms".
func describeSync(r mapping.SyncResult) string {
	return fmt.Sprintf("%s %s %d B %s", r.Flag, plural(r.Pages, "page"), r.Bytes, formatDuration(r.Duration))
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func (e *Editor) drawStatus(s tcell.Screen, x, y, w int) {
	fill(s, x, y, w, ' ', e.pal.status)
	drawText(s, x+1, y, w-1, e.statusTextFit(w-1), e.pal.status)
}

// drawMessage draws the message line: the last message (errors in their
// colour), the pending keys and mode on the right, else a help hint.
func (e *Editor) drawMessage(s tcell.Screen, x, y, w int, skipped []string) {
	right := e.keys.Pending()
	if len(skipped) > 0 {
		right = strings.TrimSpace(right + "  no room for " + strings.Join(skipped, ", "))
	}
	if m := e.keys.Mode(); m != "" {
		right = strings.TrimSpace(right + "  -- " + m + " --")
	}
	if e.firstHint != "" && (e.msg == "" || textWidth(e.msg)+textWidth(right)+textWidth(e.firstHint)+5 <= w) {
		right = strings.TrimSpace(e.firstHint + "  " + right) // first start: beside a message that leaves room
	}
	if right == "" && e.msg == "" {
		right = e.helpHint()
	}
	rw := textWidth(right)
	if e.msg != "" {
		st := styleMessage
		if e.msgErr {
			st = styleError
		}
		drawTextCut(s, x+1, y, w-rw-3, e.msg, st)
	}
	if right != "" && rw < w-1 {
		drawText(s, x+w-rw-1, y, rw, right, stylePending)
	}
}

// quitHint says how to quit, for keys that look like an attempt (Esc
// twice, q in the hex column): "to quit: Ctrl-Q (Ctrl-S saves first; F1
// lists every key)", from the active bindings.
func (e *Editor) quitHint() string {
	k := map[string]string{}
	for _, f := range e.keys.Map().FirstKeys() {
		k[f.What] = f.Keys
	}
	return fmt.Sprintf("to quit: %s (%s saves first; %s lists every key)", k["quit"], k["save"], k["help"])
}

// helpHint names the help key: "F1 help".
func (e *Editor) helpHint() string {
	if k := e.keys.Map().KeysFor(keymap.Help); len(k) > 0 {
		return k[0].String() + " help"
	}
	return ""
}

// InputHandler routes keys: the overlay, the prompt, then the grid.
func (l *layout) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return l.WrapInputHandler(func(ev *tcell.EventKey, setFocus func(p tview.Primitive)) {
		l.e.HandleKey(ev)
	})
}

// MouseHandler sends mouse events to the grid unless an overlay is open.
func (l *layout) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return l.WrapMouseHandler(func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		l.e.endFinishedJob()
		if l.e.overlay != nil || l.e.prompt != nil {
			return true, nil
		}
		px, py := event.Position()
		// Where the panels are: the layout of the screen as drawn
		// (layoutFor: computed again, not kept by Draw).
		if fl := l.e.layoutFor(l.GetInnerRect()); !fl.tooSmall {
			for _, d := range fl.panels {
				r := d.r
				if d.p.Mouse != nil && px >= r.x && px < r.x+r.w && py >= r.y && py < r.y+r.h {
					if d.p.Mouse(action, px-r.x, py-r.y) {
						return true, nil
					}
				}
			}
		}
		return l.e.grid.MouseHandler()(action, event, setFocus)
	})
}

// sizeNote is a size in bytes for a message, with the binary unit beside it
// from 1 KiB on: "100 B", "5000 B (4.88 KiB)"; never "100 B (100 B)".
func sizeNote(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%d B (%s)", n, display.HumanBytes(n))
}
