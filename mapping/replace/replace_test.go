package replace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/search"
)

func openFile(t *testing.T, content []byte) (*mapping.File, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "r.bin")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, p
}

// refReplace is the byte-loop reference of the rule: from the left, a
// match at i is replaced and the loop goes on at i+len; elsewhere it goes
// on at i+1. Matches are judged on the original bytes.
func refReplace(data []byte, p *search.Pattern, r *Replacement, off, end int64) ([]byte, []int64) {
	out := append([]byte(nil), data...)
	var offs []int64
	n := int64(p.Len())
	for i := off; i+n <= end; {
		if p.MatchAt(data[i : i+n]) {
			r.Apply(out[i:i+n], data[i:i+n])
			offs = append(offs, i)
			i += n
			continue
		}
		i++
	}
	return out, offs
}

func readAll(t *testing.T, f *mapping.File) []byte {
	t.Helper()
	b := make([]byte, f.Size())
	if _, err := f.ReadAt(b, 0); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOverlapRule states the rule on examples: left to right, a match
// overlapping the last one taken is left alone, and the bytes a
// replacement writes are not searched again.
func TestOverlapRule(t *testing.T) {
	for _, c := range []struct{ data, old, new, want string }{
		{"aaaaa", "aa", "bb", "bbbba"},
		{"aaa", "aa", "ab", "aba"}, // not "abb": the written "a" is not searched again
		{"abab", "aba", "xyz", "xyzb"},
		{"xaax", "ax", "xa", "xaxa"},
		{"ababab", "bab", "BAB", "aBABab"},
	} {
		f, _ := openFile(t, []byte(c.data))
		p, _ := search.ParseText(c.old, false)
		r, _ := Parse(c.new, false)
		w, err := NewWriter(f, p, r)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.All(context.Background(), 0, f.Size(), nil); err != nil {
			t.Fatal(err)
		}
		if got := string(readAll(t, f)); got != c.want {
			t.Errorf("%q: %q → %q gives %q, want %q", c.data, c.old, c.new, got, c.want)
		}
	}
}

// TestAgainstByteLoop: random data over a small alphabet (many
// overlapping matches), random patterns with "??" and case folding,
// random replacements with "??", random ranges: the file equals the byte
// loop's result, the offsets Matches gives are the loop's, and ONE undo
// puts every byte back.
func TestAgainstByteLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alpha := []byte("aAbB")
	for iter := 0; iter < 300; iter++ {
		size := 1 + rng.IntN(3000)
		data := make([]byte, size)
		for i := range data {
			data[i] = alpha[rng.IntN(len(alpha))]
		}
		n := 1 + rng.IntN(4)
		var pat, rep []byte
		for i := 0; i < n; i++ {
			switch rng.IntN(4) {
			case 0:
				pat = append(pat, "?? "...)
			default:
				pat = append(pat, search.FormatHex([]byte{alpha[rng.IntN(len(alpha))]}, []byte{0xff})+" "...)
			}
			if rng.IntN(3) == 0 {
				rep = append(rep, "?? "...)
			} else {
				rep = append(rep, search.FormatHex([]byte{byte(rng.IntN(256))}, []byte{0xff})+" "...)
			}
		}
		var p *search.Pattern
		var err error
		if rng.IntN(3) == 0 {
			txt := make([]byte, n)
			for i := range txt {
				txt[i] = alpha[rng.IntN(len(alpha))]
			}
			p, err = search.ParseText(string(txt), rng.IntN(2) == 0)
		} else {
			p, err = search.ParseHex(string(pat))
		}
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(string(rep), true)
		if err != nil {
			t.Fatal(err)
		}
		off := int64(rng.IntN(size))
		end := off + int64(rng.IntN(size-int(off)+1))
		if rng.IntN(2) == 0 {
			off, end = 0, int64(size)
		}
		want, wantOffs := refReplace(data, p, r, off, end)
		f, _ := openFile(t, data)
		var offs []int64
		if err := Matches(context.Background(), f, p, off, end, func(x int64) bool { offs = append(offs, x); return true }); err != nil {
			t.Fatal(err)
		}
		if !slicesEqual(offs, wantOffs) {
			t.Fatalf("iter %d: %s in [%d,%d): Matches %v, byte loop %v", iter, p, off, end, offs, wantOffs)
		}
		w, err := NewWriter(f, p, r)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.All(context.Background(), off, end, nil); err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, f); !bytes.Equal(got, want) {
			t.Fatalf("iter %d: %s → %s in [%d,%d) of %q:\n got %q\nwant %q", iter, p, r, off, end, data, got, want)
		}
		if w.Replaced != int64(len(wantOffs)) || w.Stale != 0 {
			t.Fatalf("iter %d: Replaced %d Stale %d, want %d 0", iter, w.Replaced, w.Stale, len(wantOffs))
		}
		if len(wantOffs) > 0 {
			if n := f.UnsyncedEdits(); n != 1 {
				t.Fatalf("iter %d: %d matches replaced: UnsyncedEdits = %d, want 1 (one undo step)", iter, len(wantOffs), n)
			}
			ed, err := f.Undo()
			if err != nil || ed.Parts != len(wantOffs) {
				t.Fatalf("iter %d: Undo = %+v, %v; want %d parts", iter, ed, err, len(wantOffs))
			}
			if got := readAll(t, f); !bytes.Equal(got, data) {
				t.Fatalf("iter %d: one undo left %q, want %q", iter, got, data)
			}
		}
		f.Close()
	}
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLengthRefused: a replacement of another length is refused with the
// reason, and nothing is written.
func TestLengthRefused(t *testing.T) {
	f, _ := openFile(t, []byte("abcabc"))
	p, _ := search.ParseText("abc", false)
	r, _ := Parse("ab", false)
	_, err := NewWriter(f, p, r)
	want := `the replacement must be as long as the pattern: "abc" is 3 bytes, "ab" is 2 bytes; replacing works in place (the file keeps its size, no byte is inserted or removed)`
	if err == nil || !errors.Is(err, ErrLength) || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if got := string(readAll(t, f)); got != "abcabc" {
		t.Fatalf("file changed: %q", got)
	}
}

