package view

import (
	"strings"
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
	second := featureFunc{"second search", func(e *Editor) {
		e.Handle(keymap.SearchForward, func(e *Editor, a Args) {})
	}}
	e, err := New(tview.NewApplication(), f, Options{Features: append(viewFeatures(), second)})
	const want = `feature "second search": action "search-forward" already has a handler (from feature "search")`
	if err == nil || err.Error() != want || e != nil {
		t.Fatalf("New with two search handlers: %v, %v\nwant error %s", e, err, want)
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
	// The list registers each action once (features.Default, with the
	// lab's panels: TestDefault in view/features).
	if _, err := New(tview.NewApplication(), f, Options{Features: viewFeatures()}); err != nil {
		t.Fatal(err)
	}
	// The search needs a selection to show its match in.
	_, err = New(tview.NewApplication(), f, Options{Features: []Feature{Core(), Search()}})
	const want3 = `feature "search": the search needs the selection feature (view.Selection) in the list`
	if err == nil || err.Error() != want3 {
		t.Fatalf("search without selection: %v\nwant %s", err, want3)
	}
}

// Two editors in one process keep their own marks, selection and search:
// each feature's state is in the feature value its editor holds.
func TestFeatureStatePerEditor(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "known.bin", knownData())
	a := newHarness(t, p, 100, 24, mapping.Options{}, Options{})
	b := newHarness(t, p, 100, 24, mapping.Options{}, Options{})
	a.press("Ctrl-G")
	a.typeText("0x100")
	a.press("Enter", "Alt-m")
	a.typeText("a")
	a.press("Alt-m")
	a.typeText("b")
	b.press("Alt-j")
	b.typeText("a")
	if s := b.draw(); !strings.Contains(s, `mark 'a' is not set`) || b.e.Cursor() != 0 {
		t.Errorf("editor b sees editor a's mark a (cursor %#x):\n%s", b.e.Cursor(), s)
	}
	a.e.StartSelection(0x10)
	if _, _, ok := b.e.Selection(); ok {
		t.Error("editor b has editor a's selection")
	}
	if off, n, ok := a.e.Selection(); !ok || off != 0x10 || n != 0x100-0x10+1 {
		t.Errorf("editor a's selection: %#x %#x %v", off, n, ok)
	}
	// The search shows its match in its own editor's selection.
	if a.e.searcher().sel != a.e.sel() || a.e.sel() == b.e.sel() || a.e.sel() == nil {
		t.Error("the search's selection is not its editor's own")
	}
	// Every feature value is new for each editor.
	for i, f := range a.e.features {
		if _, fn := f.(featureFunc); !fn && f == b.e.features[i] {
			t.Errorf("feature %q shared by two editors", f.Name())
		}
	}
}
