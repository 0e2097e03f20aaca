package mapping

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
	"mmhex/mapping/wal"
)

// diskState points XDG_STATE_HOME at a folder on a disk (not /dev/shm)
// for this test and returns the journal folder.
func diskState(t *testing.T) string { return diskStateB(t) }

func diskStateB(t testing.TB) string {
	t.Helper()
	d := t.TempDir()
	var fs unix.Statfs_t
	if unix.Statfs(d, &fs) == nil && fs.Type == unix.TMPFS_MAGIC {
		if d2, err := os.MkdirTemp("/var/tmp", "mmhex-state-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d2) })
			d = d2
		}
	}
	t.Setenv("XDG_STATE_HOME", d)
	return filepath.Join(d, "mmhex")
}

func peek(t *testing.T, f *File) *wal.Journal {
	t.Helper()
	if f.d.w == nil { // read without the mutex: hooks run with it held
		t.Fatal("no journal")
	}
	p := f.d.w.Path()
	j, err := wal.Peek(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.Close)
	return j
}

func recBytes(t *testing.T, j *wal.Journal, r wal.Record) (before, after []byte) {
	t.Helper()
	before, after = make([]byte, r.N), make([]byte, r.N)
	if err := j.Before(r, 0, before); err != nil {
		t.Fatal(err)
	}
	if err := j.After(r, 0, after); err != nil {
		t.Fatal(err)
	}
	return before, after
}

// dirtyPages counts the dirty and writeback pages of path (cachestat).
func dirtyPages(t *testing.T, path string) uint64 {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var cs unix.Cachestat_t
	if err := unix.Cachestat(uint(fh.Fd()), &unix.CachestatRange{}, &cs, 0); err != nil {
		testenv.SkipOrFail(t, "cachestat: %v (Linux 6.5 or later)", err)
	}
	return cs.Dirty + cs.Writeback
}

// The bytes a store replaces are in the journal, on disk (no dirty page
// left in the journal file), when the store reaches the mapping; the
// second hex digit of the byte (Amend, its old byte saved already) is
// appended without another fdatasync.
func TestDurableRecordBeforeStore(t *testing.T) {
	dir := diskState(t)
	path := testenv.WriteFile(t, "f", []byte("hello, world"))
	f := open(t, path, Options{})
	checked := 0
	f.hooks.store = func(int64) {
		j := peek(t, f)
		if len(j.Records) == 0 {
			t.Fatal("store reached the mapping before its journal record")
		}
		checked++
		if checked == 1 {
			if d := dirtyPages(t, f.d.w.Path()); d != 0 {
				t.Errorf("journal has %d dirty pages when the store runs: not on disk", d)
			}
		}
	}
	if _, err := f.WriteAt([]byte{0x30}, 7); err != nil {
		t.Fatal(err)
	}
	if err := f.Amend([]byte{0x3c}, 7, []byte{0x30}); err != nil {
		t.Fatal(err)
	}
	if checked != 2 {
		t.Fatalf("store hook ran %d times, want 2", checked)
	}
	if got := f.d.w.Syncs(); got != 1 {
		t.Errorf("fdatasync calls = %d, want 1 (the second digit's old byte was on disk already)", got)
	}
	j := peek(t, f)
	if len(j.Records) != 2 {
		t.Fatalf("records = %d, want 2", len(j.Records))
	}
	b0, a0 := recBytes(t, j, j.Records[0])
	b1, a1 := recBytes(t, j, j.Records[1])
	if string(b0) != "w" || !bytes.Equal(a0, []byte{0x30}) || !bytes.Equal(b1, []byte{0x30}) || !bytes.Equal(a1, []byte{0x3c}) {
		t.Errorf("records: % x→% x, % x→% x", b0, a0, b1, a1)
	}
	if j.Header.Path != path || j.Header.Size != 12 {
		t.Errorf("header: %+v", j.Header)
	}
	if !strings.HasPrefix(f.JournalPath(), dir+"/") {
		t.Errorf("journal %s not in %s", f.JournalPath(), dir)
	}
	// 0600 in a 0700 folder.
	for p, want := range map[string]os.FileMode{dir: 0o700, f.JournalPath(): 0o600} {
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %#o, want %#o", p, st.Mode().Perm(), want)
		}
	}
}

