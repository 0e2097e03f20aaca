package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

// smallTmpfs mounts a tmpfs of size bytes on a new folder for the test
// (root only: skips, or fails in CI, otherwise).
func smallTmpfs(t testing.TB, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0755", size)); err != nil {
		testenv.SkipOrFail(t, "mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// fillFS writes a file in dir until the filesystem is full but for keep
// pages.
func fillFS(t testing.TB, dir string, keep int64) {
	t.Helper()
	ps := int64(os.Getpagesize())
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	free := int64(fs.Bfree) * fs.Bsize / ps
	if free <= keep {
		t.Fatalf("tmpfs has %d free pages, want more than %d", free, keep)
	}
	if err := os.WriteFile(filepath.Join(dir, "filler"), make([]byte, (free-keep)*ps), 0o644); err != nil {
		t.Fatal(err)
	}
	unix.Statfs(dir, &fs)
	if got := int64(fs.Bfree) * fs.Bsize / ps; got != keep {
		t.Fatalf("tmpfs has %d free pages after the filler, want %d", got, keep)
	}
}

// TestFillIntoHoleOnFullFS: a fill of a sparse file's hole on a full
// filesystem faults part-way. The error says there is no space and that
// the size did not change; the pages it stored are journaled, so undo,
// redo and both reverts put them back (today the fill pushed no entry:
// "nothing to undo", and the stored pages kept the fill byte).
func TestFillIntoHoleOnFullFS(t *testing.T) {
	ps := int64(os.Getpagesize())
	const size = 1 << 20
	for _, how := range []string{"undo", "revert-unsynced", "revert-all"} {
		t.Run(how, func(t *testing.T) {
			dir := smallTmpfs(t, 32*ps)
			p := filepath.Join(dir, "sparse.bin")
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, size); err != nil {
				t.Fatal(err)
			}
			fillFS(t, dir, 3)
			f := open(t, p, Options{})
			err := f.Fill(0, size, 0xAA)
			want := fmt.Sprintf("%s: storing at %#x: no space left on device (memory fault); the file size did not change (%d bytes)", p, 3*ps, size)
			if err == nil || err.Error() != want || !errors.Is(err, ErrFault) || !errors.Is(err, unix.ENOSPC) {
				t.Fatalf("Fill on a full tmpfs: %v\nwant %s", err, want)
			}
			if f.Size() != size {
				t.Fatalf("size %d", f.Size())
			}
			got := readAll(t, f)
			stored := bytes.Repeat([]byte{0xAA}, int(3*ps))
			testenv.MustEqual(t, "the stored part", got[:3*ps], stored)
			testenv.MustEqual(t, "the rest", got[3*ps:], make([]byte, size-3*ps))
			if n := f.UnsyncedEdits(); n != 1 {
				t.Fatalf("UnsyncedEdits = %d, want 1 (the stored part)", n)
			}
			switch how {
			case "undo":
				ed, err := f.Undo()
				if err != nil || ed.Off != 0 || ed.Len != 3*ps || ed.Restored != 3*ps || ed.Skipped.Ranges != 0 {
					t.Fatalf("Undo = %+v, %v; want the %d stored bytes", ed, err, 3*ps)
				}
				testenv.MustEqual(t, "after undo", readAll(t, f), make([]byte, size))
				if _, err := f.Redo(); err != nil {
					t.Fatal(err)
				}
				testenv.MustEqual(t, "after redo", readAll(t, f)[:3*ps], stored)
				if _, err := f.Undo(); err != nil {
					t.Fatal(err)
				}
			case "revert-unsynced":
				if r, err := f.RevertUnsynced(); err != nil || r.Edits != 1 {
					t.Fatalf("RevertUnsynced = %+v, %v", r, err)
				}
			case "revert-all":
				if r, err := f.RevertAll(); err != nil || r.Edits != 1 {
					t.Fatalf("RevertAll = %+v, %v", r, err)
				}
			}
			testenv.MustEqual(t, "mapped after "+how, readAll(t, f), make([]byte, size))
			testenv.MustEqual(t, "file after "+how, testenv.DiskBytes(t, p), make([]byte, size))
		})
	}
}

// TestFillWhileFileShrinks: the file shrinks during a fill (one page per
// window, the truncate between two pages). The error says the file shrank,
// with the new size; the part stored is journaled and undo puts back what
// is left of it, saying the rest is past the end.
func TestFillWhileFileShrinks(t *testing.T) {
	ps := int64(os.Getpagesize())
	for _, w := range testenv.Windows[:2] { // windows of one and three pages: the fill is stored in parts
		t.Run(w.Name, func(t *testing.T) {
			content := testenv.Pattern(int(8*ps), 77)
			p := testenv.WriteFile(t, "shrink.bin", content)
			f := open(t, p, Options{Window: w.Size})
			newSize := 3*ps + 100
			var cut int64
			f.hooks.store = func(reached int64) {
				if reached >= 3*ps+1 && cut == 0 {
					cut = reached
					if err := os.Truncate(p, newSize); err != nil {
						t.Error(err)
					}
				}
			}
			defer func() { f.hooks.store = nil }()
			err := f.Fill(ps/2, 7*ps, 0x55)
			f.hooks.store = nil
			want := fmt.Sprintf("%s: at %#x: the file shrank to %d bytes (memory fault)", p, cut, newSize)
			if err == nil || err.Error() != want || !errors.Is(err, ErrShrank) || !errors.Is(err, ErrFault) {
				t.Fatalf("Fill while shrinking: %v\nwant %s", err, want)
			}
			if f.Size() != newSize {
				t.Fatalf("size %d, want %d", f.Size(), newSize)
			}
			if n := f.UnsyncedEdits(); n != 1 {
				t.Fatalf("UnsyncedEdits = %d, want 1", n)
			}
			ed, err := f.Undo()
			if err != nil || ed.Len != cut-ps/2 || ed.Restored != newSize-ps/2 {
				t.Fatalf("Undo = off %#x len %d restored %d, %v", ed.Off, ed.Len, ed.Restored, err)
			}
			wantSkip := fmt.Sprintf("left %d bytes at %#x alone: past the end of the file, which shrank to %d bytes", cut-newSize, newSize, newSize)
			if ed.Skipped.String() != wantSkip {
				t.Fatalf("Undo skipped %q\nwant %q", ed.Skipped, wantSkip)
			}
			testenv.MustEqual(t, "after undo", readAll(t, f), content[:newSize])
			testenv.MustEqual(t, "file after undo", testenv.DiskBytes(t, p), content[:newSize])
		})
	}
}

// otherWriter stores b at off with pwrite(2), as another program would.
func otherWriter(t testing.TB, path string, off int64, b []byte) {
	t.Helper()
	o, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := o.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// TestUndoLeavesOtherWritersBytes: undo, redo and both reverts compare
// the bytes with what the edit wrote (or found) and leave alone those
// another writer changed since, saying which and why (today they were put
// back over the other writer's bytes).
func TestUndoLeavesOtherWritersBytes(t *testing.T) {
	content := testenv.Pattern(3*os.Getpagesize(), 5)
	t.Run("whole edit", func(t *testing.T) {
		p := testenv.WriteFile(t, "a.bin", content)
		f := open(t, p, Options{})
		f.WriteAt([]byte{0x11}, 0)
		otherWriter(t, p, 0, []byte{0x22})
		ed, err := f.Undo()
		if err != nil || !ed.Dropped || ed.Restored != 0 {
			t.Fatalf("Undo = %+v, %v; want dropped, nothing restored", ed, err)
		}
		if s := ed.Skipped.String(); s != "left 1 byte at 0x0 alone: changed by another writer since the edit" {
			t.Fatalf("skipped: %q", s)
		}
		if b := readAll(t, f)[0]; b != 0x22 {
			t.Fatalf("byte 0 is %#x, want the other writer's 0x22", b)
		}
		if n := f.UnsyncedEdits(); n != 0 {
			t.Fatalf("UnsyncedEdits = %d after an undo that changed nothing", n)
		}
		if _, err := f.Redo(); !errors.Is(err, ErrNothingToRedo) {
			t.Fatalf("Redo of a dropped edit: %v", err)
		}
	})
	t.Run("part", func(t *testing.T) {
		p := testenv.WriteFile(t, "b.bin", content)
		f := open(t, p, Options{})
		f.WriteAt([]byte("ABCD"), 10)
		otherWriter(t, p, 12, []byte("x"))
		ed, err := f.Undo()
		if err != nil || ed.Dropped || ed.Restored != 3 {
			t.Fatalf("Undo = %+v, %v", ed, err)
		}
		if s := ed.Skipped.String(); s != "left 1 byte at 0xc alone: changed by another writer since the edit" {
			t.Fatalf("skipped: %q", s)
		}
		want := append([]byte(nil), content...)
		want[12] = 'x'
		testenv.MustEqual(t, "after undo", readAll(t, f), want)
		// Redo: the other writer changes byte 10 back in between.
		otherWriter(t, p, 10, []byte("y"))
		ed, err = f.Redo()
		if err != nil || ed.Restored != 2 {
			t.Fatalf("Redo = %+v, %v", ed, err)
		}
		if s := ed.Skipped.String(); s != "left 2 bytes in 2 ranges alone: 1 byte at 0xa (changed by another writer since the edit), 1 byte at 0xc (changed by another writer since the edit)" {
			t.Fatalf("redo skipped: %q", s)
		}
		copy(want[10:], "yBxD")
		testenv.MustEqual(t, "after redo", readAll(t, f), want)
	})
	for _, how := range []string{"revert-all", "revert-unsynced"} {
		t.Run(how, func(t *testing.T) {
			p := testenv.WriteFile(t, "c.bin", content)
			f := open(t, p, Options{})
			f.WriteAt([]byte{0x11}, 0)
			f.WriteAt([]byte("ZZ"), 100)
			otherWriter(t, p, 0, []byte{0x22})
			if _, err := f.Sync(MSSync); err != nil {
				t.Fatal(err)
			}
			f.WriteAt([]byte{0x33}, 1)
			otherWriter(t, p, 1, []byte{0x44})
			var r Reverted
			var err error
			want := append([]byte(nil), content...)
			want[0], want[1] = 0x22, 0x44
			skip := "left 1 byte at 0x1 alone: changed by another writer since the edit"
			if how == "revert-all" {
				r, err = f.RevertAll()
				skip = "left 2 bytes in 2 ranges alone: 1 byte at 0x1 (changed by another writer since the edit), 1 byte at 0x0 (changed by another writer since the edit)"
			} else {
				r, err = f.RevertUnsynced()
				copy(want[100:], "ZZ") // synced: stays
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := r.Skipped.String(); s != skip {
				t.Fatalf("%s skipped %q\nwant %q", how, s, skip)
			}
			testenv.MustEqual(t, "after "+how, readAll(t, f), want)
			testenv.MustEqual(t, "file after "+how, testenv.DiskBytes(t, p), want)
		})
	}
}

// TestUndoPastEndOfShrunkFile: undo of an edit wholly past the end of a
// file that shrank restores nothing, says so, and is not counted as an
// unsynced edit afterwards (synced or not before).
func TestUndoPastEndOfShrunkFile(t *testing.T) {
	ps := int64(os.Getpagesize())
	for _, synced := range []bool{false, true} {
		t.Run(fmt.Sprintf("synced=%v", synced), func(t *testing.T) {
			p := testenv.WriteFile(t, "s.bin", testenv.Pattern(int(4*ps), 8))
			f := open(t, p, Options{})
			f.WriteAt([]byte("ab"), 3*ps)
			if synced {
				if _, err := f.Sync(MSSync); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Truncate(p, ps); err != nil {
				t.Fatal(err)
			}
			ed, err := f.Undo()
			if err != nil || !ed.Dropped || ed.Restored != 0 {
				t.Fatalf("Undo = %+v, %v", ed, err)
			}
			want := fmt.Sprintf("left 2 bytes at %#x alone: past the end of the file, which shrank to %d bytes", 3*ps, ps)
			if s := ed.Skipped.String(); s != want {
				t.Fatalf("skipped %q\nwant %q", s, want)
			}
			if n := f.UnsyncedEdits(); n != 0 {
				t.Fatalf("UnsyncedEdits = %d after an undo that restored nothing", n)
			}
		})
	}
}

// TestSpillReused: fill a large range, undo, sync, repeat: the undone
// fill's old bytes are freed when the next fill drops it from the redo
// list, so the files holding them do not grow round after round. In
// shared mode they are the durable journal's (a sync with nothing to
// recover detaches the journal, kept open unlinked while undo needs its
// bytes, closed when it no longer does); in private mode the spill file
// holds at most one fill.
func TestSpillReused(t *testing.T) {
	const size = 8 << 20
	for _, o := range []Options{{}, {Private: true}} {
		p := testenv.WriteFile(t, "big.bin", testenv.Pattern(size, 31))
		f := open(t, p, o)
		held := func() (length, alloc int64) {
			files := []*os.File{}
			if f.j.spill != nil {
				files = append(files, f.j.spill)
			}
			for _, s := range f.j.segs {
				files = append(files, s.file)
			}
			for _, fh := range files {
				var st unix.Stat_t
				if err := unix.Fstat(int(fh.Fd()), &st); err != nil {
					t.Fatal(err)
				}
				length, alloc = length+st.Size, alloc+st.Blocks*512
			}
			return
		}
		limit := int64(size + 1<<20) // one fill
		if !o.Private {
			limit = 3*size + 1<<20 // the fill's old bytes, its undo's record (old and new bytes)
		}
		var first int64
		for round := range 4 {
			if err := f.Fill(0, size, byte(round+1)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Undo(); err != nil {
				t.Fatal(err)
			}
			if !o.Private {
				if _, err := f.Sync(MSSync); err != nil {
					t.Fatal(err)
				}
			}
			_, alloc := held()
			if round == 0 {
				first = alloc
			}
			if alloc > first || alloc > limit {
				t.Fatalf("private=%v round %d: %d bytes allocated for the undo's bytes (first round %d); want at most %d",
					o.Private, round, alloc, first, limit)
			}
		}
		if !o.Private {
			testenv.MustEqual(t, "file", testenv.DiskBytes(t, p), testenv.Pattern(size, 31))
		}
		// Dropping the redo list by a small edit frees them.
		f.WriteAt([]byte("x"), 0)
		if length, alloc := held(); alloc > 64<<10 || (o.Private && length != 0) {
			t.Fatalf("private=%v: after the redo list was dropped %d bytes long, %d allocated", o.Private, length, alloc)
		}
		f.Close()
	}
}

// TestSpillDir: $TMPDIR wins; without it, when /tmp is a tmpfs (here: a
// tmpfs mounted for the test stands in for it) the spill file goes to a
// disk-backed folder, $XDG_CACHE_HOME/mmhex (made 0700) or /var/tmp.
func TestSpillDir(t *testing.T) {
	d := t.TempDir()
	t.Setenv("TMPDIR", d)
	if got := SpillDir(); got != d {
		t.Fatalf("with TMPDIR: %s", got)
	}
	t.Setenv("TMPDIR", "")
	if onTmpfs(d) || !usable("/var/tmp") {
		testenv.SkipOrFail(t, "the test folders or /var/tmp are not on a disk here")
	}
	if got := spillDir(d); got != d {
		t.Fatalf("/tmp on a disk: spill dir %s, want %s", got, d)
	}
	tmpfs := smallTmpfs(t, 1<<20)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	want := filepath.Join(cache, "mmhex")
	if got := spillDir(tmpfs); got != want {
		t.Fatalf("/tmp a tmpfs: spill dir %s, want %s", got, want)
	}
	if st, err := os.Stat(want); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("%s: %v %v", want, st.Mode(), err)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	if got := spillDir(tmpfs); got != "/var/tmp" {
		t.Fatalf("/tmp a tmpfs, no XDG_CACHE_HOME: spill dir %s, want /var/tmp", got)
	}
	t.Setenv("XDG_CACHE_HOME", tmpfs)
	if got := spillDir(tmpfs); got != "/var/tmp" {
		t.Fatalf("/tmp and XDG_CACHE_HOME tmpfs: spill dir %s, want /var/tmp", got)
	}
}
