// Package view is the interactive editor: a tview application with a hex
// grid, a header, a status line, a data inspector, prompts, the help screen
// and the quit dialog. It reads and writes file bytes only through mapping
// and turns keys into actions only through keymap.
//
// Features (selection, search, marks, panels, ...) are values of the
// Feature interface. This package holds the editor and the features that
// are part of it; features in subpackages (view/lab: the page panel and the
// disk view) use only its exported API. The one list of every feature, in
// order, is features.Default (mmhex/view/features), which sees both; main
// passes it to Launch and New registers them in that order.
// docs/architecture.md (## view) lists the extension points.
package view

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
)

// Options configures an Editor.
type Options struct {
	// BytesPerRow is the row width; 0 means 16.
	BytesPerRow int
	// FitWidth makes the row width follow the terminal width (the fit-width
	// action toggles it).
	FitWidth bool
	// Inspector shows the data inspector at start.
	Inspector bool
	// InspectorIfFits shows it at start when the screen (Options.Screen)
	// is wide enough for the rows and the inspector side by side (160
	// columns are; the program sets it).
	InspectorIfFits bool
	// Keys is the key dispatcher (preset plus user bindings); nil means the
	// default preset.
	Keys *keymap.Dispatcher
	// StartupMessage, when not empty, is shown in a box at start that the
	// user dismisses with a key (configuration problems, issue 7).
	StartupMessage string
	// Name overrides the file name shown in the header (the demo shows its
	// temporary path otherwise).
	Name string
	// Screen, when not nil, is the screen to run on, already initialised
	// (Init called). New sets it on the application wrapped so that frames
	// are drawn once after the queued keys are handled (coalesce.go). nil:
	// the caller set the application's screen (tests drawing by hand), or
	// tview makes one in Run, with a frame after every key.
	Screen tcell.Screen
	// Features are the editor's features, registered in this order: the
	// program passes features.Default() (mmhex/view/features). nil: none
	// (New still makes an editor, which only draws).
	Features []Feature
	// Colours are the configuration's [colours] (keymap.Config.Colours,
	// keyed by keymap.ColourNames); nil: the default colours.
	Colours map[string]tcell.Color
	// FirstHint shows the first-session keys (keymap.FirstHint: "F1 help ·
	// Ctrl-S save · Ctrl-Q quit") on the right of the message line until
	// the first key (the program sets it; tests that do not see it as "F1
	// help", as after the first key).
	FirstHint bool
	// Theme is one of Themes ("": dark); NoColor draws with attributes
	// only (NO_COLOR is set: Launch reads it).
	Theme   string
	NoColor bool

	// Other is the second file of `mmhex A B`, compared with the editor's
	// file by the Compare feature; nil: one file.
	Other *mapping.File

	// test holds the tests' hooks; nil in the program.
	test *testHooks
}

// testHooks are settings only tests use, per editor.
type testHooks struct {
	// compareHold, when set, holds the compare feature's background
	// count until it is closed (the "≥ n, counting…" status).
	compareHold chan struct{}
	// post, when set, replaces the queueing of background work's results
	// to the UI goroutine (searchPost): tests run them themselves.
	post func(fn func())
	// searchProgress is called on the search goroutine at each progress
	// report: a test changes the file there, in the middle of a search.
	searchProgress func(done, total int64)
	// panicOut receives the stack of a panic instead of standard error.
	panicOut io.Writer
	// now is the live view's clock (nil: time.Now).
	now func() time.Time
	// maxFrameGap replaces maxFrameGap (coalesce.go) when not zero.
	maxFrameGap time.Duration
	// jobStep is called on a long job's goroutine (a sync, a fill, a
	// revert) before its work, with what it does ("syncing") and progress
	// "", and after each progress report ("40%"), once the redraw showing
	// it is queued: a test blocks there to hold a job.
	jobStep func(what, progress string)
	// jobEnd, when set, is handed a job's end (to run on the UI
	// goroutine) once its work has returned, instead of the end being
	// posted: a test holds it, meets the editor with keys meanwhile, then
	// runs it (QueueUpdateDraw) or posts it.
	jobEnd func(what string, end func())
}

