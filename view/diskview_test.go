package view

import (
	"os"
	"strings"
	"testing"

	"mmhex/mapping"
)

// diskRow returns the memory and disk hex cells of byte i of the disk
// view's first byte row (8-digit offsets, 16 bytes a row).
func diskCells(h *harness, y, i int) (mem, disk string, mst, dst interface{}) {
	memX := 1 + 8 + 2
	diskX := memX + hexPos(15) + 2 + 3
	m1, ms := h.cell(memX+hexPos(i), y)
	m2, _ := h.cell(memX+hexPos(i)+1, y)
	d1, ds := h.cell(diskX+hexPos(i), y)
	d2, _ := h.cell(diskX+hexPos(i)+1, y)
	return string([]rune{m1, m2}), string([]rune{d1, d2}), ms, ds
}

// needRaw skips unless the disk view can read the block device (root).
func needRaw(t *testing.T, path string) {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, m, err := f.ReadDiskMethod(0, 1); err != nil || m != mapping.DiskRaw {
		t.Skipf("cannot read the block device under %s (%v, method %q): needs root", path, err, m)
	}
}

func TestDiskView(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	measureInline(t)
	path := pagesFile(t, 8, 0) // page p is all 'A'+p, on disk
	needRaw(t, path)
	h := newHarness(t, path, 120, 40, mapping.Options{}, Options{Name: "pages.bin"})
	h.e.SetCursor(2*4096 + 3)
	h.typeText("41") // 'C' -> 'A'
	h.e.SetCursor(2*4096 + 10)
	h.typeText("5a") // 'C' -> 'Z'
	h.press("Ctrl-D")
	h.draw()
	_, y, ok := h.find("page 0x2000 of pages.bin")
	if !ok {
		t.Fatalf("no disk view:\n%s", h.draw())
	}
	title := screenLine(h, y)
	if !strings.Contains(title, "memory (page cache)") || !strings.Contains(title, "disk (block device, O_DIRECT)") {
		t.Errorf("title %q", title)
	}
	// Row 0x2000: bytes 3 and 10 differ.
	if l := screenLine(h, y+1); l != " 00002000  43 43 43 41 43 43 43 43  43 43 5a 43 43 43 43 43   43 43 43 43 43 43 43 43  43 43 43 43 43 43 43 43" {
		t.Errorf("row 0x2000:\n%q", l)
	}
	for i := 0; i < 16; i++ {
		mem, disk, ms, ds := diskCells(h, y+1, i)
		wantMem, wantDisk := styleSame, styleSame
		switch i {
		case 3, 10:
			wantMem, wantDisk = styleDiffMem, styleDiffDisk
		}
		if i == 11 { // the cursor byte
			wantMem = wantMem.Underline(true)
		}
		if ms != wantMem || ds != wantDisk {
			t.Errorf("byte %d (%s / %s): styles %v / %v, want %v / %v", i, mem, disk, ms, ds, wantMem, wantDisk)
		}
	}
	if l := screenLine(h, y+9); l != " in memory, not yet on disk (2 bytes differ, first at 0x2003): msync(MS_SYNC) writes them" {
		t.Errorf("summary %q", l)
	}

	// After MS_SYNC memory and disk agree.
	h.press("Ctrl-S")
	h.e.RunTicks()
	h.draw()
	if l := screenLine(h, y+1); l != " 00002000  43 43 43 41 43 43 43 43  43 43 5a 43 43 43 43 43   43 43 43 41 43 43 43 43  43 43 5a 43 43 43 43 43" {
		t.Errorf("row 0x2000 after MS_SYNC:\n%q", l)
	}
	if _, _, ms, ds := diskCells(h, y+1, 3); ms != styleSame || ds != styleSame {
		t.Errorf("byte 3 after MS_SYNC: styles %v / %v", ms, ds)
	}
	if l := screenLine(h, y+9); l != " memory and disk agree (4096 B)" {
		t.Errorf("summary after MS_SYNC %q", l)
	}

	// Moving to another page follows the cursor.
	h.e.SetCursor(5*4096 + 100)
	h.draw()
	if _, _, ok := h.find("page 0x5000 of pages.bin"); !ok {
		t.Errorf("disk view did not follow the cursor to page 0x5000:\n%s", h.draw())
	}
	h.press("Ctrl-D")
	if _, _, ok := h.find("page 0x5000 of"); ok {
		t.Errorf("disk view still shown after a second Ctrl-D")
	}
}

// A write from another process reaches the page cache at once, and the disk later.
func TestDiskViewOtherWriterAndTmpfs(t *testing.T) {
	measureInline(t)
	path := pagesFile(t, 2, 0)
	needRaw(t, path)
	h := newHarness(t, path, 120, 40, mapping.Options{}, Options{Name: "p"})
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte("xyz"), 0); err != nil {
		t.Fatal(err)
	}
	h.press("Ctrl-D")
	h.draw()
	if _, _, ok := h.find("in memory, not yet on disk (3 bytes differ, first at 0x0)"); !ok {
		t.Errorf("write(2) by another process not shown as in memory only:\n%s", h.draw())
	}

	// tmpfs refuses O_DIRECT: say so.
	dir, err := os.MkdirTemp("/dev/shm", "mmhex-test")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	defer os.RemoveAll(dir)
	shm := dir + "/t.bin"
	if err := os.WriteFile(shm, []byte(strings.Repeat("tmpfs", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, shm, 120, 40, mapping.Options{}, Options{Name: "t.bin"})
	h2.press("Ctrl-D")
	h2.draw()
	if _, _, ok := h2.find("tmpfs keeps files in memory only: there is no disk behind these pages (O_DIRECT would read the same memory)"); !ok {
		t.Errorf("tmpfs:\n%s", h2.draw())
	}
}

// Without access to the block device the view says why it always agrees.
func TestDiskViewFileFallbackSummary(t *testing.T) {
	path := pagesFile(t, 1, 0)
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &diskProbe{mem: []byte("ab"), disk: []byte("ab"), method: mapping.DiskFile, first: -1}
	if got, _ := p.summary(f); got != "agree, but read with O_DIRECT on the file (no access to the block device): the kernel writes dirty pages back before a direct read, so they always agree" {
		t.Errorf("summary %q", got)
	}
	p = &diskProbe{mem: []byte("ab"), disk: []byte("ab"), method: mapping.DiskRaw, first: -1}
	if got, _ := p.summary(f); got != "memory and disk agree (2 B)" {
		t.Errorf("summary %q", got)
	}
}
