package view

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
)

// copySelection sends the selection to the terminal clipboard (tcell's
// SetClipboard: OSC 52), as hex text ("de ad be ef") or raw bytes.
func (e *Editor) copySelection(asHex bool) {
	off, n, ok := e.Selection()
	if !ok {
		e.noSelection()
		return
	}
	if e.restoring() {
		// The step holds the file: the copy would wait for it.
		e.busy()
		return
	}
	// The internal register takes any size (put writes it back).
	if err := e.fillRegister(off, n); err != nil {
		e.Errorf("copy into the register: %v", err)
		return
	}
	if n > maxClipboard {
		e.Message("%s; too large for the terminal clipboard (OSC 52 takes at most %s; %s writes it to a file)",
			e.yankNote(n), display.HumanBytes(maxClipboard), orDefault(keyName(e, keymap.WriteSelection), "write-selection"))
		e.afterSelectionAction()
		return
	}
	buf := make([]byte, n)
	got, err := e.f.ReadAt(buf, off)
	if got < len(buf) {
		if err == nil {
			err = fmt.Errorf("short read")
		}
		e.Errorf("copy: %v", err)
		return
	}
	data := buf
	what := "raw bytes"
	if asHex {
		data = []byte(hexText(buf))
		what = "hex text"
	}
	e.mu.Lock()
	s := e.screen
	e.mu.Unlock()
	if s == nil {
		e.Errorf("copy: no terminal")
		return
	}
	doCopy := func() {
		s.SetClipboard(data)
		e.Message("copied %s as %s (%s) to the clipboard through the terminal (OSC 52)",
			describeRange(off, n), what, plural(len(data), "byte"))
		e.afterSelectionAction()
	}
	ctl, first := controlBytes(data)
	if asHex || ctl == 0 {
		doCopy()
		return
	}
	// Pasted into a terminal, control bytes act: ESC [201~ ends a
	// bracketed paste, and what follows runs as typed. Ask first.
	notCopied := func() { e.Message("not copied: %s holds control bytes", describeRange(off, n)) }
	e.OpenPrompt(&Prompt{
		Label: fmt.Sprintf("%s holds %s (the first, 0x%02x, at 0x%x) that act when pasted into a terminal: copy raw anyway? y/n",
			describeRange(off, n), plural(ctl, "control byte"), data[first], off+int64(first)),
		Key: func(p *Prompt, ev *tcell.EventKey) bool {
			if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyEnter || ev.Key() == tcell.KeyCtrlC {
				return false
			}
			e.prompt = nil
			if r, ok := keymap.FromEvent(ev).Rune(); ok && (r == 'y' || r == 'Y') {
				doCopy()
			} else {
				notCopied()
			}
			return true
		},
		Cancel: notCopied,
		Done: func(string) error {
			notCopied()
			return nil
		},
	})
}

// controlBytes counts the bytes of b that a terminal acts on when they are
// pasted (C0 controls other than tab, line feed and carriage return, and
// DEL) and returns the index of the first.
func controlBytes(b []byte) (n, first int) {
	first = -1
	for i, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			if n == 0 {
				first = i
			}
			n++
		}
	}
	return n, first
}

// hexText is "de ad be ef".
func hexText(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 3)
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&15])
	}
	return sb.String()
}

// parseOneByte parses a fill byte: two hex digits ("ff", "0xff", "00").
func parseOneByte(s string) (byte, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X")
	b, err := mapping.ParseHex(t)
	if err != nil {
		return 0, err
	}
	if len(b) != 1 {
		return 0, fmt.Errorf("one byte in hex, such as 00 or ff (got %d bytes)", len(b))
	}
	return b[0], nil
}

// fillSelection fills the selection with one byte: a journaled edit
// (mapping Fill), so undo restores it.
func (e *Editor) fillSelection(expr string) {
	if e.pastEnd() { // a selection to the cursor in the other file's tail (mmhex A B)
		return
	}
	off, n, ok := e.Selection()
	if !ok {
		e.noSelection()
		return
	}
	if e.f.Mode() == mapping.ReadOnly { // say so now, not after the prompt
		e.ShowError(errReadOnly)
		return
	}
	do := func(text string) error {
		b, err := parseOneByte(text)
		if err != nil {
			return err
		}
		e.fillJob(off, n, b)
		return nil
	}
	e.promptOrRun(expr, &Prompt{
		Label: fmt.Sprintf("fill %s with byte:", describeRange(off, n)),
		Hint:  "hex, e.g. 00 or ff",
		Done:  do,
	})
}

// fillJob fills n bytes at off with b as the editor's job (job.go): in
// parts, the percentage in the status line; Esc stops it after the part
// being stored, and the parts stored are one journaled edit.
func (e *Editor) fillJob(off, n int64, b byte) {
	f := e.f
	undo := orDefault(keyName(e, keymap.Undo), "undo")
	e.runJob("filling", "", func(ctx context.Context, progress func(string)) func() {
		done, err := f.FillContext(ctx, off, n, b, func(done int64) { progress(percent(done, n)) })
		return func() {
			switch {
			case errors.Is(err, context.Canceled):
				if done == 0 {
					e.Message("fill cancelled: nothing was changed")
					return
				}
				e.Message("fill cancelled: filled %s with 0x%02x (%s undoes it)", describeRange(off, done), b, undo)
			case err != nil:
				e.ShowError(e.editError(err))
			default:
				e.Message("filled %s with 0x%02x (%s undoes it)", describeRange(off, n), b, undo)
				e.afterSelectionAction()
			}
		}
	}).stops("the fill: it stops after the part it is storing")
}

// pasteHex overwrites bytes at the cursor with hex bytes typed or pasted
// in a prompt (a journaled edit).
func (e *Editor) pasteHex(expr string) {
	if e.size == 0 {
		e.Errorf("empty file: nothing to overwrite")
		return
	}
	if e.f.Mode() == mapping.ReadOnly { // say so now, not after the prompt
		e.ShowError(errReadOnly)
		return
	}
	if e.pastEnd() {
		return
	}
	at := e.cursor
	do := func(text string) error {
		b, err := mapping.ParseHex(text)
		if err != nil {
			return err
		}
		if len(b) == 0 {
			return errors.New("no bytes")
		}
		if room := e.size - at; int64(len(b)) > room {
			return fmt.Errorf("%s do not fit: %s from 0x%x to the end of the file (mmhex never grows a file)",
				plural(len(b), "byte"), plural64(room, "byte"), at)
		}
		if err := e.WriteAt(b, at); err != nil {
			return err
		}
		e.Message("overwrote %s with %s (%s undoes it)", describeRange(at, int64(len(b))), plural(len(b), "byte"),
			orDefault(keyName(e, keymap.Undo), "undo"))
		return nil
	}
	e.promptOrRun(expr, &Prompt{
		Label: fmt.Sprintf("overwrite at 0x%x with hex:", at),
		Hint:  "de ad be ef (type or paste)",
		Done:  do,
	})
}