// Column is the grid column the cursor types into.
type Column int

const (
	HexColumn Column = iota
	TextColumn
)

func (c Column) String() string {
	if c == TextColumn {
		return "TEXT"
	}
	return "HEX"
}

// Args are the parameters of one run of an action.
type Args struct {
	Count int  // the count typed before the key (vim), 0 when none
	Arg   rune // the argument letter of actions such as mark-set, 0 when none
	// Expr is the argument of a command-line command (":goto 0x10" gives
	// "0x10"); "" when the action should prompt for what it needs.
	Expr string
}

// N is the count, or 1 when none was given.
func (a Args) N() int {
	if a.Count <= 0 {
		return 1
	}
	return a.Count
}

// Handler runs an action.
type Handler func(e *Editor, a Args)

// Editor is the interactive hex editor on one file.
type Editor struct {
	jumps jumpList // the jump list (jumps.go)
	// removed: the places (marks, jump list, selection's start) as they
	// were before each shape change that removed bytes and is not undone
	// (a delete, a truncate), newest last: its undo puts back those it
	// moved (reshape.go).
	removed []placesMoved
	reg     register // the internal register: copy (yank) and put (register.go)
	// typing groups the bytes typed in vim's replace mode (R … Esc) into
	// one undo step; nil outside it.
	typing *mapping.Group
	rec    typedBytes  // the bytes typed since R or r, for vim's . (repeat.go)
	last   lastChange  // the change vim's . repeats (repeat.go)
	rep    *replaceRun // the replace in progress (replace.go)

	app  *tview.Application
	f    *mapping.File
	opts Options
	// other is the side of `mmhex A B` not being edited (nil: one file);
	// sideB: e.f is B. Switching sides (compare.go) swaps f and other, so
	// every feature acts on the active side, each file with its own
	// journal; switchHooks run after each switch.
	other       *mapping.File
	sideB       bool
	switchHooks []func()
	keys        *keymap.Dispatcher

	root *layout
	grid *Grid
	pal  palette // the colours drawn with (Options.Colours)

	mu sync.Mutex // guards screen and ticks against Run's goroutines
	// screen is the screen last drawn on, kept to restore the terminal
	// after a panic.
	screen tcell.Screen

	size   int64 // the file size as last seen
	cursor int64
	top    int64 // offset of the first visible row (a multiple of bpr)
	col    Column
	nibble int // 1 after the high nibble of the cursor byte was typed

	bpr  int // bytes per row in effect (fit or configured; adoptLayout)
	rows int // data rows on the screen (adoptLayout)

	msg    string
	msgErr bool
	// firstHint: Options.FirstHint's text until the first key.
	firstHint string
	// idleCancels counts the cancel keys (Esc) in a row that had nothing
	// to cancel; cancelsBefore is the count before the key being handled.
	idleCancels, cancelsBefore int

	prompt  *Prompt
	overlay overlay
	panels  []*Panel
	// tooSmall: the screen as last drawn cannot show a byte row
	// (toosmall.go; kept by adoptLayout).
	tooSmall bool

	features     []Feature // in registration order; each holds its own state
	handlers     map[string]Handler
	handledBy    map[keymap.Action]string // the feature that registered each handler
	registering  string                   // the feature New is registering
	regErr       error                    // a handler refused while registering
	highlighters []Highlighter
	shownHooks   []func(start int64, data []byte)
	shown        []shownRun                                  // the bytes shown, read after the last event (readShown)
	squeeze      func(off int64) (start, end int64, ok bool) // the hole holding off, when squeezing (SetSqueeze)
	// holesAsked: the squeeze's answers asked while adopting the layout
	// (adoptLayout, after each event: adopting true), by offset; frames
	// (Draw) read them instead of asking (an lseek each), and keep
	// nothing. Cleared at each adoption.
	holesAsked  map[int64]holeAnswer
	holeRuns    []holeAnswer // holes and data runs known while adopting (holeAt)
	adopting    bool
	layoutHooks []func(start, end int64)
	keyHooks    []func(ev *tcell.EventKey) bool
	mouseHooks  []func(action tview.MouseAction, off int64, col Column) bool
	moveHooks   []func(from, to int64)
	quitHooks   []func()
	statusHooks []func() string
	ticks       []tick

	exitNote    string // printed after the editor quit (ExitNote)
	halfByte    byte   // the byte the high nibble made (nibble == 1)
	cancelHooks []func() bool

	ds *drawScreen // the wrapped Options.Screen; nil without one

	job     *job // the long job running off the UI goroutine, nil when none
	running bool // Run is running the application (jobs go to the background)

	frame      []byte   // a frame's scratch buffer for the visible bytes (reused: no state)
	readFailed string   // the read a frame could not do and the refresh said so (readKey)
	posted     []func() // without Run: work posted to the UI goroutine (postUI)
	stop       chan struct{}
	done       bool

	poll   pollGate // SetPolling: the polling ticks run only while it is open
	runFns []func(stop <-chan struct{})
}

