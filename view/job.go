package view

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"mmhex/keymap"
)

// job is the one long operation (MS_SYNC, fdatasync, fill, revert) that
// runs off the UI goroutine while the editor runs: the screen keeps
// drawing and scrolling, its progress is in the status line, and actions
// that would conflict with it are refused until it ends.
type job struct {
	what string // "syncing", "filling", "reverting"
	// cancel stops the job between two of its parts; nil when stopping
	// it is not safe, and why says why ("msync cannot be interrupted").
	cancel func()
	why    string
	// cancelling is what Esc says it stops, naming the job ("the fill:
	// it stops after the part it is storing"); set with stops.
	cancelling string
	quit       bool // quit was asked while it ran: quit when it ends

	// finish is what the work returned, set by the job's goroutine before
	// it sets workDone; ended is set when the job ended on the UI
	// goroutine (endJob), by its posted end or by the next event,
	// whichever comes first.
	finish   func()
	workDone atomic.Bool
	ended    bool

	mu       sync.Mutex
	progress string // "1234/5678 pages", "40%": set by the job's goroutine
	drawn    time.Time
}

// errJobCancelled is the cause of a job's context cancelled by Esc or a
// quit (jobCancelled), not by the job's own end.
var errJobCancelled = errors.New("cancelled")

// jobCancelled reports whether Esc (or a quit) cancelled the job whose
// context ctx is: a finish that would still act (copy, move the cursor)
// after its work returned checks it, so that what Esc said holds even when
// the work ended before it saw the cancel.
func jobCancelled(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errJobCancelled)
}

// stops sets what Esc says when it cancels j ("the fill: it stops after
// the part it is storing"), after "cancelling ".
func (j *job) stops(s string) { j.cancelling = s }

func (j *job) status() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.progress == "" {
		return j.what + "…"
	}
	return j.what + " " + j.progress + "…"
}

// runJob runs work off the UI goroutine as the editor's job, then finish
// (what work returns) on the UI goroutine: when the job's end posted there
// runs, or at the next key, click or paste after the work returned if that
// comes first (endFinishedJob). work reports its progress with
// progress ("1234/5678 pages"), and stops early when ctx is cancelled (Esc);
// noCancel, when not "", is why it cannot be stopped halfway ("msync
// cannot be interrupted"), which Esc and quit then say. Without Run (tests
// driving the editor by hand) both run at once, in order, on the calling
// goroutine. The caller checked that no job runs (busy). It returns the
// job, to say what Esc stops (stops).
func (e *Editor) runJob(what, noCancel string, work func(ctx context.Context, progress func(string)) (finish func())) *job {
	ctx, cancelCause := context.WithCancelCause(context.Background())
	cancel := func() { cancelCause(nil) }
	j := &job{what: what, why: noCancel}
	if noCancel == "" {
		j.cancel = func() { cancelCause(errJobCancelled) }
	}
	step := func(string, string) {}
	if e.opts.test != nil && e.opts.test.jobStep != nil {
		step = e.opts.test.jobStep
	}
	if !e.running {
		step(what, "")
		finish := work(ctx, func(s string) { step(what, s) })
		cancel()
		finish()
		return j
	}
	progress := func(s string) {
		j.mu.Lock()
		j.progress = s
		draw := time.Since(j.drawn) >= progressEvery
		if draw {
			j.drawn = time.Now()
		}
		j.mu.Unlock()
		if draw {
			e.post(func() {}) // redraw: the status line shows the progress
		}
		step(what, s)
	}
	e.job = j
	e.Go(func() {
		step(what, "")
		j.finish = work(ctx, progress)
		cancel()
		j.workDone.Store(true)
		if e.opts.test != nil && e.opts.test.jobEnd != nil {
			e.opts.test.jobEnd(what, func() { e.endJob(j); e.syncSize() })
			return
		}
		e.post(func() { e.endJob(j) })
	})
	return j
}

// endJob ends j on the UI goroutine, once: the editor has no job any more,
// j's finish runs (its message, its result), and a quit asked while it ran
// happens now.
func (e *Editor) endJob(j *job) {
	if j.ended {
		return
	}
	j.ended = true
	if e.job == j {
		e.job = nil
	}
	if e.done {
		return
	}
	j.finish()
	if j.quit && !e.done && e.overlay == nil {
		e.quit()
	}
}

// endFinishedJob ends the job whose work has returned before the event
// being handled: its end, posted to the UI goroutine, may still be
// queued behind this event. The bytes the job stored are already in the
// file and in the status line's count, so the event meets the editor as
// it is after the job, not a "busy" job that has finished (a Ctrl-S typed
// then is a sync of those bytes, not a refusal; an Esc does not cancel
// what already ended).
func (e *Editor) endFinishedJob() {
	if j := e.job; j != nil && j.workDone.Load() {
		e.endJob(j)
	}
}

