package view

// term.go: the terminal screen the editor runs on. A tcell screen wrapped
// (termScreen) so that
//
//   - quitting never hangs: tcell's input goroutines post every key to a
//     queue of 256 events; when nobody takes them (the editor is busy, or
//     has stopped) they block, and Fini waits for them for ever (with a few
//     hundred keys queued at Ctrl-Q, SIGTERM or SIGHUP). An event pump takes
//     each event off tcell's queue at once, into a queue of our own that
//     PollEvent reads; from the moment Fini (or Suspend) starts, the pump
//     takes events without limit (Fini drops them), so tcell's goroutines
//     always finish. Fini is bounded too: when tcell has not finished after
//     finiWait, the terminal is put back from the state saved at start.
//
//   - idle is idle: tview clears the whole screen before each frame, boxes
//     clear their area, and tcell marks a cell to be written whenever its
//     text is set to something other than what it held (a blank, then the
//     same character again), so every frame rewrote every non-blank cell.
//     Here the frame is drawn into a buffer of our own, and Show gives
//     tcell only the cells whose final content differs from what it has:
//     tcell then writes just those. A frame with no changed cell (and the
//     cursor where it was) writes nothing at all.
//
//   - nothing is drawn to a terminal tcell has let go: once a stop began
//     (Halt: a stop signal; Fini), while suspended, and once the terminal
//     is gone (TIOCGWINSZ fails), Show and Sync do not call tcell. tcell's
//     draw loop never ends when its cell buffer is smaller than its size,
//     which is what tcell leaves behind when it lets the terminal go (its
//     Suspend, or its own Fini after a read of a closed terminal failed):
//     the SIGCONT repaint that follows a closed terminal's SIGHUP spun
//     there for ever, holding the mapping.

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/gdamore/tcell/v2/terminfo"
	"github.com/rivo/uniseg"
	"golang.org/x/term"
)

const (
	// maxQueuedEvents bounds the pump's queue while the editor runs (it
	// then waits, as tcell's own queue would); it is not applied while
	// the screen suspends or finishes.
	maxQueuedEvents = 1 << 16
	// finiWait is how long Fini waits for tcell before it restores the
	// terminal itself.
	finiWait = 500 * time.Millisecond
	// settleFor and settleMax: before tcell's Fini, the pump drains the
	// input until none came for settleFor (at most settleMax), so tcell's
	// input goroutines are idle when they are told to stop.
	settleFor = 20 * time.Millisecond
	settleMax = 250 * time.Millisecond
)

// screenInternals are the methods tcell's screens have beyond tcell.Screen
// (tcell's baseScreen): the termScreen needs them.
type screenInternals interface {
	sync.Locker
	GetCells() *tcell.CellBuffer
	EventQ() chan tcell.Event
	StopQ() <-chan struct{}
}

type cursorState struct {
	shown bool
	x, y  int
}

// termScreen wraps a tcell screen (see the file comment).
type termScreen struct {
	tcell.Screen
	in screenInternals

	// restore puts the terminal back when tcell's Fini does not finish
	// in finiWait (nil: nothing to do).
	restore func()

	initOnce sync.Once
	initErr  error
	finiOnce sync.Once
	finiDone chan struct{} // closed when Fini has returned: the pump stops

	// Drawing (see the file comment): drawMu is held around every call
	// that makes tcell draw, and by tcell's Fini, so the two never overlap.
	drawMu    sync.Mutex
	halted    atomic.Bool // a stop began, or the terminal is gone: never draw again
	suspended atomic.Bool // between Suspend and a Resume that succeeded

	// The event pump.
	qmu       sync.Mutex
	queue     []tcell.Event
	wake      chan struct{} // an event was queued
	space     chan struct{} // an event was taken, or the limit was lifted
	unlimited atomic.Int32  // > 0 while suspending or finishing
	drop      atomic.Bool   // finishing: events are dropped
	lastEvent atomic.Int64  // UnixNano of the last event the pump took

	// Frames.
	fmu      sync.Mutex
	w, h     int
	frame    []cellState // the frame being drawn, given to tcell at Show
	cur      cursorState
	shownCur cursorState
	force    bool // the next Show writes even with no changed cell
	shows    atomic.Int64
	// mono (NO_COLOR): every cell is drawn without colours (monoStyle),
	// whatever part of the editor drew it.
	mono bool
}

