package view

// recover.go: the journal an earlier session left (mapping/recovery). On
// opening a file with one, the editor says what it found and offers to
// revert the edits, keep them (the journal is removed), or look first: the
// edits listed, each one jumpable. Esc decides later (the recover action
// asks again); the journal stays until a decision.

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/recovery"
)

// recoveryFeature offers, at start, the journal an earlier session left.
type recoveryFeature struct {
	fd *recovery.Found // undecided journals, locked while the editor runs; nil when none
}

func (r *recoveryFeature) Name() string { return "recovery" }

func (r *recoveryFeature) Register(e *Editor) error {
	e.Handle(keymap.Recover, func(e *Editor, a Args) {
		if r.fd == nil {
			e.Message("no journal left by an earlier session")
			return
		}
		e.overlay = &recoveryDialog{r: r, summary: r.fd.Summary()}
	})
	e.OnQuit(func() {
		if r.fd != nil {
			r.fd.Close() // undecided: the journal stays for next time
			r.fd = nil
		}
	})
	r.offer(e)
	return nil
}

// offer looks for journals left for the file and opens the dialog when
// there are edits in them.
func (r *recoveryFeature) offer(e *Editor) {
	fd, err := recovery.Find(e.f)
	if err != nil {
		e.Errorf("%v", err)
		return
	}
	// Journals of a file replaced since (or of a deleted file whose inode
	// number was reused) are never applied; mmhex recover lists them.
	if !fd.Any() {
		return
	}
	if fd.Edits == 0 { // a session ended with nothing unsynced: nothing to offer
		fd.Drop()
		return
	}
	if e.f.Mode() != mapping.Shared {
		e.Errorf("%s: open the file for writing to revert or keep them (or: mmhex recover)", fd.Summary())
		fd.Close()
		return
	}
	r.fd = fd
	e.Message("%s: %s decides", fd.Summary(), orDefault(keyName(e, keymap.Recover), ":recover"))
	e.overlay = &recoveryDialog{r: r, summary: fd.Summary()}
}

type recoveryDialog struct {
	r       *recoveryFeature
	summary string
	err     string
}

func (d *recoveryDialog) draw(s tcell.Screen, x, y, w, h int) {
	drawChoices(s, x, y, w, h, "Edits left by an earlier session", d.summary+".",
		[]string{"[r] revert them", "[k] keep them (drop the journal)", "[l] look first", "[Esc] decide later"}, d.err)
}

func (d *recoveryDialog) key(e *Editor, ev *tcell.EventKey) {
	if e.busy() {
		return
	}
	if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyCtrlC {
		e.overlay = nil
		e.Message("the journal stays: %s decides later", orDefault(keyName(e, keymap.Recover), ":recover"))
		return
	}
	if ev.Key() != tcell.KeyRune {
		return
	}
	switch ev.Rune() {
	case 'r', 'R':
		if e.refuseTooSmall(keymap.Recover) {
			return
		}
		// The revert ends with a sync of the whole file (fdatasync): it
		// would save this session's unsynced edits too, and the quit
		// dialog could no longer revert them.
		if d.ownEdits(e, "the revert") {
			return
		}
		d.revert(e)
	case 'k', 'K':
		// Keeping syncs the file first (fdatasync): the kept edits
		// durable before the journal goes. It would save this
		// session's unsynced edits too.
		if d.ownEdits(e, "keeping them") {
			return
		}
		summary := strings.TrimSuffix(d.summary, " without syncing")
		if err := d.r.fd.Keep(e.f); err != nil {
			d.err = err.Error()
			return
		}
		d.r.fd, e.overlay = nil, nil
		e.Message("kept %s as they are, synced; journal removed", summary)
	case 'l', 'L':
		edits, err := d.r.fd.List()
		if err != nil {
			d.err = err.Error()
			return
		}
		e.overlay = &recoveryList{d: d, edits: edits}
	}
}

// ownEdits refuses (true, the reason in the dialog) what ends with a sync
// of the whole file while this session has unsynced edits: the sync
// would save them too, and the quit dialog could no longer revert them.
func (d *recoveryDialog) ownEdits(e *Editor, what string) bool {
	n := e.f.UnsyncedEdits()
	if n == 0 {
		d.err = ""
		return false
	}
	it := "it"
	if n > 1 {
		it = "them"
	}
	d.err = fmt.Sprintf("this session has %s unsynced: %s ends with a sync, which would save %s too; sync %s (%s) or undo %s (%s) first",
		plural64(int64(n), "edit"), what, it, it, orDefault(keyName(e, keymap.Sync), ":sync"), it, orDefault(keyName(e, keymap.Undo), ":undo"))
	return true
}

