package view

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/reshape"
)

// Reshape is the editor's keys for changing the file's shape in place
// (mapping/reshape, as `mmhex resize|punch|insert|delete`): resize (a
// truncate asks first), punch a hole or zero the selection, insert zero
// blocks at the cursor, delete the selection. Each runs as the editor's
// job; afterwards the view adopts the new size and the cursor, the
// selection's anchor and the marks stay on the same bytes (shiftOffset).
func Reshape() Feature { return featureFunc{"reshape", registerReshape} }

func registerReshape(e *Editor) {
	e.Handle(keymap.Resize, func(e *Editor, a Args) { e.resizePrompt(a.Expr) })
	e.Handle(keymap.PunchHole, func(e *Editor, a Args) { e.punchSelection(false) })
	e.Handle(keymap.ZeroRange, func(e *Editor, a Args) { e.punchSelection(true) })
	e.Handle(keymap.InsertBlocks, func(e *Editor, a Args) { e.insertPrompt(a.Expr) })
	e.Handle(keymap.DeleteBlocks, func(e *Editor, a Args) { e.deleteSelection() })
}

// shiftOffset is where the byte at p is after a shape change at off: an
// insert of n bytes (n > 0) at or before p moves it up by n; a delete of
// -n bytes at off moves the bytes after the range down by -n, and a byte
// inside the deleted range goes with its range: to off, the first byte
// after it (the last byte when the delete reached the end).
func shiftOffset(p, off, n int64) int64 {
	switch {
	case n > 0 && p >= off:
		return p + n
	case n < 0 && p >= off-n:
		return p + n
	case n < 0 && p >= off:
		return off
	}
	return p
}

// shapeWritable refuses a shape change in a file open read-only or
// private, before any prompt.
func (e *Editor) shapeWritable() bool {
	if e.busy() {
		return false
	}
	switch e.f.Mode() {
	case mapping.ReadOnly:
		e.ShowError(errReadOnly)
		return false
	case mapping.Private:
		e.Errorf("the file is mapped private (copy-on-write): its shape cannot change")
		return false
	}
	return true
}

// shapeJob runs change as the editor's job; when it succeeded the view
// adopts the new size, and the cursor, the selection's anchor and the
// marks move with their bytes (shiftOffset with at and by; by 0: they
// stay, clamped into the file).
func (e *Editor) shapeJob(what string, at, by int64, change func() (string, error)) {
	before := e.size
	e.runJob(what, "a block move cannot be interrupted", func(ctx context.Context, progress func(string)) func() {
		msg, err := change()
		return func() {
			e.size = e.f.Size()
			if err != nil && e.size == before {
				by = 0 // refused: nothing moved
			}
			pre := e.places()
			e.adoptShape(at, by)
			if err == nil {
				e.noteRemoved(before, e.size, pre)
			}
			if err != nil {
				// The CLI's words, without the file's name: the title
				// shows it.
				e.Errorf("%s", strings.TrimPrefix(e.editError(err).Error(), display.Name(e.f.Path())+": "))
				return
			}
			e.Message("%s", msg)
			e.afterSelectionAction()
		}
	})
}

// adoptShape moves the cursor, the selection's anchor, the marks and the
// jump list's places with their bytes after a shape change and keeps them
// in the file.
func (e *Editor) adoptShape(at, by int64) {
	clamp := func(p int64) int64 { return max(min(p, e.size-1), 0) }
	e.cursor = clamp(shiftOffset(e.cursor, at, by))
	e.nibble = 0
	if x := e.sel(); x != nil {
		x.anchor = clamp(shiftOffset(x.anchor, at, by))
		x.matchOn = false
	}
	if m := featureOf[*marks](e); m != nil && len(m.marks) > 0 {
		for r, p := range m.marks {
			m.marks[r] = clamp(shiftOffset(p, at, by))
		}
		m.save(e)
	}
	for i, p := range e.jumps.list {
		e.jumps.list[i] = clamp(shiftOffset(p, at, by))
	}
	e.scrollToCursor()
}

