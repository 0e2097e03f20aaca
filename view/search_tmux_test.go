package view

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTmuxSearch drives a search in the real binary in a real terminal: a
// 64 GiB sparse file with a needle near its end and one near its start.
// Ctrl-F text search from the start finds the first; Ctrl-N the one near
// the end (the holes between are skipped); Ctrl-N again wraps around the
// end; Ctrl-R with a hex pattern finds backwards; malformed hex is refused
// in the prompt; the cursor and the message line say where.
func TestTmuxSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test (-short)")
	}
	bin := mmhexBinary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "sparse.bin")
	const size = 64 << 30
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(size); err != nil {
		t.Fatal(err)
	}
	fh.WriteAt([]byte("a needle here"), 0x1000)
	fh.WriteAt([]byte("the NEEDLE at the end"), size-4096)
	fh.Close()

	s := startTmux(t, dir, bin, "sparse.bin")
	s.waitFor("sparse.bin")
	s.send("C-f")
	s.waitFor("search ↓ hex:")
	s.send("Tab")
	s.waitFor("search ↓ text:")
	s.send("C-t")
	s.waitFor("search ↓ text, any case:")
	s.typeText("needle")
	s.send("Enter")
	scr := s.waitFor(`found "needle"/i at 0x1002 (4098)`)
	if !strings.Contains(scr, "0x1002 (4098)") {
		t.Errorf("status line does not show the cursor at the match:\n%s", scr)
	}
	s.send("C-n")
	want := size - 4096 + 4
	scr = s.waitFor(`found "needle"/i at 0xffffff004 (68719472644)`)
	// The match is centred: its row is on screen, the cursor on it.
	if !strings.Contains(scr, "ffffff000  74 68 65 20 4e 45 45 44") || !strings.Contains(scr, "0xffffff004 (68719472644)") {
		t.Errorf("match %d not shown at the cursor:\n%s", want, scr)
	}
	s.send("C-n")
	s.waitFor("at 0x1002 (4098)")
	s.waitFor("wrapped around the end")
	// Backward, hex: "4e 45 45" (NEE) before the cursor wraps to the end.
	// The cursor is in the hex column: the prompt starts in hex.
	s.send("C-r")
	s.waitFor("search ↑ hex:")
	s.typeText("4e 45 4")
	s.send("Enter")
	s.waitFor(`"4" needs a second hex digit`)
	s.send("BSpace", "BSpace")
	s.typeText("45")
	s.send("Enter")
	s.waitFor("found 4e 45 45 at 0xffffff004")
	s.waitFor("wrapped around the start")
	s.send("C-q")
	scr = s.waitFor("EXITED 0")
	if bytes.Contains([]byte(scr), []byte("panic")) {
		t.Errorf("panic:\n%s", scr)
	}
}