type tick struct {
	every   time.Duration
	fn      func()
	while   func() bool // nil: always
	polling bool        // EveryPolling: paused (no timer at all) while SetPolling(false)
}

// pollGate pauses the polling ticks: while paused, their goroutines wait
// on a channel, not on a timer, so an idle editor wakes up for nothing.
type pollGate struct {
	mu     sync.Mutex
	paused bool
	resume chan struct{} // closed when polling resumes
}

// New builds the editor for f on app. The caller chooses app's screen
// (app.SetScreen; a simulation screen in tests). Nothing is drawn until Run,
// or until the caller draws with app.ForceDraw in tests. The error is a
// feature that could not be registered (two handlers for one action).
func New(app *tview.Application, f *mapping.File, opts Options) (*Editor, error) {
	if opts.BytesPerRow <= 0 {
		opts.BytesPerRow = 16
	}
	e := &Editor{
		app:      app,
		f:        f,
		other:    opts.Other,
		opts:     opts,
		keys:     opts.Keys,
		handlers: make(map[string]Handler),
		size:     f.Size(),
		bpr:      opts.BytesPerRow,
		pal:      newPalette(opts.Colours, opts.Theme, opts.NoColor),
		stop:     make(chan struct{}),
	}
	if e.keys == nil {
		e.keys = defaultDispatcher()
	}
	if opts.FirstHint {
		e.firstHint = e.keys.Map().FirstHint()
	}
	if ts, ok := opts.Screen.(*termScreen); ok {
		ts.mono = opts.NoColor
	}
	if opts.Screen != nil {
		e.ds = newDrawScreen(opts.Screen, true)
		if opts.test != nil && opts.test.maxFrameGap != 0 {
			e.ds.maxGap = opts.test.maxFrameGap
		}
		e.ds.resized = func() { e.post(func() {}) } // post runs syncSize: adoptLayout
		app.SetScreen(e.ds)
	}
	e.grid = newGrid(e)
	e.root = newLayout(e)
	if err := e.register(opts.Features); err != nil {
		return nil, err
	}
	if opts.Inspector {
		e.ShowPanel(inspectorPanel, true)
	} else if opts.InspectorIfFits && !opts.FitWidth && opts.Screen != nil { // --fit: the rows take the width
		if w, _ := opts.Screen.Size(); e.inspectorFits(w) {
			e.ShowPanel(inspectorPanel, true)
		}
	}
	if n := f.Notice(); n != "" {
		e.Message("%s", n)
	}
	if opts.StartupMessage != "" {
		e.ShowInfo("configuration", opts.StartupMessage)
	}
	app.SetRoot(e.root, true)
	app.EnableMouse(true)
	app.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if e.ds != nil {
			e.ds.keyHandled()
		}
		if e.done {
			// Keys still queued when the editor stopped (typed after
			// Ctrl-Q, or before SIGTERM) do nothing.
			return nil
		}
		// tview stops the application on an uncaptured Ctrl-C; the editor
		// handles Ctrl-C itself (it never quits without asking).
		if ev.Key() == tcell.KeyCtrlC {
			e.HandleKey(ev)
			return nil
		}
		return ev
	})
	app.SetBeforeDrawFunc(func(s tcell.Screen) bool {
		e.mu.Lock()
		e.screen = s
		e.mu.Unlock()
		// A key is still queued: the frame after it is drawn instead.
		return e.ds != nil && e.ds.skip()
	})
	return e, nil
}

