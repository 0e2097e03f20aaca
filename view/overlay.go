package view

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
)

// overlay is drawn over everything and takes every key while open: the
// quit dialog, the help screen, message boxes.
type overlay interface {
	draw(s tcell.Screen, x, y, w, h int)
	key(e *Editor, ev *tcell.EventKey)
}

// OverlayOpen reports whether a dialog or the help screen is open.
func (e *Editor) OverlayOpen() bool { return e.overlay != nil }

// CloseOverlay closes the open dialog, help screen or message box.
func (e *Editor) CloseOverlay() { e.overlay = nil }

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
}

func (d *quitDialog) lines() (title, explain, choices string) {
	title = plural(d.edits, "edit") + " not synced"
	if d.edits == 1 {
		title = "1 edit is not synced"
	} else {
		title = fmt.Sprintf("%d edits are not synced", d.edits)
	}
	if d.mode == mapping.Private {
		explain = "With MAP_PRIVATE they live only in this process's copy-on-write pages and are lost on quit."
		choices = "[q] quit and discard them    [Esc] stay"
		return
	}
	explain = "With MAP_SHARED they are already in the page cache and will reach the disk anyway."
	choices = "[s] sync now (MS_SYNC)    [r] revert them and quit    [q] quit, leave them to writeback    [Esc] stay"
	return
}

func (d *quitDialog) draw(s tcell.Screen, x, y, w, h int) {
	title, explain, choices := d.lines()
	bw := max(textWidth(explain), textWidth(choices)) + 4
	bh := 4
	if d.err != "" {
		bh++
	}
	ix, iy, iw, _ := drawBox(s, x, y, w, h, bw, bh, title)
	drawText(s, ix, iy, iw, explain, styleBox)
	// The choices, with their keys highlighted.
	cx := ix
	for i := 0; i < len(choices); {
		if choices[i] == '[' {
			if j := strings.IndexByte(choices[i:], ']'); j > 0 {
				cx = drawText(s, cx, iy+1, ix+iw-cx, choices[i:i+j+1], styleBoxKey)
				i += j + 1
				continue
			}
		}
		j := strings.IndexByte(choices[i:], '[')
		if j < 0 {
			j = len(choices) - i
		}
		cx = drawText(s, cx, iy+1, ix+iw-cx, choices[i:i+j], styleBox)
		i += j
	}
	if d.err != "" {
		drawText(s, ix, iy+2, iw, d.err, styleError)
	}
}

func (d *quitDialog) key(e *Editor, ev *tcell.EventKey) {
	if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyCtrlC {
		e.overlay = nil
		e.Message("quit cancelled")
		return
	}
	if ev.Key() != tcell.KeyRune {
		return
	}
	switch ev.Rune() {
	case 's', 'S':
		if d.mode == mapping.Private {
			return
		}
		if err := e.sync(mapping.MSSync); err != nil {
			d.err = err.Error()
			return
		}
		e.overlay = nil
		e.Stop()
	case 'r', 'R':
		if d.mode == mapping.Private {
			return
		}
		if _, err := e.f.RevertAll(); err != nil {
			d.err = err.Error()
			return
		}
		e.overlay = nil
		e.Stop()
	case 'q', 'Q':
		e.overlay = nil
		e.Stop()
	}
}

// quit quits, asking first when edits are not synced.
func (e *Editor) quit() {
	n := e.f.UnsyncedEdits()
	if n == 0 || e.f.Mode() == mapping.ReadOnly {
		e.Stop()
		return
	}
	e.overlay = &quitDialog{edits: n, mode: e.f.Mode()}
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
	bw = max(bw, 30)
	ix, iy, iw, ih := drawBox(s, x, y, w, h, bw, len(b.lines)+4, b.title)
	for i, l := range b.lines {
		if i >= ih-2 {
			break
		}
		drawText(s, ix, iy+i, iw, l, styleBox)
	}
	drawText(s, ix, iy+ih-1, iw, "press any key", stylePromptHint)
}

