package view

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/recovery"
	"mmhex/mapping/testenv"
)

// TestDrawOnlyDrawsOverlays: with the help screen, a journaled-edit list,
// a prompt whose text is wider than its line, and the inspector open, frames
// at other terminal sizes (no event between: the geometry is new to the
// frame) change nothing of them (panelState): each scroll is computed by
// Draw into a local with the pure function its keys adopt (the help's
// viewFor, the list's topFor, the prompt's scrollFor after each event).
// After a resize the next key moves from what the frame showed.
func TestDrawOnlyDrawsOverlays(t *testing.T) {
	p := writeFile(t, "f.bin", knownData())
	h := newHarness(t, p, 170, 40, mapping.Options{}, Options{})
	frames := func(what string) {
		t.Helper()
		for _, size := range [][2]int{{170, 40}, {100, 20}, {60, 12}, {200, 60}, {170, 40}} {
			before := panelState(h.e)
			h.sim.SetSize(size[0], size[1])
			h.app.ForceDraw()
			h.app.ForceDraw()
			if d := testenv.Changed(before, panelState(h.e)); d != "" {
				t.Fatalf("%s: a frame at %d×%d changed the editor:\n%s", what, size[0], size[1], d)
			}
		}
	}
	frames("the inspector")

	// The help, scrolled: the frames show the rows from its top, clamped
	// to a full last page (not kept); the keys scroll from the rows shown.
	h.press("F1")
	frames("help opened")
	h.press("PgDn", "PgDn", "Down")
	frames("help scrolled")
	hs := h.e.overlay.(*helpScreen)
	h.sim.SetSize(60, 12)
	h.draw()
	v := hs.viewFor(60, 12)
	h.press("Up")
	if hs.top != max(v.top-1, 0) {
		t.Fatalf("Up at 60×12 from row %d shown: top %d", v.top, hs.top)
	}
	h.press("End")
	frames("help at its end")
	h.sim.SetSize(170, 40)
	h.press("Esc")

	// A journaled-edit list longer than the screen, the choice scrolled.
	edits := make([]recovery.Edit, 120)
	for i := range edits {
		edits[i] = recovery.Edit{Off: int64(i) * 16, Len: 1}
	}
	l := &recoveryList{d: &recoveryDialog{}, edits: edits}
	h.e.overlay = l
	frames("list opened")
	for range 50 {
		h.press("Down")
	}
	frames("list scrolled")
	h.sim.SetSize(100, 20)
	h.draw()
	h.press("Down")
	if rows := l.listRows(20); l.sel < l.top || l.sel >= l.top+rows {
		t.Fatalf("at 100×20: chosen %d, top %d, %d rows", l.sel, l.top, rows)
	}
	frames("list after a resize")
	h.sim.SetSize(170, 40)

	// The matches panel (a listBox), longer than the screen, the choice
	// scrolled; its tail wraps.
	ml := &listBox{title: "matches", head: "600 matches", tail: []string{strings.Repeat("a long tail line ", 20)}}
	for i := range 500 {
		ml.rows = append(ml.rows, fmt.Sprintf("%5d  row", i+1))
	}
	h.e.overlay = ml
	frames("matches list opened")
	for range 60 {
		h.press("Down")
	}
	frames("matches list scrolled")
	h.sim.SetSize(100, 20)
	h.draw()
	h.press("PgDn")
	if rows := ml.listRows(100, 20); ml.sel < ml.top || ml.sel >= ml.top+rows {
		t.Fatalf("matches at 100×20: chosen %d, top %d, %d rows", ml.sel, ml.top, rows)
	}
	frames("matches list after a resize")
	h.sim.SetSize(170, 40)
	h.e.overlay = nil

	// A prompt whose text is wider than the line: the view scrolls with
	// the cursor; frames at other widths keep nothing.
	h.press("Ctrl-F")
	if h.e.prompt == nil {
		t.Fatal("no search prompt")
	}
	h.typeText(strings.Repeat("abcdefghij", 25))
	frames("long prompt")
	for range 120 {
		h.press("Left")
	}
	frames("prompt scrolled left")
	h.sim.SetSize(60, 12)
	s := h.draw()
	if !strings.Contains(s, "…") {
		t.Fatalf("the prompt's text is not cut at 60 columns:\n%s", s)
	}
	h.press("Esc")
}

// TestDrawOnlyDrawsShown: the bytes the grid shows reach the live view and
// compare after each event (OnShown, once the layout is adopted), never in
// a frame: with the other file beside the grid and a byte changed by
// another writer, frames at other sizes change nothing of either feature
// (the live view marks the change at the next event, and the frames show
// the mark); before, the frame hooks kept each frame's bytes.
func TestDrawOnlyDrawsShown(t *testing.T) {
	pa, pb, _, _ := comparePair(t)
	h, _ := compareHarness(t, pa, pb, 160, 20, nil)
	frames := func(what string) {
		t.Helper()
		for _, size := range [][2]int{{160, 20}, {80, 24}, {200, 40}, {160, 20}} {
			before := panelState(h.e)
			h.sim.SetSize(size[0], size[1])
			h.app.ForceDraw()
			h.app.ForceDraw()
			if d := testenv.Changed(before, panelState(h.e)); d != "" {
				t.Fatalf("%s: a frame at %d×%d changed the editor:\n%s", what, size[0], size[1], d)
			}
		}
	}
	h.draw()
	frames("compare")
	h.press("Right", "Right")
	other, err := os.OpenFile(pa, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte{0xee}, 0x21); err != nil {
		t.Fatal(err)
	}
	frames("another writer's byte, no event yet")
	l := featureOf[*live](h.e)
	if len(l.changed) != 0 {
		t.Fatalf("a frame marked the change: %v", l.changed)
	}
	h.e.RunTicks() // the live view's tick: an event
	if _, ok := l.changed[0x21]; !ok {
		t.Fatalf("the event did not mark 0x21: %v", l.changed)
	}
	frames("marked")
}
