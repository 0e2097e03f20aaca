package view

import (
	"os"
	"strings"
	"testing"

	"mmhex/mapping"
)

func TestMarks(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.press("Ctrl-G")
	h.typeText("0x100")
	h.press("Enter", "Alt-m")
	h.typeText("a")
	h.press("Ctrl-G")
	h.typeText("0x2ff8")
	h.press("Enter", "Alt-m")
	h.typeText("Z")
	h.press("Ctrl-G")
	h.typeText("0x41")
	h.press("Enter", "Alt-m")
	h.typeText("b")
	h.press("Alt-'")
	golden(t, "marks", h.draw())
	h.press("x") // any key closes the list
	h.press("Alt-j")
	h.typeText("a")
	if h.e.Cursor() != 0x100 {
		t.Errorf("jump to a: cursor %#x", h.e.Cursor())
	}
	h.press("Alt-j")
	h.typeText("q")
	if s := h.draw(); !strings.Contains(s, `mark 'q' is not set`) {
		t.Errorf("unset mark:\n%s", s)
	}
	h.press("Alt-j")
	h.typeText("Z")
	if h.e.Cursor() != 0x2ff8 {
		t.Errorf("jump to Z: cursor %#x", h.e.Cursor())
	}
}

// TestMarksLastAcrossRestart: marks set in one session (with a note from
// the command line) are there in the next one on the same file; a file
// renamed over its path gets none, and the editor says why.
func TestMarksLastAcrossRestart(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	p := writeFile(t, "kept.bin", knownData())
	h := newHarness(t, p, 100, 24, mapping.Options{}, Options{})
	h.press("Ctrl-G")
	h.typeText("0x100")
	h.press("Enter", "Alt-m")
	h.typeText("a")
	h.press("Ctrl-G")
	h.typeText("0x41")
	h.press("Enter", "Alt-x")
	h.typeText("mark-set Q the alphabet")
	h.press("Enter")
	h.f.Close()

	h2 := newHarness(t, p, 120, 24, mapping.Options{}, Options{})
	h2.press("Alt-j")
	h2.typeText("a")
	if h2.e.Cursor() != 0x100 {
		t.Fatalf("after a restart, mark a: cursor %#x", h2.e.Cursor())
	}
	h2.press("Alt-'")
	s := h2.draw()
	if !strings.Contains(s, "Q  00000041            65  41 42 43 44 45 46 47 48  ABCDEFGH  the alphabet") || !strings.Contains(s, "kept across sessions (mmhex marks FILE)") {
		t.Fatalf("marks list:\n%s", s)
	}
	h2.f.Close()

	// another file renamed over the path
	n := writeFile(t, "other.bin", knownData())
	if err := os.Link(p, p+".old"); err != nil { // keep the old inode's number taken
		t.Fatal(err)
	}
	if err := os.Rename(n, p); err != nil {
		t.Fatal(err)
	}
	h3 := newHarness(t, p, 200, 24, mapping.Options{}, Options{})
	if s := h3.draw(); !strings.Contains(s, "marks: 2 marks were set on another file at this path (inode ") {
		t.Fatalf("replaced file:\n%s", s)
	}
	h3.press("Alt-j")
	h3.typeText("a")
	if s := h3.draw(); !strings.Contains(s, "mark 'a' is not set") {
		t.Fatalf("a mark of the replaced file was applied:\n%s", s)
	}
}
