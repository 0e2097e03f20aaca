package mapping

// reshape.go: the primitives that change a file's shape (its size, its
// holes, where its blocks are), each one system call, recorded in the
// durable journal before it runs: Resize (ftruncate), PunchHole and
// ZeroRange (fallocate PUNCH_HOLE / ZERO_RANGE), InsertRange and
// CollapseRange (fallocate INSERT_RANGE / COLLAPSE_RANGE, whole blocks).
// The policy (sizes, the bytes below a block boundary, other writers) is
// mapping/reshape's.

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"mmhex/mapping/wal"
)

// MaxCut bounds the bytes a truncate or a collapse may remove: they are
// copied into the durable journal first, and copying gigabytes silently is
// refused (ErrCutTooLarge).
const MaxCut int64 = 256 << 20

var (
	// ErrCutTooLarge: a shape change would remove more than MaxCut bytes.
	ErrCutTooLarge = fmt.Errorf("would remove more than %d bytes (256 MiB), the most the journal copies", MaxCut)
	// ErrBlockDevice: a block device's size and blocks are not the file's to change.
	ErrBlockDevice = errors.New("is a block device: its size cannot change")
)

func (f *File) shapeCheck() error {
	if f.closed {
		return f.errf("%w", ErrClosed)
	}
	if f.blockDev {
		return f.errf("%w", ErrBlockDevice)
	}
	if f.mode != Shared {
		if f.mode == Private {
			return f.errf("%w", ErrPrivate)
		}
		return f.errf("%w", ErrReadOnly)
	}
	if f.d.w == nil {
		w, err := wal.Create(f.d.hdr)
		if err != nil {
			return f.errf("%w; nothing was changed (shape changes need the journal)", err)
		}
		f.d.w = w
	}
	return nil
}

// shaped follows a shape change: the new size (windows remapped on the
// next access), the in-memory undo history dropped (its offsets no longer
// name the same bytes: the durable journal reverts the change, see
// mapping/recovery), and one more unsynced edit.
func (f *File) shaped() {
	if size, err := f.statSize(); err == nil {
		if size == f.size {
			f.releaseCur()
		}
		f.resize(size)
	}
	j := &f.j
	n := j.unsynced() + 1
	for _, x := range j.e {
		j.free(x)
	}
	for _, x := range j.lostRev {
		j.free(x)
	}
	j.e, j.pos, j.syncPos, j.lostRev = nil, 0, 0, nil
	j.extra, j.lostBad = n, true
	j.compact()
	f.d.covered.Clear()
}

// shapeRecord writes a shape record, with the bytes [cut, cut+n) of the
// file as its payload for Truncate and Collapse, on disk before it
// returns. undo drops it again (the change did not happen).
func (f *File) shapeRecord(kind byte, off, n, aux, cut int64) (undo func(), err error) {
	w := f.d.w
	at, recs := w.End(), w.Records()
	undo = func() { w.Rewind(at, recs) }
	r := w.BeginShape(kind, off, n, aux)
	if kind == wal.Truncate || kind == wal.Collapse {
		if err := f.logBefore(r, cut, n); err != nil {
			r.Abort()
			return nil, err
		}
	}
	if err := r.Commit(true); err != nil {
		return nil, f.errf("%w; nothing was changed", err)
	}
	return undo, nil
}

// Resize sets the file's size: growing adds a hole at the end; shrinking
// first copies the bytes cut into the durable journal (refused above
// MaxCut).
func (f *File) Resize(size int64) error {
	f.busy.Lock()
	defer f.busy.Unlock()
	f.lockEdit()
	defer f.mu.Unlock()
	if err := f.shapeCheck(); err != nil {
		return err
	}
	if size < 0 {
		return f.errf("%w", ErrOffset)
	}
	old := f.size
	var undo func()
	var err error
	switch {
	case size == old:
		return nil
	case size > old:
		undo, err = f.shapeRecord(wal.Grow, old, size-old, size, 0)
	default:
		if old-size > MaxCut {
			return f.errf("truncating to %d bytes %w", size, ErrCutTooLarge)
		}
		undo, err = f.shapeRecord(wal.Truncate, size, old-size, size, size)
	}
	if err != nil {
		return err
	}
	if err := unix.Ftruncate(f.fd, size); err != nil {
		undo()
		return f.errf("ftruncate to %d bytes: %w; nothing was changed", size, err)
	}
	f.shaped()
	return nil
}

