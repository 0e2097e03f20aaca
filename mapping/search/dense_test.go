package search

import (
	"bytes"
	"context"
	"math/rand"
	"strconv"
	"testing"
)

// mixedDensity: stretches where the patterns below match at every byte,
// every few bytes, rarely and never, each longer than denseBlock, so the
// search switches between Index and the linear loop many times, at every
// phase.
func mixedDensity(seed int64) []byte {
	rng := rand.New(rand.NewSource(seed))
	var b []byte
	for len(b) < 80_000 {
		n := 1 + rng.Intn(2*denseBlock)
		switch rng.Intn(5) {
		case 0:
			b = append(b, bytes.Repeat([]byte("a"), n)...)
		case 1:
			for range n {
				b = append(b, "aAb"[rng.Intn(3)])
			}
		case 2:
			for range n {
				c := byte('#')
				if rng.Intn(40) == 0 {
					c = 'a'
				}
				b = append(b, c)
			}
		case 3:
			b = append(b, bytes.Repeat([]byte("ab"), n/2)...)
		default:
			b = append(b, noise(n, rng.Int63())...)
		}
	}
	return b
}

func densePatterns(t *testing.T) []*Pattern {
	return []*Pattern{
		mustText(t, "a", false), mustText(t, "aa", false), mustText(t, "aaa", false),
		mustText(t, "aaaaaaaa", false), mustText(t, "aaaaaaaaa", false),
		mustText(t, "aaaaaaaaaaaaaaaaa", false), mustText(t, "ab", false), mustText(t, "aba", false),
		mustText(t, "AA", true), mustText(t, "aAaAaAaAaA", true),
		mustHex(t, "61 ?? 61"), mustHex(t, "?? 61"), mustHex(t, "?? ??"), mustHex(t, "61 62 ?? ?? ?? ?? ?? ?? ?? 61"),
	}
}

// TestDenseMatchesReference: FindAll, FindAllBatches and Count give exactly
// the matches of a byte-by-byte reference (overlapping included) where
// matches are dense, sparse and everything between, whatever the batch,
// chunk and segment borders.
func TestDenseMatchesReference(t *testing.T) {
	data := mixedDensity(21)
	f := openFile(t, data)
	for _, p := range densePatterns(t) {
		want := reference(p, data)
		for oi, o := range []AllOptions{{}, {Workers: 2, Segment: 7*page + 3, Chunk: page}, {Workers: 1, Chunk: 3 * page}} {
			if got := allOf(t, f, p, o); !eq64(got, want) {
				t.Errorf("FindAll %s %+v: %d matches, first difference at %d; the reference %d", p, o, len(got), firstDiff64(got, want), len(want))
			}
			var batched []int64
			err := FindAllBatches(context.Background(), f, p, 0, f.Size(), o, func(b []int64) bool {
				if len(b) == 0 || len(b) > batchLen {
					t.Fatalf("a batch of %d", len(b))
				}
				batched = append(batched, b...)
				return true
			})
			if err != nil || !eq64(batched, want) {
				t.Errorf("FindAllBatches %s %+v: %d matches, %v; the reference %d", p, o, len(batched), err, len(want))
			}
			var text []byte
			lines := 0
			format := func(dst []byte, offs []int64) []byte {
				for _, x := range offs {
					dst = strconv.AppendInt(dst, x, 10)
					dst = append(dst, '\n')
				}
				return dst
			}
			err = FindAllText(context.Background(), f, p, 0, f.Size(), o, format, func(t []byte, k int) bool {
				text = append(text, t...)
				lines += k
				return true
			})
			if wantText := format(nil, want); err != nil || string(text) != string(wantText) || lines != len(want) {
				t.Errorf("FindAllText %s %+v: %d bytes, %d matches, %v; the reference %d bytes, %d", p, o, len(text), lines, err, len(wantText), len(want))
			}
			n, err := Count(context.Background(), f, p, 0, f.Size(), 0, o)
			if err != nil || n != int64(len(want)) {
				t.Errorf("Count %s %+v = %d, %v; the reference %d", p, o, n, err, len(want))
			}
			if oi != 1 {
				continue
			}
			for _, m := range []int64{1, 5000, int64(len(want)), int64(len(want)) + 1} {
				n, err := Count(context.Background(), f, p, 0, f.Size(), m, o)
				if err != nil || n != min(m, int64(len(want))) {
					t.Errorf("Count %s max %d = %d, %v; want %d", p, m, n, err, min(m, int64(len(want))))
				}
			}
		}
	}
}

// TestAppendAllResumes: appendAll into a small buffer stops when it is full
// and goes on from where it stopped, in both of its ways (Index and the
// linear loop): the pieces together are the reference's matches; count
// agrees.
func TestAppendAllResumes(t *testing.T) {
	data := mixedDensity(22)
	for _, p := range densePatterns(t) {
		want := reference(p, data)
		if c := p.count(data); c != int64(len(want)) {
			t.Errorf("count %s = %d; the reference %d", p, c, len(want))
		}
		for _, k := range []int{3, 100} {
			var got []int64
			buf := make([]int64, 0, k)
			for from := 0; ; {
				buf, from = p.appendAll(buf[:0], data, 1000, from)
				for _, x := range buf {
					got = append(got, x-1000)
				}
				if len(buf) < cap(buf) {
					break
				}
			}
			if !eq64(got, want) {
				t.Errorf("appendAll %s by %d: %d matches, first difference at %d; the reference %d", p, k, len(got), firstDiff64(got, want), len(want))
			}
		}
	}
	// the small cases of the issue, where every position is a match
	for _, c := range []struct {
		data, pat string
		want      []int64
	}{{"aaaa", "aa", []int64{0, 1, 2}}, {"aaaa", "aaaa", []int64{0}}, {"aaaa", "aaaaa", nil}, {"abababa", "aba", []int64{0, 2, 4}}} {
		p := mustText(t, c.pat, false)
		got, _ := p.appendAll(make([]int64, 0, 10), []byte(c.data), 0, 0)
		if !eq64(got, c.want) || p.count([]byte(c.data)) != int64(len(c.want)) {
			t.Errorf("%q in %q: %v, count %d; want %v", c.pat, c.data, got, p.count([]byte(c.data)), c.want)
		}
	}
}

func firstDiff64(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
