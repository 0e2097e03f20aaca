package mapping

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"mmhex/mapping/spanset"
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

	// Restored is how many bytes of the range undo or redo set; the
	// others are in Skipped, with the reason.
	Restored int64
	Skipped  Skips
	// Dropped: nothing could be restored (every byte was changed by
	// another writer, or lies past the end of a file that shrank), so the
	// edit left the journal: it cannot be redone and does not count as
	// an unsynced edit.
	Dropped bool
	// Parts is how many journal entries the undo step held: 1 for an
	// edit, more for a Group (then Off and Len span them all, and Old and
	// New are nil).
	Parts int

	// Shape is set when the step changed the file's shape: wal.Grow,
	// wal.Truncate (a resize), wal.Insert, wal.Collapse (blocks inserted
	// or deleted), 'P' or 'Z' (a punched hole, a zeroed range); 0 for
	// edits. Then Off and Len are the change's (for an insert or delete,
	// Off is where the bytes moved from, ShiftAt), Old and New are nil,
	// and Size is the file's size after the step (SizeBefore: before
	// it). Bytes from ShiftAt on
	// moved by ShiftBy (> 0 up, < 0 down; those in [ShiftAt,
	// ShiftAt-ShiftBy) are gone); 0 for a resize, a punch and a zero.
	Shape            byte
	ShiftAt, ShiftBy int64
	Size, SizeBefore int64
}

// ShapeName names the shape change of a step ("insert", "delete",
// "grow", "truncate", "punch", "zero range"), "" for edits.
func (ed Edit) ShapeName() string {
	if ed.Shape == 0 {
		return ""
	}
	return shapeName(ed.Shape)
}

// WhyChanged is the reason for leaving bytes alone that another writer
// changed since the journal stored them.
const WhyChanged = "changed by another writer since the edit"

func whyPastEnd(size int64) string {
	return fmt.Sprintf("past the end of the file, which shrank to %d bytes", size)
}

// Skip is a byte range that undo, redo or a revert left alone, and why.
type Skip struct {
	Off, Len int64
	Why      string
}

// maxSkipList bounds Skips.List.
const maxSkipList = 8

// Skips are the byte ranges an undo, redo or revert left alone: the first
// few in List, all of them counted in Ranges and Bytes.
type Skips struct {
	List   []Skip
	Ranges int
	Bytes  int64

	end int64 // end of the last range added, to merge the next
	why string
}

func (s *Skips) add(off, n int64, why string) {
	if n <= 0 {
		return
	}
	s.Bytes += n
	if s.Ranges > 0 && off == s.end && why == s.why {
		if k := len(s.List); k == s.Ranges {
			s.List[k-1].Len += n
		}
		s.end += n
		return
	}
	s.Ranges++
	s.end, s.why = off+n, why
	if len(s.List) < maxSkipList {
		s.List = append(s.List, Skip{off, n, why})
	}
}

// addAll adds the ranges of o (those not listed only to the counts).
func (s *Skips) addAll(o Skips) {
	listed := int64(0)
	for _, k := range o.List {
		s.add(k.Off, k.Len, k.Why)
		listed += k.Len
	}
	if more := o.Ranges - len(o.List); more > 0 {
		s.Ranges += more
		s.Bytes += o.Bytes - listed
		s.why = "" // do not merge across the unlisted ones
	}
}

func describeBytes(off, n int64) string {
	if n == 1 {
		return fmt.Sprintf("1 byte at %#x", off)
	}
	return fmt.Sprintf("%d bytes at %#x", n, off)
}

// String says what was left alone and why, in one line ("" when nothing
// was): "left 1 byte at 0x0 alone: changed by another writer since the
// edit".
func (s Skips) String() string {
	switch s.Ranges {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("left %s alone: %s", describeBytes(s.List[0].Off, s.List[0].Len), s.List[0].Why)
	}
	parts := make([]string, 0, len(s.List)+1)
	for _, k := range s.List {
		parts = append(parts, fmt.Sprintf("%s (%s)", describeBytes(k.Off, k.Len), k.Why))
	}
	if more := s.Ranges - len(s.List); more > 0 {
		parts = append(parts, fmt.Sprintf("%d more ranges", more))
	}
	return fmt.Sprintf("left %d bytes in %d ranges alone: %s", s.Bytes, s.Ranges, strings.Join(parts, ", "))
}

// blob holds the bytes of one side of an edit: in the journal's arena, in
// the spill file, in a record of the durable journal, or a repeated fill
// byte.
type blob struct {
	kind uint8
	b    byte   // kFill: the byte
	seg  uint32 // kWal: the durable journal file (journal.segs)
	at   int64  // kArena: offset in the arena; kSpill: in the spill file; kWal: in the journal file
}

const (
	kArena uint8 = iota
	kSpill
	kFill
	kWal
)

// walSeg is a durable journal file whose record payloads kWal blobs name:
// the current one (durable.w), or one a sync detached (its records all
// synced, its name removed) while undo still needed bytes in it. The
// bytes of large edits are written once, to the durable journal, and
// undo reads them back from there (no spill file in shared mode).
type walSeg struct {
	file     *os.File
	refs     int64 // bytes of live blobs in it
	detached bool
	noPunch  bool
}

// sub returns the blob of the bytes from x on.
func (b blob) sub(x int64) blob {
	if b.kind != kFill {
		b.at += x
	}
	return b
}

// entry is one journaled edit: n bytes at off, the bytes before (old) and
// the bytes the edit wrote (new).
type entry struct {
	off, n   int64
	old, new blob
	// join: this entry is one undo step with the entry before it (an
	// edit group, see Group).
	join bool
	// shape: 0 for a store; else the shape change (reshape.go: isMove
	// kinds are undone and redone by the inverse change, punch and zero
	// like a store of zeros). at: where the caller's bytes moved from;
	// size: the file's size after the change.
	shape byte
	// run, when not 0, makes the entry stand for the spans of one batch
	// of Group.WriteSpansFunc, journal.runs[run-1] (off: the first's
	// offset, n: the bytes of all of them; old and new unused). An index,
	// not a pointer: entries hold no pointers (the GC does not scan a
	// journal of a million edits), and it fits in shape's padding.
	run      int32
	at, size int64
}

// spanRun is a batch of k spans of w bytes each (Group.WriteSpansFunc:
// replace all), kept compactly for one entry: their offsets, and their
// bytes before and after side by side in data (span i: the w bytes
// before at data[2wi:], the w after at data[2wi+w:]): 8 bytes plus twice
// the span's length a span, where an entry a span took 72 (and the
// arena's 8) and a journal of a million spans was regrown (copied)
// again and again. Only the
// newest entries are written this way; undo makes a run's spans entries
// of their own (explode) before it undoes any of them, so a run is only
// ever among the applied entries (TestRunsLikeEntries checks it; redo and
// the lost list explode one all the same, should one get there) and
// everything else sees entries as before.
type spanRun struct {
	offs []int64
	w    int64
	data []byte
}

// explode makes the run entry e[i] (if it is one) entries of their own,
// one a span, their bytes in the arena, the first joined as the run was
// and the others joined to it; it returns how many entries e[i] became.
func (j *journal) explode(i int) int {
	r := j.runOf(j.e[i])
	if r == nil {
		return 1
	}
	xs := r.appendEntries(nil, j, j.e[i].join)
	j.dropRun(j.e[i])
	k := len(xs)
	j.e = slices.Replace(j.e, i, i+1, xs...)
	if i < j.pos {
		j.pos += k - 1
	}
	if i < j.syncPos {
		j.syncPos += k - 1
	}
	return k
}

// runOf returns the run of e, nil when e is no run.
func (j *journal) runOf(e entry) *spanRun {
	if e.run == 0 {
		return nil
	}
	return j.runs[e.run-1]
}

// addRun registers r and returns the index an entry names it by.
func (j *journal) addRun(r *spanRun) int32 {
	j.runs = append(j.runs, r)
	return int32(len(j.runs))
}

// dropRun lets the run of e go (its entry left the journal or was
// exploded).
func (j *journal) dropRun(e entry) {
	if e.run == 0 {
		return
	}
	j.runs[e.run-1] = nil
	for k := len(j.runs); k > 0 && j.runs[k-1] == nil; k-- {
		j.runs = j.runs[:k-1]
	}
}

// appendEntries copies the run's bytes to the arena and appends its
// spans to xs as entries, the first with join, the others joined.
func (r *spanRun) appendEntries(xs []entry, j *journal, join bool) []entry {
	at := int64(len(j.arena))
	j.arena = append(j.arena, r.data...)
	for x, off := range r.offs {
		b := at + 2*r.w*int64(x)
		xs = append(xs, entry{off: off, n: r.w, old: blob{kind: kArena, at: b}, new: blob{kind: kArena, at: b + r.w}, join: join || x > 0})
	}
	return xs
}

