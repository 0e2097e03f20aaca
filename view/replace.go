package view

import (
	"context"
	"fmt"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping/replace"
	"mmhex/mapping/search"
)

// replaceRun is a replace in progress: the matches of p in [off, end)
// are offered one at a time (y/n/a/q/l, as vim's :s///c), every one written
// through w: the whole run is one undo step.
type replaceRun struct {
	p        *search.Pattern
	r        *replace.Replacement
	w        *replace.Writer
	off, end int64
	cur      int64 // the match offered, -1 when none
	skipped  int64
	cancel   context.CancelFunc
	all      bool // replacing all in the background
}

func registerReplace(e *Editor) {
	e.Handle(keymap.Replace, func(e *Editor, a Args) { e.startReplace() })
	e.OnCancel(func() bool {
		if r := e.rep; r != nil && r.cancel != nil {
			r.cancel()
			return true
		}
		return false
	})
	e.AddHighlighter(func(start, end int64) func(int64) Mark {
		r := e.rep
		if r == nil || r.cur < 0 || r.cur >= end || r.cur+int64(r.p.Len()) <= start {
			return nil
		}
		a, b := r.cur, r.cur+int64(r.p.Len())
		return func(off int64) Mark {
			if off >= a && off < b {
				return MarkMatch
			}
			return 0
		}
	})
}

// startReplace asks for the pattern and the replacement (hex in the hex
// column, text in the text column) and starts offering the matches in
// the selection, or in the whole file.
func (e *Editor) startReplace() {
	if e.rep != nil {
		e.Errorf("a replace is running (%s stops it)", orDefault(keyName(e, keymap.Cancel), "Esc"))
		return
	}
	if e.size == 0 {
		e.Errorf("the file is empty: nothing to replace")
		return
	}
	hex := e.col == HexColumn
	kindOf := func(hex bool) string {
		if hex {
			return "hex"
		}
		return "text"
	}
	off, end := int64(0), e.size
	where := "the file"
	if so, n, ok := e.Selection(); ok {
		off, end = so, so+n
		where = "the selection " + describeRange(so, n)
	}
	e.OpenPrompt(&Prompt{
		Label: fmt.Sprintf("replace in %s (%s):", where, kindOf(hex)),
		Hint:  "the bytes to find · Tab hex/text",
		// Tab switches between hex and text, as in the search prompt;
		// the replacement is asked for in the same kind.
		Key: func(p *Prompt, ev *tcell.EventKey) bool {
			if ev.Key() != tcell.KeyTab && ev.Key() != tcell.KeyBacktab {
				return false
			}
			hex = !hex
			p.Label = fmt.Sprintf("replace in %s (%s):", where, kindOf(hex))
			p.SetError("")
			return true
		},
		Done: func(text string) error {
			kind := kindOf(hex)
			p, err := search.Parse(text, hex, false)
			if err != nil {
				return err
			}
			e.OpenPrompt(&Prompt{
				Label: fmt.Sprintf("replace %s with (%s):", p, kind),
				Hint:  fmt.Sprintf("%d bytes", p.Len()),
				Done: func(text string) error {
					r, err := replace.Parse(text, hex)
					if err != nil {
						return err
					}
					w, err := replace.NewWriter(e.f, p, r)
					if err != nil {
						return err
					}
					e.rep = &replaceRun{p: p, r: r, w: w, off: off, end: end, cur: -1}
					e.nextReplace(off)
					return nil
				},
			})
			return nil
		},
	})
}

// nextReplace finds the next match at or after from (in the background)
// and offers it.
func (e *Editor) nextReplace(from int64) {
	r := e.rep
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.cur = -1
	e.Message("replace: searching for %s… (%s stops)", r.p, orDefault(keyName(e, keymap.Cancel), "Esc"))
	e.Go(func() {
		res, err := search.Find(ctx, e.f, r.p, from, search.Options{})
		searchPost(e, func() {
			stopped := ctx.Err() != nil
			cancel()
			if e.rep != r {
				return
			}
			r.cancel = nil
			switch {
			case stopped:
				e.endReplace("stopped")
				return
			case err != nil || res.Offset+int64(r.p.Len()) > r.end:
				e.endReplace("")
				return
			}
			e.offerReplace(res.Offset)
		})
	})
}