// Run runs the editor until it quits. The terminal is restored however it
// ends: on a panic the screen is finalised first and the panic comes back as
// an error carrying the stack.
func (e *Editor) Run() (err error) {
	defer func() {
		if p := recover(); p != nil {
			e.mu.Lock()
			s := e.screen
			e.mu.Unlock()
			if s != nil {
				s.Fini()
			}
			// The terminal is back to normal: the stack can be printed.
			// The stack goes to standard error (a test's writer in tests).
			var out io.Writer = os.Stderr
			if e.opts.test != nil && e.opts.test.panicOut != nil {
				out = e.opts.test.panicOut
			}
			fmt.Fprintf(out, "mmhex: panic: %v\n%s", p, debug.Stack())
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	e.startTicks()
	for _, fn := range e.runFns {
		e.Go(func() { fn(e.stop) })
	}
	defer close(e.stop)
	e.running = true
	e.syncSize() // the terminal's layout, before the first frame
	if err := e.app.Run(); err != nil {
		var ev *tcell.EventError
		if errors.As(err, &ev) {
			// The terminal went away while the editor ran (a read of it
			// failed: EOF or EIO when its window or connection closed).
			return fmt.Errorf("%w: %v", errTerminalLost, err)
		}
		// The screen could not be set up (no terminal, unknown $TERM).
		return fmt.Errorf("cannot use the terminal: %w", err)
	}
	return nil
}

// errTerminalLost: the terminal stopped answering while the editor ran.
var errTerminalLost = errors.New("the terminal closed")

// Go runs fn on a new goroutine for background work that reads the
// mapping (searches, writers). The goroutine faults safely
// (debug.SetPanicOnFault) and a panic in it does not kill the process with
// the terminal raw: it is handed to the UI goroutine, where Run restores the
// terminal and returns it as an error.
func (e *Editor) Go(fn func()) {
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if p := recover(); p != nil {
				stack := debug.Stack()
				e.app.QueueUpdate(func() { panic(fmt.Sprintf("%v (in a background goroutine)\n%s", p, stack)) })
			}
		}()
		fn()
	}()
}

func (e *Editor) startTicks() {
	for _, t := range e.ticks {
		go func(t tick) {
			tk := time.NewTicker(t.every)
			defer tk.Stop()
			for {
				if !e.waitPolling() {
					return
				}
				select {
				case <-e.stop:
					return
				case <-tk.C:
					// QueueUpdateDraw waits until fn has run; once the
					// application has stopped it never returns, so wait
					// for it beside the stop channel. At most one call
					// per ticker is pending: ticks never pile up.
					ran := make(chan struct{})
					go func() {
						e.app.QueueUpdate(func() {
							if t.while != nil && !t.while() {
								return // nothing to do: no frame either
							}
							t.fn()
							e.syncSize()
							e.app.ForceDraw()
						})
						close(ran)
					}()
					select {
					case <-ran:
					case <-e.stop:
						return
					}
				}
			}
		}(t)
	}
}

// ---- extension points -------------------------------------------------

// App is the tview application the editor runs on.
func (e *Editor) App() *tview.Application { return e.app }

// Keys is the key dispatcher.
func (e *Editor) Keys() *keymap.Dispatcher { return e.keys }

// RunAction runs the handler of action; false when none is registered.
func (e *Editor) RunAction(action keymap.Action, a Args) bool {
	h, ok := e.handlers[string(action)]
	if !ok {
		return false
	}
	if e.jobAction(action) {
		return true
	}
	h(e, a)
	return true
}

// Message shows an informational message in the message line until the
// next key.
func (e *Editor) Message(format string, args ...any) {
	e.msg, e.msgErr = fmt.Sprintf(format, args...), false
}

// Errorf shows an error message in the message line.
func (e *Editor) Errorf(format string, args ...any) {
	e.msg, e.msgErr = fmt.Sprintf(format, args...), true
}