// explodeStep explodes the runs of the undo step that ends at e[pos-1]
// (back) or starts at e[pos].
func (j *journal) explodeStep(back bool) {
	if back {
		// The step is e[lo:pos]; its runs are made entries in one pass
		// (one run at a time would move the entries after it each time:
		// the step of a replace of 1 Mi matches holds 16 runs).
		lo, grow := j.pos, 0
		for lo > 0 {
			lo--
			if r := j.runOf(j.e[lo]); r != nil {
				grow += len(r.offs) - 1
			}
			if !j.e[lo].join {
				break
			}
		}
		if grow == 0 {
			return
		}
		ne := make([]entry, 0, len(j.e)+grow)
		ne = append(ne, j.e[:lo]...)
		for i, e := range j.e[lo:j.pos] {
			r := j.runOf(e)
			if r == nil {
				ne = append(ne, e)
				continue
			}
			if lo+i < j.syncPos { // synced: the synced point moves up with it (a sync never falls inside a run)
				j.syncPos += len(r.offs) - 1
			}
			ne = r.appendEntries(ne, j, e.join)
			j.dropRun(e)
		}
		ne = append(ne, j.e[j.pos:]...)
		j.e, j.pos = ne, j.pos+grow
		return
	}
	for i := j.pos; i < len(j.e); i++ {
		if i > j.pos && !j.e[i].join {
			return
		}
		i += j.explode(i) - 1
	}
}

// explodeLost explodes the run at the top of lostRev (the next to apply
// again): its spans go there last first, as lostRev holds entries.
func (j *journal) explodeLost() {
	k := len(j.lostRev) - 1
	if k < 0 || j.lostRev[k].run == 0 {
		return
	}
	xs := j.runOf(j.lostRev[k]).appendEntries(nil, j, j.lostRev[k].join)
	j.dropRun(j.lostRev[k])
	slices.Reverse(xs)
	j.lostRev = append(j.lostRev[:k], xs...)
}

type spillHole struct{ off, n int64 }

type journal struct {
	e       []entry
	pos     int // e[:pos] are applied
	syncPos int // pos at the last sync
	extra   int // edits away from the synced state that are no longer in e
	// extraPlaces is extra as unsyncedPlaces counts (an entry a span).
	extraPlaces int
	// placesN is places(syncPos, pos) (either way round) for the state
	// placesKey (countKey: never the zero key); placesWalks counts the
	// walks (TestUnsyncedPlacesCached).
	placesKey   [5]int64
	placesN     int
	placesWalks int
	// lostRev holds, last first, the entries between the branch point
	// (syncPos) and the synced state that a new edit after undo dropped
	// from e: applying their new bytes after e[:syncPos] gives the synced
	// state again. lostBad is set when a failed Sync left the synced state
	// unknown.
	lostRev []entry
	lostBad bool

	// arena holds the bytes of edits up to spillThreshold; garbage counts
	// its bytes no entry refers to any more.
	arena   []byte
	garbage int64

	// segs are the durable journal files kWal blobs name; seg is the
	// current one's id (0: none yet).
	segs    map[uint32]*walSeg
	seg     uint32
	lastSeg uint32

	spill    *os.File
	spillEnd int64
	holes    []spillHole // free parts of the spill file (punched), sorted
	noPunch  bool        // the spill file's filesystem cannot punch holes

	privPages pageSet // private mode: pages holding private edits

	// noBytes: public leaves Old and New out (an entry of an undo step of
	// many entries, whose Edit reports the span, not the bytes).
	noBytes bool

	// runs are the batches run entries name (entry.run).
	runs []*spanRun

	// gen changes whenever an entry is pushed, undone, redone, dropped or
	// split, or the synced state moves: a Group joins its next edit to
	// its last one only while gen is what it left.
	gen uint64
}

// unsynced counts the undo steps between pos and syncPos (an edit group
// is one; a group the synced point cuts counts on both sides).
func (j *journal) unsynced() int {
	return j.extra + j.steps(min(j.pos, j.syncPos), max(j.pos, j.syncPos))
}

// unsyncedPlaces counts the edits between pos and syncPos as mmhex recover
// counts the durable journal's records: the places changed, not the undo
// steps (a replace all of N matches is N, one undo step), the stores of
// one range one after the other (the two hex digits of a byte) once, and
// the parts of one fill once. The count is kept for the journal's state
// (countKey): the status line asks each frame, and a journal of a million
// entries is walked again only when it changed.
func (j *journal) unsyncedPlaces() int {
	if key := j.countKey(); key != j.placesKey {
		j.placesKey, j.placesN = key, j.places(min(j.pos, j.syncPos), max(j.pos, j.syncPos))
		j.placesWalks++
	}
	return j.extraPlaces + j.placesN
}

// countKey is the state places depends on: gen changes with every entry
// pushed, undone, redone, dropped or split and with the synced point; the
// newest entry's run may grow in place (a batch).
func (j *journal) countKey() [5]int64 {
	last := int64(-1)
	if n := len(j.e); n > 0 {
		if r := j.runOf(j.e[n-1]); r != nil {
			last = int64(len(r.offs))
		}
	}
	return [5]int64{int64(j.gen), int64(j.pos), int64(j.syncPos), int64(len(j.e)), last}
}

// places counts the places e[lo:hi] changed, as mapping/recovery groups
// the journal's records: a run entry one a span; a shape change one; a
// store one, unless the entry before it in the range is a store of the
// same range, or both are parts of one fill (the same byte, this one
// starting where that one ended).
func (j *journal) places(lo, hi int) int {
	d := 0
	for i := lo; i < hi; i++ {
		x := j.e[i]
		if r := j.runOf(x); r != nil {
			d += len(r.offs)
			continue
		}
		if i > lo && x.shape == 0 {
			p := j.e[i-1]
			if p.run == 0 && p.shape == 0 && (p.off == x.off && p.n == x.n ||
				p.new.kind == kFill && x.new.kind == kFill && p.new.b == x.new.b && x.off == p.off+p.n) {
				continue
			}
		}
		d++
	}
	return d
}

// steps counts the undo steps among e[lo:hi] (a group cut at lo counts).
func (j *journal) steps(lo, hi int) int {
	d := 0
	for i := lo; i < hi; i++ {
		if !j.e[i].join || i == lo {
			d++
		}
	}
	return d
}

func (j *journal) synced() {
	for _, x := range j.lostRev {
		j.free(x)
	}
	j.syncPos, j.extra, j.extraPlaces, j.lostRev, j.lostBad = j.pos, 0, 0, nil, false
	j.gen++
}

// truncRedo drops the undone entries before a new edit; those between the
// synced state and the branch point are kept in lostRev.
func (j *journal) truncRedo() {
	from := max(j.pos, j.syncPos)
	if j.pos < j.syncPos {
		for i := j.syncPos - 1; i >= j.pos; i-- {
			j.lostRev = append(j.lostRev, j.e[i])
			j.extra++
			j.extraPlaces++
			if r := j.runOf(j.e[i]); r != nil {
				j.extra += len(r.offs) - 1 // an entry a span, as exploded
				j.extraPlaces += len(r.offs) - 1
			}
		}
		j.syncPos = j.pos
	}
	for _, x := range j.e[from:] {
		j.free(x)
	}
	j.e = j.e[:j.pos]
	j.compact()
}

func (j *journal) push(e entry) {
	j.e = append(j.e[:j.pos], e)
	j.pos++
	j.gen++
}

// free releases the bytes of an entry that left the journal.
func (j *journal) free(x entry) {
	if x.run != 0 {
		j.dropRun(x) // its bytes are its own
		return
	}
	j.freeBlob(x.old, x.n)
	j.freeBlob(x.new, x.n)
}

