package view

import (
	"strings"
	"testing"
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
