package view

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"mmhex/keymap"
	"mmhex/mapping"
)

// WriteAt is an edit through the editor: f.WriteAt, with the read-only
// refusal in the editor's words. The unsynced highlight is the mapping's
// own record (f.UnsyncedBytes: every store since the last MS_SYNC), so an
// edit made any way shows.
func (e *Editor) WriteAt(p []byte, off int64) error {
	if err := e.jobErr(); err != nil {
		return err
	}
	var err error
	if e.typing != nil && e.keys.Mode() == keymap.ModeReplace {
		_, err = e.typing.WriteAt(p, off) // one R…Esc session: one undo step, as in vim
	} else {
		_, err = e.f.WriteAt(p, off)
	}
	if err != nil {
		return e.editError(err)
	}
	return nil
}

// Fill is a journaled fill of n bytes at off with b through the editor.
func (e *Editor) Fill(off, n int64, b byte) error {
	if err := e.jobErr(); err != nil {
		return err
	}
	if err := e.f.Fill(off, n, b); err != nil {
		return e.editError(err)
	}
	return nil
}

// editError turns the mapping's read-only refusal into the editor's message.
func (e *Editor) editError(err error) error {
	if errors.Is(err, mapping.ErrReadOnly) {
		return errReadOnly
	}
	return err
}

var errReadOnly = errors.New("the file is open read-only: nothing was changed")

// isUnsyncedByte reports whether the byte at off was stored since the last
// MS_SYNC (the mapping's record: f.IsUnsyncedByte).
func (e *Editor) isUnsyncedByte(off int64) bool { return e.f.IsUnsyncedByte(off) }

// typeRune writes a typed key into the file at the cursor: a hex digit in
// the hex column (high nibble, then low nibble and advance), a character in
// the text column (its UTF-8 bytes, then advance).
func (e *Editor) typeRune(r rune) {
	if e.busy() {
		return
	}
	if e.size == 0 {
		e.Errorf("the file is empty: there is no byte to overwrite")
		return
	}
	if e.f.Mode() == mapping.ReadOnly {
		e.ShowError(errReadOnly)
		return
	}
	if e.pastEnd() {
		return
	}
	if e.col == HexColumn {
		d, ok := hexVal(r)
		switch {
		case !ok && e.nibble == 0 && (r == 'q' || r == 'Q' || r == ':'):
			// q and :q quit elsewhere (less, vi): not a byte here, so say
			// how to quit; in the text column q is typed as a byte
			e.Errorf("%q is not a hex digit; %s", r, e.quitHint())
			return
		case !ok:
			e.Errorf("%q is not a hex digit (Tab switches to the text column)", r)
			return
		}
		if e.nibble == 0 {
			var cur [1]byte
			if _, err := e.f.ReadAt(cur[:], e.cursor); err != nil {
				e.ShowError(err)
				return
			}
			// The high nibble is written at once (other processes see it).
			hb := d<<4 | cur[0]&0x0f
			e.coverAhead()
			if err := e.WriteAt([]byte{hb}, e.cursor); err != nil {
				e.ShowError(err)
				return
			}
			e.nibble, e.halfByte = 1, hb
			e.noteTyped(e.cursor, []byte{hb})
			return
		}
		// The low nibble: one store computed from the byte the high
		// nibble made, merged into its journal entry (one undo restores
		// the byte, and the edit count counts bytes, not key presses).
		// When another writer changed the byte in between, nothing is
		// stored: a value neither wrote is never made.
		nb := e.halfByte&0xf0 | d
		err := e.f.Amend([]byte{nb}, e.cursor, []byte{e.halfByte})
		if errors.Is(err, mapping.ErrChanged) {
			var now [1]byte
			e.f.ReadAt(now[:], e.cursor)
			e.nibble = 0
			e.Errorf("the byte at 0x%x changed to %02x under the half-typed %02x (another writer): the digit %c was not stored; type the byte again",
				e.cursor, now[0], e.halfByte, r)
			return
		}
		if err != nil {
			e.ShowError(e.editError(err))
			return
		}
		e.nibble = 0
		e.noteTyped(e.cursor, []byte{nb})
		if e.keys.ByteWritten() { // vim's r: the cursor stays
			e.endTyped()
		} else {
			e.advance(1)
		}
		return
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if r < 0x20 || r == 0x7f {
		e.Errorf("only printable characters can be typed in the text column")
		return
	}
	if rest := e.size - e.cursor; int64(n) > rest {
		e.Errorf("%q needs %d bytes; only %d left before the end of the file", r, n, rest)
		return
	}
	e.coverAhead()
	if err := e.WriteAt(buf[:n], e.cursor); err != nil {
		e.ShowError(err)
		return
	}
	e.noteTyped(e.cursor, buf[:n])
	if e.keys.ByteWritten() {
		e.endTyped()
	} else {
		e.advance(int64(n))
	}
}

// coverAhead: a typed key is about to store a new byte at the cursor
// while more keys are queued behind it (a burst: a program typing, tmux
// send-keys, a fast key repeat). The durable journal then saves the bytes
// those keys can reach, [cursor, cursor+queued+1), ahead with one
// fdatasync (mapping.File.Cover), so that the burst's stores cost a
// write(2) each instead of an fdatasync each. A key typed with nothing
// queued (a person typing) covers nothing: its byte is journaled and
// synced on its own, as before. Queued keys that are not typed bytes
// (arrows, Esc) make the cover longer than needed, which costs a few
// journaled bytes and nothing else. A Cover that fails changes nothing:
// the store's own record is then synced as usual (and says what failed).
func (e *Editor) coverAhead() {
	if e.ds == nil {
		return
	}
	q := e.ds.polled.Load() - e.ds.handled.Load()
	if q <= 0 {
		return
	}
	e.f.Cover(e.cursor, min(q+1, mapping.MaxCover))
}

// advance moves the cursor forward after typing, staying on the last byte.
func (e *Editor) advance(n int64) {
	e.SetCursor(min(e.cursor+n, e.size-1))
}

func hexVal(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r - '0'), true
	case r >= 'a' && r <= 'f':
		return byte(r-'a') + 10, true
	case r >= 'A' && r <= 'F':
		return byte(r-'A') + 10, true
	}
	return 0, false
}