// places is where the marks, the jump list's places and the selection's
// start are.
type places struct {
	marks  map[rune]int64
	jumps  []int64
	anchor int64 // -1: no selection
}

func (e *Editor) places() places {
	p := places{jumps: append([]int64(nil), e.jumps.list...), anchor: -1}
	if m := featureOf[*marks](e); m != nil {
		p.marks = maps.Clone(m.marks)
	}
	if x := e.sel(); x != nil {
		p.anchor = x.anchor
	}
	return p
}

// placesMoved is a shape change that removed bytes (from sizeBefore to
// sizeAfter) and the places before and after it.
type placesMoved struct {
	sizeBefore, sizeAfter int64
	before, after         places
}

// noteRemoved records the places before (pre) and after (now) a shape
// change from size before to after that removed bytes: a delete moved
// the places inside the range to the first byte after it, a truncate
// those it cut to the new last byte, and its undo puts them back
// (restorePlaces).
func (e *Editor) noteRemoved(before, after int64, pre places) {
	if after >= before {
		return
	}
	const keep = 64
	if len(e.removed) == keep {
		e.removed = append(e.removed[:0], e.removed[1:]...)
	}
	e.removed = append(e.removed, placesMoved{before, after, pre, e.places()})
}

// restorePlaces runs after the undo of a shape change that took the file
// from size from to size to (the places already moved with their bytes,
// from pre): when it is the undo of the newest change noteRemoved
// recorded, each place that change moved and nothing moved since (it
// was where the change put it, pre) goes back to where it was before the
// change. Any other shape undo forgets the records (they no longer match
// the file).
func (e *Editor) restorePlaces(from, to int64, pre places) {
	n := len(e.removed)
	if n == 0 {
		return
	}
	top := e.removed[n-1]
	e.removed = e.removed[:n-1]
	if top.sizeAfter != from || top.sizeBefore != to {
		e.removed = nil
		return
	}
	clamp := func(p int64) int64 { return max(min(p, e.size-1), 0) }
	if m := featureOf[*marks](e); m != nil && len(m.marks) > 0 {
		for r, p := range m.marks {
			if was, ok := top.before.marks[r]; ok && pre.marks[r] == top.after.marks[r] && p != was {
				m.marks[r] = clamp(was)
			}
		}
		m.save(e)
	}
	for i := range min(len(e.jumps.list), len(pre.jumps), len(top.after.jumps), len(top.before.jumps)) {
		if pre.jumps[i] == top.after.jumps[i] {
			e.jumps.list[i] = clamp(top.before.jumps[i])
		}
	}
	if x := e.sel(); x != nil && top.before.anchor >= 0 && pre.anchor == top.after.anchor {
		x.anchor = clamp(top.before.anchor)
	}
}

