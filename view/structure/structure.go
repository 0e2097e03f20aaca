// Package structure is the structure panel (action structure, Alt-t /
// g s): the open file decoded with a Kaitai Struct format (mapping/ksy),
// as a tree of fields with offset, size, type, value and enum name.
//
// It is written against view's exported API only, as view/lab is: a
// view.Feature value holding its own state, listed in features.Default.
// Decoding runs off the UI goroutine (Editor.Go), one request at a time;
// the UI goroutine only swaps in the rows a request built, and Draw only
// draws them. Moving in the tree moves the grid's cursor to the field and
// highlights its bytes (view.MarkField); the status line names the field
// under the grid's cursor; Enter on an integer, enum or string field
// edits it: the bytes ksy.Node.Encode makes (the field's width, sign,
// byte order or encoding; values that do not fit are refused) are written
// with Editor.WriteAt, one journaled edit.
package structure

import (
	"fmt"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping/display"
	"mmhex/mapping/ksy"
	"mmhex/view"
)

const panelName = "structure"

// pageSize is how many elements of an array are shown before a "more" row.
const pageSize = 100

// refresh is how often the shown tree is decoded again (the file may have
// changed: an undo, another writer).
const refresh = time.Second

type row struct {
	n     *ksy.Node
	in    ksy.Info
	depth int
	more  int64 // a "more elements" row of the array n: elements shown so far
}

type panel struct {
	e      *view.Editor
	inline bool   // decode on the calling goroutine (tests)
	format string // --format (tests); "" detects

	dec     *ksy.Decoder
	err     error
	rows    []row
	sel     int
	top     int // the first row shown: changed by the keys (adoptTop), never by Draw
	focus   bool
	jumped  bool // the cursor's place when the focus came is on the jump list
	busy    bool
	again   bool // a request came while busy
	open    map[string]bool
	shown   map[string]int64 // array path → elements shown
	under   string           // the field under the grid's cursor
	seq     int              // locate requests
	elapsed time.Duration    // the last request's time (tests, the header)
}

// Structure is the structure panel feature, a new value for each editor.
func Structure() view.Feature { return &panel{} }

func (p *panel) Name() string { return "structure" }

func (p *panel) Register(e *view.Editor) error {
	p.e = e
	p.open, p.shown = map[string]bool{}, map[string]int64{}
	e.AddPanel(&view.Panel{Name: panelName, Side: view.Bottom, SizeFunc: p.height, Draw: p.draw, Key: p.key})
	e.Handle(keymap.Structure, func(e *view.Editor, a view.Args) { p.toggle() })
	e.AddHighlighter(p.highlight)
	e.AddStatus(p.status)
	e.OnMove(func(from, to int64) {
		if p.dec != nil && e.PanelShown(panelName) && !p.focus {
			p.locate(to)
		}
	})
	e.OnCancel(func() bool {
		if p.focus {
			p.focus = false
			return true
		}
		return false
	})
	e.EveryWhile(refresh, func() bool { return e.PanelShown(panelName) && !p.busy }, func() { p.request(false) })
	return nil
}

// toggle: hidden → shown with the focus; shown without it → focus; shown
// with it → hidden.
func (p *panel) toggle() {
	switch {
	case !p.e.PanelShown(panelName):
		p.e.ShowPanel(panelName, true)
		p.focus, p.jumped = true, false
		p.request(p.dec == nil)
	case !p.focus:
		p.focus, p.jumped = true, false
	default:
		p.e.ShowPanel(panelName, false)
		p.focus = false
	}
}

func (p *panel) height(avail int) int { return max(min(16, avail/2), 3) }

// run does fn off the UI goroutine and then done on it (both at once in
// tests).
func (p *panel) run(fn func() func()) {
	if p.inline {
		fn()()
		return
	}
	app := p.e.App()
	p.e.Go(func() {
		done := fn()
		app.QueueUpdateDraw(done)
	})
}

