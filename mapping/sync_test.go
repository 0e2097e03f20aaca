package mapping

import (
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
