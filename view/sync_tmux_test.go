package view

// End-to-end tests of the sync contract with the real binary in tmux:
// "unsynced" means "not known to be on disk" (MS_ASYNC forgets nothing),
// and Ctrl-S writes what the screens say it writes, also pages dirtied by
// another process. Dirty pages are counted from outside by the project's
// own `mmhex stat --json` (cachestat); the bytes on disk are read around
// the page cache (pagecache.ReadDisk: the block device, or O_DIRECT on a
// clean file).

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
)

// statDirty runs `mmhex stat --json path` and returns its dirty count
// (dirty + writeback: not yet on disk).
func statDirty(t *testing.T, bin, path string) int64 {
	t.Helper()
	out, err := exec.Command(bin, "stat", "--json", path).Output()
	if err != nil {
		t.Fatalf("mmhex stat --json %s: %v", path, err)
	}
	var st struct {
		Dirty, Writeback *int64
	}
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatalf("mmhex stat --json: %v\n%s", err, out)
	}
	if st.Dirty == nil || st.Writeback == nil {
		testenv.SkipOrFail(t, "the kernel does not count dirty pages (cachestat, Linux >= 6.5): %s", out)
	}
	return *st.Dirty + *st.Writeback
}

// onDiskBytes reads n bytes at off from the disk, around the page cache.
func onDiskBytes(t *testing.T, path string, off int64, n int) []byte {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := pagecache.ReadDisk(f, off, n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cleanFile writes data to dir/name and writes it to disk, so that the
// only dirty pages later are the test's.
func cleanFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fdatasync(t, p)
	return p
}

// requireDisk skips (fails in CI) where the folder has no disk behind it.
func requireDisk(t *testing.T, path string) {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fs := pagecache.MemoryFS(f); fs != "" {
		testenv.SkipOrFail(t, "%s is on %s: no disk behind the page cache", path, fs)
	}
}

// TestTmuxAsyncThenSync: edit, Ctrl-W (MS_ASYNC, a no-op), then Ctrl-S
// leaves no dirty page and the bytes are on disk; Ctrl-Q then quits
// without asking.
func TestTmuxAsyncThenSync(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	data := bytes.Repeat([]byte("sync"), 16<<10) // 64 KiB
	p := cleanFile(t, dir, "a.bin", data)
	requireDisk(t, p)
	s := startTmux(t, dir, bin, "a.bin")
	s.waitFor("0x0 (0)")
	s.send("C-g")
	s.typeText("0x1800")
	s.send("Enter")
	s.waitFor("0x1800 (6144)")
	s.typeText("dead")
	s.waitFor("2 edits unsynced, 1 page")
	s.send("C-w")
	scr := s.waitFor("MS_ASYNC: 1 page queued (a no-op on Linux), ")
	if !regexp.MustCompile(`\n MS_ASYNC: 1 page queued \(a no-op on Linux\), [01] still dirty; still unsynced until Ctrl-S *\n`).MatchString(scr) ||
		!bytes.Contains([]byte(scr), []byte("│ 2 edits unsynced, 1 page │ last sync: MS_ASYNC 1 page 4096 B")) {
		t.Fatalf("after Ctrl-W:\n%s", scr)
	}
	if d := statDirty(t, bin, p); d == 0 {
		t.Log("kernel writeback took the page already; MS_ASYNC's dirty page not checked")
	}
	s.send("C-s")
	scr = s.waitFor("MS_SYNC: 1 page, 4096 B in ")
	if !bytes.Contains([]byte(scr), []byte("│ no unsynced edits │ last sync: MS_SYNC 1 page 4096 B")) {
		t.Fatalf("after Ctrl-S:\n%s", scr)
	}
	if d := statDirty(t, bin, p); d != 0 {
		t.Fatalf("%d dirty pages after Ctrl-W, Ctrl-S", d)
	}
	want := append([]byte(nil), data...)
	copy(want[0x1800:], []byte{0xde, 0xad})
	if got := onDiskBytes(t, p, 0, len(data)); !bytes.Equal(got, want) {
		t.Fatalf("disk after Ctrl-S differs at %d", firstDiff(got, want))
	}
	s.send("C-q")
	s.waitFor("EXITED 0")
}

// TestTmuxAsyncThenQuitAsks: edit, Ctrl-W, Ctrl-Q shows the
// unsynced-changes dialog; r puts the bytes back, also on disk.
func TestTmuxAsyncThenQuitAsks(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	data := bytes.Repeat([]byte{0x5a}, 8192)
	p := cleanFile(t, dir, "q.bin", data)
	requireDisk(t, p)
	s := startTmux(t, dir, bin, "q.bin")
	s.waitFor("0x0 (0)")
	s.typeText("11")
	s.waitFor("1 edit unsynced, 1 page")
	s.send("C-w")
	s.waitFor("still unsynced until Ctrl-S")
	s.send("C-q")
	s.waitFor("1 edit is not synced")
	s.waitFor("[s] sync now (MS_SYNC)")
	s.send("r")
	s.waitFor("EXITED 0")
	// Dirty pages first: where the disk is read with O_DIRECT on the file
	// (no raw block device), that read writes dirty pages back itself.
	if d := statDirty(t, bin, p); d != 0 {
		t.Fatalf("%d dirty pages after the revert", d)
	}
	if got := onDiskBytes(t, p, 0, len(data)); !bytes.Equal(got, data) {
		t.Fatalf("disk after Ctrl-W, Ctrl-Q, r differs at %d", firstDiff(got, data))
	}
}

// TestTmuxSyncAfterCp: a file just written by cp has dirty pages; open it,
// Ctrl-S: the message says the whole file was synced, and the file has no
// dirty page.
func TestTmuxSyncAfterCp(t *testing.T) {
	bin := mmhexBinary(t)
	cp := testenv.RequireTool(t, "cp")
	dir := t.TempDir()
	src := cleanFile(t, dir, "src.bin", bytes.Repeat([]byte("copied by cp. "), 20000)) // ~274 KiB
	requireDisk(t, src)
	dst := filepath.Join(dir, "dst.bin")
	if out, err := exec.Command(cp, src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	before := statDirty(t, bin, dst)
	if before == 0 {
		t.Skip("kernel writeback took cp's pages already")
	}
	s := startTmux(t, dir, bin, "dst.bin")
	s.waitFor("0x0 (0)")
	s.send("C-s")
	scr := s.waitFor("nothing edited here: synced the whole file with fdatasync, ")
	m := regexp.MustCompile(`nothing edited here: synced the whole file with fdatasync, (\d+) dirty pages? written in [0-9.]+ (ns|µs|ms|s)\n`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("after Ctrl-S:\n%s", scr)
	}
	if n, _ := strconv.ParseInt(m[1], 10, 64); n < 1 || n > before {
		t.Fatalf("Ctrl-S wrote %d dirty pages; mmhex stat counted %d before", n, before)
	}
	if d := statDirty(t, bin, dst); d != 0 {
		t.Fatalf("%d dirty pages after Ctrl-S", d)
	}
	want, _ := os.ReadFile(src)
	if got := onDiskBytes(t, dst, 0, len(want)); !bytes.Equal(got, want) {
		t.Fatalf("disk after Ctrl-S differs at %d", firstDiff(got, want))
	}
	// A second Ctrl-S has nothing to do.
	s.send("C-s")
	s.waitFor("nothing to sync: no page was written here since the last sync, and the file has no dirty page")
	s.send("C-q")
	s.waitFor("EXITED 0")
}

// TestTmuxVimWriteBang: in the vim preset :wasync is MS_ASYNC (the edit
// stays unsynced) and :w! is a forced MS_SYNC write (no dirty page after
// it); :q then quits without asking.
func TestTmuxVimWriteBang(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	data := bytes.Repeat([]byte{0}, 16384)
	p := cleanFile(t, dir, "v.bin", data)
	requireDisk(t, p)
	s := startTmux(t, dir, bin, "--keys", "vim", "v.bin")
	s.waitFor("-- NORMAL --")
	s.send("r", "4", "2")
	s.waitFor("1 edit unsynced, 1 page")
	s.send(":")
	s.typeText("wasync")
	s.send("Enter")
	scr := s.waitFor("MS_ASYNC: 1 page queued (a no-op on Linux), ")
	if !regexp.MustCompile(`MS_ASYNC: 1 page queued \(a no-op on Linux\), [01] still dirty; still unsynced until :w `).MatchString(scr) ||
		!bytes.Contains([]byte(scr), []byte("1 edit unsynced, 1 page")) {
		t.Fatalf("after :wasync:\n%s", scr)
	}
	s.send(":")
	s.typeText("w!")
	s.send("Enter")
	scr = s.waitFor("MS_SYNC: 1 page, 4096 B in ")
	if !bytes.Contains([]byte(scr), []byte("no unsynced edits")) {
		t.Fatalf("after :w!:\n%s", scr)
	}
	if d := statDirty(t, bin, p); d != 0 {
		t.Fatalf("%d dirty pages after :w!", d)
	}
	want := append([]byte(nil), data...)
	want[0] = 0x42
	if got := onDiskBytes(t, p, 0, len(data)); !bytes.Equal(got, want) {
		t.Fatalf("disk after :w! differs at %d", firstDiff(got, want))
	}
	s.send(":")
	s.typeText("q")
	s.send("Enter")
	s.waitFor("EXITED 0")
}
