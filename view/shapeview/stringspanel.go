package shapeview

// stringspanel.go: the strings panel (strings-panel, Alt-l, vim g t): the
// strings of the whole file, or of the rows on screen (Tab switches), as
// `strings -a` finds them (shape.StringsList: 4 characters or more),
// found in the background and listed as they come; typing filters them
// (ASCII case-insensitive), Up/Down/PgUp/PgDn choose one, Enter jumps to
// it, Esc closes the panel (and stops the scan). While the panel is shown
// it takes printable keys, Backspace, Tab, Enter and the arrows; other
// keys (Alt-, Ctrl-) go to the editor.

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping/shape"
	"mmhex/view"
)

const (
	stringsPanelName = "strings"
	stringsRows      = 10     // the panel's height
	maxStrings       = 200000 // kept in the list; the count goes on
	maxStringText    = 200    // characters kept of each string
)

type stringsPanel struct {
	e      *view.Editor
	inline bool
	job    job

	// batches found and not yet on the list, in order (the worker appends,
	// the UI goroutine takes them all: posts may run in any order, the
	// list does not)
	mu      sync.Mutex
	pending []shape.Found
	pendN   int64 // strings found in pending's batches, beyond maxStrings too
	pendK   int64 // of those, the ones the scan's filter keeps
	posted  bool  // a drain is queued
	pendGen int

	// UI goroutine only
	visible  bool  // scope: the rows on screen, not the whole file
	from, to int64 // the range scanned
	items    []shape.Found
	found    int64 // strings found (items holds the first maxStrings)
	kept     int64 // of those, the ones scanFlt keeps (items holds the first maxStrings)
	filter   string
	scanFlt  string // the filter the scan kept strings by (lower case; "" all)
	match    []int  // indices of items that match the filter
	sel, top int    // chosen row and first row shown, in match (changed by keys, never by Draw)
	err      error
}

// StringsPanel is the strings panel feature, a new value for each editor.
func StringsPanel() view.Feature { return &stringsPanel{} }

func (sp *stringsPanel) Name() string { return "strings panel" }

func (sp *stringsPanel) Register(e *view.Editor) error {
	sp.e = e
	e.AddPanel(&view.Panel{Name: stringsPanelName, Side: view.Bottom, Size: stringsRows, Draw: sp.draw, Key: sp.key})
	e.Handle(keymap.StringsPanel, func(e *view.Editor, a view.Args) {
		if e.TogglePanel(stringsPanelName) {
			sp.scan()
		} else {
			sp.job.stop()
		}
	})
	e.AddStatus(func() string { return sp.job.status("finding strings") })
	return nil
}

func (sp *stringsPanel) scan() {
	e := sp.e
	f := e.File()
	sp.from, sp.to = 0, f.Size()
	if sp.visible {
		sp.from, sp.to = e.VisibleRange()
	}
	sp.items, sp.found, sp.kept, sp.match, sp.sel, sp.top, sp.err = nil, 0, 0, nil, 0, 0, nil
	// the scan keeps the strings the filter matches: with more than
	// maxStrings in the file, filtering the first maxStrings would miss
	// the later ones
	sp.scanFlt = strings.ToLower(sp.filter)
	from, to, flt := sp.from, sp.to, sp.scanFlt
	sp.job.start(e, sp.inline, func(ctx context.Context, gen int) {
		sp.mu.Lock()
		// only forward: the worker of an older scan may start after this
		// one's (typing restarts the scan at each key); its batches are
		// dropped, never this one's
		if gen > sp.pendGen {
			sp.pending, sp.pendN, sp.pendK, sp.pendGen = nil, 0, 0, gen
		}
		sp.mu.Unlock()
		err := shape.StringsList(ctx, f, from, to, shape.StringsOptions{}, maxStringText, func(batch []shape.Found) bool {
			n := int64(len(batch))
			if flt != "" {
				keep := batch[:0:0]
				for _, it := range batch {
					if strings.Contains(strings.ToLower(string(it.Text)), flt) {
						keep = append(keep, it)
					}
				}
				batch = keep
			}
			sp.mu.Lock()
			if sp.pendGen != gen {
				sp.mu.Unlock()
				return false
			}
			if room := maxStrings - len(sp.pending); room > 0 {
				sp.pending = append(sp.pending, batch[:min(room, len(batch))]...)
			}
			sp.pendN += n
			sp.pendK += int64(len(batch))
			queue := !sp.posted
			sp.posted = true
			sp.mu.Unlock()
			if queue {
				post(e, sp.inline, func() { sp.drain(gen) })
			}
			return ctx.Err() == nil
		}, func(done, total int64) { sp.job.progress(gen, done, total) })
		if err != nil && ctx.Err() == nil {
			post(e, sp.inline, func() {
				if sp.job.current(gen) {
					sp.err = err
				}
			})
		}
	})
}

