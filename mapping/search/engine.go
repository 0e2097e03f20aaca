package search

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"mmhex/mapping"
)

// Source is the file the engine searches: *mapping.File, through the
// descriptor it was opened with. The engine reads mapped memory only
// through Scan (Find) and Sweep (FindAll), which are fault-safe and
// release the pages behind them.
type Source interface {
	Size() int64
	Path() string
	Scan(off, end int64, o mapping.ScanOptions, fn func(base int64, b []byte) bool) error
	Sweep(off, end int64, o mapping.ScanOptions, fn func(base int64, b []byte) bool) error
}

// Options tune a search.
type Options struct {
	Reverse bool  // search towards offset 0
	Wrap    bool  // when nothing is found, go on from the other end (once)
	Chunk   int64 // bytes handed out per Scan call; 0 = mapping's default
	// Progress, when set, is called from the searching goroutine with the
	// bytes of the range passed so far (holes skipped count as passed) and
	// the range's total. It must be quick.
	Progress func(done, total int64)
	// NoHoleSkip reads the holes of sparse files too (for tests and
	// benchmarks; the results are the same).
	NoHoleSkip bool
	// Workers: a search through more than two segments (64 MiB each)
	// runs on this many goroutines, a segment each (findParallel); 0 =
	// GOMAXPROCS, 1 = the calling goroutine only.
	Workers int

	// segment is the unit of work of a parallel search (0: defaultSegment);
	// ranges of up to two segments are searched on the calling goroutine: a
	// second worker would have little to do. Tests set it (a field, not a
	// package variable).
	segment int64
}

// seg is o's segment size.
func (o Options) seg() int64 {
	if o.segment > 0 {
		return o.segment
	}
	return defaultSegment
}

// Result is a match.
type Result struct {
	Offset  int64
	Wrapped bool // found after wrapping around the end (or the start)
}

// step is how much of a chunk is searched between cancellation checks and
// progress reports: Esc takes effect within one step (well under 1 ms).
const step = 1 << 20

// Find searches src for p. Forward it finds the first match that starts at
// or after from; with Reverse, the last match that starts at or before
// from. With Wrap it goes on from the other end of the file up to from and
// sets Result.Wrapped (from may be -1 or Size(): the whole file is then
// searched as the wrapped part). It returns ErrNotFound (wrapped with the pattern) when
// there is no match, ctx.Err() when cancelled.
func Find(ctx context.Context, src Source, p *Pattern, from int64, o Options) (Result, error) {
	size := src.Size()
	n := int64(p.Len())
	from = max(-1, min(from, size))
	// Ranges of bytes to read: [a, b) holds the match starts wanted.
	type rng struct{ a, b int64 }
	var first, second rng
	if !o.Reverse {
		first = rng{from, size}
		second = rng{0, min(size, from+n-1)}
	} else {
		first = rng{0, min(size, from+n)}
		second = rng{min(size, from+1), size}
	}
	total := first.b - first.a
	if o.Wrap {
		total += second.b - second.a
	}
	prog := progress{fn: o.Progress, total: total, last: -1}
	off, err := findIn(ctx, src, p, first.a, first.b, o, &prog)
	if err == nil {
		return Result{Offset: off}, nil
	}
	if err != ErrNotFound || !o.Wrap {
		return Result{}, wrapErr(p, err)
	}
	off, err = findIn(ctx, src, p, second.a, second.b, o, &prog)
	if err == nil {
		return Result{Offset: off, Wrapped: true}, nil
	}
	return Result{}, wrapErr(p, err)
}

