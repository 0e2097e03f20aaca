package shapeview

// entropymap.go: the entropy map (entropy-map, Alt-e, vim g e): a column
// beside the grid, one cell a span of the file, its colour the span's
// Shannon entropy (dark blue 0 … red 8 bits a byte) and its letter the
// kind of most of its bytes (. zeros, t text, h high bytes, c control
// bytes, # mixed: code or packed data); holes as ░ (never read); a bar
// beside the spans on screen. entropy-zoom (Alt-E, vim g E) shows the
// whole file, then a quarter, a sixteenth, a sixty-fourth of it around the
// cursor. A click on a span jumps to it. Computed in the background (shape.Entropy, one block a cell) and
// cached by range and span; computed again when the range or the file
// (its size, the edits made here) changes, and every 2 s while shown.

import (
	"context"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping/shape"
	"mmhex/view"
)

const (
	entropyPanelName = "entropy"
	entropyWidth     = 3 // the bar and two cells
)

// entropyKey is what a map was computed for.
type entropyKey struct {
	start, span, end int64
	size             int64
	edits            int
}

type entropyMap struct {
	e      *view.Editor
	inline bool
	job    job

	// UI goroutine only
	zoom    int // 1, 4, 16, 64
	have    entropyKey
	blocks  []shape.Block
	cache   map[entropyKey][]shape.Block
	pending entropyKey // being computed
	since   time.Time  // when have was computed
}

// EntropyMap is the entropy map feature, a new value for each editor.
func EntropyMap() view.Feature { return &entropyMap{zoom: 1} }

func (em *entropyMap) Name() string { return "entropy map" }

func (em *entropyMap) Register(e *view.Editor) error {
	em.e = e
	em.cache = map[entropyKey][]shape.Block{}
	e.AddPanel(&view.Panel{Name: entropyPanelName, Side: view.Right, Size: entropyWidth, Draw: em.draw, Mouse: em.mouse})
	e.Handle(keymap.EntropyMap, func(e *view.Editor, a view.Args) {
		if e.TogglePanel(entropyPanelName) {
			em.refresh(false)
		} else {
			em.job.stop()
		}
	})
	e.Handle(keymap.EntropyZoom, func(e *view.Editor, a view.Args) {
		em.zoom *= 4
		if em.zoom > 64 {
			em.zoom = 1
		}
		e.ShowPanel(entropyPanelName, true)
		if em.zoom == 1 {
			e.Message("entropy map: the whole file")
		} else {
			e.Message("entropy map: 1/%d of the file around the cursor", em.zoom)
		}
		em.refresh(false)
	})
	e.Handle(keymap.EntropyNext, func(e *view.Editor, a view.Args) { em.jump(1) })
	e.Handle(keymap.EntropyPrev, func(e *view.Editor, a view.Args) { em.jump(-1) })
	e.OnMove(func(from, to int64) {
		if em.zoom > 1 && e.PanelShown(entropyPanelName) {
			em.refresh(false)
		}
	})
	e.EveryWhile(500*time.Millisecond, func() bool { return e.PanelShown(entropyPanelName) }, func() {
		em.refresh(time.Since(em.since) > 2*time.Second)
	})
	e.AddStatus(func() string { return em.job.status("entropy map") })
	return nil
}

// want is the range and span the map should show now.
func (em *entropyMap) want() entropyKey {
	f := em.e.File()
	size := f.Size()
	rows := 20 // not on the screen (no room): the map's default
	if _, _, _, h, ok := em.e.PanelRect(entropyPanelName); ok {
		rows = max(h, 1) // a cell a row of the panel as it is laid out now (Draw keeps nothing)
	}
	start, length := int64(0), size
	if em.zoom > 1 {
		length = max((size+int64(em.zoom)-1)/int64(em.zoom), 1)
		start = min(max(em.e.Cursor()-length/2, 0), max(size-length, 0))
	}
	span := max((length+int64(rows)-1)/int64(rows), 1)
	return entropyKey{start: start, span: span, end: min(start+length, size), size: size, edits: f.UnsyncedEdits()}
}

// refresh computes the map when what it should show changed (or always
// when force: another writer may have changed the bytes).
func (em *entropyMap) refresh(force bool) {
	k := em.want()
	if !force && (k == em.have || k == em.pending && em.job.busy()) {
		return
	}
	if b, ok := em.cache[k]; ok && !force {
		em.have, em.blocks = k, b
		return
	}
	em.pending = k
	f := em.e.File()
	em.job.start(em.e, em.inline, func(ctx context.Context, gen int) {
		var all []shape.Block
		err := shape.Entropy(ctx, f, k.start, k.end, k.span, func(b []shape.Block) bool {
			all = append(all, b...)
			return true
		}, func(done, total int64) { em.job.progress(gen, done, total) })
		post(em.e, em.inline, func() {
			if !em.job.current(gen) {
				return
			}
			if err != nil {
				em.e.Errorf("entropy map: %v", err)
				return
			}
			if len(em.cache) > 16 {
				clear(em.cache)
			}
			em.cache[k] = all
			em.have, em.blocks, em.since = k, all, time.Now()
		})
	})
}

