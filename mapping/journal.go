package mapping

import (
	"bytes"
	"fmt"
	"os"
	"slices"
)

// spillThreshold is the size above which the journal keeps an edit's bytes
// in an unlinked temporary file instead of RAM.
const spillThreshold = 1 << 20

// maxEditBytes bounds the Old/New byte slices handed out in an Edit.
const maxEditBytes = 64 << 10

// Edit describes one journaled edit (as undone or redone).
type Edit struct {
	Off int64  // file offset
	Len int64  // bytes
	Old []byte // bytes before the edit; nil when Len > 64 KiB
	New []byte // bytes after the edit; nil when Len > 64 KiB
}

// blob holds the bytes of one side of an edit: in memory, in the spill
// file, or a repeated fill byte.
type blob struct {
	mem     []byte
	spilled bool
	soff    int64
	fill    bool
	b       byte
}

type entry struct {
	off, n   int64
	old, new blob
}

type journal struct {
	e       []entry
	pos     int // e[:pos] are applied
	syncPos int // pos at the last sync
	extra   int // edits away from the synced state that are no longer in e
	// lost holds, in order, the entries between the branch point
	// (syncPos) and the synced state that a new edit after undo dropped
	// from e: applying their new bytes after e[:syncPos] gives the synced
	// state again. lostBad is set when a failed Sync left the synced state
	// unknown.
	lost      []entry
	lostBad   bool
	spill     *os.File
	spillEnd  int64
	privPages pageSet // private mode: pages holding private edits
}

func (j *journal) unsynced() int {
	d := j.pos - j.syncPos
	if d < 0 {
		d = -d
	}
	return j.extra + d
}

func (j *journal) synced() { j.syncPos, j.extra, j.lost, j.lostBad = j.pos, 0, nil, false }

func (j *journal) push(e entry) {
	if j.pos < j.syncPos {
		j.extra += j.syncPos - j.pos
		j.lost = append(slices.Clone(j.e[j.pos:j.syncPos]), j.lost...)
		j.syncPos = j.pos
	}
	j.e = append(j.e[:j.pos], e)
	j.pos++
}

func (j *journal) close() {
	if j.spill != nil {
		j.spill.Close()
		j.spill = nil
	}
}

// spillFile returns the journal's unlinked temporary file.
func (j *journal) spillFile() (*os.File, error) {
	if j.spill == nil {
		t, err := os.CreateTemp("", "mmhex-journal-*")
		if err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
		os.Remove(t.Name())
		j.spill = t
	}
	return j.spill, nil
}

// read copies the bytes [i, i+len(buf)) of b into buf.
func (j *journal) read(b blob, i int64, buf []byte) error {
	switch {
	case b.fill:
		for k := range buf {
			buf[k] = b.b
		}
	case b.spilled:
		if _, err := j.spill.ReadAt(buf, b.soff+i); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	default:
		copy(buf, b.mem[i:])
	}
	return nil
}

func (j *journal) public(e entry) Edit {
	ed := Edit{Off: e.off, Len: e.n}
	if e.n <= maxEditBytes {
		ed.Old = make([]byte, e.n)
		ed.New = make([]byte, e.n)
		j.read(e.old, 0, ed.Old)
		j.read(e.new, 0, ed.New)
	}
	return ed
}

// editCheck validates an edit of n bytes at off. Callers hold f.mu.
func (f *File) editCheck(off, n int64) error {
	if f.closed {
		return f.errf("%w", ErrClosed)
	}
	if f.mode == ReadOnly {
		if f.roReason != "" {
			return f.errf("%w (%s)", ErrReadOnly, f.roReason)
		}
		return f.errf("%w", ErrReadOnly)
	}
	if off < 0 || n < 0 {
		return f.errf("%w", ErrOffset)
	}
	if off >= f.size || n > f.size-off {
		return f.errf("edit of %d bytes at %#x: %w (size %d)", n, off, ErrPastEnd, f.size)
	}
	return nil
}

// WriteAt stores p at off through the mapping (no write(2)) as one
// journaled edit. Edits never change the file size; ErrReadOnly in
// read-only mode, ErrPastEnd when p does not fit.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := int64(len(p))
	if err := f.editCheck(off, n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	old, err := f.capture(off, n)
	if err != nil {
		return 0, err
	}
	nb := blob{mem: slices.Clone(p)}
	if n > spillThreshold {
		if nb, err = f.spillBytes(p); err != nil {
			return 0, err
		}
	}
	if err := f.apply(off, n, nb); err != nil {
		return 0, err
	}
	f.j.push(entry{off: off, n: n, old: old, new: nb})
	return len(p), nil
}

