package mapping

import (
	"testing"

	"mmhex/mapping/testenv"
)

// UnsyncedPlaces counts the places changed, as mmhex recover counts the
// durable journal's records (TestRecoverFillIsOneEdit, groups): a batch of
// spans (a replace all) one a span though one undo step, a byte stored
// twice in a row (its two hex digits) once, a fill once, a shape change
// once; undo and sync bring it back to 0. It is counted again only when
// the journal changed: a frame asking for it walks nothing (a replace
// all of a million matches is a million places).
func TestUnsyncedPlacesCached(t *testing.T) {
	diskState(t)
	const n = 5000
	orig := testenv.Pattern(n*16+8192, 4)
	path := testenv.WriteFile(t, "p", orig)
	f := open(t, path, Options{})
	spans := make([]Span, n)
	for i := range spans {
		spans[i] = Span{Off: int64(i * 16), Data: []byte{0xaa, 0xbb}}
	}
	if _, err := f.WriteSpans(spans); err != nil {
		t.Fatal(err)
	}
	if p, e := f.UnsyncedPlaces(), f.UnsyncedEdits(); p != n || e != 1 {
		t.Fatalf("after %d spans: %d places, %d undo steps; want %d, 1", n, p, e, n)
	}
	// undo and redo: the run made entries of their own, counted alike
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	if p := f.UnsyncedPlaces(); p != 0 {
		t.Fatalf("after undoing the spans: %d places, want 0", p)
	}
	if _, err := f.Redo(); err != nil {
		t.Fatal(err)
	}
	if p, e := f.UnsyncedPlaces(), f.UnsyncedEdits(); p != n || e != 1 {
		t.Fatalf("after redoing the spans: %d places, %d undo steps; want %d, 1", p, e, n)
	}
	walks := f.j.placesWalks
	for range 1000 {
		if p := f.UnsyncedPlaces(); p != n {
			t.Fatalf("%d places", p)
		}
	}
	if w := f.j.placesWalks - walks; w != 0 {
		t.Fatalf("1000 asks of an unchanged journal walked it %d times, want 0", w)
	}
	base := int64(n * 16)
	for _, b := range [][]byte{{0x10}, {0x12}} { // one byte, typed twice in a row
		if _, err := f.WriteAt(b, base+1); err != nil {
			t.Fatal(err)
		}
	}
	if p := f.UnsyncedPlaces(); p != n+1 {
		t.Fatalf("after one byte stored twice: %d places, want %d", p, n+1)
	}
	if _, err := f.WriteAt([]byte{0x13}, base+2); err != nil {
		t.Fatal(err)
	}
	if p := f.UnsyncedPlaces(); p != n+2 {
		t.Fatalf("after another byte: %d places, want %d", p, n+2)
	}
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	if p := f.UnsyncedPlaces(); p != n+1 {
		t.Fatalf("after an undo: %d places, want %d", p, n+1)
	}
	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	if p, e := f.UnsyncedPlaces(), f.UnsyncedEdits(); p != 0 || e != 0 {
		t.Fatalf("after sync: %d places, %d steps", p, e)
	}
	// undoing past the sync: unsynced again, each place counted
	// undoing past the sync: unsynced again, each place counted
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	if p := f.UnsyncedPlaces(); p != 1 {
		t.Fatalf("after undoing the byte past the sync: %d places, want 1", p)
	}
}
