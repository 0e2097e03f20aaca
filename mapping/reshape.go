package mapping

// reshape.go: the primitives that change a file's shape (its size, its
// holes, where its blocks are), each one system call, recorded in the
// durable journal before it runs: Resize (ftruncate), PunchHole and
// ZeroRange (fallocate PUNCH_HOLE / ZERO_RANGE), InsertRange and
// CollapseRange (fallocate INSERT_RANGE / COLLAPSE_RANGE, whole blocks).
// The policy (sizes, the bytes below a block boundary, other writers) is
// mapping/reshape's.
//
// Each is also an entry of the in-memory journal (one undo step, or part
// of a Group's): undo runs the inverse (insert <-> collapse with the
// removed bytes put back, truncate -> grow and the cut bytes put back,
// grow -> truncate, punch/zero -> the old bytes stored back), through the
// same primitives, so the inverse is in the durable journal too. The
// journal is a stack: entries older than a shape change name the offsets
// of the shape before it, which are right again once it is undone.

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"mmhex/mapping/wal"
)

// MaxCut bounds the bytes a truncate or a collapse may remove: they are
// copied into the durable journal first, and copying gigabytes silently is
// refused (ErrCutTooLarge).
const MaxCut int64 = 256 << 20

// maxCut is MaxCut (tests lower it to keep their files small).
var maxCut = MaxCut

var (
	// ErrCutTooLarge: a shape change would copy more than MaxCut bytes
	// of data (holes are not copied) into the journal.
	ErrCutTooLarge = fmt.Errorf("would copy more than %d bytes (256 MiB) of data into the journal, the most it copies", MaxCut)
	// ErrBlockDevice: a block device's size and blocks are not the file's to change.
	ErrBlockDevice = errors.New("is a block device: its size cannot change")
)

// Entry shapes beside the wal kinds (wal.Grow, Truncate, Insert,
// Collapse): a punched hole and a zeroed range, journaled as a store of
// zeros (undo stores the old bytes back).
const (
	shPunch byte = 'P'
	shZero  byte = 'Z'
)

// isMove: an entry that changed the size or moved blocks (undo and redo
// run the inverse shape change, not a store).
func isMove(k byte) bool {
	return k == wal.Grow || k == wal.Truncate || k == wal.Insert || k == wal.Collapse
}

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
		return f.readOnlyErr("; nothing was changed")
	}
	if f.d.w == nil {
		if err := f.newWal(); err != nil {
			return f.errf("%w; nothing was changed (shape changes need the journal)", err)
		}
	}
	return nil
}

// followShape follows a shape change of kind at off, n bytes: the new size
// (windows remapped on the next access), the unsynced page and byte sets
// moved with their bytes (an insert moves those from off up by n, a
// collapse drops [off, off+n) and moves those after down), the new range
// of a grow or an insert marked as stored (zeros since the last sync).
func (f *File) followShape(kind byte, off, n int64) {
	if size, err := f.statSize(); err == nil {
		if size == f.size {
			f.releaseCur()
		}
		f.resize(size)
	}
	switch kind {
	case wal.Insert:
		f.shiftSets(off, n)
		f.markPages(off, n)
	case wal.Collapse:
		f.shiftSets(off, -n)
	case wal.Grow:
		f.markPages(off, n)
	}
	f.d.covered.Clear()
}

// shiftSets moves the unsynced sets with their bytes: by > 0 inserts by
// bytes at at, by < 0 removes [at, at-by).
func (f *File) shiftSets(at, by int64) {
	f.unsyncBytes = shiftSet(f.unsyncBytes, at, by)
	f.inflightBytes = shiftSet(f.inflightBytes, at, by)
	if at%f.page == 0 && by%f.page == 0 {
		f.unsync = shiftSet(f.unsync, at/f.page, by/f.page)
		f.inflight = shiftSet(f.inflight, at/f.page, by/f.page)
		return
	}
	// Blocks smaller than a page: the pages from at on are all unsynced.
	last := (f.size + f.page - 1) / f.page
	for _, s := range []*pageSet{&f.unsync, &f.inflight} {
		if s.overlaps(at/f.page, 1<<62) {
			s.add(at/f.page, max(last, at/f.page+1))
		}
	}
}

