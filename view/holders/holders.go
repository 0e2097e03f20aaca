// Package holders is the editor's who panel (the who action: Alt-W, vim
// g o): the other processes that map, open or lock the file
// (mapping/who), refreshed every second while the panel is shown, and the
// bytes another process maps shared and writable underlined in the grid
// (view.MarkShared): two mmhex on one file show each other. The scan of
// /proc runs off the UI goroutine (Editor.Go) and only while the panel is
// shown, so a hidden panel costs nothing.
//
// It uses only the editor's exported API (view.Editor).
package holders

import (
	"fmt"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping/who"
	"mmhex/view"
)

// PanelName is the panel's name (Editor.PanelShown).
const PanelName = "who"

// refresh is how often a shown panel scans /proc again.
const refresh = time.Second

var (
	styleHead = tcell.StyleDefault.Bold(true)
	styleText = tcell.StyleDefault
	styleDim  = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))
)

type panel struct {
	e      *view.Editor
	inline bool // scan on the calling goroutine (tests)

	busy  bool
	lines []string
	spans []who.Span
	err   error
	at    time.Time
}

// Panel is the who panel feature.
func Panel() view.Feature { return &panel{} }

func (p *panel) Name() string { return "who panel" }

func (p *panel) Register(e *view.Editor) error {
	p.e = e
	e.AddPanel(&view.Panel{Name: PanelName, Side: view.Bottom, SizeFunc: p.size, Draw: p.draw})
	e.Handle(keymap.Who, func(e *view.Editor, a view.Args) {
		if e.TogglePanel(PanelName) {
			p.request()
		} else {
			p.spans = nil // no marks for a panel not shown: nothing keeps them current
		}
	})
	e.EveryWhile(refresh, func() bool { return e.PanelShown(PanelName) }, p.request)
	e.AddHighlighter(p.highlight)
	return nil
}

// request scans /proc in the background (one scan at a time) and swaps
// the result in on the UI goroutine.
func (p *panel) request() {
	if p.busy {
		return
	}
	p.busy = true
	scan := func() (who.Report, error) { return who.Holders(p.e.File()) }
	apply := func(r who.Report, err error) {
		p.busy = false
		if !p.e.PanelShown(PanelName) {
			return
		}
		p.err, p.at = err, time.Now()
		if err == nil {
			p.lines = r.Lines()
			p.spans = r.SharedWritable()
		}
	}
	if p.inline {
		apply(scan())
		return
	}
	p.e.Go(func() {
		r, err := scan()
		p.e.Post(func() { apply(r, err) })
	})
}

func (p *panel) size(avail int) int {
	return max(3, min(len(p.lines)+1, avail/3))
}

func (p *panel) draw(s tcell.Screen, x, y, w, h int) {
	head := "who else has this file (Alt-W hides; refreshed every second)"
	if ks := p.e.Keys().Map().KeysFor(keymap.Who); len(ks) > 0 {
		head = fmt.Sprintf("who else has this file (%s hides; refreshed every second; shared writable bytes underlined)", ks[0])
	}
	view.DrawText(s, x+1, y, w-1, head, styleHead)
	switch {
	case p.err != nil:
		view.DrawText(s, x+1, y+1, w-1, p.err.Error(), styleText)
		return
	case p.lines == nil:
		view.DrawText(s, x+1, y+1, w-1, "looking through /proc…", styleDim)
		return
	}
	for i, l := range p.lines {
		if 1+i >= h {
			break
		}
		view.DrawText(s, x+1, y+1+i, w-1, l, styleText)
	}
}

// highlight underlines the bytes other processes map shared and writable.
func (p *panel) highlight(start, end int64) func(off int64) view.Mark {
	var in []who.Span
	for _, sp := range p.spans {
		if sp.Off < end && sp.End > start {
			in = append(in, sp)
		}
	}
	if len(in) == 0 {
		return nil
	}
	return func(off int64) view.Mark {
		for _, sp := range in {
			if off >= sp.Off && off < sp.End {
				return view.MarkShared
			}
		}
		return 0
	}
}
