package view

// recover.go: the journal an earlier session left (mapping/recovery). On
// opening a file with one, the editor says what it found and offers to
// revert the edits, keep them (the journal is removed), or look first: the
// edits listed, each one jumpable. Esc decides later (the recover action
// asks again); the journal stays until a decision. A journal left by a
// file that was at this path before it was replaced by another one can
// never be applied: the dialog names it, with what it held, and offers to
// discard it (d: removed, its bytes not put back), as vim's swap-file
// dialog offers "Delete it".

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/recovery"
)

// recoveryFeature offers, at start, the journal an earlier session left.
type recoveryFeature struct {
	fd *recovery.Found // undecided journals (and refused ones), locked while the editor runs; nil when none
}

// dialog is the recovery dialog for what r.fd holds now: this file's
// journaled edits (with d when refused journals are left too), or only
// refused journals.
func (r *recoveryFeature) dialog() *recoveryDialog {
	if r.fd.Any() {
		return &recoveryDialog{r: r, summary: r.fd.Summary()}
	}
	return &recoveryDialog{r: r, refusedOnly: true}
}

// replaced: a refused journal the dialog offers to discard, one of the
// file that was at this path before it was replaced. Those of a deleted
// file whose inode number this file reuses (its path another) are not
// this file's business: mmhex recover lists them (and --discard removes
// them).
func replaced(d recovery.Discarded) bool { return d.Why == recovery.WhyReplaced }

// refusedShown is the refused journals the dialog offers to discard.
func (r *recoveryFeature) refusedShown() []recovery.Discarded {
	var out []recovery.Discarded
	for _, d := range r.fd.RefusedJournals() {
		if replaced(d) {
			out = append(out, d)
		}
	}
	return out
}

// refusedSummary says what the refused journals held, in one sentence.
func refusedSummary(rs []recovery.Discarded) string {
	if len(rs) == 1 {
		return fmt.Sprintf("Journal %s (%s): %s", display.Name(rs[0].Path), rs[0].Why, rs[0].Summary())
	}
	var d recovery.Discarded
	for _, r := range rs {
		d.Edits += r.Edits
		d.Bytes += r.Bytes
		if r.Ended.After(d.Ended) {
			d.Ended = r.Ended
		}
	}
	return fmt.Sprintf("%d journals of the files that were at this path before it was replaced by another file: %s",
		len(rs), strings.Replace(d.Summary(), "from a session that ended at", "from sessions that ended by", 1))
}

func (r *recoveryFeature) Name() string { return "recovery" }

func (r *recoveryFeature) Register(e *Editor) error {
	e.Handle(keymap.Recover, func(e *Editor, a Args) {
		if r.fd == nil {
			e.Message("no journal left by an earlier session")
			return
		}
		e.overlay = r.dialog()
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
	if fd.Any() && fd.Edits == 0 { // a session ended with nothing unsynced: nothing to offer
		fd.Drop()
	}
	// Journals of a file replaced since (or of a deleted file whose inode
	// number was reused) are never applied: offered to be discarded.
	r.fd = fd
	refused := r.refusedShown()
	if !fd.Any() && len(refused) == 0 {
		fd.Close()
		r.fd = nil
		return
	}
	if fd.Any() && e.f.Mode() != mapping.Shared {
		e.Errorf("%s: open the file for writing to revert or keep them (or: mmhex recover)", fd.Summary())
		fd.Close()
		r.fd = nil
		return
	}
	decides := orDefault(keyName(e, keymap.Recover), ":recover")
	if fd.Any() {
		e.Message("%s: %s decides", fd.Summary(), decides)
	} else {
		e.Message("%s refused (another file was at this path): %s decides", plural64(int64(len(refused)), "journal"), decides)
	}
	e.overlay = r.dialog()
}

// decided: this file's journals are gone (reverted or kept); the refused
// ones, if any, are offered next.
func (r *recoveryFeature) decided(e *Editor) {
	if len(r.refusedShown()) > 0 {
		e.overlay = r.dialog()
		return
	}
	r.fd.Close()
	r.fd, e.overlay = nil, nil
}

type recoveryDialog struct {
	r           *recoveryFeature
	summary     string
	refusedOnly bool // no journal of this file: only refused ones (d or Esc)
	err         string
}

func (d *recoveryDialog) draw(s tcell.Screen, x, y, w, h int) {
	refused := d.r.refusedShown()
	discard := "[d] discard it (its bytes are NOT put back)"
	if len(refused) > 1 {
		discard = fmt.Sprintf("[d] discard the %d (their bytes are NOT put back)", len(refused))
	}
	if d.refusedOnly {
		drawChoices(s, x, y, w, h, "A journal that cannot be applied", refusedSummary(refused)+". Its edits can never be applied to this file.",
			[]string{discard, "[Esc] decide later"}, d.err)
		return
	}
	explain := d.summary + "."
	choices := []string{"[r] revert them", "[k] keep them (drop the journal)", "[l] look first"}
	if len(refused) > 0 {
		explain += " Refused: " + refusedSummary(refused) + "."
		choices = append(choices, strings.Replace(discard, "[d] discard it", "[d] discard the refused journal", 1))
	}
	drawChoices(s, x, y, w, h, "Edits left by an earlier session", explain, append(choices, "[Esc] decide later"), d.err)
}

// discard removes the refused journals and says so; the dialog stays for
// this file's own journal, if any.
func (d *recoveryDialog) discard(e *Editor) {
	gone, err := d.r.fd.Discard(replaced)
	if err != nil {
		d.err = err.Error()
		return
	}
	var n int
	var b int64
	for _, g := range gone {
		n += g.Edits
		b += g.Bytes
	}
	what := "the refused journal" // the dialog named it
	if len(gone) > 1 {
		what = fmt.Sprintf("the %d refused journals", len(gone))
	}
	if d.refusedOnly {
		d.r.fd.Close()
		d.r.fd, e.overlay = nil, nil
	}
	e.Message("discarded %s: %s of %s; those bytes were NOT put back", what, plural64(int64(n), "edit"), plural64(b, "byte"))
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
	if c := ev.Rune(); (c == 'd' || c == 'D') && len(d.r.refusedShown()) > 0 {
		d.discard(e)
		return
	}
	if d.refusedOnly {
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
		d.r.decided(e)
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
	n := e.f.UnsyncedPlaces()
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
			d.r.decided(e)
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
