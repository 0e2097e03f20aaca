// Package shape holds the engines that show the shape of a file: the
// printable strings in it (exactly GNU `strings -a`), its hashes and
// checksums (CRC-32, MD5, SHA-1, SHA-256, SHA-512) and its Shannon entropy
// block by block.
//
// Each engine reads a file through a Source (*mapping.File: Sweep hands
// out read-only views of mapped memory, holes skipped, pages released
// behind), so memory stays flat whatever the file size; holes are known to
// be zeros and are never read. The file engines split the range into
// segments worked on by every core and deliver the results in order; they
// stop when the context is cancelled and report progress. Strings and
// hashes also work on a plain byte stream (StringsWriter, NewHasher), for
// input that is not a file.
package shape

import (
	"context"
	"runtime"
	"sync"

	"mmhex/mapping"
)

// Source is what the engines read: *mapping.File.
type Source interface {
	Size() int64
	Sweep(off, end int64, o mapping.ScanOptions, fn func(base int64, b []byte) bool) error
}

// Progress is told how many bytes of the range are done so far (holes
// count as done). It is called from the calling goroutine.
type Progress func(done, total int64)

// ordered cuts [off, end) into segments of seg bytes and runs work on
// each with w goroutines (0: GOMAXPROCS). A worker hands its results out
// with send, in order; consume gets every result of the first segment, then
// of the second..., on the calling goroutine, until it returns false, a
// work fails (its error is returned after the results it sent) or ctx is
// cancelled (ctx.Err()). done tells consume when a segment is finished. At
// most 2w segments are in flight, each with up to 4 results waiting.
func ordered[T any](ctx context.Context, off, end, seg int64, w int,
	work func(ctx context.Context, a, b int64, send func(T) bool) error,
	consume func(r T) bool, done func(a, b int64)) error {
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	type slot struct {
		a, b int64
		out  chan T
		err  error // set before out is closed
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	order := make(chan *slot, 2*w)
	jobs := make(chan *slot)
	go func() {
		defer close(order)
		defer close(jobs)
		for a := off; a < end; a += seg {
			s := &slot{a: a, b: min(end, a+seg), out: make(chan T, 4)}
			select {
			case order <- s:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- s:
			case <-ctx.Done():
				s.err = ctx.Err()
				close(s.out)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				send := func(r T) bool {
					select {
					case s.out <- r:
						return true
					case <-ctx.Done():
						return false
					}
				}
				s.err = work(ctx, s.a, s.b, send)
				close(s.out)
			}
		}()
	}
	var err error
	stopped := false
	for s := range order {
		for r := range s.out {
			if !stopped && !consume(r) {
				stopped = true
				cancel()
			}
		}
		if stopped {
			continue // drain
		}
		if s.err != nil {
			err = s.err
			stopped = true
			cancel()
			continue
		}
		if done != nil {
			done(s.a, s.b)
		}
	}
	wg.Wait()
	if perr := parent.Err(); perr != nil {
		return perr // cancelled by the caller (a worker may have seen it first)
	}
	return err
}
