package compare

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
)

// model is the reference: a byte loop over the whole contents.
func model(x, y []byte) []Range {
	var out []Range
	n := min(len(x), len(y))
	for i := 0; i < n; i++ {
		if x[i] == y[i] {
			continue
		}
		if k := len(out); k > 0 && out[k-1].End() == int64(i) {
			out[k-1].Len++
			continue
		}
		out = append(out, Range{Off: int64(i), Len: 1})
	}
	switch {
	case len(x) > len(y):
		out = append(out, Range{Off: int64(n), Len: int64(len(x) - n), Side: OnlyA})
	case len(y) > len(x):
		out = append(out, Range{Off: int64(n), Len: int64(len(y) - n), Side: OnlyB})
	}
	return out
}

// sparseFile writes content to a new file, leaving the all-zero 4 KiB
// blocks listed in holes as holes (never written); it returns the path.
func sparseFile(t *testing.T, name string, content []byte, holes map[int64]bool) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(int64(len(content))); err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < int64(len(content)); off += 4096 {
		if holes[off/4096] {
			continue
		}
		if _, err := f.WriteAt(content[off:min(int64(len(content)), off+4096)], off); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func open(t *testing.T, p string, o mapping.Options) *mapping.File {
	t.Helper()
	f, err := mapping.Open(p, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func diffAll(t *testing.T, a, b *mapping.File, off, end int64, o Options) []Range {
	t.Helper()
	var got []Range
	if err := Diff(context.Background(), a, b, off, end, o, func(r Range) bool {
		got = append(got, r)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// clip is the model's ranges inside [off, end).
func clip(rs []Range, off, end int64) []Range {
	var out []Range
	for _, r := range rs {
		a, b := max(r.Off, off), min(r.End(), end)
		if a < b {
			out = append(out, Range{Off: a, Len: b - a, Side: r.Side})
		}
	}
	return out
}

// TestModel: random files with differences planted at the borders of
// chunks, segments, blocks and 8-byte words, at the start and the end,
// with different lengths and holes on one side, both or neither: Diff,
// Next, Prev and Count give what a byte loop gives, on one worker and on
// several, with and without hole skipping.
func TestModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	const page = 4096
	for iter := range 25 {
		blocks := 1 + rng.IntN(24)
		la := max(1, blocks*page-rng.IntN(3)*rng.IntN(page))
		lb := la
		switch rng.IntN(3) {
		case 1:
			lb = la + rng.IntN(3*page) + 1
		case 2:
			lb = max(1, la-rng.IntN(3*page)-1)
		}
		// a: random or zero blocks (zero ones may be holes)
		x := make([]byte, la)
		holesA, holesB := map[int64]bool{}, map[int64]bool{}
		for blk := 0; blk*page < la; blk++ {
			if rng.IntN(3) == 0 {
				holesA[int64(blk)] = rng.IntN(4) != 0
				continue
			}
			for i := blk * page; i < min(la, (blk+1)*page); i++ {
				x[i] = byte(rng.IntN(4)) // small alphabet: equal bytes inside differing runs
			}
		}
		y := make([]byte, lb)
		copy(y, x)
		for blk := 0; blk*page < lb; blk++ {
			allZero := true
			for i := blk * page; i < min(lb, (blk+1)*page); i++ {
				allZero = allZero && y[i] == 0
			}
			if allZero && rng.IntN(2) == 0 {
				holesB[int64(blk)] = true
			}
			if rng.IntN(5) == 0 { // a block of B that is a hole where A has data, or data where A has a hole
				for i := blk * page; i < min(lb, (blk+1)*page); i++ {
					y[i] = 0
				}
				holesB[int64(blk)] = rng.IntN(2) == 0
			}
		}
		// planted differences at borders
		seg := int64(page * (1 + rng.IntN(5)))
		chunk := int64(page * (1 + rng.IntN(3)))
		borders := []int{0, la - 1, lb - 1, la, lb}
		for k := 1; k < 50; k++ {
			for _, unit := range []int64{seg, chunk, page, 8} {
				borders = append(borders, int(unit)*k-1, int(unit)*k)
			}
		}
		for _, p := range borders {
			if p >= 0 && p < lb && rng.IntN(3) == 0 {
				y[p] ^= byte(1 + rng.IntN(255))
				delete(holesB, int64(p/page))
			}
		}
		// a run of differences through several blocks
		if lb > 0 && rng.IntN(2) == 0 {
			s := rng.IntN(lb)
			for i := s; i < min(lb, s+rng.IntN(3*page)); i++ {
				y[i] = ^x[min(i, la-1)]
				if i >= la {
					y[i] = 0xff
				}
				delete(holesB, int64(i/page))
			}
		}
		pa := sparseFile(t, "a", x, holesA)
		pb := sparseFile(t, "b", y, holesB)
		mode := mapping.Options{ReadOnly: true}
		if iter%5 == 4 {
			mode = mapping.Options{Private: true}
		}
		a, b := open(t, pa, mode), open(t, pb, mode)
		want := model(x, y)
		for _, o := range []Options{
			{Workers: 1, Segment: seg, Chunk: chunk},
			{Workers: 3, Segment: seg, Chunk: chunk},
			{Workers: 2, Segment: seg, Chunk: chunk, NoHoleSkip: true},
			{},
		} {
			got := diffAll(t, a, b, 0, 1<<62, o)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("iter %d %+v: Diff\n got %v\nwant %v", iter, o, got, want)
			}
			for range 5 {
				off := int64(rng.IntN(max(la, lb) + 2))
				end := off + int64(rng.IntN(max(la, lb)+2))
				if w := clip(want, off, end); !reflect.DeepEqual(diffAll(t, a, b, off, end, o), w) {
					t.Fatalf("iter %d %+v: Diff [%d,%d)\n got %v\nwant %v", iter, o, off, end, diffAll(t, a, b, off, end, o), w)
				}
				from := int64(rng.IntN(max(la, lb) + 2))
				checkNextPrev(t, a, b, from, o, want)
			}
			for range 4 { // from the borders of some runs
				if len(want) == 0 {
					break
				}
				r := want[rng.IntN(len(want))]
				for _, from := range []int64{r.Off - 1, r.Off, r.Off + 1, r.End() - 1, r.End()} {
					checkNextPrev(t, a, b, from, o, want)
				}
			}
			s, err := Count(context.Background(), a, b, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			var ws Summary
			ws.Tail = Tail(a, b)
			for _, r := range want {
				if r.Side == Both {
					ws.Ranges++
					ws.Bytes += r.Len
				}
			}
			if s != ws {
				t.Fatalf("iter %d %+v: Count %+v, want %+v", iter, o, s, ws)
			}
		}
	}
}

func checkNextPrev(t *testing.T, a, b *mapping.File, from int64, o Options, want []Range) {
	t.Helper()
	var wn, wp Range
	okN, okP := false, false
	for _, r := range want {
		if !okN && r.Off > from {
			wn, okN = r, true
		}
		if r.Off < from {
			wp, okP = r, true
		}
	}
	gn, gotN, err := Next(context.Background(), a, b, from, o)
	if err != nil {
		t.Fatal(err)
	}
	if gotN != okN || gn != wn {
		t.Fatalf("%+v: Next(%d) = %v %v, want %v %v", o, from, gn, gotN, wn, okN)
	}
	gp, gotP, err := Prev(context.Background(), a, b, from, o)
	if err != nil {
		t.Fatal(err)
	}
	if gotP != okP || gp != wp {
		t.Fatalf("%+v: Prev(%d) = %v %v, want %v %v", o, from, gp, gotP, wp, okP)
	}
}

// TestHolesNotRead: two 1 TiB sparse files (data in a few blocks, one byte
// differing near the end) compare in well under the deadline: reading
// 2 TiB of holes would take hours. A hole on one side is compared against
// the other's data (the planted byte lies in data only B has).
func TestHolesNotRead(t *testing.T) {
	const size = 1 << 40
	dir := t.TempDir()
	mk := func(name string, writes map[int64]byte) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Skipf("no 1 TiB sparse file here: %v", err)
		}
		for off, v := range writes {
			if _, err := f.WriteAt([]byte{v}, off); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	pa := mk("a", map[int64]byte{0: 1, 1 << 30: 7, size - 1: 9})
	pb := mk("b", map[int64]byte{0: 1, 1 << 30: 7, size - 1: 9, size - 5000: 3})
	a, b := open(t, pa, mapping.Options{ReadOnly: true}), open(t, pb, mapping.Options{ReadOnly: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var got []Range
	err := Diff(ctx, a, b, 0, size, Options{}, func(r Range) bool { got = append(got, r); return true })
	if err != nil {
		t.Fatalf("Diff over 1 TiB of holes: %v (holes read?)", err)
	}
	if want := []Range{{Off: size - 5000, Len: 1}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	r, ok, err := Next(ctx, a, b, 0, Options{})
	if err != nil || !ok || r != (Range{Off: size - 5000, Len: 1}) {
		t.Fatalf("Next: %v %v %v", r, ok, err)
	}
	r, ok, err = Prev(ctx, a, b, size, Options{})
	if err != nil || !ok || r != (Range{Off: size - 5000, Len: 1}) {
		t.Fatalf("Prev: %v %v %v", r, ok, err)
	}
}

// TestCancel: a cancelled context stops a compare of a long equal range
// with ctx.Err(), and Progress reports the bytes passed, ending at the
// total.
func TestCancel(t *testing.T) {
	content := make([]byte, 8<<20)
	for i := range content {
		content[i] = byte(i * 7)
	}
	pa := sparseFile(t, "a", content, nil)
	pb := sparseFile(t, "b", content, nil)
	a, b := open(t, pa, mapping.Options{ReadOnly: true}), open(t, pb, mapping.Options{ReadOnly: true})
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, ok, err := Next(ctx, a, b, 0, Options{Segment: 1 << 20, Progress: func(done, total int64) {
		calls++
		if done >= 2<<20 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || ok {
		t.Fatalf("Next cancelled: ok %v err %v", ok, err)
	}
	var last, total int64
	_, ok, err = Next(context.Background(), a, b, 0, Options{Segment: 1 << 20, Progress: func(d, tot int64) {
		if d < last {
			t.Errorf("progress went back: %d after %d", d, last)
		}
		last, total = d, tot
	}})
	if err != nil || ok {
		t.Fatalf("Next on equal files: ok %v err %v", ok, err)
	}
	if last != 8<<20 || total != 8<<20 {
		t.Fatalf("progress ended at %d of %d, want %d of %d", last, total, 8<<20, 8<<20)
	}
}

// TestCancelledBeforeStart: a context cancelled before the compare
// starts ends it at once with ctx.Err(), however the producer, the workers
// and the consumer interleave (a segment queued for the consumer but never
// handed to a worker once hung it).
func TestCancelledBeforeStart(t *testing.T) {
	content := make([]byte, 1<<20)
	pa := sparseFile(t, "a", content, nil)
	pb := sparseFile(t, "b", content, nil)
	a, b := open(t, pa, mapping.Options{ReadOnly: true}), open(t, pb, mapping.Options{ReadOnly: true})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 300 {
		done := make(chan error, 1)
		go func() {
			_, _, err := Next(ctx, a, b, 0, Options{Segment: 64 << 10, Workers: 1 + i%3, NoHoleSkip: true})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("run %d: err %v, want context.Canceled", i, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("run %d: Next with a cancelled context did not return", i)
		}
	}
}

// TestShrunk: a file cut short under the compare gives an error naming
// it, not a crash.
func TestShrunk(t *testing.T) {
	content := make([]byte, 4<<20)
	pa := sparseFile(t, "a", content, nil)
	pb := sparseFile(t, "b", content, nil)
	a, b := open(t, pa, mapping.Options{ReadOnly: true}), open(t, pb, mapping.Options{ReadOnly: true})
	if err := unix.Truncate(pb, 4096); err != nil {
		t.Fatal(err)
	}
	err := Diff(context.Background(), a, b, 0, 4<<20, Options{NoHoleSkip: true}, func(Range) bool { return true })
	if err == nil {
		t.Fatal("no error comparing a file that shrank")
	}
	if !errors.Is(err, mapping.ErrFault) {
		t.Fatalf("err = %v, want ErrFault", err)
	}
}

// BenchmarkDiffEqual: two identical 64 MiB files in the page cache,
// compared on every core (bytes/s counts both files).
func BenchmarkDiffEqual(b *testing.B) {
	const size = 64 << 20
	content := make([]byte, size)
	for i := range content {
		content[i] = byte(i*31 + i>>12)
	}
	dir := b.TempDir()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(pa, content, 0o644)
	os.WriteFile(pb, content, 0o644)
	fa, err := mapping.Open(pa, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer fa.Close()
	fb, err := mapping.Open(pb, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer fb.Close()
	b.SetBytes(2 * size)
	for b.Loop() {
		if _, ok, err := Next(context.Background(), fa, fb, -1, Options{Segment: 16 << 20}); err != nil || ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkNextEnvFiles: Next from offset 0 over two files named by
// MMHEX_BENCH_A and MMHEX_BENCH_B (bench/compare.sh gives two identical
// 1 GiB files in the page cache): what next-difference in the editor runs,
// without the process start and the output of `mmhex diff`.
func BenchmarkNextEnvFiles(b *testing.B) {
	pa, pb := os.Getenv("MMHEX_BENCH_A"), os.Getenv("MMHEX_BENCH_B")
	if pa == "" || pb == "" {
		b.Skip("MMHEX_BENCH_A and MMHEX_BENCH_B name the files (bench/compare.sh)")
	}
	fa, err := mapping.Open(pa, mapping.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer fa.Close()
	fb, err := mapping.Open(pb, mapping.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer fb.Close()
	b.SetBytes(fa.Size() + fb.Size())
	for b.Loop() {
		if _, _, err := Next(context.Background(), fa, fb, 0, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