func shiftSet(s pageSet, at, by int64) pageSet {
	var o pageSet
	for _, r := range s.ranges() {
		a, b := r.a, r.b
		switch {
		case by > 0:
			if b <= at {
				o.add(a, b)
			} else if a >= at {
				o.add(a+by, b+by)
			} else {
				o.add(a, at)
				o.add(at+by, b+by)
			}
		default:
			d := -by
			if lo, hi := a, min(b, at); lo < hi {
				o.add(lo, hi)
			}
			if lo, hi := max(a, at+d), b; lo < hi {
				o.add(lo-d, hi-d)
			}
		}
	}
	return o
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
	f.d.lastAt = r.PayloadAt()
	return undo, nil
}

// cutCheck refuses a change that copies the bytes of [off, off+n) into
// the journal first (a truncate, a collapse, a punch or zero range) when
// more than maxCut of them are data: holes are kept as holes in the
// journal and cost nothing, so a sparse image of gigabytes can be cut.
// what says the change ("truncating to 4096 bytes"). Callers hold mu.
//
// holes says the range is all hole (zeros, nothing to copy): its undo
// needs no bytes (zeroBlob), whatever its size. A hole costs nothing in
// the journal: not written, its checksum computed in O(log n), skipped
// when read back.
func (f *File) cutCheck(what string, off, n int64) (holes bool, err error) {
	var data int64
	for _, r := range f.dataRanges(off, off+n, 0, nil) {
		if data += r.b - r.a; data > maxCut {
			return false, f.errf("%s %w; nothing was changed", what, ErrCutTooLarge)
		}
	}
	return data == 0, nil
}

// Resize sets the file's size: growing adds a hole at the end; shrinking
// first copies the bytes cut into the durable journal (refused above
// MaxCut). One undo step: undo truncates a grow (where the grown bytes
// are still zeros) and grows a truncate back with the bytes cut.
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
	switch {
	case size == old:
		return nil
	}
	holes := false
	if size < old {
		var err error
		if holes, err = f.cutCheck(fmt.Sprintf("truncating to %d bytes", size), size, old-size); err != nil {
			return err
		}
	}
	f.j.truncRedo()
	e := entry{shape: wal.Grow, off: old, n: size - old, at: old, size: size, old: zeroBlob, new: zeroBlob}
	if size < old {
		e = entry{shape: wal.Truncate, off: size, n: old - size, at: size, size: size, old: zeroBlob, new: zeroBlob}
		if !holes && !f.walBytes(e.n) {
			cut, err := f.capture(size, old-size)
			if err != nil {
				return err
			}
			e.old = cut
		}
	}
	if err := f.resizeLocked(size); err != nil {
		f.j.free(e)
		return err
	}
	if e.shape == wal.Truncate && !holes && f.walBytes(e.n) {
		e.old = f.j.walBlob(f.d.lastAt, e.n) // the record's copy of the bytes cut
	}
	f.j.push(e)
	return nil
}

// zeroBlob is the bytes of a hole.
var zeroBlob = blob{kind: kFill}

// resizeLocked journals and runs ftruncate. Callers hold busy and mu and
// checked the size.
func (f *File) resizeLocked(size int64) error {
	old := f.size
	var undo func()
	var err error
	if size > old {
		undo, err = f.shapeRecord(wal.Grow, old, size-old, size, 0)
	} else {
		undo, err = f.shapeRecord(wal.Truncate, size, old-size, size, size)
	}
	if err != nil {
		return err
	}
	if err := unix.Ftruncate(f.fd, size); err != nil {
		undo()
		return f.errf("ftruncate to %d bytes: %w; nothing was changed", size, err)
	}
	if size > old {
		f.followShape(wal.Grow, old, size-old)
	} else {
		f.followShape(wal.Truncate, size, old-size)
	}
	return nil
}

