// Package replace is mmhex's in-place replace engine: a search pattern
// (mapping/search: hex with "??", text, ASCII case folding) and a
// replacement of the same length (hex, where "??" keeps the byte that was
// there, or text), written through the mapping as journaled edits.
//
// The rule for overlapping matches is sed's and vim's (s///g): matches
// are taken left to right, and a match is taken only when it starts at or
// after the end of the last match taken; the others (those overlapping a
// taken match) are left alone. Matches are those of the bytes before the
// replace: bytes a replacement writes are never searched again. "aa" →
// "bb" in "aaaaa" gives "bbbba".
//
// A replace of every match is one undo step (a mapping.Group), written in
// batches (mapping.Group.WriteSpansFunc): the durable journal takes the bytes
// of a whole batch of matches with one fdatasync before any of them is
// written. Before each match is written its bytes are read again: a match
// another writer changed since it was found is left alone and counted
// (Stale).
package replace

import (
	"context"
	"errors"
	"fmt"
	"math"

	"mmhex/mapping"
	"mmhex/mapping/search"
)

// ErrLength: the replacement is not as long as the pattern.
var ErrLength = errors.New("the replacement must be as long as the pattern")

// Replacement is the bytes written over a match: position i writes val[i],
// or keeps the match's byte where keep[i] (hex "??").
type Replacement struct {
	val  []byte
	keep []bool
	src  string
	hex  bool
}

// Parse parses a replacement: hex bytes with "??" (keep the byte), or text
// (its UTF-8 bytes, exactly).
func Parse(s string, hex bool) (*Replacement, error) {
	p, err := search.Parse(s, hex, false)
	if err != nil {
		return nil, err
	}
	val, mask := p.Bytes()
	r := &Replacement{val: val, keep: make([]bool, len(val)), src: s, hex: hex}
	for i, m := range mask {
		r.keep[i] = m == 0
	}
	return r, nil
}

// Len is the number of bytes the replacement writes over a match.
func (r *Replacement) Len() int { return len(r.val) }

// String describes the replacement as search.Pattern does its pattern:
// canonical hex, or quoted text.
func (r *Replacement) String() string {
	if r.hex {
		mask := make([]byte, len(r.val))
		for i, k := range r.keep {
			if !k {
				mask[i] = 0xff
			}
		}
		return search.FormatHex(r.val, mask)
	}
	return fmt.Sprintf("%q", r.src)
}

// Apply writes into dst (Len bytes) the replacement of the match whose
// bytes are old.
func (r *Replacement) Apply(dst, old []byte) {
	for i, v := range r.val {
		if r.keep[i] {
			dst[i] = old[i]
		} else {
			dst[i] = v
		}
	}
}

// Check refuses a replacement of another length than the pattern's, with
// the reason: replacing works in place, so the file keeps its size.
func Check(p *search.Pattern, r *Replacement) error {
	if p.Len() != r.Len() {
		return fmt.Errorf("%w: %s is %d %s, %s is %d %s; replacing works in place (the file keeps its size, no byte is inserted or removed)",
			ErrLength, p, p.Len(), bytesWord(p.Len()), r, r.Len(), bytesWord(r.Len()))
	}
	return nil
}

func bytesWord(n int) string {
	if n == 1 {
		return "byte"
	}
	return "bytes"
}

// Matches calls fn with the offset of every match lying wholly in
// [off, end) that a replace takes (the rule in the package comment), in
// increasing order, until fn returns false. Holes of sparse files are
// skipped when the pattern cannot match zeros (search.FindAll).
func Matches(ctx context.Context, src search.Source, p *search.Pattern, off, end int64, fn func(off int64) bool) error {
	next := int64(math.MinInt64)
	n := int64(p.Len())
	return search.FindAllBatches(ctx, src, p, off, end, search.AllOptions{}, func(b []int64) bool {
		for _, x := range b {
			if x < next {
				continue
			}
			next = x + n
			if !fn(x) {
				return false
			}
		}
		return true
	})
}

// Writer replaces matches one at a time, all in one undo step (one
// mapping.Group). Not safe for concurrent use.
type Writer struct {
	f        *mapping.File
	g        *mapping.Group
	p        *search.Pattern
	r        *Replacement
	cur, buf []byte
	// Replaced counts the matches written; Stale those left alone because
	// their bytes no longer matched when they were to be written.
	Replaced, Stale int64
	// Batch is how many matches Many and All write at once
	// (DefaultBatch).
	Batch int
	// Written, when not nil, is called after each batch Many and All
	// write with the range of bytes the batch spans ([lo, hi)).
	Written func(lo, hi int64)
}

