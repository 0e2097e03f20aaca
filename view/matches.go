package view

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
// first 500; offset and bytes), each one to go to (a listBox).
func (e *Editor) listMatches() {
	x := e.searcher()
	s := &x.srch
	if s.lastWasRe {
		e.Errorf("the matches of a regular expression are not listed here: mmhex search --regex lists them")
		return
	}
	if s.last == nil {
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
			head := fmt.Sprintf("%d matches of %s", total, p)
			if total == 1 {
				head = fmt.Sprintf("1 match of %s", p)
			}
			if more := total - int64(len(offs)); more > 0 {
				head += fmt.Sprintf(": the first %d listed, %d more not", len(offs), more)
			}
			l := &listBox{title: "matches", head: head, enter: func(e *Editor, i int) { goToMatch(e, p, offs[i], i, total) }}
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

// goToMatch makes match i of total (of p, at off) the current one, as a
// search that found it does: a jump, the view centred on it, "match k of
// N" (the matches panel's Enter).
func goToMatch(e *Editor, p *search.Pattern, off int64, i int, total int64) {
	if off+int64(p.Len()) > e.size {
		e.Errorf("match %d at 0x%x is past the end of the file now (%s)", i+1, off, display.HumanBytes(e.size))
		return
	}
	x := e.searcher()
	if x.sel.selOn {
		e.ClearSelection()
	}
	x.sel.matchOn, x.sel.matchOff, x.sel.matchLen = true, off, int64(p.Len())
	e.PushJump()
	e.CenterOn(off)
	e.Message("match %d of %d: %s at 0x%x (%d)", i+1, total, p, off, off)
	e.countMatches(p, off)
}