// PunchHole frees the blocks of [off, off+n) (FALLOC_FL_PUNCH_HOLE): the
// range reads as zeros. ZeroRange (zeroBlocks) makes it zeros keeping
// blocks allocated (FALLOC_FL_ZERO_RANGE). Either is journaled as a store
// of zeros: undo and recovery put the old bytes back, redo stores zeros.
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
	verb := "punching"
	if zeroBlocks {
		verb = "zeroing"
	}
	holes, err := f.cutCheck(fmt.Sprintf("%s %d bytes at %#x", verb, n, off), off, n)
	if err != nil {
		return err
	}
	f.j.truncRedo()
	old := zeroBlob
	if !holes && !f.walBytes(n) {
		var err error
		if old, err = f.capture(off, n); err != nil {
			return err
		}
	}
	// Saved as a fill of zeros: the old bytes on disk first.
	f.d.covered.Clear()
	w := f.d.w
	at, recs := w.End(), w.Records()
	if err := f.logStore(off, n, nil, 0); err != nil {
		f.j.freeBlob(old, n)
		return err
	}
	if !holes && f.walBytes(n) {
		old = f.j.walBlob(f.d.lastAt, n) // the record's copy of the old bytes
	}
	mode, name, shape := uint32(unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE), "FALLOC_FL_PUNCH_HOLE", shPunch
	if zeroBlocks {
		mode, name, shape = unix.FALLOC_FL_ZERO_RANGE|unix.FALLOC_FL_KEEP_SIZE, "FALLOC_FL_ZERO_RANGE", shZero
	}
	if err := unix.Fallocate(f.fd, mode, off, n); err != nil {
		w.Rewind(at, recs)
		f.j.freeBlob(old, n)
		return f.errf("fallocate(%s) of %d bytes at %#x: %w; nothing was changed", name, n, off, err)
	}
	f.followShape(shape, off, n)
	f.markPages(off, n)
	f.j.push(entry{shape: shape, off: off, n: n, at: off, size: f.size, old: old, new: zeroBlob})
	return nil
}

// InsertRange inserts n bytes of hole at off (FALLOC_FL_INSERT_RANGE):
// the bytes from off on move n bytes up, by changing extents, not copying
// data. off and n must be multiples of the filesystem's block size and off
// below the size (the kernel says EINVAL otherwise; EOPNOTSUPP where the
// filesystem cannot: tmpfs, btrfs). Undo collapses the range again (where
// it still holds zeros).
func (f *File) InsertRange(off, n int64) error {
	return f.moveBlocks(wal.Insert, off, n, off, nil)
}

// CollapseRange removes the n bytes at off (FALLOC_FL_COLLAPSE_RANGE): the
// bytes after move n bytes down, without copying data. Same rules as
// InsertRange, and off+n must stay below the size. The removed bytes are
// copied into the durable journal first (refused above MaxCut); undo
// inserts the range again and puts them back.
func (f *File) CollapseRange(off, n int64) error {
	return f.moveBlocks(wal.Collapse, off, n, off, nil)
}

// InsertRange is File.InsertRange in the group's undo step. at is where
// the caller's bytes move from (Edit.ShiftAt of its undo and redo): off,
// or above it when the caller moves the bytes between off and at back
// down in the same group (mapping/reshape's insert below a block
// boundary).
func (g *Group) InsertRange(off, n, at int64) error {
	return g.f.moveBlocks(wal.Insert, off, n, at, g)
}

// CollapseRange is File.CollapseRange in the group's undo step; at as for
// InsertRange.
func (g *Group) CollapseRange(off, n, at int64) error {
	return g.f.moveBlocks(wal.Collapse, off, n, at, g)
}