// post runs fn on the UI goroutine and redraws, without blocking the
// caller (a job's goroutine) on an application that stopped.
func (e *Editor) post(fn func()) {
	go e.app.QueueUpdateDraw(func() { fn(); e.syncSize() })
}

// busy reports whether a job runs, and then says so: "busy: syncing —
// wait or Esc".
func (e *Editor) busy() bool {
	j := e.job
	if j == nil {
		return false
	}
	if j.cancel != nil {
		e.Errorf("busy: %s — wait or %s", j.what, orDefault(keyName(e, keymap.Cancel), "Esc"))
	} else {
		e.Errorf("busy: %s — wait", j.what)
	}
	return true
}

// cancelJob is the cancel action while a job runs: it stops a job that can
// be stopped, or says why it cannot.
func (e *Editor) cancelJob() {
	j := e.job
	if j.cancel == nil {
		e.Errorf("%s: %s — wait for it", j.what, j.why)
		return
	}
	j.cancel()
	if j.cancelling != "" {
		e.Message("cancelling %s", j.cancelling)
		return
	}
	e.Message("cancelling: %s stops at its next step", j.what)
}

// jobConflicts lists the actions refused while a job runs: those that
// change the bytes or the journal, sync, or quit at once.
var jobConflicts = map[keymap.Action]bool{
	keymap.Undo:           true,
	keymap.Redo:           true,
	keymap.RevertAll:      true,
	keymap.PasteHex:       true,
	keymap.Sync:           true,
	keymap.SyncAsync:      true,
	keymap.SyncQuit:       true,
	keymap.QuitRevert:     true,
	keymap.Fill:           true,
	keymap.Writeback:      true,
	keymap.WriteSelection: true,
	keymap.Resize:         true,
	keymap.PunchHole:      true,
	keymap.ZeroRange:      true,
	keymap.InsertBlocks:   true,
	keymap.DeleteBlocks:   true,
	keymap.Put:            true,
	keymap.Replace:        true,
}

// jobAction runs instead of action while a job runs; true when it took
// the action: a conflicting one is refused, cancel stops the job, quit
// waits for it (and cancels it when that is safe).
func (e *Editor) jobAction(action keymap.Action) bool {
	j := e.job
	if j == nil {
		// A replace run (y/n/a/q/l) open between two offers: its matches
		// go into one undo step, so the edits, undo and syncs a job
		// refuses wait for it too (Replace says so itself).
		if e.rep != nil && jobConflicts[action] && action != keymap.Replace {
			e.Errorf("a replace runs: answer y/n/a/q/l, or %s stops it", orDefault(keyName(e, keymap.Cancel), "Esc"))
			return true
		}
		return false
	}
	switch {
	case jobConflicts[action]:
		e.busy()
		return true
	case action == keymap.Cancel:
		e.cancelJob()
		return true
	case action == keymap.Quit:
		j.quit = true
		if j.cancel != nil {
			j.cancel()
			e.Message("quitting: %s is cancelled first", j.what)
		} else {
			e.Message("quitting when %s ends (%s)", j.what, j.why)
		}
		return true
	}
	return false
}

// jobErr is the error of an edit asked for while a job runs (a feature's
// edit through WriteAt or Fill: a structure field, a hex write at the
// cursor): refused, not waiting for the job (an undo step holds the file
// until it ends), nil when no job runs.
func (e *Editor) jobErr() error {
	if j := e.job; j != nil {
		return fmt.Errorf("busy: %s — the edit waits for it to end: nothing was changed", j.what)
	}
	return nil
}

// restoring reports whether an undo, redo or revert job runs: its step
// holds the file's mutex part by part (mapping's restore), so what runs on
// the UI goroutine reads with TryReadAt (the previous frame's bytes or a
// "(the bytes are being restored)" marker, never a wait) and edits are
// refused (busy) rather than waiting for the step's end.
func (e *Editor) restoring() bool {
	j := e.job
	return j != nil && (j.what == "undoing" || j.what == "redoing" || j.what == "reverting")
}

// restoringNote is what a list shows instead of bytes it could not read
// without waiting for a restore step (TryReadAt's ErrBusy).
const restoringNote = "(the bytes are being restored)"

// jobStatus is the status line's part for the running job, "" for none.
func (e *Editor) jobStatus() string {
	if e.job == nil {
		return ""
	}
	return e.job.status()
}

// percent is done of total as "40%".
func percent(done, total int64) string {
	if total <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%d%%", done*100/total)
}
