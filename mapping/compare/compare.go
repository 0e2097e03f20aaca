// Package compare is the positional compare of two mapped files: byte i of
// one against byte i of the other, the compare that fits in-place editing
// (an insertion would shift every later byte; a hex editor over a mapping
// never inserts). It reads both files only through *mapping.File (Sweep,
// WithDescriptor): never a second mapping of its own, never the paths
// again.
//
// Differences come out as maximal runs of differing bytes (Range), in file
// order. Where one file is longer, its tail is one more Range marked
// OnlyA or OnlyB. Ranges that are holes in both files (SEEK_DATA /
// SEEK_HOLE) are equal without being read; a hole on one side is compared
// as zeros against the other's data.
//
// Work is cut into segments (64 MiB) compared on every core; the results
// are handed on in order through small bounded buffers, so memory stays a
// few chunks per worker whatever the file sizes.
package compare

import (
	"context"
	"runtime"
	"sync"

	"mmhex/mapping"
)

// Side says which file a tail byte exists in.
type Side int

const (
	Both  Side = iota // both files have the bytes, and they differ
	OnlyA             // past the end of B: the bytes exist only in A
	OnlyB             // past the end of A
)

// Range is a maximal run of differing bytes [Off, Off+Len).
type Range struct {
	Off, Len int64
	Side     Side
}

// End is Off+Len.
func (r Range) End() int64 { return r.Off + r.Len }

// Options tune a compare.
type Options struct {
	Workers int   // goroutines comparing; 0 = GOMAXPROCS, 1 = one
	Segment int64 // bytes per unit of work; 0 = DefaultSegment
	Chunk   int64 // bytes per Sweep view; 0 = mapping.SweepChunk
	// NoHoleSkip reads holes too (tests, benchmarks; same results).
	NoHoleSkip bool
	// Progress, when set, is called from the calling goroutine with the
	// bytes of the range passed so far and the range's total, a segment
	// at a time. It must be quick.
	Progress func(done, total int64)
}

// DefaultSegment is the unit of work of one worker.
const DefaultSegment int64 = 64 << 20

// batchLen is the number of ranges a worker hands on at once; each worker
// has at most two batches waiting.
const batchLen = 1024

// Tail is the part of the longer file past the end of the shorter one, as
// a Range (Len 0 when the sizes are equal).
func Tail(a, b *mapping.File) Range {
	sa, sb := a.Size(), b.Size()
	switch {
	case sa > sb:
		return Range{Off: sb, Len: sa - sb, Side: OnlyA}
	case sb > sa:
		return Range{Off: sa, Len: sb - sa, Side: OnlyB}
	}
	return Range{Off: sa}
}

// Diff calls fn with every difference of a and b inside [off, end), in
// order: the maximal runs of differing bytes of the part both files have
// (clipped to [off, end)), then the tail of the longer file (Tail, clipped).
// fn returns false to stop. It returns ctx.Err() when cancelled, or the
// first read error (a file that shrank).
func Diff(ctx context.Context, a, b *mapping.File, off, end int64, o Options, fn func(Range) bool) error {
	off = max(off, 0)
	common := min(a.Size(), b.Size())
	tail := Tail(a, b)
	end = min(end, max(a.Size(), b.Size()))
	total := max(0, end-off)
	prog := func(d int64) {
		if o.Progress != nil {
			o.Progress(min(d, total), total)
		}
	}
	if a != b && off < min(end, common) {
		stopped := false
		var cur Range // the run being merged across segments
		have := false
		err := run(ctx, a, b, off, min(end, common), false, o, func(s *seg) bool {
			for batch := range s.out {
				for _, r := range batch {
					if have && cur.End() == r.Off {
						cur.Len += r.Len
						continue
					}
					if have && !fn(cur) {
						stopped = true
						return false
					}
					cur, have = r, true
				}
			}
			if s.err == nil {
				prog(s.b - off)
			}
			return true
		})
		if err != nil || stopped {
			return err
		}
		if have && !fn(cur) {
			return nil
		}
	}
	if tail.Len > 0 && end > tail.Off && off < tail.End() {
		ta := max(off, tail.Off)
		if !fn(Range{Off: ta, Len: min(end, tail.End()) - ta, Side: tail.Side}) {
			return nil
		}
	}
	prog(total)
	return nil
}

// Next returns the first difference that starts after from (a run that
// holds from is not it: the next one is), and false when there is none.
func Next(ctx context.Context, a, b *mapping.File, from int64, o Options) (Range, bool, error) {
	var found Range
	ok := false
	err := Diff(ctx, a, b, from, max(a.Size(), b.Size()), o, func(r Range) bool {
		if r.Off > from {
			found, ok = r, true
			return false
		}
		return true
	})
	if err == nil && ok && found.End() == from {
		// the run goes on past from: widen it forward
		err = Diff(ctx, a, b, from, min(a.Size(), b.Size()), Options{Workers: o.Workers, Segment: o.Segment, Chunk: o.Chunk, NoHoleSkip: o.NoHoleSkip}, func(r Range) bool {
			if r.Off == from {
				found.Len += r.Len
			}
			return false
		})
	}
	return found, ok, err
}

