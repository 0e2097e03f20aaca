package view

import (
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
	"mmhex/mapping/wal"
)

// The real binary in tmux, killed with SIGKILL in the middle of a burst
// of 40 000 typed hex digits (tmux send-keys -l: keys, not a paste), whose
// bytes were journaled ahead (cover records, one fdatasync for many
// bytes): mmhex recover --list counts and lists exactly the bytes typed
// before the kill (the covers reach further and are no edits), so does
// the editor's question on opening the file, and --revert gives back the
// original file (cmp), naming nothing.
func TestTmuxKilledMidBurstRecovers(t *testing.T) {
	bin := mmhexBinary(t)
	cmpTool := testenv.RequireTool(t, "cmp")
	state := t.TempDir()
	dir := t.TempDir()
	const nbytes = 20000
	orig := testenv.Pattern(nbytes+4096, 17)
	p := filepath.Join(dir, "burst.bin")
	keep := filepath.Join(dir, "orig.bin")
	for _, f := range []string{p, keep} {
		if err := os.WriteFile(f, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// every typed byte differs from the original in both nibbles: the
	// bytes typed (and a byte half typed) are those that differ
	var digits strings.Builder
	typed := make([]byte, nbytes)
	for i := range typed {
		typed[i] = orig[i] ^ 0x88
		fmt.Fprintf(&digits, "%02x", typed[i])
	}
	pidFile := filepath.Join(dir, "pid")
	s := newTerm(t, 120, 40)
	s.text(fmt.Sprintf(`export XDG_STATE_HOME=%s; sh -c 'echo $$ > %s; exec %s %s'; echo EXIT=$?`, state, pidFile, bin, p))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	ds := digits.String()
	for i := 0; i < len(ds); i += 8000 {
		s.text(ds[i:min(i+8000, len(ds))])
	}
	// kill it once 2000 bytes are typed: the burst is under way
	deadline := time.Now().Add(time.Minute)
	var one [1]byte
	for {
		if _, err := fh.ReadAt(one[:], 2000); err != nil {
			t.Fatal(err)
		}
		if one[0] != orig[2000] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("byte 2000 not typed after a minute:\n%s", s.screen())
		}
		time.Sleep(time.Millisecond)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.waitFor("EXIT=137")
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for k < len(got) && got[k] != orig[k] {
		k++
	}
	if k >= nbytes {
		t.Fatalf("all %d bytes were typed before the kill: not in the middle of the burst", nbytes)
	}
	for i := 0; i < k; i++ {
		if got[i] != typed[i] && (i != k-1 || got[i] != typed[i]&0xf0|orig[i]&0x0f) {
			t.Fatalf("byte %#x is %02x, want %02x (typed) before the kill", i, got[i], typed[i])
		}
	}
	testenv.MustEqual(t, "the bytes after the typed ones", got[k:], orig[k:])
	js, _ := filepath.Glob(filepath.Join(state, "mmhex", "*.mmj"))
	if len(js) != 1 {
		t.Fatalf("journals: %v", js)
	}
	j, err := wal.Peek(js[0])
	if err != nil {
		t.Fatal(err)
	}
	covers, records := len(j.Covers), len(j.Records)
	j.Close()
	t.Logf("killed after %d typed bytes: %d store records, %d cover records", k, records, covers)
	if covers == 0 || covers > k/10 {
		t.Fatalf("%d cover records for %d bytes typed in a burst: want at least one, at most a tenth of the bytes", covers, k)
	}

	recover := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"recover", p}, args...)...)
		cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("mmhex recover %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// A record is written before its store: the kill may fall between
	// the two, so the last byte's last record (or a record of the next
	// byte) may tell a store that never happened (revert finds the old
	// byte there and leaves it).
	out := recover("--list")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	edits := len(lines) - 1
	if edits != k && edits != k+1 {
		t.Fatalf("--list listed %d edits, want %d (the typed bytes alone), or one more whose store the kill stopped:\n%s", edits, k, lines[0])
	}
	if want := fmt.Sprintf("%s: %d edits of %d bytes from a session that ended at ", p, edits, edits); !strings.HasPrefix(lines[0], want) {
		t.Fatalf("--list: %q\nwant %s…", lines[0], want)
	}
	for i := 0; i < edits; i++ {
		want := fmt.Sprintf("  1 byte at %#x: %02x → %02x", i, orig[i], got[i])
		alt := want
		switch {
		case i == k: // its record, no store
			want = fmt.Sprintf("  1 byte at %#x: %02x → %02x", i, orig[i], typed[i]&0xf0|orig[i]&0x0f)
			alt = want
		case i == k-1: // half typed, or the second digit's record without its store
			alt = fmt.Sprintf("  1 byte at %#x: %02x → %02x", i, orig[i], typed[i])
		}
		if lines[1+i] != want && lines[1+i] != alt {
			t.Fatalf("edit %d: %q, want %q", i, lines[1+i], want)
		}
	}
	// The editor's question on opening the file counts the same edits.
	s.text(`stty sane; printf '\033[?1049l'; clear`)
	s.keys("C-j")
	s.waitGone("EXIT=137")
	s.text(fmt.Sprintf("%s %s; echo EXIT=$?", bin, p))
	s.keys("Enter")
	s.waitFor("Edits left by an earlier session")
	s.waitFor(fmt.Sprintf("%d edits of %d bytes from a session that ended at ", edits, edits))
	s.Escape()
	s.waitFor("the journal stays")
	s.keys("C-q")
	s.waitFor("EXIT=0")
	out = recover("--revert")
	if want := fmt.Sprintf(": %d bytes put back and synced; journal removed\n", k); !strings.HasSuffix(out, want) || strings.Count(out, "\n") != 1 {
		t.Fatalf("--revert printed %q, want one line ending %q", out, want)
	}
	if o, err := exec.Command(cmpTool, keep, p).CombinedOutput(); err != nil {
		t.Fatalf("cmp after recover --revert: %v\n%s", err, o)
	}
	testenv.MustEqual(t, "on disk after --revert", testenv.DiskBytes(t, p), orig)
}
