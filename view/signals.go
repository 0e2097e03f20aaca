package view

// signals.go: what the editor does on a signal while it runs (Launch).
//
//   - SIGTERM, SIGHUP (the terminal closed), SIGINT: stop like a quit that
//     leaves unsynced edits to kernel writeback; the terminal is restored
//     and Launch says "stopped by SIGTERM". From that moment nothing is
//     drawn (termScreen.Halt): the stop wins over a repaint still queued
//     (a closed terminal sends SIGHUP and SIGCONT together). Should the
//     stop not be done within stopWait, stuck restores the terminal and
//     exits: a closed terminal never leaves an orphan holding the mapping.
//   - SIGTSTP (kill -TSTP; the terminal's Ctrl-Z is a key to the editor):
//     give the terminal back and stop (with SIGSTOP, unless no shell could
//     continue us); on fg (SIGCONT) take it again and redraw.
//   - SIGCONT after a SIGSTOP (which cannot be caught): redraw everything,
//     since the shell may have written over the screen; only while the
//     terminal is there and tcell holds it (termScreen.Sync).
//   - SIGQUIT: restore the terminal, then Go's goroutine dump and exit
//     status 2, so the dump is readable on the normal screen.

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// stopWait is how long a stop signal waits for the editor to stop before
// stuck is called.
const stopWait = time.Second

// signalName is "SIGTERM" for SIGTERM.
func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if n := unix.SignalName(s); n != "" {
			return n
		}
	}
	return sig.String()
}

// jobControl reports whether a stopped mmhex could be continued: its
// parent (the shell) is in the same session and another process group, as
// a job-control shell's child is. The kernel ignores SIGTSTP in an orphaned
// process group for the same reason.
func jobControl() bool {
	ppid := os.Getppid()
	if ppid <= 1 {
		return false
	}
	pg, err1 := unix.Getpgid(ppid)
	ps, err2 := unix.Getsid(ppid)
	sid, err3 := unix.Getsid(0)
	return err1 == nil && err2 == nil && err3 == nil && ps == sid && pg != unix.Getpgrp()
}

// stopUntilContinued stops the process and returns once it is continued.
// SIGSTOP: once Go handles SIGTSTP it never stops the process on it again.
// kill returns before the stop takes hold (another thread takes the
// signal), so it waits for SIGCONT: the terminal is taken back only after
// fg, never while the shell has it.
func stopUntilContinued() {
	resumed := make(chan os.Signal, 1)
	signal.Notify(resumed, syscall.SIGCONT)
	defer signal.Stop(resumed)
	if syscall.Kill(syscall.Getpid(), syscall.SIGSTOP) == nil {
		<-resumed
	}
}

// onUI runs fn on the UI goroutine and waits for it, or until the editor
// has stopped.
func (e *Editor) onUI(fn func()) {
	ran := make(chan struct{})
	go func() {
		e.app.QueueUpdateDraw(func() { fn(); e.syncSize() })
		close(ran)
	}()
	select {
	case <-ran:
	case <-e.stop:
	}
}

// watchSignals installs the handlers (see the file comment) until the
// returned cancel is called; stoppedBy reports the signal that stopped the
// editor, if one did. stuck (nil: nothing) is called when the editor has
// not stopped (cancel was not called) within stopWait of a stop signal;
// it is expected to restore the terminal and exit. Call before Run.
func (e *Editor) watchSignals(ts *termScreen, stuck func(os.Signal)) (stoppedBy func() os.Signal, cancel func()) {
	var got atomic.Value
	stopSigs := make(chan os.Signal, 1)
	signal.Notify(stopSigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	tstp := make(chan os.Signal, 1)
	signal.Notify(tstp, syscall.SIGTSTP)
	cont := make(chan os.Signal, 1)
	signal.Notify(cont, syscall.SIGCONT)
	quit := make(chan os.Signal, 1)
	signal.Notify(quit, syscall.SIGQUIT)
	done := make(chan struct{})
	// Three goroutines: a suspended or busy UI goroutine must not keep
	// SIGQUIT from restoring the terminal, nor a stop from being queued.
	go func() {
		select {
		case <-done:
		case sig := <-stopSigs:
			got.Store(sig)
			ts.Halt() // before any repaint still queued
			if stuck != nil {
				time.AfterFunc(stopWait, func() {
					select {
					case <-done:
					default:
						stuck(sig)
					}
				})
			}
			e.onUI(e.Stop)
		}
	}()
	go func() {
		for {
			select {
			case <-done:
				return
			case <-tstp:
				e.onUI(func() {
					if !jobControl() {
						return // nobody could continue us
					}
					e.app.Suspend(stopUntilContinued)
				})
			case <-cont:
				if ts.halted.Load() {
					continue
				}
				e.onUI(func() {
					if !e.done {
						ts.Sync()
					}
				})
			}
		}
	}()
	go func() {
		select {
		case <-done:
		case <-quit:
			ts.Fini()
			signal.Reset(syscall.SIGQUIT)
			syscall.Kill(syscall.Getpid(), syscall.SIGQUIT)
			// The runtime prints the goroutines and exits.
		}
	}()
	stoppedBy = func() os.Signal {
		sig, _ := got.Load().(os.Signal)
		return sig
	}
	cancel = func() {
		signal.Stop(stopSigs)
		signal.Stop(tstp)
		signal.Stop(cont)
		signal.Stop(quit)
		close(done)
	}
	return stoppedBy, cancel
}
