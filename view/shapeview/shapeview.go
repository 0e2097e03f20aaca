// Package shapeview is the editor's side of mapping/shape (issue 16): the
// entropy map (a column beside the grid), the strings panel, the hash
// panel and copy-as. Each is a view.Feature written against view's
// exported API only, listed in features.Default. The scans run off the UI
// goroutine (Editor.Go) with progress in the status line and Esc to stop;
// their results come back through the application's queue; Draw only
// draws the last result.
package shapeview

import (
	"context"
	"fmt"
	"sync"

	"github.com/gdamore/tcell/v2"

	"mmhex/mapping/display"
	"mmhex/view"
)

var (
	styleHead = tcell.StyleDefault.Bold(true)
	styleText = tcell.StyleDefault
	styleNote = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))
	styleSel  = tcell.StyleDefault.Reverse(true)
	styleErr  = tcell.StyleDefault.Foreground(tcell.PaletteColor(9)).Bold(true)
)

// job is one background scan of a feature: its cancel, its progress
// (done of total bytes) and whether it still runs. mu guards it.
type job struct {
	mu          sync.Mutex
	cancel      context.CancelFunc
	done, total int64
	running     bool
	gen         int // which start this is: results of an older one are dropped
}

// start cancels the running scan, if any, and runs work in the
// background (inline: on the calling goroutine, for tests). post delivers
// a result to the UI goroutine.
func (j *job) start(e *view.Editor, inline bool, work func(ctx context.Context, gen int)) {
	j.mu.Lock()
	if j.cancel != nil {
		j.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	j.cancel, j.running, j.done, j.total = cancel, true, 0, 0
	j.gen++
	gen := j.gen
	j.mu.Unlock()
	run := func() {
		work(ctx, gen)
		j.mu.Lock()
		if j.gen == gen {
			j.running = false
		}
		j.mu.Unlock()
	}
	if inline {
		run()
		return
	}
	e.Go(run)
}

func (j *job) progress(gen int, done, total int64) {
	j.mu.Lock()
	if j.gen == gen {
		j.done, j.total = done, total
	}
	j.mu.Unlock()
}

// stop cancels the running scan; false when none runs.
func (j *job) stop() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.running || j.cancel == nil {
		return false
	}
	j.cancel()
	j.running = false
	j.gen++
	return true
}

// status is the job's part of the status line ("hashing 42%"), "" when idle.
func (j *job) status(what string) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.running {
		return ""
	}
	if j.total <= 0 {
		return what + "…"
	}
	return fmt.Sprintf("%s %.0f%%… (Esc stops)", what, 100*float64(j.done)/float64(j.total))
}

func (j *job) busy() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.running
}

func (j *job) current(gen int) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.gen == gen
}

// post runs fn on the UI goroutine (at once when inline). The caller never
// waits: QueueUpdateDraw waits until fn has run, which a stopped
// application never does.
func post(e *view.Editor, inline bool, fn func()) {
	if inline {
		fn()
		return
	}
	go e.App().QueueUpdateDraw(fn)
}

// describe is "0x10–0x110 (256 bytes)" or "the whole file (1.5 MiB)".
func describe(off, n, size int64, whole bool) string {
	if whole {
		return fmt.Sprintf("the whole file (%s)", display.HumanBytes(size))
	}
	return fmt.Sprintf("0x%x–0x%x (%s)", off, off+n, display.HumanBytes(n))
}

// drawLine clears row y of width w, then draws text.
func drawLine(s tcell.Screen, x, y, w int, text string, st tcell.Style) int {
	for i := 0; i < w; i++ {
		s.SetContent(x+i, y, ' ', nil, tcell.StyleDefault)
	}
	return view.DrawText(s, x, y, w, text, st)
}
