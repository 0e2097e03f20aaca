package mapping

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func groupFile(t *testing.T, content []byte) (*File, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "g.bin")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return open(t, p, Options{}), p
}

func mustBytes(t *testing.T, f *File, want []byte, what string) {
	t.Helper()
	if got := readAll(t, f); !bytes.Equal(got, want) {
		t.Fatalf("%s: file is %q, want %q", what, got, want)
	}
}

// TestGroupOneUndoStep: the edits of a Group are one undo step (one Undo
// puts back every byte, one Redo applies them all again), one unsynced
// edit, and the Edit spans them with Parts counting the entries.
func TestGroupOneUndoStep(t *testing.T) {
	orig := []byte("aXbXcXdXeX")
	f, _ := groupFile(t, orig)
	if _, err := f.WriteAt([]byte("1"), 0); err != nil { // a step before the group
		t.Fatal(err)
	}
	g := f.Group()
	for _, off := range []int64{1, 3, 5, 7, 9} {
		if _, err := g.WriteAt([]byte("Y"), off); err != nil {
			t.Fatal(err)
		}
	}
	mustBytes(t, f, []byte("1YbYcYdYeY"), "after the group")
	if n := f.UnsyncedEdits(); n != 2 {
		t.Fatalf("UnsyncedEdits = %d, want 2 (one edit, one group)", n)
	}
	ed, err := f.Undo()
	if err != nil {
		t.Fatal(err)
	}
	if ed.Parts != 5 || ed.Off != 1 || ed.Len != 9 || ed.Restored != 5 || ed.Dropped {
		t.Fatalf("Undo = %+v, want Parts 5, Off 1, Len 9, Restored 5", ed)
	}
	mustBytes(t, f, []byte("1XbXcXdXeX"), "after one undo")
	if ed, err = f.Redo(); err != nil || ed.Parts != 5 || ed.Restored != 5 {
		t.Fatalf("Redo = %+v, %v", ed, err)
	}
	mustBytes(t, f, []byte("1YbYcYdYeY"), "after redo")
	f.Undo()
	if ed, err = f.Undo(); err != nil || ed.Parts != 1 || ed.Off != 0 {
		t.Fatalf("second Undo = %+v, %v; want the single edit at 0", ed, err)
	}
	mustBytes(t, f, orig, "after two undos")
	if _, err := f.Undo(); err == nil {
		t.Fatal("third Undo: no error, want nothing to undo")
	}
}

// TestGroupBrokenByOtherEdit: an edit, undo or sync between two writes
// of a group ends its step; the group's next write starts a new one.
func TestGroupBrokenByOtherEdit(t *testing.T) {
	f, _ := groupFile(t, []byte("........"))
	g := f.Group()
	g.WriteAt([]byte("a"), 0)
	g.WriteAt([]byte("b"), 1)
	f.WriteAt([]byte("Z"), 7) // another edit
	g.WriteAt([]byte("c"), 2)
	g.WriteAt([]byte("d"), 3)
	if n := f.UnsyncedEdits(); n != 3 {
		t.Fatalf("UnsyncedEdits = %d, want 3", n)
	}
	f.Undo()
	mustBytes(t, f, []byte("ab.....Z"), "after undoing the second part")
	f.Undo()
	mustBytes(t, f, []byte("ab......"), "after undoing the other edit")
	f.Undo()
	mustBytes(t, f, []byte("........"), "after undoing the first part")

	f2, _ := groupFile(t, []byte("........"))
	g = f2.Group()
	g.WriteAt([]byte("a"), 0)
	if _, err := f2.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	g.WriteAt([]byte("b"), 1)
	if n := f2.UnsyncedEdits(); n != 1 {
		t.Fatalf("after a sync inside the group: UnsyncedEdits = %d, want 1", n)
	}
	if r, err := f2.RevertUnsynced(); err != nil || r.Edits != 1 {
		t.Fatalf("RevertUnsynced = %+v, %v", r, err)
	}
	mustBytes(t, f2, []byte("a......."), "after reverting the unsynced part")
}

// TestGroupRevertAll: RevertAll counts a group as one edit and puts back
// every byte; RevertUnsynced of a group straddling the synced point stops
// at that point.
func TestGroupRevertAll(t *testing.T) {
	orig := bytes.Repeat([]byte{'.'}, 100)
	f, _ := groupFile(t, orig)
	g := f.Group()
	for off := int64(0); off < 100; off += 3 {
		g.WriteAt([]byte("ab"), off)
	}
	f.WriteAt([]byte("!"), 99)
	r, err := f.RevertAll()
	if err != nil || r.Edits != 2 {
		t.Fatalf("RevertAll = %+v, %v; want 2 edits", r, err)
	}
	mustBytes(t, f, orig, "after RevertAll")
}

// TestGroupUndoSkipsOtherWriter: undo of a group leaves alone the bytes
// another writer changed since (named in Skipped) and restores the rest.
func TestGroupUndoSkipsOtherWriter(t *testing.T) {
	f, p := groupFile(t, []byte("0123456789"))
	g := f.Group()
	g.WriteAt([]byte("A"), 2)
	g.WriteAt([]byte("B"), 5)
	g.WriteAt([]byte("C"), 8)
	w, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteAt([]byte("x"), 5)
	w.Close()
	ed, err := f.Undo()
	if err != nil {
		t.Fatal(err)
	}
	mustBytes(t, f, []byte("01234x6789"), "after undo")
	if ed.Restored != 2 || ed.Skipped.String() != "left 1 byte at 0x5 alone: "+WhyChanged {
		t.Fatalf("Undo = Restored %d, Skipped %q", ed.Restored, ed.Skipped.String())
	}
	// Undo again: nothing left (the middle entry was dropped, the group
	// is gone as one step).
	if _, err := f.Undo(); err == nil {
		t.Fatal("Undo after the group: no error, want nothing to undo")
	}
}
