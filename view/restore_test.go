package view

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

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
// highlighter keeps the matches found before the step
// (TestMatchesWhileStoring), and the marks list and the
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

// TestMatchesWhileStoring: while a restore step holds the file (TryReadAt:
// ErrBusy), the event before a frame cannot read the bytes shown: the
// grid draws the bytes kept for the same place and the match highlighter
// the matches found for them before the step (prepareMatches keeps those
// of the same pattern and place), so every match in view stays drawn as a
// match, the current one and the others alike; after the step they are
// found again. Without the kept matches the other matches lose their
// colour during the step (seen failing).
func TestMatchesWhileStoring(t *testing.T) {
	p := bigFile(t, 16<<20)
	fh, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0x10, 0x30, 0x50} {
		if _, err := fh.WriteAt([]byte("lazy"), off); err != nil {
			t.Fatal(err)
		}
	}
	fh.Close()
	posts := syncPosts(t)
	h := newHarness(t, p, 100, 24, mapping.Options{}, Options{})
	if err := h.f.Fill(0x100000, 8<<20, 0x5a); err != nil { // the step to undo, out of view
		t.Fatal(err)
	}
	h.press("Tab", "Ctrl-F")
	h.typeText("lazy")
	h.press("Enter")
	posts.drain(t, h.e)
	if c := h.e.Cursor(); c != 0x10 {
		t.Fatalf("cursor %#x after the search, want 0x10", c)
	}
	styleAt := func(off int64) tcell.Style {
		i := int(off % 16)
		x := 11 + 3*i
		if i >= 8 {
			x++
		}
		_, st := h.cell(x, 2+int((off-h.e.top)/16))
		return st
	}
	check := func(when string) {
		t.Helper()
		s := h.draw()
		if !strings.Contains(s, "00000030  6c 61 7a 79 00 00 00 00  00 00 00 00 00 00 00 00   lazy............") {
			t.Fatalf("%s: the row of the match at 0x30 is not shown:\n%s", when, s)
		}
		cur, plain := styleAt(0x11), styleAt(0x35) // 0x10 is the cursor's cell
		if plain == cur {
			t.Fatalf("%s: a byte that is no match is drawn as the current match", when)
		}
		for _, off := range []int64{0x30, 0x33, 0x50, 0x53} {
			if st := styleAt(off); st != cur {
				t.Fatalf("%s: the match byte at %#x is drawn %v, the current match %v", when, off, st, cur)
			}
		}
	}
	check("before the step")
	held, release := holdStep(t, h.f)
	undone := make(chan error, 1)
	go func() { _, err := h.f.Undo(); undone <- err }()
	select {
	case <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("the undo step was not held")
	}
	if _, err := h.f.TryReadAt(make([]byte, 1), 0); !errors.Is(err, mapping.ErrBusy) {
		t.Fatalf("TryReadAt during the step: %v, want ErrBusy", err)
	}
	check("during the step")
	release()
	if err := <-undone; err != nil {
		t.Fatal(err)
	}
	check("after the step")
}