// recoverRevert reverts the journaled edits as the editor's job, syncs,
// and removes the journal.
func (d *recoveryDialog) revert(e *Editor) {
	fd, f := d.r.fd, e.f
	// The dialog said when the session ended: the message says what was
	// done, in a line that fits ("3 edits of 3 bytes").
	summary := fmt.Sprintf("%s of %s", plural64(int64(fd.Edits), "edit"), plural64(fd.Bytes, "byte"))
	e.runJob("recovering", "a recovery is not stopped halfway", func(_ context.Context, progress func(string)) func() {
		res, err := fd.Revert(f, func(done, total int) { progress(fmt.Sprintf("%d/%d stores", done, total)) })
		if err == nil {
			_, err = f.SyncFile() // fdatasync: also a size or blocks put back
		}
		if err == nil {
			err = fd.Drop()
		}
		return func() {
			if err != nil {
				d.err = err.Error()
				return
			}
			d.r.fd, e.overlay = nil, nil
			if len(res.Skipped) > 0 {
				// What was left alone first: a long line is cut at the
				// screen's edge.
				k := res.Skipped[0]
				more := ""
				if len(res.Skipped) > 1 {
					more = fmt.Sprintf(" and %d more ranges", len(res.Skipped)-1)
				}
				e.Errorf("left %s at %#x%s alone (%s); reverted %s: %s put back and synced; journal removed",
					plural64(k.Len, "byte"), k.Off, more, k.Why, summary, plural64(res.Restored, "byte"))
				return
			}
			e.Message("reverted %s: %s put back and synced; journal removed", summary, plural64(res.Restored, "byte"))
		}
	})
}

// recoveryList is "look first": the journaled edits, oldest first; Enter
// jumps to one (the dialog comes back with the recover action), Esc goes
// back to the dialog.
type recoveryList struct {
	d        *recoveryDialog
	edits    []recovery.Edit
	sel, top int // top: changed by the keys (adoptTop), never by Draw
}

// listRows is the rows of the list on a screen h rows high (the box's
// inside: drawBox's geometry).
func (l *recoveryList) listRows(h int) int {
	return max(min(h, len(l.edits)+4)-2, 1)
}

// topFor is the first edit shown in rows rows: top moved the least that
// shows the chosen one (pure: Draw shows it, the keys adopt it).
func (l *recoveryList) topFor(rows int) int {
	top := l.top
	if l.sel < top {
		top = l.sel
	}
	if l.sel >= top+rows {
		top = l.sel - rows + 1
	}
	return top
}

func (l *recoveryList) draw(s tcell.Screen, x, y, w, h int) {
	bw := min(w, 100)
	bh := min(h, len(l.edits)+4)
	title := fmt.Sprintf("%d journaled edits (Enter: go to, Esc: back)", len(l.edits))
	ix, iy, iw, _ := drawBox(s, x, y, w, h, bw, bh, title)
	rows := l.listRows(h)
	top := l.topFor(rows)
	for i := 0; i < rows && top+i < len(l.edits); i++ {
		st := styleBox
		if top+i == l.sel {
			st = st.Reverse(true)
		}
		fill(s, ix, iy+i, iw, ' ', st)
		drawText(s, ix, iy+i, iw, recovery.Describe(l.edits[top+i]), st)
	}
}

// key moves the choice: it adopts the scroll the last frame showed (the
// rows of the screen now), moves, and adopts the scroll that shows the
// choice.
func (l *recoveryList) key(e *Editor, ev *tcell.EventKey) {
	rows := 1
	if _, _, _, h, ok := e.screenRect(); ok {
		rows = l.listRows(h)
	}
	l.top = l.topFor(rows)
	l.move(e, ev, rows)
	l.top = l.topFor(rows)
}

func (l *recoveryList) move(e *Editor, ev *tcell.EventKey, rows int) {
	switch ev.Key() {
	case tcell.KeyEsc, tcell.KeyCtrlC:
		e.overlay = l.d
	case tcell.KeyUp:
		l.sel = max(l.sel-1, 0)
	case tcell.KeyDown:
		l.sel = min(l.sel+1, len(l.edits)-1)
	case tcell.KeyPgUp:
		l.sel = max(l.sel-rows, 0)
	case tcell.KeyPgDn:
		l.sel = min(l.sel+rows, len(l.edits)-1)
	case tcell.KeyEnter:
		ed := l.edits[l.sel]
		e.overlay = nil
		if ed.Off < e.size {
			e.jump(ed.Off)
		}
		e.Message("journaled edit %d/%d: %s; %s: revert, keep or look again", l.sel+1, len(l.edits),
			recovery.Describe(ed), orDefault(keyName(e, keymap.Recover), ":recover"))
	}
}