// drain moves the pending strings to the list (UI goroutine).
func (sp *stringsPanel) drain(gen int) {
	sp.mu.Lock()
	batch, n, k := sp.pending, sp.pendN, sp.pendK
	sp.pending, sp.pendN, sp.pendK, sp.posted = nil, 0, 0, false
	current := sp.pendGen == gen
	sp.mu.Unlock()
	if current && sp.job.current(gen) {
		sp.add(batch, n, k)
	}
}

func (sp *stringsPanel) add(batch []shape.Found, n, k int64) {
	sp.found += n
	sp.kept += k
	if room := maxStrings - len(sp.items); room > 0 {
		base := len(sp.items)
		sp.items = append(sp.items, batch[:min(room, len(batch))]...)
		for i := base; i < len(sp.items); i++ {
			if sp.matches(i) {
				sp.match = append(sp.match, i)
			}
		}
	}
}

func (sp *stringsPanel) matches(i int) bool {
	return sp.filter == "" || strings.Contains(strings.ToLower(string(sp.items[i].Text)), strings.ToLower(sp.filter))
}

// refilter shows the strings the filter matches: of the list when it
// holds every string the new filter can match (the scan ended, nothing
// was left out, and the new filter narrows the scan's), else by a new
// scan that keeps them.
func (sp *stringsPanel) refilter() {
	if sp.job.busy() || sp.kept > int64(len(sp.items)) || !strings.Contains(strings.ToLower(sp.filter), sp.scanFlt) {
		sp.scan()
		return
	}
	sp.match = sp.match[:0]
	for i := range sp.items {
		if sp.matches(i) {
			sp.match = append(sp.match, i)
		}
	}
	sp.sel, sp.top = 0, 0
}

// listRows is the number of list rows in a panel of h rows: the head line
// and the error line (when there is one) take theirs.
func (sp *stringsPanel) listRows(h int) int {
	rows := h - 1
	if sp.err != nil && rows > 0 {
		rows--
	}
	return rows
}

// listTop is the first row of the list shown in rows rows: top, moved the
// least that shows the chosen row (a pure function: Draw shows it, the keys
// adopt it).
func (sp *stringsPanel) listTop(rows int) int {
	top := sp.top
	if sp.sel < top {
		top = sp.sel
	}
	if sp.sel >= top+rows {
		top = sp.sel - rows + 1
	}
	return top
}

// shownRows is the list's rows on the screen now (PanelRect: the layout
// computed again, nothing kept by Draw), 0 when it is not laid out.
func (sp *stringsPanel) shownRows() int {
	if _, _, _, h, ok := sp.e.PanelRect(stringsPanelName); ok {
		return max(sp.listRows(h), 0)
	}
	return 0
}

