package view

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
)

// overlay is drawn over everything and takes every key while open: the
// quit dialog, the help screen, message boxes.
type overlay interface {
	draw(s tcell.Screen, x, y, w, h int)
	key(e *Editor, ev *tcell.EventKey)
}

// OverlayOpen reports whether a dialog or the help screen is open.
func (e *Editor) OverlayOpen() bool { return e.overlay != nil }

var (
	styleBox      = tcell.StyleDefault
	styleBoxTitle = tcell.StyleDefault.Bold(true)
	styleBoxKey   = tcell.StyleDefault.Foreground(tcell.PaletteColor(3)).Bold(true)
)

// drawBox draws a bordered box with a title in the middle of the area and
// returns its inner rectangle.
func drawBox(s tcell.Screen, x, y, w, h, bw, bh int, title string) (ix, iy, iw, ih int) {
	bw = min(bw, w)
	bh = min(bh, h)
	bx := x + (w-bw)/2
	by := y + (h-bh)/2
	for yy := by; yy < by+bh; yy++ {
		fill(s, bx, yy, bw, ' ', styleBox)
	}
	for xx := bx + 1; xx < bx+bw-1; xx++ {
		s.SetContent(xx, by, tview.BoxDrawingsLightHorizontal, nil, styleBox)
		s.SetContent(xx, by+bh-1, tview.BoxDrawingsLightHorizontal, nil, styleBox)
	}
	for yy := by + 1; yy < by+bh-1; yy++ {
		s.SetContent(bx, yy, tview.BoxDrawingsLightVertical, nil, styleBox)
		s.SetContent(bx+bw-1, yy, tview.BoxDrawingsLightVertical, nil, styleBox)
	}
	s.SetContent(bx, by, tview.BoxDrawingsLightDownAndRight, nil, styleBox)
	s.SetContent(bx+bw-1, by, tview.BoxDrawingsLightDownAndLeft, nil, styleBox)
	s.SetContent(bx, by+bh-1, tview.BoxDrawingsLightUpAndRight, nil, styleBox)
	s.SetContent(bx+bw-1, by+bh-1, tview.BoxDrawingsLightUpAndLeft, nil, styleBox)
	if title != "" && bw > 4 {
		drawText(s, bx+2, by, bw-4, " "+title+" ", styleBoxTitle)
	}
	return bx + 2, by + 1, bw - 4, bh - 2
}

// ---- the quit dialog --------------------------------------------------

type quitDialog struct {
	edits int
	mode  mapping.Mode
	err   string
	// files are the files with unsynced edits (mmhex A B: one or both),
	// synced or reverted in this order; names is set when there are two
	// files open, saying which hold the edits.
	files []*mapping.File
	names string
}

func (d *quitDialog) lines() (title, explain string, choices []string) {
	defer func() {
		if d.names != "" {
			explain = d.names + ". " + explain
		}
	}()
	them, they := "them", "they are"
	if d.edits == 1 {
		title = "1 edit is not synced"
		them, they = "it", "it is"
	} else {
		title = fmt.Sprintf("%d edits are not synced", d.edits)
	}
	if d.mode == mapping.Private {
		explain = fmt.Sprintf("With MAP_PRIVATE %s only in this process's copy-on-write pages and lost on quit.", they)
		choices = []string{"[q] quit and discard " + them, "[Esc] stay"}
		return
	}
	explain = fmt.Sprintf("With MAP_SHARED %s already in the page cache and will reach the disk anyway.", they)
	choices = []string{"[s] sync now (MS_SYNC)", "[r] revert " + them + " and quit", "[q] quit, leave " + them + " to writeback", "[Esc] stay"}
	return
}

