package mapping

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
	"mmhex/mapping/wal"
)

// A journal record written short (the journal's filesystem full in the
// middle of it: pwrite returns fewer bytes and no error) is a failed
// record: the store does not happen and says why. It used to be taken
// for written: the store went to the file while its record was torn on
// disk, which recovery ignores, so the old bytes were lost (seen with
// mmhex insert, whose moved bytes were stored, then the next record
// failed: the file was left neither the old nor the new one, and
// recover could not revert it). Every store that returned no error has
// its whole record in the journal; the one refused changed nothing. Runs
// as root (mounts a 64 KiB tmpfs for the journal folder).
func TestJournalShortWrite(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=64k"); err != nil {
		testenv.SkipOrFail(t, "mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, 0) })
	t.Setenv("XDG_STATE_HOME", mnt)
	orig := testenv.Pattern(20000, 11)
	p := testenv.WriteFile(t, "f", orig)
	f := open(t, p, Options{})
	// The journal made, its first page used.
	if _, err := f.WriteAt([]byte{0x41}, 0); err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0x41}, orig[1:]...)
	// Fill the tmpfs but one page.
	var st unix.Statfs_t
	if err := unix.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "filler"), make([]byte, (int64(st.Bavail)-1)*st.Bsize), 0o600); err != nil {
		t.Fatal(err)
	}
	done, refused := 1, false
	for _, n := range []int{100, 3000, 8000, 12000} {
		b := testenv.Pattern(n, uint64(n))
		if _, err := f.WriteAt(b, 0x100); err != nil {
			refused = true
			break
		}
		copy(want[0x100:], b)
		done++
	}
	if !refused {
		t.Fatal("no store was refused: the journal's filesystem did not fill")
	}
	got := make([]byte, len(want))
	f.ReadAt(got, 0)
	testenv.MustEqual(t, "the file after a store refused", got, want)
	// A truncate whose cut bytes do not fit in the journal: refused,
	// saying nothing was changed.
	err := f.Resize(100)
	if err == nil || !strings.HasSuffix(err.Error(), ": no space left on device; nothing was changed") || f.Size() != int64(len(want)) {
		t.Fatalf("truncate with the journal full: %v (size %d)", err, f.Size())
	}
	testenv.MustEqual(t, "the disk after a truncate refused", testenv.DiskBytes(t, p), want)
	h := f.JournalHeader()
	f.Close() // unsynced: the journal stays
	js, bad, err := wal.Find(h.Dev, h.Ino)
	if err != nil || len(bad) != 0 || len(js) != 1 {
		t.Fatalf("journals %d, bad %v, %v", len(js), bad, err)
	}
	defer js[0].Close()
	if n := len(js[0].Records); n != done || js[0].Torn {
		t.Fatalf("the journal holds %d whole records (torn tail %v) for the %d stores done", n, js[0].Torn, done)
	}
}