func (f *File) moveBlocks(kind byte, off, n, at int64, g *Group) error {
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
	holes := false
	if kind == wal.Collapse {
		if off >= f.size || n > f.size-off {
			return f.errf("delete of %d bytes at %#x: %w (size %d)", n, off, ErrPastEnd, f.size)
		}
		var err error
		if holes, err = f.cutCheck(fmt.Sprintf("deleting %d bytes at %#x", n, off), off, n); err != nil {
			return err
		}
	}
	join := g != nil && g.started && g.gen == f.j.gen
	f.j.truncRedo()
	e := entry{shape: kind, off: off, n: n, at: at, old: zeroBlob, new: zeroBlob, join: join}
	if kind == wal.Collapse && !holes {
		if !f.walBytes(n) {
			cut, err := f.capture(off, n)
			if err != nil {
				return err
			}
			e.old = cut
		}
	}
	if err := f.moveLocked(kind, off, n); err != nil {
		f.j.free(e)
		return err
	}
	if kind == wal.Collapse && !holes && f.walBytes(n) {
		e.old = f.j.walBlob(f.d.lastAt, n) // the record's copy of the bytes removed
	}
	e.size = f.size
	f.j.push(e)
	if g != nil {
		g.started, g.gen = true, f.j.gen
	}
	return nil
}

// moveLocked journals and runs INSERT_RANGE or COLLAPSE_RANGE. Callers
// hold busy and mu.
func (f *File) moveLocked(kind byte, off, n int64) error {
	mode, name, after := uint32(unix.FALLOC_FL_INSERT_RANGE), "FALLOC_FL_INSERT_RANGE", f.size+n
	if kind == wal.Collapse {
		mode, name, after = unix.FALLOC_FL_COLLAPSE_RANGE, "FALLOC_FL_COLLAPSE_RANGE", f.size-n
	}
	undo, err := f.shapeRecord(kind, off, n, after, off)
	if err != nil {
		return err
	}
	if err := unix.Fallocate(f.fd, mode, off, n); err != nil {
		undo() // nothing moved
		return f.errf("fallocate(%s) of %d bytes at %#x: %w; nothing was changed", name, n, off, err)
	}
	f.followShape(kind, off, n)
	return nil
}

// sizes returns the size before and after a move entry.
func (e entry) sizes() (before, after int64) {
	switch e.shape {
	case wal.Grow:
		return e.off, e.size
	case wal.Truncate:
		return e.off + e.n, e.size
	case wal.Insert:
		return e.size - e.n, e.size
	}
	return e.size + e.n, e.size // Collapse
}

// shapeName names a shape entry for messages: "insert of 4096 bytes at
// 0x1234".
func shapeName(k byte) string {
	switch k {
	case wal.Grow:
		return "grow"
	case wal.Truncate:
		return "truncate"
	case wal.Insert:
		return "insert"
	case wal.Collapse:
		return "delete"
	case shPunch:
		return "punch"
	case shZero:
		return "zero range"
	}
	return "edit"
}

// applyShape undoes (undo) or redoes the move entry e with the inverse or
// the same shape change, each journaled like the change itself. The file
// must still have the size the change left (undo) or had before it
// (redo), and the bytes the change made or removed must still be there
// (zeros of a grow or an insert; the bytes a truncate or a delete cut):
// else nothing is changed and the error says what could not be undone.
// Callers hold busy and mu.
func (f *File) applyShape(e entry, undo bool) error {
	if err := f.shapeCheck(); err != nil {
		return err
	}
	before, after := e.sizes()
	verb, want, had := "redo", before, "it had before"
	if undo {
		verb, want, had = "undo", after, "it made"
	}
	what := fmt.Sprintf("the %s of %d bytes at %#x", shapeName(e.shape), e.n, e.at)
	if e.shape == wal.Grow || e.shape == wal.Truncate {
		what = fmt.Sprintf("the resize from %d to %d bytes", before, after)
	}
	if f.size != want {
		return f.errf("cannot %s %s: the file is %d bytes, not the %d %s (another writer changed its size); nothing was changed", verb, what, f.size, want, had)
	}
	changed := func(off int64, b blob) error {
		if d, err := f.differs(off, e.n, b); err != nil || d < 0 {
			return err
		} else {
			return f.errf("cannot %s %s: the byte at %#x %s; nothing was changed", verb, what, d, WhyChanged)
		}
	}
	switch {
	case undo && (e.shape == wal.Grow || e.shape == wal.Insert):
		if err := changed(e.off, zeroBlob); err != nil {
			return err
		}
		if e.shape == wal.Grow {
			return f.resizeLocked(e.off)
		}
		return f.moveLocked(wal.Collapse, e.off, e.n)
	case undo:
		if e.shape == wal.Truncate {
			if err := f.resizeLocked(e.off + e.n); err != nil {
				return err
			}
		} else if err := f.moveLocked(wal.Insert, e.off, e.n); err != nil {
			return err
		}
		return f.putBytes(e.off, e.n, e.old)
	case e.shape == wal.Grow:
		return f.resizeLocked(e.size)
	case e.shape == wal.Insert:
		return f.moveLocked(wal.Insert, e.off, e.n)
	}
	if err := changed(e.off, e.old); err != nil {
		return err
	}
	if e.shape == wal.Truncate {
		return f.resizeLocked(e.off)
	}
	return f.moveLocked(wal.Collapse, e.off, e.n)
}

