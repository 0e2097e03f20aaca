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
	jumped   bool // the place the run began is on the jump list
}

func registerReplace(e *Editor) {
	e.Handle(keymap.Replace, func(e *Editor, a Args) {
		if a.Expr != "" { // :%s/OLD/NEW/gc
			if err := e.substitute(a.Expr); err != nil {
				e.ShowError(err)
			}
			return
		}
		e.startReplace()
	})
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
	if e.f.Mode() == mapping.ReadOnly { // say so now, not after the prompts
		e.ShowError(errReadOnly)
		return
	}
	hex, fold := e.col == HexColumn, false
	kindOf := func(hex bool) string {
		switch {
		case hex:
			return "hex"
		case fold:
			return "text, any case"
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
		Hint:  "the bytes to find · Tab hex/text · Ctrl-T case",
		// Tab switches between hex and text and Ctrl-T (Alt-i) ASCII case
		// folding of text, as in the search prompt; the replacement is
		// asked for in the same kind.
		Key: func(p *Prompt, ev *tcell.EventKey) bool {
			switch keymap.FromEvent(ev).String() {
			case "Tab", "Backtab":
				hex = !hex
			case "Ctrl-T", "Alt-i":
				if hex {
					p.SetError("case applies to text; Tab switches to text")
					return true
				}
				fold = !fold
			default:
				return false
			}
			p.Label = fmt.Sprintf("replace in %s (%s):", where, kindOf(hex))
			p.SetError("")
			return true
		},
		Done: func(text string) error {
			kind := "text"
			if hex {
				kind = "hex"
			}
			p, err := search.Parse(text, hex, fold && !hex)
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
	if !r.jumped { // one jump a run, as vim's :s///c: not one a match
		e.PushJump()
		r.jumped = true
	}
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

// replaceAll replaces every match from x to the end of the range as the
// editor's job (job.go), as a fill: the percentage in the status line,
// edits, undo and sync refused meanwhile ("busy: replacing"), Esc stops it
// after the batch being stored (what was replaced stays, the same undo
// step as those replaced one by one), a quit cancels it first and then
// asks about what was replaced. Before, it ran beside the editor: an undo
// pressed meanwhile undid the batches written so far while the rest went
// on, and the message then claimed every match replaced.
func (e *Editor) replaceAll(x int64) {
	r := e.rep
	r.all, r.cur, r.cancel = true, -1, nil
	before := r.w.Replaced
	e.Message("replacing every match of %s from 0x%x… (%s stops; what is replaced stays, one undo step)", r.p, x, orDefault(keyName(e, keymap.Cancel), "Esc"))
	e.runJob("replacing", "", func(ctx context.Context, progress func(string)) func() {
		err := r.w.All(ctx, x, r.end, func(done, total int64) { progress(percent(done, total)) })
		return func() {
			how := ""
			switch {
			case jobCancelled(ctx) || errors.Is(err, context.Canceled):
				how = fmt.Sprintf("stopped after %d more", r.w.Replaced-before)
			case err != nil:
				e.endReplace("")
				e.ShowError(e.editError(err))
				return
			}
			e.endReplace(how)
		}
	}).stops("the replace: it stops after the batch it is storing; what is replaced stays")
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

// substitute is vim's :%s/OLD/NEW/[gciI] over the whole file, and
// :'<,'>s/OLD/NEW/ over the selection. OLD and NEW are read as the replace
// prompts read them (hex in the hex column, "??" in NEW keeping the byte;
// text in the text column), literally: no regular expression, a backslash
// before the delimiter makes it a byte of the text. c offers each match
// (y/n/a/q/l); without it every match is replaced at once, in the
// background. i: ASCII case-insensitive text; g is taken and changes
// nothing (there are no lines: every match in the range is replaced).
// Without a range it acts on the selection (vim's : in visual mode gives
// '<,'>), and is refused when there is none (vim's current line).
func (e *Editor) substitute(expr string) error {
	s := strings.TrimSpace(expr)
	if !keymap.IsSubstitute(s) {
		return fmt.Errorf("replace: %s is not %%s/OLD/NEW/[gci] (without an argument, replace asks for them)", display.Line(s))
	}
	rng := ""
	for _, r := range []string{"%", "'<,'>"} {
		if strings.HasPrefix(s, r) {
			rng, s = r, s[len(r):]
			break
		}
	}
	if rest, ok := strings.CutPrefix(s, "substitute"); ok {
		s = rest
	} else {
		s = s[1:]
	}
	parts := splitSubstitute(s[1:], s[0])
	if len(parts) < 2 {
		parts = append(parts, "")
	}
	if len(parts) < 3 {
		parts = append(parts, "")
	}
	old, repl, flags := parts[0], parts[1], parts[2]
	confirm, fold := false, false
	for _, f := range flags {
		switch f {
		case 'g', 'I':
		case 'c':
			confirm = true
		case 'i':
			fold = true
		default:
			return fmt.Errorf(":s: unknown flag %s (g, c, i and I are known)", display.Line(string(f)))
		}
	}
	if e.rep != nil {
		return fmt.Errorf("a replace is running (%s stops it)", orDefault(keyName(e, keymap.Cancel), "Esc"))
	}
	if e.size == 0 {
		return errors.New("the file is empty: nothing to replace")
	}
	if e.f.Mode() == mapping.ReadOnly {
		return errReadOnly
	}
	off, end := int64(0), e.size
	switch rng {
	case "", "'<,'>":
		// no range: the selection, as vim's : in visual mode gives
		// :'<,'>; without one there is no line to stand for
		so, n, ok := e.Selection()
		switch {
		case ok:
			off, end = so, so+n
		case rng == "":
			return errors.New(":s needs a range, as mmhex has no lines: :%s/OLD/NEW/ replaces in the whole file, :'<,'>s/OLD/NEW/ (or :s with a selection) in the selection")
		default:
			return errors.New(":'<,'>s: there is no selection (:%s/OLD/NEW/ replaces in the whole file)")
		}
	}
	hex := e.col == HexColumn
	kind := ""
	if hex {
		if fold {
			return errors.New(":s: the i flag applies to text; the cursor is in the hex column, where OLD and NEW are hex (Tab switches to text)")
		}
		kind = " (hex, as the cursor is in the hex column; Tab switches to text)"
	}
	p, err := search.Parse(old, hex, fold)
	if err != nil {
		return fmt.Errorf(":s: OLD: %w%s", err, kind)
	}
	r, err := replace.Parse(repl, hex)
	if err != nil {
		return fmt.Errorf(":s: NEW: %w%s", err, kind)
	}
	w, err := replace.NewWriter(e.f, p, r)
	if err != nil {
		return fmt.Errorf(":s: %w", err)
	}
	e.rep = &replaceRun{p: p, r: r, w: w, off: off, end: end, cur: -1}
	if confirm {
		e.nextReplace(off)
	} else {
		e.replaceAll(off)
	}
	return nil
}

// splitSubstitute splits the text after :s's delimiter d into OLD, NEW
// and the flags (at most three parts): a backslash before d makes d a byte
// of the part, any other backslash is kept as it is.
func splitSubstitute(s string, d byte) []string {
	var parts []string
	var cur []byte
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == d:
			cur = append(cur, d)
			i++
		case s[i] == d && len(parts) < 2:
			parts = append(parts, string(cur))
			cur = cur[:0]
		default:
			cur = append(cur, s[i])
		}
	}
	return append(parts, string(cur))
}
