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

// Sync msyncs exactly the pages written since the last MS_SYNC, in every
// window they were written in (each window's part mapped again for the
// call), with MS_SYNC or MS_ASYNC, plus MS_INVALIDATE when
// Options.Invalidate is set. In read-only mode there is nothing to sync;
// in private mode it returns ErrPrivate.
//
// Only MS_SYNC moves the synced point. "Unsynced" means "not known to be
// on disk": MS_ASYNC is a no-op on Linux (since 2.6.19), so after it the
// pages stay unsynced (UnsyncedPages, UnsyncedEdits and RevertUnsynced are
// unchanged, and a later MS_SYNC still writes them); its result counts in
// StillDirty the pages it was given that are still dirty or under
// writeback.
//
// The msyncs run without the file's mutex, so ReadAt, WriteAt and the rest
// go on meanwhile: the pages to sync are taken (and, for MS_SYNC, the
// unsynced set cleared) at the start, pages edited during the sync stay
// unsynced, and if an msync fails the taken pages are unsynced again.
func (f *File) Sync(m SyncMode) (SyncResult, error) { return f.syncProgress(m, nil) }

// syncProgressPart bounds one msync when progress is reported, so that
// the count moves during a long sync.
const syncProgressPart = 4 << 20

// syncProgress is Sync, calling progress (when not nil) after each msync
// with the pages synced so far and the pages to sync.
func (f *File) syncProgress(m SyncMode, progress func(done, total int)) (SyncResult, error) {
	flags := int(m)
	label := m.String()
	if f.opts.Invalidate {
		flags |= unix.MS_INVALIDATE
		label += "|MS_INVALIDATE"
	}
	return f.syncWith(label, m == MSSync, func(taken []prange, size int64, res *SyncResult) error {
		total := 0
		if progress != nil {
			for _, r := range taken {
				total += int(min(r.b, (size+f.page-1)/f.page) - r.a)
			}
		}
		err := f.msyncRuns(taken, size, flags, m == MSSync, func(data []byte, off int64) error {
			for len(data) > 0 {
				part := data
				if progress != nil && len(part) > syncProgressPart {
					part = part[:syncProgressPart]
				}
				if err := unix.Msync(part, flags); err != nil {
					return f.errf("msync(%s) at %#x: %w", res.Flag, off, err)
				}
				res.Pages += int((int64(len(part)) + f.page - 1) / f.page)
				res.Bytes += int64(len(part))
				data, off = data[len(part):], off+int64(len(part))
				if progress != nil {
					progress(res.Pages, total)
				}
			}
			return nil
		})
		if err == nil && m == MSAsync {
			res.StillDirty = f.dirtyIn(taken, size)
		}
		return err
	})
}

// SyncFile writes every dirty page of the file and waits, whoever dirtied
// it (this process, another mapping, write(2) from cp), with fdatasync(2)
// on the descriptor. It is the whole-file form of Sync(MSSync): on Linux
// msync(MS_SYNC) of a range is vfs_fsync_range(datasync) of that range, so
// over the whole file it is fdatasync, which needs no mapping of every
// window. The pages edited here count as synced afterwards. Pages is the
// number of dirty or writeback pages cachestat counted just before (Unknown
// when the kernel will not say). ErrReadOnly in read-only mode (mmhex does
// not write what it did not open for writing), ErrPrivate in private mode.
func (f *File) SyncFile() (SyncResult, error) {
	if f.Mode() == ReadOnly {
		return SyncResult{Flag: "fdatasync"}, f.errf("%w: not synced", ErrReadOnly)
	}
	return f.syncWith("fdatasync", true, func(_ []prange, size int64, res *SyncResult) error {
		res.Pages = int(f.dirtyIn([]prange{{0, (size + f.page - 1) / f.page}}, size))
		if res.Pages > 0 {
			res.Bytes = min(int64(res.Pages)*f.page, size)
		}
		if err := unix.Fdatasync(f.fd); err != nil {
			return f.errf("fdatasync: %w", err)
		}
		return nil
	})
}

// SyncAll is Sync(MSSync) followed, when cachestat says the file still
// has dirty pages (or cannot say), by SyncFile: afterwards no page of the
// file is dirty, whoever dirtied it. The result is the MS_SYNC one, with
// Others and OthersDuration set by the fdatasync (Others is Unknown when
// the kernel does not count dirty pages); LastSync returns it. Read-only
// mode syncs nothing and returns ErrReadOnly when the file has dirty pages.
func (f *File) SyncAll() (SyncResult, error) { return f.SyncAllProgress(nil) }

