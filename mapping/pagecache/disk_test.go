package pagecache

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// TestODirectProof: after Sync(MS_SYNC) returns, the bytes are on the disk:
// read back with O_DIRECT, bypassing the page cache. Where the raw block
// device can be read, the test also shows the other half: before the sync
// (and after MS_ASYNC, a no-op) the disk still holds the old bytes.
func TestODirectProof(t *testing.T) {
	ps := os.Getpagesize()
	for _, w := range testenv.Windows {
		t.Run(w.Name, func(t *testing.T) {
			content := testenv.Pattern(4*ps, 10)
			p := testenv.WriteFile(t, "d.bin", content)
			// Get the original bytes onto the disk first.
			g, _ := os.OpenFile(p, os.O_RDWR, 0)
			g.Sync()
			g.Close()
			f := open(t, p, mapping.Options{Window: w.Size})
			before, method, err := ReadDiskMethod(f, 0, 4*ps)
			if err != nil {
				t.Fatal(err)
			}
			testenv.MustEqual(t, "disk before", before, content)

			edit := []byte("on the disk only after msync")
			off := int64(2*ps - 10) // crosses a page (and one-page window) border
			if _, err := f.WriteAt(edit, off); err != nil {
				t.Fatal(err)
			}
			want := append([]byte(nil), content...)
			copy(want[off:], edit)
			st, _ := Stats(f, 0, -1)
			if st.Dirty != Unknown && st.Dirty < 2 {
				t.Fatalf("after the edit cachestat says %d dirty pages", st.Dirty)
			}
			if method == DiskRaw {
				if _, err := f.Sync(mapping.MSAsync); err != nil {
					t.Fatal(err)
				}
				// Read without writing back: still the old bytes (unless the
				// flusher ran meanwhile, which cachestat would show).
				d, m, err := ReadDiskMethod(f, 0, 4*ps)
				st, _ := Stats(f, 0, -1)
				if err != nil || m != DiskRaw {
					t.Fatal(err, m)
				}
				if st.Dirty > 0 {
					testenv.MustEqual(t, "disk after MS_ASYNC", d, content)
				}
				f.WriteAt(edit[:1], off) // make the pages unsynced again
			} else {
				t.Logf("raw block device not readable here (%s): proving with O_DIRECT on the file only", method)
			}
			res, err := f.Sync(mapping.MSSync)
			if err != nil || res.Pages != 2 {
				t.Fatalf("Sync %+v %v", res, err)
			}
			st, _ = Stats(f, 0, -1)
			if st.Dirty > 0 || st.Writeback > 0 {
				t.Fatalf("after MS_SYNC: %d dirty, %d writeback", st.Dirty, st.Writeback)
			}
			d, _, err := ReadDiskMethod(f, 0, 4*ps)
			if err != nil {
				t.Fatal(err)
			}
			testenv.MustEqual(t, "disk after MS_SYNC", d, want)
			d, err = readDirect(f, p, 0, int64(4*ps), true)
			if err != nil {
				t.Fatal(err)
			}
			testenv.MustEqual(t, "O_DIRECT on the file after MS_SYNC", d, want)
			// A sub-range that is not aligned.
			d, err = ReadDisk(f, off+1, 5)
			if err != nil || string(d) != string(edit[1:6]) {
				t.Fatalf("ReadDisk(off+1, 5) = %q, %v", d, err)
			}
			if _, err := ReadDisk(f, int64(4*ps), 1); !errors.Is(err, mapping.ErrPastEnd) {
				t.Fatal(err)
			}
		})
	}
}

// TestReadDiskSparse: holes read as zeros from the disk.
func TestReadDiskSparse(t *testing.T) {
	p := testenv.WriteFile(t, "sparse", nil)
	if err := os.Truncate(p, 1<<30); err != nil {
		t.Fatal(err)
	}
	f := open(t, p, mapping.Options{})
	d, err := ReadDisk(f, 1<<29, 100)
	if err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "hole", d, make([]byte, 100))
}

// TestReadDiskNoDirect: a filesystem that refuses O_DIRECT (ramfs; tmpfs
// before Linux 6.6) gives a clear sentinel.
func TestReadDiskNoDirect(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "mounting ramfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "ramfs", "ramfs", dir).CombinedOutput(); err != nil {
		testenv.SkipOrFail(t, "cannot mount ramfs here: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	p := filepath.Join(dir, "r.bin")
	if err := os.WriteFile(p, []byte("ramfs content"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := open(t, p, mapping.Options{})
	_, err := ReadDisk(f, 0, 5)
	if want := p + ": the filesystem refuses O_DIRECT (tmpfs?)"; !errors.Is(err, ErrNoDirect) || err.Error() != want {
		t.Fatalf("error %v; want %q", err, want)
	}
}

// TestStartWritebackEdits: sync_file_range(SYNC_FILE_RANGE_WRITE) on the
// whole file starts the writeback of the edited pages without waiting;
// they stay unsynced in the journal's view (no LastSync), and the kernel
// soon has them clean.
func TestStartWritebackEdits(t *testing.T) {
	ps := int64(os.Getpagesize())
	p := testenv.WriteFile(t, "wb.bin", testenv.Pattern(int(16*ps), 50))
	g, _ := os.OpenFile(p, os.O_RDWR, 0)
	g.Sync()
	g.Close()
	f := open(t, p, mapping.Options{Invalidate: true})
	f.WriteAt([]byte("a"), 3*ps)
	f.WriteAt([]byte("b"), 9*ps)
	// Dirty is counted in pages of dirty folios: with large folios (ext4
	// since Linux 6.16) one edited byte may make 16 pages dirty.
	if st, _ := Stats(f, 0, -1); st.Dirty < 2 {
		t.Fatalf("dirty before: %d", st.Dirty)
	}
	res, err := StartWritebackRange(f, 0, -1)
	if err != nil || res.Pages != 16 || res.Bytes != 16*ps || res.Flag != "SYNC_FILE_RANGE_WRITE" {
		t.Fatalf("StartWritebackRange = %+v, %v", res, err)
	}
	if f.UnsyncedPages() != 2 {
		t.Fatalf("unsynced pages after StartWritebackRange: %d", f.UnsyncedPages())
	}
	if _, ok := f.LastSync(); ok {
		t.Fatal("StartWritebackRange recorded as a sync")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, _ := Stats(f, 0, -1)
		if st.Dirty == 0 && st.Writeback == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pages still dirty/writeback 5 s after StartWritebackRange: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, err = f.Sync(mapping.MSSync)
	if err != nil || res.Flag != "MS_SYNC|MS_INVALIDATE" || res.Pages != 2 {
		t.Fatalf("Sync with Invalidate = %+v, %v", res, err)
	}
}