// key handles the panel's keys. The scroll is the panel's state, changed
// here: before the key it adopts the scroll the last frame showed
// (listTop of the rows on the screen), and after it the scroll that shows
// the choice, as the grid adopts its layout after each event.
func (sp *stringsPanel) key(ev *tcell.EventKey) bool {
	rows := sp.shownRows()
	if rows > 0 {
		sp.top = sp.listTop(rows)
	}
	used := sp.handleKey(ev, max(rows, 1))
	if rows := sp.shownRows(); rows > 0 {
		sp.top = sp.listTop(rows)
	}
	return used
}

func (sp *stringsPanel) handleKey(ev *tcell.EventKey, page int) bool {
	e := sp.e
	switch ev.Key() {
	case tcell.KeyEsc:
		sp.job.stop()
		e.ShowPanel(stringsPanelName, false)
		return true
	case tcell.KeyEnter:
		if sp.sel < len(sp.match) {
			it := sp.items[sp.match[sp.sel]]
			e.PushJump()
			e.SetCursor(it.Off)
			e.CenterOn(it.Off)
			e.Message("string at 0x%x (%d characters)", it.Off, it.Len)
		}
		return true
	case tcell.KeyTab:
		sp.visible = !sp.visible
		sp.scan()
		return true
	case tcell.KeyUp:
		sp.move(-1)
		return true
	case tcell.KeyDown:
		sp.move(1)
		return true
	case tcell.KeyPgUp:
		sp.move(-page)
		return true
	case tcell.KeyPgDn:
		sp.move(page)
		return true
	case tcell.KeyBackspace, tcell.KeyBackspace2:
		if sp.filter != "" {
			r := []rune(sp.filter)
			sp.filter = string(r[:len(r)-1])
			sp.refilter()
		}
		return true
	case tcell.KeyRune:
		if ev.Modifiers()&(tcell.ModAlt|tcell.ModCtrl) != 0 {
			return false
		}
		sp.filter += string(ev.Rune())
		sp.refilter()
		return true
	}
	return false
}

func (sp *stringsPanel) move(d int) {
	sp.sel = max(0, min(sp.sel+d, len(sp.match)-1))
}

func (sp *stringsPanel) draw(s tcell.Screen, x, y, w, h int) {
	scope := "the whole file"
	if sp.visible {
		scope = fmt.Sprintf("the rows on screen (0x%x–0x%x)", sp.from, sp.to)
	}
	head := fmt.Sprintf("strings of %s: %d", scope, sp.found)
	if sp.kept > int64(len(sp.items)) {
		head += fmt.Sprintf(" (the first %d listed)", len(sp.items))
	}
	if sp.filter != "" {
		head += fmt.Sprintf(", %d with %q", len(sp.match), sp.filter)
	}
	cx := drawLine(s, x, y, w, head, styleHead)
	view.DrawText(s, cx+2, y, x+w-cx-2, "type to filter · Tab visible/whole · Enter jump · Esc close", styleNote)
	rows := sp.listRows(h)
	if sp.err != nil && h-1 > 0 {
		drawLine(s, x, y+1, w, sp.err.Error(), styleErr)
		y++
	}
	if rows <= 0 {
		return
	}
	// the chosen row in view: listTop, which the keys adopt (Draw keeps
	// nothing)
	top := sp.listTop(rows)
	digits := 8
	for v := sp.to; v >= 1<<32; v >>= 4 {
		digits++
	}
	for r := 0; r < rows; r++ {
		i := top + r
		yy := y + 1 + r
		if i >= len(sp.match) {
			drawLine(s, x, yy, w, "", styleText)
			continue
		}
		it := sp.items[sp.match[i]]
		st := styleText
		if i == sp.sel {
			st = styleSel
		}
		line := fmt.Sprintf(" %0*x  %s", digits, it.Off, it.Text)
		if it.Len > int64(len(it.Text)) {
			line += "…"
		}
		for k := 0; k < w; k++ {
			s.SetContent(x+k, yy, ' ', nil, st)
		}
		view.DrawText(s, x, yy, w, line, st)
	}
}
