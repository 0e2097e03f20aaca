package mapping

import (
	"fmt"
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

// TestEditDuringSync: Sync works without the mutex; an edit made while it
// runs stays unsynced, whether its page was being synced or not.
func TestEditDuringSync(t *testing.T) {
	ps := int64(os.Getpagesize())
	p := testenv.WriteFile(t, "es.bin", testenv.Pattern(int(8*ps), 70))
	f := open(t, p, Options{Window: ps})
	f.WriteAt([]byte("1"), 0)
	f.WriteAt([]byte("2"), 2*ps)
	ran := false
	f.hooks.sync = func() {
		ran = true
		if _, err := f.WriteAt([]byte("during"), 2*ps+1); err != nil { // a page being synced
			t.Error(err)
		}
		if _, err := f.WriteAt([]byte("new"), 5*ps); err != nil { // another page
			t.Error(err)
		}
		b := make([]byte, 6)
		if _, err := f.ReadAt(b, 2*ps+1); err != nil || string(b) != "during" {
			t.Errorf("ReadAt during Sync: %q %v", b, err)
		}
	}
	defer func() { f.hooks.sync = nil }()
	res, err := f.Sync(MSSync)
	if err != nil || !ran || res.Pages != 2 {
		t.Fatalf("Sync = %+v, %v (hook ran: %v)", res, err, ran)
	}
	if got := f.UnsyncedPageList(); len(got) != 2 || got[0] != 2*ps || got[1] != 5*ps {
		t.Fatalf("unsynced pages after Sync: %v", got)
	}
	if f.UnsyncedEdits() != 2 {
		t.Fatalf("unsynced edits %d", f.UnsyncedEdits())
	}
	f.Undo()
	f.Undo()
	if f.UnsyncedEdits() != 0 {
		t.Fatalf("after undoing the two edits made during the sync: %d", f.UnsyncedEdits())
	}
}

// TestUnsyncedUntilSyncReturns: "unsynced" means "not known to be on
// disk". While an MS_SYNC (or the fdatasync of SyncFile) runs, the edits
// and pages it is writing still count as unsynced; they count as synced
// only once it has returned. (Before, the synced point moved when the
// sync began: a SIGTERM during a long Ctrl-S said nothing was left to
// writeback.)
func TestUnsyncedUntilSyncReturns(t *testing.T) {
	ps := int64(os.Getpagesize())
	p := testenv.WriteFile(t, "us.bin", testenv.Pattern(int(8*ps), 71))
	f := open(t, p, Options{Window: ps})
	f.WriteAt([]byte("1"), 0)
	f.WriteAt([]byte("2"), 2*ps)
	type state struct {
		edits, pages int
		list         []int64
		ranges       []PageRange
		u0, u1, u2   bool
	}
	get := func() state {
		return state{f.UnsyncedEdits(), f.UnsyncedPages(), f.UnsyncedPageList(), f.UnsyncedRanges(),
			f.IsUnsynced(0), f.IsUnsynced(ps), f.IsUnsynced(2*ps + 5)}
	}
	var during []state
	f.hooks.sync = func() { during = append(during, get()) }
	defer func() { f.hooks.sync = nil }()
	for _, sync := range []struct {
		name string
		do   func() (SyncResult, error)
	}{
		{"Sync(MSSync)", func() (SyncResult, error) { return f.Sync(MSSync) }},
		{"SyncFile", f.SyncFile},
	} {
		during = nil
		if _, err := sync.do(); err != nil {
			t.Fatalf("%s: %v", sync.name, err)
		}
		if len(during) != 1 {
			t.Fatalf("%s: hook ran %d times", sync.name, len(during))
		}
		d := during[0]
		if d.edits != 2 || d.pages != 2 || len(d.list) != 2 || d.list[0] != 0 || d.list[1] != 2*ps ||
			len(d.ranges) != 2 || d.ranges[0] != (PageRange{0, 1}) || d.ranges[1] != (PageRange{2, 3}) ||
			!d.u0 || d.u1 || !d.u2 {
			t.Fatalf("%s: while it runs: %+v, want 2 edits on pages 0 and 2 unsynced", sync.name, d)
		}
		if a := get(); a.edits != 0 || a.pages != 0 || len(a.list) != 0 || len(a.ranges) != 0 || a.u0 || a.u2 {
			t.Fatalf("%s: after it returned: %+v, want nothing unsynced", sync.name, a)
		}
		f.WriteAt([]byte("1"), 0) // again for the next one
		f.WriteAt([]byte("2"), 2*ps)
	}
}

// TestUnsyncedBytes: the bytes stored since the last MS_SYNC, not their
// pages: edits, an undo (the bytes it stored back), a revert (every byte
// it restores); a sync in flight keeps them until it returns and an edit
// made meanwhile stays; MS_ASYNC keeps them; a file that shrank drops what
// is past its end.
func TestUnsyncedBytes(t *testing.T) {
	ps := int64(os.Getpagesize())
	p := testenv.WriteFile(t, "ub.bin", testenv.Pattern(int(8*ps), 72))
	f := open(t, p, Options{Window: ps})
	spans := func(off, end int64) string { return fmt.Sprint(f.UnsyncedBytes(off, end)) }
	f.WriteAt([]byte("ab"), 10)
	f.WriteAt([]byte("c"), 12) // merged with the edit before
	f.WriteAt([]byte("xyz"), 3*ps-1)
	if got, want := spans(0, 8*ps), fmt.Sprintf("[{10 13} {%d %d}]", 3*ps-1, 3*ps+2); got != want {
		t.Fatalf("UnsyncedBytes = %s, want %s", got, want)
	}
	if got, want := spans(11, 3*ps), fmt.Sprintf("[{11 13} {%d %d}]", 3*ps-1, 3*ps); got != want {
		t.Fatalf("UnsyncedBytes clipped = %s, want %s", got, want)
	}
	if !f.IsUnsyncedByte(12) || f.IsUnsyncedByte(13) || f.IsUnsyncedByte(9) || !f.IsUnsynced(13) {
		t.Fatal("IsUnsyncedByte: the byte, not its page")
	}
	if _, err := f.Sync(MSAsync); err != nil || spans(0, 8*ps) == "[]" {
		t.Fatalf("MS_ASYNC took the bytes out: %v %s", err, spans(0, 8*ps))
	}
	f.hooks.sync = func() {
		if got := spans(0, 20); got != "[{10 13}]" {
			t.Errorf("while the sync runs: %s", got)
		}
		f.WriteAt([]byte("d"), 16) // made during the sync: stays
	}
	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	f.hooks.sync = nil
	if got := spans(0, 8*ps); got != "[{16 17}]" {
		t.Fatalf("after the sync: %s, want only the byte stored during it", got)
	}
	f.Undo() // the byte at 16 back: stored again, still unsynced
	f.Undo() // the synced edit at 3ps-1: stored back, unsynced again
	if got, want := spans(0, 8*ps), fmt.Sprintf("[{16 17} {%d %d}]", 3*ps-1, 3*ps+2); got != want {
		t.Fatalf("after two undos: %s, want %s", got, want)
	}
	if _, err := f.Sync(MSSync); err != nil || spans(0, 8*ps) != "[]" {
		t.Fatalf("after a second sync: %v %s", err, spans(0, 8*ps))
	}
	if _, err := f.RevertAll(); err != nil {
		t.Fatal(err)
	}
	if got := spans(0, 8*ps); got != "[{10 13}]" { // the edits at 16 and 3ps-1 were undone already
		t.Fatalf("after RevertAll: %s, want the restored bytes [{10 13}]", got)
	}
	f.WriteAt([]byte("xyz"), 3*ps-1)
	if err := os.Truncate(p, 3*ps); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Refresh(); err != nil {
		t.Fatal(err)
	}
	if got, want := spans(0, 8*ps), fmt.Sprintf("[{10 13} {%d %d}]", 3*ps-1, 3*ps); got != want {
		t.Fatalf("after the file shrank: %s, want %s", got, want)
	}
}

// TestUndoRedoBytes: the size of the next undo and redo step, a group
// counted whole.
func TestUndoRedoBytes(t *testing.T) {
	p := testenv.WriteFile(t, "ur.bin", testenv.Pattern(1<<16, 73))
	f := open(t, p, Options{})
	if f.UndoBytes() != 0 || f.RedoBytes() != 0 {
		t.Fatal("a new file has steps")
	}
	f.WriteAt([]byte("abc"), 10)
	if err := f.Fill(100, 5000, 0); err != nil {
		t.Fatal(err)
	}
	g := f.Group()
	g.WriteAt([]byte("xy"), 200)
	g.WriteAt([]byte("z"), 300)
	if f.UndoBytes() != 3 || f.RedoBytes() != 0 {
		t.Fatalf("a group of 2+1 bytes: undo %d redo %d", f.UndoBytes(), f.RedoBytes())
	}
	f.Undo()
	if f.UndoBytes() != 5000 || f.RedoBytes() != 3 {
		t.Fatalf("after one undo: undo %d redo %d", f.UndoBytes(), f.RedoBytes())
	}
	f.Undo()
	f.Undo()
	if f.UndoBytes() != 0 || f.RedoBytes() != 3 {
		t.Fatalf("all undone: undo %d redo %d", f.UndoBytes(), f.RedoBytes())
	}
}