// differs returns the first offset in [off, off+n) whose byte is not the
// blob's, or -1. Holes of the file are zeros and are not read.
func (f *File) differs(off, n int64, b blob) (int64, error) {
	buf, want := make([]byte, min(n, 1<<20)), make([]byte, min(n, 1<<20))
	check := func(a, c int64) (int64, error) {
		for i := int64(0); i < c; {
			k := min(int64(len(buf)), c-i)
			if _, err := f.readAtLocked(buf[:k], a+i); err != nil {
				return 0, err
			}
			if err := f.j.read(b, a+i-off, want[:k]); err != nil {
				return 0, f.errf("%w", err)
			}
			if !bytes.Equal(buf[:k], want[:k]) {
				for x := range k {
					if buf[x] != want[x] {
						return a + i + x, nil
					}
				}
			}
			i += k
		}
		return -1, nil
	}
	if b.kind == kFill && b.b == 0 {
		for _, r := range f.dataRanges(off, off+n, 0, nil) {
			if d, err := check(r.a, r.b-r.a); err != nil || d >= 0 {
				return d, err
			}
		}
		return -1, nil
	}
	// Where the file has a hole and the blob is zeros (a hole of the
	// journal: a truncate of a sparse file), both are zeros: skipped, so
	// a terabyte of hole is not read.
	for i := int64(0); i < n; {
		fz := i // the file's hole from off+i ends at off+fz
		if d, err := unix.Seek(f.fd, off+i, unix.SEEK_DATA); errors.Is(err, unix.ENXIO) {
			fz = n
		} else if err == nil && d > off+i {
			fz = min(d-off, n)
		}
		if bz := f.j.zerosUntil(b, i, n); fz > i && bz > i {
			i = min(fz, bz)
			continue
		}
		c := min(n-i, 1<<20)
		if d, err := check(off+i, c); err != nil || d >= 0 {
			return d, err
		}
		i += c
	}
	return -1, nil
}

// putBytes stores the blob's n bytes at off, a range that reads as zeros
// (a hole just made): runs of zeros are not stored. Each store is
// journaled (durable first).
func (f *File) putBytes(off, n int64, b blob) error {
	const chunk = 64 << 10
	buf := make([]byte, min(n, chunk))
	for i := int64(0); i < n; {
		if z := f.j.zerosUntil(b, i, n); z > i { // zeros: the hole has them
			i = z
			continue
		}
		c := min(int64(len(buf)), n-i)
		if err := f.j.read(b, i, buf[:c]); err != nil {
			return f.errf("%w", err)
		}
		if !bytes.Equal(buf[:c], zeros64k[:c]) {
			p := buf[:c]
			if _, err := f.storeFrom(off+i, c, func(k int64, m int) ([]byte, error) { return p[k:][:min(m, len(p)-int(k))], nil }, -1); err != nil {
				return err
			}
		}
		i += c
	}
	return nil
}

var zeros64k [64 << 10]byte