// resizePrompt asks for the new size; a size below the current one asks
// again before cutting (the bytes cut are journaled).
func (e *Editor) resizePrompt(expr string) {
	if !e.shapeWritable() {
		return
	}
	f := e.f
	old := e.size
	do := func(text string) error {
		size, err := mapping.ParseSize(strings.TrimSpace(text))
		if err != nil {
			return err
		}
		if size < 0 {
			return fmt.Errorf("a size is 0 or more")
		}
		if size == old {
			return fmt.Errorf("the file is already %d bytes", old)
		}
		run := func() {
			e.shapeJob("resizing", size, 0, func() (string, error) {
				if err := reshape.Resize(f, size); err != nil {
					return "", err
				}
				msg := fmt.Sprintf("resized from %d to %d bytes", old, size)
				if size > old {
					msg += fmt.Sprintf(" (%d bytes of hole added)", size-old)
				} else {
					msg += fmt.Sprintf(" (the %d bytes cut are in the journal)", old-size)
				}
				return msg, nil
			})
		}
		if size > old {
			run()
			return nil
		}
		// One key, as the editor's other y/n questions (the replace
		// confirmation, overwrite? y/n): y cuts; n, Esc, Ctrl-C and Enter
		// keep the file; any other key says so and asks again (nothing is
		// typed into the question).
		cancelled := func() { e.Message("resize cancelled: nothing was changed") }
		e.prompt = nil
		e.OpenPrompt(&Prompt{
			Label: fmt.Sprintf("truncate to %d bytes, cutting %s? y/n", size, describeRange(size, old-size)),
			Key: func(p *Prompt, ev *tcell.EventKey) bool {
				if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyCtrlC {
					return false // Cancel
				}
				e.prompt = nil
				if ev.Key() == tcell.KeyEnter {
					cancelled()
					return true
				}
				switch c, _ := keymap.FromEvent(ev).Rune(); c {
				case 'y', 'Y':
					run()
				case 'n', 'N':
					cancelled()
				default:
					e.prompt = p
					p.SetError("y: truncate, n or Esc: keep the file")
				}
				return true
			},
			Cancel: cancelled,
			Done: func(string) error {
				cancelled()
				return nil
			},
		})
		return nil
	}
	e.promptOrRun(expr, &Prompt{
		Label: fmt.Sprintf("resize to (now %d bytes):", old),
		Hint:  "bytes: 8192, 0x2000, 4k, 1M",
		Done:  do,
	})
}

// punchSelection punches a hole in the selection (zero: zeroes it keeping
// its blocks, FALLOC_FL_ZERO_RANGE).
func (e *Editor) punchSelection(zero bool) {
	off, n, ok := e.Selection()
	if !ok {
		e.noSelection()
		return
	}
	if !e.shapeWritable() {
		return
	}
	f := e.f
	what, how := "punching", "punched a hole of"
	if zero {
		what, how = "zeroing", "zeroed"
	}
	e.shapeJob(what, off, 0, func() (string, error) {
		if err := reshape.Punch(f, off, n, zero); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %d bytes at %#x", how, n, off), nil
	})
}

// insertPrompt asks how many zero bytes to insert at the cursor.
func (e *Editor) insertPrompt(expr string) {
	if !e.shapeWritable() {
		return
	}
	f := e.f
	at := e.cursor
	hint := ""
	if g, err := reshape.GeometryOf(f); err == nil {
		hint = fmt.Sprintf("a multiple of %d (the block size)", g.Block)
		if g.NoMoves && at < e.size {
			hint = fmt.Sprintf("this %s cannot move blocks: ext4 or xfs can", g.FS)
		}
	}
	do := func(text string) error {
		n, err := mapping.ParseSize(strings.TrimSpace(text))
		if err != nil {
			return err
		}
		e.prompt = nil
		e.shapeJob("inserting", at, n, func() (string, error) {
			old := f.Size()
			moved, err := reshape.Insert(f, at, n)
			if err != nil {
				return "", err
			}
			msg := fmt.Sprintf("inserted %d zero bytes at %#x, size %d → %d", n, at, old, old+n)
			if moved > 0 {
				msg += fmt.Sprintf(" (%d bytes below the block boundary moved)", moved)
			}
			return msg, nil
		})
		return nil
	}
	e.promptOrRun(expr, &Prompt{
		Label: fmt.Sprintf("insert zero bytes at 0x%x, how many:", at),
		Hint:  hint,
		Done:  do,
	})
}

// deleteSelection removes the selected bytes (whole blocks).
func (e *Editor) deleteSelection() {
	off, n, ok := e.Selection()
	if !ok {
		e.noSelection()
		return
	}
	if !e.shapeWritable() {
		return
	}
	f := e.f
	e.shapeJob("deleting", off, -n, func() (string, error) {
		old := f.Size()
		moved, err := reshape.Delete(f, off, n)
		if err != nil {
			return "", err
		}
		msg := fmt.Sprintf("deleted %d bytes at %#x, size %d → %d", n, off, old, old-n)
		if moved > 0 {
			msg += fmt.Sprintf(" (%d bytes below the block boundary moved)", moved)
		}
		return msg, nil
	})
}
