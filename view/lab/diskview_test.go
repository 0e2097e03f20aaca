package lab

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
	"mmhex/view"
)

// diskRow returns the memory and disk hex cells of byte i of the disk
// view's first byte row (8-digit offsets, 16 bytes a row).
func diskCells(h *harness, y, i int) (mem, disk string, mst, dst interface{}) {
	memX := 1 + 8 + 2
	diskX := memX + hexPos(15) + 2 + 3
	m1, ms := h.Cell(memX+hexPos(i), y)
	m2, _ := h.Cell(memX+hexPos(i)+1, y)
	d1, ds := h.Cell(diskX+hexPos(i), y)
	d2, _ := h.Cell(diskX+hexPos(i)+1, y)
	return string([]rune{m1, m2}), string([]rune{d1, d2}), ms, ds
}

// loopExt4 mounts a fresh 64 MiB ext4 filesystem on a loop device and
// returns its root: a block device this test may read, so the disk view
// reads real disk blocks. Skips where that is impossible (not root, no loop
// devices, no mkfs.ext4).
func loopExt4(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "reading a block device needs root (a loop-mounted ext4)")
	}
	for _, tool := range []string{"losetup", "mkfs.ext4", "mount", "umount"} {
		testenv.RequireTool(t, tool)
	}
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "fs.img"), filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) (string, error) {
		out, err := exec.Command(name, args...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := run("truncate", "-s", "64M", img); err != nil {
		t.Fatalf("truncate: %v %s", err, out)
	}
	if out, err := run("mkfs.ext4", "-q", "-F", img); err != nil {
		t.Fatalf("mkfs.ext4: %v %s", err, out)
	}
	dev, err := run("losetup", "-f", "--show", img)
	if err != nil {
		testenv.SkipOrFail(t, "losetup: %v %s: no loop devices here", err, dev)
	}
	if out, err := run("mount", dev, mnt); err != nil {
		run("losetup", "-d", dev)
		testenv.SkipOrFail(t, "mount %s: %v %s", dev, err, out)
	}
	// Runs on failure and panic too (before t.TempDir removes the image).
	// A mount still busy is detached lazily, so the loop device (set to
	// auto-clear by losetup -d) is freed as soon as the last user goes.
	t.Cleanup(func() {
		if out, err := run("umount", mnt); err != nil {
			t.Logf("umount %s: %v %s; detaching lazily", mnt, err, out)
			run("umount", "-l", mnt)
		}
		run("losetup", "-d", dev)
	})
	return mnt
}

// pagesFileIn is pagesFile in dir.
func pagesFileIn(t *testing.T, dir string, n int) string {
	t.Helper()
	src := pagesFile(t, n, 0)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, filepath.Base(src))
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps := os.Getpagesize()
	for i := 0; i < len(data); i += ps { // one write per page: one-page folios
		if _, err := f.Write(data[i:min(i+ps, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiskView(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	path := pagesFileIn(t, loopExt4(t), 8) // page p is all 'A'+p, on disk
	h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "pages.bin"})
	h.E.SetCursor(2*4096 + 3)
	h.Type("41") // 'C' -> 'A'
	h.E.SetCursor(2*4096 + 10)
	h.Type("5a") // 'C' -> 'Z'
	h.Press("Ctrl-D")
	h.Draw()
	_, y, ok := h.Find("page 0x2000 of pages.bin")
	if !ok {
		t.Fatalf("no disk view:\n%s", h.Draw())
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
	if l := screenLine(h, y+9); l != " in memory, not yet on disk (2 bytes differ, first at 0x2003): Ctrl-S writes the page (msync MS_SYNC, fdatasync)" {
		t.Errorf("summary %q", l)
	}

	// After MS_SYNC memory and disk agree.
	h.Press("Ctrl-S")
	h.E.RunTicks()
	h.Draw()
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
	h.E.SetCursor(5*4096 + 100)
	h.Draw()
	if _, _, ok := h.Find("page 0x5000 of pages.bin"); !ok {
		t.Errorf("disk view did not follow the cursor to page 0x5000:\n%s", h.Draw())
	}
	h.Press("Ctrl-D")
	if _, _, ok := h.Find("page 0x5000 of"); ok {
		t.Errorf("disk view still shown after a second Ctrl-D")
	}
}

// A write from another process reaches the page cache at once, and the disk later.
func TestDiskViewOtherWriter(t *testing.T) {
	path := pagesFileIn(t, loopExt4(t), 2)
	h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "p"})
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte("xyz"), 0); err != nil {
		t.Fatal(err)
	}
	h.Press("Ctrl-D")
	h.Draw()
	if _, _, ok := h.Find("in memory, not yet on disk (3 bytes differ, first at 0x0)"); !ok {
		t.Errorf("write(2) by another process not shown as in memory only:\n%s", h.Draw())
	}

	// A read-only open promises nothing of Ctrl-S, and Ctrl-S writes nothing.
	ro := newInlineHarness(t, path, 120, 40, mapping.Options{ReadOnly: true}, view.Options{Name: "p"})
	ro.Press("Ctrl-D")
	ro.Draw()
	if _, _, ok := ro.Find(" in memory, not yet on disk (3 bytes differ, first at 0x0): kernel writeback writes the page (read-only: no sync here)"); !ok {
		t.Errorf("read-only disk view:\n%s", ro.Draw())
	}
	ro.Press("Ctrl-S")
	ro.E.RunTicks()
	if _, _, ok := ro.Find(" in memory, not yet on disk (3 bytes differ, first at 0x0)"); !ok {
		t.Errorf("Ctrl-S on a read-only open wrote the page:\n%s", ro.Draw())
	}
	if _, _, ok := ro.Find(" the file is open read-only: not synced; its "); !ok {
		t.Errorf("Ctrl-S on a read-only open:\n%s", ro.Draw())
	}

	// What the screen promises, the key does: "Ctrl-S writes the page",
	// though nothing was edited here.
	if _, _, ok := h.Find(" in memory, not yet on disk (3 bytes differ, first at 0x0): Ctrl-S writes the page (msync MS_SYNC, fdatasync)"); !ok {
		t.Errorf("disk view of another writer's page:\n%s", h.Draw())
	}
	h.Press("Ctrl-S")
	h.E.RunTicks()
	if _, _, ok := h.Find(" memory and disk agree (4096 B)"); !ok {
		t.Errorf("after Ctrl-S the page is still not on disk:\n%s", h.Draw())
	}
	if _, _, ok := h.Find(" nothing edited here: synced the whole file with fdatasync, "); !ok {
		t.Errorf("Ctrl-S with nothing edited here:\n%s", h.Draw())
	}
}

func TestDiskViewTmpfs(t *testing.T) {

	// tmpfs refuses O_DIRECT: say so.
	shm := shmFile(t, []byte(strings.Repeat("tmpfs", 100)))
	h2 := newInlineHarness(t, shm, 120, 40, mapping.Options{}, view.Options{Name: "t.bin"})
	h2.Press("Ctrl-D")
	h2.Draw()
	if _, _, ok := h2.Find("tmpfs keeps files in memory only: there is no disk behind these pages (O_DIRECT would read the same memory)"); !ok {
		t.Errorf("tmpfs:\n%s", h2.Draw())
	}
}

// Without access to the block device the disk view never reads a dirty
// page with O_DIRECT on the file (that would write it back): it says so,
// and the page stays dirty. A clean page is read that way.
func TestDiskViewNoDevice(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	// Root may read the block device: as root this runs as nobody.
	if testenv.AsNobody(t) {
		return
	}
	path := pagesFile(t, 4, 0)
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_, rawErr := pagecache.ReadDiskRaw(f, 0, 1)
	f.Close()
	if rawErr == nil {
		testenv.SkipOrFail(t, "the block device under the temporary directory is readable by this user (uid %d): TestDiskView covers it", os.Geteuid())
	}
	h := newInlineHarness(t, path, 120, 40, mapping.Options{}, view.Options{Name: "p"})
	h.Press("Ctrl-D")
	h.Draw()
	_, y, ok := h.Find("page 0x0 of p")
	if !ok {
		t.Fatalf("no disk view:\n%s", h.Draw())
	}
	if l := screenLine(h, y+9); l != " memory and disk agree (4096 B): the page is clean (read with O_DIRECT on the file: the block device cannot be read)" {
		t.Errorf("clean page: %q", l)
	}
	h.Type("41")
	for i := 0; i < 3; i++ {
		h.E.RunTicks()
		h.Draw()
	}
	if l := screenLine(h, y+9); l != " dirty, not yet on disk; not read: no access to the block device, and O_DIRECT on the file would write it first" {
		t.Errorf("dirty page: %q", l)
	}
	if !strings.Contains(screenLine(h, y), "disk: not read") {
		t.Errorf("title %q", screenLine(h, y))
	}
	if l := screenLine(h, y+1); l != " 00000000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41" {
		t.Errorf("row 0: %q (memory only)", l)
	}
	cs, _ := kernelFigures(t, path)
	if cs.Dirty != 1 {
		t.Errorf("after showing the disk view the page is not dirty any more (%+v): the view wrote it back", cs)
	}
}

// With MAP_PRIVATE an edit is a copy of the page in this process: the
// disk view shows it as differing and says it never reaches the disk, and
// the file keeps its bytes.
func TestDiskViewPrivate(t *testing.T) {
	if os.Getpagesize() != 4096 {
		t.Skip("the expected screens assume 4 KiB pages")
	}
	path := pagesFile(t, 2, 0)
	h := newInlineHarness(t, path, 120, 40, mapping.Options{Private: true}, view.Options{Name: "p"})
	h.Type("5a")
	h.Press("Ctrl-D")
	h.Draw()
	_, y, ok := h.Find("page 0x0 of p")
	if !ok {
		t.Fatalf("no disk view:\n%s", h.Draw())
	}
	if title := screenLine(h, y); !strings.Contains(title, "memory (this mapping)") {
		t.Errorf("title %q", title)
	}
	if l := screenLine(h, y+1); l != " 00000000  5a 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41   41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41" {
		t.Errorf("row 0: %q", l)
	}
	if _, _, ms, ds := diskCells(h, y+1, 0); ms != styleDiffMem || ds != styleDiffDisk {
		t.Errorf("byte 0 styles %v / %v", ms, ds)
	}
	if l := screenLine(h, y+9); l != " MAP_PRIVATE: 1 byte differs (first at 0x0): your copy of the page, in this process only; it never reaches the disk" {
		t.Errorf("summary %q", l)
	}
	if b, _ := os.ReadFile(path); b[0] != 'A' {
		t.Errorf("the file's byte 0 is %q", b[0])
	}
}

// On an 80-column screen (8 bytes a row) the memory side's title is
// shortened instead of running into the disk side's title.
func TestDiskViewNarrowTitles(t *testing.T) {
	path := pagesFile(t, 2, 0)
	h := newInlineHarness(t, path, 80, 24, mapping.Options{}, view.Options{Name: "n.bin"})
	h.Press("Ctrl-D")
	h.Draw()
	_, y, ok := h.Find(" page 0x0 of n.bin")
	if !ok {
		t.Fatalf("no disk view:\n%s", h.Draw())
	}
	diskX := 1 + 8 + 2 + hexPos(7) + 2 + 3
	line := []rune(screenLine(h, y))
	want := " page 0x0 of n.bin  memory"
	want += strings.Repeat(" ", diskX-len(want))
	if len(line) <= diskX || string(line[:diskX]) != want || line[diskX] != 'd' {
		t.Errorf("titles at 80 columns\n got %q\nwant %q + the disk title", string(line), want)
	}
}

// On a block device (a loop device here) the disk view reads the device
// itself with O_DIRECT when the page is clean, never calls it tmpfs (its
// node is on devtmpfs), and says why a dirty page is not read.
func TestDiskViewBlockDevice(t *testing.T) {
	dev, _ := loopDevice(t, []byte(strings.Repeat("block", 4096)))
	h := newInlineHarness(t, dev, 120, 40, mapping.Options{Write: true}, view.Options{Name: "dev"})
	h.Press("Ctrl-D")
	h.Draw()
	if _, _, ok := h.Find(" memory and disk agree (4096 B): the page is clean (read from the device with O_DIRECT)"); !ok {
		t.Errorf("clean page of a block device:\n%s", h.Draw())
	}
	h.Type("41")
	h.E.RunTicks()
	h.Draw()
	if _, _, ok := h.Find(" dirty, not yet on the device; not read: O_DIRECT on the device would write it first"); !ok {
		t.Errorf("dirty page of a block device:\n%s", h.Draw())
	}
	if _, _, ok := h.Find("tmpfs"); ok {
		t.Errorf("a block device called tmpfs:\n%s", h.Draw())
	}
}
