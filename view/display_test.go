package view

import (
	"os"
	"strings"
	"testing"

	"mmhex/mapping"
)

// TestNameSanitisedEverywhere: a file name holding a C0 control (ESC), a
// C1 control (U+009B, the 8-bit CSI), a byte of invalid UTF-8 and a bidi
// override is shown with one '.' for each of them, the same way, in the
// header and in a message (the file renamed over): all go through
// display.Name. No control reaches a cell. (The panels' titles:
// TestNameSanitisedInPanels, view/lab.)
func TestNameSanitisedEverywhere(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	name := "n\x1b[2J\u009b31m\xff\u202e.bin"
	const shown = "n.[2J.31m...bin"
	if err := os.WriteFile(name, []byte("some bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, name, 160, 16, mapping.Options{}, Options{})
	lines := strings.Split(h.draw(), "\n")
	if !strings.HasPrefix(lines[0], " mmhex  "+shown+"  ") {
		t.Errorf("header %q, want the name as %q", lines[0], shown)
	}
	noControls(t, h)

	if err := os.WriteFile("other", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename("other", name); err != nil {
		t.Fatal(err)
	}
	h.e.RunTicks()
	lines = strings.Split(h.draw(), "\n")
	if msg := lines[len(lines)-2]; !strings.HasPrefix(msg, " "+shown+" was ") {
		t.Errorf("message line %q, want it to start with the name as %q", msg, shown)
	}
	noControls(t, h)
}