// request decodes the tree again (fresh: choose the format and start a
// new decoder) and rebuilds the rows.
func (p *panel) request(fresh bool) {
	if p.busy {
		p.again = true
		return
	}
	p.busy = true
	f := p.e.File()
	name := p.e.FileName()
	format := p.format
	dec := p.dec
	open := make(map[string]bool, len(p.open))
	for k, v := range p.open {
		open[k] = v
	}
	shown := make(map[string]int64, len(p.shown))
	for k, v := range p.shown {
		shown[k] = v
	}
	p.run(func() func() {
		start := time.Now()
		var err error
		if fresh || dec == nil {
			dec, err = ksy.Choose(f, f.Size(), name, format, ksy.UserFormatsDir())
		} else {
			dec = ksy.NewDecoder(dec.Spec(), f, f.Size(), ksy.DefaultLimits) // the bytes may have changed
		}
		var rows []row
		if err == nil {
			rows = build(dec.Root(), open, shown)
		}
		took := time.Since(start)
		return func() {
			p.busy = false
			p.elapsed = took
			p.err = err
			if err == nil {
				p.dec, p.rows = dec, rows
				p.sel = min(p.sel, max(len(rows)-1, 0))
			}
			if p.again {
				p.again = false
				p.request(false)
			}
		}
	})
}

// build flattens the tree: the top-level structure's children, and the
// children of every open branch (arrays a page at a time).
func build(root *ksy.Node, open map[string]bool, shown map[string]int64) []row {
	var rows []row
	var walk func(n *ksy.Node, depth int)
	walk = func(n *ksy.Node, depth int) {
		in := n.Info()
		limit := int64(1 << 20)
		if in.Kind == ksy.ArrayKind {
			limit = shown[n.Path()]
			if limit == 0 {
				limit = pageSize
			}
		}
		kids, err := n.Children(0, limit)
		for _, k := range kids {
			ki := k.Info()
			rows = append(rows, row{n: k, in: ki, depth: depth})
			if ki.Kind != ksy.Scalar && open[k.Path()] && depth < 64 {
				walk(k, depth+1)
			}
		}
		if in.Kind == ksy.ArrayKind && int64(len(kids)) == limit {
			if c, all := n.Info().Count, n.Info().All; !all || c > limit {
				rows = append(rows, row{n: n, in: in, depth: depth, more: limit})
			}
		}
		if err != nil && len(kids) < int(min(limit, 1<<20)) {
			rows = append(rows, row{n: n, in: ksy.Info{Name: "error", Off: -1, Size: -1, Err: err}, depth: depth, more: -1})
		}
	}
	walk(root, 0)
	return rows
}

func (p *panel) current() (row, bool) {
	if p.sel < 0 || p.sel >= len(p.rows) {
		return row{}, false
	}
	return p.rows[p.sel], true
}

// key handles the panel's keys while it has the focus; others go on to
// the keymap (Ctrl-S, Ctrl-Z ... work as usual).
func (p *panel) key(ev *tcell.EventKey) bool {
	if !p.focus || p.e.PromptOpen() {
		return false
	}
	rows := p.shownRows()
	p.adoptTop(rows) // the scroll the last frame showed
	used := p.handleKey(ev, max(rows, 1))
	p.adoptTop(p.shownRows()) // the scroll that shows the choice
	return used
}

// shownRows is the tree's rows on the screen now (the panel's rectangle
// from PanelRect, the layout computed again: Draw keeps nothing), 0 when
// the panel is not laid out.
func (p *panel) shownRows() int {
	if _, _, _, h, ok := p.e.PanelRect(panelName); ok {
		return max(h-1, 0)
	}
	return 0
}

// topFor is the first row shown in rows rows: p.top moved the least that
// shows the selected row, and no further than the last rows allow. A pure
// function: Draw shows it, the keys adopt it (adoptTop).
func (p *panel) topFor(rows int) int {
	top := p.top
	if p.sel < top {
		top = p.sel
	}
	if p.sel >= top+rows {
		top = p.sel - rows + 1
	}
	return max(0, min(top, max(len(p.rows)-rows, 0)))
}

// adoptTop keeps the scroll shown in rows rows (none: not laid out).
func (p *panel) adoptTop(rows int) {
	if rows > 0 {
		p.top = p.topFor(rows)
	}
}

func (p *panel) handleKey(ev *tcell.EventKey, h int) bool {
	if ev.Modifiers()&(tcell.ModAlt|tcell.ModCtrl|tcell.ModMeta) != 0 {
		// Alt-Left (jump back), Alt-j (mark jump), Ctrl-Home ... are the
		// editor's keys, not the tree's Left, j and Home
		return false
	}
	switch ev.Key() {
	case tcell.KeyUp:
		p.moveTo(p.sel - 1)
	case tcell.KeyDown:
		p.moveTo(p.sel + 1)
	case tcell.KeyPgUp:
		p.moveTo(p.sel - h)
	case tcell.KeyPgDn:
		p.moveTo(p.sel + h)
	case tcell.KeyHome:
		p.moveTo(0)
	case tcell.KeyEnd:
		p.moveTo(len(p.rows) - 1)
	case tcell.KeyRight:
		p.expand(true)
	case tcell.KeyLeft:
		p.expand(false)
	case tcell.KeyEnter:
		p.enter()
	case tcell.KeyRune:
		switch ev.Rune() {
		case 'j':
			p.moveTo(p.sel + 1)
		case 'k':
			p.moveTo(p.sel - 1)
		case 'l':
			p.expand(true)
		case 'h':
			p.expand(false)
		default:
			return false
		}
	default:
		return false
	}
	return true
}

