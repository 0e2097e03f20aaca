package features

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/view"
)

// defaultNames is the order of Default: the order hooks run and panels are
// laid out in. view/lab's test harness builds the same list (testFeatures,
// checked against this order by TestHarnessFeatures there).
var defaultNames = []string{"core", "compare", "disk view", "inspector", "live view", "marks", "page panel",
	"paste", "search", "selection", "write-selection", "structure", "entropy map", "strings panel", "hash", "copy-as", "follow", "who panel", "holes", "recovery", "reshape"}

// TestDefault: the list names every feature once in its order, each call
// makes new values (one per editor: each holds its editor's state), and
// an editor built from it registers every action once (New fails on a
// second handler for an action).
func TestDefault(t *testing.T) {
	t.Parallel()
	a, b := Default(), Default()
	var names []string
	for i, f := range a {
		names = append(names, f.Name())
		if !isFunc(f) && f == b[i] {
			t.Errorf("feature %q: the same value in two lists", f.Name())
		}
	}
	if !slices.Equal(names, defaultNames) {
		t.Errorf("Default() = %q\nwant %q", names, defaultNames)
	}
	p := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(p, []byte("some bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := view.New(tview.NewApplication(), f, view.Options{Features: a}); err != nil {
		t.Fatalf("New with Default(): %v", err)
	}
	// Two editors may not share a list: a feature registers with one.
	if _, err := view.New(tview.NewApplication(), f, view.Options{Features: b}); err != nil {
		t.Fatalf("New with a second Default(): %v", err)
	}
}

// isFunc reports a feature without state of its own (a registering
// function), which may compare equal across lists.
func isFunc(f view.Feature) bool {
	switch f.Name() {
	case "core", "inspector", "paste", "write-selection", "reshape":
		return true
	}
	return false
}

// TestEveryActionHandled: every action of keymap has a handler in an
// editor built from Default. A last feature that tries to handle every
// action is refused for each one that already has a handler: New's error
// lists them, and an action missing from it has none.
func TestEveryActionHandled(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(p, []byte("some bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = view.New(tview.NewApplication(), f, view.Options{Features: append(Default(), everyAction{})})
	if err == nil {
		t.Fatal("New accepted a second handler for every action")
	}
	for _, a := range keymap.All() {
		if !strings.Contains(err.Error(), fmt.Sprintf("action %q already has a handler (from feature ", a.Name)) {
			t.Errorf("action %s has no handler", a.Name)
		}
	}
}

// everyAction handles every action of keymap.
type everyAction struct{}

func (everyAction) Name() string { return "every action" }

func (everyAction) Register(e *view.Editor) error {
	for _, a := range keymap.All() {
		e.Handle(a.Name, func(*view.Editor, view.Args) {})
	}
	return nil
}
