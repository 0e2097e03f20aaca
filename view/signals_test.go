package view

import (
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
)

// Issue 11, point 7 (the orphan): a closed terminal sends SIGHUP and
// SIGCONT at once, and the SIGCONT repaint may be queued before the stop.
// From the stop signal on nothing is drawn (a repaint of a terminal tcell
// has let go spun for ever in tcell's draw loop); and when the editor has
// not stopped within stopWait of the signal (here its goroutine is kept
// busy), stuck is called: Launch restores the terminal and exits there.
// The signals are real, sent to this process.
func TestSignalStopWinsOverRepaintAndIsBounded(t *testing.T) {
	f, err := mapping.Open(writeFile(t, "sig.bin", knownData()), mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sim := tcell.NewSimulationScreen("UTF-8")
	ts := newTermScreen(sim, nil)
	if err := ts.Init(); err != nil {
		t.Fatal(err)
	}
	sim.SetSize(100, 30)
	e, err := New(tview.NewApplication(), f, Options{Features: viewFeatures(), Screen: ts})
	if err != nil {
		t.Fatal(err)
	}
	stuck := make(chan os.Signal, 1)
	stoppedBy, cancel := e.watchSignals(ts, func(sig os.Signal) { stuck <- sig })
	defer cancel()
	done, ended := make(chan error, 1), make(chan struct{})
	go func() {
		err := e.Run()
		close(ended)
		done <- err
	}()
	stopOnCleanup(t, e, ended)
	for deadline := time.Now().Add(10 * time.Second); ts.shows.Load() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no first frame")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The editor's goroutine is busy until release.
	release, busy := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(free) // before the editor is stopped (cleanups run last first)
	go e.app.QueueUpdate(func() {
		close(busy)
		<-release
	})
	select {
	case <-busy:
	case <-time.After(uiWait):
		t.Fatalf("the UI goroutine did not run a queued update in %v", uiWait)
	}
	shows := ts.shows.Load()
	syscall.Kill(os.Getpid(), syscall.SIGCONT) // the repaint is queued first
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	select {
	case sig := <-stuck:
		if sig != syscall.SIGHUP {
			t.Errorf("stuck(%v), want SIGHUP", sig)
		}
		if d := time.Since(start); d < stopWait-100*time.Millisecond || d > stopWait+time.Second {
			t.Errorf("stuck was called %v after the signal, want about %v", d, stopWait)
		}
	case <-time.After(stopWait + 3*time.Second):
		t.Errorf("the editor is busy %v after SIGHUP and stuck was not called", stopWait+3*time.Second)
	}
	free()
	if err := waitRun(t, done); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := stoppedBy(); got != syscall.SIGHUP {
		t.Errorf("stopped by %v, want SIGHUP", got)
	}
	if n := ts.shows.Load() - shows; n != 0 {
		t.Errorf("%d frames were drawn after the stop signal (the SIGCONT repaint queued before it ran)", n)
	}
}
