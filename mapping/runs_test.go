package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

// TestRunsLikeEntries: a batch of Group.WriteSpansFunc is journaled as one
// compact entry (a spanRun: offsets and bytes, no entry a span), and must
// behave exactly as the same spans written as entries of their own
// (WriteSpans of the bytes WriteSpansFunc makes). Two copies of a file
// take the same random operations, one through each: batches (some
// places left alone, some groups going on over two batches), single
// edits, undo, redo (also of steps from before a sync, and a new edit
// after undo, which moves synced steps to the lost list), syncs, another
// writer's bytes (left alone by undo), RevertUnsynced and RevertAll, in
// shared and in private mode; after each, the bytes, what Undo and Redo
// returned, the unsynced counts and bytes, the fdatasyncs and
// UndoBytes/RedoBytes must be the same. A store that faults part-way
// through a run (the file shrank) is in TestRunFaultPartWay.
func TestRunsLikeEntries(t *testing.T) {
	diskState(t)
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runsLikeEntries(t, seed) })
	}
}

func runsLikeEntries(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 23))
	size := 1<<16 + r.IntN(4096)
	orig := testenv.Pattern(size, seed)
	pa, pb := testenv.WriteFile(t, "a.bin", orig), testenv.WriteFile(t, "b.bin", orig)
	o := Options{Private: seed > 5} // a few seeds in private mode (no durable journal)
	a, b := open(t, pa, o), open(t, pb, o)
	other := func(path string, off int64, p []byte) {
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if _, err := w.WriteAt(p, off); err != nil {
			t.Fatal(err)
		}
	}
	sameErr := func(what string, ea, eb error) {
		t.Helper()
		text := func(e error) string {
			if e == nil {
				return ""
			}
			return strings.ReplaceAll(strings.ReplaceAll(e.Error(), pa, "F"), "a.bin", "b.bin")
		}
		if x, y := text(ea), strings.ReplaceAll(text(eb), pb, "F"); x != y {
			t.Fatalf("%s: error %q with runs, %q with entries", what, x, y)
		}
	}
	sameEdit := func(what string, x, y Edit) {
		t.Helper()
		if x.Off != y.Off || x.Len != y.Len || x.Parts != y.Parts || x.Restored != y.Restored || x.Dropped != y.Dropped ||
			x.Skipped.String() != y.Skipped.String() || !bytes.Equal(x.Old, y.Old) || !bytes.Equal(x.New, y.New) {
			t.Fatalf("%s: with runs %+v, with entries %+v", what, x, y)
		}
	}
	var ga, gb *Group
	runs := 0
	for op := 0; op < 400; op++ {
		what := fmt.Sprintf("op %d", op)
		switch k := r.IntN(20); {
		case k < 6: // a batch: a new group, or the last one going on
			if ga == nil || r.IntN(2) == 0 {
				ga, gb = a.Group(), b.Group()
			}
			n := 1 + r.IntN(8)
			var offs []int64
			for p := r.IntN(64); p+n <= size; p += n + r.IntN(3000) {
				offs = append(offs, int64(p))
			}
			key := byte(1 + r.IntN(255))
			refuse := r.IntN(5) // every 5th from it left alone (5: none)
			var spans []Span
			stored, left, err := ga.WriteSpansFunc(offs, n, func(i int, old, dst []byte) bool {
				if i%5 == refuse {
					return false
				}
				for x := range dst {
					dst[x] = old[x] ^ key
				}
				return true
			})
			cur := readAll(t, b)
			for i, o := range offs {
				if i%5 != refuse {
					d := append([]byte(nil), cur[o:o+int64(n)]...)
					for x := range d {
						d[x] ^= key
					}
					spans = append(spans, Span{Off: o, Data: d})
				}
			}
			sb, err2 := gb.WriteSpans(spans)
			if err != nil || err2 != nil || stored != sb || stored+left != len(offs) {
				t.Fatalf("%s: WriteSpansFunc = %d, %d, %v; WriteSpans = %d, %v", what, stored, left, err, sb, err2)
			}
			for _, e := range a.j.e {
				if e.run != 0 {
					runs++
					break
				}
			}
		case k < 8: // a single edit
			off := int64(r.IntN(size - 8))
			p := testenv.Pattern(1+r.IntN(8), r.Uint64())
			_, ea := a.WriteAt(p, off)
			_, eb := b.WriteAt(p, off)
			sameErr(what+": WriteAt", ea, eb)
		case k < 12:
			x, ea := a.Undo()
			y, eb := b.Undo()
			sameErr(what+": Undo", ea, eb)
			sameEdit(what+": Undo", x, y)
		case k < 15:
			x, ea := a.Redo()
			y, eb := b.Redo()
			sameErr(what+": Redo", ea, eb)
			sameEdit(what+": Redo", x, y)
		case k < 17:
			_, ea := a.Sync(MSSync)
			_, eb := b.Sync(MSSync)
			sameErr(what+": Sync", ea, eb)
		case k < 18: // another writer
			off := int64(r.IntN(size - 64))
			p := testenv.Pattern(1+r.IntN(64), r.Uint64())
			other(pa, off, p)
			other(pb, off, p)
		case k < 19:
			x, ea := a.RevertUnsynced()
			y, eb := b.RevertUnsynced()
			sameErr(what+": RevertUnsynced", ea, eb)
			if x.Edits != y.Edits || x.Dropped != y.Dropped || x.Skipped.String() != y.Skipped.String() {
				t.Fatalf("%s: RevertUnsynced with runs %+v, with entries %+v", what, x, y)
			}
		default:
			if r.IntN(4) != 0 {
				continue
			}
			x, ea := a.RevertAll()
			y, eb := b.RevertAll()
			sameErr(what+": RevertAll", ea, eb)
			if x.Edits != y.Edits || x.Dropped != y.Dropped || x.Skipped.String() != y.Skipped.String() {
				t.Fatalf("%s: RevertAll with runs %+v, with entries %+v", what, x, y)
			}
		}
		testenv.MustEqual(t, what+": bytes with runs and with entries", readAll(t, a), readAll(t, b))
		if x, y := a.UnsyncedEdits(), b.UnsyncedEdits(); x != y {
			t.Fatalf("%s: UnsyncedEdits %d with runs, %d with entries", what, x, y)
		}
		if x, y := a.UnsyncedPages(), b.UnsyncedPages(); x != y {
			t.Fatalf("%s: UnsyncedPages %d with runs, %d with entries", what, x, y)
		}
		if x, y := fmt.Sprint(a.UnsyncedBytes(0, int64(size))), fmt.Sprint(b.UnsyncedBytes(0, int64(size))); x != y {
			t.Fatalf("%s: UnsyncedBytes differ:\n runs    %s\n entries %s", what, x, y)
		}
		if x, y := a.JournalSyncs(), b.JournalSyncs(); x != y {
			t.Fatalf("%s: %d fdatasyncs of the durable journal with runs, %d with entries", what, x, y)
		}
		// A run is only ever applied: undo makes it entries before any
		// of it is undone, so nothing past pos, nor the lost list, is one.
		for _, e := range append(a.j.e[a.j.pos:], a.j.lostRev...) {
			if e.run != 0 {
				t.Fatalf("%s: a run past the applied entries", what)
			}
		}
		if x, y := a.UndoBytes(), b.UndoBytes(); x != y {
			t.Fatalf("%s: UndoBytes %d with runs, %d with entries", what, x, y)
		}
		if x, y := a.RedoBytes(), b.RedoBytes(); x != y {
			t.Fatalf("%s: RedoBytes %d with runs, %d with entries", what, x, y)
		}
	}
	if runs == 0 {
		t.Fatal("no batch was journaled as a run")
	}
	for {
		x, ea := a.Undo()
		y, eb := b.Undo()
		sameErr("undo all", ea, eb)
		if ea != nil {
			break
		}
		sameEdit("undo all", x, y)
	}
	testenv.MustEqual(t, "all undone, with runs and with entries", readAll(t, a), readAll(t, b))
}

