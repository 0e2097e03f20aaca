package view

import (
	"os"
	"strings"
	"testing"

	"mmhex/keymap"
)

// With every help key unbound by the configuration, an unbound key's
// message does not end in an empty "()".
func TestUnboundKeyMessageWithoutHelpKey(t *testing.T) {
	cfg := writeFile(t, "config.toml", []byte("[bindings]\n\"F1\" = \"none\"\n\"Alt-h\" = \"none\"\n\"Ctrl-_\" = \"none\"\n"))
	m, probs, err := keymap.Load("", cfg)
	if err != nil || len(probs) > 0 {
		t.Fatalf("config: %v %v", err, probs)
	}
	h := openKnown(t, 100, 24, Options{Keys: keymap.NewDispatcher(m)})
	h.press("F5")
	if got := h.messageLine(); strings.TrimRight(got, " ") != " F5 is not bound to anything" {
		t.Errorf("message line %q", got)
	}
}

// Revert-all after a high nibble reverts that nibble too: the next hex
// digit starts a new byte instead of completing the reverted one.
func TestRevertAllEndsTheNibble(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.typeText("a")
	h.press("Alt-z")
	if s := h.draw(); strings.Contains(s, "(low nibble)") {
		t.Errorf("after revert-all the status still says low nibble:\n%s", s)
	}
	h.typeText("bc")
	disk, _ := os.ReadFile("known.bin")
	if disk[0] != 0xbc || h.e.Cursor() != 1 {
		t.Fatalf("a, revert-all, b c: byte 0 = %#x, cursor %d; want 0xbc, 1", disk[0], h.e.Cursor())
	}
}
