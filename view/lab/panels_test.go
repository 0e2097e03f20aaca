package lab

import (
	"os"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
	"mmhex/view"
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

// noControls fails when any cell holds a control character.
func noControls(t *testing.T, h *harness) {
	t.Helper()
	cells, _, _ := h.Screen.GetContents()
	for i, c := range cells {
		for _, r := range c.Runes {
			if r < 0x20 || (r >= 0x7f && r < 0xa0) {
				t.Fatalf("cell %d holds control character %U", i, r)
			}
		}
	}
}

// TestNameSanitisedInPanels: a file name holding a C0 control (ESC), a C1
// control (U+009B), a byte of invalid UTF-8 and a bidi override is shown
// with one '.' for each in the page panel's and the disk view's titles, as
// in the header (TestNameSanitisedEverywhere, view): display.Name.
func TestNameSanitisedInPanels(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	name := "n\x1b[2J\u009b31m\xff\u202e.bin"
	const shown = "n.[2J.31m...bin"
	if err := os.WriteFile(name, []byte("some bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newInlineHarness(t, name, 160, 40, mapping.Options{}, view.Options{})
	h.Press("Ctrl-P")
	if s := h.Draw(); !strings.Contains(s, "pages of "+shown+": ") {
		t.Errorf("page panel does not show the name as %q:\n%s", shown, s)
	}
	noControls(t, h)
	h.Press("Ctrl-P", "Ctrl-D")
	if s := h.Draw(); !strings.Contains(s, "page 0x0 of "+shown+" ") {
		t.Errorf("disk view does not show the name as %q:\n%s", shown, s)
	}
	noControls(t, h)
}

// TestLiveGrowShrinkPanels: the file grows and shrinks (to nothing, and
// back) under an editor with the page panel and the disk view shown and a
// one-page window: they measure and read the file too; the header, the
// cursor and the panels follow, nothing crashes. (The marks of the new
// bytes: TestLiveGrowShrink, view.)
func TestLiveGrowShrinkPanels(t *testing.T) {
	path := writeFile(t, "grow.bin", []byte(strings.Repeat("x", 40)))
	h := newInlineHarness(t, path, 100, 60, mapping.Options{Window: 4096}, view.Options{})
	h.Press("Ctrl-P", "Ctrl-D")
	if scr := h.Draw(); !strings.Contains(scr, "40 B  rw  ") || !strings.Contains(scr, "pages of ") || !strings.Contains(scr, "page 0x0 of ") {
		t.Fatalf("screen:\n%s", scr)
	}
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte("NEWBYTES"), 40); err != nil {
		t.Fatal(err)
	}
	h.E.RunTicks()
	if s := h.Draw(); !strings.Contains(s, "the file changed size: 48 B, was 40 B") {
		t.Errorf("after growing to 48 B:\n%s", s)
	}
	h.E.SetCursor(47)
	if err := other.Truncate(10); err != nil {
		t.Fatal(err)
	}
	h.E.RunTicks()
	if s := h.Draw(); !strings.Contains(s, "the file changed size: 10 B, was 48 B") || h.E.Cursor() != 9 {
		t.Errorf("after shrinking to 10 B (cursor %d):\n%s", h.E.Cursor(), s)
	}
	if err := other.Truncate(0); err != nil {
		t.Fatal(err)
	}
	h.E.RunTicks()
	h.Draw()
	if err := other.Truncate(5000); err != nil {
		t.Fatal(err)
	}
	h.E.RunTicks()
	if s := h.Draw(); !strings.Contains(s, "4.88 KiB (5000 B)") {
		t.Errorf("after growing to 5000 B:\n%s", s)
	}
	h.E.SetCursor(4999)
	h.Draw()
	if h.E.Cursor() != 4999 || h.E.Size() != 5000 {
		t.Errorf("cursor %d, size %d after growing to 5000 B", h.E.Cursor(), h.E.Size())
	}
	if scr := h.Draw(); !strings.Contains(scr, "pages of ") || !strings.Contains(scr, "2 × 4 KiB") {
		t.Errorf("page panel after growing to 5000 B:\n%s", scr)
	}
}

// TestPagePanelReadOnlyDirty: on a read-only open the page panel does not
// offer Ctrl-S for another writer's dirty pages.
func TestPagePanelReadOnlyDirty(t *testing.T) {
	path := pagesFile(t, 4, 0)
	fdatasync(t, path)
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte("x"), 2*4096); err != nil {
		t.Fatal(err)
	}
	w.Close()
	h := newInlineHarness(t, path, 120, 40, mapping.Options{ReadOnly: true}, view.Options{Name: "r.bin"})
	requireDirtyCounts(t, h.F)
	h.Press("Ctrl-P")
	h.Draw()
	y := panelTop(t, h)
	cs, _ := kernelFigures(t, path)
	tun, err := pagecache.ReadWritebackTunables()
	if err != nil {
		t.Fatal(err)
	}
	they := "they reach"
	if cs.Dirty == 1 {
		they = "it reaches"
	}
	want := " " + plural(int(cs.Dirty), "dirty page") + ": " + they + " the disk by kernel writeback (dirty_expire " +
		trimSeconds(tun.DirtyExpire()) + ") (read-only here: Ctrl-S does not sync)"
	if cs.Dirty == 0 {
		t.Skip("kernel writeback took the page already")
	}
	if got := screenLine(h, y+5); got != want {
		t.Errorf("read-only last line\n got %q\nwant %q", got, want)
	}
}