// entropyBg is the background of a span: 8 steps from dark blue (0 bits)
// to red (8 bits a byte).
var entropyBg = [8]tcell.Color{
	tcell.PaletteColor(17), tcell.PaletteColor(19), tcell.PaletteColor(25), tcell.PaletteColor(30),
	tcell.PaletteColor(71), tcell.PaletteColor(142), tcell.PaletteColor(172), tcell.PaletteColor(160),
}

var classGlyph = map[shape.ByteClass]rune{
	shape.ClassZero: '.', shape.ClassText: 't', shape.ClassHigh: 'h', shape.ClassControl: 'c', shape.ClassMixed: '#',
}

// mouse: a click on a span's row jumps to its first byte.
func (em *entropyMap) mouse(action tview.MouseAction, x, y int) bool {
	if action != tview.MouseLeftClick && action != tview.MouseLeftDown {
		return true // the map's own cells: nothing for the grid
	}
	if y < 0 || y >= len(em.blocks) {
		return true
	}
	b := em.blocks[y]
	em.e.SetCursor(b.Off)
	em.e.CenterOn(b.Off)
	em.e.Message("entropy map: 0x%x–0x%x, %.2f bits a byte, %s", b.Off, b.Off+b.Len, b.Entropy, describeClass(b))
	return true
}

// jump moves the cursor over the map's spans, as a click does: d = 1 to
// the first byte of the span after the cursor's, d = -1 to the first byte
// of the cursor's span, or of the one before when already there. The map
// is shown first when it is hidden.
func (em *entropyMap) jump(d int) {
	e := em.e
	if !e.PanelShown(entropyPanelName) {
		e.ShowPanel(entropyPanelName, true)
		em.refresh(false)
	}
	if len(em.blocks) == 0 {
		e.Message("entropy map: not computed yet")
		return
	}
	cur := e.Cursor()
	i := -1 // the last span starting at or before the cursor (in order)
	for i+1 < len(em.blocks) && em.blocks[i+1].Off <= cur {
		i++
	}
	switch {
	case d > 0 && i+1 < len(em.blocks):
		i++
	case d > 0:
		e.Message("entropy map: the last span")
		return
	case i >= 0 && em.blocks[i].Off < cur:
	case i > 0:
		i--
	default:
		e.Message("entropy map: the first span")
		return
	}
	b := em.blocks[i]
	e.PushJump()
	e.SetCursor(b.Off)
	e.CenterOn(b.Off)
	e.Message("entropy map: 0x%x–0x%x, %.2f bits a byte, %s", b.Off, b.Off+b.Len, b.Entropy, describeClass(b))
}

func describeClass(b shape.Block) string {
	if b.Hole {
		return "a hole"
	}
	return "mostly " + b.Class.String()
}

// draw draws the last map computed (refresh sized it by PanelRect, off
// Draw); it changes nothing.
func (em *entropyMap) draw(s tcell.Screen, x, y, w, h int) {
	vs, ve := em.e.VisibleRange()
	for r := 0; r < h; r++ {
		for k := 0; k < w; k++ {
			s.SetContent(x+k, y+r, ' ', nil, tcell.StyleDefault)
		}
		if r >= len(em.blocks) {
			continue
		}
		b := em.blocks[r]
		if b.Off < ve && vs < b.Off+b.Len {
			s.SetContent(x, y+r, '▐', nil, tcell.StyleDefault.Foreground(tcell.PaletteColor(11)))
		}
		if b.Hole {
			st := tcell.StyleDefault.Foreground(tcell.PaletteColor(8))
			s.SetContent(x+1, y+r, '░', nil, st)
			s.SetContent(x+2, y+r, '░', nil, st)
			continue
		}
		step := min(int(b.Entropy), 7)
		fg := tcell.PaletteColor(15)
		if step >= 4 {
			fg = tcell.PaletteColor(0)
		}
		st := tcell.StyleDefault.Background(entropyBg[step]).Foreground(fg)
		g := classGlyph[b.Class]
		s.SetContent(x+1, y+r, g, nil, st)
		s.SetContent(x+2, y+r, ' ', nil, st)
	}
}