// offerReplace shows the match at x and asks y/n/a/q/l.
func (e *Editor) offerReplace(x int64) {
	r := e.rep
	r.cur = x
	e.PushJump()
	e.CenterOn(x)
	n := int64(r.p.Len())
	e.OpenPrompt(&Prompt{
		Label: fmt.Sprintf("replace the match at 0x%x with %s? y/n/a/q/l (%d replaced)", x, r.r, r.w.Replaced),
		Key: func(p *Prompt, ev *tcell.EventKey) bool {
			if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyCtrlC {
				return false // Cancel
			}
			c, ok := keymap.FromEvent(ev).Rune()
			if !ok {
				p.SetError("y: replace it, n: skip it, a: replace it and all after it, l: replace it and stop, q: stop")
				return true
			}
			switch c {
			case 'y', 'Y':
				e.prompt = nil
				if _, err := r.w.At(x); err != nil {
					e.endReplace("")
					e.ShowError(err)
					return true
				}
				e.nextReplace(x + n)
			case 'n', 'N':
				e.prompt = nil
				r.skipped++
				e.nextReplace(x + n)
			case 'l', 'L': // vim's "last": this one, then stop
				e.prompt = nil
				if _, err := r.w.At(x); err != nil {
					e.endReplace("")
					e.ShowError(err)
					return true
				}
				e.endReplace("l: the last one")
			case 'a', 'A':
				e.prompt = nil
				e.replaceAll(x)
			case 'q', 'Q':
				e.prompt = nil
				e.endReplace("stopped")
			default:
				p.SetError("y: replace it, n: skip it, a: replace it and all after it, l: replace it and stop, q: stop")
			}
			return true
		},
		Cancel: func() { e.endReplace("stopped") },
	})
}

// replaceAll replaces every match from x to the end of the range in the
// background (the same undo step as those replaced one by one).
func (e *Editor) replaceAll(x int64) {
	r := e.rep
	r.all, r.cur = true, -1
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	before := r.w.Replaced
	e.Message("replacing every match of %s from 0x%x… (%s stops; what is replaced stays, one undo step)", r.p, x, orDefault(keyName(e, keymap.Cancel), "Esc"))
	e.Go(func() {
		err := r.w.All(ctx, x, r.end, nil)
		searchPost(e, func() {
			stopped := ctx.Err() != nil
			cancel()
			r.cancel = nil
			how := ""
			switch {
			case stopped:
				how = fmt.Sprintf("stopped after %d more", r.w.Replaced-before)
			case err != nil:
				e.endReplace("")
				e.ShowError(err)
				return
			}
			e.endReplace(how)
		})
	})
}

// endReplace ends the run and says what it did.
func (e *Editor) endReplace(how string) {
	r := e.rep
	if r == nil {
		return
	}
	e.rep = nil
	if r.cancel != nil {
		r.cancel()
	}
	if how != "" {
		how = " (" + how + ")"
	}
	switch {
	case r.w.Replaced == 0 && r.skipped == 0 && how == "":
		e.Errorf("replace: no match for %s", r.p)
	case r.w.Replaced == 0:
		e.Message("replaced no match of %s%s", r.p, how)
	default:
		stale := ""
		if r.w.Stale > 0 {
			stale = fmt.Sprintf("; %d changed by another writer, left alone", r.w.Stale)
		}
		word := "matches"
		if r.w.Replaced == 1 {
			word = "match"
		}
		e.Message("replaced %d %s of %s with %s%s%s; %s undoes them all", r.w.Replaced, word, r.p, r.r, how, stale,
			orDefault(keyName(e, keymap.Undo), "undo"))
	}
}
