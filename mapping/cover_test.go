package mapping

import (
	"errors"
	"os"
	"testing"

	"mmhex/mapping/testenv"
	"mmhex/mapping/wal"
)

// coverOf returns the cover record of j that holds [off, off+n), or false.
func coverOf(j *wal.Journal, off, n int64) (wal.Record, bool) {
	for _, c := range j.Covers {
		if c.Off <= off && off+n <= c.Off+c.N {
			return c, true
		}
	}
	return wal.Record{}, false
}

// A burst of typed bytes journaled ahead with Cover (as the editor does
// while keys are queued) takes one fdatasync a cover, not one a byte, and
// keeps the durable-before-store invariant: when each store's record is
// committed, a cover record holding the bytes it replaces (as they were
// at the last sync) is in the journal, and at the first store after each
// cover the journal has no dirty page (the cover is on disk; the records
// appended after it never rewrite its bytes). The covers are no edits:
// the edit count, undo and the journal's store records are those of the
// typed bytes alone.
func TestCoverBurst(t *testing.T) {
	diskState(t)
	orig := testenv.Pattern(8192, 5)
	path := testenv.WriteFile(t, "f", orig)
	f := open(t, path, Options{})
	const base, n, q = 0x100, 200, 50
	want := append([]byte(nil), orig...)
	fresh, commits := false, 0
	f.hooks.walCommit = func(off, cnt int64) {
		commits++
		if fresh {
			fresh = false
			if d := dirtyPages(t, f.d.w.Path()); d != 0 {
				t.Errorf("store at %#x, the first after a cover: the journal has %d dirty pages (the cover is not on disk)", off, d)
			}
		}
		j := peek(t, f)
		c, ok := coverOf(j, off, cnt)
		if !ok {
			t.Fatalf("store of %d bytes at %#x: no cover record holds its old bytes", cnt, off)
		}
		old := make([]byte, cnt)
		if err := j.Before(c, off-c.Off, old); err != nil {
			t.Fatal(err)
		}
		testenv.MustEqual(t, "the covered old bytes", old, orig[off:off+cnt])
	}
	for i := range n {
		off := int64(base + i)
		s := f.JournalSyncs()
		if err := f.Cover(off, q); err != nil {
			t.Fatal(err)
		}
		wantSyncs := s
		if i%q == 0 {
			wantSyncs, fresh = s+1, true
		}
		if got := f.JournalSyncs(); got != wantSyncs {
			t.Fatalf("byte %d: Cover took %d fdatasyncs, want %d", i, got-s, wantSyncs-s)
		}
		b := byte(i*7 + 1)
		hi := b&0xf0 | want[off]&0x0f
		if _, err := f.WriteAt([]byte{hi}, off); err != nil {
			t.Fatal(err)
		}
		if err := f.Amend([]byte{b}, off, []byte{hi}); err != nil {
			t.Fatal(err)
		}
		want[off] = b
	}
	f.hooks.walCommit = nil
	if commits != 2*n {
		t.Fatalf("%d journal commits, want %d", commits, 2*n)
	}
	if got := f.JournalSyncs(); got != n/q {
		t.Fatalf("%d fdatasyncs for %d typed bytes in %d covers, want %d", got, n, n/q, n/q)
	}
	testenv.MustEqual(t, "after the burst", readAll(t, f), want)
	testenv.MustEqual(t, "on disk after the burst", testenv.DiskBytes(t, path), want)
	j := peek(t, f)
	if len(j.Records) != 2*n || len(j.Covers) != n/q {
		t.Fatalf("journal: %d store records, %d covers; want %d, %d", len(j.Records), len(j.Covers), 2*n, n/q)
	}
	for k, c := range j.Covers {
		if c.Kind != wal.Cover || c.Off != int64(base+k*q) || c.N != q {
			t.Fatalf("cover %d: kind %q, %d bytes at %#x", k, c.Kind, c.N, c.Off)
		}
	}
	if got := f.UnsyncedEdits(); got != n {
		t.Fatalf("UnsyncedEdits = %d, want %d (the covers are no edits)", got, n)
	}
	for i := range n {
		ed, err := f.Undo()
		if err != nil || ed.Off != int64(base+n-1-i) || ed.Len != 1 {
			t.Fatalf("undo %d: %+v %v", i, ed, err)
		}
	}
	if _, err := f.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo past the typed bytes: %v", err)
	}
	testenv.MustEqual(t, "after undoing every typed byte", readAll(t, f), orig)

	// A byte past the covers costs its own fdatasync, as without Cover.
	s := f.JournalSyncs()
	if _, err := f.WriteAt([]byte{0x11}, base+n+10); err != nil {
		t.Fatal(err)
	}
	if got := f.JournalSyncs() - s; got != 1 {
		t.Fatalf("a byte outside the covers: %d fdatasyncs, want 1", got)
	}

	// A sync retires the records and the covers; a cover made while the
	// sync runs (without the mutex) goes with it when nothing was stored
	// meanwhile: the bytes it covered cost an fdatasync again.
	f.hooks.sync = func() {
		f.hooks.sync = nil
		if err := f.Cover(0x1000, 16); err != nil {
			t.Error(err)
		}
	}
	if _, err := f.SyncAll(); err != nil {
		t.Fatal(err)
	}
	j = peek(t, f)
	if len(j.Records) != 0 || len(j.Covers) != 0 {
		t.Fatalf("after the sync: %d records, %d covers", len(j.Records), len(j.Covers))
	}
	for _, off := range []int64{base, 0x1000} {
		s = f.JournalSyncs()
		if _, err := f.WriteAt([]byte{0x22}, off); err != nil {
			t.Fatal(err)
		}
		if got := f.JournalSyncs() - s; got != 1 {
			t.Fatalf("a byte at %#x covered before the sync: %d fdatasyncs after it, want 1", off, got)
		}
	}
	if _, err := f.SyncAll(); err != nil {
		t.Fatal(err)
	}

	// A cover with no store after it leaves nothing to recover: Close
	// deletes the journal.
	if err := f.Cover(0x200, 64); err != nil {
		t.Fatal(err)
	}
	jp := f.JournalPath()
	if j = peek(t, f); len(j.Covers) != 1 || len(j.Records) != 0 {
		t.Fatalf("a lone cover: %d covers, %d records", len(j.Covers), len(j.Records))
	}
	f.Close()
	if _, err := os.Lstat(jp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("journal holding only a cover after Close: %v", err)
	}
	if err := f.Cover(0x200, 64); !errors.Is(err, ErrClosed) {
		t.Fatalf("Cover after Close: %v", err)
	}
}

