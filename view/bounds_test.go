package view

import (
	"strings"
	"testing"
)

// TestPromptAndGotoBounded: a prompt takes at most 256 KiB of text (a
// pasted million-digit percentage is refused with a message and nothing
// is inserted), and a goto expression longer than 100 characters is
// refused before any number is parsed (big.Rat took 1.6 s on a million
// digits and the editor froze). A 100-character expression still works.
func TestPromptAndGotoBounded(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	start := h.e.Cursor()
	h.press("Ctrl-G")
	million := strings.Repeat("1", 1_000_000) + "%"
	h.e.paste(million)
	if want := "too long: a prompt takes at most 256.00 KiB; 1000001 bytes not inserted"; h.promptErr() != want || h.e.prompt.Text != "" {
		t.Errorf("prompt error %q (text %d bytes), want %q", h.promptErr(), len(h.e.prompt.Text), want)
	}
	if s := h.draw(); !strings.Contains(s, "✗ too long: a prompt takes at most 256.00 KiB") {
		t.Errorf("refusal not on the screen:\n%s", s)
	}
	h.e.paste(strings.Repeat("1", 100) + "%")
	h.press("Enter")
	if want := "offset expression too long: 101 characters (at most 100)"; h.promptErr() != want {
		t.Errorf("prompt error %q, want %q", h.promptErr(), want)
	}
	if h.e.Cursor() != start {
		t.Errorf("cursor moved to %#x", h.e.Cursor())
	}
	h.press("Esc")
	// The action's argument (vim ":" command line) goes through the same rule.
	if _, err := parseGoto(million, 0, 100); err == nil || err.Error() != "offset expression too long: 1000001 characters (at most 100)" {
		t.Errorf("parseGoto of a million digits: %v", err)
	}
	h.press("Ctrl-G")
	h.typeText("0x" + strings.Repeat("0", 95) + "100") // 100 characters
	h.press("Enter")
	if h.e.Cursor() != 0x100 || h.e.prompt != nil {
		t.Errorf("100-character offset: cursor %#x, prompt error %q", h.e.Cursor(), h.promptErr())
	}
}
