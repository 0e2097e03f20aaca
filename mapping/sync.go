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
// window they were written in (mapping that range again where needed), with
// MS_SYNC or MS_ASYNC, plus MS_INVALIDATE when Options.Invalidate is set.
// In read-only mode there is nothing to sync; in private mode it returns
// ErrPrivate.
func (f *File) Sync(m SyncMode) (SyncResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	flags := int(m)
	res := SyncResult{Flag: m.String()}
	if f.opts.Invalidate {
		flags |= unix.MS_INVALIDATE
		res.Flag += "|MS_INVALIDATE"
	}
	if f.closed {
		return res, f.errf("%w", ErrClosed)
	}
	if f.mode == Private {
		return res, f.errf("%w", ErrPrivate)
	}
	start := time.Now()
	if m == MSSync && f.unsync.n > 1 && !f.blockDev {
		// Queue the writeback of every run first so the disk works on
		// them together; each msync below then mostly waits.
		for _, r := range f.unsync.r {
			a, b := r.a*f.page, min(r.b*f.page, f.size)
			if a < b {
				unix.SyncFileRange(f.fd, a, b-a, unix.SYNC_FILE_RANGE_WRITE)
			}
		}
	}
	err := f.eachUnsynced(func(data []byte, off int64) error {
		if err := unix.Msync(data, flags); err != nil {
			return f.errf("msync(%s) at %#x: %w", res.Flag, off, err)
		}
		res.Pages += int((int64(len(data)) + f.page - 1) / f.page)
		res.Bytes += int64(len(data))
		return nil
	})
	res.Duration = time.Since(start)
	res.At = time.Now()
	if err != nil {
		return res, err
	}
	f.unsync.clear()
	f.j.synced()
	f.last, f.hasLast = res, true
	return res, nil
}

// eachUnsynced calls fn with the mapped bytes of each run of unsynced
// pages, split at window borders. Runs outside the current window are
// mapped again for the call.
func (f *File) eachUnsynced(fn func(data []byte, off int64) error) error {
	f.unsync.clip((f.size + f.page - 1) / f.page)
	for _, r := range f.unsync.ranges() {
		a, b := r.a*f.page, min(r.b*f.page, f.size)
		for a < b {
			wstart := a / f.winSize * f.winSize
			e := min(b, wstart+f.winSize)
			if w := f.cur; w != nil && a >= w.off && e <= w.end() {
				if err := fn(w.data[a-w.off:e-w.off], a); err != nil {
					return err
				}
			} else {
				data, err := unix.Mmap(f.fd, a, int(e-a), f.prot, f.mflags&^unix.MAP_POPULATE)
				if err != nil {
					return f.errf("mmap at %#x: %w", a, err)
				}
				err = fn(data, a)
				unix.Munmap(data)
				if err != nil {
					return err
				}
			}
			a = e
		}
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
