package view

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// The shape features (view/shapeview) in the real binary and a real
// terminal, where their scans run in the background and their results
// come through the application's queue: the strings panel lists, filters
// and jumps; the hash panel shows sha256sum's value; the entropy map
// appears beside the grid.
func TestTmuxShapeFeatures(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	if testing.Short() {
		t.Skip("-short: skipping the tmux test")
	}
	bin := mmhexBinary(t)
	path := filepath.Join(t.TempDir(), "shape.bin")
	data := make([]byte, 256<<10)
	copy(data[0x100:], "alpha beta gamma\x00")
	copy(data[0x2345:], "\x01second string here\x02")
	copy(data[0x8000:], "GAMMA ray burst\x00")
	copy(data[0x20000:], testenv.Pattern(64<<10, 9))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(testenv.RequireTool(t, "sha256sum"), path).Output()
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.Fields(string(out))[0]
	s := newLiveTerm(t, "shape", 140, bin, path)
	s.waitFor("00000000  00 00 00 00", 10*time.Second)
	s.keys("M-l")
	s.waitFor("alpha beta gamma", 20*time.Second)
	s.waitFor("second string here", 20*time.Second)
	s.keys("g", "a", "m")
	s.waitFor(`, 2 with "gam"`, 10*time.Second)
	s.keys("Down", "Enter")
	s.waitFor("string at 0x8000 (15 characters)", 10*time.Second)
	s.Escape() // Esc alone, not Alt with the next key: returns once mmhex has read it
	s.keys("M-k")
	s.waitFor("4 SHA256  "+sha, 20*time.Second)
	s.Escape()
	s.keys("M-e")
	s.waitFor("│▐", 20*time.Second)
	s.keys("C-q")
	s.waitExit(10 * time.Second)
	if got, _ := os.ReadFile(path); string(got) != string(data) {
		t.Fatal("the file changed")
	}
}

// The strings panel's filter in the real binary: the file has more
// strings than the panel lists (200 000), and the ones typed are past
// them; each key restarts the scan while one runs, and the last one's
// strings are listed whatever order the scans' goroutines start in.
func TestTmuxStringsFilterPastTheList(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	if testing.Short() {
		t.Skip("-short: skipping the tmux test")
	}
	bin := mmhexBinary(t)
	path := filepath.Join(t.TempDir(), "many.bin")
	data := []byte(strings.Repeat("abcd\x00", 200001) + "a Needle here\x00tail needle\x00")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newLiveTerm(t, "strfilter", 140, bin, path)
	s.waitFor("00000000  61 62 63 64", 10*time.Second)
	s.keys("M-l")
	s.waitFor("strings of the whole file: 200003 (the first 200000 listed)", 60*time.Second)
	for round := 0; round < 3; round++ {
		s.keys("n", "e", "e", "d", "l", "e")
		if round < 2 {
			s.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace")
		}
	}
	// each key restarted the scan: under a loaded machine the last one may
	// take a while to list 200 003 strings again (a wait, not a timing)
	s.waitFor(`strings of the whole file: 200003, 2 with "needle"`, 60*time.Second)
	s.waitFor("000f4245  a Needle here", 10*time.Second)
	s.waitFor("000f4253  tail needle", 10*time.Second)
	s.keys("Enter")
	s.waitFor("string at 0xf4245 (13 characters)", 10*time.Second)
	s.keys("C-q")
	s.waitExit(10 * time.Second)
}