// undo undoes (or redoes) one edit and puts the cursor on it; false when
// there was none or it failed (the message says so).
func (e *Editor) undo(redo bool) bool {
	f := e.f
	step, verb, doing, do, shape := f.UndoBytes(), "undid", "undoing", f.Undo, f.UndoShape
	if redo {
		step, verb, doing, do, shape = f.RedoBytes(), "redid", "redoing", f.Redo, f.RedoShape
	}
	if e.running && (step >= bigStep || shape()) {
		// A large step (a fill of gigabytes: its bytes come back from
		// the spill file) or a shape change (a block move, a resize)
		// runs as the editor's job: the screen keeps drawing, edits
		// wait. A count stops here.
		e.runJob(doing, "an undo step is not stopped halfway", func(context.Context, func(string)) func() {
			ed, err := do()
			return func() { e.undone(ed, err, verb) }
		})
		return false
	}
	ed, err := do()
	return e.undone(ed, err, verb)
}

// bigStep is the size from which an undo or redo step runs as the
// editor's job (off the UI goroutine) rather than at once.
const bigStep = 4 << 20

// undone reports an undo or redo step (verb "undid", "redid") and puts the
// cursor on it; false when there was nothing to do or it failed.
func (e *Editor) undone(ed mapping.Edit, err error, verb string) bool {
	if err != nil {
		if errors.Is(err, mapping.ErrNothingToUndo) {
			e.Message("nothing to undo")
		} else if errors.Is(err, mapping.ErrNothingToRedo) {
			e.Message("nothing to redo")
		} else {
			e.ShowError(err)
		}
		return false
	}
	if ed.Shape != 0 {
		return e.undoneShape(ed, verb)
	}
	e.SetCursor(ed.Off)
	if ed.Dropped {
		// Nothing was put back: the edit left the journal.
		e.Errorf("%s nothing: %s; the edit of %s at 0x%x is dropped from the journal", verb, ed.Skipped, plural(int(ed.Len), "byte"), ed.Off)
		return true
	}
	if ed.Skipped.Ranges > 0 {
		e.Errorf("%s the edit of %s at 0x%x; %s", verb, plural(int(ed.Len), "byte"), ed.Off, ed.Skipped)
		return true
	}
	e.Message("%s the edit of %s at 0x%x", verb, plural(int(ed.Len), "byte"), ed.Off)
	return true
}

// undoneShape reports an undo or redo step that changed the file's shape
// (a resize, a block insert or delete, a punch or zero range): the view
// adopts the new size, the cursor, the marks and the jump list move with
// their bytes as after the change itself, and the cursor goes to where
// the change was.
func (e *Editor) undoneShape(ed mapping.Edit, verb string) bool {
	e.size = e.f.Size()
	pre := e.places()
	e.adoptShape(ed.ShiftAt, ed.ShiftBy)
	if verb == "undid" {
		e.restorePlaces(ed.SizeBefore, ed.Size, pre)
	} else {
		e.noteRemoved(ed.SizeBefore, ed.Size, pre)
	}
	e.SetCursor(ed.Off)
	what := fmt.Sprintf("%s the %s of %s at 0x%x", verb, ed.ShapeName(), plural64(ed.Len, "byte"), ed.Off)
	if ed.Size != ed.SizeBefore {
		what += fmt.Sprintf(" (size %d → %d)", ed.SizeBefore, ed.Size)
	}
	if ed.Skipped.Ranges > 0 {
		e.Errorf("%s; %s", what, ed.Skipped)
		return true
	}
	e.Message("%s", what)
	return true
}

