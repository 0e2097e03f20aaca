package view

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/gdamore/tcell/v2/terminfo"
	"github.com/rivo/tview"
	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// testPty is a real pseudo-terminal: tcell drives the slave as it would a
// terminal; the test types into the master and reads what tcell wrote.
type testPty struct {
	t       *testing.T
	master  *os.File
	slave   string
	slaveFd int
	mu      sync.Mutex
	out     bytes.Buffer
	last    atomic.Int64 // UnixNano of the last read
}

func newTestPty(t *testing.T, w, h int) *testPty {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		testenv.SkipOrFail(t, "no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(h), Col: uint16(w)}); err != nil {
		t.Fatal(err)
	}
	p := &testPty{t: t, master: os.NewFile(uintptr(fd), "ptmx"), slave: fmt.Sprintf("/dev/pts/%d", n)}
	// The test keeps the slave open: with no slave open, reading the
	// master fails (EIO) and the reader would stop.
	p.slaveFd, err = unix.Open(p.slave, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 1<<16)
		for {
			n, err := p.master.Read(buf)
			if n > 0 {
				p.mu.Lock()
				p.out.Write(buf[:n])
				p.mu.Unlock()
				p.last.Store(time.Now().UnixNano())
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		unix.Close(p.slaveFd)
		p.master.Close()
	})
	return p
}

