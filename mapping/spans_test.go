package mapping

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
	"mmhex/mapping/wal"
)

// WriteSpans of many spans takes one fdatasync of the durable journal,
// not one a span, and every span's record is on disk (the journal has no
// dirty page, the record of the span being stored is there) before the
// first store reaches the mapping. One undo puts back every span.
func TestWriteSpansOneSync(t *testing.T) {
	diskState(t)
	const n = 2000
	orig := testenv.Pattern(n*64, 3)
	path := testenv.WriteFile(t, "f", orig)
	f := open(t, path, Options{})
	spans := make([]Span, n)
	want := append([]byte(nil), orig...)
	for i := range spans {
		spans[i] = Span{Off: int64(i*64 + 7), Data: []byte{byte(i), 0xee, byte(i >> 8)}}
		copy(want[i*64+7:], spans[i].Data)
	}
	if _, err := f.WriteAt([]byte{1}, 0); err != nil { // the journal exists: its first sync is not the batch's
		t.Fatal(err)
	}
	syncs := f.JournalSyncs()
	stores := 0
	f.hooks.store = func(reached int64) {
		stores++
		if stores > 1 && stores != n {
			return
		}
		if d := dirtyPages(t, f.d.w.Path()); d != 0 {
			t.Errorf("store %d: the journal has %d dirty pages: the batch is not on disk", stores, d)
		}
		j := peek(t, f)
		if len(j.Records) != n+1 {
			t.Fatalf("store %d: %d records in the journal, want %d (all of the batch before its first store)", stores, len(j.Records), n+1)
		}
	}
	k, err := f.WriteSpans(spans)
	f.hooks.store = nil
	if err != nil || k != n {
		t.Fatalf("WriteSpans = %d, %v", k, err)
	}
	if got := f.JournalSyncs() - syncs; got != 1 {
		t.Fatalf("fdatasyncs for %d spans = %d, want 1", n, got)
	}
	want[0] = 1
	testenv.MustEqual(t, "after WriteSpans", readAll(t, f), want)
	j := peek(t, f)
	for i, r := range j.Records[1:] {
		b, a := recBytes(t, j, r)
		if r.Off != spans[i].Off || !bytes.Equal(b, orig[r.Off:r.Off+3]) || !bytes.Equal(a, spans[i].Data) {
			t.Fatalf("record %d: %d bytes at %#x, % x → % x", i, r.N, r.Off, b, a)
		}
	}
	if got := f.UnsyncedEdits(); got != 2 {
		t.Fatalf("UnsyncedEdits = %d, want 2 (the byte, the spans)", got)
	}
	ed, err := f.Undo()
	if err != nil || ed.Parts != n {
		t.Fatalf("Undo: %d parts, %v", ed.Parts, err)
	}
	want = append([]byte{1}, orig[1:]...)
	testenv.MustEqual(t, "after one undo", readAll(t, f), want)

	// Out of order, overlapping and past the end: refused, nothing stored.
	for _, c := range []struct {
		spans []Span
		err   string
	}{
		{[]Span{{10, []byte("ab")}, {5, []byte("c")}}, "spans to store at 0xb and 0x5 overlap or are out of order; nothing was stored"},
		{[]Span{{10, []byte("ab")}, {11, []byte("c")}}, "spans to store at 0xb and 0xb overlap or are out of order; nothing was stored"},
		{[]Span{{10, []byte("ab")}, {int64(len(orig)) - 1, []byte("cd")}}, fmt.Sprintf("edit of 2 bytes at %#x: offset is past end of file (size %d)", len(orig)-1, len(orig))},
	} {
		if _, err := f.WriteSpans(c.spans); err == nil || !strings.HasSuffix(err.Error(), c.err) {
			t.Errorf("WriteSpans(%v) = %v, want … %s", c.spans, err, c.err)
		}
	}
	testenv.MustEqual(t, "after the refusals", readAll(t, f), want)
}

// After a sync, undoing and redoing a step of many spans (a replace all)
// takes a few fdatasyncs, not one a span.
func TestUndoManySpansFewSyncs(t *testing.T) {
	diskState(t)
	const n = 3000
	orig := testenv.Pattern(n*16, 5)
	path := testenv.WriteFile(t, "f", orig)
	f := open(t, path, Options{})
	spans := everySixteen(n)
	if _, err := f.WriteSpans(spans); err != nil {
		t.Fatal(err)
	}
	after := readAll(t, f)
	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	syncs := f.JournalSyncs()
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "undone", readAll(t, f), orig)
	if _, err := f.Redo(); err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "redone", readAll(t, f), after)
	if got := f.JournalSyncs() - syncs; got > 2 {
		t.Fatalf("undo and redo of %d spans took %d fdatasyncs, want 2", n, got)
	}
}

