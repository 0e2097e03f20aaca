package search

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

var page = int64(os.Getpagesize())

// openFile writes data to a new file and maps it with one-page windows, so
// every search crosses window borders.
func openFile(t testing.TB, data []byte) *mapping.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(path, mapping.Options{Window: page})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// noise is random bytes without the letters of "needle" in either case.
func noise(n int, seed int64) []byte {
	rng := rand.New(rand.NewSource(seed))
	b := make([]byte, n)
	for i := range b {
		c := byte(rng.Intn(256))
		switch c | 0x20 {
		case 'n', 'e', 'd', 'l':
			c = '#'
		}
		b[i] = c
	}
	return b
}

func mustText(t testing.TB, s string, fold bool) *Pattern {
	p, err := ParseText(s, fold)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustHex(t testing.TB, s string) *Pattern {
	p, err := ParseHex(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func allOf(t *testing.T, f *mapping.File, p *Pattern, o AllOptions) []int64 {
	t.Helper()
	var r []int64
	if err := FindAll(context.Background(), f, p, 0, f.Size(), o, func(x int64) bool { r = append(r, x); return true }); err != nil {
		t.Fatal(err)
	}
	return r
}

func eq64(a, b []int64) bool {
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

// TestCrossWindow: matches that straddle page (window, chunk) borders are
// found forward, backward and by FindAll.
func TestCrossWindow(t *testing.T) {
	data := noise(int(8*page), 1)
	at := []int64{page - 3, 2*page - 1, 3*page - 5, 5 * page, 8*page - 6}
	for _, a := range at {
		copy(data[a:], "needle")
	}
	f := openFile(t, data)
	p := mustText(t, "needle", false)
	for _, chunk := range []int64{0, page} {
		o := Options{Chunk: chunk}
		// Forward from each match and from just after it.
		for i, a := range at {
			r, err := Find(context.Background(), f, p, a, o)
			if err != nil || r.Offset != a || r.Wrapped {
				t.Errorf("chunk %d: Find from %d = %+v, %v; want %d", chunk, a, r, err, a)
			}
			r, err = Find(context.Background(), f, p, a+1, o)
			if i+1 < len(at) {
				if err != nil || r.Offset != at[i+1] {
					t.Errorf("chunk %d: Find from %d = %+v, %v; want %d", chunk, a+1, r, err, at[i+1])
				}
			} else if !errors.Is(err, ErrNotFound) {
				t.Errorf("chunk %d: Find after the last = %+v, %v; want ErrNotFound", chunk, r, err)
			}
		}
		// Backward.
		ro := Options{Chunk: chunk, Reverse: true}
		for i, a := range at {
			r, err := Find(context.Background(), f, p, a, ro)
			if err != nil || r.Offset != a {
				t.Errorf("chunk %d: reverse Find from %d = %+v, %v; want %d", chunk, a, r, err, a)
			}
			r, err = Find(context.Background(), f, p, a-1, ro)
			if i > 0 {
				if err != nil || r.Offset != at[i-1] {
					t.Errorf("chunk %d: reverse Find from %d = %+v, %v; want %d", chunk, a-1, r, err, at[i-1])
				}
			} else if !errors.Is(err, ErrNotFound) {
				t.Errorf("chunk %d: reverse Find before the first = %+v, %v", chunk, r, err)
			}
		}
		r, err := Find(context.Background(), f, p, f.Size(), ro)
		if err != nil || r.Offset != at[len(at)-1] {
			t.Errorf("reverse from the end = %+v, %v", r, err)
		}
	}
	got := allOf(t, f, p, AllOptions{Workers: 3, Segment: page + 7, Chunk: page})
	if !eq64(got, at) {
		t.Errorf("FindAll = %v, want %v", got, at)
	}
}

func TestWrap(t *testing.T) {
	data := noise(int(3*page), 2)
	copy(data[100:], "needle")
	copy(data[2*page-2:], "needle")
	f := openFile(t, data)
	p := mustText(t, "needle", false)
	r, err := Find(context.Background(), f, p, 2*page, Options{Wrap: true})
	if err != nil || r.Offset != 100 || !r.Wrapped {
		t.Errorf("forward wrap = %+v, %v", r, err)
	}
	r, err = Find(context.Background(), f, p, 2*page, Options{})
	if !errors.Is(err, ErrNotFound) || err.Error() != `"needle": not found` {
		t.Errorf("forward no wrap = %+v, %v", r, err)
	}
	r, err = Find(context.Background(), f, p, 99, Options{Wrap: true, Reverse: true})
	if err != nil || r.Offset != 2*page-2 || !r.Wrapped {
		t.Errorf("reverse wrap = %+v, %v", r, err)
	}
	// A match straddling the start offset: forward from 102 wraps and
	// finds the one at 100 (it starts before 102).
	r, err = Find(context.Background(), f, p, 102, Options{Wrap: true})
	if err != nil || r.Offset != 2*page-2 || r.Wrapped {
		t.Errorf("forward from 102 = %+v, %v", r, err)
	}
	r, err = Find(context.Background(), f, p, 2*page, Options{Wrap: true})
	if err != nil || r.Offset != 100 {
		t.Errorf("= %+v, %v", r, err)
	}
	// Only one match: wrapping comes back to it.
	one := openFile(t, append(noise(5000, 3), "needle"...))
	r, err = Find(context.Background(), one, p, 5001, Options{Wrap: true})
	if err != nil || r.Offset != 5000 || !r.Wrapped {
		t.Errorf("single match wrap = %+v, %v", r, err)
	}
}

func TestWildcardAndFold(t *testing.T) {
	data := noise(int(4*page), 4)
	copy(data[page-2:], "\xde\xad\x01\xbe\xef")
	copy(data[3*page-1:], "\xde\xad\x02\xbe\xef")
	copy(data[500:], "NeEdLe")
	copy(data[2*page-3:], "needle")
	copy(data[3*page+7:], "NEEDLE")
	f := openFile(t, data)
	w := mustHex(t, "de ad ?? be ef")
	if got := allOf(t, f, w, AllOptions{Chunk: page}); !eq64(got, []int64{page - 2, 3*page - 1}) {
		t.Errorf("wildcard FindAll = %v", got)
	}
	r, err := Find(context.Background(), f, w, page, Options{Chunk: page})
	if err != nil || r.Offset != 3*page-1 {
		t.Errorf("wildcard Find = %+v %v", r, err)
	}
	ci := mustText(t, "needle", true)
	want := []int64{500, 2*page - 3, 3*page + 7}
	if got := allOf(t, f, ci, AllOptions{Chunk: page}); !eq64(got, want) {
		t.Errorf("fold FindAll = %v, want %v", got, want)
	}
	r, err = Find(context.Background(), f, ci, f.Size(), Options{Reverse: true})
	if err != nil || r.Offset != 3*page+7 {
		t.Errorf("fold reverse = %+v %v", r, err)
	}
	cs := mustText(t, "needle", false)
	if got := allOf(t, f, cs, AllOptions{}); !eq64(got, []int64{2*page - 3}) {
		t.Errorf("case-sensitive = %v", got)
	}
}

func TestOverlappingFindAll(t *testing.T) {
	data := bytes.Repeat([]byte("a"), int(2*page+3))
	f := openFile(t, data)
	p := mustText(t, "aaa", false)
	got := allOf(t, f, p, AllOptions{Workers: 2, Segment: 1000, Chunk: page})
	if int64(len(got)) != 2*page+1 || got[0] != 0 || got[len(got)-1] != 2*page {
		t.Fatalf("got %d matches", len(got))
	}
	for i, x := range got {
		if x != int64(i) {
			t.Fatalf("match %d at %d", i, x)
		}
	}
	c, err := Count(context.Background(), f, p, 0, f.Size(), 10, AllOptions{})
	if err != nil || c != 10 {
		t.Errorf("Count max 10 = %d, %v", c, err)
	}
}

func TestFindAllRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	data := make([]byte, 5*page+123)
	for i := range data {
		data[i] = "ab"[rng.Intn(2)]
	}
	f := openFile(t, data)
	for _, s := range []string{"abba", "aaaa", "ba", "b"} {
		p := mustText(t, s, false)
		var want []int64
		for _, i := range naiveAll(p, data) {
			want = append(want, int64(i))
		}
		for _, o := range []AllOptions{{}, {Workers: 1}, {Workers: 2, Segment: 777}, {Workers: 4, Segment: 4096, Chunk: page}} {
			if got := allOf(t, f, p, o); !eq64(got, want) {
				t.Errorf("%s %+v: %d matches, want %d", s, o, len(got), len(want))
			}
		}
		// Forward Find from each position agrees with the list.
		for _, from := range []int64{0, 1, page - 1, page, 3*page + 5} {
			r, err := Find(context.Background(), f, p, from, Options{Chunk: page})
			k := 0
			for k < len(want) && want[k] < from {
				k++
			}
			if k < len(want) {
				if err != nil || r.Offset != want[k] {
					t.Errorf("%s from %d = %v %v, want %d", s, from, r, err, want[k])
				}
			}
			rr, err := Find(context.Background(), f, p, from, Options{Chunk: page, Reverse: true})
			k = len(want) - 1
			for k >= 0 && want[k] > from {
				k--
			}
			if k >= 0 && (err != nil || rr.Offset != want[k]) {
				t.Errorf("%s reverse from %d = %v %v, want %d", s, from, rr, err, want[k])
			}
		}
	}
}

func TestCancel(t *testing.T) {
	f := openFile(t, noise(int(64*page), 6))
	p := mustText(t, "needle", false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Find(ctx, f, p, 0, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Find = %v", err)
	}
	if err := FindAll(ctx, f, p, 0, f.Size(), AllOptions{}, func(int64) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled FindAll = %v", err)
	}
	// Cancelled from the progress callback after the first report: the
	// search stops at once (no more than one further report).
	for _, rev := range []bool{false, true} {
		ctx, cancel = context.WithCancel(context.Background())
		reports := 0
		_, err := Find(ctx, f, p, 0, Options{Reverse: rev, Chunk: page, Progress: func(done, total int64) {
			reports++
			cancel()
		}})
		if !errors.Is(err, context.Canceled) || reports > 2 {
			t.Errorf("reverse %v: cancel during search = %v after %d reports", rev, err, reports)
		}
	}
}

func TestProgress(t *testing.T) {
	f := openFile(t, noise(int(3*page), 7))
	p := mustText(t, "needle", false)
	var last, total int64
	_, err := Find(context.Background(), f, p, 0, Options{Chunk: page, Wrap: true, Progress: func(d, tot int64) {
		if d < last {
			t.Errorf("progress went back: %d after %d", d, last)
		}
		last, total = d, tot
	}})
	if !errors.Is(err, ErrNotFound) || last != total || total != 3*page+5 {
		t.Errorf("progress ended at %d/%d (err %v)", last, total, err)
	}
}

// sparse makes a sparse file of size bytes with data written at the given
// offsets.
func sparse(t testing.TB, size int64, at map[int64]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sparse.bin")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if err := fh.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for off, s := range at {
		if _, err := fh.WriteAt([]byte(s), off); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestSparse(t *testing.T) {
	const size = 64 << 30
	path := sparse(t, size, map[int64]string{
		size - 1000:    "needle",
		10 << 30:       "x",    // data elsewhere
		(20 << 30) - 2: "\x41", // a match reaching into the next hole
	})
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := mustText(t, "needle", false)
	var done, total int64
	r, err := Find(context.Background(), f, p, 0, Options{Progress: func(d, tot int64) { done, total = d, tot }})
	if err != nil || r.Offset != size-1000 {
		t.Fatalf("Find = %+v, %v", r, err)
	}
	if total != size || done < size-(64<<20) {
		t.Errorf("progress %d/%d", done, total)
	}
	r, err = Find(context.Background(), f, p, size, Options{Reverse: true})
	if err != nil || r.Offset != size-1000 {
		t.Fatalf("reverse Find = %+v, %v", r, err)
	}
	var all []int64
	if err := FindAll(context.Background(), f, p, 0, size, AllOptions{}, func(x int64) bool { all = append(all, x); return true }); err != nil || !eq64(all, []int64{size - 1000}) {
		t.Errorf("FindAll = %v, %v", all, err)
	}
	// A match whose non-zero byte is in data and whose zeros are in the
	// following hole; and one whose zeros come before the data.
	h := mustHex(t, "41 00 00 00")
	r, err = Find(context.Background(), f, h, 0, Options{})
	if err != nil || r.Offset != (20<<30)-2 {
		t.Errorf("match into a hole = %+v, %v", r, err)
	}
	h2 := mustHex(t, "00 00 00 78")
	r, err = Find(context.Background(), f, h2, size, Options{Reverse: true})
	if err != nil || r.Offset != (10<<30)-3 {
		t.Errorf("match from a hole = %+v, %v", r, err)
	}
	// A pattern of zeros matches in a hole: holes are not skipped.
	z := mustHex(t, "00 00")
	r, err = Find(context.Background(), f, z, 12345, Options{})
	if err != nil || r.Offset != 12345 {
		t.Errorf("zeros = %+v, %v", r, err)
	}
}

func TestFromEnds(t *testing.T) {
	data := noise(5000, 8)
	copy(data[0:], "needle")
	copy(data[4994:], "needle")
	f := openFile(t, data)
	p := mustText(t, "needle", false)
	r, err := Find(context.Background(), f, p, -1, Options{Reverse: true, Wrap: true})
	if err != nil || r.Offset != 4994 || !r.Wrapped {
		t.Errorf("reverse from -1 = %+v, %v", r, err)
	}
	r, err = Find(context.Background(), f, p, 5000, Options{Wrap: true})
	if err != nil || r.Offset != 0 || !r.Wrapped {
		t.Errorf("forward from the end = %+v, %v", r, err)
	}
	if _, err := Find(context.Background(), f, p, -1, Options{Reverse: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("reverse from -1 without wrap = %v", err)
	}
}

// rssFile is this process's resident file-backed memory (RssFile of
// /proc/self/status), in bytes.
func rssFile(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "RssFile:") {
			kb, err := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			if err != nil {
				t.Fatalf("status: %q: %v", l, err)
			}
			return kb << 10
		}
	}
	testenv.SkipOrFail(t, "no RssFile in /proc/self/status")
	return 0
}

// TestFindMemoryBounded: the interactive search (Find, through
// mapping.Scan with its default chunk) releases what it has scanned: while
// it reads a 128 MiB file in the page cache, forward and backward, the
// process's resident file pages grow by less than 48 MiB (a 16 MiB chunk
// mapped at a time per worker, and what the kernel maps around it), not by
// the file; the same for a forward search split between workers.
func TestFindMemoryBounded(t *testing.T) {
	const size = 128 << 20
	f := openFile(t, bytes.Repeat(noise(int(page), 14), size/int(page)))
	p := mustText(t, "needle", false)
	for _, c := range []struct {
		rev bool
		seg int64 // the parallel forward search's segments
	}{{false, defaultSegment}, {true, defaultSegment}, {false, 16 << 20}, {true, 16 << 20}} {
		rev := c.rev
		base := rssFile(t)
		var peak, sampled, reached int64
		from := int64(0)
		if rev {
			from = size
		}
		_, err := Find(context.Background(), f, p, from, Options{Reverse: rev, segment: c.seg, Progress: func(done, total int64) {
			reached = done
			if done-sampled >= 1<<20 || done == total {
				sampled = done
				peak = max(peak, rssFile(t))
			}
		}})
		if !errors.Is(err, ErrNotFound) || reached != size {
			t.Fatalf("reverse %v segments %d MiB: Find = %v, progress %d of %d", rev, c.seg>>20, err, reached, size)
		}
		if grew := peak - base; grew >= 48<<20 {
			t.Errorf("reverse %v segments %d MiB: resident file pages grew by %d MiB while searching %d MiB", rev, c.seg>>20, grew>>20, size>>20)
		} else {
			t.Logf("reverse %v segments %d MiB: grew by %d MiB", rev, c.seg>>20, grew>>20)
		}
	}
}

// TestFindParallel: a search split between workers (segments of a few
// pages, odd sizes, one-page windows and chunks) finds exactly what the
// search on one goroutine finds, forward and backward, from every kind of
// start, with and without wrapping; progress only grows and ends at the
// total; a cancelled search says so.
func TestFindParallel(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	data := make([]byte, 40*page+123)
	for i := range data {
		data[i] = "ab"[rng.Intn(2)]
	}
	// A few rare matches, one across each kind of border.
	for _, a := range []int64{3*page - 2, 17*page + 1000, 29*page - 5, 40*page + 123 - 6} {
		copy(data[a:], "needle")
	}
	f := openFile(t, data)
	size := int64(len(data))
	for _, seg := range []int64{777, 4096, 3*page + 5} {
		for _, s := range []string{"needle", "abba", "bbbbbbbbbbbbbbbbbb", "nomatch"} {
			p := mustText(t, s, false)
			for _, from := range []int64{-1, 0, 1, page - 1, 3*page - 2, 3*page - 1, 17 * page, 28 * page, size - 6, size} {
				for _, c := range []struct{ wrap, rev bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
					wrap := c.wrap
					want, werr := Find(context.Background(), f, p, from, Options{Workers: 1, Wrap: wrap, Reverse: c.rev})
					for _, o := range []Options{{Workers: 2, Wrap: wrap, Reverse: c.rev, segment: seg}, {Workers: 3, Wrap: wrap, Reverse: c.rev, Chunk: page, segment: seg}} {
						var last, total int64
						o.Progress = func(d, tot int64) {
							if d < last {
								t.Errorf("%q seg %d from %d: progress went back: %d after %d", s, seg, from, d, last)
							}
							last, total = d, tot
						}
						got, err := Find(context.Background(), f, p, from, o)
						if got != want || errors.Is(err, ErrNotFound) != errors.Is(werr, ErrNotFound) || (err == nil) != (werr == nil) {
							t.Errorf("%q seg %d from %d wrap %v reverse %v workers %d: %+v %v, want %+v %v", s, seg, from, wrap, c.rev, o.Workers, got, err, want, werr)
						}
						if err != nil && last != total {
							t.Errorf("%q seg %d from %d: no match, progress ended at %d of %d", s, seg, from, last, total)
						}
					}
				}
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, rev := range []bool{false, true} {
		if _, err := Find(ctx, f, mustText(t, "nomatch", false), 0, Options{Workers: 2, Reverse: rev}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled parallel Find (reverse %v) = %v", rev, err)
		}
	}
}

// TestFindParallelFault: the file shrinks under a forward search split
// between workers; a worker touching pages past the new end gets an error
// (mapping.ErrFault), not a crash, and Find returns it.
func TestFindParallelFault(t *testing.T) {
	for _, rev := range []bool{false, true} {
		// A file each: after a fault the mapping knows the new size.
		f := openFile(t, noise(int(32*page), 12))
		if err := os.Truncate(f.Path(), page); err != nil {
			t.Fatal(err)
		}
		from := int64(0)
		if rev {
			from = 32 * page
		}
		_, err := Find(context.Background(), f, mustText(t, "needle", false), from, Options{Workers: 2, Reverse: rev, segment: 3 * page})
		if !errors.Is(err, mapping.ErrFault) {
			t.Errorf("parallel Find (reverse %v) on a shrunk file = %v, want ErrFault", rev, err)
		}
	}
}
