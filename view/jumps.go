package view

import "mmhex/keymap"

// maxJumps bounds the jump list (vim keeps 100).
const maxJumps = 100

// jumpList is where jumps came from, oldest first, as vim's: pos is the
// entry jump-back goes to next (len(list) when at the newest place).
type jumpList struct {
	list []int64
	pos  int
}

// PushJump records the cursor as the place a jump leaves: call it before
// moving the cursor far (goto, a search's match, a mark, a difference, a
// structure field). Jump-back returns there, jump-forward comes back. A
// place equal to the newest entry is not recorded twice; the entries
// after the current one (those jump-forward would visit) are dropped.
func (e *Editor) PushJump() {
	if e.size == 0 {
		return
	}
	j := &e.jumps
	j.list = j.list[:j.pos]
	if k := len(j.list); k == 0 || j.list[k-1] != e.cursor {
		j.list = append(j.list, e.cursor)
	}
	if len(j.list) > maxJumps {
		j.list = j.list[len(j.list)-maxJumps:]
	}
	j.pos = len(j.list)
}

func registerJumps(e *Editor) {
	to := func(off int64) {
		if off >= e.size {
			off = e.size - 1
		}
		e.jump(off)
	}
	e.Handle(keymap.JumpBack, func(e *Editor, a Args) {
		j := &e.jumps
		for range a.N() {
			if j.pos == 0 {
				e.Errorf("at the start of the jump list (%s)", plural(len(j.list), "place"))
				return
			}
			if j.pos == len(j.list) {
				// Leaving the newest place: keep it, for jump-forward.
				if k := len(j.list); k == 0 || j.list[k-1] != e.cursor {
					j.list = append(j.list, e.cursor)
				}
			}
			j.pos--
			if j.list[j.pos] == e.cursor && j.pos > 0 {
				j.pos--
			}
			to(j.list[j.pos])
		}
		e.Message("jump %d of %d: 0x%x (%d)", j.pos+1, len(j.list), e.cursor, e.cursor)
	})
	e.Handle(keymap.JumpForward, func(e *Editor, a Args) {
		j := &e.jumps
		for range a.N() {
			if j.pos+1 >= len(j.list) {
				e.Errorf("at the end of the jump list (%s)", plural(len(j.list), "place"))
				return
			}
			j.pos++
			to(j.list[j.pos])
		}
		e.Message("jump %d of %d: 0x%x (%d)", j.pos+1, len(j.list), e.cursor, e.cursor)
	})
}
