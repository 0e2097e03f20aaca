package view

import (
	"fmt"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping/display"
)

// Prompt is a one-line input on the message line: a label, the text typed,
// an optional hint, and an error shown inside it when Done refuses the text.
type Prompt struct {
	Label string
	Text  string
	// Hint is drawn dimmed after the text (for example "Tab: hex/text").
	Hint string
	// Done is called with the text on Enter. A non-nil error keeps the
	// prompt open and shows the error in it; nil closes it.
	Done func(text string) error
	// Cancel, when set, is called on Esc or Ctrl-C (the prompt closes).
	Cancel func()
	// Key, when set, sees each key first; true consumes it (for toggles).
	Key func(p *Prompt, ev *tcell.EventKey) bool
	// Changed, when set, is called after each edit of the text.
	Changed func(p *Prompt)
	// Selected shows the whole Text selected (an earlier input offered
	// again): the first character typed or pasted replaces it, Backspace,
	// Delete and Ctrl-U clear it, Enter takes it as it is, and a cursor key
	// keeps it and ends the selection.
	Selected bool

	err    string
	pos    int // cursor, in bytes of Text
	scroll int // first cell of Text shown when it is wider than the line
}

// SetError shows msg inside the prompt until the next edit.
func (p *Prompt) SetError(msg string) { p.err = msg }

// OpenPrompt shows p on the message line; keys go to it until it closes.
func (e *Editor) OpenPrompt(p *Prompt) {
	p.pos = len(p.Text)
	e.prompt = p
	e.keys.Reset()
}

// promptOrRun opens p, or, when the action came with its argument (expr
// from the command line), calls p.Done(expr) at once and shows its error.
func (e *Editor) promptOrRun(expr string, p *Prompt) {
	if expr != "" {
		if err := p.Done(expr); err != nil {
			e.ShowError(err)
		}
		return
	}
	e.OpenPrompt(p)
}

// PromptOpen reports whether a prompt is open.
func (e *Editor) PromptOpen() bool { return e.prompt != nil }

var (
	stylePromptLabel = tcell.StyleDefault.Bold(true)
	stylePromptHint  = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))
	// stylePromptSel is a selected text (Prompt.Selected).
	stylePromptSel = tcell.StyleDefault.Reverse(true)
)

// textStyle is the style of the prompt's text.
func (p *Prompt) textStyle() tcell.Style {
	if p.Selected {
		return stylePromptSel
	}
	return tcell.StyleDefault
}

// draw shows the label, the text and, after it, the error or the hint. A
// text too long for the line scrolls so the cursor stays on screen ("…"
// marks text cut on either side), and an error keeps up to two thirds of
// the line after it: a refused long input (a pasted hex dump) still shows
// why.
func (p *Prompt) draw(s tcell.Screen, x, y, w int) {
	drawText(s, x+1, y, w-1, p.Label+" ", stylePromptLabel)
	cx, avail, room := p.geometry(x, w)
	if avail <= 0 {
		return
	}
	note, noteSt := p.Hint, stylePromptHint
	if p.err != "" {
		note, noteSt = "✗ "+p.err, styleError
	}
	tw := textWidth(p.Text)
	var tx int // x after the text region
	if tw+1 <= room {
		tx = drawText(s, cx, y, room, p.Text, p.textStyle())
		s.ShowCursor(cx+textWidth(p.Text[:p.pos]), y)
		tx++
	} else {
		tx = cx + room
		p.drawScrolled(s, cx, y, room)
	}
	if note != "" && tx+1 < x+w {
		drawText(s, tx+1, y, x+w-tx-1, note, noteSt)
	}
}

// geometry is where the prompt's text goes on a line of w cells from x:
// its first cell (after the label), the cells for the text, the cursor
// and the note (avail), and those for the text and the cursor (room: an
// error keeps up to two thirds of the line). A pure function: draw uses
// it, and adoptScroll after each event.
func (p *Prompt) geometry(x, w int) (cx, avail, room int) {
	cx = x + 1 + fitWidth(p.Label+" ", w-1)
	avail = x + w - cx
	note := p.Hint
	if p.err != "" {
		note = "✗ " + p.err
	}
	room = avail
	if p.err != "" && textWidth(p.Text)+2+textWidth(note) > avail && avail >= 16 {
		room = avail - min(textWidth(note), avail-avail/3) - 1
	}
	return cx, avail, room
}

// adoptScroll keeps the scroll of a text wider than its line as a frame
// on a line of w cells shows it (scrollFor), after each event (the
// editor's adoptLayout): the view then moves only when the cursor leaves
// it, and Draw keeps nothing.
func (p *Prompt) adoptScroll(w int) {
	_, avail, room := p.geometry(0, w)
	if avail > 0 && textWidth(p.Text)+1 > room {
		p.scroll = p.scrollFor(room)
	}
}

// drawScrolled draws the part of a text wider than room cells that holds
// the cursor and the character under it, with "…" where text is cut off,
// and shows the cursor. The view moves only when the cursor would leave
// it, as in a shell's line editor (scrollFor, from the scroll adopted
// after the last event).
func (p *Prompt) drawScrolled(s tcell.Screen, x, y, room int) {
	cur := textWidth(p.Text[:p.pos])
	marks := room >= 3 // room for a "…" on each side
	limit := room      // text is drawn left of this cell
	if marks {
		limit-- // the last cell is for the "…" of text cut on the right
	}
	start := p.scrollFor(room)
	ld := lead(marks, start)
	if ld == 1 {
		s.SetContent(x, y, '…', nil, stylePromptHint)
	}
	c := 0 // cell of the rune in the text
	for _, r := range p.Text {
		r = display.Rune(r)
		rw := runeWidth(r)
		if c >= start {
			at := ld + c - start
			if at+rw > limit {
				if marks {
					s.SetContent(x+limit, y, '…', nil, stylePromptHint)
				}
				break
			}
			s.SetContent(x+at, y, r, nil, p.textStyle())
		}
		c += rw
	}
	s.ShowCursor(x+ld+cur-start, y)
}

