package wal

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A search for journals that holds a new journal locked for a moment,
// between its creation and its creator's lock (it opens every *.mmj of
// the folder and locks it to read it), no longer makes Create fail
// ("resource temporarily unavailable": the edit refused).
func TestCreateWhileFound(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	released := make(chan struct{})
	createdHook = func(path string) {
		fh, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Error(err)
			close(released)
			return
		}
		if err := unix.Flock(int(fh.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			t.Errorf("the search's lock: %v", err)
		}
		go func() {
			time.Sleep(100 * time.Millisecond) // the search reads, then lets go
			fh.Close()
			close(released)
		}()
	}
	defer func() { createdHook = nil }()
	w, err := Create(Header{Dev: 1, Ino: 2, Path: "/x"})
	if err != nil {
		t.Fatalf("Create while a search held the new file: %v", err)
	}
	<-released
	w.Close(true)
}