// Fill sets n bytes at off to b as one journaled edit. The old bytes of a
// large range go to an unlinked temporary file (holes are skipped), so RAM
// use does not depend on n.
func (f *File) Fill(off, n int64, b byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.editCheck(off, n); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	old, err := f.capture(off, n)
	if err != nil {
		return err
	}
	nb := blob{fill: true, b: b}
	if err := f.apply(off, n, nb); err != nil {
		return err
	}
	f.j.push(entry{off: off, n: n, old: old, new: nb})
	return nil
}

// capture saves the current bytes [off, off+n) for the journal.
func (f *File) capture(off, n int64) (blob, error) {
	if n <= spillThreshold {
		buf := make([]byte, n)
		if _, err := f.readAtLocked(buf, off); err != nil {
			return blob{}, err
		}
		return blob{mem: buf}, nil
	}
	sp, err := f.j.spillFile()
	if err != nil {
		return blob{}, f.errf("%w", err)
	}
	b := blob{spilled: true, soff: f.j.spillEnd}
	f.j.spillEnd += n
	buf := make([]byte, spillThreshold)
	zero := make([]byte, spillThreshold)
	var priv []prange
	if f.mode == Private {
		priv = f.j.privPages.r
	}
	for _, r := range f.dataRanges(off, off+n, 0, priv) {
		for pos := r.a; pos < r.b; {
			c := min(int64(len(buf)), r.b-pos)
			if _, err := f.readAtLocked(buf[:c], pos); err != nil {
				return blob{}, err
			}
			if !bytes.Equal(buf[:c], zero[:c]) { // zeros stay a hole
				if _, err := sp.WriteAt(buf[:c], b.soff+pos-off); err != nil {
					return blob{}, f.errf("journal: %w", err)
				}
			}
			pos += c
		}
	}
	// The tail may be a hole never written: give the file its full length.
	if err := sp.Truncate(f.j.spillEnd); err != nil {
		return blob{}, f.errf("journal: %w", err)
	}
	return b, nil
}

func (f *File) spillBytes(p []byte) (blob, error) {
	sp, err := f.j.spillFile()
	if err != nil {
		return blob{}, f.errf("%w", err)
	}
	b := blob{spilled: true, soff: f.j.spillEnd}
	if _, err := sp.WriteAt(p, b.soff); err != nil {
		return blob{}, f.errf("journal: %w", err)
	}
	f.j.spillEnd += int64(len(p))
	return b, nil
}

// apply stores the bytes of b at [off, off+n) through the mapping, window
// by window, and records the pages as edited.
func (f *File) apply(off, n int64, b blob) error {
	var tmp []byte
	if b.spilled {
		tmp = make([]byte, min(n, spillThreshold))
	}
	for i := int64(0); i < n; {
		pos := off + i
		w, err := f.windowFor(pos)
		if err != nil {
			return err
		}
		dst := w.data[pos-w.off:]
		dst = dst[:min(int64(len(dst)), n-i)]
		if tmp != nil && len(dst) > len(tmp) {
			dst = dst[:len(tmp)]
		}
		ok := true
		switch {
		case b.fill:
			ok = safeFill(dst, b.b)
		case b.spilled:
			if err := f.j.read(b, i, tmp[:len(dst)]); err != nil {
				return f.errf("%w", err)
			}
			_, ok = safeCopy(dst, tmp[:len(dst)])
		default:
			_, ok = safeCopy(dst, b.mem[i:])
		}
		if f.mode == Private {
			if f.kept == nil {
				f.kept = make(map[int64]*window)
			}
			f.kept[w.off] = w
		}
		c := int64(len(dst))
		f.markPages(pos, c)
		if !ok {
			return f.faulted(pos)
		}
		i += c
	}
	return nil
}

func (f *File) markPages(off, n int64) {
	a, b := off/f.page, (off+n+f.page-1)/f.page
	f.unsync.add(a, b)
	if f.mode == Private {
		f.j.privPages.add(a, b)
	}
}

