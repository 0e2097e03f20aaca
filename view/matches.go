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
	"mmhex/mapping/search"
	"mmhex/view/hexfmt"
)

// matchCount is the background count of the last byte search's matches:
// n in the file, k of them starting at or before at (the match shown).
type matchCount struct {
	p      *search.Pattern
	at     int64
	k, n   int64
	done   bool // counted
	ended  bool // counted, cancelled or failed
	cancel context.CancelFunc
}

// maxListed bounds the matches panel.
const maxListed = 500

// registerMatches: every match of the last byte search in view is
// highlighted, the status line says "match k of N" on a match (N counted
// in the background), and search-list lists the matches in a panel.
func registerMatches(e *Editor, x *searcher) {
	e.AddStatus(func() string {
		c := x.count
		if c == nil || !x.sel.matchOn || x.sel.matchOff != e.cursor || c.at != e.cursor {
			return ""
		}
		if !c.done {
			return "match … (counting)"
		}
		return fmt.Sprintf("match %d of %d", c.k, c.n)
	})
	e.OnLayout(func(start, end int64) { x.prepareMatches(e) })
	e.AddHighlighter(func(start, end int64) func(int64) Mark {
		p := x.shownPattern()
		if p == nil {
			return nil
		}
		a, b, ok := matchWindow(p, start, end, e.size)
		if !ok {
			return nil
		}
		var in []int64
		found := false
		for _, r := range x.shown { // prepared after the last event
			if r.p == p && r.a == a && r.b == b {
				in, found = r.in, true
				break
			}
		}
		if !found {
			// A frame of a range no event prepared (a resize before its
			// event): it finds the matches for itself and keeps nothing.
			var err error
			if in, err = matchStarts(e.f, p, a, b); err != nil {
				return nil
			}
		}
		if len(in) == 0 {
			return nil
		}
		n := int64(p.Len())
		return func(off int64) Mark {
			for _, m := range in {
				if off >= m && off < m+n {
					return MarkMatch
				}
			}
			return 0
		}
	})
	e.Handle(keymap.SearchList, func(e *Editor, a Args) { e.listMatches() })
}

// matchRun is the match starts of a byte search's pattern p in [a, b):
// the bytes of a run of rows shown, and the pattern's length less one on
// each side (a match across the run's edge is highlighted too).
type matchRun struct {
	p    *search.Pattern
	a, b int64
	in   []int64 // in order
}

// shownPattern is the byte search's pattern whose matches the grid
// highlights, nil when none is (no byte search, a regular expression, the
// match dropped with Esc).
func (x *searcher) shownPattern() *search.Pattern {
	if s := &x.srch; s.lastWasRe || s.last == nil || !x.sel.matchOn {
		return nil
	}
	return x.srch.last
}

// matchWindow is the bytes read for the matches of p that touch the
// shown bytes [start, end) of a file of size bytes; !ok when no match
// fits or the range is too long to scan in a frame's time.
func matchWindow(p *search.Pattern, start, end, size int64) (a, b int64, ok bool) {
	n := int64(p.Len())
	a, b = max(0, start-n+1), min(size, end+n-1)
	return a, b, b-a >= n && b-a <= 1<<20
}

// matchStarts reads [a, b) with TryReadAt and returns where p matches in
// it, in order; mapping.ErrBusy while a restore step holds the bytes.
func matchStarts(f *mapping.File, p *search.Pattern, a, b int64) ([]int64, error) {
	buf := make([]byte, b-a)
	got, err := f.TryReadAt(buf, a)
	if errors.Is(err, mapping.ErrBusy) {
		return nil, err
	}
	buf = buf[:max(got, 0)]
	var in []int64
	for i := 0; i+p.Len() <= len(buf); i++ {
		if p.MatchAt(buf[i:]) {
			in = append(in, a+int64(i))
		}
	}
	return in, nil
}

