package view

import (
	"strings"
	"testing"
)

// TestRegexSearchMode: Ctrl-X in the search prompt is the third kind,
// a regular expression (Tab still switches hex and text);
// a regular expression is found forward and backward, its match (of its
// own length) is the selection, and the repeat keys repeat it.
func TestRegexSearchMode(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 24, Options{})
	h.press("Ctrl-F")
	if s := h.draw(); !strings.Contains(s, "search ↓ hex:") {
		t.Fatalf("prompt:\n%s", s)
	}
	h.press("Ctrl-X")
	if s := h.draw(); !strings.Contains(s, "search ↓ regex:") {
		t.Fatalf("after Ctrl-X:\n%s", s)
	}
	h.typeText(`qu[a-z]+ br`)
	h.press("Enter")
	posts.drain(t, h.e)
	// "Hello, mmhex! The quick brown fox …" from 0x100: "quick br" at 0x112
	if h.e.msg != "found /qu[a-z]+ br/ at 0x112 (274, 8 bytes) in "+h.e.msg[strings.Index(h.e.msg, " in ")+4:] {
		t.Fatalf("message %q", h.e.msg)
	}
	if off, n, ok := h.e.Selection(); !ok || off != 0x112 || n != 8 {
		t.Fatalf("selection %#x %d %v", off, n, ok)
	}
	h.press("Ctrl-N")
	posts.drain(t, h.e)
	period := int64(len("Hello, mmhex! The quick brown fox jumps over the lazy dog. "))
	if c := h.e.Cursor(); c != 0x112+period {
		t.Fatalf("Ctrl-N: cursor %#x, want %#x", c, 0x112+period)
	}
	h.press("Alt-n")
	posts.drain(t, h.e)
	if c := h.e.Cursor(); c != 0x112 {
		t.Fatalf("Alt-n: cursor %#x, want 0x112", c)
	}
	// an anchor is refused in the prompt
	h.press("Ctrl-F", "Ctrl-X")
	h.press("Ctrl-U")
	h.typeText("^x")
	h.press("Enter")
	if got := h.promptErr(); !strings.HasPrefix(got, "anchors and word boundaries") {
		t.Fatalf("anchor: %q", got)
	}
}