// Undo reverts the last applied edit and returns it. ErrNothingToUndo when
// there is none. When the file shrank, the part of the edit past its end
// is gone with the file; the rest is reverted (so are RevertAll and
// RevertUnsynced).
func (f *File) Undo() (Edit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.undoLocked()
}

func (f *File) undoLocked() (Edit, error) {
	if f.closed {
		return Edit{}, f.errf("%w", ErrClosed)
	}
	if f.j.pos == 0 {
		return Edit{}, f.errf("%w", ErrNothingToUndo)
	}
	e := f.j.e[f.j.pos-1]
	if err := f.restore(e, e.old); err != nil {
		return Edit{}, err
	}
	f.j.pos--
	return f.j.public(e), nil
}

// restore writes b (an entry's old or new bytes) back over e's range, the
// way back to an earlier state (undo, revert). The part of the range past
// the end of a file that shrank is gone with the file and is skipped.
func (f *File) restore(e entry, b blob) error {
	n := min(e.n, f.size-e.off)
	if n <= 0 {
		return nil
	}
	return f.apply(e.off, n, b)
}

// Redo applies the last undone edit again and returns it. ErrNothingToRedo
// when there is none.
func (f *File) Redo() (Edit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return Edit{}, f.errf("%w", ErrClosed)
	}
	if f.j.pos == len(f.j.e) {
		return Edit{}, f.errf("%w", ErrNothingToRedo)
	}
	e := f.j.e[f.j.pos]
	if err := f.checkFits(e); err != nil {
		return Edit{}, err
	}
	if err := f.apply(e.off, e.n, e.new); err != nil {
		return Edit{}, err
	}
	f.j.pos++
	return f.j.public(e), nil
}

func (f *File) checkFits(e entry) error {
	if e.off+e.n > f.size {
		return f.errf("edit at %#x: %w (the file shrank to %d)", e.off, ErrPastEnd, f.size)
	}
	return nil
}

// RevertAll undoes every applied edit since Open and returns how many it
// undid. The restored bytes are edits too: they stay unsynced pages until
// a Sync (with MAP_SHARED they reach the disk by writeback anyway).
func (f *File) RevertAll() (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for f.j.pos > 0 {
		if _, err := f.undoLocked(); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RevertUnsynced puts back the bytes as they were at the last Sync (at
// Open when there was none): it undoes the edits made since, redoes those
// undone since, and re-applies synced edits that a later edit dropped from
// the redo list. Edits that were synced stay. It returns how many edits it
// stepped over. The journal then continues from the synced state. This is
// what "quit and revert the unsynced edits" does; RevertAll goes back to
// the state at Open.
func (f *File) RevertUnsynced() (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, f.errf("%w", ErrClosed)
	}
	if f.j.lostBad {
		return 0, f.errf("%w", ErrSyncStateUnknown)
	}
	n := 0
	for f.j.pos > f.j.syncPos {
		if _, err := f.undoLocked(); err != nil {
			return n, err
		}
		n++
	}
	for f.j.pos < f.j.syncPos {
		e := f.j.e[f.j.pos]
		if err := f.restore(e, e.new); err != nil {
			return n, err
		}
		f.j.pos++
		n++
	}
	for len(f.j.lost) > 0 {
		e := f.j.lost[0]
		if err := f.restore(e, e.new); err != nil {
			return n, err
		}
		f.j.e = append(f.j.e[:f.j.pos], e)
		f.j.pos++
		f.j.syncPos = f.j.pos
		f.j.lost = f.j.lost[1:]
		n++
	}
	f.j.extra = 0
	return n, nil
}

// UnsyncedEdits returns how many edits separate the mapped bytes from the
// state at the last Sync (undo and redo move towards or away from it).
func (f *File) UnsyncedEdits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.j.unsynced()
}

// UnsyncedPages returns the number of pages written since the last Sync.
func (f *File) UnsyncedPages() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int(f.unsync.n)
}

// IsUnsynced reports whether the page holding off was written since the
// last Sync. Cheap: a binary search.
func (f *File) IsUnsynced(off int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsync.has(off / f.page)
}

// UnsyncedPageList returns the file offsets of the pages written since the
// last Sync, in order.
func (f *File) UnsyncedPageList() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]int64, 0, f.unsync.n)
	for _, r := range f.unsync.r {
		for p := r.a; p < r.b; p++ {
			out = append(out, p*f.page)
		}
	}
	return out
}
