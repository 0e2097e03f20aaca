package view

import (
	"testing"
	"time"
)

// uiWait is how long a test waits for the running editor's UI goroutine
// (a queued update, Run returning) before it fails saying so: a hang
// fails the test with a clear message instead of hanging the suite.
// Generous for -race on two loaded cores; a passing test never waits it.
const uiWait = 30 * time.Second

// onUI runs fn on the running editor's UI goroutine (tview's QueueUpdate,
// which waits for ever once Run has returned) and waits for it at most
// uiWait.
func onUI(tb testing.TB, e *Editor, fn func()) {
	tb.Helper()
	ran := make(chan struct{})
	go func() {
		e.App().QueueUpdate(fn)
		close(ran)
	}()
	select {
	case <-ran:
	case <-time.After(uiWait):
		tb.Fatalf("the UI goroutine did not run a queued update in %v (it is stuck, or Run returned)", uiWait)
	}
}

// stopOnCleanup stops the running editor at the end of the test unless
// Run has returned (ended is closed then): a test that failed half-way
// leaves no editor running over a file its cleanup closes.
func stopOnCleanup(tb testing.TB, e *Editor, ended <-chan struct{}) {
	tb.Cleanup(func() {
		select {
		case <-ended:
			return
		default:
		}
		go e.App().QueueUpdate(e.Stop)
		select {
		case <-ended:
		case <-time.After(uiWait):
			tb.Errorf("the editor did not stop at the end of the test in %v", uiWait)
		}
	})
}