// TestRunFaultPartWay: when a store of a batch of WriteSpansFunc faults
// (the file shrank under it), the spans before are stored and journaled
// (one undo step, as a run), and so is the part of the span that was
// stored; the spans after are not. Undo puts back exactly what was stored.
func TestRunFaultPartWay(t *testing.T) {
	diskState(t)
	const page = 4096
	size := 8 * page
	orig := testenv.Pattern(size, 5)
	path := testenv.WriteFile(t, "f", orig)
	f := open(t, path, Options{})
	// Spans of 16 bytes, one a page at 100, and one across the border of
	// pages 4 and 5; the file is cut to 5 pages when the store reaches
	// page 4's end: the span across it is stored up to there.
	offs := []int64{100, page + 100, 2*page + 100, 3*page + 100, 5*page - 8, 6*page + 100}
	cut := int64(5 * page)
	f.hooks.store = func(reached int64) {
		if reached == 3*page+116 {
			if err := os.Truncate(path, cut); err != nil {
				t.Fatal(err)
			}
		}
	}
	stored, left, err := f.Group().WriteSpansFunc(offs, 16, func(i int, old, dst []byte) bool {
		for x := range dst {
			dst[x] = ^old[x]
		}
		return true
	})
	f.hooks.store = nil
	if !errors.Is(err, ErrShrank) || stored != 4 || left != 0 {
		t.Fatalf("WriteSpansFunc = %d, %d, %v; want 4 stored, 0 left, the shrink", stored, left, err)
	}
	want := append([]byte(nil), orig[:cut]...)
	for _, o := range offs[:4] {
		for x := o; x < o+16; x++ {
			want[x] = ^want[x]
		}
	}
	for x := offs[4]; x < cut; x++ { // the part stored of the fifth
		want[x] = ^want[x]
	}
	testenv.MustEqual(t, "after the fault", readAll(t, f), want)
	if got := f.UndoBytes(); got != 4*16+8 {
		t.Fatalf("UndoBytes = %d, want %d (4 spans and 8 bytes)", got, 4*16+8)
	}
	ed, err := f.Undo()
	if err != nil || ed.Parts != 5 || ed.Restored != 4*16+8 {
		t.Fatalf("Undo = %+v, %v; want 5 parts, %d bytes restored", ed, err, 4*16+8)
	}
	testenv.MustEqual(t, "undone", readAll(t, f), orig[:cut])
}