// sync writes what is not on disk and reports what it did, then calls
// then (when not nil) with the error (nil on success) on the UI goroutine.
// MS_SYNC (the sync action, :w, :wq, the quit dialog's s):
// msync(MS_SYNC) of the pages edited here; then, when cachestat says the
// file still has dirty pages (someone else's: cp, another writer),
// fdatasync of the file, so that what the disk view and page panel promise
// ("Ctrl-S writes the page") holds for every page. With no page edited
// here, fdatasync alone. Both run as the editor's job (job.go): off the UI
// goroutine, with the pages synced so far in the status line; an msync in
// flight cannot be interrupted. MS_ASYNC (sync-async) hands the edited
// pages to msync(MS_ASYNC), a no-op on Linux: they stay unsynced
// (highlighted, counted, asked about at quit) and the message says how
// many are still dirty. A read-only open syncs nothing and says so.
func (e *Editor) sync(m mapping.SyncMode, then func(error)) { e.syncFile(e.f, m, then) }

// syncFile is sync of f: the active file, or in the quit dialog of mmhex
// A B the other one.
func (e *Editor) syncFile(f *mapping.File, m mapping.SyncMode, then func(error)) {
	if then == nil {
		then = func(error) {}
	}
	key := syncKey(e)
	if f.Mode() == mapping.ReadOnly {
		switch d := f.DirtyPages(); {
		case d > 0:
			e.Errorf("the file is open read-only: not synced; its %s (not edited here) wait for kernel writeback", plural(int(d), "dirty page"))
		case d < 0:
			e.Message("the file is open read-only: not synced (the kernel does not say whether it has dirty pages)")
		default:
			e.Message("read-only: there is nothing to sync")
		}
		then(nil)
		return
	}
	shared := f.Mode() == mapping.Shared
	pages := f.UnsyncedPages()
	if m == mapping.MSAsync {
		if pages == 0 && shared {
			e.Message("nothing to sync: no page was written here since the last sync")
			then(nil)
			return
		}
		r, err := f.Sync(m)
		if err != nil {
			e.ShowError(err)
			then(err)
			return
		}
		// Nothing is known to be on disk: the bytes stay unsynced.
		still := "dirty count unknown"
		if r.StillDirty >= 0 {
			still = fmt.Sprintf("%d still dirty", r.StillDirty)
		}
		e.Message("%s: %s queued (a no-op on Linux), %s; still unsynced until %s",
			r.Flag, plural(r.Pages, "page"), still, key)
		then(nil)
		return
	}
	if pages == 0 && shared {
		d := f.DirtyPages()
		if d == 0 {
			e.Message("nothing to sync: no page was written here since the last sync, and the file has no dirty page")
			then(nil)
			return
		}
		e.runJob("syncing", "fdatasync cannot be interrupted", func(context.Context, func(string)) func() {
			r, err := f.SyncFile()
			return func() {
				if err != nil {
					e.ShowError(err)
					then(err)
					return
				}
				if r.Pages < 0 || d < 0 {
					e.Message("nothing edited here: synced the whole file with fdatasync in %s (the kernel does not say how many pages were dirty)", formatDuration(r.Duration))
				} else {
					e.Message("nothing edited here: synced the whole file with fdatasync, %s written in %s", plural(r.Pages, "dirty page"), formatDuration(r.Duration))
				}
				then(nil)
			}
		})
		return
	}
	e.runJob("syncing", "msync cannot be interrupted", func(_ context.Context, progress func(string)) func() {
		r, err := f.SyncAllProgress(func(done, total int) {
			progress(fmt.Sprintf("%d/%d pages", done, total))
		})
		return func() {
			if err == nil {
			}
			msg := fmt.Sprintf("%s: %s", r.Flag, describeSyncShort(r))
			switch {
			case err != nil:
				e.ShowError(err)
				then(err)
				return
			case r.Others > 0:
				msg += fmt.Sprintf("; then fdatasync: %s of the file (not edited here) in %s", plural(r.Others, "other dirty page"), formatDuration(r.OthersDuration))
			case r.Others < 0:
				msg += fmt.Sprintf("; then fdatasync of the file in %s (the kernel does not say how many pages were dirty)", formatDuration(r.OthersDuration))
			}
			e.Message("%s", msg)
			then(nil)
		}
	})
}

// syncKey names the sync action's key ("Ctrl-S"), or ":w" where no key is
// bound to it (the vim preset).
func syncKey(e *Editor) string {
	if k := keyName(e, keymap.Sync); k != "" {
		return k
	}
	return ":w"
}

func describeSyncShort(r mapping.SyncResult) string {
	return fmt.Sprintf("%s, %d B in %s", plural(r.Pages, "page"), r.Bytes, formatDuration(r.Duration))
}
