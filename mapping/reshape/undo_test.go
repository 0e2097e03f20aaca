package reshape

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// TestShapeUndoModel: a random sequence of edits (WriteAt, Fill), shape
// changes (grow, truncate, punch, zero range, insert and delete of whole
// blocks at any offset) and undo/redo on a real ext4 file, against a Go
// reference of the bytes and the size after every step: every step is one
// undo step (an insert or delete with bytes moved below the block boundary
// too), undo goes back to the state before it, redo forward again, a new
// step after undo drops the redo list. At the end RevertUnsynced gives
// the bytes of the last sync and RevertAll those at open.
func TestShapeUndoModel(t *testing.T) {
	dir := t.TempDir()
	shapes := map[string]int{}
	for seed := int64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) { shapeModel(t, dir, seed, 140, shapes) })
	}
	// The sequences undid and redid every kind of shape change.
	for _, k := range []string{"undo insert", "undo delete", "undo grow", "undo truncate", "undo punch", "undo zero range",
		"redo insert", "redo delete", "redo grow", "redo truncate"} {
		if shapes[k] == 0 {
			t.Errorf("no %s in the sequences: %v", k, shapes)
		}
	}
}

func shapeModel(t *testing.T, dir string, seed int64, steps int, shapes map[string]int) {
	rng := rand.New(rand.NewSource(seed))
	orig := testenv.Pattern(5*4096+123, uint64(seed))
	p := fmt.Sprintf("%s/model%d.bin", dir, seed)
	if err := os.WriteFile(p, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	f := openRW(t, p)
	g, err := GeometryOf(f)
	if err != nil {
		t.Fatal(err)
	}
	if g.FS != "ext4" && g.FS != "xfs" {
		testenv.SkipOrFail(t, "the test folder is on %s, which cannot move blocks", g.FS)
	}
	B := g.Block
	hist := [][]byte{orig}
	pos := 0
	synced := orig
	push := func(b []byte) {
		hist = append(hist[:pos+1], b)
		pos++
	}
	cur := func() []byte { return hist[pos] }
	var log []string
	check := func(what string) {
		t.Helper()
		log = append(log, what)
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want := cur()
		if f.Size() != int64(len(want)) || !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("after %s: the file is %d bytes (Size %d), the reference %d; first difference at %#x\nsteps: %v",
				what, len(got), f.Size(), len(want), i, log)
		}
	}
	const maxSize = 16 * 4096
	for step := 0; step < steps; step++ {
		if step%40 == 39 {
			// Undo a few steps and redo them all.
			u := 0
			for ; u < 4 && pos > 0; u++ {
				ed, err := f.Undo()
				if err != nil || ed.Skipped.Ranges > 0 {
					t.Fatalf("undo: %v %+v\nsteps %v", err, ed, log)
				}
				pos--
				check("undo in a run (" + ed.ShapeName() + ")")
			}
			for ; u > 0; u-- {
				ed, err := f.Redo()
				if err != nil || ed.Skipped.Ranges > 0 {
					t.Fatalf("redo: %v %+v\nsteps %v", err, ed, log)
				}
				pos++
				shapes["redo "+ed.ShapeName()]++
				check("redo in a run (" + ed.ShapeName() + ")")
			}
		}
		b := cur()
		size := int64(len(b))
		switch k := rng.Intn(20); {
		case k < 4 && size > 0: // WriteAt
			off := rng.Int63n(size)
			n := 1 + rng.Int63n(min(size-off, 300))
			p := make([]byte, n)
			rng.Read(p)
			if _, err := f.WriteAt(p, off); err != nil {
				t.Fatal(err)
			}
			nb := bytes.Clone(b)
			copy(nb[off:], p)
			push(nb)
			check(fmt.Sprintf("write %d at %#x", n, off))
		case k < 5 && size > 0: // Fill
			off := rng.Int63n(size)
			n := 1 + rng.Int63n(size-off)
			c := byte(rng.Intn(256))
			if err := f.Fill(off, n, c); err != nil {
				t.Fatal(err)
			}
			nb := bytes.Clone(b)
			for i := off; i < off+n; i++ {
				nb[i] = c
			}
			push(nb)
			check(fmt.Sprintf("fill %d at %#x", n, off))
		case k < 7: // resize
			ns := rng.Int63n(maxSize)
			if ns == size {
				continue
			}
			if err := Resize(f, ns); err != nil {
				t.Fatal(err)
			}
			nb := make([]byte, ns)
			copy(nb, b)
			push(nb)
			check(fmt.Sprintf("resize %d → %d", size, ns))
		case k < 8 && size > 0: // punch or zero
			off := rng.Int63n(size)
			n := 1 + rng.Int63n(size-off)
			zero := rng.Intn(2) == 0
			if err := Punch(f, off, n, zero); err != nil {
				t.Fatal(err)
			}
			nb := bytes.Clone(b)
			clear(nb[off : off+n])
			push(nb)
			check(fmt.Sprintf("punch(zero=%v) %d at %#x", zero, n, off))
		case k < 10: // insert
			n := B * (1 + rng.Int63n(2))
			if size+n > maxSize {
				continue
			}
			off := rng.Int63n(size + 1)
			if _, err := Insert(f, off, n); err != nil {
				t.Fatal(err)
			}
			push(slicesConcat(b[:off], make([]byte, n), b[off:]))
			check(fmt.Sprintf("insert %d at %#x", n, off))
		case k < 12: // delete
			if size < B {
				continue
			}
			n := B * (1 + rng.Int63n(size/B))
			off := rng.Int63n(size - n + 1)
			if _, err := Delete(f, off, n); err != nil {
				t.Fatal(err)
			}
			push(slicesConcat(b[:off], b[off+n:]))
			check(fmt.Sprintf("delete %d at %#x", n, off))
		case k < 15: // undo
			ed, err := f.Undo()
			if pos == 0 {
				if !errors.Is(err, mapping.ErrNothingToUndo) {
					t.Fatalf("undo at the start: %+v %v", ed, err)
				}
				continue
			}
			if err != nil || ed.Skipped.Ranges > 0 || ed.Dropped {
				t.Fatalf("undo: %v %+v\nsteps %v", err, ed, log)
			}
			pos--
			shapes["undo "+ed.ShapeName()]++
			check(fmt.Sprintf("undo (%s)", ed.ShapeName()))
		case k < 19: // redo
			ed, err := f.Redo()
			if pos == len(hist)-1 {
				if !errors.Is(err, mapping.ErrNothingToRedo) {
					t.Fatalf("redo at the end: %+v %v", ed, err)
				}
				continue
			}
			if err != nil || ed.Skipped.Ranges > 0 || ed.Dropped {
				t.Fatalf("redo: %v %+v\nsteps %v", err, ed, log)
			}
			pos++
			shapes["redo "+ed.ShapeName()]++
			check(fmt.Sprintf("redo (%s)", ed.ShapeName()))
		default:
			if _, err := f.Sync(mapping.MSSync); err != nil {
				t.Fatal(err)
			}
			synced = cur()
			if f.UnsyncedEdits() != 0 {
				t.Fatalf("%d unsynced edits after a sync", f.UnsyncedEdits())
			}
			check("sync")
		}
	}
	if _, err := f.RevertUnsynced(); err != nil {
		t.Fatalf("RevertUnsynced: %v\nsteps %v", err, log)
	}
	hist, pos = [][]byte{synced}, 0
	check("RevertUnsynced")
	if n := f.UnsyncedEdits(); n != 0 {
		t.Fatalf("%d unsynced edits after RevertUnsynced", n)
	}
	if _, err := f.RevertAll(); err != nil {
		t.Fatalf("RevertAll: %v", err)
	}
	hist = [][]byte{orig}
	check("RevertAll")
}