// WriteSpansFunc makes each span's bytes from the bytes there (read once,
// under the mutex) and leaves alone those it refuses.
func TestWriteSpansFunc(t *testing.T) {
	diskState(t)
	path := testenv.WriteFile(t, "f", []byte("ab..ab..xb..ab"))
	f := open(t, path, Options{})
	g := f.Group()
	stored, left, err := g.WriteSpansFunc([]int64{0, 4, 8, 12}, 2, func(i int, old, dst []byte) bool {
		if string(old) != "ab" {
			return false
		}
		dst[0], dst[1] = 'A', old[1]+1
		return true
	})
	if err != nil || stored != 3 || left != 1 {
		t.Fatalf("WriteSpansFunc = %d, %d, %v", stored, left, err)
	}
	testenv.MustEqual(t, "file", readAll(t, f), []byte("Ac..Ac..xb..Ac"))
	if j := peek(t, f); len(j.Records) != 3 {
		t.Fatalf("%d records, want 3 (the place left alone is not journaled)", len(j.Records))
	}
	if _, _, err := g.WriteSpansFunc([]int64{0}, MaxSpanFunc+1, nil); err == nil || !strings.HasSuffix(err.Error(), "spans of 32769 bytes: at most 32768 bytes a span; nothing was stored") {
		t.Fatalf("a long span: %v", err)
	}
}

// TestSpansModel: random batches of spans (small, long, and past the
// in-memory threshold; some left alone by WriteSpansFunc), undos and
// redos (also of steps from before the last sync), against byte slices.
// Each round begins with a sync; in it the process "dies" at a random
// store (the file's bytes and the durable journal are copied there, as
// SIGKILL leaves them): reverting the copied journal's records on the
// copied bytes, as recovery does, must give the bytes of that sync. The
// bytes are compared with the model after every operation, and after
// undoing everything at the end.
func TestSpansModel(t *testing.T) {
	diskState(t)
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { spansModel(t, seed) })
	}
}

func spansModel(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 17))
	size := 3<<19 + r.IntN(4096)
	orig := testenv.Pattern(size, seed)
	path := testenv.WriteFile(t, "m.bin", orig)
	f := open(t, path, Options{})
	randSpans := func() []Span {
		var out []Span
		p := r.IntN(64)
		for p < size {
			var n int
			switch k := r.IntN(40); {
			case k == 0:
				n = spillThreshold + 1 + r.IntN(1000) // spilled
			case k < 3:
				n = MaxSpanFunc + 1 + r.IntN(40000) // journaled as read
			default:
				n = 1 + r.IntN(40)
			}
			if p+n > size {
				break
			}
			out = append(out, Span{Off: int64(p), Data: testenv.Pattern(n, r.Uint64())})
			p += n + r.IntN(6000)
		}
		return out
	}
	// hist[pos] is the model; undo and redo move pos. Undo reaches back
	// past the last sync: those stores move away from the synced bytes
	// and must be in the journal before they happen.
	hist := [][]byte{append([]byte(nil), orig...)}
	pos := 0
	push := func(m []byte) {
		hist = append(hist[:pos+1], m)
		pos++
	}
	for round := 0; round < 6; round++ {
		if _, err := f.Sync(MSSync); err != nil {
			t.Fatal(err)
		}
		synced := hist[pos]
		type snap struct{ data, journal []byte }
		var crash *snap
		stores, at := 0, 1+r.IntN(1200)
		f.hooks.store = func(int64) {
			if stores++; stores != at {
				return
			}
			d, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			jb, err := os.ReadFile(f.d.w.Path())
			if err != nil {
				t.Fatal(err)
			}
			crash = &snap{d, jb}
		}
		for op := 0; op < 5; op++ {
			model := append([]byte(nil), hist[pos]...)
			switch k := r.IntN(8); {
			case k < 2: // WriteSpans
				sp := randSpans()
				if n, err := f.WriteSpans(sp); err != nil || n != len(sp) {
					t.Fatalf("round %d: WriteSpans = %d of %d, %v", round, n, len(sp), err)
				}
				for _, s := range sp {
					copy(model[s.Off:], s.Data)
				}
				push(model)
			case k < 4: // WriteSpansFunc: fixed-length spans, some refused
				n := 1 + r.IntN(24)
				var offs []int64
				for p := r.IntN(100); p+n <= size; p += n + r.IntN(4000) {
					offs = append(offs, int64(p))
				}
				refuse := r.IntN(4)
				wantLeft := 0
				for i := range offs {
					if i%4 == refuse {
						wantLeft++
					}
				}
				stored, left, err := f.Group().WriteSpansFunc(offs, n, func(i int, old, dst []byte) bool {
					if !bytes.Equal(old, model[offs[i]:offs[i]+int64(n)]) {
						t.Errorf("span %d: old bytes % x, model % x", i, old, model[offs[i]:offs[i]+int64(n)])
					}
					if i%4 == refuse {
						return false
					}
					for k := range dst {
						dst[k] = old[k] ^ 0x5a
					}
					return true
				})
				if err != nil || stored != len(offs)-wantLeft || left != wantLeft {
					t.Fatalf("round %d: WriteSpansFunc = %d, %d, %v; want %d, %d", round, stored, left, err, len(offs)-wantLeft, wantLeft)
				}
				for i, o := range offs {
					if i%4 != refuse {
						for k := o; k < o+int64(n); k++ {
							model[k] ^= 0x5a
						}
					}
				}
				push(model)
			case k < 7: // undo
				if pos == 0 {
					continue
				}
				if _, err := f.Undo(); err != nil {
					t.Fatal(err)
				}
				pos--
			default: // redo
				if pos == len(hist)-1 {
					continue
				}
				if _, err := f.Redo(); err != nil {
					t.Fatal(err)
				}
				pos++
			}
			testenv.MustEqual(t, fmt.Sprintf("round %d op %d", round, op), readAll(t, f), hist[pos])
		}
		f.hooks.store = nil
		if crash != nil {
			got := revertCopy(t, crash.data, crash.journal)
			testenv.MustEqual(t, fmt.Sprintf("round %d: the journal reverted on the bytes at store %d", round, at), got, synced)
		}
	}
	for pos > 0 {
		if _, err := f.Undo(); err != nil {
			t.Fatal(err)
		}
		pos--
	}
	testenv.MustEqual(t, "all undone", readAll(t, f), orig)
}