// SyncAllProgress is SyncAll, calling progress (when not nil, on the
// calling goroutine) as the MS_SYNC goes with the pages synced so far and
// the pages to sync. The fdatasync after it is one call: no progress.
func (f *File) SyncAllProgress(progress func(done, total int)) (SyncResult, error) {
	if f.Mode() == ReadOnly {
		if f.DirtyPages() != 0 {
			return SyncResult{Flag: "MS_SYNC"}, f.errf("%w: not synced", ErrReadOnly)
		}
		return SyncResult{Flag: "MS_SYNC"}, nil
	}
	r, err := f.syncProgress(MSSync, progress)
	if err != nil {
		return r, err
	}
	if f.DirtyPages() == 0 {
		return r, nil
	}
	o, err := f.SyncFile()
	r.Others, r.OthersDuration = o.Pages, o.Duration
	if err != nil {
		return r, err
	}
	f.lockEdit()
	f.last = r
	f.mu.Unlock()
	return r, nil
}

// syncWith runs do on the unsynced pages without the mutex. With full, do
// writes them and waits (MS_SYNC, fdatasync): they are taken out of the
// unsynced set and the journal's synced point moves, both put back when
// do fails; until do returns, the taken pages and the edits unsynced
// before still count as unsynced (UnsyncedEdits, UnsyncedPages,
// IsUnsynced, UnsyncedRanges): nothing is known to be on disk before the
// MS_SYNC covering it has returned. Without full (MS_ASYNC) nothing is known to be on disk
// afterwards and neither changes.
func (f *File) syncWith(label string, full bool, do func(taken []prange, size int64, res *SyncResult) error) (SyncResult, error) {
	f.syncMu.Lock()
	defer f.syncMu.Unlock()
	f.busy.RLock() // Close waits for us: the descriptor stays valid
	defer f.busy.RUnlock()
	res := SyncResult{Flag: label, StillDirty: Unknown}

	f.lockEdit()
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
	before, beforePlaces := f.j.unsynced(), f.j.unsyncedPlaces()
	if full {
		// Pages and edits from now on count from this state; until do
		// returns, those taken still count as unsynced (inflight).
		for _, r := range taken {
			f.inflight.add(r.a, r.b)
		}
		f.inflightBytes, f.unsyncBytes = f.unsyncBytes, pageSet{}
		f.inflightEdits, f.inflightPlaces, f.syncing = before, beforePlaces, true
		f.unsync.clear()
		f.j.synced()
		f.walSyncStart()
	}
	f.mu.Unlock()

	if f.hooks.sync != nil {
		f.hooks.sync()
	}
	start := time.Now()
	err := do(taken, size, &res)
	res.Duration = time.Since(start)
	res.At = time.Now()

	f.lockEdit()
	defer f.mu.Unlock()
	var bytesTaken pageSet
	if full {
		f.inflight.clear()
		bytesTaken, f.inflightBytes = f.inflightBytes, pageSet{}
		f.inflightEdits, f.inflightPlaces, f.syncing = 0, 0, false
	}
	if err != nil {
		if full {
			for _, r := range taken {
				f.unsync.add(r.a, r.b)
			}
			for _, r := range bytesTaken.ranges() {
				f.unsyncBytes.add(r.a, r.b)
			}
			// Count from the previous sync again: the edits that were
			// unsynced before plus those made since (an upper bound when
			// the edits went back and forth).
			f.j.extra = before + f.j.unsynced()
			f.j.extraPlaces = beforePlaces + f.j.unsyncedPlaces()
			f.j.syncPos = f.j.pos
			f.j.lostBad = true // RevertUnsynced can no longer tell the synced state
		}
		return res, err
	}
	if full {
		res.StillDirty = 0
	}
	f.last, f.hasLast = res, true
	if full {
		if err := f.walSynced(); err != nil {
			return res, f.errf("synced (%s), but the journal could not record it: %w", label, err)
		}
	}
	return res, nil
}

// dirtyIn counts, with cachestat, the pages of runs (clipped to size) that
// are dirty or under writeback: not yet on disk. Unknown when the kernel
// will not say (Linux < 6.5, EPERM).
func (f *File) dirtyIn(runs []prange, size int64) int64 {
	var n int64
	for _, r := range runs {
		a, b := r.a*f.page, min(r.b*f.page, size)
		if a >= b {
			continue
		}
		var cs unix.Cachestat_t
		if unix.Cachestat(uint(f.fd), &unix.CachestatRange{Off: uint64(a), Len: uint64(b - a)}, &cs, 0) != nil {
			return Unknown
		}
		n += int64(cs.Dirty + cs.Writeback)
	}
	return n
}

// DirtyPages counts the file's pages that are dirty or under writeback
// (cachestat over the whole file), whoever dirtied them. Unknown when the
// kernel will not say.
func (f *File) DirtyPages() int64 {
	f.busy.RLock()
	defer f.busy.RUnlock()
	_, size, err := f.snapshot()
	if err != nil || size == 0 {
		if err != nil {
			return Unknown
		}
		return 0
	}
	return f.dirtyIn([]prange{{0, (size + f.page - 1) / f.page}}, size)
}

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

// LastSync returns the result of the last successful Sync, if any.
func (f *File) LastSync() (SyncResult, bool) {
	if b := f.lockOrBefore(); b != nil {
		return b.last, b.hasLast
	}
	defer f.mu.Unlock()
	return f.last, f.hasLast
}
