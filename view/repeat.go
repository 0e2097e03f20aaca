package view

import (
	"context"
	"errors"
	"fmt"
	"os"

	"mmhex/keymap"
	"mmhex/mapping"
)

// vim's . (keymap.Repeat): the last change again at the cursor. The
// changes it repeats are the bytes typed in one R … Esc session, the byte
// of r, and a put. A count N repeats the change N times back to back from
// the cursor; as in vim, the count replaces the change's own count (every
// change here has count 1) and is kept for the next . without a count.
// Each . is one journal group: one undo step.

type changeKind int

const (
	changeNone  changeKind = iota
	changeTyped            // R … Esc
	changeByte             // r
	changePut              // p
)

// lastChange is the change . repeats.
type lastChange struct {
	kind  changeKind
	bytes []byte // changeTyped, changeByte: the bytes written, in order
	count int
}

// typedBytes records the bytes typed since R or r: where they start and
// their values (a byte typed again, after a move back, is its last value).
// Typing outside the run (after a jump) starts a new run there, as vim's
// . repeats only what was typed after the last move.
type typedBytes struct {
	start int64
	bytes []byte
}

// noteTyped records p, just written at off, when vim's replace mode (R or
// r) is on.
func (e *Editor) noteTyped(off int64, p []byte) {
	if e.keys.Mode() != keymap.ModeReplace {
		return
	}
	r := &e.rec
	if r.bytes == nil || off < r.start || off > r.start+int64(len(r.bytes)) {
		*r = typedBytes{start: off, bytes: []byte{}}
	}
	i := int(off - r.start)
	if need := i + len(p); need > len(r.bytes) {
		r.bytes = append(r.bytes, make([]byte, need-len(r.bytes))...)
	}
	copy(r.bytes[i:], p)
}

// endTyped ends an R session or an r: what was typed becomes the change .
// repeats.
func (e *Editor) endTyped() {
	if len(e.rec.bytes) > 0 {
		kind := changeByte
		if e.typing != nil {
			kind = changeTyped
		}
		e.last = lastChange{kind: kind, bytes: e.rec.bytes, count: 1}
	}
	e.rec = typedBytes{}
}

// repeat runs vim's . at the cursor.
func (e *Editor) repeat(a Args) {
	if e.busy() {
		return
	}
	c := &e.last
	if c.kind == changeNone {
		e.Errorf("nothing to repeat: %s repeats the last %s … Esc, %s or %s",
			orDefault(keyName(e, keymap.Repeat), "repeat"), orDefault(keyName(e, keymap.ReplaceMode), "replace-mode"),
			orDefault(keyName(e, keymap.ReplaceByte), "replace-byte"), orDefault(keyName(e, keymap.Put), "put"))
		return
	}
	n := c.count
	if a.Count > 0 {
		n = a.Count
	}
	unit := int64(len(c.bytes))
	if c.kind == changePut {
		if e.reg.n == 0 {
			e.Errorf("nothing to repeat: the register is empty")
			return
		}
		unit = e.reg.n
	}
	if e.f.Mode() == mapping.ReadOnly {
		e.ShowError(errReadOnly)
		return
	}
	off := e.cursor
	if e.size == 0 || unit > (e.size-off)/int64(n) {
		e.Errorf("repeat: %d × %s at 0x%x would run past the end of the file (%s): nothing written; mmhex never grows a file",
			n, plural64(unit, "byte"), off, plural64(e.size, "byte"))
		return
	}
	total := unit * int64(n)
	undo := orDefault(keyName(e, keymap.Undo), "undo")
	done := func() {
		c.count = n
		e.nibble = 0
		switch c.kind {
		case changeTyped: // as after R … Esc: the cursor after the bytes typed
			e.SetCursor(min(off+total, e.size-1))
		case changeByte: // as r: the cursor stays; with a count, on the last byte (vim's 3rx)
			e.SetCursor(off + total - 1)
		}
		e.Message("repeated: %s at 0x%x (%s undoes it)", plural64(total, "byte"), off, undo)
	}
	if total > putPart { // more than one part: the editor's job, as a large put
		src, rf := c.bytes, (*os.File)(nil)
		if c.kind == changePut {
			src, rf = e.reg.mem, e.reg.file
		}
		e.partsJob("repeating", "repeat", off, total, func(buf []byte, at int64) error {
			for k := 0; k < len(buf); {
				pos := (at + int64(k)) % unit
				m := int(min(int64(len(buf)-k), unit-pos))
				if rf != nil {
					if _, err := rf.ReadAt(buf[k:k+m], pos); err != nil {
						return fmt.Errorf("repeat: the register's file: %w", err)
					}
				} else {
					copy(buf[k:k+m], src[pos:])
				}
				k += m
			}
			return nil
		}, func(stored int64, err error) {
			switch {
			case errors.Is(err, context.Canceled):
				if stored == 0 {
					e.Message("repeat cancelled: nothing was changed")
					return
				}
				e.Message("repeat stopped after %d of %s at 0x%x (%s undoes them)", stored, plural64(total, "byte"), off, undo)
			case err != nil:
				e.ShowError(e.editError(err))
			default:
				done()
			}
		})
		return
	}
	g := e.f.Group()
	if err := e.writeRepeated(g, c, unit, n, off); err != nil {
		e.ShowError(e.editError(err))
		return
	}
	done()
}

// writeRepeated writes the change's bytes (or the register) n times from
// off in group g, in pieces of at most registerInMemory bytes.
func (e *Editor) writeRepeated(g *mapping.Group, c *lastChange, unit int64, n int, off int64) error {
	src := c.bytes
	if c.kind == changePut {
		src = e.reg.mem
	}
	if src != nil {
		// a buffer of whole copies of src, written as often as needed
		per := max(1, registerInMemory/len(src))
		buf := make([]byte, 0, min(per, n)*len(src))
		for i := 0; i < min(per, n); i++ {
			buf = append(buf, src...)
		}
		for left := n; left > 0; {
			k := min(left, per)
			if _, err := g.WriteAt(buf[:k*len(src)], off); err != nil {
				return err
			}
			off += int64(k * len(src))
			left -= k
		}
		return nil
	}
	// a register in a temporary file
	buf := make([]byte, registerInMemory)
	for i := 0; i < n; i++ {
		for done := int64(0); done < unit; {
			k := min(int64(len(buf)), unit-done)
			if _, err := e.reg.file.ReadAt(buf[:k], done); err != nil {
				return err
			}
			if _, err := g.WriteAt(buf[:k], off+done); err != nil {
				return err
			}
			done += k
		}
		off += unit
	}
	return nil
}