// moveTo selects row i and moves the grid's cursor to its field; the first
// move of a visit (the panel took the focus) pushes the cursor's place on
// the jump list.
func (p *panel) moveTo(i int) {
	if len(p.rows) == 0 {
		return
	}
	p.sel = max(0, min(i, len(p.rows)-1))
	if r, ok := p.current(); ok && r.more == 0 && r.in.Off >= 0 {
		if !p.jumped && r.in.Off != p.e.Cursor() {
			// A structure jump: the place the browse began goes on the
			// jump list once a visit, not once a row.
			p.e.PushJump()
			p.jumped = true
		}
		p.e.CenterOn(r.in.Off)
		p.under = r.in.Path
	}
}

func (p *panel) expand(open bool) {
	r, ok := p.current()
	if !ok || r.more != 0 {
		return
	}
	if r.in.Kind == ksy.Scalar || p.open[r.in.Path] == open {
		if !open { // on a closed branch or a leaf: go to the parent
			for i := p.sel - 1; i >= 0; i-- {
				if p.rows[i].depth < r.depth {
					p.moveTo(i)
					return
				}
			}
		}
		return
	}
	p.open[r.in.Path] = open
	p.request(false)
}

func (p *panel) enter() {
	r, ok := p.current()
	if !ok {
		return
	}
	if r.more > 0 {
		p.shown[r.n.Path()] = r.more + pageSize
		p.request(false)
		return
	}
	if r.in.Kind != ksy.Scalar {
		p.open[r.in.Path] = !p.open[r.in.Path]
		p.request(false)
		return
	}
	if !r.in.Edit {
		p.e.Errorf("%s: this field cannot be edited (only integers, enums and strings in the file)", display.Sanitize(r.in.Path))
		return
	}
	text := r.in.Value
	if i := strings.Index(text, " ("); i > 0 {
		text = text[:i]
	}
	if r.in.Enum != "" && r.in.Enum != "?" {
		text = r.in.Enum
	}
	if r.in.Type == "str" || r.in.Type == "strz" {
		text = strings.TrimSuffix(strings.TrimPrefix(text, `"`), `"`)
	}
	node := r.n
	p.e.OpenPrompt(&view.Prompt{
		Label:    fmt.Sprintf("%s (%s) = ", display.Sanitize(r.in.Path), display.Sanitize(r.in.Type)),
		Text:     text,
		Selected: true,
		Done: func(text string) error {
			off, b, err := node.Encode(text)
			if err != nil {
				return err
			}
			if err := p.e.WriteAt(b, off); err != nil {
				return err
			}
			p.e.Message("%s = %s: %d %s at %#x", display.Sanitize(r.in.Path), display.Sanitize(text), len(b), plural(len(b)), off)
			p.request(false)
			return nil
		},
	})
}

func plural(n int) string {
	if n == 1 {
		return "byte"
	}
	return "bytes"
}

// locate finds the field under off (off the UI goroutine) for the status
// line.
func (p *panel) locate(off int64) {
	p.seq++
	seq := p.seq
	dec := p.dec
	p.run(func() func() {
		path := find(dec.Root(), off)
		return func() {
			if seq == p.seq {
				p.under = path
			}
		}
	})
}

// find descends from n into the smallest decoded field holding off.
func find(n *ksy.Node, off int64) string {
	path := ""
	for depth := 0; depth < 64; depth++ {
		kids, _ := n.Children(0, 4096)
		var best *ksy.Node
		var bestSize int64 = -1
		for _, k := range kids {
			in := k.Info()
			if in.Off < 0 || in.Size <= 0 || off < in.Off || off >= in.Off+in.Size {
				continue
			}
			if best == nil || in.Size < bestSize {
				best, bestSize = k, in.Size
			}
		}
		if best == nil {
			return path
		}
		path = best.Path()
		if best.Info().Kind == ksy.Scalar {
			return path
		}
		n = best
	}
	return path
}

func (p *panel) status() string {
	if p.busy && p.dec == nil {
		return "decoding…"
	}
	if p.dec == nil || p.under == "" || !p.e.PanelShown(panelName) {
		return ""
	}
	return "field " + display.Sanitize(p.under)
}