func (j *journal) freeBlob(b blob, n int64) {
	switch b.kind {
	case kArena:
		j.garbage += n
	case kSpill:
		j.spillFree(b.at, n)
	case kWal:
		s := j.segs[b.seg]
		if s == nil {
			return
		}
		s.refs -= n
		if !s.detached {
			return // the current journal: its records stay until a sync retires them
		}
		if s.refs <= 0 {
			s.file.Close()
			delete(j.segs, b.seg)
			return
		}
		if !s.noPunch && n > 0 {
			if unix.Fallocate(int(s.file.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, b.at, n) != nil {
				s.noPunch = true
			}
		}
	}
}

// walBlob is a blob of n bytes at the offset at of the current durable
// journal (a record's payload).
func (j *journal) walBlob(at, n int64) blob {
	j.segs[j.seg].refs += n
	return blob{kind: kWal, seg: j.seg, at: at}
}

// compact copies the arena's live bytes to a new arena once most of it is
// garbage, so that undone and replaced edits do not hold memory.
func (j *journal) compact() {
	if j.garbage < 1<<20 || 2*j.garbage < int64(len(j.arena)) {
		return
	}
	na := make([]byte, 0, int64(len(j.arena))-j.garbage)
	move := func(x *entry) {
		if x.run != 0 {
			return
		}
		for _, b := range []*blob{&x.old, &x.new} {
			if b.kind == kArena {
				at := int64(len(na))
				na = append(na, j.arena[b.at:b.at+x.n]...)
				b.at = at
			}
		}
	}
	for i := range j.e {
		move(&j.e[i])
	}
	for i := range j.lostRev {
		move(&j.lostRev[i])
	}
	j.arena, j.garbage = na, 0
}

// drop removes e[i] from the journal; the entry after it heads its
// group when e[i] did.
func (j *journal) drop(i int) {
	j.free(j.e[i])
	if !j.e[i].join && i+1 < len(j.e) {
		j.e[i+1].join = false
	}
	j.gen++
	j.e = slices.Delete(j.e, i, i+1)
	if i < j.pos {
		j.pos--
	}
	if i < j.syncPos {
		j.syncPos--
	}
}

// split cuts e[i] at x bytes into two entries, the head first; both are
// applied (or synced) when e[i] was.
func (j *journal) split(i int, x int64) {
	e := j.e[i]
	head := entry{off: e.off, n: x, old: e.old, new: e.new, join: e.join}
	tail := entry{off: e.off + x, n: e.n - x, old: e.old.sub(x), new: e.new.sub(x), join: true}
	j.gen++
	j.e[i] = head
	j.e = slices.Insert(j.e, i+1, tail)
	if i < j.pos {
		j.pos++
	}
	if i < j.syncPos {
		j.syncPos++
	}
}

func (j *journal) close() {
	if j.spill != nil {
		j.spill.Close()
		j.spill = nil
	}
	for id, s := range j.segs {
		if s.detached {
			s.file.Close()
		}
		delete(j.segs, id)
	}
}

// spillFile returns the journal's unlinked temporary file.
func (j *journal) spillFile() (*os.File, error) {
	if j.spill == nil {
		t, err := os.CreateTemp(SpillDir(), "mmhex-journal-*")
		if err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
		os.Remove(t.Name())
		j.spill = t
	}
	return j.spill, nil
}

// spillAlloc returns the offset of n free bytes (reading as zeros) in the
// spill file: a freed part when one is large enough, else the end.
func (j *journal) spillAlloc(n int64) (int64, error) {
	sp, err := j.spillFile()
	if err != nil {
		return 0, err
	}
	for i, h := range j.holes {
		if h.n >= n {
			if h.n == n {
				j.holes = slices.Delete(j.holes, i, i+1)
			} else {
				j.holes[i] = spillHole{h.off + n, h.n - n}
			}
			return h.off, nil
		}
	}
	off := j.spillEnd
	if err := sp.Truncate(off + n); err != nil {
		return 0, fmt.Errorf("journal: %w", err)
	}
	j.spillEnd += n
	return off, nil
}

// spillFree gives n bytes at off back: their blocks are released (punched)
// and the space is reused; the end of the file is cut off.
func (j *journal) spillFree(off, n int64) {
	if n <= 0 || j.spill == nil || j.noPunch {
		return
	}
	fd := int(j.spill.Fd())
	if err := unix.Fallocate(fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n); err != nil {
		j.noPunch = true // the bytes stay: reusing them would need zeroing
		return
	}
	i, _ := slices.BinarySearchFunc(j.holes, off, func(h spillHole, o int64) int {
		switch {
		case h.off < o:
			return -1
		case h.off > o:
			return 1
		}
		return 0
	})
	j.holes = slices.Insert(j.holes, i, spillHole{off, n})
	if i+1 < len(j.holes) && j.holes[i].off+j.holes[i].n == j.holes[i+1].off {
		j.holes[i].n += j.holes[i+1].n
		j.holes = slices.Delete(j.holes, i+1, i+2)
	}
	if i > 0 && j.holes[i-1].off+j.holes[i-1].n == j.holes[i].off {
		j.holes[i-1].n += j.holes[i].n
		j.holes = slices.Delete(j.holes, i, i+1)
	}
	if last := j.holes[len(j.holes)-1]; last.off+last.n == j.spillEnd {
		if j.spill.Truncate(last.off) == nil {
			j.spillEnd = last.off
			j.holes = j.holes[:len(j.holes)-1]
		}
	}
}

// read copies the bytes [i, i+len(buf)) of b into buf.
func (j *journal) read(b blob, i int64, buf []byte) error {
	switch b.kind {
	case kFill:
		for k := range buf {
			buf[k] = b.b
		}
	case kSpill:
		if _, err := j.spill.ReadAt(buf, b.at+i); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	case kWal:
		s := j.segs[b.seg]
		if s == nil {
			return errors.New("journal: the durable journal holding the bytes is closed")
		}
		if _, err := s.file.ReadAt(buf, b.at+i); err != nil {
			return fmt.Errorf("journal %s: %w", s.file.Name(), err)
		}
	default:
		copy(buf, j.arena[b.at+i:])
	}
	return nil
}

// zerosUntil is where, from i on, the n bytes of b may be other than
// zeros: n for a fill of zeros; for bytes in the durable journal, the
// end of the journal's hole at i (a truncate of a sparse file keeps its
// holes as holes there); i when there is data at i or it cannot tell.
func (j *journal) zerosUntil(b blob, i, n int64) int64 {
	switch b.kind {
	case kFill:
		if b.b == 0 {
			return n
		}
	case kWal:
		if s := j.segs[b.seg]; s != nil {
			d, err := unix.Seek(int(s.file.Fd()), b.at+i, unix.SEEK_DATA)
			switch {
			case errors.Is(err, unix.ENXIO):
				return n
			case err == nil && d > b.at+i:
				return min(d-b.at, n)
			}
		}
	}
	return i
}

// source returns a function that hands out the bytes of b from i on, at
// most max of them (at least one).
func (j *journal) source(b blob, n int64) func(i int64, max int) ([]byte, error) {
	switch b.kind {
	case kFill:
		pat := bytes.Repeat([]byte{b.b}, int(min(n, 64<<10)))
		return func(i int64, m int) ([]byte, error) { return pat[:min(m, len(pat))], nil }
	case kSpill, kWal:
		tmp := make([]byte, min(n, spillThreshold))
		return func(i int64, m int) ([]byte, error) {
			c := tmp[:min(m, len(tmp), int(n-i))]
			return c, j.read(b, i, c)
		}
	}
	return func(i int64, m int) ([]byte, error) {
		return j.arena[b.at+i : b.at+i+min(int64(m), n-i)], nil
	}
}

func (j *journal) public(e entry) Edit {
	ed := Edit{Off: e.off, Len: e.n, Shape: e.shape}
	if e.shape != 0 {
		ed.Off = e.at
		return ed
	}
	if e.n <= maxEditBytes && !j.noBytes {
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
		return f.readOnlyErr("")
	}
	if off < 0 || n < 0 {
		return f.errf("%w", ErrOffset)
	}
	if off >= f.size || n > f.size-off {
		return f.errf("edit of %d bytes at %#x: %w (size %d)", n, off, ErrPastEnd, f.size)
	}
	return nil
}

// readOnlyErr is the error of an edit in a file open read-only, with the
// reason it is (ErrReadOnly): "f: file is read-only (cannot open for
// writing: permission denied)" and then tail.
func (f *File) readOnlyErr(tail string) error {
	if f.roReason != "" {
		return f.errf("%w (%s)%s", ErrReadOnly, f.roReason, tail)
	}
	return f.errf("%w%s", ErrReadOnly, tail)
}

// Writable is nil when edits and shape changes can reach the file (it is
// mapped shared and writable), else the error they would return, naming
// the file and why: read-only (and the reason it was opened so) or
// private. Commands check it before anything else.
func (f *File) Writable() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.closed:
		return f.errf("%w", ErrClosed)
	case f.mode == ReadOnly:
		return f.readOnlyErr("; nothing was changed")
	case f.mode == Private:
		return f.errf("%w", ErrPrivate)
	}
	return nil
}

// WriteAt stores p at off through the mapping (no write(2)) as one
// journaled edit. Edits never change the file size; ErrReadOnly in
// read-only mode, ErrPastEnd when p does not fit. A store that faults
// part-way (the file shrank, or a hole found no space on the filesystem)
// returns the bytes stored and the error, and the journal holds the
// stored part: undo puts it back.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	f.lockEdit()
	defer f.mu.Unlock()
	return f.writeAtLocked(p, off, nil)
}

// Group gathers edits into one undo step (replace all: one undo puts
// back every match). Start one with File.Group; each WriteAt through it
// is a journaled edit as File.WriteAt makes, joined to the group's
// previous edit as long as nothing came between in the journal (another
// edit, an undo or redo, a sync): then it starts a new step. The file's
// mutex is let go between two WriteAt calls, so reads go on meanwhile.
// A Group needs no closing; it is not safe for concurrent use.
type Group struct {
	f       *File
	gen     uint64
	started bool
}

// Group returns a new, empty edit group on f.
func (f *File) Group() *Group { return &Group{f: f} }

// WriteAt stores p at off as File.WriteAt does, in the group's undo step.
func (g *Group) WriteAt(p []byte, off int64) (int, error) {
	g.f.lockEdit()
	defer g.f.mu.Unlock()
	return g.f.writeAtLocked(p, off, g)
}

// Fill sets n bytes at off to b as File.Fill does, in the group's undo
// step.
func (g *Group) Fill(off, n int64, b byte) error {
	g.f.lockEdit()
	defer g.f.mu.Unlock()
	_, err := g.f.fillLocked(off, n, b, g)
	return err
}

// walBytes: an edit of n bytes keeps its bytes in the durable journal's
// record rather than in the spill file (shared mode, over
// spillThreshold, and not in a batch of records whose places are not
// known one by one). Callers hold f.mu.
func (f *File) walBytes(n int64) bool {
	return f.mode == Shared && n > spillThreshold && !f.d.batch && !f.d.ahead
}

