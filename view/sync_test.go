package view

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
)

// fdatasync writes path's dirty pages (a freshly written test file is
// dirty for dirty_expire), so that a test starts from a clean file.
func fdatasync(t testing.TB, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

// requireDirtyCounts skips (fails in CI) where the kernel does not count
// dirty pages or there is no disk behind the page cache.
func requireDirtyCounts(t *testing.T, f *mapping.File) {
	t.Helper()
	if fs := pagecache.MemoryFS(f); fs != "" {
		testenv.SkipOrFail(t, "the test folder is on %s: no disk behind the page cache", fs)
	}
	if f.DirtyPages() == mapping.Unknown {
		testenv.SkipOrFail(t, "cachestat unavailable (Linux < 6.5): dirty pages cannot be counted")
	}
}

// lastLine is the message row of the screen, without its margin.
func lastLine(h *harness) string {
	l := strings.Split(strings.TrimRight(h.draw(), "\n"), "\n")
	return strings.TrimPrefix(l[len(l)-1], " ")
}

// TestSyncAfterAsync: after Ctrl-W (MS_ASYNC, a no-op) the edits are still
// unsynced: Ctrl-Q asks, Ctrl-S syncs them (the file then has no dirty
// page), and the messages say so exactly.
func TestSyncAfterAsync(t *testing.T) {
	p := writeFile(t, "a.bin", make([]byte, 3*4096))
	fdatasync(t, p)
	h := newHarness(t, p, 120, 30, mapping.Options{}, Options{Name: "a.bin"})
	requireDirtyCounts(t, h.f)
	h.typeText("41")
	h.press("Ctrl-W")
	if l := lastLine(h); l != "MS_ASYNC: 1 page queued (a no-op on Linux), 1 still dirty; still unsynced until Ctrl-S" {
		if l != "MS_ASYNC: 1 page queued (a no-op on Linux), 0 still dirty; still unsynced until Ctrl-S" {
			t.Fatalf("after Ctrl-W: %q", l)
		}
		t.Log("kernel writeback took the page already")
	}
	if h.f.UnsyncedEdits() != 1 || h.f.UnsyncedPages() != 1 {
		t.Fatalf("after Ctrl-W: %d edits, %d pages unsynced", h.f.UnsyncedEdits(), h.f.UnsyncedPages())
	}
	// Ctrl-Q asks.
	h.press("Ctrl-Q")
	if _, _, ok := h.find("1 edit is not synced"); !ok {
		t.Fatalf("Ctrl-Q after Ctrl-W did not ask:\n%s", h.draw())
	}
	h.press("Esc")
	// Ctrl-S writes it.
	h.press("Ctrl-S")
	if l := lastLine(h); !regexp.MustCompile(`^MS_SYNC: 1 page, 4096 B in [0-9.]+ (ns|µs|ms|s)$`).MatchString(l) {
		t.Fatalf("after Ctrl-S: %q", l)
	}
	if d := h.f.DirtyPages(); d != 0 {
		t.Fatalf("%d dirty pages after Ctrl-S", d)
	}
	if b, err := pagecache.ReadDisk(h.f, 0, 1); err != nil || b[0] != 0x41 {
		t.Fatalf("disk byte 0 after Ctrl-S: %x %v", b, err)
	}
}

// TestSyncOtherWritersPages: nothing edited here, the file has dirty pages
// (written by another process): Ctrl-S syncs the whole file and says so;
// then there is nothing left to sync. After an edit here, the other
// writer's pages are synced too. A read-only open refuses.
func TestSyncOtherWritersPages(t *testing.T) {
	// 16 MiB: the other writer's pages lie in other folios (up to 2 MiB)
	// than the edit at 0, whose msync writes its whole folio.
	p := writeFile(t, "o.bin", make([]byte, 16<<20))
	fdatasync(t, p)
	h := newHarness(t, p, 120, 30, mapping.Options{}, Options{Name: "o.bin"})
	requireDirtyCounts(t, h.f)
	other := func(off int64) int64 {
		t.Helper()
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if _, err := w.WriteAt([]byte("other writer"), off); err != nil {
			t.Fatal(err)
		}
		d := h.f.DirtyPages()
		if d < 1 {
			t.Fatalf("no dirty page after another writer (%d)", d)
		}
		return d
	}
	d := other(4 << 20)
	h.press("Ctrl-S")
	want := regexp.MustCompile(`^nothing edited here: synced the whole file with fdatasync, (\d+) dirty pages? written in [0-9.]+ (ns|µs|ms|s)$`)
	l := lastLine(h)
	if m := want.FindStringSubmatch(l); m == nil || m[1] != itoa(d) {
		t.Fatalf("Ctrl-S with another writer's %d dirty pages: %q", d, l)
	}
	if n := h.f.DirtyPages(); n != 0 {
		t.Fatalf("%d dirty pages after Ctrl-S", n)
	}
	h.press("Ctrl-S")
	if l := lastLine(h); l != "nothing to sync: no page was written here since the last sync, and the file has no dirty page" {
		t.Fatalf("second Ctrl-S: %q", l)
	}

	// An edit here and another writer's page: both are written.
	d = other(8 << 20)
	h.typeText("42")
	h.press("Ctrl-S")
	want = regexp.MustCompile(`^MS_SYNC: 1 page, 4096 B in [0-9.]+ (ns|µs|ms|s); then fdatasync: (\d+) other dirty pages? of the file \(not edited here\) in [0-9.]+ (ns|µs|ms|s)$`)
	if m := want.FindStringSubmatch(lastLine(h)); m == nil || m[2] != itoa(d) {
		t.Fatalf("Ctrl-S with an edit and %d other dirty pages: %q", d, lastLine(h))
	}
	if n := h.f.DirtyPages(); n != 0 {
		t.Fatalf("%d dirty pages after Ctrl-S", n)
	}
	if r, ok := h.f.LastSync(); !ok || r.Flag != "MS_SYNC" || r.Pages != 1 || int64(r.Others) != d {
		t.Fatalf("LastSync %+v", r)
	}

	// Read-only: refused, the pages stay dirty.
	d = other(12 << 20)
	ro := newHarness(t, p, 120, 30, mapping.Options{ReadOnly: true}, Options{Name: "o.bin"})
	ro.press("Ctrl-S")
	if l, want := lastLine(ro), "the file is open read-only: not synced; its "+plural(int(d), "dirty page")+" (not edited here) wait for kernel writeback"; l != want {
		t.Fatalf("read-only Ctrl-S:\n got %q\nwant %q", l, want)
	}
	if n := ro.f.DirtyPages(); n != d {
		t.Fatalf("read-only Ctrl-S changed the dirty pages: %d, was %d", n, d)
	}
}

func itoa(n int64) string { return pagecache.FigureString(n) }

// TestSyncQuitAfterAsync: Ctrl-X after Ctrl-W still writes the edit with
// MS_SYNC before quitting.
func TestSyncQuitAfterAsync(t *testing.T) {
	p := writeFile(t, "x.bin", make([]byte, 2*4096))
	fdatasync(t, p)
	h := newHarness(t, p, 120, 30, mapping.Options{}, Options{Name: "x.bin"})
	requireDirtyCounts(t, h.f)
	h.typeText("41")
	h.press("Ctrl-W", "Ctrl-X")
	if !h.e.stopped() {
		t.Fatalf("Ctrl-X did not quit:\n%s", h.draw())
	}
	if r, ok := h.f.LastSync(); !ok || r.Flag != "MS_SYNC" || r.Pages != 1 || h.f.UnsyncedPages() != 0 {
		t.Fatalf("Ctrl-W, Ctrl-X: last sync %+v, %d unsynced pages", r, h.f.UnsyncedPages())
	}
	if d := h.f.DirtyPages(); d != 0 {
		t.Fatalf("%d dirty pages after Ctrl-W, Ctrl-X", d)
	}
}

// TestSyncReadOnlyUnknownDirty: on a read-only file the user neither owns
// nor can write the kernel will not count its dirty pages (cachestat
// EPERM): Ctrl-S says it did not sync and that the count is unknown, never
// "there is nothing to sync". As root this runs as nobody.
func TestSyncReadOnlyUnknownDirty(t *testing.T) {
	if testenv.AsNobody(t) {
		return
	}
	const p = "/etc/passwd" // root's, readable by everyone
	if st, err := os.Stat(p); err != nil || st.Sys() == nil || os.Geteuid() == 0 {
		testenv.SkipOrFail(t, "needs %s and a user other than root (uid %d): %v", p, os.Geteuid(), err)
	}
	h := newHarness(t, p, 120, 30, mapping.Options{}, Options{Name: "passwd"})
	if h.f.Mode() != mapping.ReadOnly {
		t.Skipf("%s is writable here", p)
	}
	if h.f.DirtyPages() != mapping.Unknown {
		testenv.SkipOrFail(t, "cachestat counts the dirty pages of %s for uid %d", p, os.Geteuid())
	}
	h.press("Ctrl-S")
	if l := lastLine(h); l != "the file is open read-only: not synced (the kernel does not say whether it has dirty pages)" {
		t.Fatalf("Ctrl-S: %q", l)
	}
}
