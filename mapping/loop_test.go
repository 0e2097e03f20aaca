package mapping

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

// TestLoopBlockDevice: a real block device: size from BLKGETSIZE64,
// read-only unless Options.Write, and with Write an edit synced through
// the mapping lands in the device (its backing image).
func TestLoopBlockDevice(t *testing.T) {
	const size = 8 << 20
	content := testenv.Pattern(64<<10, 40)
	dev, img := testenv.LoopDevice(t, size, content)

	f := open(t, dev, Options{})
	if f.Size() != size || f.Mode() != ReadOnly || f.Flags() != "PROT_READ MAP_SHARED" {
		t.Fatalf("size %d mode %v flags %s", f.Size(), f.Mode(), f.Flags())
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
	testenv.MustEqual(t, "device bytes", b, content)
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
	got := testenv.DiskBytes(t, img)
	if !bytes.Equal(got[1<<20-4:1<<20+10], []byte("via the device")) {
		t.Fatal("the image does not hold the edit")
	}
}

// TestPatchBlockDevice: Patch is an explicit write, so a block device
// (read-only by default) is patched: --expect checked, the byte synced
// into the device's backing image, nothing else changed.
func TestPatchBlockDevice(t *testing.T) {
	const size = 1 << 20
	content := testenv.Pattern(64<<10, 41)
	dev, img := testenv.LoopDevice(t, size, content)
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
	testenv.MustEqual(t, "image after the patch", testenv.DiskBytes(t, img), want)
}