// An undo of a shape change that another writer made impossible changes
// nothing and says exactly what it cannot undo: a byte written into the
// inserted range (the undo would delete it), a size changed under it.
// The step is all or nothing: the bytes moved below the block boundary
// stay moved. After the other writer's byte is put back, the undo works.
func TestShapeUndoRefused(t *testing.T) {
	orig := testenv.Pattern(3*4096+100, 7)
	p := testenv.WriteFile(t, "refused.bin", orig)
	f := openRW(t, p)
	if g, _ := GeometryOf(f); g.Block != 4096 || (g.FS != "ext4" && g.FS != "xfs") {
		testenv.SkipOrFail(t, "the test wants ext4 or xfs with 4096-byte blocks: %+v", g)
	}
	if _, err := Insert(f, 0x1234, 4096); err != nil {
		t.Fatal(err)
	}
	ins := slicesConcat(orig[:0x1234], make([]byte, 4096), orig[0x1234:])
	other, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte{0x77}, 0x1300); err != nil {
		t.Fatal(err)
	}
	_, err = f.Undo()
	want := p + ": cannot undo the insert of 4096 bytes at 0x1234: the byte at 0x1300 changed by another writer since the edit; nothing was changed"
	if err == nil || err.Error() != want {
		t.Fatalf("undo: %v\nwant %s", err, want)
	}
	withByte := bytes.Clone(ins)
	withByte[0x1300] = 0x77
	testenv.MustEqual(t, "after the refused undo", testenv.DiskBytes(t, p), withByte)
	// The size changed under it.
	if _, err := other.WriteAt([]byte{0}, 0x1300); err != nil {
		t.Fatal(err)
	}
	if err := other.Truncate(int64(len(ins)) - 100); err != nil {
		t.Fatal(err)
	}
	_, err = f.Undo()
	want = fmt.Sprintf("%s: cannot undo the insert of 4096 bytes at 0x1234: the file is %d bytes, not the %d it made (another writer changed its size); nothing was changed", p, len(ins)-100, len(ins))
	if err == nil || err.Error() != want {
		t.Fatalf("undo: %v\nwant %s", err, want)
	}
	testenv.MustEqual(t, "after the second refused undo", testenv.DiskBytes(t, p), ins[:len(ins)-100])
	if err := other.Truncate(int64(len(ins))); err != nil {
		t.Fatal(err)
	}
	if _, err := other.WriteAt(ins[len(ins)-100:], int64(len(ins))-100); err != nil {
		t.Fatal(err)
	}
	if ed, err := f.Undo(); err != nil || ed.ShapeName() != "insert" || ed.ShiftAt != 0x1234 || ed.ShiftBy != -4096 || ed.Size != int64(len(orig)) {
		t.Fatalf("undo after the bytes were put back: %+v %v", ed, err)
	}
	testenv.MustEqual(t, "after the undo", testenv.DiskBytes(t, p), orig)
}