// wrapWords breaks text into lines of at most w cells.
func wrapWords(text string, w int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case textWidth(line)+1+textWidth(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// layoutChoices puts the choices on as few lines of at most w cells as
// they fit, four spaces apart.
func layoutChoices(choices []string, w int) [][]string {
	var out [][]string
	var cur []string
	width := 0
	for _, c := range choices {
		cw := textWidth(c)
		if len(cur) > 0 && width+4+cw > w {
			out = append(out, cur)
			cur, width = nil, 0
		}
		if len(cur) > 0 {
			width += 4
		}
		cur = append(cur, c)
		width += cw
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (d *quitDialog) draw(s tcell.Screen, x, y, w, h int) {
	title, explain, choices := d.lines()
	drawChoices(s, x, y, w, h, title, explain, choices, d.err)
}

// drawChoices draws a dialog: a title, an explanation, the choices (the
// key in brackets stands out) and an error when there is one.
func drawChoices(s tcell.Screen, x, y, w, h int, title, explain string, choices []string, errText string) {
	full := 0
	for i, c := range choices {
		if i > 0 {
			full += 4
		}
		full += textWidth(c)
	}
	iw := min(max(textWidth(explain), full, textWidth(title)+4), w-6)
	text := wrapWords(explain, iw)
	rows := layoutChoices(choices, iw)
	var errLines []string
	if errText != "" {
		errLines = wrapWords(errText, iw)
	}
	ix, iy, iw, ih := drawBox(s, x, y, w, h, iw+4, len(text)+len(rows)+len(errLines)+2, title)
	// On a screen too short for everything the choices stay and the
	// explanation gives way: nothing is drawn over the box's border.
	if n := ih - len(rows) - len(errLines); n < len(text) {
		text = text[:max(n, 0)]
	}
	if len(rows) > ih {
		rows = rows[:max(ih, 0)]
	}
	errLines = errLines[:min(len(errLines), max(ih-len(text)-len(rows), 0))]
	for _, l := range text {
		drawText(s, ix, iy, iw, l, styleBox)
		iy++
	}
	for _, row := range rows {
		cx := ix
		for i, c := range row {
			if i > 0 {
				cx += 4
			}
			// The key in brackets stands out.
			k := strings.IndexByte(c, ']') + 1
			cx = drawText(s, cx, iy, ix+iw-cx, c[:k], styleBoxKey)
			cx = drawText(s, cx, iy, ix+iw-cx, c[k:], styleBox)
		}
		iy++
	}
	for _, l := range errLines {
		drawText(s, ix, iy, iw, l, styleError)
		iy++
	}
}

func (d *quitDialog) key(e *Editor, ev *tcell.EventKey) {
	if e.busy() { // its sync or revert runs: the dialog waits for it
		return
	}
	if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyCtrlC {
		e.overlay = nil
		e.Message("quit cancelled")
		return
	}
	if ev.Key() != tcell.KeyRune {
		return
	}
	// s and r run as the editor's job: quit when it succeeds, else say
	// why in the dialog.
	done := func(err error) {
		if err != nil {
			d.err = err.Error()
			return
		}
		e.overlay = nil
		e.Stop()
	}
	switch ev.Rune() {
	case 's', 'S':
		if d.mode == mapping.Private {
			return
		}
		e.eachFile(d.files, func(f *mapping.File, then func(error)) { e.syncFile(f, mapping.MSSync, then) }, done)
	case 'r', 'R':
		if d.mode == mapping.Private {
			return
		}
		// The dialog is not drawn in a terminal too small for a byte row:
		// a revert there would change the file unseen (s, q and Esc
		// still work, so the user can leave).
		if e.refuseTooSmall(keymap.RevertAll) {
			return
		}
		e.exitNote = ""
		e.eachFile(d.files, e.revertFile, done)
	case 'q', 'Q':
		e.overlay = nil
		e.Stop()
	}
}

// eachFile runs do (a job) on each file in turn, the next when the one
// before succeeded, then then; an error stops it and names the file when
// there are two.
func (e *Editor) eachFile(files []*mapping.File, do func(f *mapping.File, then func(error)), then func(error)) {
	if len(files) == 0 {
		then(nil)
		return
	}
	do(files[0], func(err error) {
		if err != nil {
			if e.other != nil {
				err = fmt.Errorf("%s: %w", display.Name(files[0].Path()), err)
			}
			then(err)
			return
		}
		e.eachFile(files[1:], do, then)
	})
}

// revertUnsynced puts back the bytes of the last sync (edits that were
// synced stay) and, with MAP_SHARED, msyncs the restored pages: an unsynced
// edit may already have reached the disk by kernel writeback, and quitting
// must leave the file as it was at the last sync, not wait for writeback.
// Bytes another writer changed since an edit are left alone; the note
// printed on exit (ExitNote) says which.
func (e *Editor) revertUnsynced(then func(error)) { e.revertFile(e.f, then) }

// revertFile is revertUnsynced of f (the active file or, in the quit
// dialog of mmhex A B, the other one).
func (e *Editor) revertFile(f *mapping.File, then func(error)) {
	e.runJob("reverting", "a revert is not stopped halfway", func(context.Context, func(string)) func() {
		r, err := f.RevertUnsynced()
		if err == nil && f.Mode() == mapping.Shared {
			_, err = f.Sync(mapping.MSSync)
		}
		return func() {
			if r.Skipped.Ranges > 0 {
				note := fmt.Sprintf("%s; %s", revertedText(r.Edits, "unsynced edit"), r.Skipped)
				if e.other != nil {
					note = display.Name(f.Path()) + ": " + note
				}
				if e.exitNote != "" {
					note = e.exitNote + "; " + note
				}
				e.exitNote = note
				e.Errorf("%s", e.exitNote)
			}
			then(err)
		}
	})
}

// revertedText says how many edits a revert put back: "reverted 2
// edits", or "nothing reverted" when every edit was left alone.
func revertedText(n int, what string) string {
	if n == 0 {
		return "nothing reverted"
	}
	return "reverted " + plural(n, what)
}

// quit quits, asking first when edits are not synced (in either file of
// mmhex A B: the dialog names them, and its sync or revert applies to
// both).
func (e *Editor) quit() {
	var files []*mapping.File
	var parts []string
	n := 0
	for _, f := range []*mapping.File{e.f, e.other} {
		if f == nil || f.Mode() == mapping.ReadOnly {
			continue
		}
		if k := f.UnsyncedPlaces(); k > 0 { // as the status line counts them
			files = append(files, f)
			n += k
			parts = append(parts, fmt.Sprintf("%s: %d", display.Name(filepath.Base(f.Path())), k))
		}
	}
	if n == 0 {
		e.Stop()
		return
	}
	d := &quitDialog{edits: n, mode: files[0].Mode(), files: files}
	if e.other != nil {
		d.names = "Unsynced in " + strings.Join(parts, ", ")
	}
	e.overlay = d
}

// ---- message boxes ----------------------------------------------------

type infoBox struct {
	title string
	lines []string
}

// ShowInfo shows text in a box the user dismisses with any key.
func (e *Editor) ShowInfo(title, text string) {
	e.overlay = &infoBox{title: title, lines: strings.Split(strings.TrimRight(text, "\n"), "\n")}
}

func (b *infoBox) draw(s tcell.Screen, x, y, w, h int) {
	bw := textWidth(b.title) + 6
	for _, l := range b.lines {
		bw = max(bw, textWidth(l)+4)
	}
	bw = min(max(bw, 30), w)
	// A line wider than the box wraps (its further rows indented), so a
	// narrow terminal shows each problem whole instead of cutting it.
	type row struct {
		text string
		line int // index of the line the row belongs to
	}
	iw := bw - 4
	var rows []row
	for i, l := range b.lines {
		if textWidth(l) <= iw || iw < 12 {
			rows = append(rows, row{l, i})
			continue
		}
		for j, part := range wrapWords(l, iw-2) {
			if j > 0 {
				part = "  " + part
			}
			rows = append(rows, row{part, i})
		}
	}
	ix, iy, iw, ih := drawBox(s, x, y, w, h, bw, len(rows)+4, b.title)
	room := ih - 2
	for i, r := range rows {
		if i >= room {
			break
		}
		l := r.text
		if i == room-1 && len(rows) > room {
			// Never cut the list without a word.
			l = fmt.Sprintf("… and %d more", len(b.lines)-r.line)
		}
		drawText(s, ix, iy+i, iw, l, styleBox)
	}
	drawText(s, ix, iy+ih-1, iw, "press any key", stylePromptHint)
}

func (b *infoBox) key(e *Editor, ev *tcell.EventKey) { e.overlay = nil }

// ---- the help screen --------------------------------------------------

type helpScreen struct {
	lines []helpLine
	top   int // first row shown: changed by the keys, never by Draw
}

type helpLine struct {
	keys, desc string
	heading    bool
}

// helpLines turns keymap's help sections (generated from the active
// bindings) into the help screen's lines.
func helpLines(m *keymap.Map) []helpLine {
	out := []helpLine{{heading: true, keys: fmt.Sprintf("mmhex keys (preset %q)", m.Preset())}}
	for _, sec := range m.Help() {
		out = append(out, helpLine{}, helpLine{heading: true, keys: sec.Title})
		for _, en := range sec.Entries {
			out = append(out, helpLine{keys: strings.Join(en.Keys, ", "), desc: en.Desc})
		}
	}
	out = append(out, helpLine{},
		helpLine{desc: "Typing: in the hex column hex digits overwrite the high, then the low nibble;"},
		helpLine{desc: "in the text column characters overwrite bytes (UTF-8 for non-ASCII)."})
	return out
}

// showHelp opens the help screen, generated from the active bindings.
func (e *Editor) showHelp() {
	lines := helpLines(e.keys.Map())
	e.overlay = &helpScreen{lines: lines}
}

// helpRow is one screen row of the help: a key cell and a description
// cell, either may be empty.
type helpRow struct {
	keys, desc string
	heading    bool
}

// rows lays the help out for a width: keys wider than their column get a
// row of their own (the description goes under them), and descriptions
// wider than theirs wrap, so no key name or word is cut off on a narrow
// terminal.
func (hs *helpScreen) rows(keyW, descW int) []helpRow {
	var out []helpRow
	for _, l := range hs.lines {
		if l.heading || l.keys == "" && l.desc == "" {
			out = append(out, helpRow{keys: l.keys, heading: l.heading})
			continue
		}
		desc := []string{""}
		if textWidth(l.desc) > descW {
			desc = wrapWords(l.desc, descW)
		} else if l.desc != "" {
			desc = []string{l.desc}
		}
		if textWidth(l.keys) > keyW {
			for _, k := range wrapWords(l.keys, keyW+2+descW) {
				out = append(out, helpRow{keys: k})
			}
			out = append(out, helpRow{desc: desc[0]})
		} else {
			out = append(out, helpRow{keys: l.keys, desc: desc[0]})
		}
		for _, d := range desc[1:] {
			out = append(out, helpRow{desc: d})
		}
	}
	return out
}

// helpView is the help screen on a w×h screen: its rows (the lines
// wrapped to the width), the column widths, the rows shown and the first
// one (top clamped so the last page is full). A pure function: Draw
// draws it, the keys scroll by it.
type helpView struct {
	rows               []helpRow
	keyW, descW, shown int
	top                int
}

func (hs *helpScreen) viewFor(w, h int) helpView {
	keyW := 0
	for _, l := range hs.lines {
		if !l.heading {
			keyW = max(keyW, textWidth(l.keys))
		}
	}
	keyW = min(keyW, w/3)
	descW := w - keyW - 6
	rows := hs.rows(keyW, descW)
	shown := h - 1
	return helpView{rows: rows, keyW: keyW, descW: descW, shown: shown, top: max(min(hs.top, len(rows)-shown), 0)}
}

func (hs *helpScreen) draw(s tcell.Screen, x, y, w, h int) {
	for yy := y; yy < y+h; yy++ {
		fill(s, x, yy, w, ' ', styleDefault)
	}
	v := hs.viewFor(w, h)
	rows, keyW, descW, top := v.rows, v.keyW, v.descW, v.top
	for i := 0; i < v.shown && top+i < len(rows); i++ {
		r := rows[top+i]
		yy := y + i
		if r.heading {
			drawText(s, x+1, yy, w-2, r.keys, styleBoxTitle)
			continue
		}
		if textWidth(r.keys) > keyW { // on a row of its own
			drawText(s, x+3, yy, w-4, r.keys, styleBoxKey)
			continue
		}
		drawText(s, x+3, yy, keyW, r.keys, styleBoxKey)
		drawText(s, x+3+keyW+2, yy, descW, r.desc, styleDefault)
	}
	more := ""
	if top+v.shown < len(rows) {
		more = "  ↓ more"
	}
	foot := "Up/Down/PgUp/PgDn scroll · Esc, q or F1 closes" + more
	if textWidth(foot) > w-2 { // narrow: keep "more" in view
		foot = "Esc closes" + more
	}
	drawText(s, x+1, y+h-1, w-2, foot, stylePromptHint)
}

// key scrolls by the view of the screen now (viewFor: the same rows the
// last frame showed), from the row it showed at the top.
func (hs *helpScreen) key(e *Editor, ev *tcell.EventKey) {
	var v helpView
	if _, _, w, h, ok := e.screenRect(); ok {
		v = hs.viewFor(w, h)
	}
	n := len(v.rows)
	hs.top = v.top
	page := max(v.shown-1, 1)
	switch ev.Key() {
	case tcell.KeyUp:
		hs.top--
	case tcell.KeyDown:
		hs.top++
	case tcell.KeyPgUp:
		hs.top -= page
	case tcell.KeyPgDn:
		hs.top += page
	case tcell.KeyHome:
		hs.top = 0
	case tcell.KeyEnd:
		hs.top = n
	case tcell.KeyRune:
		switch ev.Rune() {
		case 'j', ' ':
			hs.top++
		case 'k':
			hs.top--
		default:
			e.overlay = nil
		}
	default:
		e.overlay = nil
	}
	hs.top = max(min(hs.top, n-max(v.shown, 1)), 0)
}
