package view

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mmhex/keymap"
	"mmhex/mapping"
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
	// The matches of the last frame, for a frame drawn while an undo, redo
	// or revert step holds the file (TryReadAt: ErrBusy): the grid then
	// shows the previous frame's bytes, and these are their matches.
	var last struct {
		p    *search.Pattern
		a, b int64
		in   []int64
	}
	e.AddHighlighter(func(start, end int64) func(int64) Mark {
		s := &x.srch
		if s.lastWasRe || s.last == nil || !x.sel.matchOn {
			return nil
		}
		p := s.last
		n := int64(p.Len())
		a := max(0, start-n+1)
		b := min(e.size, end+n-1)
		if b-a < n || b-a > 1<<20 {
			return nil
		}
		buf := make([]byte, b-a)
		got, err := e.f.TryReadAt(buf, a)
		var in []int64 // match starts in view, in order
		if errors.Is(err, mapping.ErrBusy) {
			if last.p != p || last.a != a || last.b != b {
				return nil
			}
			in = last.in
		} else {
			buf = buf[:got]
			for i := 0; i+int(n) <= len(buf); i++ {
				if p.MatchAt(buf[i:]) {
					in = append(in, a+int64(i))
				}
			}
			last.p, last.a, last.b, last.in = p, a, b, in
		}
		if len(in) == 0 {
			return nil
		}
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
// first 500; offset and bytes).
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
			var b strings.Builder
			fmt.Fprintf(&b, "%d matches of %s\n\n", total, p)
			buf := make([]byte, min(p.Len(), 16))
			for i, m := range offs {
				k, err := f.TryReadAt(buf, m)
				if errors.Is(err, mapping.ErrBusy) {
					fmt.Fprintf(&b, "%5d  %0*x  %12d  %s\n", i+1, digits, m, m, restoringNote)
					continue
				}
				var txt strings.Builder
				for _, c := range buf[:k] {
					txt.WriteRune(rune(hexfmt.TextChar(c)))
				}
				fmt.Fprintf(&b, "%5d  %0*x  %12d  %s  %s\n", i+1, digits, m, m, hexText(buf[:k]), txt.String())
			}
			if total > int64(len(offs)) {
				fmt.Fprintf(&b, "… and %d more\n", total-int64(len(offs)))
			}
			fmt.Fprintf(&b, "\n%s goes to an offset", orDefault(keyName(e, keymap.Goto), "goto"))
			e.ShowInfo("matches", b.String())
			e.msg = ""
		})
	})
}
