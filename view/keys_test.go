package view

import (
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
