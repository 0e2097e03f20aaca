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
	syncHook = func() {
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
	defer func() { syncHook = nil }()
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
