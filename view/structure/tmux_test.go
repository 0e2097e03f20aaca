package structure

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"mmhex/mapping/testenv"
	"mmhex/mapping/testenv/tmux"
)

// TestTmuxEditEntry: the real binary in a real terminal: open an ELF copy,
// open the structure panel (Alt-t), move to e_entry, edit it, Ctrl-S, quit;
// readelf -h reads the new entry point from the file.
func TestTmuxEditEntry(t *testing.T) {
	readelf := testenv.RequireTool(t, "readelf")
	dir := t.TempDir()
	bin := tmux.Binary(t)
	src, err := exec.LookPath("ls")
	if err != nil {
		t.Skip("no ls")
	}
	prog := filepath.Join(dir, "prog")
	testenv.CopyFile(t, src, prog, 0o644)
	if out, _ := exec.Command(readelf, "-h", prog).Output(); !bytes.Contains(out, []byte("ELF64")) || !bytes.Contains(out, []byte("little endian")) {
		t.Skipf("%s is not a little-endian ELF64 file", src)
	}
	cmdline := fmt.Sprintf("cd '%s' && env XDG_CONFIG_HOME='%s' HOME='%s' '%s' '%s'; echo EXITED $?; sleep 30", dir, dir, dir, bin, prog)
	s := tmux.Start(t, 120, 40, nil, "sh", "-c", cmdline)
	send, waitFor := s.Keys, s.WaitFor
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
	s.Text("0x401234")
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
