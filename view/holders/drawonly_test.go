package holders

import (
	"testing"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
	"mmhex/view/viewtest"
)

// TestDrawOnlyDraws: the who panel's frames change nothing of it, at any
// terminal size (its height is a pure function of its lines).
func TestDrawOnlyDraws(t *testing.T) {
	path := testenv.WriteFile(t, "held.bin", testenv.Pattern(4096, 1))
	p := &panel{inline: true}
	h := viewtest.New(t, path, 140, 30, mapping.Options{}, view.Options{Features: []view.Feature{view.Core(), p}})
	e := h.E
	e.RunAction(keymap.Who, view.Args{})
	if p.lines == nil || !e.PanelShown(PanelName) {
		t.Fatalf("the panel is not shown with a report: %v %v", p.lines, p.err)
	}
	for _, size := range [][2]int{{140, 30}, {80, 12}, {200, 60}, {140, 30}} {
		before := testenv.Fields("who", p, nil)
		h.Screen.SetSize(size[0], size[1])
		h.App.ForceDraw()
		h.App.ForceDraw()
		if d := testenv.Changed(before, testenv.Fields("who", p, nil)); d != "" {
			t.Fatalf("a frame at %d×%d changed the panel:\n%s", size[0], size[1], d)
		}
	}
}
