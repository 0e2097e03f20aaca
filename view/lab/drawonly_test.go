package lab

import (
	"fmt"
	"testing"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
)

// TestDrawOnlyDraws: the page panel's and the disk view's frames change
// nothing of them, at any terminal size (no event between): the panel's
// height (with the chart on a tall screen or not) is a pure function of
// the screen's, its lines' split a pure function of its own height, and
// the measurement is sized by PanelRect when it starts, never by Draw.
func TestDrawOnlyDraws(t *testing.T) {
	p := writeFile(t, "f.bin", testenv.Pattern(64<<10, 5))
	h := newInlineHarness(t, p, 100, 40, mapping.Options{}, view.Options{})
	state := func() map[string]string {
		out := testenv.Fields("pages", h.pp, nil)
		testenv.Fields("disk", h.dv, out)
		out["editor"] = fmt.Sprintf("cursor %d size %d", h.E.Cursor(), h.E.Size())
		return out
	}
	frames := func(what string) {
		t.Helper()
		for _, size := range [][2]int{{100, 40}, {100, 25}, {120, 55}, {80, 31}, {100, 40}} {
			before := state()
			h.Screen.SetSize(size[0], size[1])
			h.App.ForceDraw()
			h.App.ForceDraw()
			if d := testenv.Changed(before, state()); d != "" {
				t.Fatalf("%s: a frame at %d×%d changed the panels:\n%s", what, size[0], size[1], d)
			}
		}
	}
	h.E.RunAction(keymap.PagePanel, view.Args{})
	h.E.RunAction(keymap.DiskView, view.Args{})
	frames("opened")
	if h.pp.result() == nil || h.dv.result() == nil {
		t.Fatal("the panels measured nothing")
	}
	h.E.SetCursor(40000)
	h.E.RunTicks()
	frames("moved")
	// The measurement is sized by the panel on the screen now: at 100×40
	// the map has 2 rows of 98 cells (the chart's 2 lines below it).
	h.Screen.SetSize(100, 40)
	h.Draw()
	h.E.RunTicks()
	if x, y, w, ht, ok := h.E.PanelRect(pagePanelName); !ok || chartIn(ht) != 2 || h.pp.cellsFor(w, ht) != 2*98 {
		t.Fatalf("page panel at %d,%d %d×%d (shown %v): chart %d lines, %d cells", x, y, w, ht, ok, chartIn(ht), h.pp.cellsFor(w, ht))
	}
}