// prepareMatches finds, after each event (OnLayout, once the editor has
// read the bytes shown: e.shown), the matches of the byte search's
// pattern in each run of rows shown, for the frames' highlighter, which
// only reads them: Draw only draws. While a restore step holds a run's
// bytes (TryReadAt: ErrBusy) the frames draw the bytes kept for it, and
// the matches found before for the same pattern and place are kept.
func (x *searcher) prepareMatches(e *Editor) {
	old := x.shown
	x.shown = nil
	p := x.shownPattern()
	if p == nil {
		return
	}
	for _, r := range e.shown {
		a, b, ok := matchWindow(p, r.start, r.start+int64(len(r.data)), e.size)
		if !ok {
			continue
		}
		in, err := matchStarts(e.f, p, a, b)
		if err != nil {
			for _, o := range old {
				if o.p == p && o.a == a && o.b == b {
					x.shown = append(x.shown, o)
					break
				}
			}
			continue
		}
		x.shown = append(x.shown, matchRun{p, a, b, in})
	}
}

// countMatches counts the matches of p in the background, and which of
// them the one at `at` is.
func (e *Editor) countMatches(p *search.Pattern, at int64) {
	x := e.searcher()
	if c := x.count; c != nil && c.cancel != nil {
		c.cancel()
		c.ended = true
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &matchCount{p: p, at: at, cancel: cancel}
	x.count = c
	f := e.f
	e.Go(func() {
		var k, n int64
		err := search.FindAllBatches(ctx, f, p, 0, f.Size(), search.AllOptions{}, func(b []int64) bool {
			for _, m := range b {
				n++
				if m <= at {
					k++
				}
			}
			return true
		})
		searchPost(e, func() {
			cancel()
			c.ended = true
			if x.count != c || err != nil {
				return
			}
			c.k, c.n, c.done = k, n, true
		})
	})
}

// listMatches shows the matches of the last byte search in a panel (the
// first 500; offset and bytes), each one to go to (matchList).
func (e *Editor) listMatches() {
	x := e.searcher()
	s := &x.srch
	if s.lastWasRe || s.last == nil {
		e.Errorf("no byte search yet: %s searches, then %s lists its matches",
			orDefault(keyName(e, keymap.SearchForward), "search-forward"), orDefault(keyName(e, keymap.SearchList), "search-list"))
		return
	}
	p := s.last
	f := e.f
	e.Message("listing the matches of %s…", p)
	e.Go(func() {
		var offs []int64
		var total int64
		err := search.FindAllBatches(context.Background(), f, p, 0, f.Size(), search.AllOptions{}, func(b []int64) bool {
			for _, m := range b {
				total++
				if len(offs) < maxListed {
					offs = append(offs, m)
				}
			}
			return true
		})
		searchPost(e, func() {
			if err != nil {
				e.Errorf("search-list: %v", err)
				return
			}
			if total == 0 {
				e.Errorf("no match for %s", p)
				return
			}
			digits := offsetDigits(e.size)
			l := &matchList{p: p, offs: offs, total: total}
			buf := make([]byte, min(p.Len(), 16))
			for i, m := range offs {
				k, err := f.TryReadAt(buf, m)
				if errors.Is(err, mapping.ErrBusy) {
					l.rows = append(l.rows, fmt.Sprintf("%5d  %0*x  %12d  %s", i+1, digits, m, m, restoringNote))
					continue
				}
				var txt strings.Builder
				for _, c := range buf[:k] {
					txt.WriteRune(rune(hexfmt.TextChar(c)))
				}
				l.rows = append(l.rows, fmt.Sprintf("%5d  %0*x  %12d  %s  %s", i+1, digits, m, m, hexText(buf[:k]), txt.String()))
			}
			e.overlay = l
			e.msg = ""
		})
	})
}

// matchList is the matches panel: the first maxListed matches of a byte
// search, one a row (number, offset in hex and decimal, bytes). The arrows
// (j, k), PgUp, PgDn, Home and End choose one, Enter goes to it (a jump,
// and the current match: "match k of N"), Esc or q closes.
type matchList struct {
	p        *search.Pattern
	offs     []int64 // the matches listed
	rows     []string
	total    int64 // the matches in the file
	sel, top int   // top: changed by the keys (adoptTop), never by Draw
}

// listRows is the rows of matches shown on a screen h rows high: the box
// holds them between its head line and its foot line.
func (l *matchList) listRows(h int) int {
	return max(min(h, len(l.rows)+4)-4, 1)
}

// topFor is the first match shown in rows rows: top moved the least that
// shows the chosen one (pure: Draw shows it, the keys adopt it).
func (l *matchList) topFor(rows int) int {
	top := l.top
	if l.sel < top {
		top = l.sel
	}
	if l.sel >= top+rows {
		top = l.sel - rows + 1
	}
	return max(0, min(top, len(l.rows)-rows))
}

func (l *matchList) head() string {
	h := fmt.Sprintf("%d matches of %s", l.total, l.p)
	if l.total == 1 {
		h = fmt.Sprintf("1 match of %s", l.p)
	}
	if more := l.total - int64(len(l.offs)); more > 0 {
		h += fmt.Sprintf(": the first %d listed, %d more not", len(l.offs), more)
	}
	return h
}

const matchListFoot = "↑↓ PgUp PgDn Home End choose · Enter go to · Esc close"

func (l *matchList) draw(s tcell.Screen, x, y, w, h int) {
	head := l.head()
	rows := l.listRows(h)
	top := l.topFor(rows)
	foot := matchListFoot
	if len(l.rows) > rows {
		foot = fmt.Sprintf("%d–%d of %d · ", top+1, min(top+rows, len(l.rows)), len(l.rows)) + foot
	}
	bw := max(textWidth(head), textWidth(foot), 30) + 4
	for _, r := range l.rows {
		bw = max(bw, textWidth(r)+4)
	}
	ix, iy, iw, ih := drawBox(s, x, y, w, h, bw, len(l.rows)+4, "matches")
	drawText(s, ix, iy, iw, head, styleBox)
	for i := 0; i < rows && top+i < len(l.rows) && 1+i < ih-1; i++ {
		st := styleBox
		if top+i == l.sel {
			st = st.Reverse(true)
		}
		fill(s, ix, iy+1+i, iw, ' ', st)
		drawText(s, ix, iy+1+i, iw, l.rows[top+i], st)
	}
	if ih > 1 {
		drawText(s, ix, iy+ih-1, iw, foot, stylePromptHint)
	}
}

// key moves the choice as recoveryList's does: it adopts the scroll the
// last frame showed, moves, and adopts the scroll that shows the choice.
func (l *matchList) key(e *Editor, ev *tcell.EventKey) {
	rows := 1
	if _, _, _, h, ok := e.screenRect(); ok {
		rows = l.listRows(h)
	}
	l.top = l.topFor(rows)
	l.move(e, ev, rows)
	l.top = l.topFor(rows)
}

func (l *matchList) move(e *Editor, ev *tcell.EventKey, rows int) {
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
		l.goTo(e)
	}
}

// goTo makes the chosen match the current one, as a search that found it
// does: a jump, the view centred on it, "match k of N".
func (l *matchList) goTo(e *Editor) {
	off := l.offs[l.sel]
	if off+int64(l.p.Len()) > e.size {
		e.Errorf("match %d at 0x%x is past the end of the file now (%s)", l.sel+1, off, display.HumanBytes(e.size))
		return
	}
	x := e.searcher()
	if x.sel.selOn {
		e.ClearSelection()
	}
	x.sel.matchOn, x.sel.matchOff, x.sel.matchLen = true, off, int64(l.p.Len())
	e.PushJump()
	e.CenterOn(off)
	e.Message("match %d of %d: %s at 0x%x (%d)", l.sel+1, l.total, l.p, off, off)
	e.countMatches(l.p, off)
}
