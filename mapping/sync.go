package mapping

import (
	"time"

	"golang.org/x/sys/unix"
)

// SyncMode selects msync's behaviour.
type SyncMode int

const (
	MSSync  SyncMode = unix.MS_SYNC  // write the pages and wait: on disk when Sync returns
	MSAsync SyncMode = unix.MS_ASYNC // a no-op on Linux since 2.6.19: pages wait for writeback
)

func (m SyncMode) String() string {
	if m == MSAsync {
		return "MS_ASYNC"
	}
	return "MS_SYNC"
}

// Sync msyncs exactly the pages written since the last Sync, in every
// window they were written in (each window's part mapped again for the
// call), with MS_SYNC or MS_ASYNC, plus MS_INVALIDATE when
// Options.Invalidate is set. In read-only mode there is nothing to sync;
// in private mode it returns ErrPrivate.
//
// The msyncs run without the file's mutex, so ReadAt, WriteAt and the rest
// go on meanwhile: the pages to sync are taken (and the unsynced set
// cleared) at the start, pages edited during the sync stay unsynced, and
// if an msync fails the taken pages are unsynced again.
func (f *File) Sync(m SyncMode) (SyncResult, error) {
	f.syncMu.Lock()
	defer f.syncMu.Unlock()
	f.busy.RLock() // Close waits for us: the descriptor stays valid
	defer f.busy.RUnlock()
	flags := int(m)
	res := SyncResult{Flag: m.String()}
	if f.opts.Invalidate {
		flags |= unix.MS_INVALIDATE
		res.Flag += "|MS_INVALIDATE"
	}

	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return res, f.errf("%w", ErrClosed)
	}
	if f.mode == Private {
		f.mu.Unlock()
		return res, f.errf("%w", ErrPrivate)
	}
	size := f.size
	f.unsync.clip((size + f.page - 1) / f.page)
	taken := f.unsync.ranges()
	before := f.j.unsynced()
	f.unsync.clear()
	f.j.synced() // edits from now on count from this state
	f.mu.Unlock()

	if syncHook != nil {
		syncHook()
	}
	start := time.Now()
	err := f.msyncRuns(taken, size, flags, m == MSSync, func(data []byte, off int64) error {
		if err := unix.Msync(data, flags); err != nil {
			return f.errf("msync(%s) at %#x: %w", res.Flag, off, err)
		}
		res.Pages += int((int64(len(data)) + f.page - 1) / f.page)
		res.Bytes += int64(len(data))
		return nil
	})
	res.Duration = time.Since(start)
	res.At = time.Now()

	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		for _, r := range taken {
			f.unsync.add(r.a, r.b)
		}
		// Count from the previous sync again: the edits that were
		// unsynced before plus those made since (an upper bound when
		// the edits went back and forth).
		f.j.extra = before + f.j.unsynced()
		f.j.syncPos = f.j.pos
		f.j.lostBad = true // RevertUnsynced can no longer tell the synced state
		return res, err
	}
	f.last, f.hasLast = res, true
	return res, nil
}

// syncHook, when set (by tests), runs while Sync works without the mutex.
var syncHook func()

// msyncRuns calls fn with a mapping of each run of pages, split at window
// borders. Each window's share of the runs is mapped once, from its first
// to its last run, for the calls. With queue, the writeback of every run
// is started first (sync_file_range) so the disk works on them together
// and each MS_SYNC mostly waits.
func (f *File) msyncRuns(runs []prange, size int64, flags int, queue bool, fn func(data []byte, off int64) error) error {
	type piece struct{ a, b int64 }
	var pieces []piece
	for _, r := range runs {
		a, b := r.a*f.page, min(r.b*f.page, size)
		for a < b {
			e := min(b, (a/f.winSize+1)*f.winSize)
			pieces = append(pieces, piece{a, e})
			a = e
		}
	}
	if queue && len(pieces) > 1 && !f.blockDev {
		for _, p := range pieces {
			unix.SyncFileRange(f.fd, p.a, p.b-p.a, unix.SYNC_FILE_RANGE_WRITE)
		}
	}
	for i := 0; i < len(pieces); {
		w := pieces[i].a / f.winSize
		j := i
		for j < len(pieces) && pieces[j].a/f.winSize == w {
			j++
		}
		lo, hi := pieces[i].a, pieces[j-1].b
		data, err := unix.Mmap(f.fd, lo, int(hi-lo), f.prot, unix.MAP_SHARED)
		if err != nil {
			return f.errf("mmap at %#x for msync: %w", lo, err)
		}
		for _, p := range pieces[i:j] {
			if err = fn(data[p.a-lo:p.b-lo], p.a); err != nil {
				break
			}
		}
		unix.Munmap(data)
		if err != nil {
			return err
		}
		i = j
	}
	return nil
}

// StartWriteback starts writeback of the pages written since the last Sync
// with sync_file_range(SYNC_FILE_RANGE_WRITE) and does not wait. The pages
// stay unsynced (nothing proves they reached the disk); LastSync is not
// changed.
func (f *File) StartWriteback() (SyncResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	res := SyncResult{Flag: "SYNC_FILE_RANGE_WRITE"}
	if f.closed {
		return res, f.errf("%w", ErrClosed)
	}
	if f.mode == Private {
		return res, f.errf("%w", ErrPrivate)
	}
	start := time.Now()
	f.unsync.clip((f.size + f.page - 1) / f.page)
	for _, r := range f.unsync.r {
		a, b := r.a*f.page, min(r.b*f.page, f.size)
		if a >= b {
			continue
		}
		if err := unix.SyncFileRange(f.fd, a, b-a, unix.SYNC_FILE_RANGE_WRITE); err != nil {
			res.Duration = time.Since(start)
			return res, f.errf("sync_file_range at %#x: %w", a, err)
		}
		res.Pages += int((b - a + f.page - 1) / f.page)
		res.Bytes += b - a
	}
	res.Duration = time.Since(start)
	res.At = time.Now()
	return res, nil
}

// LastSync returns the result of the last successful Sync, if any.
func (f *File) LastSync() (SyncResult, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last, f.hasLast
}
