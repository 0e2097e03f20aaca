package view

import (
	"context"
	"fmt"

	"mmhex/keymap"
	"mmhex/mapping"
)

// The editor's own actions: moving, editing, saving, quitting, screen.
func registerCore(e *Editor) {
	registerJumps(e)
	registerReplace(e)
	e.Handle(keymap.Put, func(e *Editor, a Args) { e.put() })
	e.Handle(keymap.Repeat, func(e *Editor, a Args) { e.repeat(a) })
	bpr := func() int64 { return int64(e.bpr) }
	// n is a move's count, at most the file's size: no move needs more
	// steps, and a 19-digit count cannot overflow the arithmetic.
	n := func(a Args) int64 { return min(int64(a.N()), max(e.size, 1)) }
	move := func(delta int64) {
		if e.size == 0 {
			return
		}
		t := e.cursor + delta
		t = max(min(t, e.limit()-1), 0)
		e.SetCursor(t)
	}
	e.Handle(keymap.Left, func(e *Editor, a Args) { move(-n(a)) })
	e.Handle(keymap.Right, func(e *Editor, a Args) { move(n(a)) })
	// Up and Down keep the column; a count larger than the rows there are
	// goes as far as it can (the first or last row), as vim's "100k" does.
	e.Handle(keymap.Up, func(e *Editor, a Args) {
		if rows := min(n(a), e.cursor/bpr()); rows > 0 {
			if e.squeezing() { // a squeezed hole is no stop
				move(e.stepRows(-rows) - e.cursor/bpr()*bpr())
				return
			}
			move(-rows * bpr())
		}
	})
	e.Handle(keymap.Down, func(e *Editor, a Args) {
		if rows := min(n(a), (e.limit()-1)/bpr()-e.cursor/bpr()); rows > 0 {
			if e.squeezing() { // a squeezed hole is no stop
				move(e.stepRows(rows) - e.cursor/bpr()*bpr())
				return
			}
			move(rows * bpr()) // onto the last, shorter row: its last byte
		}
	})
	e.Handle(keymap.PageUp, func(e *Editor, a Args) { e.scrollRows(-int(n(a)) * e.visibleRows()) })
	e.Handle(keymap.PageDown, func(e *Editor, a Args) { e.scrollRows(int(n(a)) * e.visibleRows()) })
	e.Handle(keymap.HalfPageUp, func(e *Editor, a Args) { e.scrollRows(-int(n(a)) * max(e.visibleRows()/2, 1)) })
	e.Handle(keymap.HalfPageDown, func(e *Editor, a Args) { e.scrollRows(int(n(a)) * max(e.visibleRows()/2, 1)) })
	e.Handle(keymap.RowStart, func(e *Editor, a Args) { move(-(e.cursor % bpr())) })
	e.Handle(keymap.RowEnd, func(e *Editor, a Args) { move(bpr() - 1 - e.cursor%bpr()) })
	e.Handle(keymap.Top, func(e *Editor, a Args) {
		if a.Count > 0 { // "N g g" is "N G", as in vim
			e.gotoExpr(fmt.Sprint(a.Count))
			return
		}
		e.PushJump()
		e.jump(0)
	})
	e.Handle(keymap.Bottom, func(e *Editor, a Args) {
		if a.Count > 0 {
			e.gotoExpr(fmt.Sprint(a.Count))
			return
		}
		e.PushJump()
		e.jump(e.size - 1)
	})
	e.Handle(keymap.Goto, func(e *Editor, a Args) {
		if a.Expr != "" {
			e.gotoExpr(a.Expr)
			return
		}
		e.OpenPrompt(&Prompt{
			Label: "goto:",
			Hint:  "123 0x7b +N -N 50% 4k 1M end",
			Done: func(text string) error {
				off, err := parseGoto(text, e.cursor, e.size)
				if err != nil {
					return err
				}
				e.PushJump()
				e.jump(off)
				return nil
			},
		})
	})
	e.Handle(keymap.WordNext, func(e *Editor, a Args) {
		t := (e.cursor/groupSize + n(a)) * groupSize
		move(min(t, e.size-1) - e.cursor)
	})
	e.Handle(keymap.WordPrev, func(e *Editor, a Args) {
		t := e.cursor / groupSize * groupSize
		if t == e.cursor {
			t -= groupSize
		}
		t -= (n(a) - 1) * groupSize
		move(max(t, 0) - e.cursor)
	})

	e.Handle(keymap.SwitchColumn, func(e *Editor, a Args) {
		if e.col == HexColumn {
			e.col = TextColumn
		} else {
			e.col = HexColumn
		}
		e.nibble = 0
	})
	// A count undoes or redoes that many edits, and stops at the end of
	// the journal ("999999999u" is not a billion failed undos).
	e.Handle(keymap.Undo, func(e *Editor, a Args) {
		for i := 0; i < a.N() && e.undo(false); i++ {
		}
	})
	e.Handle(keymap.Redo, func(e *Editor, a Args) {
		for i := 0; i < a.N() && e.undo(true); i++ {
		}
	})
	// revert-all runs as the editor's job (job.go), an edit at a time
	// with the count in the status line; it is not cancelled halfway.
	e.Handle(keymap.RevertAll, func(e *Editor, a Args) {
		e.nibble = 0 // a high nibble typed before is reverted too: the next digit starts a byte
		f := e.f
		e.runJob("reverting", "a revert is not stopped halfway", func(_ context.Context, progress func(string)) func() {
			r, err := f.RevertAllProgress(func(done, total int) {
				progress(fmt.Sprintf("%d/%d edits", done, total))
			})
			return func() {
				if e.f == f && e.size != f.Size() {
					// Shape changes were reverted: clamp the cursor and
					// the marks into the file as it is now.
					e.size = f.Size()
					e.adoptShape(0, 0)
					e.removed = nil
				}
				if err != nil {
					e.ShowError(err)
					return
				}
				if r.Edits == 0 && r.Dropped == 0 {
					e.Message("nothing to revert")
					return
				}
				if r.Skipped.Ranges > 0 {
					e.Errorf("%s; %s", revertedText(r.Edits, "edit"), r.Skipped)
					return
				}
				e.Message("reverted %s; the restored bytes are unsynced until a sync (redo brings the edits back)", plural(r.Edits, "edit"))
			}
		})
	})
	// replace-mode, replace-byte and normal-mode switch the dispatcher's
	// mode; the status line shows it.
	e.Handle(keymap.NormalMode, func(e *Editor, a Args) {
		e.endTyped() // R … Esc (or r and Esc after a half byte) is the change . repeats
		e.nibble, e.typing = 0, nil
	})
	// On a read-only file R and r say so at once and stay in normal mode,
	// like every other edit key, instead of entering replace mode silently.
	for _, act := range []keymap.Action{keymap.ReplaceMode, keymap.ReplaceByte} {
		e.Handle(act, func(e *Editor, a Args) {
			e.nibble = 0
			e.rec = typedBytes{}
			if act == keymap.ReplaceMode {
				e.typing = e.f.Group()
			}
			if e.f.Mode() == mapping.ReadOnly {
				e.keys.SetMode(keymap.ModeNormal)
				e.ShowError(errReadOnly)
			}
		})
	}

	// vim's insert and delete keys (i, a, Insert, x): typing overwrites in
	// place, so they say what to use instead, and which key inserts or
	// deletes whole blocks (view/reshape.go).
	cannot := func(shape keymap.Action, does string) Handler {
		return func(e *Editor, a Args) {
			e.Errorf("mmhex overwrites in place: %s from the cursor, %s one byte; %s %s",
				orDefault(keyName(e, keymap.ReplaceMode), string(keymap.ReplaceMode)), orDefault(keyName(e, keymap.ReplaceByte), string(keymap.ReplaceByte)),
				orDefault(keyName(e, shape), ":"+string(shape)), does)
		}
	}
	e.Handle(keymap.Insert, cannot(keymap.InsertBlocks, "inserts zero blocks"))
	e.Handle(keymap.Delete, cannot(keymap.DeleteBlocks, "deletes whole blocks"))

	e.Handle(keymap.Sync, func(e *Editor, a Args) { e.sync(mapping.MSSync, nil) })
	e.Handle(keymap.SyncAsync, func(e *Editor, a Args) { e.sync(mapping.MSAsync, nil) })
	e.Handle(keymap.SyncQuit, func(e *Editor, a Args) {
		e.sync(mapping.MSSync, func(err error) {
			if err == nil {
				e.Stop()
			}
		})
	})
	// writeback (sync_file_range) belongs to the page panel (view/lab/pagepanel.go).
	e.Handle(keymap.Quit, func(e *Editor, a Args) { e.quit() })
	e.Handle(keymap.QuitRevert, func(e *Editor, a Args) {
		e.revertUnsynced(func(err error) {
			if err != nil {
				e.ShowError(err)
				return
			}
			e.Stop()
		})
	})

	e.Handle(keymap.Help, func(e *Editor, a Args) { e.showHelp() })
	e.Handle(keymap.Inspector, func(e *Editor, a Args) { e.TogglePanel(inspectorPanel) })
	e.Handle(keymap.FitWidth, func(e *Editor, a Args) {
		e.opts.FitWidth = !e.opts.FitWidth
		if e.opts.FitWidth {
			e.Message("row width follows the terminal width")
		} else if _, _, w, _ := e.grid.GetInnerRect(); w > 0 && makeGeom(offsetDigits(e.size), e.opts.BytesPerRow).width > w {
			// the configured width does not fit: say what is shown
			e.Message("row width %d bytes (%d fit the terminal)", e.opts.BytesPerRow, min(e.opts.BytesPerRow, fitBytesPerRow(w, offsetDigits(e.size))))
		} else {
			e.Message("row width %d bytes", e.opts.BytesPerRow)
		}
	})
	e.Handle(keymap.CommandLine, func(e *Editor, a Args) {
		e.OpenPrompt(&Prompt{
			Label: ":",
			Hint:  "w q q! wq 0x100 help, or any action name",
			Done: func(text string) error {
				o, err := e.keys.ParseEx(text)
				if err != nil {
					return err
				}
				if o.Result != keymap.Found {
					return nil
				}
				e.prompt = nil
				e.runOutcome(o)
				return nil
			},
		})
	})
	e.Handle(keymap.Cancel, func(e *Editor, a Args) {
		for _, h := range e.cancelHooks {
			if h() {
				return
			}
		}
		if e.nibble != 0 { // a half-typed byte: cancelled
			e.nibble = 0
			e.msg = ""
			return
		}
		// Esc with nothing to cancel, twice in a row: someone looking
		// for the way out (vi's and less's habit) is told it.
		if e.idleCancels = e.cancelsBefore + 1; e.idleCancels >= 2 {
			e.Message("%s", e.quitHint())
			return
		}
		e.msg = ""
	})
}

// OnCancel registers fn to run on the cancel action (Esc); true means it
// cancelled something and later hooks are skipped.
func (e *Editor) OnCancel(fn func() bool) { e.cancelHooks = append(e.cancelHooks, fn) }

// jump moves the cursor to off and centres the view when it was off screen.
func (e *Editor) jump(off int64) {
	if e.size == 0 {
		return
	}
	start, end := e.VisibleRange()
	if off >= start && off < end {
		e.SetCursor(off)
		return
	}
	e.CenterOn(off)
}

// gotoExpr evaluates a goto expression given without a prompt (":0x100").
func (e *Editor) gotoExpr(expr string) {
	off, err := parseGoto(expr, e.cursor, e.size)
	if err != nil {
		e.ShowError(err)
		return
	}
	e.PushJump()
	e.jump(off)
}