// screen is a tcell terminal screen (xterm-256color) on the slave.
func (p *testPty) screen() tcell.Screen {
	p.t.Helper()
	tty, err := tcell.NewDevTtyFromDev(p.slave)
	if err != nil {
		p.t.Fatal(err)
	}
	ti, err := terminfo.LookupTerminfo("xterm-256color")
	if err != nil {
		p.t.Fatal(err)
	}
	s, err := tcell.NewTerminfoScreenFromTtyTerminfo(tty, ti)
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// until waits until the terminal was sent want (10 s at most), returns
// what came before it and forgets both.
func (p *testPty) until(want string) []byte {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		out := p.out.String()
		i := strings.Index(out, want)
		if i >= 0 {
			p.out.Next(i + len(want))
		}
		p.mu.Unlock()
		if i >= 0 {
			return []byte(out[:i])
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the terminal was never sent %q; it got %q", want, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// termios is the line discipline's state of the terminal.
func (p *testPty) termios() unix.Termios {
	p.t.Helper()
	tio, err := unix.IoctlGetTermios(p.slaveFd, unix.TCGETS)
	if err != nil {
		p.t.Fatal(err)
	}
	return *tio
}

// tview clears the screen before every frame and boxes clear their area:
// through the termScreen a frame that changes one cell writes that cell,
// and a frame that changes nothing writes nothing (tcell alone rewrites
// every non-blank cell of every frame: the control at the end).
func TestTermScreenWritesOnlyChangedCells(t *testing.T) {
	p := newTestPty(t, 20, 4)
	inner := p.screen()
	ts := newTermScreen(inner, nil)
	if err := ts.Init(); err != nil {
		t.Fatal(err)
	}
	defer ts.Fini()
	frame := func(s tcell.Screen, text string) []byte {
		s.Clear()
		s.Fill(' ', tcell.StyleDefault)
		s.PutStr(0, 1, text)
		s.Show()
		// A bell after the frame: what comes before it is the frame.
		s.Beep()
		return p.until("\a")
	}
	frame(ts, "hello")
	// One cell changed: the cursor goes to row 2, column 5, and writes O.
	if out, want := frame(ts, "hellO"), "\x1b[?2026h\x1b[?25l\x1b[2;5H\x1b(B\x1b[mO\x1b[?25l\x1b[?2026l"; string(out) != want {
		t.Errorf("a frame with one changed cell wrote %q, want %q", out, want)
	}
	for i := 0; i < 3; i++ {
		if out := frame(ts, "hellO"); len(out) != 0 {
			t.Errorf("a frame with nothing changed wrote %q", out)
		}
	}
	// The control: tcell itself, cleared and drawn the same, writes the
	// text again.
	if out := frame(inner, "hellO"); !bytes.Contains(out, []byte("hellO")) {
		t.Errorf("tcell without the termScreen wrote %q: the control no longer shows the full rewrite", out)
	}
}

// Keys typed after Ctrl-Q (or queued when a signal stops the editor) are
// still being read by tcell while the screen is finalised: with thousands
// of them Fini used to wait for ever. The editor stops, the terminal's
// line discipline is back as it was, and none of the hex digits typed
// after Ctrl-Q reached the file.
func TestTermScreenQuitWithQueuedKeys(t *testing.T) {
	data := bytes.Repeat([]byte{0xaa}, 4096)
	path := writeFile(t, "q.bin", data)
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := newTestPty(t, 100, 30)
	before := p.termios()
	ts := newTermScreen(p.screen(), nil)
	if err := ts.Init(); err != nil {
		t.Fatal(err)
	}
	app := tview.NewApplication()
	app.SetScreen(ts)
	e, err := New(app, f, Options{Features: viewFeatures()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Run() }()
	p.until("00000000")
	keys := strings.Repeat("x", 10) + "\x11" + strings.Repeat("1", 3000)
	if _, err := p.master.WriteString(keys); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the editor did not stop with keys queued after Ctrl-Q: Fini hangs")
	}
	if after := p.termios(); after != before {
		t.Errorf("the terminal was left in another mode:\nbefore %+v\nafter  %+v", before, after)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		i := 0
		for got[i] == data[i] {
			i++
		}
		t.Fatalf("a key typed after Ctrl-Q changed the file: byte %#x is %#x", i, got[i])
	}
}

// stuckScreen is a screen whose Fini never returns (tcell waiting for an
// input goroutine that cannot finish).
type stuckScreen struct {
	tcell.SimulationScreen
	screenInternals
	release chan struct{}
}

func (s *stuckScreen) Fini() { <-s.release }

// Fini is bounded even when tcell's is not: after finiWait it restores
// the terminal itself and returns.
func TestTermScreenFiniBounded(t *testing.T) {
	sim := tcell.NewSimulationScreen("UTF-8")
	stuck := &stuckScreen{SimulationScreen: sim, screenInternals: sim.(screenInternals), release: make(chan struct{})}
	defer close(stuck.release)
	var restored atomic.Int32
	ts := newTermScreen(stuck, func() { restored.Add(1) })
	if err := ts.Init(); err != nil {
		t.Fatal(err)
	}
	returned := make(chan struct{})
	go func() {
		ts.Fini()
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Fini waited for ever on a stuck screen")
	}
	if restored.Load() != 1 {
		t.Fatalf("the terminal was restored %d times, want 1", restored.Load())
	}
	ts.Fini() // a second Fini does nothing
	if restored.Load() != 1 {
		t.Fatalf("a second Fini restored again")
	}
}

// resetSequences leave the alternate screen, show the cursor and turn the
// mouse and bracketed paste off: what tcell's Fini writes for xterm.
func TestResetSequences(t *testing.T) {
	got := resetSequences("xterm-256color")
	for _, want := range []string{"\x1b[?1049l", "\x1b[?25h", "\x1b[?1000l", "\x1b[?1006l", "\x1b[?2004l"} {
		if !strings.Contains(got, want) {
			t.Errorf("reset sequences %q lack %q", got, want)
		}
	}
	if got := resetSequences("no-such-terminal"); !strings.Contains(got, "\x1b[?1049l") {
		t.Errorf("for an unknown terminal: %q", got)
	}
}

// A tick registered with EveryWhile runs (and draws) only while its
// condition holds: the page panel's and disk view's ticks cost nothing
// while they are hidden.
func TestEveryWhile(t *testing.T) {
	p := writeFile(t, "run.bin", knownData())
	var shown atomic.Bool
	var n atomic.Int32
	sim, _, done := runEditor(t, p, func(e *Editor) {
		e.EveryWhile(2*time.Millisecond, func() bool { return shown.Load() }, func() { n.Add(1) })
	})
	time.Sleep(100 * time.Millisecond) // about 50 ticks
	if got := n.Load(); got != 0 {
		t.Fatalf("the tick ran %d times while its condition was false", got)
	}
	shown.Store(true)
	deadline := time.Now().Add(5 * time.Second)
	for n.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the tick did not run once its condition held")
		}
		time.Sleep(2 * time.Millisecond)
	}
	sim.InjectKey(tcell.KeyCtrlQ, 0, tcell.ModCtrl)
	if err := waitRun(t, done); err != nil {
		t.Fatal(err)
	}
}

// Issue 11, point 7 (the orphan): tcell's draw loop never ends when its
// cell buffer is smaller than its size, which is what tcell leaves when it
// lets the terminal go (Fini after a read of a closed terminal failed, or
// Suspend). The SIGCONT repaint a closed terminal sends after SIGHUP
// spun there for ever. Show and Sync must return at once then, and after
// a stop signal (Halt) nothing more is written.
func TestTermScreenNeverDrawsAfterLettingGo(t *testing.T) {
	returns := func(t *testing.T, what string, f func()) {
		t.Helper()
		done := make(chan struct{})
		go func() {
			f()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("%s did not return in 2 s (tcell's draw loop spins)", what)
		}
	}
	frame := func(ts *termScreen, text string) {
		ts.Clear()
		ts.PutStr(0, 1, text)
		ts.Show()
	}
	open := func(t *testing.T) (*testPty, *termScreen) {
		p := newTestPty(t, 20, 4)
		ts := newTermScreen(p.screen(), nil)
		if err := ts.Init(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ts.Fini)
		frame(ts, "first")
		ts.Beep()
		if out := p.until("\a"); !bytes.Contains(out, []byte("first")) {
			t.Fatalf("the first frame wrote %q", out)
		}
		return p, ts
	}
	t.Run("after Fini", func(t *testing.T) {
		_, ts := open(t)
		ts.Fini()
		returns(t, "Sync after Fini", ts.Sync)
		returns(t, "Show after Fini", func() { frame(ts, "again") })
	})
	t.Run("suspended", func(t *testing.T) {
		p, ts := open(t)
		if err := ts.Suspend(); err != nil {
			t.Fatal(err)
		}
		returns(t, "Sync while suspended", ts.Sync)
		returns(t, "Show while suspended", func() { frame(ts, "again") })
		if err := ts.Resume(); err != nil {
			t.Fatal(err)
		}
		frame(ts, "resumed")
		p.until("resumed")
	})
	t.Run("halted", func(t *testing.T) {
		p, ts := open(t)
		ts.Halt()
		frame(ts, "again")
		ts.Sync()
		ts.Beep()
		if out := p.until("\a"); len(out) != 0 {
			t.Errorf("after Halt the screen wrote %q", out)
		}
	})
}
