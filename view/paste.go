package view

// paste.go: bracketed paste. Without it the terminal types pasted text as
// keys: a newline in it is Enter, which closes a prompt early and sends the
// rest to the editor as edits (a multi-line `xxd -p` dump pasted into the
// paste-hex prompt overwrote bytes at the cursor). registerPaste turns
// bracketed paste on; tview then hands the pasted text over whole.

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

func registerPaste(e *Editor) { e.app.EnablePaste(true) }

// PasteHandler takes a bracketed paste (tview collects its runes, Enter as
// "\n", Tab as "\t").
func (l *layout) PasteHandler() func(text string, setFocus func(p tview.Primitive)) {
	return l.WrapPasteHandler(func(text string, setFocus func(p tview.Primitive)) {
		l.e.paste(text)
	})
}

// paste inserts text into an open prompt on one line: line breaks and tabs
// inside it become spaces, trailing ones are dropped, other control
// characters are dropped. Over an overlay (help, a list) it is dropped: its
// first key would close the overlay and the rest would edit the file. With
// neither open the text is typed key by key, as a terminal without
// bracketed paste would.
func (e *Editor) paste(text string) {
	if e.overlay != nil {
		return
	}
	if e.prompt == nil {
		for _, r := range text {
			var ev *tcell.EventKey
			switch r {
			case '\n', '\r':
				ev = tcell.NewEventKey(tcell.KeyEnter, 0, tcell.ModNone)
			case '\t':
				ev = tcell.NewEventKey(tcell.KeyTab, 0, tcell.ModNone)
			default:
				if r < 0x20 || r == 0x7f {
					continue
				}
				ev = tcell.NewEventKey(tcell.KeyRune, r, tcell.ModNone)
			}
			e.HandleKey(ev)
		}
		return
	}
	p := e.prompt
	var b strings.Builder
	for _, r := range strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\r\n\t") {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		default:
			b.WriteRune(r)
		}
	}
	if s := b.String(); s != "" {
		p.insert(s)
	}
}
