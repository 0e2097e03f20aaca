package shapeview

import (
	"fmt"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

// shapeState is everything of this package's panels a frame could change
// (every field) and what the editor tells of itself.
func (h *harness) shapeState() map[string]string {
	out := testenv.Fields("entropy", h.em, nil)
	testenv.Fields("strings", h.sp, out)
	testenv.Fields("hash", h.hp, out)
	out["editor"] = fmt.Sprintf("cursor %d size %d", h.E.Cursor(), h.E.Size())
	return out
}

// TestDrawOnlyDraws: with the entropy map, the strings panel and the hash
// panel shown, frames at other terminal sizes (no event between: the
// layout is new to the frame) change nothing in the panels: the map's rows
// come from PanelRect when it is computed, the list's scroll from its keys
// (they adopt the scroll the last frame showed, then the one that shows
// the choice). The keys then scroll as the frame showed.
func TestDrawOnlyDraws(t *testing.T) {
	p := shapeFile(t)
	h := newHarness(t, p, 100, 40)
	frames := func(what string) {
		t.Helper()
		for _, size := range [][2]int{{100, 40}, {100, 30}, {160, 50}, {90, 34}, {100, 40}} {
			before := h.shapeState()
			h.Screen.SetSize(size[0], size[1])
			h.App.ForceDraw()
			h.App.ForceDraw()
			if d := testenv.Changed(before, h.shapeState()); d != "" {
				t.Fatalf("%s: a frame at %d×%d changed the state:\n%s", what, size[0], size[1], d)
			}
		}
	}
	// The first frames with the panels: nothing of them is kept by Draw.
	h.Press("Alt-e", "Alt-l", "Alt-k")
	frames("opened")
	for _, name := range []string{entropyPanelName, stringsPanelName, hashPanelName} {
		if _, _, _, _, ok := h.E.PanelRect(name); !h.E.PanelShown(name) || !ok {
			t.Fatalf("panel %s not on the screen at 100×40", name)
		}
	}
	if len(h.sp.match) < 30 || len(h.em.blocks) != 37 { // a block a row of the map when it opened (PanelRect: 40 rows - 3)
		t.Fatalf("the scans found %d strings, %d entropy blocks (want 37: a block a row)", len(h.sp.match), len(h.em.blocks))
	}
	// A chosen string below the list's first page: the keys scroll the
	// list, the frames after them show it and keep nothing.
	for range 12 {
		h.Press("Down")
	}
	frames("after keys")
	if h.sp.top == 0 {
		t.Fatalf("the keys did not scroll the list: top %d, chosen %d", h.sp.top, h.sp.sel)
	}
	h.Press("Up")
	s := h.Draw()
	chosen := h.sp.items[h.sp.match[h.sp.sel]]
	if !strings.Contains(s, fmt.Sprintf(" %08x  %s", chosen.Off, chosen.Text[:4])) {
		t.Fatalf("the chosen string 0x%x is not on the screen:\n%s", chosen.Off, s)
	}
}
