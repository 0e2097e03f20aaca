package holders

import (
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
)

// TestDrawOnlyDraws: the who panel's frames change nothing of it, at any
// terminal size (its height is a pure function of its lines).
func TestDrawOnlyDraws(t *testing.T) {
	path := testenv.WriteFile(t, "held.bin", testenv.Pattern(4096, 1))
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sim := tcell.NewSimulationScreen("UTF-8")
	sim.Init()
	app := tview.NewApplication()
	app.SetScreen(sim)
	sim.SetSize(140, 30)
	p := &panel{inline: true}
	e, err := view.New(app, f, view.Options{Features: []view.Feature{view.Core(), p}})
	if err != nil {
		t.Fatal(err)
	}
	e.RunAction(keymap.Who, view.Args{})
	if p.lines == nil || !e.PanelShown(PanelName) {
		t.Fatalf("the panel is not shown with a report: %v %v", p.lines, p.err)
	}
	for _, size := range [][2]int{{140, 30}, {80, 12}, {200, 60}, {140, 30}} {
		before := testenv.Fields("who", p, nil)
		sim.SetSize(size[0], size[1])
		app.ForceDraw()
		app.ForceDraw()
		if d := testenv.Changed(before, testenv.Fields("who", p, nil)); d != "" {
			t.Fatalf("a frame at %d×%d changed the panel:\n%s", size[0], size[1], d)
		}
	}
}