// ShowError shows err in the message line.
func (e *Editor) ShowError(err error) { e.Errorf("%v", err) }

// Every runs fn on the UI goroutine every d while Run is active
// (app.QueueUpdateDraw from a ticker), so fn may touch the editor and the
// screen is redrawn after it. Register from a feature function (before Run).
func (e *Editor) Every(d time.Duration, fn func()) {
	e.ticks = append(e.ticks, tick{every: d, fn: fn})
}

// EveryPolling is Every for polling that another notice (inotify) can
// stand in for (the live view's re-read of the file). Every tick, of any
// kind, runs only while polling is on (SetPolling; on by default): while
// it is off the tick goroutines wait on a channel, not a timer, so an idle
// editor wakes up for nothing, and whoever turned polling off runs the
// ticks once per change it is told of (RunTicks).
func (e *Editor) EveryPolling(d time.Duration, fn func()) {
	e.ticks = append(e.ticks, tick{every: d, fn: fn, polling: true})
}

// SetPolling turns the periodic ticks (Every, EveryWhile, EveryPolling)
// on or off, from any goroutine. A feature that is told of every change
// another way (the follow feature's inotify watch) turns them off while it
// is, runs RunTicks once per change, and turns them on again when it
// stops: an idle editor then costs nothing.
func (e *Editor) SetPolling(on bool) {
	g := &e.poll
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case on && g.paused:
		close(g.resume)
		g.paused = false
	case !on && !g.paused:
		g.resume = make(chan struct{})
		g.paused = true
	}
}

// Polling reports whether the polling ticks run (SetPolling).
func (e *Editor) Polling() bool {
	e.poll.mu.Lock()
	defer e.poll.mu.Unlock()
	return !e.poll.paused
}

// waitPolling blocks while polling is off; false when the editor stops.
func (e *Editor) waitPolling() bool {
	e.poll.mu.Lock()
	paused, ch := e.poll.paused, e.poll.resume
	e.poll.mu.Unlock()
	if !paused {
		return true
	}
	select {
	case <-ch:
		return true
	case <-e.stop:
		return false
	}
}

// OnRun adds fn, started on its own goroutine (through Go) when Run
// starts; stop is closed when Run returns. For watchers that block in a
// system call (inotify) and hand what they see to the UI goroutine with
// Post. Tests that drive an editor without Run never start it.
func (e *Editor) OnRun(fn func(stop <-chan struct{})) { e.runFns = append(e.runFns, fn) }

// Post runs fn on the UI goroutine and draws a frame, from any goroutine,
// without blocking the caller; once the editor has stopped fn never runs.
func (e *Editor) Post(fn func()) {
	go func() {
		ran := make(chan struct{})
		go func() {
			e.app.QueueUpdateDraw(func() {
				fn()
				e.syncSize()
			})
			close(ran)
		}()
		select {
		case <-ran:
		case <-e.stop:
		}
	}()
}

// EveryWhile is Every for work that matters only while cond holds (a
// panel is shown): at each tick cond runs first, on the UI goroutine, and
// when it is false neither fn runs nor a frame is drawn, so an idle editor
// does not lay out frames for hidden panels.
func (e *Editor) EveryWhile(d time.Duration, cond func() bool, fn func()) {
	e.ticks = append(e.ticks, tick{every: d, fn: fn, while: cond})
}

// RunTicks runs every periodic function (Every, EveryWhile, EveryPolling)
// once, on the calling goroutine, as a tick of Run would, and first the
// work frames posted to the UI goroutine meanwhile (a refresh after a
// failed read): for tests that drive an editor without Run, in this
// package and in the feature subpackages, and on the UI goroutine for a
// change notice while polling is off (SetPolling).
func (e *Editor) RunTicks() {
	e.runPosted()
	for _, t := range e.ticks {
		if t.while == nil || t.while() {
			t.fn()
		}
	}
	e.syncSize()
}

// Mark is a set of highlights a Highlighter puts on a byte.
type Mark uint8

