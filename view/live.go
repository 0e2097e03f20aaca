package view

// live.go: the live view of other writers. The mapping is shared, so
// another process's write(2) or store into the file is in the page cache,
// and so in our mapping, at once. A few times a second the editor re-reads
// the file size (remapping when it changed: Editor.Refresh); after each
// event (that tick, a key, ...) the bytes shown are handed to frame
// (OnShown, never in Draw) and compared with the last ones, and bytes that
// changed (or appeared at the end of a growing file) are highlighted for
// about a second (MarkChanged). The editor's own
// edits, undos and reverts are not "other writers" and are not marked.

import (
	"sync"
	"time"

	"mmhex/mapping/display"
)

const (
	// liveEvery is how often the live view re-reads the visible bytes.
	liveEvery = 250 * time.Millisecond
	// changedFor is how long a byte changed by another writer stays marked.
	changedFor = time.Second
)

type live struct {
	e *Editor

	mu        sync.Mutex
	prevStart int64  // offset of prev[0]
	prevCap   int64  // bytes the previous frame could show (rows × row width)
	prev      []byte // the visible bytes of the previous frame
	prevEdits int    // f.UnsyncedEdits() at the previous frame
	have      bool
	changed   map[int64]time.Time // offset -> when it changed

	detached string // File.Detached at the last tick (UI goroutine only)
}

func newLive() *live { return &live{changed: make(map[int64]time.Time)} }

func (l *live) Name() string { return "live view" }

func (l *live) Register(e *Editor) error {
	l.e = e
	e.EveryPolling(liveEvery, l.tick) // paused while something else tells of every change (follow's inotify)
	e.OnShown(l.frame)
	// mmhex A B: after a switch of the active side the next frame shows
	// the other file: its bytes are not a change by another writer.
	e.switchHooks = append(e.switchHooks, func() {
		l.mu.Lock()
		l.have = false
		clear(l.changed)
		l.mu.Unlock()
		l.detached = ""
	})
	e.AddHighlighter(l.highlight)
	e.AddStatus(func() string {
		if l.detached == "" {
			return ""
		}
		return "! " + l.detached + " on disk"
	})
	return nil
}

// tick runs on the UI goroutine: fstat the file and remap when its size
// changed (the header and the grid follow); the redraw that follows re-reads
// the visible bytes. It also follows the file's name: when another file was
// renamed over it (or it was removed), the edits and syncs here go to a
// file nobody sees by that name any more, and the editor says so, once in
// the message line and for as long as it lasts in the status line.
func (l *live) tick() {
	e := l.e
	if e.restoring() {
		// The step holds the file's mutex part by part (Detached would
		// wait for a part); the next tick after it looks.
		return
	}
	e.Refresh()
	why, err := e.f.Detached()
	if err != nil || why == l.detached {
		return
	}
	l.detached = why
	if why != "" {
		e.Errorf("%s was %s on disk: edits and syncs go to the file opened here, which no longer has that name",
			display.Name(e.f.Path()), why)
	}
}

// now is the live view's clock: the time, or a test's (testHooks.now).
func (l *live) now() time.Time {
	if h := l.e.opts.test; h != nil && h.now != nil {
		return h.now()
	}
	return time.Now()
}

// frame compares the bytes shown with the last ones it saw (OnShown:
// after each event, once the layout is adopted; not in Draw).
func (l *live) frame(start int64, data []byte) {
	e := l.e
	now := l.now()
	edits := e.f.UnsyncedEdits()
	l.mu.Lock()
	defer l.mu.Unlock()
	// Our own journal moved (edit, undo, redo, revert), or an undo, redo or
	// revert job is storing (the journal moves at its end; the frame may
	// show the previous frame's bytes or none meanwhile, and asking which
	// bytes are unsynced would wait for the step's part): these changes
	// are ours, not another writer's.
	ours := edits != l.prevEdits || e.restoring()
	if l.have && !ours {
		pEnd := l.prevStart + int64(len(l.prev))
		capEnd := l.prevStart + l.prevCap
		for i, b := range data {
			off := start + int64(i)
			switch {
			case off >= l.prevStart && off < pEnd:
				if l.prev[off-l.prevStart] != b && !e.isUnsyncedByte(off) {
					l.changed[off] = now
				}
			case off >= pEnd && off < capEnd:
				// Shown now, not before although it would have fitted:
				// the file grew.
				l.changed[off] = now
			}
		}
	}
	for off, t := range l.changed {
		if now.Sub(t) >= changedFor {
			delete(l.changed, off)
		}
	}
	l.prevStart = start
	l.prevCap = int64(e.rows * e.bpr)
	l.prev = append(l.prev[:0], data...)
	l.prevEdits = edits
	l.have = true
}

// highlight marks the bytes changed by another writer within changedFor.
func (l *live) highlight(start, end int64) func(off int64) Mark {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.changed) == 0 {
		return nil
	}
	now := l.now()
	marks := make(map[int64]struct{}, len(l.changed))
	for off, t := range l.changed {
		if off >= start && off < end && now.Sub(t) < changedFor {
			marks[off] = struct{}{}
		}
	}
	if len(marks) == 0 {
		return nil
	}
	return func(off int64) Mark {
		if _, ok := marks[off]; ok {
			return MarkChanged
		}
		return 0
	}
}
