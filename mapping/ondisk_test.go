package mapping_test

// Tests of Sync that check the bytes on the disk. They read the disk
// through mapping/pagecache (ReadDisk: the file's blocks on the block
// device, or O_DIRECT), which imports mapping, so they live in the
// external test package; they use the internal tests' open and readAll
// (export_test.go) and mapping/testenv.

import (
	"errors"
	"os"
	"os/exec"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
)

// onDisk skips (fails in CI) when f lives on a filesystem with no disk
// behind its page cache (tmpfs pages are dirty for good, and fdatasync has
// nothing to write), where "dirty pages 0 after a sync" cannot hold.
func onDisk(t *testing.T, f *mapping.File) {
	t.Helper()
	if fs := pagecache.MemoryFS(f); fs != "" {
		testenv.SkipOrFail(t, "the test folder is on %s: no disk behind the page cache", fs)
	}
	if f.DirtyPages() == mapping.Unknown {
		testenv.SkipOrFail(t, "cachestat unavailable (Linux < 6.5): dirty pages cannot be counted")
	}
}

// TestAsyncKeepsPagesUnsynced: "unsynced" means "not known to be on disk".
// MS_ASYNC is a no-op on Linux, so after it the pages and edits stay
// unsynced: the journal's synced point does not move, RevertUnsynced still
// reverts them, a later MS_SYNC still writes them (and then the file has
// no dirty page and the disk holds the bytes).
func TestAsyncKeepsPagesUnsynced(t *testing.T) {
	ps := int64(os.Getpagesize())
	content := testenv.Pattern(int(8*ps), 11)
	p := testenv.WriteFile(t, "a.bin", content)
	if err := exec.Command("sync", p).Run(); err != nil { // start clean
		t.Fatal(err)
	}
	f := mapping.OpenT(t, p, mapping.Options{})
	onDisk(t, f)
	f.WriteAt([]byte{1, 2}, 5)
	f.WriteAt([]byte{3}, 3*ps+1)
	r, err := f.Sync(mapping.MSAsync)
	if err != nil {
		t.Fatal(err)
	}
	if r.Flag != "MS_ASYNC" || r.Pages != 2 || r.Bytes != 2*ps {
		t.Fatalf("MS_ASYNC result %+v", r)
	}
	if r.StillDirty < 0 || r.StillDirty > 2 {
		t.Fatalf("MS_ASYNC StillDirty = %d, want 0..2 (cachestat works here)", r.StillDirty)
	}
	if n, e := f.UnsyncedPages(), f.UnsyncedEdits(); n != 2 || e != 2 {
		t.Fatalf("after MS_ASYNC: %d unsynced pages, %d unsynced edits; want 2, 2", n, e)
	}
	if !f.IsUnsynced(3*ps) || f.IsUnsynced(ps) {
		t.Fatal("after MS_ASYNC: the edited pages are not the unsynced ones")
	}
	if got := f.UnsyncedPageList(); len(got) != 2 || got[0] != 0 || got[1] != 3*ps {
		t.Fatalf("after MS_ASYNC: unsynced page list %v", got)
	}

	// RevertUnsynced still reverts both edits.
	n, err := f.RevertUnsynced()
	if err != nil || n.Edits != 2 {
		t.Fatalf("RevertUnsynced after MS_ASYNC = %d, %v; want 2", n.Edits, err)
	}
	testenv.MustEqual(t, "mapping after RevertUnsynced", mapping.ReadAllT(t, f), content)

	// Edit again, MS_ASYNC, then MS_SYNC writes the pages MS_ASYNC left.
	f.WriteAt([]byte{9}, 2*ps)
	f.WriteAt([]byte{8}, 6*ps+7)
	if _, err := f.Sync(mapping.MSAsync); err != nil {
		t.Fatal(err)
	}
	want := mapping.ReadAllT(t, f)
	r, err = f.Sync(mapping.MSSync)
	if err != nil {
		t.Fatal(err)
	}
	// pages 0 and 3 (reverted), 2 and 6 (edited)
	if r.Flag != "MS_SYNC" || r.Pages != 4 || r.StillDirty != 0 {
		t.Fatalf("MS_SYNC after MS_ASYNC: %+v, want 4 pages", r)
	}
	if n, e := f.UnsyncedPages(), f.UnsyncedEdits(); n != 0 || e != 0 {
		t.Fatalf("after MS_SYNC: %d unsynced pages, %d unsynced edits", n, e)
	}
	if d := f.DirtyPages(); d != 0 {
		t.Fatalf("after MS_SYNC: %d dirty pages", d)
	}
	d, err := pagecache.ReadDisk(f, 0, int(8*ps))
	if err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "disk after MS_ASYNC then MS_SYNC", d, want)
	if ls, ok := f.LastSync(); !ok || ls.Flag != "MS_SYNC" {
		t.Fatalf("LastSync %+v %v", ls, ok)
	}
	// Now the synced point is here: nothing to revert.
	if n, err := f.RevertUnsynced(); err != nil || n.Edits != 0 {
		t.Fatalf("RevertUnsynced after MS_SYNC = %d, %v", n.Edits, err)
	}
}

