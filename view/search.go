package view

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping/display"
	"mmhex/mapping/search"
)

// searcher is the search feature: its state, and the selection its match
// is shown in.
type searcher struct {
	srch  searchState
	sel   *selection
	count *matchCount // the last byte search's matches, counted (matches.go)
	// shown is the matches of the byte search in the runs of rows shown,
	// found after the last event (prepareMatches) for the frames'
	// highlighter, which only reads them.
	shown []matchRun
}

func (x *searcher) Name() string { return "search" }

// Register finds the selection the match is shown in: the list must hold
// a selection feature (Selection) too, before or after the search.
func (x *searcher) Register(e *Editor) error {
	if x.sel = featureOf[*selection](e); x.sel == nil {
		return errors.New("the search needs the selection feature (view.Selection) in the list")
	}
	registerSearch(e, x)
	return nil
}

// searcher is the editor's search feature.
func (e *Editor) searcher() *searcher { return featureOf[*searcher](e) }

// searchState is what the search remembers between searches.
type searchState struct {
	hex, fold bool // the prompt's choices (hex starts from the column)
	regex     bool // the third kind: a regular expression (Ctrl-X in the prompt)
	lastRegex string
	lastRe    *search.Regex
	lastWasRe bool // the last search was a regular expression
	// lastHex and lastText are the last hex and text patterns as typed:
	// the prompt offers the one of its kind again, selected.
	lastHex, lastText string
	last              *search.Pattern
	lastRev           bool
	gen               int64 // numbers searches; a result of an older one is dropped
	run               *runningSearch
}

type runningSearch struct {
	gen     int64
	cancel  context.CancelFunc
	p       *search.Pattern
	re      *search.Regex // a regular-expression search (p is nil)
	reverse bool
	size    int64 // the file's size when the search started
	started time.Time
	done    atomic.Int64
	total   atomic.Int64
	// more is how many times the search is repeated from its match when
	// it finds one: a count (vim's 3n), and repeats pressed while it ran.
	more int
}

// searchPost runs fn on the UI goroutine and redraws. Background work
// (search, write-selection) delivers its results through it; tests replace
// it to run them synchronously.
func searchPost(e *Editor, fn func()) {
	if e.opts.test != nil && e.opts.test.post != nil {
		e.opts.test.post(fn)
		return
	}
	go e.app.QueueUpdateDraw(func() { fn(); e.syncSize() }) // never block the worker on a stopped app
}

// progressEvery is how often a running search redraws its progress in the
// status line.
const progressEvery = 100 * time.Millisecond

func registerSearch(e *Editor, x *searcher) {
	registerMatches(e, x)
	e.Handle(keymap.SearchForward, func(e *Editor, a Args) { e.searchPrompt(false, a.Expr) })
	e.Handle(keymap.SearchBackward, func(e *Editor, a Args) { e.searchPrompt(true, a.Expr) })
	e.Handle(keymap.SearchNext, func(e *Editor, a Args) { e.searchAgain(false, a.N()) })
	e.Handle(keymap.SearchPrev, func(e *Editor, a Args) { e.searchAgain(true, a.N()) })
	e.OnCancel(func() bool { // Esc: a running search first
		if r := x.srch.run; r != nil {
			e.cancelSearch(r, "cancelled")
			return true
		}
		return false
	})
	e.OnQuit(func() {
		if r := x.srch.run; r != nil {
			r.cancel()
		}
	})
	e.AddStatus(func() string { // a running search's progress
		r := x.srch.run
		if r == nil {
			return ""
		}
		dir := "↓"
		if r.reverse {
			dir = "↑"
		}
		pct := ""
		if t := r.total.Load(); t > 0 {
			pct = " " + formatPercent(float64(r.done.Load())*100/float64(t))
		}
		return "searching " + dir + pct
	})
}

// searchRunning reports whether a background search is running.
func (e *Editor) searchRunning() bool {
	x := e.searcher()
	return x != nil && (x.srch.run != nil || x.count != nil && !x.count.ended)
}

func (e *Editor) cancelSearch(r *runningSearch, why string) {
	r.cancel()
	x := e.searcher()
	x.srch.run = nil
	pct := ""
	if t := r.total.Load(); t > 0 {
		pct = fmt.Sprintf(" at %s", formatPercent(float64(r.done.Load())*100/float64(t)))
	}
	e.Message("search for %s %s%s", r.name(), why, pct)
}

// name is what r searches for, for messages.
func (r *runningSearch) name() fmt.Stringer {
	if r.re != nil {
		return r.re
	}
	return r.p
}

func (e *Editor) searchLabel(reverse bool) string {
	s := &e.searcher().srch
	dir := "↓"
	if reverse {
		dir = "↑"
	}
	kind := "text"
	if s.regex {
		kind = "regex"
	} else if s.hex {
		kind = "hex"
	} else if s.fold {
		kind = "text, any case"
	}
	return fmt.Sprintf("search %s %s:", dir, kind)
}

const searchHint = "Tab hex/text · Ctrl-X regex · Ctrl-T case · Ctrl-F/R way · Enter"

