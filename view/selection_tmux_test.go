package view

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTmuxCopyClipboard: copy reaches the terminal as OSC 52. tmux with
// set-clipboard on turns it into a paste buffer, which show-buffer prints:
// hex text, then raw bytes. Ctrl-O writes the selection to a new file.
func TestTmuxCopyClipboard(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test (-short)")
	}
	bin := mmhexBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cb.bin"), []byte("Hello, clipboard world"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, bin, "cb.bin")
	s.run("set", "-g", "set-clipboard", "on")
	s.waitFor("cb.bin")
	s.send("M-s", "Right", "Right", "Right", "Right")
	s.waitFor("selection 0x0–0x4 (5 bytes)")
	s.send("M-c")
	s.waitFor("copied 0x0–0x4 (5 bytes) as hex text")
	if got := s.run("show-buffer"); got != "48 65 6c 6c 6f" {
		t.Errorf("clipboard after copy-hex: %q", got)
	}
	s.send("M-r")
	s.waitFor("as raw bytes")
	if got := s.run("show-buffer"); got != "Hello" {
		t.Errorf("clipboard after copy-raw: %q", got)
	}
	s.send("C-o")
	s.waitFor("write 0x0–0x4 (5 bytes) to file:")
	s.typeText("out.bin")
	s.send("Enter")
	s.waitFor("wrote 0x0–0x4 (5 bytes) to out.bin")
	if b, err := os.ReadFile(filepath.Join(dir, "out.bin")); err != nil || string(b) != "Hello" {
		t.Errorf("out.bin = %q, %v", b, err)
	}
	s.send("C-q")
	if scr := s.waitFor("EXITED"); !strings.Contains(scr, "EXITED 0") {
		t.Errorf("exit:\n%s", scr)
	}
}
