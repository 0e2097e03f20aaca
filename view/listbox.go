package view

import (
	"fmt"

	"github.com/gdamore/tcell/v2"
)

// listBox is a list in a box over everything (the matches panel, the
// marks): a head line, one row a thing, the chosen one reversed, lines
// under the list (tail, wrapped to the box), and a foot line with the keys
// and, when the rows do not fit, which ones are shown. ↑ ↓ (j k), PgUp,
// PgDn, Home and End choose, Enter calls enter with the chosen row and
// closes the box, Esc or q closes it. Nothing is kept by Draw: the keys
// adopt the scroll the screen's rectangle gives (topFor, listRows).
type listBox struct {
	title, head string
	rows        []string
	tail        []string
	enter       func(e *Editor, i int)
	sel, top    int // top: changed by the keys, never by Draw
}

const listBoxFoot = "↑↓ PgUp PgDn Home End choose · Enter go to · Esc close"

// width is the box's width on a screen w cells wide.
func (l *listBox) width(w int) int {
	bw := max(textWidth(l.head), textWidth(listBoxFoot)+18, 30)
	for _, r := range l.rows {
		bw = max(bw, textWidth(r))
	}
	return min(bw+4, w)
}

// tailRows is the tail wrapped to the box's inside on a screen w wide.
func (l *listBox) tailRows(w int) []string {
	iw := l.width(w) - 4
	var out []string
	for _, t := range l.tail {
		if textWidth(t) <= iw || iw < 12 {
			out = append(out, t)
			continue
		}
		out = append(out, wrapWords(t, iw)...)
	}
	return out
}

// listRows is the rows of the list shown on a screen w×h: the box holds
// them between its head line and the tail and foot lines.
func (l *listBox) listRows(w, h int) int {
	extra := 4 + len(l.tailRows(w)) // borders, head, foot
	return max(min(h, len(l.rows)+extra)-extra, 1)
}

// topFor is the first row shown in rows rows: top moved the least that
// shows the chosen one (pure: Draw shows it, the keys adopt it).
func (l *listBox) topFor(rows int) int {
	top := l.top
	if l.sel < top {
		top = l.sel
	}
	if l.sel >= top+rows {
		top = l.sel - rows + 1
	}
	return max(0, min(top, len(l.rows)-rows))
}

func (l *listBox) draw(s tcell.Screen, x, y, w, h int) {
	tail := l.tailRows(w)
	rows := l.listRows(w, h)
	top := l.topFor(rows)
	foot := listBoxFoot
	if len(l.rows) > rows {
		foot = fmt.Sprintf("%d–%d of %d · ", top+1, min(top+rows, len(l.rows)), len(l.rows)) + foot
	}
	ix, iy, iw, ih := drawBox(s, x, y, w, h, l.width(w), len(l.rows)+4+len(tail), l.title)
	drawText(s, ix, iy, iw, l.head, styleBox)
	yy := iy + 1
	for i := 0; i < rows && top+i < len(l.rows) && yy < iy+ih-1; i++ {
		st := styleBox
		if top+i == l.sel {
			st = st.Reverse(true)
		}
		fill(s, ix, yy, iw, ' ', st)
		drawText(s, ix, yy, iw, l.rows[top+i], st)
		yy++
	}
	for _, t := range tail {
		if yy >= iy+ih-1 {
			break
		}
		drawText(s, ix, yy, iw, t, styleBox)
		yy++
	}
	if ih > 1 {
		drawText(s, ix, iy+ih-1, iw, foot, stylePromptHint)
	}
}

// key moves the choice: it adopts the scroll the last frame showed (the
// screen now), moves, and adopts the scroll that shows the choice.
func (l *listBox) key(e *Editor, ev *tcell.EventKey) {
	rows := 1
	if _, _, w, h, ok := e.screenRect(); ok {
		rows = l.listRows(w, h)
	}
	l.top = l.topFor(rows)
	l.move(e, ev, rows)
	l.top = l.topFor(rows)
}

func (l *listBox) move(e *Editor, ev *tcell.EventKey, rows int) {
	last := len(l.rows) - 1
	k := ev.Key()
	if k == tcell.KeyRune {
		switch ev.Rune() {
		case 'j':
			k = tcell.KeyDown
		case 'k':
			k = tcell.KeyUp
		case 'q':
			k = tcell.KeyEsc
		}
	}
	switch k {
	case tcell.KeyEsc, tcell.KeyCtrlC:
		e.overlay = nil
	case tcell.KeyUp:
		l.sel = max(l.sel-1, 0)
	case tcell.KeyDown:
		l.sel = min(l.sel+1, last)
	case tcell.KeyPgUp:
		l.sel = max(l.sel-rows, 0)
	case tcell.KeyPgDn:
		l.sel = min(l.sel+rows, last)
	case tcell.KeyHome:
		l.sel = 0
	case tcell.KeyEnd:
		l.sel = last
	case tcell.KeyEnter:
		e.overlay = nil
		if l.enter != nil && l.sel <= last {
			l.enter(e, l.sel)
		}
	}
}
