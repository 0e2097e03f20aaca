package holes

import (
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/extents"
	"mmhex/mapping/testenv"
	"mmhex/view"
)

// TestDrawOnlyDraws: the holes feature asks the system (lseek
// SEEK_DATA/SEEK_HOLE: extents.Ranges for the highlight, the squeeze
// function for the squeezed lines) after each event, when the editor
// adopts the layout (OnLayout, holeAt); a frame after an event asks
// nothing and changes nothing. A frame of a size no event adopted yet
// asks for itself and keeps nothing; the next event asks again.
func TestDrawOnlyDraws(t *testing.T) {
	p := middleHole(t)
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sim := tcell.NewSimulationScreen("UTF-8")
	sim.Init()
	app := tview.NewApplication()
	app.SetScreen(sim)
	sim.SetSize(100, 20)
	m, _ := keymap.PresetMap("default")
	ho := &feature{}
	ranges, squeezes := 0, 0
	ho.ranges = func(f *mapping.File, off, end int64, fn func(extents.Range) error) error {
		ranges++
		return extents.Ranges(f, off, end, fn)
	}
	e, err := view.New(app, f, view.Options{Keys: keymap.NewDispatcher(m), Features: []view.Feature{view.Core(), ho}})
	if err != nil {
		t.Fatal(err)
	}
	e.SetSqueeze(func(off int64) (int64, int64, bool) {
		squeezes++
		return ho.holeAt(off)
	})
	press := func(k string) {
		key, err := keymap.ParseKey(k)
		if err != nil {
			t.Fatal(err)
		}
		e.HandleKey(key.Event())
	}
	app.ForceDraw()
	for _, step := range []struct {
		what string
		do   func()
	}{
		{"a key", func() { press("Right") }},
		{"goto into the hole", func() { e.SetCursor(0x20000000); e.RunTicks() }},
		{"the next data (Alt-.)", func() { press("Alt-.") }},
		{"a resize drawn, then an event", func() { sim.SetSize(120, 30); app.ForceDraw(); e.RunTicks() }},
	} {
		ranges, squeezes = 0, 0
		step.do()
		if ranges == 0 || squeezes == 0 {
			t.Fatalf("%s: the event asked %d ranges, %d squeezes", step.what, ranges, squeezes)
		}
		ranges, squeezes = 0, 0
		before := testenv.Fields("holes", ho, nil)
		app.ForceDraw()
		app.ForceDraw()
		if ranges != 0 || squeezes != 0 {
			t.Fatalf("after %s: two frames asked %d ranges, %d squeezes; want none", step.what, ranges, squeezes)
		}
		if d := testenv.Changed(before, testenv.Fields("holes", ho, nil)); d != "" {
			t.Fatalf("after %s: a frame changed the feature:\n%s", step.what, d)
		}
	}
	// A size no event adopted: the frame asks, keeps nothing.
	before := testenv.Fields("holes", ho, nil)
	sim.SetSize(80, 40)
	app.ForceDraw()
	if d := testenv.Changed(before, testenv.Fields("holes", ho, nil)); d != "" {
		t.Fatalf("a frame at a new size changed the feature:\n%s", d)
	}
}