// A large fill writes the old bytes of each part into the journal before
// the part is stored: killed between two parts, the journal holds exactly
// the parts stored, each with its old bytes (holes as zeros).
func TestDurableFillParts(t *testing.T) {
	diskState(t)
	const n = 3*fillChunk + 100
	path := filepath.Join(t.TempDir(), "f")
	orig := testenv.Pattern(n, 7)
	clear(orig[fillChunk : 2*fillChunk]) // a hole in the middle
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fh, _ := os.OpenFile(path, os.O_RDWR, 0)
	fh.WriteAt(orig[:fillChunk], 0)
	fh.WriteAt(orig[2*fillChunk:], 2*fillChunk)
	fh.Close()
	f := open(t, path, Options{})
	parts := 0
	f.hooks.store = func(reached int64) {
		if reached%fillChunk != 0 && reached != n {
			return
		}
		parts++
		j := peek(t, f)
		if len(j.Records) != parts {
			t.Fatalf("after part %d the journal has %d records", parts, len(j.Records))
		}
		r := j.Records[parts-1]
		b, a := recBytes(t, j, r)
		testenv.MustEqual(t, "old bytes of the part", b, orig[r.Off:r.Off+r.N])
		if !r.Fill || r.FillByte != 0xee || a[0] != 0xee {
			t.Fatalf("record %d: fill %v %#x", parts, r.Fill, r.FillByte)
		}
	}
	if done, err := f.FillContext(context.Background(), 0, n, 0xee, nil); err != nil || done != n {
		t.Fatal(done, err)
	}
	if parts != 4 {
		t.Fatalf("parts = %d", parts)
	}
}

// A full sync with nothing stored meanwhile empties the journal; Close
// then deletes it. Edits kept unsynced at Close keep it.
func TestDurableRetire(t *testing.T) {
	path := testenv.WriteFile(t, "f", []byte("abcdef"))
	f := open(t, path, Options{})
	if _, err := f.WriteAt([]byte("X"), 1); err != nil {
		t.Fatal(err)
	}
	jp := f.JournalPath()
	if _, err := f.SyncAll(); err != nil {
		t.Fatal(err)
	}
	if j := peek(t, f); len(j.Records) != 0 {
		t.Fatalf("after the sync: %d records", len(j.Records))
	}
	f.Close()
	if _, err := os.Lstat(jp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("journal after a clean close: %v", err)
	}

	f = open(t, path, Options{})
	if _, err := f.WriteAt([]byte("Y"), 2); err != nil {
		t.Fatal(err)
	}
	jp = f.JournalPath()
	f.Close()
	j, err := wal.Peek(jp)
	if err != nil {
		t.Fatalf("journal of kept edits: %v", err)
	}
	defer j.Close()
	if len(j.Records) != 1 || j.Records[0].Off != 2 {
		t.Fatalf("kept journal: %+v", j.Records)
	}
}

// An edit made while a sync runs is not covered by it: the marker leaves
// it in the journal, and only it.
func TestDurableMarker(t *testing.T) {
	path := testenv.WriteFile(t, "f", []byte("abcdef"))
	f := open(t, path, Options{})
	if _, err := f.WriteAt([]byte("X"), 1); err != nil {
		t.Fatal(err)
	}
	f.hooks.sync = func() {
		f.hooks.sync = nil
		if _, err := f.WriteAt([]byte("Z"), 4); err != nil {
			t.Error(err)
		}
	}
	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	j := peek(t, f)
	if len(j.Records) != 1 || j.Records[0].Off != 4 {
		t.Fatalf("records after the marker: %+v", j.Records)
	}
	// The edit during the sync saves its old byte again (a new record
	// made durable), although byte 1 was covered before.
	if _, err := f.WriteAt([]byte("Q"), 1); err != nil {
		t.Fatal(err)
	}
	if j := peek(t, f); len(j.Records) != 2 {
		t.Fatalf("records: %d", len(j.Records))
	}
}

// A journal folder that is a symbolic link, or owned by another user, is
// refused: the edit is refused with the reason, and nothing is stored.
func TestDurableFolderRefused(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	target := t.TempDir()
	if err := os.Symlink(target, filepath.Join(state, "mmhex")); err != nil {
		t.Fatal(err)
	}
	path := testenv.WriteFile(t, "f", []byte("abc"))
	f := open(t, path, Options{})
	_, err := f.WriteAt([]byte("X"), 0)
	want := "f: journal folder " + state + "/mmhex: refused: it is a symbolic link or not a folder; nothing was stored (edits need the journal)"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("err = %v\nwant … %s", err, want)
	}
	testenv.MustEqual(t, "file", testenv.DiskBytes(t, path), []byte("abc"))
	if ents, _ := os.ReadDir(target); len(ents) != 0 {
		t.Fatalf("wrote through the link: %v", ents)
	}
}

