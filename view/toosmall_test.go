package view

import (
	"bytes"
	"os"
	"testing"
)

// Issue 11, point 7: a terminal too small to show one byte row says
// "terminal too small" (exact cells and style) and refuses edits: typed
// digits, undo and revert-all change nothing; moving still works. At the
// smallest size that shows a row (17×4: header, column header, one row,
// message line) the editor is back, with the refusal in the message line.
func TestTerminalTooSmall(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.typeText("ab") // one edit at 0 before the terminal shrinks
	h.draw()
	orig, err := os.ReadFile("known.bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range [][2]int{{40, 3}, {16, 24}, {5, 1}} {
		h.sim.SetSize(sz[0], sz[1])
		got := h.draw()
		want := "terminal too small (min 17×4)"
		if len([]rune(want)) > sz[0] {
			want = string([]rune(want)[:sz[0]])
		}
		want += "\n"
		for i := 1; i < sz[1]; i++ {
			want += "\n"
		}
		if got != want {
			t.Errorf("%dx%d: screen\n%q\nwant\n%q", sz[0], sz[1], got, want)
		}
		if r, st := h.cell(0, 0); r != 't' || st != styleError {
			t.Errorf("%dx%d: the notice is %q in %v, want the error style", sz[0], sz[1], r, st)
		}
		h.press("Right")
		h.typeText("cd")
		h.press("Ctrl-Z")
		if now, _ := os.ReadFile("known.bin"); !bytes.Equal(now, orig) {
			t.Fatalf("%dx%d: an edit changed the file while the terminal was too small", sz[0], sz[1])
		}
	}
	if h.e.Cursor() != 4 || h.f.UnsyncedEdits() != 1 {
		t.Fatalf("cursor %d, unsynced edits %d: want 4 (moves work) and 1 (no edit, no undo)", h.e.Cursor(), h.f.UnsyncedEdits())
	}
	h.sim.SetSize(17, 4)
	got := h.draw()
	if want := " mmhex  known.bin\n offset    00   0\n 00000004  04   .\n terminal too …\n"; got != want {
		t.Fatalf("17x4:\n%q\nwant\n%q", got, want)
	}
	if h.e.tooSmall {
		t.Fatal("17x4 is too small")
	}
	h.sim.SetSize(100, 24)
	if line := lastLine(h); line != "terminal too small: the file was not changed (enlarge it to at least 17×4 to edit)" {
		t.Fatalf("message line %q", line)
	}
	h.typeText("ef") // big enough again: typing edits
	if h.f.UnsyncedEdits() != 2 {
		t.Fatalf("after the terminal grew, typing made %d unsynced edits, want 2", h.f.UnsyncedEdits())
	}
}

// TestQuitDialogTooSmall: the quit dialog is not drawn in a terminal too
// small for a byte row, so its r (revert and quit) is refused there like
// any edit; Esc, q and s still work, so the user can always leave.
func TestQuitDialogTooSmall(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.typeText("ab") // one unsynced edit at 0
	h.draw()
	edited, err := os.ReadFile("known.bin")
	if err != nil {
		t.Fatal(err)
	}
	h.sim.SetSize(12, 2)
	h.draw()
	h.press("Ctrl-Q")
	h.typeText("r")
	if got, want := h.draw(), "terminal too\n\n"; got != want {
		t.Fatalf("12x2 after r:\n%q\nwant\n%q", got, want)
	}
	if r, st := h.cell(0, 0); r != 't' || st != styleError {
		t.Fatalf("the notice is %q in %v, want the error style", r, st)
	}
	if now, _ := os.ReadFile("known.bin"); !bytes.Equal(now, edited) || h.e.stopped() || h.f.UnsyncedEdits() != 1 {
		t.Fatalf("r in the unseen quit dialog: file changed %v, stopped %v, unsynced edits %d; want the edit kept and the editor running",
			!bytes.Equal(now, edited), h.e.stopped(), h.f.UnsyncedEdits())
	}
	h.sim.SetSize(100, 24)
	if line := lastLine(h); line != "terminal too small: the file was not changed (enlarge it to at least 17×4 to edit)" {
		t.Fatalf("message line %q", line)
	}
	if _, _, ok := h.find("[r] revert it and quit"); !ok {
		t.Fatalf("the quit dialog is not shown once the terminal grew:\n%s", h.draw())
	}
	h.sim.SetSize(12, 2)
	h.draw()
	h.press("Esc") // Esc still works while too small
	h.sim.SetSize(100, 24)
	if line := lastLine(h); line != "quit cancelled" {
		t.Fatalf("after Esc: message line %q", line)
	}
	h.sim.SetSize(12, 2)
	h.draw()
	h.press("Ctrl-Q")
	h.typeText("q") // and so does q: quit, leaving the edit to writeback
	if !h.e.stopped() {
		t.Fatal("q in the quit dialog did not quit while the terminal was too small")
	}
	if now, _ := os.ReadFile("known.bin"); !bytes.Equal(now, edited) {
		t.Fatal("q changed the file")
	}
}