// monoStyle is st without its colours: attributes stay, and a cell with a
// background colour (a mark, a highlighted cell) is drawn in reverse video
// so that it still stands out.
func monoStyle(st tcell.Style) tcell.Style {
	_, bg, attrs := st.Decompose()
	if bg != tcell.ColorDefault && bg != tcell.ColorNone && bg != tcell.ColorReset {
		attrs |= tcell.AttrReverse
	}
	return tcell.StyleDefault.Attributes(attrs)
}

// newTermScreen wraps s; restore is called when Fini does not finish.
// s must be one of tcell's screens (terminal or simulation).
func newTermScreen(s tcell.Screen, restore func()) *termScreen {
	in, _ := s.(screenInternals)
	return &termScreen{
		Screen:   s,
		in:       in,
		restore:  restore,
		finiDone: make(chan struct{}),
		wake:     make(chan struct{}, 1),
		space:    make(chan struct{}, 1),
		force:    true,
	}
}

func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Init initialises the screen once (tview's SetScreen calls it again).
func (s *termScreen) Init() error {
	s.initOnce.Do(func() {
		s.initErr = s.Screen.Init()
		if s.initErr == nil && s.in != nil {
			go s.pump()
		}
	})
	return s.initErr
}

// pump moves events from tcell's queue to s.queue (see the file comment).
func (s *termScreen) pump() {
	q := s.in.EventQ()
	for {
		var ev tcell.Event
		select {
		case ev = <-q:
		case <-s.finiDone:
			return
		}
		s.lastEvent.Store(time.Now().UnixNano())
		if s.drop.Load() {
			continue
		}
		s.qmu.Lock()
		s.queue = append(s.queue, ev)
		n := len(s.queue)
		s.qmu.Unlock()
		notify(s.wake)
		for n >= maxQueuedEvents && s.unlimited.Load() == 0 {
			select {
			case <-s.space:
			case <-s.finiDone:
				return
			}
			s.qmu.Lock()
			n = len(s.queue)
			s.qmu.Unlock()
		}
	}
}

// next returns the next queued event; nil when the screen was finalised
// (or quit was closed).
func (s *termScreen) next(quit <-chan struct{}) tcell.Event {
	for {
		s.qmu.Lock()
		if len(s.queue) > 0 {
			ev := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			if len(s.queue) == 0 {
				s.queue = nil // let the backing array go
			}
			s.qmu.Unlock()
			notify(s.space)
			return ev
		}
		s.qmu.Unlock()
		select {
		case <-s.wake:
		case <-s.in.StopQ():
			return nil
		case <-quit:
			return nil
		}
	}
}

// PollEvent waits for the next event; nil once the screen is finalised.
func (s *termScreen) PollEvent() tcell.Event {
	if s.in == nil {
		return s.Screen.PollEvent()
	}
	return s.next(nil)
}

// ChannelEvents sends events to ch until the screen is finalised or quit
// is closed, then closes ch.
func (s *termScreen) ChannelEvents(ch chan<- tcell.Event, quit <-chan struct{}) {
	if s.in == nil {
		s.Screen.ChannelEvents(ch, quit)
		return
	}
	defer close(ch)
	for {
		ev := s.next(quit)
		if ev == nil {
			return
		}
		select {
		case ch <- ev:
		case <-quit:
			return
		}
	}
}

// HasPendingEvent reports whether an event is waiting.
func (s *termScreen) HasPendingEvent() bool {
	if s.in == nil {
		return s.Screen.HasPendingEvent()
	}
	s.qmu.Lock()
	n := len(s.queue)
	s.qmu.Unlock()
	return n > 0 || len(s.in.EventQ()) > 0
}

func (s *termScreen) unlimit() {
	s.unlimited.Add(1)
	notify(s.space)
}

// Fini restores the terminal. It returns within finiWait plus settleMax
// however many keys are queued: see the file comment.
func (s *termScreen) Fini() {
	s.finiOnce.Do(func() {
		defer close(s.finiDone)
		s.Halt()
		if s.in == nil {
			s.Screen.Fini()
			return
		}
		s.drop.Store(true)
		s.unlimit()
		s.qmu.Lock()
		s.queue = nil
		s.qmu.Unlock()
		// Let tcell's input goroutines go idle: input that is still
		// coming in (keys sent after Ctrl-Q) is read and dropped.
		for start := time.Now(); time.Since(start) < settleMax; {
			if time.Since(time.Unix(0, s.lastEvent.Load())) >= settleFor && len(s.in.EventQ()) == 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		done := make(chan struct{})
		go func() {
			s.drawMu.Lock() // not during a frame
			defer s.drawMu.Unlock()
			s.Screen.Fini()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(finiWait):
			if s.restore != nil {
				s.restore()
			}
		}
	})
}

// Suspend gives the terminal back (SIGTSTP); tcell waits for its input
// goroutines, so the pump takes events without limit meanwhile (they are
// kept: they come after Resume).
func (s *termScreen) Suspend() error {
	s.unlimit()
	defer s.unlimited.Add(-1)
	s.suspended.Store(true)
	return s.Screen.Suspend()
}

// errHalted: Resume after a stop began.
var errHalted = errors.New("the screen is stopping")

// Resume takes the terminal again; the next frame is written in full.
// Until it succeeds (a closed terminal cannot be taken), nothing is drawn.
func (s *termScreen) Resume() error {
	if s.halted.Load() {
		return errHalted
	}
	err := s.Screen.Resume()
	s.fmu.Lock()
	s.force = true
	s.fmu.Unlock()
	if err == nil {
		s.suspended.Store(false)
	}
	return err
}

// Halt stops all drawing for good: a stop signal arrived (Fini follows).
func (s *termScreen) Halt() { s.halted.Store(true) }

// canDrawLocked reports whether tcell may draw (drawMu held): not halted
// nor suspended, the terminal still answers TIOCGWINSZ (else it is gone:
// halted), and tcell's cell buffer will have tcell's size once tcell has
// followed the terminal's (its draw loop never ends otherwise).
func (s *termScreen) canDrawLocked() bool {
	if s.halted.Load() || s.suspended.Load() || s.released() {
		return false
	}
	if s.in == nil {
		return true
	}
	tty, ok := s.Screen.Tty()
	if !ok || tty == nil {
		return true // the simulation screen
	}
	ws, err := tty.WindowSize()
	if err != nil {
		s.Halt()
		return false
	}
	w, h := s.Screen.Size()
	s.in.Lock()
	cw, ch := s.in.GetCells().Size()
	s.in.Unlock()
	if ws.Width <= 0 || ws.Height <= 0 {
		return false
	}
	// tcell resizes its buffer (to ws) only when ws differs from its size.
	return ws.Width != w || ws.Height != h || (cw == w && ch == h)
}

// ---- frames ----------------------------------------------------------

// cellState is one cell of the frame being drawn.
type cellState struct {
	str   string
	st    tcell.Style
	width int
}

// sizeLocked follows the screen size; a new size starts an empty frame.
func (s *termScreen) sizeLocked() {
	w, h := s.Screen.Size()
	if w == s.w && h == s.h && len(s.frame) == w*h {
		return
	}
	s.w, s.h = w, h
	s.frame = make([]cellState, w*h)
	for i := range s.frame {
		s.frame[i] = cellState{" ", tcell.StyleDefault, 1}
	}
	s.force = true
}

// Clear makes every cell of the frame blank.
func (s *termScreen) Clear() { s.Fill(' ', tcell.StyleDefault) }

// Fill makes every cell of the frame r in style st (a colour st leaves
// unset, ColorNone, stays as it was).
func (s *termScreen) Fill(r rune, st tcell.Style) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.sizeLocked()
	str := string(r)
	if s.mono {
		st = monoStyle(st)
	}
	fg, bg, _ := st.Decompose()
	for i := range s.frame {
		c := &s.frame[i]
		cst := st
		if fg == tcell.ColorNone || bg == tcell.ColorNone {
			cst = resolveNone(st, c.st)
		}
		*c = cellState{str, cst, 1}
	}
}

// resolveNone gives st the colours of under where st has ColorNone.
func resolveNone(st, under tcell.Style) tcell.Style {
	fg, bg, _ := st.Decompose()
	ufg, ubg, _ := under.Decompose()
	if fg == tcell.ColorNone {
		st = st.Foreground(ufg)
	}
	if bg == tcell.ColorNone {
		st = st.Background(ubg)
	}
	return st
}

// firstCluster splits str into its first grapheme cluster of non-zero
// width (with the zero-width ones before it) and the rest, as tcell's
// CellBuffer.Put does.
func firstCluster(str string) (cl, rest string, width int) {
	if len(str) > 0 && str[0] >= 0x20 && str[0] < 0x7f && (len(str) == 1 || str[1] < 0x80) {
		return str[:1], str[1:], 1 // printable ASCII: one cell
	}
	state := -1
	for width == 0 && str != "" {
		var g string
		g, str, width, state = uniseg.FirstGraphemeClusterInString(str, state)
		cl += g
		if g == "" {
			break
		}
	}
	return cl, str, width
}

// Put draws str's first grapheme at (x, y) into the frame; tcell gets it
// at Show.
func (s *termScreen) Put(x, y int, str string, st tcell.Style) (string, int) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if x < 0 || y < 0 || x >= s.w || y >= s.h || len(s.frame) != s.w*s.h {
		return str, 0
	}
	cl, rest, width := firstCluster(str)
	c := &s.frame[y*s.w+x]
	c.str, c.width = cl, width
	if s.mono {
		st = monoStyle(st)
	}
	fg, bg, _ := st.Decompose()
	if fg == tcell.ColorNone || bg == tcell.ColorNone {
		st = resolveNone(st, c.st)
	}
	c.st = st
	return rest, width
}

