package view

import (
	"strings"
	"sync"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
)

// holdStep makes f's next restore step stop (in its store hook, the
// file's mutex held) once it has stored 4 MiB, until the returned release
// is called (also at the end of the test: a failed test does not leave
// the step held); held receives when it stopped.
func holdStep(t *testing.T, f *mapping.File) (held chan int64, release func()) {
	held, let := make(chan int64, 1), make(chan struct{})
	var once, free sync.Once
	f.SetStoreHook(func(reached int64) {
		if reached >= 4<<20 {
			once.Do(func() {
				held <- reached
				<-let
			})
		}
	})
	release = func() { free.Do(func() { close(let) }) }
	t.Cleanup(release)
	return held, release
}

// TestJobUndoListsWhileStoring: while an undo job's step holds the active
// file (A) and an undo step holds the other file (B of mmhex A B), every
// reader on the UI goroutine answers at once: the grid and the compare
// panel keep the previous frame's bytes of the same place, the compare
// header says the other file's bytes are being restored, the match
// highlighter keeps the last frame's matches, and the marks list and the
// matches list show "(the bytes are being restored)" where they would show
// the bytes; a copy and a put are refused as busy, and so are a feature's
// WriteAt and Fill (a structure field's edit). Each r.waitFor runs on the UI
// goroutine with a deadline: the test fails (instead of hanging) when any of
// them waits for a step (matches.go, marks.go, compare.go with ReadAt
// instead of TryReadAt, copy without its check, Put out of jobConflicts:
// each checked). After the steps the lists show the restored bytes.
func TestJobUndoListsWhileStoring(t *testing.T) {
	fb, err := mapping.Open(bigFile(t, 16<<20), mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fb.Close() })
	if err := fb.Fill(0, 8<<20, 0x5a); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(bigFile(t, 16<<20), mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sim := tcell.NewSimulationScreen("UTF-8")
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	sim.SetSize(160, 24)
	e, err := New(tview.NewApplication(), f, Options{Features: viewFeatures(), Screen: sim, Other: fb, test: &testHooks{}})
	if err != nil {
		t.Fatal(err)
	}
	r := &jobRun{t: t, sim: sim, e: e, f: f}
	r.run()
	r.keys("Ctrl-G", "0", "x", "1", "0", "0", "Enter", "Alt-s", "Ctrl-G")
	for _, c := range "0x8000ff" {
		r.keys(string(c))
	}
	r.keys("Enter", "Ctrl-K", "5", "a", "Enter")
	r.waitFor("filled 0x100–0x8000ff (8388608 bytes, 8.00 MiB) with 0x5a (Ctrl-Z undoes it)")
	r.keys("Ctrl-G", "0", "x", "2", "0", "Enter", "Esc", "Alt-s", "Right", "Alt-c")
	r.waitFor("copied 0x20–0x21 (2 bytes)")
	r.keys("Esc", "Alt-m", "a", "Tab", "Ctrl-R")
	for _, c := range "start" {
		r.keys(string(c))
	}
	r.keys("Enter")
	r.waitFor("match 1 of 1")

	heldB, freeB := holdStep(t, fb)
	undoneB := make(chan error, 1)
	go func() { _, err := fb.Undo(); undoneB <- err }()
	waitHeld(r, heldB)
	heldA, freeA := holdStep(t, f)
	r.keys("Ctrl-Z")
	waitHeld(r, heldA)
	s := r.waitFor("undoing…")
	for _, want := range []string{
		"│ " + restoringNote + "  " + fb.Path()[:20],
		"00000100  5a 5a 5a 5a 5a 5a 5a 5a  5a 5a 5a 5a 5a 5a 5a 5a   ZZZZZZZZZZZZZZZZ",
	} {
		if !strings.Contains(s, want) {
			t.Fatalf("while the steps store, no %q:\n%s", want, s)
		}
	}
	r.keys("Alt-'")
	r.waitFor("a  00000021            33  " + restoringNote)
	r.keys("Esc", "Alt-=")
	r.waitFor("    1  00000000             0  " + restoringNote)
	r.keys("Esc", "Alt-s", "Right", "Alt-c")
	r.waitFor("busy: undoing — wait")
	r.keys("Esc")
	r.waitFor("an undo step is not stopped halfway")
	r.keys("Alt-v")
	r.waitFor("busy: undoing — wait")
	var werr, ferr error
	r.ui(false, func() { werr, ferr = r.e.WriteAt([]byte{1}, 0), r.e.Fill(0, 1, 1) })
	const refused = "busy: undoing — the edit waits for it to end: nothing was changed"
	if werr == nil || werr.Error() != refused || ferr == nil || ferr.Error() != refused {
		t.Fatalf("a feature's WriteAt and Fill during the step: %v, %v; want %q", werr, ferr, refused)
	}
	freeA()
	freeB()
	r.waitFor("undid the edit of 8388608 bytes at 0x100")
	if err := <-undoneB; err != nil {
		t.Fatal(err)
	}
	r.keys("Alt-'")
	r.waitFor("a  00000021            33  00 00 00 00 00 00 00 00  ........")
	r.keys("Esc")
	r.quit()
}