func wrapErr(p *Pattern, err error) error {
	if err == ErrNotFound {
		return fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	return err
}

type progress struct {
	fn    func(done, total int64)
	base  int64 // bytes of earlier ranges
	total int64
	last  int64
}

// at reports that the scan of the current range [off, end) has passed d
// bytes of it.
func (p *progress) at(d int64) {
	if p.fn == nil {
		return
	}
	v := min(p.base+d, p.total)
	if v > p.last {
		p.last = v
		p.fn(v, p.total)
	}
}

// findIn finds the first (or, reverse, the last) match lying wholly inside
// [off, end).
func findIn(ctx context.Context, src Source, p *Pattern, off, end int64, o Options, prog *progress) (int64, error) {
	n := int64(p.Len())
	defer func() { prog.base += max(0, end-off) }()
	if end-off < n {
		prog.at(max(0, end-off))
		return 0, ErrNotFound
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if w := o.Workers; w != 1 && end-off > 2*o.seg() && (w > 1 || runtime.GOMAXPROCS(0) > 1) {
		return findParallel(ctx, src, p, off, end, o, prog)
	}
	found := int64(-1)
	var ferr error
	so := mapping.ScanOptions{Overlap: int(n - 1), Reverse: o.Reverse, Chunk: o.Chunk, SkipHoles: !o.NoHoleSkip && !p.MatchesZeros()}
	tp := p
	tuned := false
	err := src.Scan(off, end, so, func(base int64, buf []byte) bool {
		if !tuned {
			tp, tuned = p.Tuned(buf), true
		}
		p := tp
		if o.Reverse {
			prog.at(end - (base + int64(len(buf))))
			// Steps from the end of the chunk, each overlapping the one
			// after it by n-1 bytes.
			for hi := len(buf); hi > 0; {
				lo := max(0, hi-step)
				seg := buf[lo:min(len(buf), hi+int(n)-1)]
				if i := p.LastIndex(seg); i >= 0 {
					found = base + int64(lo+i)
					return false
				}
				prog.at(end - (base + int64(lo)))
				hi = lo
				if err := ctx.Err(); err != nil {
					ferr = err
					return false
				}
			}
			return true
		}
		prog.at(base - off)
		for lo := 0; lo < len(buf); {
			hi := min(len(buf), lo+step)
			seg := buf[lo:min(len(buf), hi+int(n)-1)]
			if i := p.Index(seg); i >= 0 {
				found = base + int64(lo+i)
				return false
			}
			prog.at(base + int64(hi) - off)
			lo = hi
			if err := ctx.Err(); err != nil {
				ferr = err
				return false
			}
		}
		return true
	})
	if ferr == nil {
		ferr = err
	}
	if ferr != nil {
		return 0, ferr
	}
	if found < 0 {
		prog.at(end - off)
		return 0, ErrNotFound
	}
	return found, nil
}

// findParallel is findIn on several goroutines. The match starts of
// [off, end) are cut into segments, in search order (from the end when
// reverse); each worker searches whole segments with findIn on its own
// goroutine (which stops at the segment's first match in the search's
// direction); the first segment in search order that has a match gives the
// result, and the search stops there. Progress moves a segment at a time.
// Memory: a chunk of Scan per worker.
func findParallel(ctx context.Context, src Source, p *Pattern, off, end int64, o Options, prog *progress) (int64, error) {
	n := int64(p.Len())
	w := o.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	seg := o.seg()
	starts := end - n + 1 // match starts are [off, starts)
	type part struct {
		a, b  int64 // bytes searched: the matches lying wholly in [a, b)
		found int64
		err   error
		done  chan struct{}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // runs before wg.Wait: the workers stop within a step
	jobs := make(chan *part)
	order := make(chan *part, 2*w)
	go func() { // producer: the segments in search order
		defer close(jobs)
		defer close(order)
		for k := int64(0); k*seg < starts-off; k++ {
			sa, sb := off+k*seg, min(starts, off+(k+1)*seg)
			if o.Reverse {
				sa, sb = max(off, starts-(k+1)*seg), starts-k*seg
			}
			if !dispatch(ctx, order, jobs, &part{a: sa, b: min(end, sb+n-1), done: make(chan struct{})}) {
				return
			}
		}
	}()
	one := Options{Reverse: o.Reverse, Chunk: o.Chunk, NoHoleSkip: o.NoHoleSkip, Workers: 1}
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pt := range jobs {
				pt.found, pt.err = findIn(ctx, src, p, pt.a, pt.b, one, &progress{})
				close(pt.done)
			}
		}()
	}
	for pt := range order {
		select {
		case <-pt.done:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		switch {
		case pt.err == nil:
			return pt.found, nil
		case pt.err != ErrNotFound:
			return 0, pt.err
		}
		if o.Reverse {
			prog.at(end - pt.a)
		} else {
			prog.at(pt.b - off)
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	prog.at(end - off)
	return 0, ErrNotFound
}

// dispatch queues x for the consumer, which takes the results in order,
// then hands it to a worker; false when ctx ended first.
func dispatch[T any](ctx context.Context, order, jobs chan<- T, x T) bool {
	select {
	case order <- x:
	case <-ctx.Done():
		return false
	}
	select {
	case jobs <- x:
		return true
	case <-ctx.Done():
		return false
	}
}

// defaultSegment is FindAll's unit of work.
const defaultSegment = 64 << 20

// AllOptions tune FindAll.
type AllOptions struct {
	Workers    int   // goroutines searching; 0 = GOMAXPROCS
	Segment    int64 // bytes per unit of work; 0 = 64 MiB
	Chunk      int64 // passed to Sweep
	NoHoleSkip bool
}

// job is one segment of FindAll: the matches lying wholly in [a, b).
type job struct {
	a, b  int64
	skip  bool       // skip holes
	count bool       // count the matches (n), keep no offsets
	out   chan batch // batches of matches, closed at the end
	n     int64      // count: the number of matches, set before out is closed
	err   error      // set before out is closed
}

// batch is up to batchLen matches in order: their offsets, or (FindAllText)
// their text and how many they are.
type batch struct {
	offs []int64
	text []byte
	n    int
}

// batchLen is the number of offsets in a batch.
const batchLen = 4096

// pool recycles FindAll's batch buffers: the consumer gives each back
// once fn has seen it, so a search with millions of matches allocates a
// few buffers per worker, not one per 4096 matches.
type pool struct {
	offs chan []int64
	text chan []byte
}

func newPool(n int) *pool { return &pool{offs: make(chan []int64, n), text: make(chan []byte, n)} }

func (pl *pool) getOffs() []int64 {
	select {
	case b := <-pl.offs:
		return b[:0]
	default:
		return make([]int64, 0, batchLen)
	}
}

func (pl *pool) getText() []byte {
	select {
	case b := <-pl.text:
		return b[:0]
	default:
		return nil
	}
}

func (pl *pool) put(b batch) {
	if b.offs != nil {
		select {
		case pl.offs <- b.offs:
		default:
		}
	}
	if b.text != nil {
		select {
		case pl.text <- b.text:
		default:
		}
	}
}

// run searches the job's segment. With format, the worker formats each
// batch of offsets (and keeps the offsets' buffer); otherwise it hands the
// offsets on.
func (j *job) run(ctx context.Context, src Source, p *Pattern, chunk int64, pool *pool, format func([]byte, []int64) []byte) {
	defer close(j.out)
	n := int(p.Len())
	var buf []int64
	send := func() bool {
		if len(buf) == 0 {
			return true
		}
		b := batch{offs: buf, n: len(buf)}
		if format != nil {
			b = batch{text: format(pool.getText(), buf), n: len(buf)}
		}
		select {
		case j.out <- b:
			if format == nil {
				buf = nil
			} else {
				buf = buf[:0]
			}
			return true
		case <-ctx.Done():
			return false
		}
	}
	ok := true
	tp := p
	tuned := false
	scanFn := func(base int64, b []byte) bool {
		if !tuned {
			tp, tuned = p.Tuned(b), true
		}
		p := tp
		for lo := 0; lo < len(b) && ok; {
			hi := min(len(b), lo+step)
			seg := b[lo:min(len(b), hi+n-1)]
			switch {
			case j.count:
				j.n += p.count(seg)
			default:
				from := 0
				if buf == nil { // only segments with matches take a buffer
					if from = p.Index(seg); from < 0 {
						break
					}
					buf = pool.getOffs()
				}
				for ok {
					buf, from = p.appendAll(buf, seg, base+int64(lo), from)
					if len(buf) < cap(buf) {
						break // seg is done
					}
					if ok = send(); ok && buf == nil {
						buf = pool.getOffs()
					}
				}
			}
			lo = hi
			if ctx.Err() != nil {
				ok = false
			}
		}
		return ok
	}
	err := src.Sweep(j.a, j.b, mapping.ScanOptions{Overlap: n - 1, Chunk: chunk, SkipHoles: j.skip}, scanFn)
	if ok && err == nil {
		send()
	}
	if err != nil {
		j.err = err
	}
}

// FindAll calls fn with the offset of every match lying wholly in
// [off, end), overlapping matches included, in increasing order, until fn
// returns false. Several workers search segments of the file in parallel;
// fn is called from the calling goroutine, in order. Memory in flight is
// bounded (a few batches per worker) whatever the file size or match count.
func FindAll(ctx context.Context, src Source, p *Pattern, off, end int64, o AllOptions, fn func(off int64) bool) error {
	return FindAllBatches(ctx, src, p, off, end, o, func(b []int64) bool {
		for _, x := range b {
			if !fn(x) {
				return false
			}
		}
		return true
	})
}

// FindAllBatches is FindAll handing the offsets to fn a batch at a time (up
// to 4096, in increasing order; batch after batch in increasing order too).
// A batch is valid only during the call: its buffer is reused.
func FindAllBatches(ctx context.Context, src Source, p *Pattern, off, end int64, o AllOptions, fn func(batch []int64) bool) error {
	_, err := findAll(ctx, src, p, off, end, o, false, 0, nil, func(b batch) bool { return fn(b.offs) })
	return err
}

// FindAllText is FindAllBatches with the formatting done by the workers,
// in parallel: format appends the text of a batch of offsets to dst and
// returns it; fn gets the texts in order, each with the number of matches
// it holds. A text is valid only during the call: its buffer is reused.
func FindAllText(ctx context.Context, src Source, p *Pattern, off, end int64, o AllOptions, format func(dst []byte, offs []int64) []byte, fn func(text []byte, matches int) bool) error {
	_, err := findAll(ctx, src, p, off, end, o, false, 0, format, func(b batch) bool { return fn(b.text, b.n) })
	return err
}

// Count counts the matches in [off, end) (overlapping included), stopping
// at max when max > 0. The workers count their segments without keeping
// offsets.
func Count(ctx context.Context, src Source, p *Pattern, off, end int64, max int64, o AllOptions) (int64, error) {
	return findAll(ctx, src, p, off, end, o, true, max, nil, nil)
}

// findAll runs FindAllBatches (count false: fn gets the batches) or Count
// (count true: the segments' counts are added in order up to max).
func findAll(ctx context.Context, src Source, p *Pattern, off, end int64, o AllOptions, count bool, maxN int64, format func([]byte, []int64) []byte, fn func(batch) bool) (int64, error) {
	n := int64(p.Len())
	off = max(0, off)
	end = min(end, src.Size())
	if end-off < n {
		return 0, nil
	}
	w := o.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	seg := o.Segment
	if seg <= 0 {
		seg = defaultSegment
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan *job)
	order := make(chan *job, 2*w)
	pool := newPool(8 * w)
	skip := !o.NoHoleSkip && !p.MatchesZeros()
	go func() { // producer: the range cut into segments, in order
		defer close(jobs)
		defer close(order)
		for s := off; s+n <= end; s += seg {
			if !dispatch(ctx, order, jobs, &job{a: s, b: min(end, s+seg+n-1), skip: skip, count: count, out: make(chan batch, 4)}) {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.run(ctx, src, p, o.Chunk, pool, format)
			}
		}()
	}
	defer wg.Wait()
	defer cancel() // runs before wg.Wait: workers stop sending
	var total int64
	for {
		var j *job
		select {
		case j0, ok := <-order:
			if !ok {
				// A search cancelled from outside says so, whichever
				// channel the selects above happened to pick.
				return total, parent.Err()
			}
			j = j0
		case <-ctx.Done():
			return total, ctx.Err()
		}
		for done := false; !done; {
			select {
			case b, ok := <-j.out:
				if !ok {
					if j.err != nil {
						return total, j.err
					}
					done = true
					break
				}
				cont := fn(b)
				pool.put(b)
				if !cont {
					return total, nil
				}
			case <-ctx.Done():
				return total, ctx.Err()
			}
		}
		if count {
			total += j.n
			if maxN > 0 && total >= maxN {
				return maxN, nil
			}
		}
	}
}