// lastPattern is the last pattern typed of the prompt's kind (hex or text).
func (s *searchState) lastPattern() string {
	if s.regex {
		return s.lastRegex
	}
	if s.hex {
		return s.lastHex
	}
	return s.lastText
}

// searchPrompt asks for a pattern and searches from the cursor. The prompt
// starts in hex when the cursor is in the hex column, in text when it is in
// the text column, and shows the last pattern of that kind selected, so
// that typing replaces it and Enter searches it again.
func (e *Editor) searchPrompt(reverse bool, expr string) {
	x := e.searcher()
	s := &x.srch
	s.hex, s.regex = e.col == HexColumn, false
	run := func(text string) error {
		from := e.cursor
		if reverse {
			from = e.cursor - 1
		} else if x.sel.matchOn && x.sel.matchOff == e.cursor {
			from = e.cursor + 1 // not the match we stand on
		}
		if s.regex {
			re, err := search.ParseRegex(text, 0)
			if err != nil {
				return err
			}
			s.lastRegex, s.lastRe, s.lastWasRe, s.lastRev = text, re, true, reverse
			e.prompt = nil
			e.startRegexSearch(re, from, reverse)
			return nil
		}
		s.lastWasRe = false
		p, err := search.Parse(text, s.hex, s.fold)
		if err != nil {
			return err
		}
		if s.hex {
			s.lastHex = text
		} else {
			s.lastText = text
		}
		s.last, s.lastRev = p, reverse
		e.prompt = nil
		e.startSearch(p, from, reverse)
		return nil
	}
	e.promptOrRun(expr, &Prompt{
		Label:    e.searchLabel(reverse),
		Text:     s.lastPattern(),
		Selected: s.lastPattern() != "",
		Hint:     searchHint,
		Key: func(p *Prompt, ev *tcell.EventKey) bool {
			switch keymap.FromEvent(ev).String() {
			case "Tab", "Backtab", "Ctrl-X":
				switch {
				case keymap.FromEvent(ev).String() == "Ctrl-X": // the third kind
					s.regex = !s.regex
				case s.regex:
					s.regex = false
				default:
					s.hex = !s.hex
				}
				if p.Selected || p.Text == "" {
					// nothing typed yet: offer the other kind's last pattern
					p.Text = s.lastPattern()
					p.Selected = p.Text != ""
					p.pos = len(p.Text)
				}
			case "Ctrl-T", "Alt-i":
				if s.regex {
					p.SetError("in a regular expression, (?i) makes it case-insensitive")
					return true
				}
				if s.hex {
					p.SetError("case applies to text; Tab switches to text")
					return true
				}
				s.fold = !s.fold
			case "Ctrl-F":
				reverse = false
			case "Ctrl-R":
				reverse = true
			default:
				return false
			}
			p.Label = e.searchLabel(reverse)
			p.SetError("")
			return true
		},
		Done: run,
	})
}

// searchAgain repeats the last search n times: in its direction, or
// (opposite) the other way, from the byte after (before) the cursor. While
// the same search runs the same way (a repeat pressed before the last one
// found its match), it is repeated n more times from its match instead of
// started again from the cursor, which has not moved yet.
func (e *Editor) searchAgain(opposite bool, n int) {
	s := &e.searcher().srch
	rev := s.lastRev != opposite
	if r := s.run; r != nil && r.reverse == rev && (s.lastWasRe && r.re != nil && r.re == s.lastRe || !s.lastWasRe && r.p != nil && r.p == s.last) {
		r.more += n
		return
	}
	defer func() {
		if r := s.run; r != nil {
			r.more = n - 1
		}
	}()
	if s.lastWasRe && s.lastRe != nil {
		from := e.cursor + 1
		if rev {
			from = e.cursor - 1
		}
		e.startRegexSearch(s.lastRe, from, rev)
		return
	}
	if s.last == nil {
		e.Errorf("no search yet: %s searches forward, %s backward",
			orDefault(keyName(e, keymap.SearchForward), "search-forward"), orDefault(keyName(e, keymap.SearchBackward), "search-backward"))
		return
	}
	from := e.cursor + 1
	if rev {
		from = e.cursor - 1
	}
	e.startSearch(s.last, from, rev)
}

// beginSearch is what both searches do first: refused on an empty file,
// the running search cancelled, the size taken now (another process may
// have changed it since the last frame: a different size at the end means
// the file changed under the search), r made the running search.
func (e *Editor) beginSearch(r *runningSearch, what fmt.Stringer) (context.Context, bool) {
	x := e.searcher()
	if e.size == 0 {
		e.Errorf("empty file: nothing to search")
		return nil, false
	}
	if old := x.srch.run; old != nil {
		old.cancel()
	}
	e.Refresh()
	x.srch.gen++
	ctx, cancel := context.WithCancel(context.Background())
	r.gen, r.cancel, r.size, r.started = x.srch.gen, cancel, e.f.Size(), time.Now()
	x.srch.run = r
	e.Message("searching %s %s… (Esc cancels)", dirWord(r.reverse), what)
	return ctx, true
}

