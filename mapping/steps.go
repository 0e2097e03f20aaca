package mapping

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
