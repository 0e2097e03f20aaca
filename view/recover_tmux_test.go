package view

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// killedAfterTyping runs the real binary in tmux on a copy of knownData,
// types two bytes (de ad) at 0x1800, kills it with SIGKILL and returns the
// file's path and the terminal (back at the shell prompt).
func killedAfterTyping(t *testing.T, state string) (string, *termSession) {
	t.Helper()
	bin := mmhexBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "rec.bin")
	if err := os.WriteFile(p, knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pid")
	s := newTerm(t, 120, 40)
	s.text(fmt.Sprintf(`export XDG_STATE_HOME=%s; sh -c 'echo $$ > %s; exec %s %s'; echo EXIT=$?`, state, pidFile, bin, p))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	s.keys("C-g")
	s.waitFor("goto:")
	s.text("0x1800")
	s.keys("Enter")
	s.waitFor("0x1800 (6144)")
	s.text("dead")
	s.waitFor("2 edits unsynced")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.waitFor("EXIT=137")
	// The killed editor left the terminal raw (Enter is \r, not a line
	// end) and in the alternate screen.
	s.text(`stty sane; printf '\033[?1049l'; clear`)
	s.keys("C-j")
	s.waitGone("EXIT=137")
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got[0x1800:0x1802], []byte{0xde, 0xad}) {
		t.Fatalf("the typed bytes are not in the file: % x", got[0x1800:0x1802])
	}
	return p, s
}

func (s *termSession) waitGone(text string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Contains(s.screen(), text) {
		if time.Now().After(deadline) {
			s.t.Fatalf("%q stayed on the screen:\n%s", text, s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// After SIGKILL, opening the file again shows what the journal holds and
// r reverts it: the original bytes on disk, the journal gone.
func TestTmuxRecoverRevert(t *testing.T) {
	state := t.TempDir()
	p, s := killedAfterTyping(t, state)
	s.text(fmt.Sprintf("%s %s; echo EXIT=$?", mmhexBinary(t), p))
	s.keys("Enter")
	s.waitFor("Edits left by an earlier session")
	s.waitFor("2 edits of 2 bytes from a session that ended at ")
	s.waitFor("[r] revert them    [k] keep them (drop the journal)    [l] look first")
	s.text("r")
	s.waitFor("reverted 2 edits of 2 bytes: 2 bytes put back and synced; journal removed")
	testenv.MustEqual(t, "on disk after r", testenv.DiskBytes(t, p), knownData())
	s.keys("C-q")
	s.waitFor("EXIT=0")
	if js, _ := filepath.Glob(filepath.Join(state, "mmhex", "*.mmj")); len(js) != 0 {
		t.Fatalf("journals left: %v", js)
	}
}

// k keeps the bytes and removes the journal; l lists the edits and Enter
// jumps to one.
func TestTmuxRecoverLookThenKeep(t *testing.T) {
	state := t.TempDir()
	p, s := killedAfterTyping(t, state)
	s.text(fmt.Sprintf("%s %s; echo EXIT=$?", mmhexBinary(t), p))
	s.keys("Enter")
	s.waitFor("Edits left by an earlier session")
	s.text("l")
	scr := s.waitFor("2 journaled edits (Enter: go to, Esc: back)")
	for _, line := range []string{"1 byte at 0x1800: 18 → de", "1 byte at 0x1801: 1f → ad"} {
		if !strings.Contains(scr, line) {
			t.Fatalf("list lacks %q:\n%s", line, scr)
		}
	}
	s.keys("Down", "Enter")
	s.waitFor("journaled edit 2/2: 1 byte at 0x1801: 1f → ad; Alt-J: revert, keep or look again")
	s.waitFor("0x1801 (6145)")
	s.keys("M-J")
	s.waitFor("Edits left by an earlier session")
	s.text("k")
	s.waitFor("kept 2 edits of 2 bytes from a session that ended at ")
	s.waitFor(" as they are, synced; journal removed")
	want := knownData()
	want[0x1800], want[0x1801] = 0xde, 0xad
	got, _ := os.ReadFile(p)
	testenv.MustEqual(t, "after k", got, want)
	s.keys("C-q")
	s.waitFor("EXIT=0")
	if js, _ := filepath.Glob(filepath.Join(state, "mmhex", "*.mmj")); len(js) != 0 {
		t.Fatalf("journals left: %v", js)
	}
}

// A shape change made by `mmhex insert` while another mmhex shows the file
// (read-only: a writable mapping would make insert refuse) is seen there:
// its live view says the size changed. With the file open for writing in
// an mmhex, insert is refused and nothing changes.
func TestTmuxInsertSeenByOtherInstance(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "shape.bin")
	if err := os.WriteFile(p, knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t, 120, 40)
	s.text(fmt.Sprintf("%s --read-only %s; echo EXIT=$?", bin, p))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	out, err := exec.Command(bin, "insert", p, "4096", "4096").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), p+": inserted 4096 zero bytes at 0x1000, size 12288 → 16384; fdatasync in ") {
		t.Fatalf("mmhex insert: %v %q", err, out)
	}
	s.waitFor("the file changed size: 16384 B (16.00 KiB), was 12288 B")
	s.keys("C-q")
	s.waitFor("EXIT=0")

	s.text(fmt.Sprintf("%s %s; echo EXIT=$?", bin, p))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	before, _ := os.ReadFile(p)
	out, err = exec.Command(bin, "insert", p, "4096", "4096").CombinedOutput()
	if err == nil || !strings.Contains(string(out), ": another process maps it shared and writable (pid ") {
		t.Fatalf("insert beside a writable mmhex: %v %q", err, out)
	}
	after, _ := os.ReadFile(p)
	testenv.MustEqual(t, "refused insert", after, before)
	s.keys("C-q")
	s.waitFor("EXIT=0")
}
