package view

import (
	"fmt"
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
	h.press("Esc") // Esc closes the list (Enter jumps to the chosen mark)
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

// TestMarksListScrollsAndJumps: 30 marks on a 24-line screen: the marks
// list scrolls to every one (before, an info box showed the 18 that fit and
// "… and 14 more" for 12 marks, counting its two last lines), says which
// rows it shows, and Enter jumps to the chosen mark (a jump: Alt-Left
// comes back).
func TestMarksListScrollsAndJumps(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	letters := "abcdefghijklmnopqrstuvwxyzABCD"
	for i, r := range letters {
		h.press("Ctrl-G")
		h.typeText(fmt.Sprintf("%#x", 0x10*i))
		h.press("Enter", "Alt-m")
		h.typeText(string(r))
	}
	h.press("Ctrl-G")
	h.typeText("0x5")
	h.press("Enter", "Alt-'")
	s := h.draw()
	if !strings.Contains(s, "1–18 of 30 · ↑↓ PgUp PgDn Home End choose · Enter go to · Esc close") || strings.Contains(s, "more") {
		t.Fatalf("marks list:\n%s", s)
	}
	h.press("End")
	s = h.draw()
	if !strings.Contains(s, "│ D  000001d0           464") || !strings.Contains(s, "13–30 of 30 ·") {
		t.Fatalf("after End:\n%s", s)
	}
	h.press("Up", "Enter")
	if c := h.e.Cursor(); c != 0x1c0 {
		t.Fatalf("Enter on C: cursor %#x, want 0x1c0", c)
	}
	if got := h.messageLine(); !strings.Contains(got, "mark C: 0x1c0 (448)") {
		t.Fatalf("message: %q", got)
	}
	h.press("Alt-Left")
	if c := h.e.Cursor(); c != 0x5 {
		t.Fatalf("Alt-Left: cursor %#x, want 0x5", c)
	}
}