func (b *infoBox) key(e *Editor, ev *tcell.EventKey) { e.overlay = nil }

// ---- the help screen --------------------------------------------------

type helpScreen struct {
	lines []helpLine
	top   int
	h     int
}

type helpLine struct {
	keys, desc string
	heading    bool
}

// helpLines lists the active bindings grouped as keymap groups them: the
// base mode, then each other mode of the preset.
func helpLines(m *keymap.Map) []helpLine {
	var out []helpLine
	out = append(out, helpLine{heading: true, keys: fmt.Sprintf("Keys (preset %q)", m.Preset())})
	modes := []string{""}
	if m.Modal() {
		modes = []string{keymap.ModeNormal, keymap.ModeVisual, keymap.ModeReplace}
	}
	for mi, mode := range modes {
		keysOf := map[keymap.Action][]string{}
		base := map[string]bool{}
		if mi > 0 {
			for _, b := range m.Bindings(modes[0]) {
				base[b.Seq.String()+"\x00"+string(b.Action)] = true
			}
		}
		for _, b := range m.Bindings(mode) {
			if base[b.Seq.String()+"\x00"+string(b.Action)] {
				continue
			}
			keysOf[b.Action] = append(keysOf[b.Action], b.Seq.String())
		}
		if len(keysOf) == 0 {
			continue
		}
		if mi > 0 {
			out = append(out, helpLine{}, helpLine{heading: true, keys: modeTitle(mode)})
		}
		for _, g := range keymap.Groups {
			var group []helpLine
			for _, a := range keymap.All() {
				if a.Group != g || len(keysOf[a.Name]) == 0 {
					continue
				}
				group = append(group, helpLine{keys: strings.Join(keysOf[a.Name], ", "), desc: a.Desc})
			}
			if len(group) == 0 {
				continue
			}
			out = append(out, helpLine{}, helpLine{heading: true, keys: g})
			out = append(out, group...)
		}
	}
	out = append(out, helpLine{}, helpLine{desc: "In the hex column hex digits overwrite nibbles; in the text column characters overwrite bytes."})
	return out
}

func modeTitle(mode string) string {
	switch mode {
	case keymap.ModeVisual:
		return "Visual mode (other keys as in normal mode)"
	case keymap.ModeReplace:
		return "Replace mode (other keys type bytes)"
	}
	return strings.ToLower(mode) + " mode"
}

// showHelp opens the help screen, generated from the active bindings.
func (e *Editor) showHelp() {
	e.overlay = &helpScreen{lines: helpLines(e.keys.Map())}
}

func (hs *helpScreen) draw(s tcell.Screen, x, y, w, h int) {
	for yy := y; yy < y+h; yy++ {
		fill(s, x, yy, w, ' ', styleDefault)
	}
	keyW := 0
	for _, l := range hs.lines {
		if !l.heading {
			keyW = max(keyW, textWidth(l.keys))
		}
	}
	keyW = min(keyW, w/3)
	hs.h = h - 1
	hs.top = max(min(hs.top, len(hs.lines)-hs.h), 0)
	for i := 0; i < hs.h && hs.top+i < len(hs.lines); i++ {
		l := hs.lines[hs.top+i]
		yy := y + i
		if l.heading {
			drawText(s, x+1, yy, w-2, l.keys, styleBoxTitle)
			continue
		}
		drawText(s, x+3, yy, keyW, l.keys, styleBoxKey)
		drawText(s, x+3+keyW+2, yy, w-keyW-6, l.desc, styleDefault)
	}
	more := ""
	if hs.top+hs.h < len(hs.lines) {
		more = "  ↓ more"
	}
	drawText(s, x+1, y+h-1, w-2, "Up/Down/PgUp/PgDn scroll · Esc, q or F1 closes"+more, stylePromptHint)
}

func (hs *helpScreen) key(e *Editor, ev *tcell.EventKey) {
	page := max(hs.h-1, 1)
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
		hs.top = len(hs.lines)
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
	hs.top = max(min(hs.top, len(hs.lines)-max(hs.h, 1)), 0)
}
