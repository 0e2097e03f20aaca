package mapping

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"testing"

	"mmhex/mapping/testenv"
)

// TestFillContextCancelled: a fill cancelled between parts stored exactly
// the parts before, as one journaled edit that one undo puts back.
func TestFillContextCancelled(t *testing.T) {
	const size = 2*fillChunk + 100
	orig := cheapPattern(size)
	p := testenv.WriteFile(t, "fc.bin", orig)
	f := open(t, p, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var seen []int64
	done, err := f.FillContext(ctx, 50, size-60, 0xAB, func(d int64) {
		seen = append(seen, d)
		if d >= fillChunk {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || done != fillChunk {
		t.Fatalf("FillContext = %d, %v; want %d, context.Canceled", done, err, fillChunk)
	}
	if len(seen) != 1 || seen[0] != fillChunk {
		t.Fatalf("progress calls %v, want [%d]", seen, fillChunk)
	}
	got, _ := os.ReadFile(p)
	want := append([]byte(nil), orig...)
	for i := int64(50); i < 50+fillChunk; i++ {
		want[i] = 0xAB
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the file does not hold exactly the filled part")
	}
	if n := f.UnsyncedEdits(); n != 1 {
		t.Fatalf("UnsyncedEdits = %d, want 1", n)
	}
	ed, err := f.Undo()
	if err != nil || ed.Off != 50 || ed.Len != fillChunk {
		t.Fatalf("Undo = %+v, %v", ed, err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, orig) {
		t.Fatal("undo did not put the bytes back")
	}
}

// TestFillContextWhole: an uncancelled fill is one edit; an edit made
// between two parts splits it, and undoing everything restores the file.
func TestFillContextWhole(t *testing.T) {
	const size = fillChunk + 10
	orig := cheapPattern(size)
	p := testenv.WriteFile(t, "fw.bin", orig)
	f := open(t, p, Options{})
	done, err := f.FillContext(context.Background(), 0, size, 1, nil)
	if err != nil || done != size || f.UnsyncedEdits() != 1 {
		t.Fatalf("FillContext = %d, %v; %d edits", done, err, f.UnsyncedEdits())
	}
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	calls := 0
	done, err = f.FillContext(context.Background(), 0, size, 2, func(d int64) {
		if calls++; calls == 1 {
			if _, err := f.WriteAt([]byte("x"), size-1); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil || done != size {
		t.Fatalf("FillContext = %d, %v", done, err)
	}
	if n := f.UnsyncedEdits(); n != 3 {
		t.Fatalf("UnsyncedEdits = %d, want 3 (fill, the write between, the rest of the fill)", n)
	}
	for i := 0; i < 3; i++ {
		if _, err := f.Undo(); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, orig) {
		t.Fatal("undoing everything did not restore the file")
	}
}

// TestSyncAllProgress: the count reaches the pages to sync.
func TestSyncAllProgress(t *testing.T) {
	ps := int64(os.Getpagesize())
	p := testenv.WriteFile(t, "sp.bin", cheapPattern(3*syncProgressPart))
	f := open(t, p, Options{})
	if err := f.Fill(0, 3*syncProgressPart, 5); err != nil {
		t.Fatal(err)
	}
	var last, total, calls int
	r, err := f.SyncAllProgress(func(d, tot int) { last, total, calls = d, tot, calls+1 })
	if err != nil {
		t.Fatal(err)
	}
	want := int(3 * syncProgressPart / ps)
	if last != want || total != want || r.Pages != want || calls < 3 {
		t.Fatalf("progress %d/%d in %d calls, result %d pages; want %d/%d in >= 3 calls", last, total, calls, r.Pages, want, want)
	}
}

// cheapPattern is n bytes that differ from their neighbours, made fast
// (pattern's generator is slow under -race for many MiB).
func cheapPattern(n int) []byte {
	seed := make([]byte, 251)
	for i := range seed {
		seed[i] = byte(i*7 + 1)
	}
	return bytes.Repeat(seed, n/251+1)[:n]
}

// TestFillContextFileShrinks: the file shrinks between two parts of a
// fill (another process truncates it; the editor's tick refreshes the
// size). The fill stops with the same error as a store that faults on a
// shrunk file ("at 0x…: the file shrank to N bytes"), not "edit of 4194304
// bytes at 0x…: offset is past end of file": the user asked for no 4 MiB
// edit there. The stored part is one edit, and undo puts it back.
func TestFillContextFileShrinks(t *testing.T) {
	for _, cut := range []int64{50 + fillChunk, 50 + fillChunk + 1000} {
		const size = 2*fillChunk + 100
		orig := cheapPattern(size)
		p := testenv.WriteFile(t, "fs.bin", orig)
		f := open(t, p, Options{})
		done, err := f.FillContext(context.Background(), 50, size-60, 0xAB, func(d int64) {
			if d == fillChunk {
				if err := os.Truncate(p, cut); err != nil {
					t.Error(err)
				}
				f.Refresh() // as the editor does every tick
			}
		})
		want := p + ": at " + hex(50+fillChunk) + ": the file shrank to " + itoa(cut) + " bytes"
		if err == nil || err.Error() != want || !errors.Is(err, ErrShrank) || done != fillChunk {
			t.Fatalf("cut %d: FillContext = %d, %v\nwant %d, %s", cut, done, err, fillChunk, want)
		}
		if n := f.UnsyncedEdits(); n != 1 {
			t.Fatalf("cut %d: UnsyncedEdits = %d, want 1", cut, n)
		}
		if _, err := f.Undo(); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, orig[:cut]) {
			t.Fatalf("cut %d: undo did not put the bytes back", cut)
		}
	}
}

func hex(n int64) string  { return "0x" + strconv.FormatInt(n, 16) }
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
