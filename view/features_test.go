package view

import (
	"testing"

	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
)

// A second handler for an action is refused when the editor is built, with
// an error naming both features; nothing is replaced silently.
func TestFeatureDuplicateHandler(t *testing.T) {
	t.Parallel()
	f, err := mapping.Open(writeFile(t, "dup.bin", knownData()), mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	second := featureFunc{"second writeback", func(e *Editor) {
		e.Handle(keymap.Writeback, func(e *Editor, a Args) {})
	}}
	e, err := New(tview.NewApplication(), f, Options{Features: append(defaultFeatures(), second)})
	const want = `feature "second writeback": action "writeback" already has a handler (from feature "page panel")`
	if err == nil || err.Error() != want || e != nil {
		t.Fatalf("New with two writeback handlers: %v, %v\nwant error %s", e, err, want)
	}
	// Within one feature too.
	twice := featureFunc{"twice", func(e *Editor) {
		e.Handle("x-test", func(e *Editor, a Args) {})
		e.Handle("x-test", func(e *Editor, a Args) {})
	}}
	_, err = New(tview.NewApplication(), f, Options{Features: []Feature{twice}})
	const want2 = `feature "twice": action "x-test" already has a handler (from feature "twice")`
	if err == nil || err.Error() != want2 {
		t.Fatalf("one feature handling an action twice: %v\nwant %s", err, want2)
	}
	// The default list registers each action once.
	if _, err := New(tview.NewApplication(), f, Options{}); err != nil {
		t.Fatal(err)
	}
}
