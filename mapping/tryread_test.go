package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// TestTryReadAtDuringRestore: while the undo of a 2 MiB write stores its
// bytes (held in the store hook, the mutex held by the step), TryReadAt
// answers ErrBusy at once and the frame's accessors answer the values from
// before the step, and WithDescriptor (a highlighter's FIEMAP) runs with the
// size from before, without waiting; ReadAt waits; after the step all read
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
		var dsize int64 = -1
		derr := f.WithDescriptor(func(_ int, size int64) error { dsize = size; return nil })
		answered <- fmt.Sprintf("%d %v size %d window %d+%d edits %d pages %d synced %v %v bytes %v descriptor %d %v",
			k, err, f.Size(), off, ln, f.UnsyncedEdits(), f.UnsyncedPages(), has, last.Pages, f.UnsyncedBytes(0, 10), dsize, derr)
	}()
	select {
	case got := <-answered:
		want := fmt.Sprintf("0 %v size %d window 0+%d edits 1 pages %d synced false 0 bytes [] descriptor %d <nil>", ErrBusy, 4<<20, min(f.winSize, 4<<20), n/f.page, 4<<20)
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

// TestReadAtDuringPartedRestore: the undo of a 2 MiB write stores its
// bytes in parts (restorePart, 256 KiB here) and lets the mutex go
// between two: a ReadAt that queued while the second part held the mutex
// gets it before the third part begins (it reads the first two parts
// restored and the rest still edited, exactly), while a WriteAt that came
// meanwhile waits for the whole step (the journal sees the step whole:
// the WriteAt is a new edit after it, and the redo list it drops is the
// undone step).
func TestReadAtDuringPartedRestore(t *testing.T) {
	const n, part = 2 << 20, 256 << 10
	orig := testenv.Pattern(n, 7)
	p := testenv.WriteFile(t, "parts.bin", orig)
	f := open(t, p, Options{})
	f.restorePart = part
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xab}, n), 0); err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	read, wrote := make(chan []byte, 1), make(chan error, 1)
	var wroteDone, wroteInStep atomic.Bool
	first := true
	f.SetStoreHook(func(reached int64) {
		if first && reached > part {
			first = false
			close(held)
			<-release
		}
		if wroteDone.Load() {
			wroteInStep.Store(true)
		}
	})
	undone := make(chan error, 1)
	go func() { _, err := f.Undo(); undone <- err }()
	select {
	case <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("the undo never reached its second part")
	}
	go func() {
		b := make([]byte, n)
		if k, err := f.ReadAt(b, 0); k != n || err != nil {
			t.Errorf("ReadAt: %d, %v", k, err)
		}
		read <- b
	}()
	for deadline := time.Now().Add(20 * time.Second); f.arrived.Load() == f.got.Load(); {
		if time.Now().After(deadline) {
			close(release)
			t.Fatal("the ReadAt never queued")
		}
		time.Sleep(time.Millisecond)
	}
	go func() {
		_, err := f.WriteAt([]byte{1}, n-1)
		wroteDone.Store(true)
		wrote <- err
	}()
	close(release)
	if err := <-undone; err != nil {
		t.Fatal(err)
	}
	b := <-read
	if !bytes.Equal(b[:2*part], orig[:2*part]) || !bytes.Equal(b[2*part:], bytes.Repeat([]byte{0xab}, n-2*part)) {
		k := 0
		for k < n && b[k] == orig[k] {
			k++
		}
		t.Errorf("ReadAt during the step read the restored bytes up to %#x, want exactly the first two parts (%#x)", k, 2*part)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if wroteInStep.Load() {
		t.Error("a WriteAt ran in the middle of the undo step")
	}
	f.SetStoreHook(nil)
	want := append(append([]byte(nil), orig[:n-1]...), 1)
	if got := readAll(t, f); !bytes.Equal(got, want) {
		t.Fatal("after the step and the WriteAt: not the original bytes with the last one 01")
	}
	if _, err := f.Redo(); !errors.Is(err, ErrNothingToRedo) {
		t.Fatalf("Redo after the WriteAt: %v, want %v", err, ErrNothingToRedo)
	}
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("second Undo: %v, want %v", err, ErrNothingToUndo)
	}
	if got := readAll(t, f); !bytes.Equal(got, orig) {
		t.Fatal("after undoing the WriteAt: not the original bytes")
	}
}

// TestPartedRestoreConcurrent: undo and redo of a 512 KiB write stored in
// 32 KiB parts while readers (ReadAt, TryReadAt, the frame's accessors,
// WithDescriptor) and a syncer (MS_SYNC, which waits for a step's end) run
// all along: every byte a reader sees is the original or the written one
// at its offset, after every step the file holds exactly the state the
// step leads to, and after the last sync the disk (read with os.ReadFile)
// holds it too.
func TestPartedRestoreConcurrent(t *testing.T) {
	const n, part = 512 << 10, 32 << 10
	orig, written := testenv.Pattern(n, 11), testenv.Pattern(n, 12)
	p := testenv.WriteFile(t, "conc.bin", orig)
	f := open(t, p, Options{})
	f.restorePart = part
	if _, err := f.WriteAt(written, 0); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Value
	reader := func(seed int64, try bool) {
		defer wg.Done()
		buf := make([]byte, 4096)
		for off := seed * 4093 % n; ; off = (off + 65537) % (n - int64(len(buf))) {
			select {
			case <-stop:
				return
			default:
			}
			var k int
			var err error
			if try {
				k, err = f.TryReadAt(buf, off)
				if errors.Is(err, ErrBusy) {
					continue
				}
			} else {
				k, err = f.ReadAt(buf, off)
			}
			if err != nil || k != len(buf) {
				bad.Store(fmt.Sprintf("read at %#x: %d, %v", off, k, err))
				return
			}
			for i, b := range buf {
				if j := off + int64(i); b != orig[j] && b != written[j] {
					bad.Store(fmt.Sprintf("byte %#x read as %#x: neither the original %#x nor the written %#x", j, b, orig[j], written[j]))
					return
				}
			}
		}
	}
	wg.Add(4)
	go reader(1, false)
	go reader(2, true)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			f.Size()
			f.UnsyncedEdits()
			f.UnsyncedBytes(0, n)
			f.WithDescriptor(func(int, int64) error { return nil })
			f.Refresh()
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := f.Sync(MSSync); err != nil {
				bad.Store(fmt.Sprintf("sync: %v", err))
				return
			}
		}
	}()
	for i := 0; i < 6 && bad.Load() == nil; i++ {
		want := orig
		if i%2 == 0 {
			if _, err := f.Undo(); err != nil {
				t.Fatal(err)
			}
		} else {
			if _, err := f.Redo(); err != nil {
				t.Fatal(err)
			}
			want = written
		}
		if got := readAll(t, f); !bytes.Equal(got, want) {
			t.Fatalf("after step %d the file does not hold the state it leads to", i+1)
		}
	}
	close(stop)
	wg.Wait()
	if b := bad.Load(); b != nil {
		t.Fatal(b)
	}
	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	if disk, err := os.ReadFile(p); err != nil || !bytes.Equal(disk, written) {
		t.Fatalf("after the last sync the disk does not hold the written bytes (%v)", err)
	}
}
