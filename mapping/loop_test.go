package mapping

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// loopDevice attaches a new image of size bytes (filled with content at
// the start) to a loop device and returns the device and the image path.
// It skips the test where loop devices cannot be set up (needs root).
func loopDevice(t *testing.T, size int64, content []byte) (dev, img string) {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "loop devices need root")
	}
	img = filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, size); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "-f", "--show", img).CombinedOutput()
	if err != nil {
		skipOrFail(t, "cannot set up a loop device here: %v: %s", err, out)
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	return dev, img
}

// TestLoopBlockDevice: a real block device: size from BLKGETSIZE64,
// read-only unless Options.Write, and with Write an edit synced through
// the mapping lands in the device (its backing image).
func TestLoopBlockDevice(t *testing.T) {
	const size = 8 << 20
	content := pattern(64<<10, 40)
	dev, img := loopDevice(t, size, content)

	f := open(t, dev, Options{})
	if f.Size() != size || f.Mode() != ReadOnly || f.Flags() != "PROT_READ MAP_SHARED" {
		t.Fatalf("size %d mode %v flags %s", f.Size(), f.Mode(), f.Flags())
	}
	if fs := f.MemoryFS(); fs != "" {
		t.Fatalf("MemoryFS of a block device (its node is on devtmpfs) = %q, want \"\"", fs)
	}
	if want := dev + ": block device opened read-only (--write opens it for writing)"; f.Notice() != want {
		t.Fatalf("notice %q", f.Notice())
	}
	if _, err := f.WriteAt([]byte{1}, 0); !errors.Is(err, ErrReadOnly) ||
		err.Error() != dev+": file is read-only (block devices open read-only unless writing is asked for)" {
		t.Fatalf("WriteAt: %v", err)
	}
	b := make([]byte, len(content))
	if _, err := f.ReadAt(b, 0); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "device bytes", b, content)
	f.Close()

	w := open(t, dev, Options{Write: true, Window: 1 << 20})
	if w.Mode() != Shared || w.Notice() != "" {
		t.Fatalf("with Write: mode %v notice %q", w.Mode(), w.Notice())
	}
	if _, err := w.WriteAt([]byte("via the device"), 1<<20-4); err != nil {
		t.Fatal(err)
	}
	res, err := w.Sync(MSSync)
	if err != nil || res.Pages != 2 {
		t.Fatalf("Sync %+v %v", res, err)
	}
	d, method, err := w.ReadDiskMethod(1<<20-4, 14)
	if err != nil || string(d) != "via the device" || method != DiskFile {
		t.Fatalf("ReadDisk = %q, %s, %v", d, method, err)
	}
	got := diskBytes(t, img)
	if !bytes.Equal(got[1<<20-4:1<<20+10], []byte("via the device")) {
		t.Fatal("the image does not hold the edit")
	}
}

// TestRawDiskRead: on an ext4 filesystem whose block device can be read,
// ReadDisk reads the file's blocks from the device: an edit is not there
// before MS_SYNC (nor after MS_ASYNC), and is there after MS_SYNC. And
// reading does not write the dirty pages back (cachestat still counts
// them), unlike O_DIRECT on the file.
func TestRawDiskRead(t *testing.T) {
	dev, _ := loopDevice(t, 64<<20, nil)
	if out, err := exec.Command("mkfs.ext4", "-q", dev).CombinedOutput(); err != nil {
		skipOrFail(t, "mkfs.ext4: %v: %s", err, out)
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", dev, mnt).CombinedOutput(); err != nil {
		skipOrFail(t, "mount: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })

	ps := os.Getpagesize()
	content := pattern(4*ps, 41)
	p := filepath.Join(mnt, "f.bin")
	g, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	g.Write(content)
	g.Sync()
	g.Close()
	// A sparse tail and a hole: zeros from the disk.
	os.Truncate(p, int64(8*ps))

	f := open(t, p, Options{})
	d, method, err := f.ReadDiskMethod(0, 8*ps)
	if err != nil || method != DiskRaw {
		t.Fatalf("ReadDiskMethod: %s, %v", method, err)
	}
	mustEqual(t, "disk before", d, append(append([]byte(nil), content...), make([]byte, 4*ps)...))

	edit := []byte("in memory, not yet on disk")
	off := int64(2*ps - 7)
	f.WriteAt(edit, off)
	f.WriteAt([]byte("delalloc"), int64(6*ps)) // a hole page: no block yet
	want := append([]byte(nil), content...)
	copy(want[off:], edit)
	if _, err := f.Sync(MSAsync); err != nil {
		t.Fatal(err)
	}
	d, _, err = f.ReadDiskMethod(0, 4*ps)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stats(0, -1)
	if st.Dirty < 3 {
		t.Fatalf("reading the disk wrote dirty pages back: %d dirty", st.Dirty)
	}
	mustEqual(t, "disk after MS_ASYNC (a no-op)", d, content)
	if d, _, _ := f.ReadDiskMethod(int64(6*ps), 8); !bytes.Equal(d, make([]byte, 8)) {
		t.Fatalf("delalloc page from the disk: %q", d)
	}

	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	d, _, err = f.ReadDiskMethod(0, 4*ps)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "disk after MS_SYNC", d, want)
	if d, _, _ := f.ReadDiskMethod(int64(6*ps), 8); string(d) != "delalloc" {
		t.Fatalf("allocated page after MS_SYNC: %q", d)
	}
}

// TestPatchBlockDevice: Patch is an explicit write, so a block device
// (read-only by default) is patched: --expect checked, the byte synced
// into the device's backing image, nothing else changed.
func TestPatchBlockDevice(t *testing.T) {
	const size = 1 << 20
	content := pattern(64<<10, 41)
	dev, img := loopDevice(t, size, content)
	off := int64(5000)
	if _, err := Patch(dev, off, []byte{0xde, 0xad}, []byte{content[off] ^ 0xff}, MSSync); err == nil ||
		!strings.Contains(err.Error(), "not the expected") {
		t.Fatalf("Patch with a wrong --expect: %v", err)
	}
	res, err := Patch(dev, off, []byte{0xde, 0xad}, content[off:off+2], MSSync)
	if err != nil || res.Pages != 1 {
		t.Fatalf("Patch: %+v, %v", res, err)
	}
	want := append(append([]byte(nil), content...), make([]byte, size-len(content))...)
	copy(want[off:], []byte{0xde, 0xad})
	mustEqual(t, "image after the patch", diskBytes(t, img), want)
}
