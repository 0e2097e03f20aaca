package view

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping/display"
)

// selection is the selection feature and its state. The search puts its
// match here (search.go): shown highlighted, and while the cursor is on its
// first byte it is the selection.
type selection struct {
	// The selection: from anchor to the cursor, both included.
	selOn  bool
	anchor int64
	// Mouse drag.
	pressed  bool
	pressOff int64
	// The last search match, highlighted; while the cursor is on its first
	// byte it is the selection that copy, fill and write act on.
	matchOn            bool
	matchOff, matchLen int64
}

func (x *selection) Name() string { return "selection" }

func (x *selection) Register(e *Editor) error { registerSelection(e, x); return nil }

// sel is the editor's selection feature; nil in an editor built without one.
func (e *Editor) sel() *selection { return featureOf[*selection](e) }

// maxClipboard bounds what copy sends to the terminal clipboard: OSC 52
// carries the data base64-encoded in one escape sequence and terminals cap
// its length (xterm, tmux and others at around 100 KB).
const maxClipboard = MaxClipboard

// MaxClipboard is the most SetClipboard sends: OSC 52 carries the data
// base64-encoded in one escape sequence and terminals cap its length.
const MaxClipboard = 64 << 10

// SetClipboard sends data to the terminal's clipboard (OSC 52). It refuses
// more than MaxClipboard bytes and an editor without a terminal, saying
// so; it cannot know whether the terminal accepted the data.
func (e *Editor) SetClipboard(data []byte) error {
	if len(data) > MaxClipboard {
		return fmt.Errorf("%s: the terminal clipboard (OSC 52) takes at most %s", plural(len(data), "byte"), display.HumanBytes(MaxClipboard))
	}
	e.mu.Lock()
	s := e.screen
	e.mu.Unlock()
	if s == nil {
		return errors.New("no terminal")
	}
	s.SetClipboard(data)
	return nil
}

// Selection returns the selected range [off, off+n): the explicit
// selection, else the search match while the cursor is on its start.
func (e *Editor) Selection() (off, n int64, ok bool) {
	x := e.sel()
	if x == nil {
		return 0, 0, false
	}
	if x.selOn {
		a, b := min(x.anchor, e.cursor), max(x.anchor, e.cursor)
		b = min(b, e.size-1)
		if b < a {
			return 0, 0, false
		}
		return a, b - a + 1, true
	}
	if x.matchOn && e.cursor == x.matchOff && x.matchOff+x.matchLen <= e.size {
		return x.matchOff, x.matchLen, true
	}
	return 0, 0, false
}

// StartSelection starts a selection at off (the anchor); the cursor end
// follows the cursor.
func (e *Editor) StartSelection(off int64) {
	x := e.sel()
	x.selOn, x.anchor = true, off
	x.matchOn = false
	e.showSelection()
}

// ClearSelection drops the selection (and the vim preset's visual mode).
func (e *Editor) ClearSelection() {
	if x := e.sel(); x != nil {
		x.selOn = false
	}
	if e.keys.Map().Modal() && e.keys.Mode() == keymap.ModeVisual {
		e.keys.SetMode(keymap.ModeNormal)
	}
}

// describeRange is "0x10–0x2f (32 bytes, 32 B)".
func describeRange(off, n int64) string {
	s := fmt.Sprintf("0x%x–0x%x (%s", off, off+n-1, plural64(n, "byte"))
	if n >= 1024 {
		s += ", " + display.HumanBytes(n)
	}
	return s + ")"
}

func plural64(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func (e *Editor) showSelection() {
	if off, n, ok := e.Selection(); ok {
		e.Message("selection %s — %s", describeRange(off, n), selectionHint(e))
	}
}

func selectionHint(e *Editor) string {
	var parts []string
	for _, a := range []struct {
		act  keymap.Action
		what string
	}{{keymap.CopyHex, "copy hex"}, {keymap.CopyRaw, "copy raw"}, {keymap.Fill, "fill"}, {keymap.WriteSelection, "write"}} {
		if k := keyName(e, a.act); k != "" {
			parts = append(parts, k+" "+a.what)
		}
	}
	parts = append(parts, "Esc drop")
	return strings.Join(parts, ", ")
}

// keyName is the first key bound to action in the active map, "" if none.
func keyName(e *Editor, a keymap.Action) string {
	if k := e.keys.Map().KeysFor(a); len(k) > 0 {
		return k[0].String()
	}
	return ""
}

func registerSelection(e *Editor, x *selection) {
	e.Handle(keymap.Select, func(e *Editor, a Args) {
		if e.size == 0 {
			e.Errorf("empty file: nothing to select")
			return
		}
		on := !x.selOn
		if e.keys.Map().Modal() {
			on = e.keys.Mode() == keymap.ModeVisual
		}
		if !on {
			x.selOn = false
			e.Message("selection dropped")
			return
		}
		e.StartSelection(e.cursor)
	})
	e.OnMove(func(from, to int64) {
		if x.selOn {
			e.showSelection()
		}
	})
	e.OnCancel(func() bool {
		if x.selOn {
			x.selOn = false
			e.Message("selection dropped")
			return true
		}
		if x.matchOn {
			x.matchOn = false
			return true
		}
		return false
	})
	e.AddHighlighter(func(start, end int64) func(int64) Mark {
		var sa, sb, ma, mb int64 = -1, -1, -1, -1
		if x.selOn {
			sa, sb = min(x.anchor, e.cursor), max(x.anchor, e.cursor)+1
		}
		if x.matchOn {
			ma, mb = x.matchOff, x.matchOff+x.matchLen
		}
		if (sb <= start || sa >= end) && (mb <= start || ma >= end) {
			return nil
		}
		return func(off int64) Mark {
			var m Mark
			if off >= sa && off < sb {
				m |= MarkSelected
			}
			if off >= ma && off < mb {
				m |= MarkMatch
			}
			return m
		}
	})
	// Mouse: press on a byte and drag to select.
	e.AddMouseHook(func(action tview.MouseAction, off int64, col Column) bool {
		switch action {
		case tview.MouseLeftDown:
			x.pressed, x.pressOff = true, off
			if x.selOn && !e.keys.Map().Modal() {
				x.selOn = false
			}
		case tview.MouseMove:
			if !x.pressed {
				return false
			}
			if !x.selOn && off != x.pressOff {
				if e.keys.Map().Modal() {
					e.keys.SetMode(keymap.ModeVisual)
				}
				e.StartSelection(x.pressOff)
			}
			if x.selOn {
				e.col = col
				e.SetCursor(off)
			}
			return true
		case tview.MouseLeftUp, tview.MouseLeftClick:
			x.pressed = false
		}
		return false
	})

	e.Handle(keymap.CopyHex, func(e *Editor, a Args) { e.copySelection(true) })
	e.Handle(keymap.CopyRaw, func(e *Editor, a Args) { e.copySelection(false) })
	e.Handle(keymap.Fill, func(e *Editor, a Args) { e.fillSelection(a.Expr) })
	e.Handle(keymap.PasteHex, func(e *Editor, a Args) { e.pasteHex(a.Expr) })
}

// afterSelectionAction ends the vim preset's visual mode after an action
// on the selection, as the dispatcher does.
func (e *Editor) afterSelectionAction() {
	if x := e.sel(); x != nil && e.keys.Map().Modal() {
		x.selOn = false
	}
}

func (e *Editor) noSelection() {
	e.Errorf("no selection: %s starts one at the cursor", orDefault(keyName(e, keymap.Select), "select"))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
