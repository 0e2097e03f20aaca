package structure

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// TestTmuxEditEntry: the real binary in a real terminal: open an ELF copy,
// open the structure panel (Alt-t), move to e_entry, edit it, Ctrl-S, quit;
// readelf -h reads the new entry point from the file.
func TestTmuxEditEntry(t *testing.T) {
	tmux := testenv.RequireTool(t, "tmux")
	readelf := testenv.RequireTool(t, "readelf")
	dir := t.TempDir()
	bin := filepath.Join(dir, "mmhex")
	build := exec.Command("go", "build", "-o", bin, "mmhex")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	src, err := exec.LookPath("ls")
	if err != nil {
		t.Skip("no ls")
	}
	prog := filepath.Join(dir, "prog")
	testenv.CopyFile(t, src, prog, 0o644)
	if out, _ := exec.Command(readelf, "-h", prog).Output(); !bytes.Contains(out, []byte("ELF64")) || !bytes.Contains(out, []byte("little endian")) {
		t.Skipf("%s is not a little-endian ELF64 file", src)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	cmdline := fmt.Sprintf("cd '%s' && env XDG_CONFIG_HOME='%s' HOME='%s' '%s' '%s'; echo EXITED $?; sleep 30", dir, dir, dir, bin, prog)
	tm("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", cmdline)
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })
	send := func(keys ...string) {
		for _, k := range keys {
			tm("send-keys", k)
			time.Sleep(60 * time.Millisecond)
		}
	}
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			scr := tm("capture-pane", "-p")
			if strings.Contains(scr, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q:\n%s", want, scr)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("0x0 (0)")
	send("M-t")
	waitFor("structure: elf (ELF object file)")
	// magic, class, data, ei_version, os_abi, abi_version, ei_pad, header
	send("Down", "Down", "Down", "Down", "Down", "Down", "Down")
	waitFor("field header │")
	send("Right")
	waitFor("e_entry")
	send("Down", "Down", "Down", "Down")
	waitFor("field header.e_entry")
	waitFor("0x18 (24)")
	send("Enter")
	waitFor("header.e_entry (u8) = ")
	send("C-u")
	tm("send-keys", "-l", "0x401234")
	send("Enter")
	waitFor("header.e_entry = 0x401234: 8 bytes at 0x18")
	send("C-s")
	waitFor("last sync: MS_SYNC")
	send("C-q")
	waitFor("EXITED 0")
	out, err := exec.Command(readelf, "-h", prog).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Entry point address:\s+(\S+)`).FindSubmatch(out)
	if m == nil || string(m[1]) != "0x401234" {
		t.Fatalf("readelf -h after the edit:\n%s", out)
	}
	// only those 8 bytes changed
	a, _ := os.ReadFile(src)
	b, _ := os.ReadFile(prog)
	for i := range a {
		if a[i] != b[i] && (i < 0x18 || i >= 0x20) {
			t.Fatalf("byte %#x changed too", i)
		}
	}
}