// PunchHole frees the blocks of [off, off+n) (FALLOC_FL_PUNCH_HOLE): the
// range reads as zeros. ZeroRange (zeroBlocks) makes it zeros keeping
// blocks allocated (FALLOC_FL_ZERO_RANGE). Either is journaled as a store
// of zeros: undo and recovery put the old bytes back.
func (f *File) PunchHole(off, n int64, zeroBlocks bool) error {
	f.busy.Lock()
	defer f.busy.Unlock()
	f.lockEdit()
	defer f.mu.Unlock()
	if err := f.shapeCheck(); err != nil {
		return err
	}
	if err := f.editCheck(off, n); err != nil || n == 0 {
		return err
	}
	// Saved as a fill of zeros: the old bytes on disk first.
	f.d.covered.Clear()
	w := f.d.w
	at, recs := w.End(), w.Records()
	if err := f.logStore(off, n, nil, 0); err != nil {
		return err
	}
	mode, name := uint32(unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE), "FALLOC_FL_PUNCH_HOLE"
	if zeroBlocks {
		mode, name = unix.FALLOC_FL_ZERO_RANGE|unix.FALLOC_FL_KEEP_SIZE, "FALLOC_FL_ZERO_RANGE"
	}
	if err := unix.Fallocate(f.fd, mode, off, n); err != nil {
		w.Rewind(at, recs)
		return f.errf("fallocate(%s) of %d bytes at %#x: %w; nothing was changed", name, n, off, err)
	}
	f.shaped()
	return nil
}

// InsertRange inserts n bytes of hole at off (FALLOC_FL_INSERT_RANGE):
// the bytes from off on move n bytes up, by changing extents, not copying
// data. off and n must be multiples of the filesystem's block size and off
// below the size (the kernel says EINVAL otherwise; EOPNOTSUPP where the
// filesystem cannot: tmpfs, btrfs).
func (f *File) InsertRange(off, n int64) error {
	return f.moveBlocks(wal.Insert, off, n)
}

// CollapseRange removes the n bytes at off (FALLOC_FL_COLLAPSE_RANGE): the
// bytes after move n bytes down, without copying data. Same rules as
// InsertRange, and off+n must stay below the size. The removed bytes are
// copied into the durable journal first (refused above MaxCut).
func (f *File) CollapseRange(off, n int64) error {
	return f.moveBlocks(wal.Collapse, off, n)
}

func (f *File) moveBlocks(kind byte, off, n int64) error {
	f.busy.Lock()
	defer f.busy.Unlock()
	f.lockEdit()
	defer f.mu.Unlock()
	if err := f.shapeCheck(); err != nil {
		return err
	}
	if off < 0 || n <= 0 {
		return f.errf("%w", ErrOffset)
	}
	mode, name, after := uint32(unix.FALLOC_FL_INSERT_RANGE), "FALLOC_FL_INSERT_RANGE", f.size+n
	if kind == wal.Collapse {
		if n > MaxCut {
			return f.errf("deleting %d bytes %w", n, ErrCutTooLarge)
		}
		mode, name, after = unix.FALLOC_FL_COLLAPSE_RANGE, "FALLOC_FL_COLLAPSE_RANGE", f.size-n
	}
	undo, err := f.shapeRecord(kind, off, n, after, off)
	if err != nil {
		return err
	}
	if err := unix.Fallocate(f.fd, mode, off, n); err != nil {
		undo() // nothing moved
		return f.errf("fallocate(%s) of %d bytes at %#x: %w", name, n, off, err)
	}
	f.shaped()
	return nil
}
