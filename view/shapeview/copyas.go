package shapeview

// copyas.go: the copy-as action (Alt-a, vim g y): the selection as text
// in one of hexfmt.CopyFormats, picked by its digit, to the clipboard
// through the terminal (OSC 52, at most view.MaxClipboard bytes of text:
// said when the text is longer), or with f before the digit, to a new file
// (written in the background, never over an existing file).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/view"
	"mmhex/view/hexfmt"
)

type copyAs struct {
	e      *view.Editor
	inline bool
	job    job
}

// CopyAs is the copy-as feature, a new value for each editor.
func CopyAs() view.Feature { return &copyAs{} }

func (c *copyAs) Name() string { return "copy-as" }

func (c *copyAs) Register(e *view.Editor) error {
	c.e = e
	e.Handle(keymap.CopyAs, func(e *view.Editor, a view.Args) { c.ask() })
	e.AddStatus(func() string { return c.job.status("writing") })
	e.OnCancel(func() bool {
		if c.job.stop() {
			e.Message("copy-as to a file stopped: the file holds what was written so far")
			return true
		}
		return false
	})
	return nil
}

// menu is "1 hex  2 hex-spaces  3 c …".
func menu() string {
	var parts []string
	for i, f := range hexfmt.CopyFormats {
		parts = append(parts, fmt.Sprintf("%d %s", i+1, f.Format))
	}
	return strings.Join(parts, "  ")
}

func (c *copyAs) ask() {
	e := c.e
	off, n, ok := e.Selection()
	if !ok {
		// a prompt that takes the next key: the digit typed after Alt-a
		// out of habit must not be typed into the file
		msg := fmt.Sprintf("copy-as: no selection (select with %s first)", keyFor(e, keymap.Select))
		e.Errorf("%s", msg)
		e.OpenPrompt(&view.Prompt{
			Label: msg + ":",
			Key: func(p *view.Prompt, ev *tcell.EventKey) bool {
				if ev.Key() != tcell.KeyRune {
					return false // Esc, Enter: the prompt's own
				}
				c.closePrompt()
				return true
			},
			Done: func(text string) error { return nil },
		})
		return
	}
	toFile := false
	e.OpenPrompt(&view.Prompt{
		Label: fmt.Sprintf("copy 0x%x–0x%x as: %s (f then a digit: to a file)", off, off+n, menu()),
		Key: func(p *view.Prompt, ev *tcell.EventKey) bool {
			if ev.Key() != tcell.KeyRune {
				return false // Esc, Enter: the prompt's own
			}
			r := ev.Rune()
			switch {
			case r == 'f' && !toFile:
				toFile = true
				p.Label = fmt.Sprintf("write 0x%x–0x%x to a file as: %s", off, off+n, menu())
				return true
			case r >= '1' && r < '1'+rune(len(hexfmt.CopyFormats)):
				f := hexfmt.CopyFormats[r-'1'].Format
				c.closePrompt()
				if toFile {
					c.askFile(off, n, f)
				} else {
					c.toClipboard(off, n, f)
				}
				return true
			}
			return true // other keys do nothing here
		},
		Done: func(text string) error { return nil },
	})
}

// closePrompt closes the open prompt (the cancel action closes prompts).
func (c *copyAs) closePrompt() {
	if c.e.PromptOpen() {
		c.e.HandleKey(tcell.NewEventKey(tcell.KeyEsc, 0, tcell.ModNone))
	}
}

func (c *copyAs) toClipboard(off, n int64, f hexfmt.CopyFormat) {
	e := c.e
	if n > view.MaxClipboard {
		e.Errorf("the selection is %s: as %s it is more than the %s the terminal clipboard (OSC 52) takes; f then the digit writes it to a file",
			exactBytes(n), f, clipLimit())
		return
	}
	buf := make([]byte, n)
	k, err := e.File().TryReadAt(buf, off)
	if errors.Is(err, mapping.ErrBusy) {
		e.Errorf("copy-as: the bytes are being restored (an undo, redo or revert runs): nothing copied; copy when it has ended")
		return
	}
	if int64(k) < n {
		e.Errorf("copy-as: %v", err)
		return
	}
	text := hexfmt.CopyAs(buf, f, e.FileName())
	if len(text) > view.MaxClipboard {
		e.Errorf("as %s the selection is %s of text: the terminal clipboard (OSC 52) takes at most %s; f then the digit writes it to a file",
			f, exactBytes(int64(len(text))), clipLimit())
		return
	}
	if err := e.SetClipboard(text); err != nil {
		e.Errorf("copy-as: %v", err)
		return
	}
	e.Message("copied 0x%x–0x%x (%s) as %s (%s of text) to the clipboard through the terminal (OSC 52)",
		off, off+n, display.HumanBytes(n), f, display.HumanBytes(int64(len(text))))
}

// exactBytes is a size in bytes, with its rounded form past 1 MiB: a size
// just over the clipboard's limit must not read as the limit itself
// ("64.00 KiB of text ... takes at most 64.00 KiB").
func exactBytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d bytes (%s)", n, display.HumanBytes(n))
}

// clipLimit is the clipboard's limit: "65536 bytes (64 KiB)".
func clipLimit() string {
	return fmt.Sprintf("%d bytes (%d KiB)", view.MaxClipboard, view.MaxClipboard>>10)
}

func (c *copyAs) askFile(off, n int64, f hexfmt.CopyFormat) {
	e := c.e
	e.OpenPrompt(&view.Prompt{
		Label: fmt.Sprintf("write 0x%x–0x%x as %s to the new file:", off, off+n, f),
		Done: func(path string) error {
			if strings.TrimSpace(path) == "" {
				return errors.New("no file name")
			}
			out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				if errors.Is(err, os.ErrExist) {
					return fmt.Errorf("%s exists: copy-as writes only a new file", display.Name(path))
				}
				return fmt.Errorf("%s: %v", display.Name(path), errors.Unwrap(err))
			}
			c.write(out, path, off, n, f)
			return nil
		},
	})
}

// write formats [off, off+n) into out in the background, a MiB at a time.
func (c *copyAs) write(out *os.File, path string, off, n int64, f hexfmt.CopyFormat) {
	e := c.e
	file := e.File()
	name := e.FileName()
	c.job.start(e, c.inline, func(ctx context.Context, gen int) {
		cw := hexfmt.NewCopyWriter(out, f, name, n)
		buf := make([]byte, 1<<20)
		var err error
		for done := int64(0); done < n && err == nil; {
			if err = ctx.Err(); err != nil {
				break
			}
			k := min(int64(len(buf)), n-done)
			var got int
			got, err = file.ReadAt(buf[:k], off+done)
			if int64(got) < k && err == nil {
				err = io.ErrUnexpectedEOF
			}
			if got > 0 {
				if _, werr := cw.Write(buf[:got]); werr != nil && err == nil {
					err = werr
				}
			}
			done += int64(got)
			c.job.progress(gen, done, n)
		}
		if err == nil {
			err = cw.Close()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		post(e, c.inline, func() {
			if err != nil {
				e.Errorf("copy-as to %s: %v (the file holds what was written before)", display.Name(path), err)
				return
			}
			e.Message("wrote 0x%x–0x%x (%s) as %s to %s", off, off+n, display.HumanBytes(n), f, display.Name(path))
		})
	})
}

// keyFor is the first key bound to action, or the action's name.
func keyFor(e *view.Editor, a keymap.Action) string {
	if ks := e.Keys().Map().KeysFor(a); len(ks) > 0 {
		return ks[0].String()
	}
	return string(a)
}