// TestSyncFileOtherWriter: pages dirtied by write(2) (as cp leaves them)
// are written by SyncFile; the count is cachestat's, and afterwards the
// file has no dirty page. Read-only and private opens refuse.
func TestSyncFileOtherWriter(t *testing.T) {
	ps := int64(os.Getpagesize())
	p := testenv.WriteFile(t, "w.bin", testenv.Pattern(int(16*ps), 3))
	if err := exec.Command("sync", p).Run(); err != nil {
		t.Fatal(err)
	}
	f := mapping.OpenT(t, p, mapping.Options{})
	onDisk(t, f)
	w, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := testenv.Pattern(int(5*ps), 4)
	if _, err := w.WriteAt(want, 4*ps); err != nil { // pages 4..8
		t.Fatal(err)
	}
	w.Close()
	// The kernel dirties whole folios: at least the 5 pages written,
	// and with large folios more.
	dirty := f.DirtyPages()
	if dirty < 5 || dirty > 16 {
		t.Fatalf("DirtyPages after another writer = %d, want 5..16", dirty)
	}
	if f.UnsyncedPages() != 0 {
		t.Fatal("another writer's pages are not edits here")
	}
	r, err := f.SyncFile()
	if err != nil {
		t.Fatal(err)
	}
	if r.Flag != "fdatasync" || int64(r.Pages) != dirty || r.Bytes != dirty*ps || r.StillDirty != 0 {
		t.Fatalf("SyncFile = %+v", r)
	}
	if d := f.DirtyPages(); d != 0 {
		t.Fatalf("DirtyPages after SyncFile = %d", d)
	}
	d, err := pagecache.ReadDisk(f, 4*ps, int(5*ps))
	if err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "disk after SyncFile", d, want)

	// Edits here are synced by it too.
	f.WriteAt([]byte{7}, 0)
	if _, err := f.SyncFile(); err != nil {
		t.Fatal(err)
	}
	if f.UnsyncedPages() != 0 || f.UnsyncedEdits() != 0 || f.DirtyPages() != 0 {
		t.Fatalf("after SyncFile of an edit: %d pages %d edits %d dirty", f.UnsyncedPages(), f.UnsyncedEdits(), f.DirtyPages())
	}

	ro := mapping.OpenT(t, p, mapping.Options{ReadOnly: true})
	if _, err := ro.SyncFile(); !errors.Is(err, mapping.ErrReadOnly) || err.Error() != p+": file is read-only: not synced" {
		t.Fatalf("read-only SyncFile: %v", err)
	}
	pr := mapping.OpenT(t, p, mapping.Options{Private: true})
	if _, err := pr.SyncFile(); !errors.Is(err, mapping.ErrPrivate) {
		t.Fatalf("private SyncFile: %v", err)
	}
}