const (
	MarkSelected Mark = 1 << iota // in the selection
	MarkMatch                     // part of the current search match
	MarkChanged                   // changed by another writer since the last frame
	MarkMarked                    // a mark is set here
	MarkField                     // the structure panel's field
	MarkDiffer                    // differs from the other file (mmhex A B)
	MarkShared                    // another process maps it shared and writable (the who panel): underlined
	MarkHole                      // in a hole of a sparse file (no block behind it): grey on dark, not a zero byte
)

// Highlighter is asked once per frame with the visible range [start, end)
// and returns a function the grid calls for each visible offset (nil: none).
type Highlighter func(start, end int64) func(off int64) Mark

// AddHighlighter adds h to the grid's styling. It runs in Draw: it reads
// what its feature prepared and changes nothing (OnLayout is where a
// feature asks the system).
func (e *Editor) AddHighlighter(h Highlighter) { e.highlighters = append(e.highlighters, h) }

// OnLayout registers fn to run on the UI goroutine after each event (a
// key, before and after it; a click; a tick; a background result; a
// resize), once the editor has adopted the screen's layout, with the range
// of bytes the grid shows, [start, end): a feature prepares there what its
// frames need (the holes feature asks that range's holes), so that Draw
// only draws.
func (e *Editor) OnLayout(fn func(start, end int64)) { e.layoutHooks = append(e.layoutHooks, fn) }

// OnShown registers fn to see the bytes the grid shows, after each event
// (a key, before and after it; a click; a tick; a background result; a
// resize) once the editor has adopted the layout, on the UI goroutine:
// once per run of rows (one, unless holes are squeezed), read with
// TryReadAt (a run a restore step holds is left out). Never in Draw: a
// frame draws what the hooks prepared. data is valid only during the call.
func (e *Editor) OnShown(fn func(start int64, data []byte)) {
	e.shownHooks = append(e.shownHooks, fn)
}

// AddKeyHook registers fn to see key events before the keymap does (not
// while a prompt or dialog is open); fn returns true when it consumed the key.
func (e *Editor) AddKeyHook(fn func(ev *tcell.EventKey) bool) {
	e.keyHooks = append(e.keyHooks, fn)
}

// AddMouseHook registers fn to see mouse actions on grid bytes (off is the
// byte under the pointer) before the editor does; true consumes the event.
func (e *Editor) AddMouseHook(fn func(action tview.MouseAction, off int64, col Column) bool) {
	e.mouseHooks = append(e.mouseHooks, fn)
}

// OnMove registers fn to be told whenever the cursor moves.
func (e *Editor) OnMove(fn func(from, to int64)) { e.moveHooks = append(e.moveHooks, fn) }

// OnQuit registers fn to run when the editor quits (before the screen ends).
func (e *Editor) OnQuit(fn func()) { e.quitHooks = append(e.quitHooks, fn) }

// AddStatus registers fn to add a part at the start of the status line
// (the state of background work, such as a running search's progress);
// fn runs on the UI goroutine each frame and returns "" for nothing.
func (e *Editor) AddStatus(fn func() string) { e.statusHooks = append(e.statusHooks, fn) }

// Cursor is the offset of the cursor byte.
func (e *Editor) Cursor() int64 { return e.cursor }

// File is the open file. Features read it (ReadAt, Scan, pagecache's
// figures) and edit it only through the editor (WriteAt, Fill), so the
// screen shows the edit as unsynced.
func (e *Editor) File() *mapping.File { return e.f }

// FileName is the name the panels call the file: Options.Name, else the
// last element of its path (the header shows the whole path). Not
// sanitised: pass it through display.Name or DrawText.
func (e *Editor) FileName() string {
	if e.opts.Name != "" && !e.sideB { // Name is A's (mmhex A B)
		return e.opts.Name
	}
	return filepath.Base(e.f.Path())
}

// SyncKey names the sync action's key for messages ("Ctrl-S"), or ":w"
// where no key is bound to it (the vim preset).
func (e *Editor) SyncKey() string { return syncKey(e) }

// OffsetStyle is the grid's style for offsets (the configured colour):
// cur for the cursor's row. Panels that show offsets use it.
func (e *Editor) OffsetStyle(cur bool) tcell.Style {
	if cur {
		return e.pal.offsetCur
	}
	return e.pal.offset
}

