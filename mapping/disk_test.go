package mapping

import (
	"errors"
	"os"
	"testing"
)

// TestODirectProof: after Sync(MS_SYNC) returns, the bytes are on the disk:
// read back with O_DIRECT, bypassing the page cache. Where the raw block
// device can be read, the test also shows the other half: before the sync
// (and after MS_ASYNC, a no-op) the disk still holds the old bytes.
func TestODirectProof(t *testing.T) {
	ps := os.Getpagesize()
	for _, w := range windows {
		t.Run(w.name, func(t *testing.T) {
			content := pattern(4*ps, 10)
			p := writeFile(t, "d.bin", content)
			// Get the original bytes onto the disk first.
			g, _ := os.OpenFile(p, os.O_RDWR, 0)
			g.Sync()
			g.Close()
			f := open(t, p, Options{Window: w.size})
			before, method, err := f.ReadDiskMethod(0, 4*ps)
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "disk before", before, content)

			edit := []byte("on the disk only after msync")
			off := int64(2*ps - 10) // crosses a page (and one-page window) border
			if _, err := f.WriteAt(edit, off); err != nil {
				t.Fatal(err)
			}
			want := append([]byte(nil), content...)
			copy(want[off:], edit)
			st, _ := f.Stats(0, -1)
			if st.Dirty != Unknown && st.Dirty < 2 {
				t.Fatalf("after the edit cachestat says %d dirty pages", st.Dirty)
			}
			if method == DiskRaw {
				if _, err := f.Sync(MSAsync); err != nil {
					t.Fatal(err)
				}
				// Read without writing back: still the old bytes (unless the
				// flusher ran meanwhile, which cachestat would show).
				d, m, err := f.ReadDiskMethod(0, 4*ps)
				st, _ := f.Stats(0, -1)
				if err != nil || m != DiskRaw {
					t.Fatal(err, m)
				}
				if st.Dirty > 0 {
					mustEqual(t, "disk after MS_ASYNC", d, content)
				}
				f.WriteAt(edit[:1], off) // make the pages unsynced again
			} else {
				t.Logf("raw block device not readable here (%s): proving with O_DIRECT on the file only", method)
			}
			res, err := f.Sync(MSSync)
			if err != nil || res.Pages != 2 {
				t.Fatalf("Sync %+v %v", res, err)
			}
			st, _ = f.Stats(0, -1)
			if st.Dirty > 0 || st.Writeback > 0 {
				t.Fatalf("after MS_SYNC: %d dirty, %d writeback", st.Dirty, st.Writeback)
			}
			d, _, err := f.ReadDiskMethod(0, 4*ps)
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "disk after MS_SYNC", d, want)
			d, err = f.readDirect(p, 0, int64(4*ps), true)
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "O_DIRECT on the file after MS_SYNC", d, want)
			// A sub-range that is not aligned.
			d, err = f.ReadDisk(off+1, 5)
			if err != nil || string(d) != string(edit[1:6]) {
				t.Fatalf("ReadDisk(off+1, 5) = %q, %v", d, err)
			}
			if _, err := f.ReadDisk(int64(4*ps), 1); !errors.Is(err, ErrPastEnd) {
				t.Fatal(err)
			}
		})
	}
}

// TestReadDiskSparse: holes read as zeros from the disk.
func TestReadDiskSparse(t *testing.T) {
	p := writeFile(t, "sparse", nil)
	if err := os.Truncate(p, 1<<30); err != nil {
		t.Fatal(err)
	}
	f := open(t, p, Options{})
	d, err := f.ReadDisk(1<<29, 100)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "hole", d, make([]byte, 100))
}

// TestReadDiskTmpfs: O_DIRECT is refused by tmpfs: a clear sentinel.
func TestReadDiskTmpfs(t *testing.T) {
	dir := "/dev/shm"
	var st os.FileInfo
	var err error
	if st, err = os.Stat(dir); err != nil || !st.IsDir() {
		t.Skip("no /dev/shm (tmpfs) here")
	}
	tf, err := os.CreateTemp(dir, "mmhex-test-*")
	if err != nil {
		t.Skip("cannot write /dev/shm:", err)
	}
	defer os.Remove(tf.Name())
	tf.Write([]byte("tmpfs content"))
	tf.Close()
	f := open(t, tf.Name(), Options{})
	_, err = f.ReadDisk(0, 5)
	if !errors.Is(err, ErrNoDirect) {
		t.Skipf("this tmpfs accepts O_DIRECT (%v)", err)
	}
	if want := tf.Name() + ": the filesystem refuses O_DIRECT (tmpfs?)"; err.Error() != want {
		t.Fatalf("error %q; want %q", err, want)
	}
}