// revertCopy reverts, newest first, the records of the journal jb on the
// bytes data as mapping/recovery does: a byte holding what a record
// stored gets the byte from before; one holding the old value stays (the
// store never happened); anything else is a failure here (no other
// writer).
func revertCopy(t *testing.T, data, jb []byte) []byte {
	t.Helper()
	p := t.TempDir() + "/j.mmj"
	if err := os.WriteFile(p, jb, 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := wal.Peek(p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	out := append([]byte(nil), data...)
	for i := len(j.Records) - 1; i >= 0; i-- {
		r := j.Records[i]
		b, a := recBytes(t, j, r)
		for k := int64(0); k < r.N; k++ {
			switch c := out[r.Off+k]; {
			case c == a[k]:
				out[r.Off+k] = b[k]
			case c == b[k]:
			default:
				t.Fatalf("record %d (%d bytes at %#x): byte %#x holds %#x, neither %#x (stored) nor %#x (before)", i, r.N, r.Off, r.Off+k, c, a[k], b[k])
			}
		}
	}
	return out
}

// TestRevertUnsyncedManySpansFewSyncs: reverting the unsynced edits (the
// quit dialog's r) of a step of many spans (a replace all) undoes it as
// Undo does, step by step: a few fdatasyncs, not one per span; the same
// going the other way (a synced step undone: RevertUnsynced redoes it).
// Before, it went entry by entry, each one looking over the whole step
// again (a replace all of 1 Mi matches: minutes of CPU, an fdatasync a
// match).
func TestRevertUnsyncedManySpansFewSyncs(t *testing.T) {
	diskState(t)
	const n = 3000
	orig := testenv.Pattern(n*16, 5)
	path := testenv.WriteFile(t, "f", orig)
	f := open(t, path, Options{})
	spans := everySixteen(n)
	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteSpans(spans); err != nil {
		t.Fatal(err)
	}
	after := readAll(t, f)
	syncs := f.JournalSyncs()
	if _, err := f.RevertUnsynced(); err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "reverted", readAll(t, f), orig)
	if got := f.JournalSyncs() - syncs; got > 2 {
		t.Errorf("reverting %d unsynced spans took %d fdatasyncs, want at most 2", n, got)
	}
	if u := f.UnsyncedEdits(); u != 0 {
		t.Errorf("%d unsynced edits after the revert", u)
	}
	// a synced step undone: the revert redoes it
	if _, err := f.Redo(); err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "redone", readAll(t, f), after)
	if _, err := f.Sync(MSSync); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	syncs = f.JournalSyncs()
	if _, err := f.RevertUnsynced(); err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "reverted to the synced step", readAll(t, f), after)
	if got := f.JournalSyncs() - syncs; got > 2 {
		t.Errorf("re-doing %d synced spans took %d fdatasyncs, want at most 2", n, got)
	}
}

// everySixteen is n spans of "XY", one every 16 bytes from 0.
func everySixteen(n int) []Span {
	spans := make([]Span, n)
	for i := range spans {
		spans[i] = Span{Off: int64(i * 16), Data: []byte("XY")}
	}
	return spans
}
