package view

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
)

// copySelection sends the selection to the terminal clipboard (tcell's
// SetClipboard: OSC 52), as hex text ("de ad be ef") or raw bytes.
func (e *Editor) copySelection(asHex bool) {
	off, n, ok := e.Selection()
	if !ok {
		e.noSelection()
		return
	}
	if n > maxClipboard {
		e.Errorf("selection is %s: the terminal clipboard (OSC 52) takes at most %s; %s writes it to a file",
			plural64(n, "byte"), mapping.HumanBytes(maxClipboard), orDefault(keyName(e, keymap.WriteSelection), "write-selection"))
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
	s.SetClipboard(data)
	e.Message("copied %s as %s (%s) to the clipboard through the terminal (OSC 52)",
		describeRange(off, n), what, plural(len(data), "byte"))
	e.afterSelectionAction()
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
		if err := e.Fill(off, n, b); err != nil {
			return err
		}
		e.Message("filled %s with 0x%02x (%s undoes it)", describeRange(off, n), b, orDefault(keyName(e, keymap.Undo), "undo"))
		e.afterSelectionAction()
		return nil
	}
	e.promptOrRun(expr, &Prompt{
		Label: fmt.Sprintf("fill %s with byte:", describeRange(off, n)),
		Hint:  "hex, e.g. 00 or ff",
		Done:  do,
	})
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

// writeSelection writes the selection to a new file, streamed through
// mapping (CopyTo: chunk by chunk, never the whole selection in memory), in
// the background. An existing file is overwritten only when confirmed.
func (e *Editor) writeSelection(expr string) {
	off, n, ok := e.Selection()
	if !ok {
		e.noSelection()
		return
	}
	start := func(path string, overwrite bool) {
		e.afterSelectionAction()
		e.Message("writing %s to %s…", describeRange(off, n), mapping.DisplayName(path))
		f := e.f
		e.Go(func() { // panic-safe: a panic restores the terminal
			t0 := time.Now()
			err := writeRange(f, path, off, n, overwrite)
			d := time.Since(t0)
			searchPost(e, func() {
				if err != nil {
					e.Errorf("write selection: %v", err)
					return
				}
				e.Message("wrote %s to %s in %s", describeRange(off, n), mapping.DisplayName(path), formatDuration(d))
			})
		})
	}
	do := func(text string) error {
		path := strings.TrimSpace(text)
		if path == "" {
			return errors.New("no file name")
		}
		if strings.HasPrefix(path, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				path = filepath.Join(home, path[2:])
			}
		}
		if same(path, e.f.Path()) {
			return errors.New("that is the file being edited")
		}
		fi, err := os.Stat(path)
		switch {
		case err == nil && fi.IsDir():
			return fmt.Errorf("%s is a directory", mapping.DisplayName(path))
		case err == nil:
			e.prompt = nil
			e.OpenPrompt(&Prompt{
				Label: fmt.Sprintf("%s exists (%s): overwrite it? y/n", mapping.DisplayName(path), mapping.HumanBytes(fi.Size())),
				Key: func(p *Prompt, ev *tcell.EventKey) bool {
					if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyEnter || ev.Key() == tcell.KeyCtrlC {
						return false
					}
					e.prompt = nil
					if r, ok := keymap.FromEvent(ev).Rune(); ok && (r == 'y' || r == 'Y') {
						start(path, true)
					} else {
						e.Message("not written: %s exists", mapping.DisplayName(path))
					}
					return true
				},
				Done: func(string) error {
					e.Message("not written: %s exists", mapping.DisplayName(path))
					return nil
				},
			})
			return nil
		case !errors.Is(err, os.ErrNotExist):
			return err
		}
		start(path, false)
		return nil
	}
	e.promptOrRun(expr, &Prompt{
		Label: fmt.Sprintf("write %s to file:", describeRange(off, n)),
		Hint:  "a new file (an existing one only if you confirm)",
		Done:  do,
	})
}

// same reports whether a and b name the same existing file.
func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// writeRange copies [off, off+n) of f to path: O_EXCL unless overwrite.
func writeRange(f *mapping.File, path string, off, n int64, overwrite bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	fh, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	_, err = f.CopyTo(fh, off, n)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}