func (f *File) writeAtLocked(p []byte, off int64, g *Group) (int, error) {
	n := int64(len(p))
	if err := f.editCheck(off, n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	join := g != nil && g.started && g.gen == f.j.gen
	f.j.truncRedo()
	if f.walBytes(n) {
		// Both sides are in the durable journal's record: undo and
		// redo read them back from there.
		src := func(i int64, m int) ([]byte, error) { return p[i:][:min(int64(m), n-i)], nil }
		done, err := f.storeFrom(off, n, src, -1)
		if f.d.lastAt >= 0 {
			f.journalStore(entry{off: off, n: n, old: f.j.walBlob(f.d.lastAt, n), new: f.j.walBlob(f.d.lastAt+n, n), join: join}, done)
		}
		if g != nil && done > 0 {
			g.started, g.gen = true, f.j.gen
		}
		return int(done), err
	}
	old, err := f.capture(off, n)
	if err != nil {
		return 0, err
	}
	var nb blob
	if n > spillThreshold {
		if nb, err = f.spillBytes(p); err != nil {
			f.j.freeBlob(old, n)
			return 0, err
		}
	} else {
		nb = blob{kind: kArena, at: int64(len(f.j.arena))}
		f.j.arena = append(f.j.arena, p...)
	}
	done, err := f.storeFrom(off, n, f.j.source(nb, n), fillOf(nb))
	f.journalStore(entry{off: off, n: n, old: old, new: nb, join: join}, done)
	if g != nil && done > 0 {
		g.started, g.gen = true, f.j.gen
	}
	return int(done), err
}

// Span is bytes to store at an offset (WriteSpans).
type Span struct {
	Off  int64
	Data []byte
}

// WriteSpans stores each span at its offset through the mapping, as
// WriteAt does, all of them one undo step, with one fdatasync of the
// durable journal for them all: the bytes every span replaces are on disk
// before the first of them is stored (WriteAt called for each would take
// one fdatasync a span). This is how a writer of many places at once
// (replace all, a patch, a recovery) stays fast. The spans must be in
// increasing order of offset and must not overlap; a span past the end is
// refused before anything is stored. It returns how many spans were stored
// whole (an empty span counts as stored): after a fault part-way (the file
// shrank, a hole found no space) the spans before are stored and
// journaled, as is the part stored of the span that faulted.
func (f *File) WriteSpans(spans []Span) (int, error) { return f.Group().WriteSpans(spans) }

// WriteSpans is File.WriteSpans in the group's undo step.
func (g *Group) WriteSpans(spans []Span) (int, error) {
	g.f.lockEdit()
	defer g.f.mu.Unlock()
	stored, _, err := g.f.writeSpansLocked(g, len(spans), func(i int) (int64, []byte) { return spans[i].Off, spans[i].Data }, 0, nil)
	return stored, err
}

// MaxSpanFunc bounds the length of the spans WriteSpansFunc stores.
const MaxSpanFunc = 32 << 10

// WriteSpansFunc stores n bytes (at most MaxSpanFunc) at each offset of
// offs, in increasing order and not overlapping, as WriteSpans does (one
// undo step, in the group's, one fdatasync), making the bytes under the
// file's mutex from the bytes there: fill(i, old, dst) sets dst from old,
// the n bytes at offs[i] now, and returns false to leave them alone. The
// bytes of each place are read once, and old and dst are valid during
// the call only. It returns how many places were stored whole and how
// many fill left alone; after a fault part-way, as WriteSpans.
func (g *Group) WriteSpansFunc(offs []int64, n int, fill func(i int, old, dst []byte) bool) (stored, left int, err error) {
	g.f.lockEdit()
	defer g.f.mu.Unlock()
	if n > MaxSpanFunc {
		return 0, 0, g.f.errf("spans of %d bytes: at most %d bytes a span; nothing was stored", n, MaxSpanFunc)
	}
	return g.f.writeSpansLocked(g, len(offs), func(i int) (int64, []byte) { return offs[i], nil }, int64(n), fill)
}

// pendingSpan is a span of a batch journaled and not yet stored.
type pendingSpan struct {
	i        int // its index in the caller's list
	off, n   int64
	old, new blob
}

// writeSpansLocked is WriteSpans (mk nil: the k spans' bytes from at) and
// WriteSpansFunc (mk not nil: k spans of n bytes at the offsets from at).
// First, span after span, it reads the bytes there into the journal (for
// a small span once: the durable journal's record is made from the same
// copy) and adds the durable journal's record to one batch; then the batch
// is written and made durable with one fdatasync; then the spans are
// stored.
func (f *File) writeSpansLocked(g *Group, k int, at func(i int) (int64, []byte), n int64, mk func(i int, old, dst []byte) bool) (stored, left int, err error) {
	size := func(d []byte) int64 {
		if mk != nil {
			return n
		}
		return int64(len(d))
	}
	end := int64(-1)
	for i := 0; i < k; i++ {
		off, d := at(i)
		sn := size(d)
		if err := f.editCheck(off, sn); err != nil {
			return 0, 0, err
		}
		if off < end {
			return 0, 0, f.errf("spans to store at %#x and %#x overlap or are out of order; nothing was stored", end-1, off)
		}
		end = off + sn
	}
	if k == 0 {
		return 0, 0, nil
	}
	join := g.started && g.gen == f.j.gen
	f.j.truncRedo()
	var b *walBatchRun
	if f.mode == Shared {
		if b, err = f.walBatch(); err != nil {
			return 0, 0, err
		}
	}
	f.prefault(k, func(i int) (int64, int64) { off, d := at(i); return off, size(d) })
	if mk != nil {
		return f.writeRunLocked(g, k, at, n, mk, join, b)
	}
	var todo []pendingSpan
	fail := func(err error) (int, int, error) {
		for _, t := range todo {
			f.j.free(entry{n: t.n, old: t.old, new: t.new})
		}
		if b != nil {
			err = b.end(err)
		}
		return 0, left, err
	}
	for i := 0; i < k; i++ {
		off, d := at(i)
		sn := size(d)
		if sn == 0 {
			continue
		}
		if sn > MaxSpanFunc { // (WriteSpans only) journaled as it is read
			if b != nil {
				if err := f.logStore(off, sn, bytesSource(d), -1); err != nil {
					return fail(err)
				}
			}
			old, err := f.capture(off, sn)
			if err != nil {
				return fail(err)
			}
			var nb blob
			if sn > spillThreshold {
				if nb, err = f.spillBytes(d); err != nil {
					f.j.freeBlob(old, sn)
					return fail(err)
				}
			} else {
				nb = blob{kind: kArena, at: int64(len(f.j.arena))}
				f.j.arena = append(f.j.arena, d...)
			}
			todo = append(todo, pendingSpan{i: i, off: off, n: sn, old: old, new: nb})
			continue
		}
		old, err := f.capture(off, sn)
		if err != nil {
			return fail(err)
		}
		nat := int64(len(f.j.arena))
		if mk != nil {
			f.j.arena = slices.Grow(f.j.arena, int(sn))[:nat+sn]
			if !mk(i, f.j.arena[old.at:nat], f.j.arena[nat:]) {
				f.j.arena = f.j.arena[:old.at]
				left++
				continue
			}
		} else {
			f.j.arena = append(f.j.arena, d...)
		}
		if b != nil {
			if err := f.logAppend(off, f.j.arena[old.at:nat], f.j.arena[nat:nat+sn]); err != nil {
				f.j.arena = f.j.arena[:old.at]
				return fail(err)
			}
		}
		todo = append(todo, pendingSpan{i: i, off: off, n: sn, old: old, new: blob{kind: kArena, at: nat}})
	}
	if b != nil {
		if err := b.end(nil); err != nil {
			b = nil
			return fail(err)
		}
	}
	f.d.ahead = true
	defer func() { f.d.ahead = false }()
	for x, t := range todo {
		done, err := f.storeFrom(t.off, t.n, f.j.source(t.new, t.n), -1)
		f.journalStore(entry{off: t.off, n: t.n, old: t.old, new: t.new, join: join}, done)
		if done > 0 {
			join = true
			g.started, g.gen = true, f.j.gen
		}
		if err != nil {
			for _, r := range todo[x+1:] {
				f.j.free(entry{n: r.n, old: r.old, new: r.new})
			}
			if mk != nil {
				return x, left, err
			}
			return t.i, left, err
		}
	}
	if mk != nil {
		return len(todo), left, nil
	}
	return k, left, nil
}

// writeRunLocked is writeSpansLocked for WriteSpansFunc (k spans of n
// bytes, made by mk; join, b and the prefault as writeSpansLocked set
// them): the spans stored are journaled as one entry, a spanRun, that
// holds their offsets and bytes compactly; the bytes of each place are
// read once, into the run, and its durable record is made from there.
func (f *File) writeRunLocked(g *Group, k int, at func(i int) (int64, []byte), n int64, mk func(i int, old, dst []byte) bool, join bool, b *walBatchRun) (stored, left int, err error) {
	if n == 0 { // nothing to store (as writeSpansLocked skips an empty span)
		if b != nil {
			return 0, 0, b.end(nil)
		}
		return 0, 0, nil
	}
	r := &spanRun{w: n, offs: make([]int64, 0, k), data: make([]byte, 0, 2*n*int64(k))}
	for i := 0; i < k; i++ {
		off, _ := at(i)
		x := int64(len(r.data))
		r.data = r.data[:x+2*n]
		old, nw := r.data[x:x+n], r.data[x+n:]
		if err := f.readOld(old, off); err != nil {
			if b != nil {
				err = b.end(err)
			}
			return 0, left, err
		}
		if !mk(i, old, nw) {
			r.data = r.data[:x]
			left++
			continue
		}
		if b != nil {
			if err := f.logAppend(off, old, nw); err != nil {
				return 0, left, b.end(err)
			}
		}
		r.offs = append(r.offs, off)
	}
	if b != nil {
		if err := b.end(nil); err != nil {
			return 0, left, err
		}
	}
	f.d.ahead = true
	defer func() { f.d.ahead = false }()
	var src []byte
	source := func(i int64, mx int) ([]byte, error) { return src[i:][:min(int64(mx), n-i)], nil }
	for x, off := range r.offs {
		src = r.data[2*n*int64(x)+n:][:n]
		done, err := f.storeFrom(off, n, source, -1)
		if err == nil {
			continue
		}
		// The spans before x are stored whole, done bytes of span x.
		if join = f.pushRun(g, r, x, join); done > 0 {
			e := entry{off: off, n: n, old: blob{kind: kArena, at: int64(len(f.j.arena))}, new: blob{kind: kArena, at: int64(len(f.j.arena)) + n}, join: join}
			f.j.arena = append(f.j.arena, r.data[2*n*int64(x):][:2*n]...)
			f.journalStore(e, done)
			g.started, g.gen = true, f.j.gen
		}
		return x, left, err
	}
	f.pushRun(g, r, len(r.offs), join)
	return len(r.offs), left, nil
}

// pushRun journals the first x spans of r (stored) as one entry (none
// when x is 0), joined to the entry before when join; it returns whether
// the next entry joins it (the group's step goes on).
func (f *File) pushRun(g *Group, r *spanRun, x int, join bool) bool {
	if x == 0 {
		return join
	}
	r.offs, r.data = r.offs[:x], r.data[:2*r.w*int64(x)]
	if 2*len(r.offs) < cap(r.offs) { // most were left alone: keep no slack
		r.offs, r.data = slices.Clip(slices.Clone(r.offs)), slices.Clip(slices.Clone(r.data))
	}
	f.j.push(entry{off: r.offs[0], n: r.w * int64(x), join: join, run: f.j.addRun(r)})
	g.started, g.gen = true, f.j.gen
	return true
}

// prefault makes the pages of the k spans (from at; in increasing order
// of offset, else fewer of them) present and writable before a batch
// reads and stores them (it never touches a page no span holds): one
// madvise(MADV_POPULATE_WRITE) a run of pages in place of a read fault
// and then a write fault a page (a replace all of 1 M matches: half a
// million faults less). It changes no byte; a page it made dirty and no
// store changed is written back as it was. Errors (an old kernel, a hole
// on a full filesystem) are left to the stores, which meet them as
// before. Shared mode only (in private mode it would copy pages no store
// may change).
func (f *File) prefault(k int, at func(i int) (off, n int64)) {
	if f.mode != Shared || k < 2 {
		return
	}
	pg := f.page
	a, b := int64(-1), int64(-1) // the run of pages [a, b) gathered
	run := func() {
		for pos := a; pos < b; {
			w, err := f.windowFor(pos)
			if err != nil {
				return
			}
			end := min(b, w.end())
			unix.Madvise(w.data[pos-w.off:end-w.off], unix.MADV_POPULATE_WRITE)
			pos = end
		}
	}
	for i := 0; i < k; i++ {
		off, n := at(i)
		if n <= 0 {
			continue
		}
		pa, pb := off/pg*pg, min((off+n+pg-1)/pg*pg, f.size)
		if pa > b {
			if b > a {
				run()
			}
			a = pa
		}
		b = max(b, pb)
	}
	if b > a {
		run()
	}
}

// bytesSource hands out p as storeFrom and logStore take their bytes.
func bytesSource(p []byte) func(i int64, max int) ([]byte, error) {
	return func(i int64, mx int) ([]byte, error) { return p[i:][:min(mx, len(p)-int(i))], nil }
}

// Fill sets n bytes at off to b as one journaled edit. The old bytes of a
// large range go to an unlinked temporary file (holes are skipped), so RAM
// use does not depend on n. Like WriteAt, a fill that faults part-way
// journals the part it stored.
func (f *File) Fill(off, n int64, b byte) error {
	f.lockEdit()
	defer f.mu.Unlock()
	_, err := f.fillLocked(off, n, b, nil)
	return err
}

// fillLocked is Fill (in g's step when g is not nil); it returns the
// bytes stored.
func (f *File) fillLocked(off, n int64, b byte, g *Group) (int64, error) {
	if err := f.editCheck(off, n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	join := g != nil && g.started && g.gen == f.j.gen
	f.j.truncRedo()
	nb := blob{kind: kFill, b: b}
	var done int64
	var err error
	if f.walBytes(n) {
		// The old bytes are written once, to the durable journal's
		// record; undo reads them back from there.
		done, err = f.storeFrom(off, n, f.j.source(nb, n), fillOf(nb))
		if f.d.lastAt >= 0 {
			f.journalStore(entry{off: off, n: n, old: f.j.walBlob(f.d.lastAt, n), new: nb, join: join}, done)
		}
	} else {
		old, cerr := f.capture(off, n)
		if cerr != nil {
			return 0, cerr
		}
		done, err = f.storeFrom(off, n, f.j.source(nb, n), fillOf(nb))
		f.journalStore(entry{off: off, n: n, old: old, new: nb, join: join}, done)
	}
	if g != nil && done > 0 {
		g.started, g.gen = true, f.j.gen
	}
	return done, err
}

// fillChunk is how much FillContext stores per hold of the mutex.
const fillChunk = 4 << 20

// FillContext is Fill in parts of a few MiB, with the file's mutex let go
// between them: reads (a frame of the grid, a search) go on while a large
// fill runs. progress, when not nil, is called after each part with the
// bytes filled so far. When ctx is cancelled between parts the fill stops
// there and returns ctx's error. However it ends, the bytes stored are one
// journaled edit (one undo puts them back), or more when another edit or
// a sync came between two parts; it returns how many bytes from off it
// filled.
func (f *File) FillContext(ctx context.Context, off, n int64, b byte, progress func(done int64)) (int64, error) {
	if n <= fillChunk {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := f.Fill(off, n, b); err != nil {
			return 0, err
		}
		if progress != nil {
			progress(n)
		}
		return n, nil
	}
	f.lockEdit()
	if err := f.editCheck(off, n); err != nil {
		f.mu.Unlock()
		return 0, err
	}
	var so int64
	var err error
	wal := f.mode == Shared // the old bytes go to the durable journal only: one Group step of parts
	if !wal {
		so, err = f.j.spillAlloc(n)
	}
	f.mu.Unlock()
	if err != nil {
		return 0, f.errf("%w", err)
	}
	grp := f.Group()
	nb := blob{kind: kFill, b: b}
	buf, zero := make([]byte, spillThreshold), make([]byte, spillThreshold)
	k := -1 // the journal index of the entry this fill grows
	var done int64
	part := func() error {
		f.lockEdit()
		defer f.mu.Unlock()
		c := min(int64(fillChunk), n-done)
		pos := off + done
		if err := f.editCheck(pos, c); err != nil {
			if done > 0 && errors.Is(err, ErrPastEnd) {
				// Shrunk between two parts: say so as a store that
				// faulted on the shrunk file does.
				return f.errf("at %#x: %w to %d bytes", pos, ErrShrank, f.size)
			}
			return err
		}
		if wal {
			stored, err := f.fillLocked(pos, c, b, grp)
			done += stored
			return err
		}
		f.j.truncRedo()
		old := blob{kind: kSpill, at: so + done}
		if err := f.captureSpill(old.at, pos, c, buf, zero); err != nil {
			return err
		}
		stored, err := f.storeFrom(pos, c, f.j.source(nb, c), fillOf(nb))
		j := &f.j
		if stored > 0 {
			if k >= 0 && k == j.pos-1 && j.pos == len(j.e) && j.pos > j.syncPos && j.e[k].shape == 0 && j.e[k].run == 0 &&
				j.e[k].off+j.e[k].n == pos && j.e[k].old.kind == kSpill && j.e[k].old.at+j.e[k].n == old.at {
				j.e[k].n += stored // nothing came between: the same edit
			} else {
				j.push(entry{off: pos, n: stored, old: old, new: nb})
				k = j.pos - 1
			}
		}
		done += stored
		return err
	}
	for done < n {
		if err = ctx.Err(); err != nil {
			break
		}
		if err = part(); err != nil {
			break
		}
		if progress != nil {
			progress(done)
		}
	}
	if !wal {
		f.lockEdit()
		f.j.spillFree(so+done, n-done)
		f.mu.Unlock()
	}
	return done, err
}

// Amend stores p at off, where the bytes must still be expect (what the
// caller last saw there): when they are not, nothing is stored and the
// error wraps ErrChanged. When the newest edit is applied, unsynced and
// covers exactly [off, off+len(p)), p becomes part of it (one undo puts
// back the bytes from before both); else it is a new edit, as WriteAt.
// This is the second hex digit of a byte: one store computed from the
// byte the user saw, never an undo and a store.
func (f *File) Amend(p []byte, off int64, expect []byte) error {
	f.lockEdit()
	defer f.mu.Unlock()
	n := int64(len(p))
	if err := f.editCheck(off, n); err != nil {
		return err
	}
	if n == 0 || len(expect) != len(p) {
		return nil
	}
	cur := make([]byte, n)
	if _, err := f.readAtLocked(cur, off); err != nil {
		return err
	}
	if !bytes.Equal(cur, expect) {
		return f.errf("%s: %w (% x, not % x)", describeBytes(off, n), ErrChanged, cur, expect)
	}
	j := &f.j
	if k := j.pos - 1; k >= 0 && j.pos == len(j.e) && j.pos > j.syncPos && j.e[k].shape == 0 && j.e[k].run == 0 && j.e[k].off == off && j.e[k].n == n && n <= spillThreshold {
		nb := blob{kind: kArena, at: int64(len(j.arena))}
		j.arena = append(j.arena, p...)
		done, err := f.storeFrom(off, n, j.source(nb, n), -1)
		if done == n {
			j.freeBlob(j.e[k].new, n)
			j.e[k].new = nb
			return err
		}
		// Part of it faulted: a new edit of the part stored.
		j.freeBlob(nb.sub(done), n-done)
		if done > 0 {
			ob := blob{kind: kArena, at: int64(len(j.arena))}
			j.arena = append(j.arena, cur[:done]...)
			j.push(entry{off: off, n: done, old: ob, new: nb})
		}
		return err
	}
	j.truncRedo()
	old := blob{kind: kArena, at: int64(len(j.arena))}
	j.arena = append(j.arena, cur...)
	nb := blob{kind: kArena, at: int64(len(j.arena))}
	j.arena = append(j.arena, p...)
	done, err := f.storeFrom(off, n, j.source(nb, n), -1)
	f.journalStore(entry{off: off, n: n, old: old, new: nb}, done)
	return err
}

// journalStore pushes the first done bytes of e (all that a store
// reached) and frees the bytes of the rest.
func (f *File) journalStore(e entry, done int64) {
	if done < e.n {
		f.j.freeBlob(e.old.sub(done), e.n-done)
		f.j.freeBlob(e.new.sub(done), e.n-done)
		e.n = done
	}
	if done > 0 {
		f.j.push(e)
	}
}

// capture saves the current bytes [off, off+n) for the journal.
func (f *File) capture(off, n int64) (blob, error) {
	if n <= spillThreshold {
		at := len(f.j.arena)
		f.j.arena = slices.Grow(f.j.arena, int(n))[:at+int(n)]
		buf := f.j.arena[at:]
		_, err := f.readAtLocked(buf, off)
		if err != nil && errors.Is(err, ErrFault) && !errors.Is(err, ErrShrank) {
			// Reading a hole through a shared mapping allocates a page on
			// some filesystems (tmpfs), which fails when it is full: read
			// only the parts that hold data, the holes are zeros.
			clear(buf)
			err = nil
			for _, r := range f.dataRanges(off, off+n, 0, nil) {
				if _, err = f.readAtLocked(buf[r.a-off:r.b-off], r.a); err != nil {
					break
				}
			}
		}
		if err != nil {
			f.j.arena = f.j.arena[:at]
			return blob{}, err
		}
		return blob{kind: kArena, at: int64(at)}, nil
	}
	so, err := f.j.spillAlloc(n)
	if err != nil {
		return blob{}, f.errf("%w", err)
	}
	if err := f.captureSpill(so, off, n, nil, nil); err != nil {
		f.j.spillFree(so, n)
		return blob{}, err
	}
	return blob{kind: kSpill, at: so}, nil
}

// captureSpill saves the current bytes [off, off+n) into the spill file at
// so (allocated by the caller, reading as zeros: zeros stay a hole). buf
// and zero are scratch of the same length, zero all zeros; nil makes them.
func (f *File) captureSpill(so, off, n int64, buf, zero []byte) error {
	if buf == nil {
		buf, zero = make([]byte, spillThreshold), make([]byte, spillThreshold)
	}
	var priv []prange
	if f.mode == Private {
		priv = f.j.privPages.ranges()
	}
	for _, r := range f.dataRanges(off, off+n, 0, priv) {
		for pos := r.a; pos < r.b; {
			c := min(int64(len(buf)), r.b-pos)
			if _, err := f.readAtLocked(buf[:c], pos); err != nil {
				return err
			}
			if !bytes.Equal(buf[:c], zero[:c]) { // zeros stay a hole
				if _, err := f.j.spill.WriteAt(buf[:c], so+pos-off); err != nil {
					return f.errf("journal: %w", err)
				}
			}
			pos += c
		}
	}
	return nil
}

func (f *File) spillBytes(p []byte) (blob, error) {
	so, err := f.j.spillAlloc(int64(len(p)))
	if err != nil {
		return blob{}, f.errf("%w", err)
	}
	if _, err := f.j.spill.WriteAt(p, so); err != nil {
		f.j.spillFree(so, int64(len(p)))
		return blob{}, f.errf("journal: %w", err)
	}
	return blob{kind: kSpill, at: so}, nil
}

// fillOf is the byte a fill blob stores, or -1.
func fillOf(b blob) int {
	if b.kind == kFill {
		return int(b.b)
	}
	return -1
}

// storeFrom stores n bytes at off through the mapping, window by window
// and a page at a time, taking them from src, and records the pages as
// edited; the durable journal has the bytes it replaces first (fill: the
// byte src hands out, or -1 when it is not a fill). It returns how many bytes from off it stored: n, or on a fault
// those before the page that faulted, with the error.
func (f *File) storeFrom(off, n int64, src func(i int64, max int) ([]byte, error), fill int) (int64, error) {
	if err := f.logStore(off, n, src, fill); err != nil {
		return 0, err
	}
	for i := int64(0); i < n; {
		pos := off + i
		if pos >= f.size {
			return i, f.errf("at %#x: %w to %d bytes", pos, ErrShrank, f.size)
		}
		w, err := f.windowFor(pos)
		if err != nil {
			return i, err
		}
		dst := w.data[pos-w.off:]
		dst = dst[:min(int64(len(dst)), n-i)]
		s, err := src(i, len(dst))
		if err != nil {
			return i, f.errf("%w", err)
		}
		dst = dst[:len(s)]
		if f.mode == Private {
			if f.kept == nil {
				f.kept = make(map[int64]*window)
			}
			f.kept[w.off] = w
		}
		c, ok := copyMapped(dst, s, dst)
		if c > 0 {
			f.markPages(pos, int64(c))
		}
		i += int64(c)
		if !ok {
			return i, f.faulted(off+i, true)
		}
		if f.hooks.store != nil {
			f.hooks.store(off + i)
		}
	}
	return n, nil
}

// fileHooks are the test hooks of one File (set by mapping's tests only,
// before the call they watch): store runs after each part of a store with
// the offset reached; sync runs while Sync works without the mutex.
type fileHooks struct {
	store     func(reached int64)
	sync      func()
	walCommit func(off, n int64) // before a durable-journal record is committed
	between   func()             // RevertUnsynced, between two steps (without the mutex)
}

func (f *File) markPages(off, n int64) {
	a, b := off/f.page, (off+n+f.page-1)/f.page
	f.unsync.add(a, b)
	f.unsyncBytes.add(off, off+n)
	if f.mode == Private {
		f.j.privPages.add(a, b)
	}
}

// restore is the way back (undo, revert) or forth (redo) over e: where the
// bytes of e's range still hold expect (what the journal says they hold
// in this state), it stores want's. Bytes another writer changed since
// are left alone, and so is the part past the end of a file that shrank;
// both go to sk. It returns how many bytes from e.off it dealt with
// (e.n, or on an error those before the failure) and how many it set.
//
// It stores a part of f.restorePart bytes (4 MiB) per hold of the mutex:
// between two parts it lets the mutex go to the readers that queued
// (letGo), while lockEdit keeps everything that edits, syncs, reshapes or
// closes waiting until the step has ended (endStep), so the journal never
// sees a step half done. A crash between two parts is one in the middle of
// a step, as before: each store is a durable-journal record of its own.
func (f *File) restore(e entry, expect, want blob, sk *Skips) (done, restored int64, err error) {
	const chunk = 64 << 10
	defer f.beginRestore(e.n)()
	defer f.endStep()
	part := f.restorePart
	if part <= 0 {
		part = defaultRestorePart
	}
	c0 := min(e.n, chunk)
	if int64(cap(f.rbuf)) < 3*c0 {
		f.rbuf = make([]byte, 3*c0)
	}
	cur, exp, wnt := f.rbuf[:c0], f.rbuf[c0:2*c0], f.rbuf[2*c0:3*c0]
	var held int64 // bytes dealt with in this hold of the mutex
outer:
	for done < e.n {
		if held >= part {
			f.letGo()
			held = 0
		}
		pos := e.off + done
		if pos >= f.size {
			sk.add(pos, e.n-done, whyPastEnd(f.size))
			return e.n, restored, nil
		}
		c := min(c0, e.n-done, f.size-pos)
		got, rerr := f.readAtLocked(cur[:c], pos)
		if rerr != nil && rerr != io.EOF {
			if !errors.Is(rerr, ErrShrank) || (got == 0 && pos < f.size) {
				return done, restored, rerr
			}
		}
		c = int64(got)
		if err := f.j.read(expect, done, exp[:c]); err != nil {
			return done, restored, f.errf("%w", err)
		}
		if err := f.j.read(want, done, wnt[:c]); err != nil {
			return done, restored, f.errf("%w", err)
		}
		for k := int64(0); k < c; {
			m := k
			if cur[k] != exp[k] {
				for m < c && cur[m] != exp[m] {
					m++
				}
				sk.add(pos+k, m-k, WhyChanged)
				k = m
				continue
			}
			for m < c && cur[m] == exp[m] {
				m++
			}
			p := wnt[k:m]
			s, serr := f.storeFrom(pos+k, m-k, func(i int64, mx int) ([]byte, error) { return p[i:][:min(mx, len(p)-int(i))], nil }, -1)
			restored += s
			if serr != nil {
				done = pos + k + s - e.off
				if errors.Is(serr, ErrShrank) && e.off+done >= f.size {
					continue outer
				}
				return done, restored, serr
			}
			k = m
		}
		done += c
		held += c
	}
	return e.n, restored, nil
}

// refreshSize follows a size change before undo, redo or a revert, so
// that the part of an edit past the end is known as such.
func (f *File) refreshSize() {
	if size, err := f.statSize(); err == nil && size != f.size {
		f.resize(size)
	}
}

// Undo reverts the last applied edit and returns it. ErrNothingToUndo when
// there is none. It puts back the old bytes only where the range still
// holds what the edit wrote: bytes another writer changed since, and the
// part past the end of a file that shrank, are left alone and listed in
// Edit.Skipped. When nothing could be put back the edit is dropped from
// the journal (Edit.Dropped). A fault part-way leaves the part done undone.
func (f *File) Undo() (Edit, error) {
	defer f.lockStep(f.undoMoves)()
	if f.closed {
		return Edit{}, f.errf("%w", ErrClosed)
	}
	f.refreshSize()
	return f.undoStepLocked()
}

// undoStepLocked undoes one undo step: the last applied entry and, when
// it belongs to a group, the group's entries before it.
func (f *File) undoStepLocked() (Edit, error) {
	var all Edit
	f.j.explodeStep(true)
	defer func() { f.d.ahead = false }()
	left := 0 // entries of the step journaled ahead still to undo
	for k := 0; ; k++ {
		if k > 0 && f.j.pos == 0 {
			return all, nil
		}
		join := f.j.pos > 0 && f.j.e[f.j.pos-1].join
		if left == 0 {
			f.d.ahead = false
			if join {
				var err error
				if left, err = f.journalAhead(true); err != nil {
					return all, err
				}
			}
		}
		f.j.noBytes = join || k > 0
		ed, err := f.undoLocked()
		f.j.noBytes = false
		left = max(left-1, 0)
		if err != nil && k > 0 && isMove(ed.Shape) {
			// The shape change of a group cannot be undone (another
			// writer changed its bytes or the size) and changed
			// nothing: redo the parts undone before it, so that the
			// step is all or nothing.
			for range k {
				if _, rerr := f.redoLocked(); rerr != nil {
					return all, errors.Join(err, rerr)
				}
			}
			return Edit{}, err
		}
		all = mergeEdit(all, ed, k)
		if err != nil || !join {
			return all, err
		}
	}
}

// redoStepLocked redoes one undo step: the next undone entry and the
// entries of its group after it.
func (f *File) redoStepLocked() (Edit, error) {
	var all Edit
	f.j.explodeStep(false)
	defer func() { f.d.ahead = false }()
	left := 0 // entries of the step journaled ahead still to redo
	for k := 0; ; k++ {
		if k > 0 && (f.j.pos == len(f.j.e) || !f.j.e[f.j.pos].join) {
			return all, nil
		}
		if left == 0 {
			f.d.ahead = false
			if f.j.pos+1 < len(f.j.e) && f.j.e[f.j.pos+1].join {
				var err error
				if left, err = f.journalAhead(false); err != nil {
					return all, err
				}
			}
		}
		left = max(left-1, 0)
		if err := f.checkFits(f.j.e[f.j.pos]); err != nil && !isMove(f.j.e[f.j.pos].shape) {
			if k == 0 {
				return all, err
			}
			all.Skipped.add(f.j.e[f.j.pos].off, f.j.e[f.j.pos].n, whyPastEnd(f.size))
			f.j.drop(f.j.pos)
			continue
		}
		f.j.noBytes = k > 0 || (f.j.pos+1 < len(f.j.e) && f.j.e[f.j.pos+1].join)
		ed, err := f.redoLocked()
		f.j.noBytes = false
		if err != nil && k > 0 && isMove(ed.Shape) {
			for range k { // all or nothing, as in undoStepLocked
				if _, uerr := f.undoLocked(); uerr != nil {
					return all, errors.Join(err, uerr)
				}
			}
			return Edit{}, err
		}
		all = mergeEdit(all, ed, k)
		if err != nil {
			return all, err
		}
	}
}

// journalAhead journals, as one batch with one fdatasync (wal.Append),
// the stores that undoing (back) or redoing the next entries of the undo
// step will make: from e[pos-1] backwards, or e[pos] forwards, as many as
// do not overlap one another, up to a bound. Each record holds the range
// as it is now and the bytes the undo or redo stores there; a byte that
// another writer changed is then left alone, and its record holds its
// value as it is, before and after. It sets f.d.ahead and returns how
// many entries the batch holds: 0 (nothing journaled) when fewer than two,
// which take the usual way.
func (f *File) journalAhead(back bool) (int, error) {
	const maxSpans, maxBytes = 1 << 16, 16 << 20
	if f.mode != Shared {
		return 0, nil
	}
	var seen spanset.Set
	var ws []walSpan
	var total int64
	for i := f.j.pos; ; {
		if back {
			i--
		}
		e := f.j.e[i]
		if isMove(e.shape) || len(ws) == maxSpans || (len(ws) > 0 && total+e.n > maxBytes) || seen.Overlaps(e.off, e.off+e.n) {
			break // a shape change is no store: it journals itself
		}
		want := e.new
		if back {
			want = e.old
		}
		ws = append(ws, walSpan{off: e.off, n: e.n, src: f.j.source(want, e.n), fill: fillOf(want)})
		seen.Add(e.off, e.off+e.n)
		total += e.n
		if back && (!e.join || i == 0) {
			break
		}
		if !back {
			if i++; i == len(f.j.e) || !f.j.e[i].join {
				break
			}
		}
	}
	if len(ws) < 2 {
		return 0, nil
	}
	k := len(ws)
	f.prefault(k, func(i int) (int64, int64) {
		if back { // ws is from the last entry back: the offsets in order
			i = k - 1 - i
		}
		return ws[i].off, ws[i].n
	})
	if err := f.logSpans(ws); err != nil {
		return 0, err
	}
	f.d.ahead = true
	return len(ws), nil
}

// mergeEdit adds ed, the k-th entry of an undo step, to all: a step of
// more than one entry reports the span they cover (Old and New nil),
// the bytes restored and skipped, and Dropped only when all were.
func mergeEdit(all, ed Edit, k int) Edit {
	if k == 0 {
		ed.Parts = 1
		return ed
	}
	switch {
	case isMove(ed.Shape):
		// A shape change with the bytes it moved by hand (mapping/reshape's
		// insert and delete below a block boundary): the step is the
		// shape change.
		all.Off, all.Len, all.Shape, all.ShiftAt, all.ShiftBy = ed.Off, ed.Len, ed.Shape, ed.ShiftAt, ed.ShiftBy
	case isMove(all.Shape):
		all.Size = ed.Size
	default:
		lo, hi := min(all.Off, ed.Off), max(all.Off+all.Len, ed.Off+ed.Len)
		all.Off, all.Len = lo, hi-lo
	}
	all.Old, all.New, all.Size = nil, nil, ed.Size
	all.Restored += ed.Restored
	all.Skipped.addAll(ed.Skipped)
	all.Dropped = all.Dropped && ed.Dropped
	all.Parts++
	return all
}

func (f *File) undoLocked() (Edit, error) {
	if f.j.pos == 0 {
		return Edit{}, f.errf("%w", ErrNothingToUndo)
	}
	f.j.explode(f.j.pos - 1)
	i := f.j.pos - 1
	e := f.j.e[i]
	ed := f.j.public(e)
	ed.SizeBefore = f.size
	if isMove(e.shape) {
		if err := f.applyShape(e, true); err != nil {
			return ed, err
		}
		ed.Restored, ed.Size = e.n, f.size
		ed.ShiftAt, ed.ShiftBy = e.shift(true)
		f.j.pos--
		f.j.gen++
		return ed, nil
	}
	done, restored, err := f.restore(e, e.new, e.old, &ed.Skipped)
	ed.Size = f.size
	ed.Restored = restored
	if err != nil {
		if done > 0 && done < e.n {
			// The head is undone, the tail still applied.
			f.j.split(i, done)
			f.j.e[i], f.j.e[i+1] = f.j.e[i+1], f.j.e[i]
			f.j.e[i].join, f.j.e[i+1].join = e.join, true
			f.j.pos--
		}
		return ed, err
	}
	if restored == 0 {
		f.j.drop(i)
		ed.Dropped = true
		return ed, nil
	}
	f.j.pos--
	f.j.gen++
	return ed, nil
}

// Redo applies the last undone edit again and returns it. ErrNothingToRedo
// when there is none. Like Undo, it stores the edit's bytes only where the
// range still holds the bytes from before the edit.
func (f *File) Redo() (Edit, error) {
	defer f.lockStep(f.redoMoves)()
	if f.closed {
		return Edit{}, f.errf("%w", ErrClosed)
	}
	if f.j.pos == len(f.j.e) {
		return Edit{}, f.errf("%w", ErrNothingToRedo)
	}
	f.refreshSize()
	return f.redoStepLocked()
}

func (f *File) redoLocked() (Edit, error) {
	f.j.explode(f.j.pos)
	i := f.j.pos
	e := f.j.e[i]
	ed := f.j.public(e)
	ed.SizeBefore = f.size
	if isMove(e.shape) {
		if err := f.applyShape(e, false); err != nil {
			return ed, err
		}
		ed.Restored, ed.Size = e.n, f.size
		ed.ShiftAt, ed.ShiftBy = e.shift(false)
		f.j.pos++
		f.j.gen++
		return ed, nil
	}
	done, restored, err := f.restore(e, e.old, e.new, &ed.Skipped)
	ed.Size = f.size
	ed.Restored = restored
	if err != nil {
		if done > 0 && done < e.n {
			f.j.split(i, done) // the head is applied
			f.j.pos++
		}
		return ed, err
	}
	if restored == 0 {
		f.j.drop(i)
		ed.Dropped = true
		return ed, nil
	}
	f.j.pos++
	f.j.gen++
	return ed, nil
}

func (f *File) checkFits(e entry) error {
	if e.off+e.n > f.size {
		return f.errf("edit at %#x: %w (the file shrank to %d)", e.off, ErrPastEnd, f.size)
	}
	return nil
}

// Reverted is what RevertAll and RevertUnsynced did.
type Reverted struct {
	Edits   int   // edits reverted (at least one byte put back)
	Dropped int   // edits that put back nothing (see Edit.Dropped)
	Skipped Skips // bytes left alone (another writer changed them, or past the end)
}

func (r *Reverted) count(ed Edit) {
	if ed.Dropped {
		r.Dropped++
	} else {
		r.Edits++
	}
}

// RevertAll undoes every applied edit since Open and returns how many it
// undid. The restored bytes are edits too: they stay unsynced pages until
// a Sync (with MAP_SHARED they reach the disk by writeback anyway). Like
// Undo it leaves alone bytes another writer changed since.
func (f *File) RevertAll() (Reverted, error) { return f.RevertAllProgress(nil) }

// RevertAllProgress is RevertAll with the file's mutex let go between two
// edits, so that reads go on meanwhile, and progress (when not nil) called
// after each with the edits undone and the edits there were.
func (f *File) RevertAllProgress(progress func(done, total int)) (Reverted, error) {
	var r Reverted
	total := -1
	for {
		unlock := f.lockStep(f.undoMoves)
		if f.closed {
			unlock()
			return r, f.errf("%w", ErrClosed)
		}
		if total < 0 {
			total = f.j.steps(0, f.j.pos)
		}
		f.refreshSize()
		if f.j.pos == 0 {
			unlock()
			return r, nil
		}
		ed, err := f.undoStepLocked()
		unlock()
		r.Skipped.addAll(ed.Skipped)
		if err != nil {
			return r, err
		}
		r.count(ed)
		if progress != nil {
			progress(r.Edits+r.Dropped, total)
		}
	}
}

// RevertUnsynced puts back the bytes as they were at the last Sync (at
// Open when there was none): it undoes the edits made since, redoes those
// undone since, and re-applies synced edits that a later edit dropped from
// the redo list. Edits that were synced stay. It returns how many edits it
// stepped over. The journal then continues from the synced state. This is
// what "quit and revert the unsynced edits" does; RevertAll goes back to
// the state at Open. Like Undo it leaves alone bytes another writer
// changed since.
func (f *File) RevertUnsynced() (Reverted, error) {
	// One step at a time, the mutex let go between two steps: reads (a
	// frame of the grid, a search) go on during a long revert. Each step
	// looks at the journal afresh, so an edit made meanwhile is unsynced
	// too and is reverted with the rest.
	var r Reverted
	for {
		unlock := f.lockStep(f.revertMoves)
		done, err := f.revertUnsyncedStep(&r)
		unlock()
		if done || err != nil {
			return r, err
		}
		if f.hooks.between != nil {
			f.hooks.between()
		}
		runtime.Gosched() // a reader waiting for the mutex gets it now
	}
}

// revertUnsyncedStep undoes, redoes or re-applies one edit on the way to
// the synced state; done when there is none left. Callers hold f.mu.
func (f *File) revertUnsyncedStep(r *Reverted) (done bool, err error) {
	if f.closed {
		return true, f.errf("%w", ErrClosed)
	}
	if f.j.lostBad {
		return true, f.errf("%w", ErrSyncStateUnknown)
	}
	f.refreshSize()
	switch {
	case f.j.pos > f.j.syncPos:
		// A step at a time, as Undo: a group (a replace all, a put) in
		// one pass with its old bytes journaled ahead (a few fdatasyncs,
		// not one an entry, and no look over the whole group again for
		// each entry); a shape change with the bytes moved by hand all of
		// it or nothing. A step never spans a sync (a sync ends a group).
		ed, err := f.undoStepLocked()
		r.Skipped.addAll(ed.Skipped)
		if err != nil {
			return true, err
		}
		r.count(ed)
		return false, nil
	case f.j.pos < f.j.syncPos:
		ed, err := f.redoStepLocked()
		r.Skipped.addAll(ed.Skipped)
		if err != nil {
			return true, err
		}
		r.count(ed)
		return false, nil
	case len(f.j.lostRev) > 0:
		f.j.explodeLost()
		k := len(f.j.lostRev) - 1
		e := f.j.lostRev[k]
		if isMove(e.shape) {
			if err := f.applyShape(e, false); err != nil {
				return true, err
			}
			f.j.lostRev = f.j.lostRev[:k]
			for _, x := range f.j.e[f.j.pos:] {
				f.j.free(x)
			}
			f.j.e = append(f.j.e[:f.j.pos], e)
			f.j.pos++
			f.j.syncPos = f.j.pos
			f.j.gen++
			r.Edits++
			return false, nil
		}
		done, restored, err := f.restore(e, e.old, e.new, &r.Skipped)
		if err != nil && done == 0 {
			return true, err
		}
		if err != nil && done < e.n {
			// The head is applied; the tail waits.
			f.j.lostRev[k] = entry{off: e.off + done, n: e.n - done, old: e.old.sub(done), new: e.new.sub(done)}
			e.n = done
		} else {
			f.j.lostRev = f.j.lostRev[:k]
		}
		if restored == 0 && err == nil {
			f.j.free(e)
			r.Dropped++
			return false, nil
		}
		for _, x := range f.j.e[f.j.pos:] {
			f.j.free(x)
		}
		f.j.e = append(f.j.e[:f.j.pos], e)
		f.j.pos++
		f.j.syncPos = f.j.pos
		f.j.gen++
		if err != nil {
			return true, err
		}
		r.Edits++
		return false, nil
	}
	f.j.extra, f.j.extraPlaces = 0, 0
	return true, nil
}

// UnsyncedEdits returns how many edits separate the mapped bytes from the
// state at the last Sync (undo and redo move towards or away from it).
// While a Sync(MSSync) runs, the edits it is writing still count (those
// unsynced when it began plus those made since: an upper bound when the
// edits went back and forth): they are not known to be on disk before it
// returns.
func (f *File) UnsyncedEdits() int {
	if b := f.lockOrBefore(); b != nil {
		return b.edits
	}
	defer f.mu.Unlock()
	return f.inflightEdits + f.j.unsynced()
}

// UnsyncedPlaces counts the edits UnsyncedEdits counts as mmhex recover
// counts the durable journal's records after a crash: the places changed
// (a replace all of N matches is N edits, one undo step; the two hex
// digits of a byte, or the parts of one fill, one). The status line shows
// it, so the two agree. Counted again only when the journal changed.
func (f *File) UnsyncedPlaces() int {
	if b := f.lockOrBefore(); b != nil {
		return b.places
	}
	defer f.mu.Unlock()
	return f.inflightPlaces + f.j.unsyncedPlaces()
}

// unsyncedSet returns the pages not known to be on disk: those written
// since the last Sync and, while a Sync runs, those it is writing. Call
// with f.mu held; do not modify the result.
func (f *File) unsyncedSet() *pageSet {
	if !f.syncing || f.inflight.n == 0 {
		return &f.unsync
	}
	var u pageSet
	for _, s := range []*pageSet{&f.inflight, &f.unsync} {
		for _, r := range s.ranges() {
			u.add(r.a, r.b)
		}
	}
	return &u
}

// UnsyncedPages returns the number of pages written since the last Sync,
// counting, while a Sync runs, the pages it is writing.
func (f *File) UnsyncedPages() int {
	if b := f.lockOrBefore(); b != nil {
		return b.pages
	}
	defer f.mu.Unlock()
	return int(f.unsyncedSet().n)
}

// IsUnsynced reports whether the page holding off was written since the
// last Sync or is being written by a Sync that has not returned. Cheap: a
// binary search.
func (f *File) IsUnsynced(off int64) bool {
	f.lockRead()
	defer f.mu.Unlock()
	p := off / f.page
	return f.unsync.has(p) || (f.syncing && f.inflight.has(p))
}

// IsUnsyncedByte reports whether the byte at off was stored since the last
// MS_SYNC (an edit, undo, redo or revert wrote it; a sync in flight has not
// returned yet): the byte itself, where IsUnsynced is its page.
func (f *File) IsUnsyncedByte(off int64) bool {
	f.lockRead()
	defer f.mu.Unlock()
	return f.unsyncBytes.has(off) || (f.syncing && f.inflightBytes.has(off))
}

// UnsyncedBytes returns the ranges of bytes in [off, end) that
// IsUnsyncedByte reports, in order, merged, clipped to [off, end): one
// call (one lock) for the bytes a frame shows.
func (f *File) UnsyncedBytes(off, end int64) []spanset.Span {
	if f.lockOrBefore() != nil {
		return nil // a long restore step holds the mutex: not known now
	}
	defer f.mu.Unlock()
	var s spanset.Set
	add := func(set *pageSet) {
		set.s.Each(func(sp spanset.Span) bool {
			if sp.A >= end {
				return false
			}
			if a, b := max(sp.A, off), min(sp.B, end); a < b {
				s.Add(a, b)
			}
			return true
		})
	}
	add(&f.unsyncBytes)
	if f.syncing {
		add(&f.inflightBytes)
	}
	return s.Spans()
}

// UnsyncedPageList returns the file offsets of the pages written since the
// last Sync, in order.
func (f *File) UnsyncedPageList() []int64 {
	f.lockRead()
	defer f.mu.Unlock()
	u := f.unsyncedSet()
	out := make([]int64, 0, u.n)
	for _, r := range u.ranges() {
		for p := r.a; p < r.b; p++ {
			out = append(out, p*f.page)
		}
	}
	return out
}