// NewWriter returns a Writer of r over the matches of p in f. p and r
// must be of the same length (Check).
func NewWriter(f *mapping.File, p *search.Pattern, r *Replacement) (*Writer, error) {
	if err := Check(p, r); err != nil {
		return nil, err
	}
	return &Writer{f: f, g: f.Group(), p: p, r: r, cur: make([]byte, p.Len()), buf: make([]byte, p.Len()), Batch: DefaultBatch}, nil
}

// At replaces the match at off. It reads the bytes there again first:
// when they no longer match (another writer changed them) it leaves them
// alone, counts them in Stale and returns false.
func (w *Writer) At(off int64) (bool, error) {
	if _, err := w.f.ReadAt(w.cur, off); err != nil {
		return false, err
	}
	if !w.p.MatchAt(w.cur) {
		w.Stale++
		return false, nil
	}
	w.r.Apply(w.buf, w.cur)
	if _, err := w.g.WriteAt(w.buf, off); err != nil {
		return false, err
	}
	w.Replaced++
	return true, nil
}

// DefaultBatch is how many matches Many and All write at once (a
// Writer's Batch): one mapping.Group.WriteSpansFunc, one fdatasync of the
// durable journal for all of them (the bytes they replace are on disk
// before the first is written).
const DefaultBatch = 1 << 16

// batchSpan bounds the bytes of the file a batch of All spans: sparse
// matches are written as the scan goes, not all at its end.
const batchSpan = 64 << 20

// Many replaces the matches at offs (in increasing order, not
// overlapping) as At does, in batches of w.Batch matches (fewer when
// they would hold over 16 MiB): each batch is one
// mapping.Group.WriteSpansFunc. Matches whose bytes changed since they were
// found are left alone and counted in Stale.
func (w *Writer) Many(offs []int64) error {
	for len(offs) > 0 {
		k := min(len(offs), w.batchLen())
		if err := w.batch(offs[:k]); err != nil {
			return err
		}
		offs = offs[k:]
	}
	return nil
}

// batchBytes bounds the bytes of the matches of one batch (a long
// pattern makes smaller batches).
const batchBytes = 16 << 20

// batchLen is how many matches a batch takes: Batch, fewer for a long
// pattern.
func (w *Writer) batchLen() int {
	return max(1, min(w.Batch, batchBytes/max(len(w.cur), 1)))
}

func (w *Writer) batch(offs []int64) error {
	if len(w.cur) > mapping.MaxSpanFunc { // a very long pattern: one at a time
		for _, x := range offs {
			if _, err := w.At(x); err != nil {
				return err
			}
		}
		return nil
	}
	k, stale, err := w.g.WriteSpansFunc(offs, len(w.cur), func(_ int, old, dst []byte) bool {
		if !w.p.MatchAt(old) {
			return false
		}
		w.r.Apply(dst, old)
		return true
	})
	w.Replaced += int64(k)
	w.Stale += int64(stale)
	if w.Written != nil && k > 0 {
		w.Written(offs[0], offs[len(offs)-1]+int64(len(w.cur)))
	}
	return err
}

// Progress is called with the bytes of the range passed (up to the last
// match replaced) and the range's length.
type Progress func(done, total int64)

// All replaces every match in [off, end) with the Writer (one undo step),
// in batches as Many, calling progress (when not nil) after each batch.
// When ctx is cancelled it stops there and returns ctx's error: the
// matches replaced so far stay replaced (and journaled, one undo step);
// those found and not yet written are left alone.
func (w *Writer) All(ctx context.Context, off, end int64, progress Progress) error {
	off = max(off, 0)
	end = min(end, w.f.Size())
	total := max(end-off, 0)
	var werr error
	var pend []int64
	flush := func() bool {
		if ctx.Err() != nil {
			return false
		}
		werr = w.Many(pend)
		if werr == nil && progress != nil {
			progress(pend[len(pend)-1]-off, total)
		}
		pend = pend[:0]
		return werr == nil && ctx.Err() == nil
	}
	err := Matches(ctx, w.f, w.p, off, end, func(x int64) bool {
		pend = append(pend, x)
		if len(pend) >= w.batchLen() || x-pend[0] >= batchSpan {
			return flush()
		}
		return true
	})
	if err == nil && werr == nil && len(pend) > 0 {
		flush()
	}
	if werr != nil {
		return werr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil && progress != nil {
		progress(total, total)
	}
	return err
}