// SetContent draws a rune with its combining runes at (x, y).
func (s *termScreen) SetContent(x, y int, r rune, comb []rune, st tcell.Style) {
	s.Put(x, y, string(append([]rune{r}, comb...)), st)
}

// SetCell is SetContent with the style first.
func (s *termScreen) SetCell(x, y int, st tcell.Style, ch ...rune) {
	if len(ch) == 0 {
		s.Put(x, y, " ", st)
		return
	}
	s.Put(x, y, string(ch), st)
}

// PutStrStyled draws str from (x, y) to the right.
func (s *termScreen) PutStrStyled(x, y int, str string, st tcell.Style) {
	for str != "" {
		var width int
		str, width = s.Put(x, y, str, st)
		if width == 0 {
			break
		}
		x += width
	}
}

// PutStr draws str in the default style.
func (s *termScreen) PutStr(x, y int, str string) { s.PutStrStyled(x, y, str, tcell.StyleDefault) }

// Get returns the cell at (x, y) of the frame being drawn.
func (s *termScreen) Get(x, y int) (string, tcell.Style, int) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if x < 0 || y < 0 || x >= s.w || y >= s.h || len(s.frame) != s.w*s.h {
		return "", tcell.StyleDefault, 0
	}
	c := s.frame[y*s.w+x]
	if c.width == 0 || c.str == "" {
		return " ", c.st, 1
	}
	return c.str, c.st, c.width
}

