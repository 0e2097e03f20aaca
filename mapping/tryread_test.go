package mapping

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// TestTryReadAtDuringRestore: while the undo of a 2 MiB write stores its
// bytes (held in the store hook, the mutex held by the step), TryReadAt
// answers ErrBusy at once and the frame's accessors answer the values from
// before the step, without waiting; ReadAt waits; after the step all read
// the restored bytes and the new counts.
func TestTryReadAtDuringRestore(t *testing.T) {
	const n = 2 << 20
	p := testenv.WriteFile(t, "u.bin", make([]byte, 4<<20))
	f := open(t, p, Options{})
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xab}, n), 0); err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	first := true
	f.SetStoreHook(func(reached int64) {
		if first && reached >= 1<<20 {
			first = false
			close(held)
			<-release
		}
	})
	undone := make(chan error, 1)
	go func() { _, err := f.Undo(); undone <- err }()
	select {
	case <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("the undo never reached its store")
	}
	answered := make(chan string, 1)
	go func() {
		var b [4]byte
		k, err := f.TryReadAt(b[:], 0)
		off, ln := f.Window()
		last, has := f.LastSync()
		answered <- fmt.Sprintf("%d %v size %d window %d+%d edits %d pages %d synced %v %v bytes %v",
			k, err, f.Size(), off, ln, f.UnsyncedEdits(), f.UnsyncedPages(), has, last.Pages, f.UnsyncedBytes(0, 10))
	}()
	select {
	case got := <-answered:
		want := fmt.Sprintf("0 %v size %d window 0+%d edits 1 pages %d synced false 0 bytes []", ErrBusy, 4<<20, min(f.winSize, 4<<20), n/f.page)
		if got != want {
			t.Errorf("during the step:\n got %s\nwant %s", got, want)
		}
	case <-time.After(20 * time.Second):
		close(release)
		t.Fatal("a frame's accessor waited for the restore step")
	}
	var b [4]byte
	read := make(chan error, 1)
	go func() { _, err := f.ReadAt(b[:], n-4); read <- err }()
	select {
	case err := <-read:
		t.Errorf("ReadAt did not wait for the step (%v)", err)
	case <-time.After(50 * time.Millisecond): // ReadAt waits: a fixed wait can only miss, not fail wrongly
	}
	close(release)
	if err := <-undone; err != nil {
		t.Fatal(err)
	}
	if err := <-read; err != nil || b != [4]byte{} {
		t.Fatalf("ReadAt after the step: %x, %v", b, err)
	}
	if k, err := f.TryReadAt(b[:], 0); k != 4 || err != nil || b != [4]byte{} {
		t.Fatalf("TryReadAt after the step: %d %x %v", k, b, err)
	}
	if e := f.UnsyncedEdits(); e != 0 {
		t.Fatalf("after the step %d unsynced edits, want 0", e)
	}
}