// highlight marks the selected field's bytes while the panel is shown.
func (p *panel) highlight(start, end int64) func(off int64) view.Mark {
	if !p.e.PanelShown(panelName) {
		return nil
	}
	r, ok := p.current()
	if !ok || r.more != 0 || r.in.Off < 0 || r.in.Size <= 0 {
		return nil
	}
	a, b := r.in.Off, r.in.Off+r.in.Size
	if b <= start || a >= end {
		return nil
	}
	return func(off int64) view.Mark {
		if off >= a && off < b {
			return view.MarkField
		}
		return 0
	}
}

var (
	styleHead = tcell.StyleDefault.Bold(true)
	styleText = tcell.StyleDefault
	styleDim  = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))
	styleErr  = tcell.StyleDefault.Foreground(tcell.PaletteColor(9)).Bold(true)
	styleEnum = tcell.StyleDefault.Foreground(tcell.PaletteColor(6))
)

func (p *panel) draw(s tcell.Screen, x, y, w, h int) {
	if h <= 0 || w <= 0 {
		return
	}
	head := "structure"
	switch {
	case p.dec != nil:
		head += ": " + p.dec.Spec().ID
		if p.dec.Spec().Title != "" {
			head += " (" + p.dec.Spec().Title + ")"
		}
	case p.busy:
		head += ": decoding…"
	}
	cx := view.DrawText(s, x, y, w, head, styleHead)
	hint := "  ↑↓ move  → ← open/close  Enter edit/open  Esc grid"
	if !p.focus {
		hint = "  (Alt-t / g s: into the tree)"
	}
	view.DrawText(s, cx, y, x+w-cx, hint, styleDim)
	if p.err != nil { // wrapped at spaces over the panel's rows
		line, yy := "", y+1
		for _, word := range strings.Fields(display.Line(p.err.Error())) {
			if line != "" && view.TextWidth(line+" "+word) > w {
				view.DrawText(s, x, yy, w, line, styleErr)
				line, yy = "", yy+1
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		if yy < y+h {
			view.DrawText(s, x, yy, w, line, styleErr)
		}
		return
	}
	rows := h - 1
	top := p.topFor(rows) // what the keys adopt (adoptTop): Draw keeps nothing
	nameW := max(min(w/3, 40), 12)
	for i := 0; i < rows && top+i < len(p.rows); i++ {
		r := p.rows[top+i]
		yy := y + 1 + i
		st := styleText
		if top+i == p.sel {
			st = st.Reverse(p.focus).Bold(true)
			for xx := x; xx < x+w; xx++ {
				s.SetContent(xx, yy, ' ', nil, st)
			}
		}
		if r.more != 0 {
			text := fmt.Sprintf("%s… more elements (Enter: %d more)", strings.Repeat("  ", r.depth), pageSize)
			if r.more < 0 {
				text = strings.Repeat("  ", r.depth) + "error: " + display.Line(r.in.Err.Error())
			}
			view.DrawText(s, x, yy, w, text, st)
			continue
		}
		mark := "  "
		if r.in.Kind != ksy.Scalar {
			mark = "▸ "
			if p.open[r.in.Path] {
				mark = "▾ "
			}
		}
		name := strings.Repeat("  ", r.depth) + mark + r.in.Name
		view.DrawText(s, x, yy, nameW, name, st)
		col := x + nameW + 1
		off := "-"
		if r.in.Off >= 0 {
			off = fmt.Sprintf("%#x", r.in.Off)
		}
		size := ""
		if r.in.Size >= 0 {
			size = fmt.Sprintf("+%d", r.in.Size)
		}
		col = view.DrawText(s, col, yy, 14, off, st) + 1
		col = max(col, x+nameW+16)
		col = view.DrawText(s, col, yy, 10, size, st) + 1
		col = max(col, x+nameW+27)
		col = view.DrawText(s, col, yy, 18, r.in.Type, st) + 1
		col = max(col, x+nameW+46)
		if col >= x+w {
			continue
		}
		col = view.DrawText(s, col, yy, x+w-col, r.in.Value, st)
		if r.in.Enum != "" && col < x+w {
			col = view.DrawText(s, col, yy, x+w-col, " = "+r.in.Enum, styleEnum.Reverse(top+i == p.sel && p.focus))
		}
		if r.in.Err != nil && col < x+w {
			view.DrawText(s, col+1, yy, x+w-col-1, "error: "+display.Line(r.in.Err.Error()), styleErr)
		}
	}
}