// GetContent returns the cell at (x, y) of the frame being drawn.
func (s *termScreen) GetContent(x, y int) (rune, []rune, tcell.Style, int) {
	str, st, width := s.Get(x, y)
	if width == 0 {
		return ' ', nil, st, 1
	}
	rs := []rune(str)
	return rs[0], rs[1:], st, width
}

// ShowCursor shows the cursor at (x, y) from the next Show.
func (s *termScreen) ShowCursor(x, y int) {
	s.fmu.Lock()
	s.cur = cursorState{true, x, y}
	s.fmu.Unlock()
	s.Screen.ShowCursor(x, y)
}

// HideCursor hides the cursor from the next Show.
func (s *termScreen) HideCursor() {
	s.fmu.Lock()
	s.cur = cursorState{}
	s.fmu.Unlock()
	s.Screen.HideCursor()
}

// SetCursorStyle sets the cursor's shape and colour.
func (s *termScreen) SetCursorStyle(cs tcell.CursorStyle, c ...tcell.Color) {
	s.fmu.Lock()
	s.force = true
	s.fmu.Unlock()
	s.Screen.SetCursorStyle(cs, c...)
}

// SetStyle sets the default style.
func (s *termScreen) SetStyle(st tcell.Style) {
	s.fmu.Lock()
	s.force = true
	s.fmu.Unlock()
	s.Screen.SetStyle(st)
}