// TestStaleLeftAlone: a match whose bytes another writer changed between
// the search and the store is left alone and counted.
func TestStaleLeftAlone(t *testing.T) {
	f, path := openFile(t, []byte("xx..xx..xx"))
	p, _ := search.ParseText("xx", false)
	r, _ := Parse("YY", false)
	w, _ := NewWriter(f, p, r)
	var offs []int64
	Matches(context.Background(), f, p, 0, f.Size(), func(x int64) bool { offs = append(offs, x); return true })
	o, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	o.WriteAt([]byte("z"), 5)
	o.Close()
	for _, x := range offs {
		if _, err := w.At(x); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(readAll(t, f)); got != "YY..xz..YY" || w.Replaced != 2 || w.Stale != 1 {
		t.Fatalf("file %q, Replaced %d, Stale %d; want \"YY..xz..YY\", 2, 1", got, w.Replaced, w.Stale)
	}
}

// TestCancelKeepsJournaled: a replace cancelled part-way keeps what it
// replaced, as one undo step that puts back exactly those bytes.
func TestCancelKeepsJournaled(t *testing.T) {
	data := bytes.Repeat([]byte("ab.."), 50000)
	f, _ := openFile(t, data)
	p, _ := search.ParseText("ab", false)
	r, _ := Parse("CD", false)
	w, _ := NewWriter(f, p, r)
	w.Batch = 4096
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := w.All(ctx, 0, f.Size(), func(done, total int64) {
		if calls++; calls == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("All = %v, want context.Canceled", err)
	}
	got := readAll(t, f)
	k := int64(bytes.Count(got, []byte("CD")))
	if k != w.Replaced || k == 0 || k == 50000 {
		t.Fatalf("cancelled: %d CD in the file, Replaced %d (want between 1 and 49999, equal)", k, w.Replaced)
	}
	if !bytes.Equal(got[:4*k], bytes.Repeat([]byte("CD.."), int(k))) || !bytes.Equal(got[4*k:], data[4*k:]) {
		t.Fatal("the replaced part is not a prefix")
	}
	if _, err := f.Undo(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readAll(t, f), data) {
		t.Fatal("one undo did not put every byte back")
	}
}

// TestHolesSkipped: in a sparse file, a pattern that cannot match zeros
// never reads the holes (their pages do not enter the page cache: the
// middle of the hole is checked, the kernel's readahead around the data
// may bring up to read_ahead_kb of zeros); the
// matches in the data, at both ends of the file, are replaced.
func TestHolesSkipped(t *testing.T) {
	const size = 128 << 20
	p := filepath.Join(t.TempDir(), "sparse.bin")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	fh.Truncate(size)
	fh.WriteAt([]byte("..KEY.."), 100)
	fh.WriteAt([]byte("..KEY.."), size-7)
	fh.Close()
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pat, _ := search.ParseText("KEY", false)
	r, _ := Parse("kEy", false)
	w, _ := NewWriter(f, pat, r)
	if err := w.All(context.Background(), 0, size, nil); err != nil || w.Replaced != 2 {
		t.Fatalf("All: %v, Replaced %d", err, w.Replaced)
	}
	res, err := pagecache.Residency(f, 32<<20, size-64<<20)
	if err != nil {
		t.Fatal(err)
	}
	in := 0
	for _, r := range res {
		if r {
			in++
		}
	}
	if in != 0 {
		first, last := -1, -1
		for i, r := range res {
			if r {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		t.Fatalf("first %d last %d of %d; %d pages of the hole are in the page cache: the replace read the hole", first, last, len(res), in)
	}
	got := make([]byte, 7)
	f.ReadAt(got, size-7)
	if string(got) != "..kEy.." {
		t.Fatalf("end of the file %q", got)
	}
	// The control: a pattern that matches zeros reads the hole.
	z, _ := search.ParseHex("00 00 00 00")
	if _, err := search.Count(context.Background(), f, z, 40<<20, 48<<20, 0, search.AllOptions{}); err != nil {
		t.Fatal(err)
	}
	res, _ = pagecache.Residency(f, 40<<20, 8<<20)
	in = 0
	for _, r := range res {
		if r {
			in++
		}
	}
	if in == 0 {
		t.Fatal("control: a zeros pattern left no page of the hole in the page cache: the check cannot see a read hole")
	}
}

// TestSegmentBorders: overlapping chains of matches across the search
// engine's 64 MiB segments and its chunks are taken by the rule, as the
// byte loop takes them (a sparse file: only the data is read).
func TestSegmentBorders(t *testing.T) {
	const size = 200 << 20
	p := filepath.Join(t.TempDir(), "borders.bin")
	fh, _ := os.Create(p)
	fh.Truncate(size)
	run := bytes.Repeat([]byte("a"), 41)
	var where []int64
	for _, b := range []int64{16 << 20, 64 << 20, 128 << 20, 192 << 20} {
		where = append(where, b-20)
		fh.WriteAt(run, b-20)
	}
	fh.Close()
	f, _ := mapping.Open(p, mapping.Options{})
	defer f.Close()
	pat, _ := search.ParseText("aaa", false)
	var offs []int64
	Matches(context.Background(), f, pat, 0, size, func(x int64) bool { offs = append(offs, x); return true })
	var want []int64
	for _, w := range where {
		for k := int64(0); k+3 <= 41; k += 3 {
			want = append(want, w+k)
		}
	}
	if !slicesEqual(offs, want) {
		t.Fatalf("Matches:\n got %v\nwant %v", offs, want)
	}
}

// TestAllOneSyncPerBatch: replacing N matches takes one fdatasync of the
// durable journal a batch of matches, not one a match (issue 17's
// 1 M matches took 1 M fdatasyncs and minutes); the journal holds every
// match's record, and one undo puts every byte back.
func TestAllOneSyncPerBatch(t *testing.T) {
	const n = 20000
	data := bytes.Repeat([]byte("..ab"), n)
	for _, batch := range []int{DefaultBatch, 3000} {
		f, _ := openFile(t, data)
		p, _ := search.ParseText("ab", false)
		r, _ := Parse("XY", false)
		w, _ := NewWriter(f, p, r)
		w.Batch = batch
		if err := w.All(context.Background(), 0, f.Size(), nil); err != nil {
			t.Fatal(err)
		}
		want := (n + batch - 1) / batch
		if got := f.JournalSyncs(); w.Replaced != n || got != want {
			t.Fatalf("batch %d: %d replaced with %d fdatasyncs of the journal, want %d with %d", batch, w.Replaced, got, n, want)
		}
		if got := string(readAll(t, f)); got != string(bytes.Repeat([]byte("..XY"), n)) {
			t.Fatal("not every match replaced")
		}
		if _, err := f.Undo(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(readAll(t, f), data) {
			t.Fatal("one undo did not put every byte back")
		}
	}
}

// TestMemoryPerMatch: a replace all keeps, for its one undo step, each
// match's offset and its old and new bytes (8 + 2×4 bytes for a 4-byte
// pattern), and the unsynced-bytes set holds one span a match (32 bytes):
// about 48 bytes a match. It must not keep a journal entry a match (96
// bytes, in a slice regrown by append: about 160 bytes a match live and
// over 1 KB allocated before), nor allocate much more than it keeps: at
// 1 Mi matches that was a 200 MB live heap, two dozen GCs and tens of MB
// copied at once, interrupted by the GC's signals (issue 17's replace of
// 1 Mi matches in a 1 GiB file). The figures are marginal (the heap of a
// replace of 300 000 matches less that of 100 000, over the 200 000 more),
// so fixed costs (the durable journal's 4 MiB write buffer) do not count.
// Bounds: 64 bytes a match live (48, and the nodes of the set's last
// chunk), 96 allocated (the same, and the batches of offsets the search
// hands over).
func TestMemoryPerMatch(t *testing.T) {
	measure := func(n int) (live, alloc float64) {
		data := bytes.Repeat([]byte("....RPLC........"), n)
		f, _ := openFile(t, data)
		p, _ := search.ParseText("RPLC", false)
		r, _ := Parse("rplc", false)
		w, err := NewWriter(f, p, r)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if err := w.All(context.Background(), 0, f.Size(), nil); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if w.Replaced != int64(n) {
			t.Fatalf("replaced %d, want %d", w.Replaced, n)
		}
		live, alloc = float64(after.HeapAlloc)-float64(before.HeapAlloc), float64(after.TotalAlloc-before.TotalAlloc)
		t.Logf("%d matches: heap +%.0f bytes, %.0f allocated, %d GCs", n, live, alloc, after.NumGC-before.NumGC-1)
		// The one undo step still puts every byte back.
		if _, err := f.Undo(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(readAll(t, f), data) {
			t.Fatal("one undo did not put every byte back")
		}
		f.Close()
		return live, alloc
	}
	const n1, n2 = 100000, 300000
	l1, a1 := measure(n1)
	l2, a2 := measure(n2)
	live, alloc := (l2-l1)/(n2-n1), (a2-a1)/(n2-n1)
	t.Logf("a match: %.1f bytes live, %.1f allocated", live, alloc)
	if live > 64 || alloc > 96 {
		t.Errorf("a match costs %.1f bytes live (at most 64), %.1f allocated (at most 96)", live, alloc)
	}
}

// BenchmarkReplaceAll replaces 2^18 matches of a 4-byte pattern (one
// every 16 bytes, a 4 MiB file) with Writer.All, and reports the time and
// the memory a match: B/match allocated, live-B/match kept after the
// replace (the journal's undo step and the unsynced-bytes set; fixed
// costs included, so somewhat above TestMemoryPerMatch's marginal
// figure), and the GCs a replace took.
func BenchmarkReplaceAll(b *testing.B) {
	const n = 1 << 18
	data := bytes.Repeat([]byte("....RPLC........"), n)
	p, _ := search.ParseText("RPLC", false)
	r, _ := Parse("rplc", false)
	dir := b.TempDir()
	var live, alloc, gcs float64
	for i := range b.N {
		b.StopTimer()
		path := filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		f, err := mapping.Open(path, mapping.Options{})
		if err != nil {
			b.Fatal(err)
		}
		w, _ := NewWriter(f, p, r)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		if err := w.All(context.Background(), 0, f.Size(), nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		gcs += float64(after.NumGC - before.NumGC)
		runtime.GC()
		var kept runtime.MemStats
		runtime.ReadMemStats(&kept)
		live += float64(kept.HeapAlloc) - float64(before.HeapAlloc)
		alloc += float64(after.TotalAlloc - before.TotalAlloc)
		if w.Replaced != n {
			b.Fatalf("replaced %d", w.Replaced)
		}
		f.Close()
		os.Remove(path)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/match")
	b.ReportMetric(alloc/float64(b.N)/n, "B/match")
	b.ReportMetric(live/float64(b.N)/n, "live-B/match")
	b.ReportMetric(gcs/float64(b.N), "GCs/op")
}