// Run as root: a journal folder another user owns is refused.
func TestDurableFolderOtherOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the folder away; TestDurableFolderNobody covers other users")
	}
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	if err := os.Mkdir(filepath.Join(state, "mmhex"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(state, "mmhex"), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	path := testenv.WriteFile(t, "f", []byte("abc"))
	f := open(t, path, Options{})
	_, err := f.WriteAt([]byte("X"), 0)
	want := "journal folder " + state + "/mmhex: refused: owned by uid 65534, not by you (uid 0); nothing was stored (edits need the journal)"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("err = %v\nwant … %s", err, want)
	}
	testenv.MustEqual(t, "file", testenv.DiskBytes(t, path), []byte("abc"))
}

const nobodyStateEnv = "MMHEX_TEST_NOBODY_STATE"

// As an ordinary user (nobody): a journal folder root owns is refused,
// one of one's own is made 0700.
func TestDurableFolderNobody(t *testing.T) {
	if os.Geteuid() == 0 {
		state, err := os.MkdirTemp("", "mmhex-state-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(state) })
		os.Chmod(state, 0o755)
		if err := os.Mkdir(filepath.Join(state, "mmhex"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv(nobodyStateEnv, state)
	}
	if testenv.AsNobody(t) {
		return
	}
	path := testenv.WriteFile(t, "f", []byte("abc"))
	if s := os.Getenv(nobodyStateEnv); s != "" {
		t.Setenv("XDG_STATE_HOME", s)
		f := open(t, path, Options{})
		_, err := f.WriteAt([]byte("X"), 0)
		if err == nil || !strings.Contains(err.Error(), "/mmhex: refused: owned by uid 0, not by you") {
			t.Fatalf("err = %v", err)
		}
		f.Close()
	}
	own := t.TempDir()
	t.Setenv("XDG_STATE_HOME", own)
	if err := os.Mkdir(filepath.Join(own, "mmhex"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := open(t, path, Options{})
	if _, err := f.WriteAt([]byte("X"), 0); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(own, "mmhex"))
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode %#o", st.Mode().Perm())
	}
}

// Typing over the same bytes again costs no fdatasync; a byte not typed
// since the last sync costs one.
func TestDurableCovered(t *testing.T) {
	path := testenv.WriteFile(t, "f", make([]byte, 100))
	f := open(t, path, Options{})
	for i := range 10 {
		if _, err := f.WriteAt([]byte{byte(i)}, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.d.w.Syncs(); got != 10 {
		t.Fatalf("syncs = %d, want 10", got)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{9}, 10), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	if got := f.d.w.Syncs(); got != 10 {
		t.Fatalf("syncs = %d after covered stores, want 10", got)
	}
	if _, err := f.WriteAt([]byte{1}, 50); err != nil {
		t.Fatal(err)
	}
	if got := f.d.w.Syncs(); got != 11 {
		t.Fatalf("syncs = %d, want 11", got)
	}
}

// Edits undone back to the synced state leave nothing to recover: Close
// syncs the restored bytes and deletes the journal.
func TestDurableUndoneThenClose(t *testing.T) {
	path := testenv.WriteFile(t, "f", []byte("abcdef"))
	f := open(t, path, Options{})
	if _, err := f.WriteAt([]byte("XY"), 1); err != nil {
		t.Fatal(err)
	}
	jp := f.JournalPath()
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(jp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("journal after undo and close: %v", err)
	}
	testenv.MustEqual(t, "on disk", testenv.DiskBytes(t, path), []byte("abcdef"))
}

// A long RevertUnsynced lets go of the mutex between two edits: between
// every two steps a reader (Size, ReadAt) gets it at once.
func TestRevertUnsyncedLetsReadersIn(t *testing.T) {
	path := testenv.WriteFile(t, "f", make([]byte, 100))
	f := open(t, path, Options{})
	for i := range 5 {
		if _, err := f.WriteAt([]byte{1}, int64(10*i)); err != nil {
			t.Fatal(err)
		}
	}
	steps := 0
	f.hooks.between = func() {
		steps++
		got := make(chan int64, 1)
		go func() {
			b := make([]byte, 50)
			f.ReadAt(b, 0)
			got <- f.Size()
		}()
		select {
		case <-got:
		case <-time.After(20 * time.Second):
			t.Fatal("a reader could not get the mutex between two steps of the revert")
		}
	}
	r, err := f.RevertUnsynced()
	if err != nil || r.Edits != 5 {
		t.Fatalf("RevertUnsynced: %+v %v", r, err)
	}
	if steps != 5 {
		t.Fatalf("%d steps with the mutex let go, want 5", steps)
	}
	testenv.MustEqual(t, "after the revert", readAll(t, f), make([]byte, 100))
}