// transferLocked gives tcell the cells of the frame that differ from what
// it holds, and reports whether tcell has any cell to write.
func (s *termScreen) transferLocked() (dirty bool) {
	if s.in == nil {
		for i, c := range s.frame {
			s.Screen.Put(i%s.w, i/s.w, c.str, c.st)
		}
		return true
	}
	s.in.Lock()
	defer s.in.Unlock()
	cb := s.in.GetCells()
	w, h := cb.Size()
	for y := 0; y < h && y < s.h; y++ {
		for x := 0; x < w && x < s.w; x++ {
			c := &s.frame[y*s.w+x]
			if str, st, _ := cb.Get(x, y); str != c.str || st != c.st {
				cb.Put(x, y, c.str, c.st)
			}
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if cb.Dirty(x, y) {
				return true
			}
		}
	}
	return false
}

// Show writes the cells that changed since the last frame, and nothing at
// all when none did and the cursor stayed.
func (s *termScreen) Show() {
	s.fmu.Lock()
	need := s.transferLocked() || s.force || s.cur != s.shownCur
	if need {
		s.force = false
		s.shownCur = s.cur
	}
	s.fmu.Unlock()
	if need {
		s.drawMu.Lock()
		defer s.drawMu.Unlock()
		if !s.canDrawLocked() {
			return
		}
		s.shows.Add(1)
		s.Screen.Show()
	}
}

// Sync writes every cell again.
func (s *termScreen) Sync() {
	s.fmu.Lock()
	s.transferLocked()
	s.force = false
	s.shownCur = s.cur
	s.fmu.Unlock()
	s.drawMu.Lock()
	defer s.drawMu.Unlock()
	if !s.canDrawLocked() {
		return
	}
	s.shows.Add(1)
	s.Screen.Sync()
}

// released reports whether tcell has let the terminal go: its Fini (and
// Suspend) empties its cell buffer but keeps its width and height, and a
// draw then never ends (tcell's draw loop does not advance over cells it
// does not have). Seen as an orphan spinning for ever after the terminal
// closed (SIGHUP, then SIGCONT's redraw: ts.Sync).
func (s *termScreen) released() bool {
	if s.in == nil {
		return false
	}
	s.in.Lock()
	w, h := s.in.GetCells().Size()
	s.in.Unlock()
	return w == 0 || h == 0
}

// ---- the real terminal -------------------------------------------------

// openTerminal makes the terminal screen, initialised, with the terminal's
// state saved first so Fini can restore it even when tcell cannot.
func openTerminal() (*termScreen, error) {
	restore := saveTerminal()
	s, err := tcell.NewScreen()
	if err != nil {
		return nil, err
	}
	ts := newTermScreen(s, restore)
	if err := ts.Init(); err != nil {
		return nil, err
	}
	return ts, nil
}

// saveTerminal saves the line discipline of /dev/tty and returns a function
// that puts it back and writes the sequences that leave the alternate
// screen, show the cursor and turn mouse and paste reports off; nil when
// there is no terminal.
func saveTerminal() func() {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil
	}
	rc, err := f.SyscallConn() // not f.Fd(): that makes writes blocking
	if err != nil {
		f.Close()
		return nil
	}
	var st *term.State
	rc.Control(func(fd uintptr) { st, err = term.GetState(int(fd)) })
	if err != nil || st == nil {
		f.Close()
		return nil
	}
	seq := resetSequences(os.Getenv("TERM"))
	return func() {
		f.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		f.WriteString(seq)
		rc.Control(func(fd uintptr) { term.Restore(int(fd), st) })
	}
}

// resetSequences are the sequences tcell's Fini would write for a terminal
// of type name.
func resetSequences(name string) string {
	const (
		mouseOff = "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l"
		pasteOff = "\x1b[?2004l"
	)
	ti, err := terminfo.LookupTerminfo(name)
	if err != nil {
		return "\x1b[?25h\x1b[39;49m\x1b[0m\x1b[?1l\x1b>" + mouseOff + pasteOff + "\x1b[H\x1b[2J\x1b[?1049l"
	}
	seq := ti.ShowCursor + ti.ResetFgBg + ti.AttrOff + ti.ExitKeypad + ti.EnableAutoMargin
	if ti.Mouse != "" || ti.XTermLike {
		seq += mouseOff + pasteOff
	}
	return seq + ti.Clear + ti.ExitCA
}
