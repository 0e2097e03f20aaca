package view

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// The writeback lab in the real binary and a real terminal: Ctrl-P shows
// the page panel, an edit is counted, Ctrl-S leaves no dirty page, Ctrl-D
// shows memory and disk agreeing, Alt-w reports the writeback action.
func TestTmuxWritebackLab(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	if testing.Short() {
		t.Skip("-short: skipping the tmux test")
	}
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	bin := mmhexBinary(t)
	path := filepath.Join(t.TempDir(), "lab.bin")
	if err := os.WriteFile(path, bytes.Repeat([]byte("lab!"), 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newLiveTerm(t, "wblab", 120, bin, path)
	s.waitFor("00000000  6c 61 62 21", 10*time.Second)
	s.keys("C-p")
	s.waitFor(" pages of lab.bin: 4 × 4 KiB  resident 4  cached 4  dirty ", 10*time.Second)
	s.keys("4", "1")
	s.waitFor("  edited 1\n", 10*time.Second)
	s.keys("C-s")
	s.waitFor(" last: msync(MS_SYNC) — 1 page written and waited for; dirty now 0\n", 10*time.Second)
	// No key from here: the panel refreshes by itself (4 times a second)
	// and shows a page dirtied by another writer.
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte("x"), 3*4096); err != nil {
		t.Fatal(err)
	}
	// (dirty may count the whole folio the write landed in)
	s.waitFor(", not your edits (Ctrl-S writes them)\n", 10*time.Second)
	if err := other.Sync(); err != nil { // clean again for the disk view below
		t.Fatal(err)
	}
	s.waitFor("dirty now 0\n", 10*time.Second)
	s.keys("C-d")
	s.waitFor(" page 0x0 of lab.bin", 10*time.Second)
	s.waitFor(" memory and disk agree (4096 B)", 10*time.Second)
	s.keys("M-w")
	s.waitFor(" sync_file_range(SYNC_FILE_RANGE_WRITE): writeback started (", 10*time.Second)
	s.keys("C-q")
	s.waitExit(10 * time.Second)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte("Aab!"), bytes.Repeat([]byte("lab!"), 4095)...)
	want[3*4096] = 'x'
	if !bytes.Equal(got, want) {
		t.Errorf("file starts %q", got[:8])
	}
}
