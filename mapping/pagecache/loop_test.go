package pagecache

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// TestRawDiskRead: on an ext4 filesystem whose block device can be read,
// ReadDisk reads the file's blocks from the device: an edit is not there
// before MS_SYNC (nor after MS_ASYNC), and is there after MS_SYNC. And
// reading does not write the dirty pages back (cachestat still counts
// them), unlike O_DIRECT on the file.
func TestRawDiskRead(t *testing.T) {
	dev, _ := testenv.LoopDevice(t, 64<<20, nil)
	if out, err := exec.Command("mkfs.ext4", "-q", dev).CombinedOutput(); err != nil {
		testenv.SkipOrFail(t, "mkfs.ext4: %v: %s", err, out)
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", dev, mnt).CombinedOutput(); err != nil {
		testenv.SkipOrFail(t, "mount: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })

	ps := os.Getpagesize()
	content := testenv.Pattern(4*ps, 41)
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

	f := open(t, p, mapping.Options{})
	d, method, err := ReadDiskMethod(f, 0, 8*ps)
	if err != nil || method != DiskRaw {
		t.Fatalf("ReadDiskMethod: %s, %v", method, err)
	}
	testenv.MustEqual(t, "disk before", d, append(append([]byte(nil), content...), make([]byte, 4*ps)...))

	edit := []byte("in memory, not yet on disk")
	off := int64(2*ps - 7)
	f.WriteAt(edit, off)
	f.WriteAt([]byte("delalloc"), int64(6*ps)) // a hole page: no block yet
	want := append([]byte(nil), content...)
	copy(want[off:], edit)
	if _, err := f.Sync(mapping.MSAsync); err != nil {
		t.Fatal(err)
	}
	d, _, err = ReadDiskMethod(f, 0, 4*ps)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := Stats(f, 0, -1)
	if st.Dirty < 3 {
		t.Fatalf("reading the disk wrote dirty pages back: %d dirty", st.Dirty)
	}
	testenv.MustEqual(t, "disk after MS_ASYNC (a no-op)", d, content)
	if d, _, _ := ReadDiskMethod(f, int64(6*ps), 8); !bytes.Equal(d, make([]byte, 8)) {
		t.Fatalf("delalloc page from the disk: %q", d)
	}

	if _, err := f.Sync(mapping.MSSync); err != nil {
		t.Fatal(err)
	}
	d, _, err = ReadDiskMethod(f, 0, 4*ps)
	if err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "disk after MS_SYNC", d, want)
	if d, _, _ := ReadDiskMethod(f, int64(6*ps), 8); string(d) != "delalloc" {
		t.Fatalf("allocated page after MS_SYNC: %q", d)
	}
}

// TestLoopBlockDeviceDisk: on a block device (a loop device here) the
// disk is the device itself: MemoryFS is "" (its node lives on devtmpfs),
// ReadDiskRaw refuses (there is no filesystem to ask FIEMAP), and
// ReadDiskMethod reads the device with O_DIRECT (DiskFile): after an
// MS_SYNC it holds the edit.
func TestLoopBlockDeviceDisk(t *testing.T) {
	const size = 8 << 20
	content := testenv.Pattern(64<<10, 40)
	dev, _ := testenv.LoopDevice(t, size, content)
	w := open(t, dev, mapping.Options{Write: true, Window: 1 << 20})
	if fs := MemoryFS(w); fs != "" {
		t.Fatalf("MemoryFS of a block device (its node is on devtmpfs) = %q, want \"\"", fs)
	}
	if _, err := ReadDiskRaw(w, 0, 4); !errors.Is(err, ErrNoRawDisk) || err.Error() != dev+": cannot read the file's blocks from the block device: the file is a block device" {
		t.Fatalf("ReadDiskRaw of a block device: %v", err)
	}
	if _, err := w.WriteAt([]byte("via the device"), 1<<20-4); err != nil {
		t.Fatal(err)
	}
	if res, err := w.Sync(mapping.MSSync); err != nil || res.Pages != 2 {
		t.Fatalf("Sync %+v %v", res, err)
	}
	d, method, err := ReadDiskMethod(w, 1<<20-4, 14)
	if err != nil || string(d) != "via the device" || method != DiskFile {
		t.Fatalf("ReadDisk = %q, %s, %v", d, method, err)
	}
}
