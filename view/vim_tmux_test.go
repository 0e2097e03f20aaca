package view

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

// TestTmuxVimGotoEditWriteQuit drives the vim preset of the real binary in
// a real terminal: goto (NG and :N), replace (r and R), :w, :q; then the
// bytes on disk are exactly the expected ones. A second session edits and
// leaves with :q!, which reverts.
func TestTmuxVimGotoEditWriteQuit(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test (-short)")
	}
	bin := mmhexBinary(t)
	dir := t.TempDir()
	data := bytes.Repeat([]byte("0123456789abcdef"), 1024) // 16 KiB
	path := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), data...)

	s := startTmux(t, dir, bin, "--keys", "vim", "data.bin")
	s.waitFor("-- NORMAL --")
	// 100G: offset 100; r41 replaces one byte and returns to normal mode
	s.send("1", "0", "0", "G")
	s.waitFor("0x64 (100)")
	s.send("r", "4", "1")
	s.waitFor("-- NORMAL --")
	want[100] = 0x41
	// :0x2000, then R: replace mode, hex then text column, Esc
	s.send(":")
	s.typeText("0x2000")
	s.send("Enter")
	s.waitFor("0x2000 (8192)")
	s.send("R")
	s.waitFor("-- REPLACE --")
	s.typeText("dead")
	s.send("Tab")
	s.typeText("OK")
	s.send("Escape")
	s.waitFor("-- NORMAL --")
	copy(want[0x2000:], []byte{0xde, 0xad, 'O', 'K'})
	// with MAP_SHARED the bytes are in the file at once; :w makes them durable
	s.send(":")
	s.typeText("w")
	s.send("Enter")
	s.waitFor("MS_SYNC")
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, want) {
		t.Fatalf("after :w the file differs at %d", firstDiff(got, want))
	}
	s.send(":")
	s.typeText("q")
	s.send("Enter")
	s.waitFor("EXITED 0")
	got, _ = os.ReadFile(path)
	if !bytes.Equal(got, want) {
		t.Fatalf("after :q the file differs at %d", firstDiff(got, want))
	}

	// :q! reverts unsynced edits. This time the vim preset comes from
	// $XDG_CONFIG_HOME/mmhex/config.toml, whose mistake is shown in the
	// editor until a key dismisses it.
	s.run("kill-server")
	if err := os.MkdirAll(filepath.Join(dir, "mmhex"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "keys = \"vim\"\nbytes_per_row = 8\nwindow = \"8k\"\n[bindings]\n\"X\" = \"no-such-action\"\n"
	if err := os.WriteFile(filepath.Join(dir, "mmhex", "config.toml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s2 := startTmux(t, dir, bin, "data.bin")
	s2.waitFor(`config.toml:5: unknown action "no-such-action"`)
	s2.send("Escape")
	s2.waitGone("no-such-action")
	// bytes_per_row and window of the file are in effect
	scr := s2.waitFor("-- NORMAL --")
	if !strings.Contains(scr, "window 0x0–0x2000") || !strings.Contains(scr, "\n 00000008  38 39 61 62 63 64 65 66   89abcdef\n") {
		t.Fatalf("bytes_per_row = 8, window = 8k not in effect:\n%s", scr)
	}
	s2.send("R")
	s2.typeText("ffff")
	s2.waitFor("2 edits unsynced") // two bytes changed (one R … Esc session: one undo step), as mmhex recover counts them
	if got, _ := os.ReadFile(path); got[0] != 0xff || got[1] != 0xff {
		t.Fatalf("edit not in the file at once (MAP_SHARED): % x", got[:2])
	}
	// Esc and ":" in one write, as when typed fast in tmux: the editor
	// reads Alt-:, which in replace mode is Esc then ":"
	s2.run("send-keys", "Escape", ":")
	s2.waitFor("or any action name") // the command line is open
	s2.typeText("q!")
	s2.send("Enter")
	s2.waitFor("EXITED 0")
	got, _ = os.ReadFile(path)
	if !bytes.Equal(got, want) {
		t.Fatalf("after :q! the file differs at %d", firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestTmuxUnreadableDefaultConfig: run as a user who may not look into
// $HOME (as root: nobody with HOME a root-only folder, through setpriv;
// otherwise a home folder with its permissions taken away), the editor
// opens with the default keys and no message; the same configuration named
// by --config is one line naming the file, before any screen.
func TestTmuxUnreadableDefaultConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test (-short)")
	}
	bin := mmhexBinary(t)
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir), filepath.Dir(bin), filepath.Dir(filepath.Dir(bin))} {
		os.Chmod(d, 0o755)
	}
	// Writable by anyone: no read-only notice in the message line either.
	if err := os.WriteFile(filepath.Join(dir, "data.bin"), bytes.Repeat([]byte("0123456789abcdef"), 64), 0o666); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "data.bin"), 0o666) // past the umask
	home := filepath.Join(dir, "home")
	conf := filepath.Join(home, ".config", "mmhex", "config.toml")
	os.MkdirAll(filepath.Dir(conf), 0o755)
	os.WriteFile(conf, []byte("keys = \"vim\"\n"), 0o644)
	var as []string
	if os.Geteuid() == 0 {
		testenv.RequireTool(t, "setpriv")
		os.Chmod(home, 0o700)
		as = []string{"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"}
	} else {
		os.Chmod(home, 0)
		t.Cleanup(func() { os.Chmod(home, 0o755) })
	}
	args := append(as, "env", "-u", "XDG_CONFIG_HOME", "HOME="+home, bin, "data.bin")
	s := startTmux(t, dir, args...)
	scr := s.waitFor("F1 help")
	if strings.Contains(scr, "config") || strings.Contains(scr, "NORMAL") {
		t.Fatalf("the default preset with no message expected:\n%s", scr)
	}
	s.send("C-q")
	s.waitFor("EXITED 0")

	// --config FILE that cannot be read: one line, exit 1
	s.run("kill-server")
	args = append(as, "env", "-u", "XDG_CONFIG_HOME", "HOME="+home, bin, "--config", conf, "data.bin")
	s = startTmux(t, dir, args...)
	scr = s.waitFor("EXITED 1")
	if !strings.Contains(scr, "mmhex: config "+conf+": permission denied\nEXITED 1") {
		t.Fatalf("--config of an unreadable file:\n%s", scr)
	}
}