// Cover in private and read-only mode does nothing: no journal is made,
// no error, no edit; past the end, nothing either.
func TestCoverPrivateReadOnly(t *testing.T) {
	diskState(t)
	path := testenv.WriteFile(t, "f", testenv.Pattern(4096, 9))
	for _, o := range []Options{{Private: true}, {ReadOnly: true}} {
		f := open(t, path, o)
		if err := f.Cover(0, 100); err != nil {
			t.Fatalf("%+v: Cover: %v", o, err)
		}
		if f.JournalPath() != "" || f.JournalSyncs() != 0 || f.UnsyncedEdits() != 0 {
			t.Fatalf("%+v: Cover made a journal %q (%d syncs) or an edit (%d)", o, f.JournalPath(), f.JournalSyncs(), f.UnsyncedEdits())
		}
		f.Close()
	}
	f := open(t, path, Options{})
	for _, c := range [][2]int64{{4096, 10}, {-1, 10}, {0, 0}} {
		if err := f.Cover(c[0], c[1]); err != nil || f.JournalPath() != "" {
			t.Fatalf("Cover(%d, %d): %v, journal %q", c[0], c[1], err, f.JournalPath())
		}
	}
	// Clipped to the file's end and to MaxCover.
	if err := f.Cover(4000, 1000); err != nil {
		t.Fatal(err)
	}
	if err := f.Cover(0, 1<<20); err != nil {
		t.Fatal(err)
	}
	j := peek(t, f)
	if len(j.Covers) != 2 || j.Covers[0].N != 96 || j.Covers[1].N != min(4096, MaxCover) {
		t.Fatalf("covers: %+v", j.Covers)
	}
}
