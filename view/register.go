package view

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"mmhex/keymap"
	"mmhex/mapping"
)

// registerInMemory is the largest register kept in memory; a larger one
// goes to an unlinked temporary file, as the journal's large edits do
// (mapping.SpillDir).
const registerInMemory = 1 << 20

// putPart is how much of a register in a file put stores at once: one
// fdatasync of the durable journal a part, and, being over 1 MiB, the
// in-memory journal keeps the part's bytes in its spill file, not in RAM
// (1 MiB parts took 1024 fdatasyncs and held 2 GiB of RAM for a 1 GiB
// put).
const putPart = 8 << 20

// register is the internal register: the bytes the last copy (yank) took,
// which put writes over the bytes at the cursor. Its size is not bounded
// by memory: a large one lives in a temporary file.
type register struct {
	n    int64
	mem  []byte   // when n <= registerInMemory
	file *os.File // else: unlinked
}

func (r *register) clear() {
	if r.file != nil {
		r.file.Close()
	}
	*r = register{}
}

// fillRegister copies [off, off+n) of the file into the register.
func (e *Editor) fillRegister(off, n int64) error {
	r := &e.reg
	r.clear()
	if n <= registerInMemory {
		buf := make([]byte, n)
		if got, err := e.f.ReadAt(buf, off); int64(got) < n {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		r.n, r.mem = n, buf
		return nil
	}
	t, err := os.CreateTemp(mapping.SpillDir(), "mmhex-register-*")
	if err != nil {
		return err
	}
	os.Remove(t.Name())
	if _, err := e.f.CopyTo(t, off, n); err != nil {
		t.Close()
		return err
	}
	r.n, r.file = n, t
	return nil
}

// put writes the register over the bytes at the cursor: one journaled
// edit (a large register is stored part by part in one edit group: one
// undo step). Bytes past the end of the file are refused: the file never
// grows.
func (e *Editor) put() {
	r := &e.reg
	if r.n == 0 {
		e.Errorf("the register is empty: %s copies the selection into it", orDefault(keyName(e, keymap.CopyHex), "copy-hex"))
		return
	}
	if e.pastEnd() {
		return
	}
	if e.size == 0 || r.n > e.size-e.cursor {
		e.Errorf("put: %s at 0x%x would run past the end of the file (%s): nothing written; mmhex never grows a file",
			plural64(r.n, "byte"), e.cursor, plural64(e.size, "byte"))
		return
	}
	off := e.cursor
	undo := orDefault(keyName(e, keymap.Undo), "undo")
	if r.file == nil {
		if _, err := e.f.WriteAt(r.mem, off); err != nil {
			e.ShowError(err)
			return
		}
		e.last = lastChange{kind: changePut, count: 1}
		e.Message("put %s at 0x%x (%s undoes it)", plural64(r.n, "byte"), off, undo)
		return
	}
	rf, n := r.file, r.n
	e.partsJob("putting", "put", off, n, func(buf []byte, at int64) error {
		if _, err := rf.ReadAt(buf, at); err != nil {
			return fmt.Errorf("put: the register's file: %w", err)
		}
		return nil
	}, func(stored int64, err error) {
		if stored > 0 {
			e.last = lastChange{kind: changePut, count: 1}
		}
		switch {
		case errors.Is(err, context.Canceled):
			if stored == 0 {
				e.Message("put cancelled: nothing was changed")
				return
			}
			e.Message("put stopped after %d of %s at 0x%x (%s undoes them)", stored, plural64(n, "byte"), off, undo)
		case err != nil:
			e.ShowError(e.editError(err))
		default:
			e.Message("put %s at 0x%x (%s undoes it)", plural64(n, "byte"), off, undo)
		}
	})
}

// partsJob stores n bytes at off as the editor's job (job.go), one undo
// step (one mapping.Group): parts of at most putPart bytes, each made by
// part (buf filled with the bytes for [at, at+len(buf)) of the n), the
// percentage in the status line; Esc stops it after the part being
// stored (context.Canceled). end runs on the UI goroutine with the bytes
// stored and the error. A put of a large register and its repeats use it:
// a 1 GiB put no longer holds the screen.
func (e *Editor) partsJob(what, noun string, off, n int64, part func(buf []byte, at int64) error, end func(stored int64, err error)) {
	g := e.f.Group()
	e.runJob(what, "", func(ctx context.Context, progress func(string)) func() {
		buf := make([]byte, min(putPart, n))
		var stored int64
		var err error
		for stored < n {
			if ctx.Err() != nil {
				err = context.Canceled
				break
			}
			c := min(int64(len(buf)), n-stored)
			if err = part(buf[:c], stored); err != nil {
				break
			}
			if _, err = g.WriteAt(buf[:c], off+stored); err != nil {
				break
			}
			stored += c
			progress(percent(stored, n))
		}
		return func() { end(stored, err) }
	}).stops("the " + noun + ": it stops after the part it is storing")
}

// yankNote is what the copy message adds about the register.
func (e *Editor) yankNote(n int64) string {
	return fmt.Sprintf("%s in the register (%s puts them at the cursor)", plural64(n, "byte"), orDefault(keyName(e, keymap.Put), "put"))
}