// Prev returns the difference with the last start before from (the run
// holding from when from is not its first byte), whole, and false when
// there is none.
func Prev(ctx context.Context, a, b *mapping.File, from int64, o Options) (Range, bool, error) {
	if a == b || from <= 0 {
		return Range{}, false, nil
	}
	if t := Tail(a, b); t.Len > 0 && from > t.Off {
		return t, true, nil
	}
	from = min(from, min(a.Size(), b.Size()))
	// The last differing byte before from, searched backward segment by
	// segment; its run is then widened backward while it reaches the start
	// of the segment searched.
	var found Range
	ok := false
	err := run(ctx, a, b, 0, from, true, o, func(s *seg) bool {
		var last Range
		got := false
		for batch := range s.out {
			if len(batch) > 0 {
				last, got = batch[len(batch)-1], true
			}
		}
		if s.err != nil {
			return true // run returns it
		}
		switch {
		case got && !ok:
			found, ok = last, true
		case got && last.End() == found.Off:
			found = Range{Off: last.Off, Len: found.End() - last.Off}
		case ok:
			return false
		}
		if ok && found.Off > s.a {
			return false
		}
		if o.Progress != nil {
			o.Progress(from-s.a, from)
		}
		return true
	})
	if err == nil && ok && found.End() == from {
		// the run goes on past from: widen it forward
		err = Diff(ctx, a, b, from, min(a.Size(), b.Size()), Options{Workers: o.Workers, Segment: o.Segment, Chunk: o.Chunk, NoHoleSkip: o.NoHoleSkip}, func(r Range) bool {
			if r.Off == from {
				found.Len += r.Len
			}
			return false
		})
	}
	return found, ok, err
}

// Summary is what Count found.
type Summary struct {
	Ranges int64 // differing runs of the common part
	Bytes  int64 // differing bytes of the common part
	Tail   Range // the longer file's tail (Len 0: same size)
}

// Count counts the differences of the whole files. progress, when set, is
// called now and then (from the calling goroutine) with the counts so far
// and the bytes passed.
func Count(ctx context.Context, a, b *mapping.File, o Options, progress func(s Summary, done int64)) (Summary, error) {
	var s Summary
	s.Tail = Tail(a, b)
	inner := o
	inner.Progress = func(done, total int64) {
		if progress != nil {
			progress(s, done)
		}
	}
	err := Diff(ctx, a, b, 0, min(a.Size(), b.Size()), inner, func(r Range) bool {
		s.Ranges++
		s.Bytes += r.Len
		return true
	})
	return s, err
}

// seg is one unit of work: the differences inside [a, b).
type seg struct {
	a, b int64
	out  chan []Range // batches in order, closed at the end
	err  error        // set before out is closed
}

// run compares [off, end) (inside both files) on the workers, cut into
// segments; each(s) is called in order (backward: from the end) on the
// calling goroutine and reads the segment's runs from s.out (in order,
// each run maximal inside the segment) until it is closed or it wants no
// more (it returns false: run stops; the workers stop within a chunk).
func run(ctx context.Context, a, b *mapping.File, off, end int64, backward bool, o Options, each func(s *seg) bool) error {
	w := o.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	size := o.Segment
	if size <= 0 {
		size = DefaultSegment
	}
	nseg := (end - off + size - 1) / size
	if nseg <= 0 {
		return nil
	}
	w = int(min(int64(w), nseg))
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // before wg.Wait: the workers stop within a chunk
	jobs := make(chan *seg)
	order := make(chan *seg, 2*w)
	go func() {
		defer close(jobs)
		defer close(order)
		for k := int64(0); k < nseg; k++ {
			s := &seg{a: off + k*size, b: min(end, off+(k+1)*size), out: make(chan []Range, 2)}
			if backward {
				s.a, s.b = max(off, end-(k+1)*size), end-k*size
			}
			select {
			case order <- s:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- s:
			case <-ctx.Done():
				// s is queued for the consumer but no worker will
				// take it: end it here, or the consumer waits forever
				s.err = ctx.Err()
				close(s.out)
				return
			}
		}
	}()
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				s.err = compareSeg(ctx, a, b, s, o)
				close(s.out)
			}
		}()
	}
	for s := range order {
		if !each(s) {
			return nil
		}
		if s.err != nil {
			return s.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return ctx.Err()
}
