package view

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mmhex/mapping/testenv"
	"mmhex/mapping/testenv/tmux"
)

// liveTerm is a detached tmux session on a server of its own running one
// command (tmux.Start).
type liveTerm struct {
	*tmux.Session
	t      *testing.T
	socket string
}

func newLiveTerm(t *testing.T, name string, width int, cmd ...string) *liveTerm {
	t.Helper()
	s := tmux.Start(t, width, 30, nil, cmd...)
	return &liveTerm{Session: s, t: t, socket: s.Socket + "-" + name}
}

func (s *liveTerm) tmux(args ...string) string {
	s.t.Helper()
	return s.Run(args...)
}

// waitExit polls until the session's command has exited.
func (s *liveTerm) waitExit(limit time.Duration) {
	s.t.Helper()
	s.WaitExit(limit)
}

func (s *liveTerm) keys(k ...string) {
	s.t.Helper()
	s.Keys(k...)
}

func (s *liveTerm) screen() string {
	s.t.Helper()
	return s.Screen()
}

// waitFor polls the screen until it contains want; it returns how long that took.
func (s *liveTerm) waitFor(want string, limit time.Duration) time.Duration {
	s.t.Helper()
	start := time.Now()
	for {
		scr := s.screen()
		if strings.Contains(scr, want) {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			s.t.Fatalf("%s: the screen did not show %q within %v:\n%s", s.socket, want, limit, scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two editors on one file see each other's edits within a second, before
// any sync: the mapping is shared, the page cache is one.
func TestTmuxTwoEditors(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	if testing.Short() {
		t.Skip("-short: skipping the tmux test")
	}
	dir := t.TempDir()
	bin := mmhexBinary(t)
	path := filepath.Join(dir, "shared.bin")
	if err := os.WriteFile(path, bytes.Repeat([]byte("."), 256), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newLiveTerm(t, "a", 100, bin, path)
	b := newLiveTerm(t, "b", 100, bin, path)
	const row0 = "00000000  2e 2e 2e 2e"
	a.waitFor(row0, 10*time.Second)
	b.waitFor(row0, 10*time.Second)

	// A types 0x41 at offset 0: B shows it within a second.
	a.keys("4", "1")
	a.waitFor("00000000  41 2e 2e 2e", 5*time.Second)
	// B has no key pressed: only its live refresh (4 times a second) can
	// show the byte. The limit is generous for a loaded CI machine; the
	// time is logged, not asserted.
	d := b.waitFor("00000000  41 2e 2e 2e", 10*time.Second)
	t.Logf("B showed A's edit after %v", d)
	// B types 0x42 at its offset 0, then 0x43 at offset 1: A shows them.
	b.keys("4", "2", "4", "3")
	b.waitFor("00000000  42 43 2e 2e", 5*time.Second)
	d = a.waitFor("00000000  42 43 2e 2e", 10*time.Second)
	t.Logf("A showed B's edits after %v", d)
	// Nothing was synced, yet the file (read through the page cache) has both edits.
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("BC..")) {
		t.Errorf("file starts %q, want BC..", got[:4])
	}
	// Both quit, syncing.
	for _, s := range []*liveTerm{a, b} {
		s.keys("C-q")
		s.waitFor("[s]", 5*time.Second)
		s.keys("s")
	}
	// Each editor exits after its sync; then the file must hold both edits.
	want := append([]byte("BC"), bytes.Repeat([]byte("."), 254)...)
	for _, s := range []*liveTerm{a, b} {
		s.waitExit(10 * time.Second)
	}
	if got, _ = os.ReadFile(path); !bytes.Equal(got, want) {
		t.Errorf("file after both quit: %q", got[:8])
	}
}

// The mapping lab options of the command line reach mapping.Options, and
// the header shows what is in effect.
func TestTmuxLabOptions(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	if testing.Short() {
		t.Skip("-short: skipping the tmux test")
	}
	dir := t.TempDir()
	bin := mmhexBinary(t)
	path := filepath.Join(dir, "lab.bin")
	if err := os.WriteFile(path, bytes.Repeat([]byte("lab!"), 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		flags []string
		want  string
	}{
		{nil, "19.53 KiB (20000 B)  rw  PROT_READ|PROT_WRITE MAP_SHARED\n"},
		{[]string{"--read-only"}, "19.53 KiB (20000 B)  read-only  PROT_READ MAP_SHARED\n"},
		{[]string{"--private"}, "19.53 KiB (20000 B)  private  PROT_READ|PROT_WRITE MAP_PRIVATE\n"},
		{[]string{"--populate", "--lock", "--window", "4k", "--invalidate"},
			"19.53 KiB (20000 B)  rw  PROT_READ|PROT_WRITE MAP_SHARED MAP_POPULATE mlock  msync +MS_INVALIDATE  window 0x0–0x1000\n"},
	} {
		s := newLiveTerm(t, fmt.Sprint("lab", i), 200, append(append([]string{bin}, c.flags...), path)...)
		s.waitFor(c.want, 10*time.Second)
		s.tmux("kill-server")
	}
}

// TestTmuxBlockDeviceWrite: the real binary on a loop device opens it
// read-only with the reason in the header, and with --write for writing:
// an edit and Ctrl-S land in the device's backing image.
func TestTmuxBlockDeviceWrite(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	if testing.Short() {
		t.Skip("-short: skipping the tmux test")
	}
	dev, img := loopDevice(t, bytes.Repeat([]byte("block"), 4096))
	bin := mmhexBinary(t)

	s := newLiveTerm(t, "blk-ro", 200, bin, dev)
	s.waitFor("20.00 KiB (20480 B)  read-only (block device)  PROT_READ MAP_SHARED\n", 10*time.Second)
	s.waitFor(" "+dev+": block device opened read-only (--write opens it for writing)", 10*time.Second)
	s.tmux("kill-server")

	s = newLiveTerm(t, "blk-rw", 200, bin, "--write", dev)
	s.waitFor("20.00 KiB (20480 B)  rw  PROT_READ|PROT_WRITE MAP_SHARED\n", 10*time.Second)
	s.tmux("send-keys", "Tab")
	s.tmux("send-keys", "-l", "BLOCK")
	s.tmux("send-keys", "C-s")
	s.waitFor("MS_SYNC: 1 page, 4096 B", 10*time.Second)
	s.tmux("kill-server")
	// MS_SYNC on the device wrote the page through the loop driver into
	// the image file.
	got, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("BLOCKblock")) {
		t.Errorf("image starts %q, want BLOCKblock", got[:10])
	}
}