// The bytes stored since the last sync (IsUnsyncedByte, what the editor
// colours) move with their bytes when blocks are inserted or deleted and
// when that is undone; the inserted zeros count as stored; each shape
// change is one unsynced edit.
func TestShapeMovesUnsyncedBytes(t *testing.T) {
	orig := testenv.Pattern(4*4096, 8)
	p := testenv.WriteFile(t, "unsynced.bin", orig)
	f := openRW(t, p)
	if g, _ := GeometryOf(f); g.Block != 4096 || (g.FS != "ext4" && g.FS != "xfs") {
		testenv.SkipOrFail(t, "the test wants ext4 or xfs with 4096-byte blocks: %+v", g)
	}
	if _, err := f.WriteAt([]byte{0x41}, 0x2000); err != nil {
		t.Fatal(err)
	}
	state := func(what string, edits int, yes, no []int64) {
		t.Helper()
		if n := f.UnsyncedEdits(); n != edits {
			t.Fatalf("%s: %d unsynced edits, want %d", what, n, edits)
		}
		for _, o := range yes {
			if !f.IsUnsyncedByte(o) || !f.IsUnsynced(o) {
				t.Fatalf("%s: byte %#x not unsynced", what, o)
			}
		}
		for _, o := range no {
			if f.IsUnsyncedByte(o) {
				t.Fatalf("%s: byte %#x unsynced", what, o)
			}
		}
	}
	state("typed", 1, []int64{0x2000}, []int64{0x1fff, 0x2001, 0x3000})
	if _, err := Insert(f, 0x1000, 4096); err != nil {
		t.Fatal(err)
	}
	state("after the insert", 2, []int64{0x1000, 0x1fff, 0x3000}, []int64{0xfff, 0x2000, 0x2fff, 0x3001})
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	state("after undoing the insert", 1, []int64{0x2000}, []int64{0x1000, 0x1fff, 0x2001, 0x3000})
	if _, err := Delete(f, 0x1000, 4096); err != nil {
		t.Fatal(err)
	}
	state("after the delete", 2, []int64{0x1000}, []int64{0xfff, 0x1001, 0x2000})
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	// The restored bytes of [0x1000, 0x2000) were stored back.
	state("after undoing the delete", 1, []int64{0x1000, 0x1fff, 0x2000}, []int64{0xfff, 0x2001, 0x3000})
	testenv.MustEqual(t, "bytes", testenv.DiskBytes(t, p), func() []byte { b := bytes.Clone(orig); b[0x2000] = 0x41; return b }())
}
