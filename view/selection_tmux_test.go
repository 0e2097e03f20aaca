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

// TestTmuxPasteHex: the real terminal's bracketed paste (tmux paste-buffer
// -p) of a two-line hex dump into the paste-hex prompt: the newline in it
// does not submit the prompt, Enter overwrites exactly those bytes.
func TestTmuxPasteHex(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test (-short)")
	}
	bin := mmhexBinary(t)
	dir := t.TempDir()
	orig := []byte("Hello, paste world, and more bytes")
	path := filepath.Join(dir, "p.bin")
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, bin, "p.bin")
	s.waitFor("p.bin")
	s.send("Right", "C-v")
	s.waitFor("overwrite at 0x1 with hex:")
	s.run("set-buffer", "ca fe\nba be\n")
	s.run("paste-buffer", "-p")
	s.waitFor("overwrite at 0x1 with hex: ca fe ba be")
	if b, _ := os.ReadFile(path); string(b) != string(orig) {
		t.Fatalf("file changed by the paste before Enter: %q", b)
	}
	s.send("Enter")
	s.waitFor("overwrote 0x1–0x4 (4 bytes)")
	want := append([]byte(nil), orig...)
	copy(want[1:], []byte{0xca, 0xfe, 0xba, 0xbe})
	if b, _ := os.ReadFile(path); string(b) != string(want) {
		t.Errorf("on disk %q, want %q", b, want)
	}
	s.send("C-x")
	if scr := s.waitFor("EXITED"); !strings.Contains(scr, "EXITED 0") {
		t.Errorf("exit:\n%s", scr)
	}
}

// TestTmuxSelectDrag: a mouse drag in the real terminal (xterm SGR reports:
// press, motion with the button held, release) selects from the pressed
// byte to the one under the pointer; copy sends exactly those bytes.
func TestTmuxSelectDrag(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test (-short)")
	}
	bin := mmhexBinary(t)
	dir := t.TempDir()
	data := make([]byte, 64)
	for i := range data {
		data[i] = byte(i)
	}
	if err := os.WriteFile(filepath.Join(dir, "d.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, bin, "d.bin")
	s.run("set", "-g", "set-clipboard", "on")
	s.waitFor("d.bin")
	// Row 4 (1-based) is the second data row (0x10); column 13 its first
	// byte's low digit. Drag through column 20 to row 5, column 15: 0x21.
	s.typeText("\x1b[<0;13;4M")
	s.typeText("\x1b[<32;20;4M")
	s.typeText("\x1b[<32;15;5M")
	s.typeText("\x1b[<0;15;5m")
	s.waitFor("selection 0x10–0x21 (18 bytes)")
	s.send("M-c")
	s.waitFor("copied 0x10–0x21 (18 bytes) as hex text")
	if got, want := s.run("show-buffer"), hexText(data[0x10:0x22]); got != want {
		t.Errorf("clipboard %q, want %q", got, want)
	}
	s.send("C-q")
	if scr := s.waitFor("EXITED"); !strings.Contains(scr, "EXITED 0") {
		t.Errorf("exit:\n%s", scr)
	}
}

// TestTmuxWriteSelectionVim: the real binary, vim preset. ":w out" where
// out is a symbolic link to another file is refused with its exact line
// and the linked file keeps its bytes; ":w copy" writes a new file that
// keeps the source's 0600.
func TestTmuxWriteSelectionVim(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test (-short)")
	}
	bin := mmhexBinary(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	if err := os.WriteFile(src, []byte("sec\x1bret bytes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "victim"), []byte("victim\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("victim", filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, bin, "--keys", "vim", "src.bin")
	s.waitFor("src.bin")
	s.send("v", "l", "l", "l", "l")
	s.waitFor("0x0–0x4 (5 bytes)")
	s.send(":")
	s.typeText("w out")
	s.send("Enter")
	s.waitFor("out is a symbolic link (to victim): not followed; give the path of the file itself")
	if b, _ := os.ReadFile(filepath.Join(dir, "victim")); string(b) != "victim\n" {
		t.Errorf("victim = %q", b)
	}
	s.send(":")
	s.typeText("w copy")
	s.send("Enter")
	s.waitFor("wrote 0x0–0x4 (5 bytes) to copy in")
	st, err := os.Stat(filepath.Join(dir, "copy"))
	if b, _ := os.ReadFile(filepath.Join(dir, "copy")); err != nil || string(b) != "sec\x1br" || st.Mode().Perm() != 0o600 {
		t.Errorf("copy = %q, %v, %v", b, st.Mode(), err)
	}
	s.send(":q", "Enter")
	if scr := s.waitFor("EXITED"); !strings.Contains(scr, "EXITED 0") {
		t.Errorf("exit:\n%s", scr)
	}
}