// startSearch runs the search in the background. Only the search goroutine
// reads the file (through mapping's fault-safe Scan); it reports progress
// and the result through searchPost, so the editor stays responsive and
// Esc cancels at once.
func (e *Editor) startSearch(p *search.Pattern, from int64, reverse bool) {
	r := &runningSearch{p: p, reverse: reverse}
	ctx, ok := e.beginSearch(r, p)
	if !ok {
		return
	}
	f := e.f
	var lastPost atomic.Int64
	lastPost.Store(time.Now().UnixNano())
	e.Go(func() { // panic-safe: a panic restores the terminal
		res, err := search.Find(ctx, f, p, from, search.Options{
			Reverse: reverse,
			Wrap:    true,
			Progress: func(done, total int64) {
				r.done.Store(done)
				r.total.Store(total)
				if h := e.opts.test; h != nil && h.searchProgress != nil {
					h.searchProgress(done, total)
				}
				now := time.Now().UnixNano()
				if now-lastPost.Load() < int64(progressEvery) {
					return
				}
				lastPost.Store(now)
				searchPost(e, func() {}) // redraw: the status line shows r's progress
			},
		})
		d := time.Since(r.started)
		searchPost(e, func() { e.searchDone(r, res, err, d, int64(p.Len())) })
	})
}

// startRegexSearch is startSearch for a regular expression
// (search.RegexFind), its progress in the status line as a byte search's.
func (e *Editor) startRegexSearch(re *search.Regex, from int64, reverse bool) {
	r := &runningSearch{re: re, reverse: reverse}
	ctx, ok := e.beginSearch(r, re)
	if !ok {
		return
	}
	f := e.f
	var lastPost atomic.Int64
	lastPost.Store(time.Now().UnixNano())
	e.Go(func() {
		off, n, wrapped, err := search.RegexFind(ctx, f, re, from, reverse, true, func(done, total int64) {
			r.done.Store(done)
			r.total.Store(total)
			if h := e.opts.test; h != nil && h.searchProgress != nil {
				h.searchProgress(done, total)
			}
			if now := time.Now().UnixNano(); now-lastPost.Load() >= int64(progressEvery) {
				lastPost.Store(now)
				searchPost(e, func() {}) // redraw: the status line shows r's progress
			}
		})
		d := time.Since(r.started)
		searchPost(e, func() {
			e.searchDone(r, search.Result{Offset: off, Wrapped: wrapped}, err, d, n)
		})
	})
}

func dirWord(reverse bool) string {
	if reverse {
		return "backward for"
	}
	return "for"
}

// searchDone shows the result of r on the UI goroutine.
func (e *Editor) searchDone(r *runningSearch, res search.Result, err error, d time.Duration, n int64) {
	x := e.searcher()
	if x.srch.run != r {
		return // cancelled or replaced
	}
	x.srch.run = nil
	r.cancel()
	if errors.Is(err, context.Canceled) {
		return
	}
	if err != nil {
		// A search that found nothing, or faulted, while the file changed
		// size did not search the file as it is: say so, not "not found".
		e.Refresh()
		if now := e.f.Size(); now != r.size {
			e.Errorf("search for %s stopped: the file changed size during the search (now %s, was %s)", r.name(), display.HumanBytes(now), display.HumanBytes(r.size))
			return
		}
	}
	switch {
	case errors.Is(err, search.ErrNotFound):
		e.Errorf("not found: %s (the whole file, %s, in %s)", r.name(), display.HumanBytes(e.f.Size()), formatDuration(d))
		return
	case err != nil:
		e.Errorf("search: %v", err)
		return
	}
	if res.Offset >= e.size { // the file shrank meanwhile
		e.Errorf("search: the match at 0x%x is past the end of the file now", res.Offset)
		return
	}
	if x.sel.selOn {
		e.ClearSelection()
	}
	x.sel.matchOn, x.sel.matchOff, x.sel.matchLen = true, res.Offset, n
	e.PushJump()
	e.CenterOn(res.Offset)
	wrapped := ""
	if res.Wrapped {
		if r.reverse {
			wrapped = " — wrapped around the start"
		} else {
			wrapped = " — wrapped around the end"
		}
	}
	long := ""
	if r.re != nil {
		long = fmt.Sprintf(", %d bytes", n)
	}
	e.Message("found %s at 0x%x (%d%s) in %s%s", r.name(), res.Offset, res.Offset, long, formatDuration(d), wrapped)
	if r.p != nil && r.more == 0 { // not for a match a repeat goes on from
		e.countMatches(r.p, res.Offset)
	}
	if r.more > 0 { // repeats asked for while it ran, or a count
		from := res.Offset + 1
		if r.reverse {
			from = res.Offset - 1
		}
		if r.re != nil {
			e.startRegexSearch(r.re, from, r.reverse)
		} else {
			e.startSearch(r.p, from, r.reverse)
		}
		if next := x.srch.run; next != nil {
			next.more = r.more - 1
		}
	}
}