// lead is the cells before the text shown from start: the left "…".
func lead(marks bool, start int) int {
	if marks && start > 0 {
		return 1
	}
	return 0
}

// scrollFor is the first cell of a text wider than room cells shown: the
// last scroll, moved the least that shows the cursor and the character
// under it, as much of a shortened text as fits, never inside a wide
// character. A pure function.
func (p *Prompt) scrollFor(room int) int {
	cur := textWidth(p.Text[:p.pos])
	curW := 1 // cells of the character under the cursor (the end: 1)
	if r, n := utf8.DecodeRuneInString(p.Text[p.pos:]); n > 0 {
		curW = runeWidth(display.Rune(r))
	}
	tw := textWidth(p.Text)
	marks := room >= 3
	limit := room
	if marks {
		limit--
	}
	start := p.scroll // first cell of the text shown
	if cur < start {  // the cursor is left of the view
		start = cur
	}
	if lead(marks, start)+cur+curW-start > limit { // the cursor is past the right
		start = cur + curW - limit
		start = min(start+lead(marks, start), cur)
	}
	if end := tw + 1; start > 0 && lead(marks, start)+end-start < limit {
		// the text got shorter: show as much of it as fits
		start = max(end-limit+1, 0)
		if start == 1 && marks {
			start = 0
		}
	}
	start = max(start, 0)
	c := 0 // a start inside a wide character moves to its end
	for _, r := range p.Text {
		if c >= start {
			break
		}
		c += runeWidth(display.Rune(r))
	}
	return c
}

// handle takes a key for the prompt.
func (e *Editor) promptKey(ev *tcell.EventKey) {
	p := e.prompt
	if p.Key != nil && p.Key(p, ev) {
		return
	}
	k := keymap.FromEvent(ev)
	edited := false
	if p.Selected {
		switch ev.Key() {
		case tcell.KeyEnter, tcell.KeyEsc, tcell.KeyCtrlC:
			// taken as it is, or cancelled
		case tcell.KeyBackspace, tcell.KeyBackspace2, tcell.KeyDelete, tcell.KeyCtrlU, tcell.KeyCtrlK:
			p.Selected = false
			p.Text, p.pos = "", 0
			p.edited()
			return
		default:
			if _, ok := k.Rune(); ok && k.Printable() {
				p.Text, p.pos = "", 0 // replaced by what is typed
			}
			p.Selected = false
		}
	}
	switch ev.Key() {
	case tcell.KeyEnter:
		if p.Done == nil {
			e.prompt = nil
			return
		}
		if err := p.Done(p.Text); err != nil {
			p.err = err.Error()
			return
		}
		if e.prompt == p {
			e.prompt = nil
		}
		return
	case tcell.KeyEsc, tcell.KeyCtrlC:
		e.prompt = nil
		if p.Cancel != nil {
			p.Cancel()
		}
		return
	case tcell.KeyBackspace, tcell.KeyBackspace2:
		if p.pos > 0 {
			_, n := utf8.DecodeLastRuneInString(p.Text[:p.pos])
			p.Text = p.Text[:p.pos-n] + p.Text[p.pos:]
			p.pos -= n
			edited = true
		}
	case tcell.KeyDelete:
		if p.pos < len(p.Text) {
			_, n := utf8.DecodeRuneInString(p.Text[p.pos:])
			p.Text = p.Text[:p.pos] + p.Text[p.pos+n:]
			edited = true
		}
	case tcell.KeyLeft:
		if p.pos > 0 {
			_, n := utf8.DecodeLastRuneInString(p.Text[:p.pos])
			p.pos -= n
		}
	case tcell.KeyRight:
		if p.pos < len(p.Text) {
			_, n := utf8.DecodeRuneInString(p.Text[p.pos:])
			p.pos += n
		}
	case tcell.KeyHome, tcell.KeyCtrlA:
		p.pos = 0
	case tcell.KeyEnd, tcell.KeyCtrlE:
		p.pos = len(p.Text)
	case tcell.KeyCtrlU:
		p.Text, p.pos, edited = p.Text[p.pos:], 0, true
	case tcell.KeyCtrlK:
		p.Text, edited = p.Text[:p.pos], true
	default:
		if r, ok := k.Rune(); ok && k.Printable() {
			p.insert(string(r))
		}
	}
	if edited {
		p.edited()
	}
}

// maxPromptText bounds a prompt's text: room for a pasted hex dump of the
// largest clipboard copy (64 KiB as "de ad " is 192 KiB), not for a paste
// of megabytes that every frame would measure again.
const maxPromptText = 256 << 10

// insert puts s into the text at the cursor (typed or pasted); a selected
// text is replaced. Text that would make it longer than maxPromptText is
// refused with a message in the prompt.
func (p *Prompt) insert(s string) {
	cur := len(p.Text)
	if p.Selected {
		cur = 0
	}
	if cur+len(s) > maxPromptText {
		p.err = fmt.Sprintf("too long: a prompt takes at most %s; %s not inserted",
			display.HumanBytes(maxPromptText), plural(len(s), "byte"))
		return
	}
	if p.Selected {
		p.Selected = false
		p.Text, p.pos = "", 0
	}
	p.Text = p.Text[:p.pos] + s + p.Text[p.pos:]
	p.pos += len(s)
	p.edited()
}

// edited: the text changed; an error shown for the old text goes.
func (p *Prompt) edited() {
	p.err = ""
	if p.Changed != nil {
		p.Changed(p)
	}
}
