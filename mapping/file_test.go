package mapping

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

func TestModes(t *testing.T) {
	content := testenv.Pattern(10000, 1)
	for _, tc := range []struct {
		opts      Options
		mode      Mode
		flags     string
		reachDisk bool
	}{
		{Options{}, Shared, "PROT_READ|PROT_WRITE MAP_SHARED", true},
		{Options{ReadOnly: true}, ReadOnly, "PROT_READ MAP_SHARED", false},
		{Options{Private: true}, Private, "PROT_READ|PROT_WRITE MAP_PRIVATE", false},
		{Options{Populate: true, Lock: true, Window: 8192}, Shared, "PROT_READ|PROT_WRITE MAP_SHARED MAP_POPULATE mlock", true},
	} {
		t.Run(tc.flags, func(t *testing.T) {
			p := testenv.WriteFile(t, "f.bin", content)
			f := open(t, p, tc.opts)
			if f.Mode() != tc.mode || f.Flags() != tc.flags || f.Notice() != "" {
				t.Fatalf("mode %v flags %q notice %q", f.Mode(), f.Flags(), f.Notice())
			}
			if f.Size() != 10000 || f.PageSize() != int64(os.Getpagesize()) || f.Path() != p {
				t.Fatalf("size %d page %d path %s", f.Size(), f.PageSize(), f.Path())
			}
			testenv.MustEqual(t, "ReadAt", readAll(t, f), content)
			_, err := f.WriteAt([]byte("XY"), 4095)
			if tc.mode == ReadOnly {
				want := p + ": file is read-only"
				if err == nil || err.Error() != want || !errors.Is(err, ErrReadOnly) {
					t.Fatalf("WriteAt error %v; want %q", err, want)
				}
				testenv.MustEqual(t, "disk", testenv.DiskBytes(t, p), content)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := append([]byte(nil), content...)
			copy(want[4095:], "XY")
			testenv.MustEqual(t, "ReadAt after edit", readAll(t, f), want)
			// The page cache is what read(2) sees: a shared edit is there at
			// once, a private one never.
			if tc.reachDisk {
				testenv.MustEqual(t, "file", testenv.DiskBytes(t, p), want)
			} else {
				testenv.MustEqual(t, "file", testenv.DiskBytes(t, p), content)
			}
			if f.UnsyncedPages() != 2 || f.UnsyncedEdits() != 1 || !f.IsUnsynced(4095) || !f.IsUnsynced(4096) || f.IsUnsynced(8192) {
				t.Fatalf("unsynced pages %d edits %d", f.UnsyncedPages(), f.UnsyncedEdits())
			}
			res, err := f.Sync(MSSync)
			if tc.mode == Private {
				if !errors.Is(err, ErrPrivate) || err.Error() != p+": private mapping (MAP_PRIVATE): edits never reach the file" {
					t.Fatalf("private Sync: %v", err)
				}
				return
			}
			if err != nil || res.Pages != 2 || res.Bytes != 8192 || res.Flag != "MS_SYNC" {
				t.Fatalf("Sync = %+v, %v", res, err)
			}
			if f.UnsyncedPages() != 0 || f.UnsyncedEdits() != 0 {
				t.Fatal("still unsynced after Sync")
			}
			if last, ok := f.LastSync(); !ok || last.Pages != 2 {
				t.Fatalf("LastSync %+v %v", last, ok)
			}
		})
	}
}

// TestAutoReadOnly: a file that cannot be opened for writing opens
// read-only with a notice, and edits are refused with the reason.
func TestAutoReadOnly(t *testing.T) {
	content := []byte("read only content\n")
	p := testenv.WriteFile(t, "ro.txt", content)
	reason := "permission denied"
	if os.Geteuid() == 0 {
		// root ignores permission bits; the immutable attribute stops it.
		if out, err := exec.Command("chattr", "+i", p).CombinedOutput(); err != nil {
			testenv.SkipOrFail(t, "chattr +i not available here (%v: %s)", err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", p).Run() })
		reason = "operation not permitted"
	} else if err := os.Chmod(p, 0o444); err != nil {
		t.Fatal(err)
	}
	f := open(t, p, Options{})
	if f.Mode() != ReadOnly || f.Flags() != "PROT_READ MAP_SHARED" {
		t.Fatalf("mode %v flags %s", f.Mode(), f.Flags())
	}
	if want := p + ": " + reason + "; opened read-only"; f.Notice() != want {
		t.Fatalf("Notice %q; want %q", f.Notice(), want)
	}
	if f.NoticeShort() != reason {
		t.Fatalf("NoticeShort %q; want %q", f.NoticeShort(), reason)
	}
	_, err := f.WriteAt([]byte("x"), 0)
	if want := p + ": file is read-only (cannot open for writing: " + reason + ")"; err == nil || err.Error() != want {
		t.Fatalf("WriteAt error %v; want %q", err, want)
	}
	if err := f.Fill(0, 3, 'x'); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Fill error %v", err)
	}
	testenv.MustEqual(t, "ReadAt", readAll(t, f), content)
	testenv.MustEqual(t, "disk", testenv.DiskBytes(t, p), content)
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	evil := filepath.Join(dir, "evil\x1b[2Jname")
	cases := []struct {
		path string
		want string
		is   error
	}{
		{filepath.Join(dir, "missing"), dir + "/missing: no such file or directory", os.ErrNotExist},
		{dir, dir + ": is a directory", ErrDirectory},
		{fifo, fifo + ": is a FIFO (named pipe); it cannot be mapped", ErrFIFO},
		{sock, sock + ": is a socket; it cannot be mapped", ErrSocket},
		{"/dev/null", "/dev/null: is a character device; only regular files and block devices can be mapped", ErrCharDevice},
		{"/proc/self/status", "/proc/self/status: has size 0 but has content (a /proc or /sys file?); it cannot be mapped", ErrNoSize},
		{evil, dir + "/evil.[2Jname: no such file or directory", os.ErrNotExist}, // ESC shown as .
	}
	for _, c := range cases {
		f, err := Open(c.path, Options{})
		if err == nil {
			f.Close()
			t.Errorf("Open(%q) succeeded", c.path)
			continue
		}
		if err.Error() != c.want || !errors.Is(err, c.is) {
			t.Errorf("Open(%q) error\n got %q\nwant %q", c.path, err, c.want)
		}
		if strings.ContainsAny(err.Error(), "\x1b\n") {
			t.Errorf("error carries control bytes: %q", err)
		}
	}
	if _, err := Open(testenv.WriteFile(t, "x", []byte("x")), Options{ReadOnly: true, Private: true}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("read-only+private: %v", err)
	}
	// Root may open any file: as root this runs as nobody.
	t.Run("no permission", func(t *testing.T) {
		if testenv.AsNobody(t) {
			return
		}
		p := testenv.WriteFile(t, "noperm", []byte("secret"))
		os.Chmod(p, 0)
		if _, err := Open(p, Options{}); err == nil || err.Error() != p+": permission denied" {
			t.Errorf("no permission: %v", err)
		}
	})
}

func TestEmptyFile(t *testing.T) {
	p := testenv.WriteFile(t, "empty", nil)
	for _, o := range []Options{{}, {ReadOnly: true}, {Private: true}} {
		f := open(t, p, o)
		if f.Size() != 0 {
			t.Fatal("size")
		}
		if off, n := f.Window(); off != 0 || n != 0 {
			t.Fatalf("window %d %d", off, n)
		}
		if n, err := f.ReadAt(make([]byte, 1), 0); n != 0 || err != io.EOF {
			t.Fatalf("ReadAt = %d, %v", n, err)
		}
		if n, err := f.ReadAt(nil, 0); n != 0 || err != io.EOF {
			t.Fatalf("ReadAt(nil) = %d, %v", n, err)
		}
		if o == (Options{}) {
			if _, err := f.WriteAt([]byte{1}, 0); !errors.Is(err, ErrPastEnd) {
				t.Fatalf("WriteAt %v", err)
			}
		}
		if res, err := f.Sync(MSSync); o.Private == false && (err != nil || res.Pages != 0) {
			t.Fatalf("Sync %+v %v", res, err)
		}
		called := false
		if err := f.Scan(0, 100, ScanOptions{}, func(int64, []byte) bool { called = true; return true }); err != nil || called {
			t.Fatalf("Scan: %v called %v", err, called)
		}
	}
}

// TestWindows: reads, edits and syncs that cross window borders, with
// one-page windows and others.
func TestWindows(t *testing.T) {
	ps := os.Getpagesize()
	content := testenv.Pattern(5*ps+123, 2)
	for _, w := range testenv.Windows {
		t.Run(w.Name, func(t *testing.T) {
			p := testenv.WriteFile(t, "w.bin", content)
			f := open(t, p, Options{Window: w.Size})
			want := append([]byte(nil), content...)
			// Every read of a few lengths at offsets around each border.
			for off := 0; off < len(content); off += ps / 2 {
				for _, n := range []int{1, ps - 1, ps + 1, 3 * ps} {
					buf := make([]byte, n)
					got, err := f.ReadAt(buf, int64(off))
					wantN := min(n, len(content)-off)
					if got != wantN || (wantN < n) != (err == io.EOF) {
						t.Fatalf("ReadAt(%d, %d) = %d, %v", n, off, got, err)
					}
					testenv.MustEqual(t, "ReadAt", buf[:got], want[off:off+got])
				}
			}
			if w.Size == int64(ps) {
				f.ReadAt(make([]byte, 1), int64(3*ps+5))
				if wo, wl := f.Window(); wo != int64(3*ps) || wl != int64(ps) {
					t.Fatalf("window %d+%d; want page 3", wo, wl)
				}
			}
			// Edits across borders.
			edits := []struct {
				off int
				b   []byte
			}{{ps - 2, []byte("ABCD")}, {3*ps - 1, testenv.Pattern(ps+2, 3)}, {len(content) - 1, []byte("Z")}}
			for _, e := range edits {
				if n, err := f.WriteAt(e.b, int64(e.off)); err != nil || n != len(e.b) {
					t.Fatalf("WriteAt: %d %v", n, err)
				}
				copy(want[e.off:], e.b)
			}
			if _, err := f.WriteAt([]byte("no"), int64(len(content)-1)); !errors.Is(err, ErrPastEnd) {
				t.Fatalf("edit past end: %v", err)
			}
			testenv.MustEqual(t, "after edits", readAll(t, f), want)
			if got := f.UnsyncedPageList(); fmt.Sprint(got) != fmt.Sprint([]int64{0, int64(ps), int64(2 * ps), int64(3 * ps), int64(4 * ps), int64(5 * ps)}) {
				t.Fatalf("unsynced pages %v", got)
			}
			res, err := f.Sync(MSSync)
			if err != nil || res.Pages != 6 || res.Bytes != int64(len(content)) {
				t.Fatalf("Sync %+v %v", res, err)
			}
			testenv.MustEqual(t, "disk after sync", testenv.DiskBytes(t, p), want)
		})
	}
}

// TestTruncateWhileMapped: another *os.File shrinks the file while it is
// mapped; touching the lost pages is a SIGBUS that becomes an error, and
// the new size is reported.
func TestTruncateWhileMapped(t *testing.T) {
	ps := int64(os.Getpagesize())
	for _, w := range testenv.Windows {
		for _, mode := range []Options{{}, {ReadOnly: true}, {Private: true}} {
			t.Run(fmt.Sprintf("%s/%v", w.Name, mode), func(t *testing.T) {
				content := testenv.Pattern(int(4*ps), 4)
				p := testenv.WriteFile(t, "t.bin", content)
				mode.Window = w.Size
				f := open(t, p, mode)
				buf := make([]byte, 16)
				if _, err := f.ReadAt(buf, 3*ps); err != nil { // map page 3
					t.Fatal(err)
				}
				other, err := os.OpenFile(p, os.O_RDWR, 0)
				if err != nil {
					t.Fatal(err)
				}
				if err := other.Truncate(ps + 10); err != nil {
					t.Fatal(err)
				}
				other.Close()
				_, err = f.ReadAt(buf, 3*ps)
				want := fmt.Sprintf("%s: at %#x: the file shrank to %d bytes (memory fault)", p, 3*ps, ps+10)
				if !errors.Is(err, ErrFault) || !errors.Is(err, ErrShrank) || err.Error() != want {
					t.Fatalf("ReadAt after truncate: %v\nwant %s", err, want)
				}
				if f.Size() != ps+10 {
					t.Fatalf("Size %d", f.Size())
				}
				if n, err := f.ReadAt(buf, ps); n != 10 || err != io.EOF {
					t.Fatalf("ReadAt across new end = %d, %v", n, err)
				}
				testenv.MustEqual(t, "bytes before the new end", buf[:10], content[ps:ps+10])
				if _, err := f.ReadAt(buf, 2*ps); err != io.EOF {
					t.Fatalf("ReadAt past new end: %v", err)
				}
			})
		}
	}
}

// TestTruncateDuringScan: a fault inside the scan callback is an error.
func TestTruncateDuringScan(t *testing.T) {
	ps := int64(os.Getpagesize())
	p := testenv.WriteFile(t, "s.bin", testenv.Pattern(int(8*ps), 5))
	f := open(t, p, Options{})
	err := f.Scan(0, 8*ps, ScanOptions{Chunk: 8 * ps}, func(base int64, b []byte) bool {
		if err := os.Truncate(p, ps); err != nil {
			t.Error(err)
		}
		sink += b[7*ps] // SIGBUS
		return true
	})
	if !errors.Is(err, ErrFault) {
		t.Fatalf("Scan: %v", err)
	}
	if f.Size() != ps {
		t.Fatalf("size %d", f.Size())
	}
}

// TestGrowRefresh: a file that grows is seen after Refresh.
func TestGrowRefresh(t *testing.T) {
	p := testenv.WriteFile(t, "g.bin", []byte("abc"))
	f := open(t, p, Options{})
	if changed, err := f.Refresh(); changed || err != nil {
		t.Fatal(changed, err)
	}
	if err := os.WriteFile(p, []byte("abcdefgh"), 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, err := f.Refresh(); !changed || err != nil || f.Size() != 8 {
		t.Fatal(changed, err, f.Size())
	}
	buf := make([]byte, 8)
	if n, err := f.ReadAt(buf, 0); n != 8 || err != nil || string(buf) != "abcdefgh" {
		t.Fatal(n, err, string(buf))
	}
}

func TestUndoRedoRevert(t *testing.T) {
	ps := os.Getpagesize()
	content := testenv.Pattern(3*ps, 6)
	for _, w := range testenv.Windows {
		for _, o := range []Options{{}, {Private: true}} {
			t.Run(fmt.Sprintf("%s/private=%v", w.Name, o.Private), func(t *testing.T) {
				p := testenv.WriteFile(t, "u.bin", content)
				o.Window = w.Size
				f := open(t, p, o)
				if _, err := f.Undo(); !errors.Is(err, ErrNothingToUndo) || err.Error() != p+": nothing to undo" {
					t.Fatal(err)
				}
				if _, err := f.Redo(); !errors.Is(err, ErrNothingToRedo) {
					t.Fatal(err)
				}
				s0 := append([]byte(nil), content...)
				f.WriteAt([]byte("one"), int64(ps-1))
				s1 := readAll(t, f)
				f.WriteAt([]byte("two"), 10)
				s2 := readAll(t, f)
				if err := f.Fill(int64(ps)+5, int64(ps), 0xAA); err != nil {
					t.Fatal(err)
				}
				s3 := readAll(t, f)
				if f.UnsyncedEdits() != 3 {
					t.Fatalf("edits %d", f.UnsyncedEdits())
				}
				e, err := f.Undo()
				if err != nil || e.Off != int64(ps)+5 || e.Len != int64(ps) || e.New[0] != 0xAA || e.Old[0] != content[ps+5] {
					t.Fatalf("Undo = %+v, %v", e.Off, err)
				}
				testenv.MustEqual(t, "after undo", readAll(t, f), s2)
				e, err = f.Redo()
				if err != nil || e.Off != int64(ps)+5 {
					t.Fatal(err)
				}
				testenv.MustEqual(t, "after redo", readAll(t, f), s3)
				f.Undo()
				f.Undo()
				testenv.MustEqual(t, "after 2 undos", readAll(t, f), s1)
				if f.UnsyncedEdits() != 1 {
					t.Fatalf("edits %d", f.UnsyncedEdits())
				}
				// A new edit drops the redo tail.
				f.WriteAt([]byte("3"), 0)
				if _, err := f.Redo(); !errors.Is(err, ErrNothingToRedo) {
					t.Fatal(err)
				}
				n, err := f.RevertAll()
				if err != nil || n.Edits != 2 {
					t.Fatalf("RevertAll = %d, %v", n.Edits, err)
				}
				testenv.MustEqual(t, "after revert", readAll(t, f), s0)
				if f.UnsyncedEdits() != 0 {
					t.Fatalf("edits after revert %d", f.UnsyncedEdits())
				}
				if !o.Private {
					testenv.MustEqual(t, "file after revert", testenv.DiskBytes(t, p), s0)
				} else {
					testenv.MustEqual(t, "file (private)", testenv.DiskBytes(t, p), content)
				}
			})
		}
	}
}

// TestUnsyncedEditsAcrossSync: the count is the distance from the synced
// state.
func TestUnsyncedEditsAcrossSync(t *testing.T) {
	p := testenv.WriteFile(t, "c.bin", testenv.Pattern(100, 7))
	f := open(t, p, Options{})
	f.WriteAt([]byte{1}, 0)
	f.WriteAt([]byte{2}, 1)
	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	if f.UnsyncedEdits() != 0 || f.UnsyncedPages() != 0 {
		t.Fatal("after sync")
	}
	f.Undo()
	if f.UnsyncedEdits() != 1 || f.UnsyncedPages() != 1 {
		t.Fatalf("after undo: %d %d", f.UnsyncedEdits(), f.UnsyncedPages())
	}
	f.WriteAt([]byte{3}, 2) // the synced state is now 2 edits away
	if f.UnsyncedEdits() != 2 {
		t.Fatalf("after new edit: %d", f.UnsyncedEdits())
	}
}

// TestPrivateKeepsEditsAcrossWindows: with one-page windows, moving away
// and back must not lose copy-on-write edits.
func TestPrivateKeepsEditsAcrossWindows(t *testing.T) {
	ps := int64(os.Getpagesize())
	content := testenv.Pattern(int(4*ps), 8)
	p := testenv.WriteFile(t, "p.bin", content)
	f := open(t, p, Options{Private: true, Window: ps})
	f.WriteAt([]byte("private"), 10)
	f.ReadAt(make([]byte, 1), 3*ps) // remap elsewhere
	buf := make([]byte, 7)
	f.ReadAt(buf, 10)
	if string(buf) != "private" {
		t.Fatalf("private edit lost: %q", buf)
	}
	// Scan sees the private edit too.
	found := false
	f.Scan(0, 4*ps, ScanOptions{Chunk: ps}, func(base int64, b []byte) bool {
		if base == 0 && string(b[10:17]) == "private" {
			found = true
		}
		return true
	})
	if !found {
		t.Fatal("Scan did not see the private edit")
	}
	testenv.MustEqual(t, "file", testenv.DiskBytes(t, p), content)
}

func TestClosed(t *testing.T) {
	p := testenv.WriteFile(t, "x", []byte("abc"))
	f, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadAt(make([]byte, 1), 0); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{1}, 0); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

var _ = syscall.Stat_t{}

var sink byte

func TestPseudoFiles(t *testing.T) {
	for _, p := range []string{"/proc/self/mem", "/proc/self/environ", "/proc/self/status"} {
		if _, err := Open(p, Options{ReadOnly: true}); !errors.Is(err, ErrNoSize) || err.Error() != p+": has size 0 but has content (a /proc or /sys file?); it cannot be mapped" {
			t.Errorf("Open(%s): %v", p, err)
		}
	}
	// A sysfs attribute has a size but no mmap.
	p := "/sys/kernel/mm/transparent_hugepage/enabled"
	if _, err := os.Stat(p); err != nil {
		testenv.SkipOrFail(t, "no %s", p)
	}
	if _, err := Open(p, Options{ReadOnly: true}); !errors.Is(err, ErrNotMappable) || err.Error() != p+": cannot be mapped (mmap at 0x0: no such device)" {
		t.Errorf("Open(%s): %v", p, err)
	}
}

// TestPrivateGrow: private edits in the last window survive the file
// growing and the window being mapped again.
func TestPrivateGrow(t *testing.T) {
	ps := int64(os.Getpagesize())
	for _, w := range testenv.Windows {
		t.Run(w.Name, func(t *testing.T) {
			content := testenv.Pattern(int(2*ps+10), 30)
			p := testenv.WriteFile(t, "pg.bin", content)
			f := open(t, p, Options{Private: true, Window: w.Size})
			f.WriteAt([]byte("mine"), 2*ps+2)
			f.WriteAt([]byte("also"), 100)
			g, _ := os.OpenFile(p, os.O_RDWR, 0)
			g.WriteAt([]byte("grown"), 3*ps)
			g.Close()
			if changed, err := f.Refresh(); !changed || err != nil {
				t.Fatal(changed, err)
			}
			want := append(append([]byte(nil), content...), make([]byte, ps-10+5)...)
			copy(want[2*ps+2:], "mine")
			copy(want[100:], "also")
			copy(want[3*ps:], "grown")
			testenv.MustEqual(t, "after growth", readAll(t, f), want)
			f.RevertAll()
			testenv.MustEqual(t, "file", readAll(t, f), testenv.DiskBytes(t, p))
		})
	}
}

// TestConcurrent: every method from several goroutines at once while the
// file is truncated and regrown through another *os.File. Run with -race;
// the point is no crash, no race, no deadlock.
func TestConcurrent(t *testing.T) {
	ps := int64(os.Getpagesize())
	size := 64 * ps
	p := testenv.WriteFile(t, "c.bin", testenv.Pattern(int(size), 31))
	for _, w := range testenv.Windows {
		f := open(t, p, Options{Window: w.Size})
		done := make(chan struct{})
		var wg sync.WaitGroup
		run := func(fn func(i int64)) { testenv.Repeat(&wg, done, fn) }
		buf := func() []byte { return make([]byte, 100) }
		run(func(i int64) { f.ReadAt(buf(), (i*977)%size) })
		run(func(i int64) { f.WriteAt([]byte{byte(i)}, (i*1231)%size) })
		run(func(i int64) { f.Undo(); f.Redo(); f.IsUnsynced(i % size); f.UnsyncedPageList() })
		run(func(i int64) { f.Sync(MSAsync); f.DirtyPages() })
		run(func(i int64) { f.Window() })
		run(func(i int64) {
			f.Scan(0, size, ScanOptions{Chunk: 4 * ps, Overlap: 3}, func(_ int64, b []byte) bool { sink += b[len(b)-1]; return true })
		})
		run(func(i int64) { f.Refresh() })
		g, _ := os.OpenFile(p, os.O_RDWR, 0)
		for k := 0; k < 20; k++ {
			g.Truncate(size / 2)
			time.Sleep(time.Millisecond)
			g.Truncate(size)
			time.Sleep(time.Millisecond)
		}
		g.Close()
		close(done)
		wg.Wait()
		f.Refresh()
		if f.Size() != size {
			t.Fatalf("size %d", f.Size())
		}
	}
}

// TestPopulateLock: mlock locks the window (VmLck in /proc/self/status).
// That MAP_POPULATE reads the window in is pagecache's TestPopulateResident.
func TestPopulateLock(t *testing.T) {
	const size = 1 << 20
	p := testenv.WriteFile(t, "pop", nil)
	os.Truncate(p, 4*size)
	vmlck := func() int64 {
		b, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmLck:"); ok {
				var kb int64
				fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
				return kb << 10
			}
		}
		return -1
	}
	before := vmlck()
	g, err := Open(p, Options{Lock: true, Window: size})
	if err != nil {
		testenv.SkipOrFail(t, "mlock refused here: %v", err)
	}
	if got := vmlck() - before; got != size {
		t.Errorf("VmLck grew by %d; want %d", got, size)
	}
	g.ReadAt(make([]byte, 1), 3*size) // the next window is locked instead
	if got := vmlck() - before; got != size {
		t.Errorf("after moving: VmLck grew by %d; want %d", got, size)
	}
	g.Close()
	if got := vmlck() - before; got != 0 {
		t.Errorf("after Close: VmLck %d", got)
	}
}

// TestTruncateToZeroAndBack: a file emptied while open reads as empty
// (no mapping), and is mapped again when it grows.
func TestTruncateToZeroAndBack(t *testing.T) {
	ps := int64(os.Getpagesize())
	for _, w := range testenv.Windows {
		p := testenv.WriteFile(t, "z.bin", testenv.Pattern(int(3*ps), 60))
		f := open(t, p, Options{Window: w.Size})
		f.ReadAt(make([]byte, 1), 2*ps)
		os.Truncate(p, 0)
		if _, err := f.ReadAt(make([]byte, 1), 2*ps); !errors.Is(err, ErrFault) {
			t.Fatalf("%s: read after truncate to 0: %v", w.Name, err)
		}
		if off, n := f.Window(); f.Size() != 0 || off != 0 || n != 0 {
			t.Fatalf("%s: size %d window %d+%d", w.Name, f.Size(), off, n)
		}
		if n, err := f.ReadAt(make([]byte, 1), 0); n != 0 || err != io.EOF {
			t.Fatalf("%s: ReadAt of the empty file: %d %v", w.Name, n, err)
		}
		os.WriteFile(p, []byte("back again"), 0o644)
		if changed, err := f.Refresh(); !changed || err != nil || f.Size() != 10 {
			t.Fatalf("%s: Refresh: %v %v size %d", w.Name, changed, err, f.Size())
		}
		testenv.MustEqual(t, "after regrowth", readAll(t, f), []byte("back again"))
	}
}

// shrinkingWriter truncates path to size, then writes p to out: write(2)
// from mapped pages now past the end of the file.
type shrinkingWriter struct {
	path string
	size int64
	out  *os.File
}

func (w *shrinkingWriter) Write(p []byte) (int, error) {
	if err := os.Truncate(w.path, w.size); err != nil {
		return 0, err
	}
	return w.out.Write(p)
}

// CopyTo (mmhex cat) of a file that shrinks under it: write(2) fails with
// EFAULT on the pages past the new end; the error says the file shrank
// instead of "bad address".
func TestCopyToShrinks(t *testing.T) {
	ps := os.Getpagesize()
	p := testenv.WriteFile(t, "c.bin", testenv.Pattern(64*ps, 3))
	f := open(t, p, Options{ReadOnly: true})
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	n, err := f.CopyTo(&shrinkingWriter{path: p, size: int64(ps), out: out}, 0, -1)
	if want := p + ": offset is past end of file: the file shrank to " + strconv.Itoa(ps) + " bytes while copying"; err == nil || err.Error() != want || !errors.Is(err, ErrPastEnd) {
		t.Fatalf("CopyTo: %d, %v; want %q", n, err, want)
	}
	if n > int64(64*ps) {
		t.Errorf("wrote %d bytes", n)
	}
}

// TestDetached: the open file's name is followed: renamed over by another
// file, renamed away, or removed, and the reason says which: "removed"
// only when no name is left (link count 0); a new hard link or a write
// changes nothing.
func TestDetached(t *testing.T) {
	p := testenv.WriteFile(t, "d.bin", []byte("the open file"))
	f := open(t, p, Options{})
	if why, err := f.Detached(); why != "" || err != nil {
		t.Fatalf("fresh: %q %v", why, err)
	}
	os.Link(p, p+".link")
	f.WriteAt([]byte("T"), 0)
	if why, err := f.Detached(); why != "" || err != nil {
		t.Fatalf("after a link and a write: %q %v", why, err)
	}
	other := testenv.WriteFile(t, "new.bin", []byte("another file"))
	if err := os.Rename(other, p); err != nil {
		t.Fatal(err)
	}
	if why, err := f.Detached(); why != "replaced by another file" || err != nil {
		t.Fatalf("renamed over: %q %v", why, err)
	}
	os.Remove(p) // the other file; the open one is still p.link
	if why, err := f.Detached(); why != "renamed or replaced" || err != nil {
		t.Fatalf("name gone, file still linked: %q %v", why, err)
	}
	// The open file still takes edits; its other name shows them.
	if _, err := f.WriteAt([]byte("X"), 1); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p + ".link"); string(b) != "TXe open file" {
		t.Fatalf("through the link: %q", b)
	}
	os.Remove(p + ".link")
	if why, err := f.Detached(); why != "removed" || err != nil {
		t.Fatalf("removed: %q %v", why, err)
	}

	// Renamed away (mv): not "removed".
	q := testenv.WriteFile(t, "mv.bin", []byte("moved"))
	g := open(t, q, Options{})
	if err := os.Rename(q, q+".moved"); err != nil {
		t.Fatal(err)
	}
	if why, err := g.Detached(); why != "renamed or replaced" || err != nil {
		t.Fatalf("renamed away: %q %v", why, err)
	}
}
