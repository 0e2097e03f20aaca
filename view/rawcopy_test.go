package view

import (
	"strings"
	"testing"
)

// TestRawCopyAsksForControlBytes: raw copy (Alt-r) of bytes that hold
// control characters (ESC [201~ ends a bracketed paste: what follows runs
// as typed) asks first; "n" copies nothing, "y" copies the exact bytes.
// Hex copy and raw copy of plain text do not ask.
func TestRawCopyAsksForControlBytes(t *testing.T) {
	t.Parallel()
	data := []byte("echo hi\x1b[201~; rm -rf x\r\n\x7f")
	h := selHarness(t, data, 0o644)
	sim := h.sim.(interface{ GetClipboardData() []byte })
	h.press("Alt-r")
	label := "0x0–0x19 (26 bytes) holds 2 control bytes (the first, 0x1b, at 0x7) that act when pasted into a terminal: copy raw anyway? y/n"
	if h.e.prompt == nil || h.e.prompt.Label != label {
		t.Fatalf("no question:\n%s", h.draw())
	}
	if s := h.draw(); !strings.Contains(s, label) {
		t.Errorf("question not on the screen:\n%s", s)
	}
	h.typeText("n")
	if got := sim.GetClipboardData(); got != nil {
		t.Errorf("copied after n: %q", got)
	}
	if want := "not copied: 0x0–0x19 (26 bytes) holds control bytes"; h.e.msg != want {
		t.Errorf("message %q, want %q", h.e.msg, want)
	}
	h.press("Alt-r", "Esc")
	if got := sim.GetClipboardData(); got != nil || h.e.prompt != nil {
		t.Errorf("copied after Esc: %q", got)
	}
	h.press("Alt-r")
	h.typeText("y")
	if got := string(sim.GetClipboardData()); got != string(data) {
		t.Errorf("clipboard after y: %q", got)
	}
	h.press("Alt-c") // hex text never asks
	if h.e.prompt != nil || !strings.HasPrefix(string(sim.GetClipboardData()), "65 63 68 6f 20 68 69 1b") {
		t.Errorf("hex copy: %q, prompt %v", sim.GetClipboardData(), h.e.prompt != nil)
	}
}
