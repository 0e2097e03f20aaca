package view

// toosmall.go: a terminal too small to show one row of bytes (the grid's
// column header and one row, a row of one byte wide) shows only "terminal
// too small" and what it needs, and edits are refused until it grows: a
// byte typed, undone or filled there would change the file where nobody
// can see it. Moving, searching, syncing and quitting still work.

import (
	"fmt"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
)

// minRows is the smallest height that shows a byte row: the header, the
// grid's column header, one row and the message line (the status line
// needs a fifth).
const minRows = 4

// minColumns is the smallest width that shows a byte row: the offset, one
// byte in hex and as text.
func (e *Editor) minColumns() int { return makeGeom(offsetDigits(e.size), 1).width }

// drawTooSmall draws the notice a screen too small to show a byte row
// gets instead of everything else (layoutFor decides; adoptLayout keeps
// e.tooSmall, which refuses edits, after each event).
func (e *Editor) drawTooSmall(s tcell.Screen, x, y, w int) {
	drawText(s, x, y, w, fmt.Sprintf("terminal too small (min %d×%d)", e.minColumns(), minRows), styleError)
	s.HideCursor()
}

// editingActions change the file.
var editingActions = map[keymap.Action]bool{
	keymap.Undo: true, keymap.Redo: true, keymap.RevertAll: true,
	keymap.ReplaceByte: true, keymap.PasteHex: true, keymap.Fill: true,
	keymap.Resize: true, keymap.PunchHole: true, keymap.ZeroRange: true, keymap.InsertBlocks: true, keymap.DeleteBlocks: true,
}

// refuseTooSmall refuses an edit (a typed byte when a is "") while the
// terminal is too small, and says so.
func (e *Editor) refuseTooSmall(a keymap.Action) bool {
	if !e.tooSmall || (a != "" && !editingActions[a]) {
		return false
	}
	e.Errorf("terminal too small: the file was not changed (enlarge it to at least %d×%d to edit)", e.minColumns(), minRows)
	return true
}
