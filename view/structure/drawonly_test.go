package structure

import (
	"fmt"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
	"mmhex/view"
)

// TestDrawOnlyDraws: the structure panel's frames change nothing of it:
// the first frame after it opens, and frames at other terminal sizes (no
// event between) whose shorter panel shows the selected row with a scroll
// of its own. The scroll is the keys': before a key they adopt the scroll
// the last frame showed, after it the one that shows the selection, so a
// key after a resize moves from what was on the screen.
func TestDrawOnlyDraws(t *testing.T) {
	p, _ := elfCopy(t)
	h := newHarness(t, p, 120, 40, view.Options{})
	state := func() map[string]string {
		out := testenv.Fields("structure", h.p, nil)
		out["editor"] = fmt.Sprintf("cursor %d size %d", h.E.Cursor(), h.E.Size())
		return out
	}
	frames := func(what string) {
		t.Helper()
		for _, size := range [][2]int{{120, 40}, {120, 20}, {80, 30}, {160, 50}, {120, 40}} {
			before := state()
			h.Screen.SetSize(size[0], size[1])
			h.App.ForceDraw()
			h.App.ForceDraw()
			if d := testenv.Changed(before, state()); d != "" {
				t.Fatalf("%s: a frame at %d×%d changed the panel:\n%s", what, size[0], size[1], d)
			}
		}
	}
	h.Press("Alt-t")
	frames("opened")
	h.selectPath("section_headers")
	h.Press("Right")
	for range 20 {
		h.Press("Down")
	}
	frames("scrolled")
	if h.p.top == 0 {
		t.Fatalf("the keys did not scroll the tree: top %d, selected %d", h.p.top, h.p.sel)
	}
	// A shorter screen: the frame shows the selected row; the next key
	// starts from the scroll shown, and its frame shows the new row.
	h.Screen.SetSize(120, 20)
	h.Draw()
	h.Press("Up")
	r, _ := h.p.current()
	if s := h.Draw(); !strings.Contains(s, r.in.Name) || h.p.top > h.p.sel || h.p.sel >= h.p.top+h.p.shownRows() {
		t.Fatalf("after Up at 120×20: selected %d (%s), top %d, rows %d:\n%s", h.p.sel, r.in.Name, h.p.top, h.p.shownRows(), s)
	}
	frames("after a key")
}
