package mapping

import (
	"slices"
)

// descriptor.go: what packages beside mapping that make their own system
// calls on the open file (mapping/pagecache: mincore, cachestat,
// sync_file_range, FIEMAP, O_DIRECT reads) need from the core, and nothing
// more. They never see the mappings, the journal or the locks.

// snapshot returns what the long-running operations need without holding
// f.mu for their duration. While a long restore step holds f.mu it does
// not wait: the size from before the step (a frame's highlighter asks
// FIEMAP through WithDescriptor; the descriptor never changes while open,
// and Close waits for the step).
func (f *File) snapshot() (fd int, size int64, err error) {
	if b := f.lockOrBefore(); b != nil {
		return f.fd, b.size, nil
	}
	defer f.mu.Unlock()
	if f.closed {
		return 0, 0, f.errf("%w", ErrClosed)
	}
	return f.fd, f.size, nil
}

// WithDescriptor calls fn with the open descriptor and the size as last
// seen, holding the read lock that Close waits for, so the descriptor
// stays open (and is not reused for another file) until fn returns. fn
// must not close it, nor call Close or WithDescriptor. A closed file
// gives ErrClosed without calling fn.
func (f *File) WithDescriptor(fn func(fd int, size int64) error) error {
	f.busy.RLock()
	defer f.busy.RUnlock()
	fd, size, err := f.snapshot()
	if err != nil {
		return err
	}
	return fn(fd, size)
}

// ResidencyVisible reports whether mincore and cachestat tell the truth
// for this file: the kernel hides the page cache state of a file from a
// process that neither owns it nor may write it (mincore then claims every
// page resident, cachestat fails with EPERM).
func (f *File) ResidencyVisible() bool { return f.resKnown }

// PageRange is the pages [First, End) of the file (page indexes).
type PageRange struct{ First, End int64 }

// UnsyncedRanges returns the pages edited here and not yet synced, as
// sorted, disjoint, non-adjacent ranges (a fill of a huge range is one
// range; UnsyncedPageList lists every page).
func (f *File) UnsyncedRanges() []PageRange {
	f.lockRead()
	defer f.mu.Unlock()
	rs := f.unsyncedSet().ranges()
	out := make([]PageRange, 0, len(rs))
	for _, r := range rs {
		out = append(out, PageRange{r.a, r.b})
	}
	return slices.Clip(out)
}

// IsBlockDevice reports whether the file is a block device (O_DIRECT on
// it reads the device itself).
func (f *File) IsBlockDevice() bool { return f.blockDev }

// Invalidates reports whether Sync adds MS_INVALIDATE (Options.Invalidate),
// for the editor's header.
func (f *File) Invalidates() bool { return f.opts.Invalidate }
