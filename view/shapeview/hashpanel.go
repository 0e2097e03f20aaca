package shapeview

// hashpanel.go: the hash action (Alt-k, vim g h): CRC-32, MD5, SHA-1,
// SHA-256 and SHA-512 of the selection, or of the whole file without one,
// computed in the background (shape.Hash: holes are not read) with
// progress in the status line and Esc to stop; the result in a bottom
// panel whose digits 1–5 copy one value to the clipboard (OSC 52); Esc
// closes it.

import (
	"context"
	"fmt"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping/shape"
	"mmhex/view"
)

const hashPanelName = "hashes"

type hashPanel struct {
	e      *view.Editor
	inline bool
	job    job

	// the last result (UI goroutine only)
	what string
	sums []shape.Sum
	err  error
}

// HashPanel is the hash feature (the hash action), a new value for each editor.
func HashPanel() view.Feature { return &hashPanel{} }

func (hp *hashPanel) Name() string { return "hash" }

func (hp *hashPanel) Register(e *view.Editor) error {
	hp.e = e
	e.AddPanel(&view.Panel{Name: hashPanelName, Side: view.Bottom, Size: len(shape.Algos) + 1, Draw: hp.draw, Key: hp.key})
	e.Handle(keymap.Hash, func(e *view.Editor, a view.Args) { hp.run() })
	e.AddStatus(func() string { return hp.job.status("hashing") })
	e.OnCancel(func() bool {
		if hp.job.stop() {
			e.Message("hash stopped")
			return true
		}
		return false
	})
	return nil
}

func (hp *hashPanel) run() {
	e := hp.e
	f := e.File()
	size := f.Size()
	off, n, ok := e.Selection()
	if !ok {
		off, n = 0, size
	}
	what := describe(off, n, size, !ok)
	e.Message("hashing %s…", what)
	hp.job.start(e, hp.inline, func(ctx context.Context, gen int) {
		sums, err := shape.Hash(ctx, f, off, off+n, shape.Algos, func(done, total int64) { hp.job.progress(gen, done, total) })
		post(e, hp.inline, func() {
			if !hp.job.current(gen) {
				return // stopped or replaced by a newer one
			}
			if err != nil {
				e.Errorf("hash of %s: %v", what, err)
				return
			}
			hp.what, hp.sums, hp.err = what, sums, nil
			e.ShowPanel(hashPanelName, true)
			e.Message("hashes of %s: 1–5 copy one, Esc closes", what)
		})
	})
}

func (hp *hashPanel) key(ev *tcell.EventKey) bool {
	if ev.Key() == tcell.KeyEsc {
		hp.e.ShowPanel(hashPanelName, false)
		return true
	}
	if ev.Key() == tcell.KeyRune && ev.Modifiers() == 0 {
		if r := ev.Rune(); r >= '1' && r < '1'+rune(len(hp.sums)) {
			s := hp.sums[r-'1']
			if err := hp.e.SetClipboard([]byte(s.Hex)); err != nil {
				hp.e.Errorf("copy: %v", err)
			} else {
				hp.e.Message("copied the %s of %s to the clipboard through the terminal (OSC 52)", s.Algo.Tag(), hp.what)
			}
			return true
		}
	}
	return false
}

func (hp *hashPanel) draw(s tcell.Screen, x, y, w, h int) {
	drawLine(s, x, y, w, fmt.Sprintf("hashes of %s", hp.what), styleHead)
	for i, sum := range hp.sums {
		if i+1 >= h {
			break
		}
		cx := drawLine(s, x, y+1+i, w, fmt.Sprintf("%d %-7s", i+1, sum.Algo.Tag()), styleNote)
		hexText := sum.Hex
		if room := x + w - cx - 1; len(hexText) > room && room > 1 {
			hexText = hexText[:room-1] + "…"
		}
		view.DrawText(s, cx+1, y+1+i, x+w-cx-1, hexText, styleText)
	}
}