// Column is the active column.
func (e *Editor) Column() Column { return e.col }

// Size is the file size as the editor last saw it.
func (e *Editor) Size() int64 { return e.size }

// BytesPerRow is the row width on the screen.
func (e *Editor) BytesPerRow() int { return e.shownView().bpr }

// VisibleRange is the byte range [start, end) on the screen.
func (e *Editor) VisibleRange() (start, end int64) {
	v := e.shownView()
	return v.top, v.end(e.size)
}

// limit is how far the cursor goes: the file's size, or in mmhex A B
// the longer file's: the other file's tail is shown ("only in B") and
// the cursor reaches it, but no edit does (past the end of this file).
func (e *Editor) limit() int64 {
	if e.other != nil {
		return max(e.size, e.other.Size())
	}
	return e.size
}

// pastEnd says why nothing is done at the cursor when it is in the other
// file's tail (mmhex A B); false when it is in the file.
func (e *Editor) pastEnd() bool {
	if e.cursor < e.size || e.other == nil {
		return false
	}
	e.Errorf("0x%x is only in %s, past the end of this file: %s makes it the active side", e.cursor, display.Name(e.other.Path()), keyName(e, keymap.DiffSwitch))
	return true
}

// shownView is the grid's view as the last frame drew it (viewFor of the
// grid's box; the same as the editor's own after the next event), or the
// editor's before the first frame.
func (e *Editor) shownView() gridView {
	if _, _, w, h := e.grid.GetInnerRect(); w > 0 && h > 0 {
		return e.viewFor(w, h)
	}
	return gridView{bpr: e.bpr, rows: e.visibleRows(), top: e.top}
}

// SetCursor moves the cursor to off (clamped into the file) and scrolls so
// it is visible. Move hooks see the move.
func (e *Editor) SetCursor(off int64) {
	if off > e.limit()-1 {
		off = e.limit() - 1
	}
	if off < 0 {
		off = 0
	}
	from := e.cursor
	e.cursor = off
	e.nibble = 0
	e.scrollToCursor()
	for _, h := range e.moveHooks {
		h(from, off)
	}
}

// CenterOn moves the cursor to off and scrolls so its row is in the middle
// of the grid.
func (e *Editor) CenterOn(off int64) {
	e.SetCursor(off)
	rows := e.visibleRows()
	if e.squeezing() {
		b := int64(e.bpr)
		e.top = e.back(e.cursor/b*b, rows/2, e.cursor, e.size, e.bpr)
		e.scrollToCursor()
		return
	}
	row := e.cursor / int64(e.bpr)
	top := row - int64(rows/2)
	if top < 0 {
		top = 0
	}
	e.top = top * int64(e.bpr)
}

// Refresh re-reads the file size (f.Refresh) and, when it changed, says so
// and keeps the cursor inside the file.
func (e *Editor) Refresh() {
	changed, err := e.f.Refresh()
	if err != nil {
		e.Errorf("refreshing %s: %v", display.Name(e.f.Path()), err)
		return
	}
	newSize := e.f.Size()
	if changed || newSize != e.size {
		old := e.size
		e.size = newSize
		e.Message("the file changed size: %s, was %d B", sizeNote(newSize), old)
		if e.cursor >= e.limit() {
			e.cursor = max(e.limit()-1, 0)
			e.nibble = 0
		}
		e.scrollToCursor()
	}
}

// Stop quits the editor without asking.
func (e *Editor) Stop() {
	if e.done {
		return
	}
	e.done = true
	if e.job != nil && e.job.cancel != nil {
		e.job.cancel() // the part being stored is journaled
	}
	for _, h := range e.quitHooks {
		h()
	}
	e.app.Stop()
	// The events tview still has queued go to an empty root: a key, a
	// click or a paste that was on its way never reaches the file.
	e.app.SetRoot(tview.NewBox(), true)
}

// ExitNote is what the user should read after the editor quit ("" when
// nothing): what a revert on quit left alone.
func (e *Editor) ExitNote() string { return e.exitNote }

// stopped reports whether the editor has stopped.
func (e *Editor) stopped() bool { return e.done }
