package mapping

import (
	"errors"
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

// The bytes a truncate, a delete (collapse) or a punch removes are copied
// into the durable journal first, and more than MaxCut of them is refused
// rather than copied silently. Holes are not copied (the journal keeps
// them as holes), so only the data counts: truncating a sparse image of
// gigabytes whose cut is all hole works (it was refused, "would remove
// more than 268435456 bytes"), and one whose cut holds more data than the
// limit is refused, nothing changed, the exact line. The limit is lowered
// here to 1 MiB (maxCut) to keep the files small. A cut of only holes is
// free whatever its size.
func TestCutLimitCountsData(t *testing.T) {
	p := testenv.WriteFile(t, "sparse", []byte("hello"))
	if err := os.Truncate(p, 8<<30); err != nil {
		t.Fatal(err)
	}
	f := open(t, p, Options{})
	// All hole past the first block: allowed at the real limit.
	if err := f.Resize(4096); err != nil {
		t.Fatalf("truncating 8 GiB of hole: %v", err)
	}
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	if f.Size() != 8<<30 {
		t.Fatalf("size %d after the undo", f.Size())
	}

	defer func(m int64) { maxCut = m }(maxCut)
	maxCut = 1 << 20
	// 2 MiB of data at 4 GiB: a cut over it copies 2 MiB.
	fh, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	data := testenv.Pattern(2<<20, 7)
	if _, err := fh.WriteAt(data, 4<<30); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	if _, err := f.Refresh(); err != nil {
		t.Fatal(err)
	}
	want := p + ": truncating to 4096 bytes would copy more than 268435456 bytes (256 MiB) of data into the journal, the most it copies; nothing was changed"
	if err := f.Resize(4096); err == nil || err.Error() != want || !errors.Is(err, ErrCutTooLarge) {
		t.Fatalf("truncate over 2 MiB of data: %v\nwant %s", err, want)
	}
	want = p + ": deleting 4294967296 bytes at 0x40000000 would copy more than 268435456 bytes (256 MiB) of data into the journal, the most it copies; nothing was changed"
	if err := f.CollapseRange(1<<30, 4<<30); err == nil || err.Error() != want {
		t.Fatalf("collapse over 2 MiB of data: %v\nwant %s", err, want)
	}
	want = p + ": punching 4294967296 bytes at 0x40000000 would copy more than 268435456 bytes (256 MiB) of data into the journal, the most it copies; nothing was changed"
	if err := f.PunchHole(1<<30, 4<<30, false); err == nil || err.Error() != want {
		t.Fatalf("punch over 2 MiB of data: %v\nwant %s", err, want)
	}
	if f.Size() != 8<<30 {
		t.Fatalf("size %d after the refusals", f.Size())
	}
	got := make([]byte, len(data))
	if _, err := f.ReadAt(got, 4<<30); err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "the data after the refusals", got, data)
	// Cuts that hold less than the limit of data: allowed.
	if err := f.PunchHole(1<<30, 3<<30+1<<20, false); err != nil {
		t.Fatalf("punch over 1 MiB of data: %v", err)
	}
	if err := f.Resize(1 << 30); err != nil {
		t.Fatalf("truncate over the other 1 MiB of data: %v", err)
	}

	// A terabyte of hole: nothing to copy, nothing to checksum byte by
	// byte (crcZeros), nothing to read back: cut, undone, redone, undone.
	g := open(t, testenv.WriteFile(t, "huge", []byte("data")), Options{})
	if err := g.Resize(1 << 40); err != nil {
		t.Fatal(err)
	}
	if err := g.Resize(4); err != nil {
		t.Fatalf("truncating a terabyte of hole: %v", err)
	}
	for i, want := range []int64{1 << 40, 4, 1 << 40} {
		var err error
		if i == 1 {
			_, err = g.Redo()
		} else {
			_, err = g.Undo()
		}
		if err != nil || g.Size() != want {
			t.Fatalf("step %d: size %d, %v; want %d", i, g.Size(), err, want)
		}
	}
	head := make([]byte, 4)
	g.ReadAt(head, 0)
	if string(head) != "data" {
		t.Fatalf("%q at 0", head)
	}
}
