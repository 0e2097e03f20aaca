package mapping

import "mmhex/mapping/wal"

// UndoBytes is how many bytes Undo would store back: the sum of the lengths
// of the next undo step's entries (one edit, or a group's); 0 when there is
// nothing to undo. The editor runs a large step as its job, off the UI
// goroutine (an undo of a 1 GiB fill reads its old bytes back from the
// spill file).
func (f *File) UndoBytes() int64 {
	f.lockRead()
	defer f.mu.Unlock()
	var n int64
	for k := f.j.pos - 1; k >= 0; k-- {
		n += f.j.e[k].n
		if !f.j.e[k].join {
			break
		}
	}
	return n
}

// RedoBytes is how many bytes Redo would store: the next undone step's
// entries; 0 when there is nothing to redo.
func (f *File) RedoBytes() int64 {
	f.lockRead()
	defer f.mu.Unlock()
	var n int64
	for k := f.j.pos; k < len(f.j.e); k++ {
		if k > f.j.pos && !f.j.e[k].join {
			break
		}
		n += f.j.e[k].n
	}
	return n
}

// shift is where the bytes move when the move entry e is undone (undo)
// or redone: Edit.ShiftAt and ShiftBy.
func (e entry) shift(undo bool) (at, by int64) {
	switch e.shape {
	case wal.Insert:
		by = e.n
	case wal.Collapse:
		by = -e.n
	default:
		return 0, 0
	}
	if undo {
		by = -by
	}
	return e.at, by
}

// lockStep locks the file for an undo, redo or revert step: f.mu (as
// lockEdit: after a restore step that let it go has ended), and
// first f.busy (as the shape changes take it: no sync or scan works on
// the descriptor meanwhile) when moves says the step holds a shape
// change. It returns the unlock.
func (f *File) lockStep(moves func() bool) (unlock func()) {
	f.lockEdit()
	if !moves() {
		return f.mu.Unlock
	}
	f.mu.Unlock()
	f.busy.Lock()
	f.lockEdit()
	return func() { f.mu.Unlock(); f.busy.Unlock() }
}

// undoMoves: the next undo step holds a shape change. Callers hold f.mu.
func (f *File) undoMoves() bool {
	for k := f.j.pos - 1; k >= 0; k-- {
		if isMove(f.j.e[k].shape) {
			return true
		}
		if !f.j.e[k].join {
			break
		}
	}
	return false
}

// redoMoves: the next redo step holds a shape change.
func (f *File) redoMoves() bool {
	for k := f.j.pos; k < len(f.j.e); k++ {
		if k > f.j.pos && !f.j.e[k].join {
			break
		}
		if isMove(f.j.e[k].shape) {
			return true
		}
	}
	return false
}

// revertMoves: the next step of RevertUnsynced is a shape change.
func (f *File) revertMoves() bool {
	j := &f.j
	switch {
	case j.pos > j.syncPos:
		return f.undoMoves()
	case j.pos < j.syncPos:
		return f.redoMoves()
	case len(j.lostRev) > 0:
		return isMove(j.lostRev[len(j.lostRev)-1].shape)
	}
	return false
}

// UndoShape and RedoShape report whether the next undo (redo) step
// changes the file's shape: the editor runs it as its job.
func (f *File) UndoShape() bool {
	f.lockRead()
	defer f.mu.Unlock()
	return f.undoMoves()
}

// RedoShape: see UndoShape.
func (f *File) RedoShape() bool {
	f.lockRead()
	defer f.mu.Unlock()
	return f.redoMoves()
}
