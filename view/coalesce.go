package view

// coalesce.go: draw once after the queued keys are handled (issue 11,
// point 8). tview draws a whole frame after every key; a frame costs about
// a millisecond (the grid and the terminal's diff), so keys that arrive
// faster than that (typed by a program, tmux send-keys, a fast key repeat
// over a slow link) were handled at ~800 a second. drawScreen wraps the
// terminal's screen: it counts the keys tview's input goroutine has taken
// from the terminal (PollEvent) and the keys the editor has handled (the
// application's input capture); while a key is still queued, the frame
// after a key is not drawn, because the frame after the queued key will be.
// Every key is still handled, in order; only frames nobody could have seen
// are left out, and never for longer than maxFrameGap.

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"
)

// maxFrameGap is the longest a burst of keys goes without a frame: the
// screen follows a long burst (a program typing 100 000 keys) at this pace.
// Tests set their own through testHooks.maxFrameGap.
const maxFrameGap = 100 * time.Millisecond

// drawScreen is the editor's screen when it runs (Options.Screen).
type drawScreen struct {
	tcell.Screen
	maxGap time.Duration // maxFrameGap (tests change it)

	// polled counts the key events taken from the terminal that tview will
	// pass to the input capture (keys inside a bracketed paste are
	// collected by tview instead); handled counts the keys the input
	// capture has seen. polled > handled: a key is queued, and tview draws
	// after handling it.
	polled, handled atomic.Int64
	paste           atomic.Bool // bracketed paste is enabled (tview collects pastes)
	pasting         bool        // between paste start and end (PollEvent's goroutine)
	// resized is called (on PollEvent's goroutine) when the terminal
	// changed size: the editor posts the adoption of the new layout, so a
	// resize is an event like a key (Draw itself only draws).
	resized func()

	mu       sync.Mutex
	inited   bool
	skipping bool      // the frame being drawn is left out (Clear to Show)
	lastShow time.Time // when a frame was last shown
	skipped  int64     // frames left out (tests)
}

// newDrawScreen wraps s; inited says s.Init was already called.
func newDrawScreen(s tcell.Screen, inited bool) *drawScreen {
	return &drawScreen{Screen: s, inited: inited, maxGap: maxFrameGap}
}

// Init initialises the screen once (tview's SetScreen calls it again).
func (d *drawScreen) Init() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inited {
		return nil
	}
	d.inited = true
	return d.Screen.Init()
}

// PollEvent counts the keys tview will hand to the input capture, mirroring
// its paste handling: with paste enabled, keys between a paste's start and
// end are collected into the paste, not captured.
func (d *drawScreen) PollEvent() tcell.Event {
	ev := d.Screen.PollEvent()
	switch ev := ev.(type) {
	case *tcell.EventKey:
		if !d.pasting {
			d.polled.Add(1)
		}
	case *tcell.EventPaste:
		if d.paste.Load() {
			d.pasting = ev.Start()
		}
	case *tcell.EventResize:
		if d.resized != nil {
			d.resized()
		}
	}
	return ev
}

func (d *drawScreen) EnablePaste() {
	d.paste.Store(true)
	d.Screen.EnablePaste()
}

func (d *drawScreen) DisablePaste() {
	d.paste.Store(false)
	d.Screen.DisablePaste()
}

// keyHandled is called by the input capture for every key it sees.
func (d *drawScreen) keyHandled() { d.handled.Add(1) }

// Clear starts a frame (tview clears, calls the before-draw function, draws
// and shows): it decides whether this frame is left out, and then leaves
// the cells as they are.
func (d *drawScreen) Clear() {
	d.mu.Lock()
	d.skipping = d.polled.Load() > d.handled.Load() && time.Since(d.lastShow) < d.maxGap
	if d.skipping {
		d.skipped++
	}
	skip := d.skipping
	d.mu.Unlock()
	if !skip {
		d.Screen.Clear()
	}
}

// skip reports whether the frame being drawn is left out (the before-draw
// function returns it, so tview draws nothing).
func (d *drawScreen) skip() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.skipping
}

// Show shows the frame, unless it is left out.
func (d *drawScreen) Show() {
	d.mu.Lock()
	if d.skipping {
		d.skipping = false
		d.mu.Unlock()
		return
	}
	d.lastShow = time.Now()
	d.mu.Unlock()
	d.Screen.Show()
}

// Skipped is the number of frames left out so far.
func (d *drawScreen) Skipped() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.skipped
}
