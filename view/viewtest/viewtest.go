// Package viewtest is the harness the tests of view's feature packages
// (view/lab, view/structure, view/shapeview, view/follow, view/holders,
// view/holes) share: an editor on a tcell simulation screen, driven
// without Run through view's exported API only (HandleKey, ForceDraw),
// as any feature package's tests can. Keys go straight to HandleKey and
// frames are drawn with ForceDraw, so a test reads the exact cells of
// the frame after its keys. Imported only from _test.go files.
package viewtest

import (
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
	"mmhex/view"
	"mmhex/view/viewtest/simscreen"
)

// Harness is an editor on a simulation screen.
type Harness struct {
	T      testing.TB
	Screen tcell.SimulationScreen
	App    *tview.Application
	E      *view.Editor
	F      *mapping.File
}

// New opens path with mo (closed when the test ends), makes an editor of
// opts (its Features as given) on a w×ht simulation screen and draws a
// first frame, as on the terminal before the first key.
func New(t testing.TB, path string, w, ht int, mo mapping.Options, opts view.Options) *Harness {
	t.Helper()
	f, err := mapping.Open(path, mo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sim := tcell.NewSimulationScreen("UTF-8")
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	app := tview.NewApplication()
	app.SetScreen(sim)
	sim.SetSize(w, ht)
	e, err := view.New(app, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &Harness{T: t, Screen: sim, App: app, E: e, F: f}
	h.Draw()
	return h
}

// Press feeds keys by name ("Ctrl-G", "Down", "a") to the editor.
func (h *Harness) Press(names ...string) {
	h.T.Helper()
	simscreen.Press(h.T, h.handle, names...)
}

// Type feeds each rune of s as a key.
func (h *Harness) Type(s string) { simscreen.Type(h.handle, s) }

func (h *Harness) handle(ev *tcell.EventKey) { h.E.HandleKey(ev) }

// Draw draws a frame and returns the screen as text (simscreen.Text: one
// line per row, trailing spaces trimmed).
func (h *Harness) Draw() string {
	h.App.ForceDraw()
	return simscreen.Text(h.Screen)
}

// Grid draws a frame and returns the screen as a full grid
// (simscreen.Grid: each cell's first rune, nothing trimmed).
func (h *Harness) Grid() string {
	h.App.ForceDraw()
	return simscreen.Grid(h.Screen)
}

// Cell is the rune and style at (x, y) of the last frame.
func (h *Harness) Cell(x, y int) (rune, tcell.Style) { return simscreen.Cell(h.Screen, x, y) }

// Find draws a frame and returns the position of the first occurrence of
// s on the screen.
func (h *Harness) Find(s string) (x, y int, ok bool) { return simscreen.Find(h.Draw(), s) }

// Clipboard is what the editor put on the (simulated) clipboard.
func (h *Harness) Clipboard() []byte {
	return h.Screen.(interface{ GetClipboardData() []byte }).GetClipboardData()
}
