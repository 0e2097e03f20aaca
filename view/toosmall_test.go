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
