package view

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/bookmarks"
	"mmhex/mapping/display"
	"mmhex/view/hexfmt"
)

// validMark: marks are letters (a–z, A–Z).
func validMark(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// marks is the marks feature: the letters set, each at an offset.
type marks struct {
	marks map[rune]int64
	notes map[rune]string
	// dir and key: where the marks of this file are kept across sessions
	// (mapping/bookmarks); dir "" when they are not (no state folder).
	dir   string
	key   bookmarks.Key
	where string // what the list says about keeping them
}

func newMarks() *marks { return &marks{marks: map[rune]int64{}, notes: map[rune]string{}} }

// load applies the marks recorded for e's file, and says when marks
// recorded for this path belong to another file (not applied).
func (x *marks) load(e *Editor) {
	dir, err := bookmarks.StateDir()
	if err == nil {
		x.key, err = bookmarks.KeyOf(e.f)
	}
	if err != nil {
		x.where = fmt.Sprintf("marks last for this session only: %v", err)
		return
	}
	x.dir = dir
	x.where = "kept across sessions (mmhex marks FILE)"
	ms, st, err := bookmarks.Load(dir, x.key)
	if err != nil {
		e.Errorf("marks: %v", err)
		return
	}
	if st.Replaced != "" {
		x.where += "; " + st.Replaced + " (mmhex marks FILE --adopt applies them to this file, --forget drops them)"
		e.Errorf("marks: %s (mmhex marks FILE --adopt applies them)", st.Replaced)
		return
	}
	for _, m := range ms {
		r := []rune(m.Name)
		if len(r) == 1 && validMark(r[0]) && m.Off >= 0 && m.Off < e.size {
			x.marks[r[0]] = m.Off
			if m.Note != "" {
				x.notes[r[0]] = m.Note
			}
		}
	}
}

// save records the marks (when they are kept across sessions).
func (x *marks) save(e *Editor) {
	if x.dir == "" {
		return
	}
	ms := make([]bookmarks.Mark, 0, len(x.marks))
	for r, off := range x.marks {
		ms = append(ms, bookmarks.Mark{Name: string(r), Off: off, Note: x.notes[r]})
	}
	x.key.Size = e.size
	if err := bookmarks.Save(x.dir, x.key, ms); err != nil {
		e.Errorf("marks not saved: %v", err)
	}
}

func (x *marks) Name() string { return "marks" }

func (x *marks) Register(e *Editor) error { registerMarks(e, x); return nil }

func registerMarks(e *Editor, x *marks) {
	x.load(e)
	// mmhex A B: each side has its own marks (kept for its own file);
	// a switch swaps them, loading the other side's the first time.
	var alt *marks
	e.switchHooks = append(e.switchHooks, func() {
		if alt == nil {
			alt = newMarks()
			*x, *alt = *alt, *x
			x.load(e)
			return
		}
		*x, *alt = *alt, *x
	})
	// askLetter takes the mark letter from a one-key prompt when the key
	// sequence did not carry one (command line, or a binding without it).
	askLetter := func(label string, then func(r rune)) {
		e.OpenPrompt(&Prompt{
			Label: label,
			Hint:  "a letter",
			Key: func(p *Prompt, ev *tcell.EventKey) bool {
				if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyCtrlC {
					return false
				}
				r, ok := keymap.FromEvent(ev).Rune()
				if !ok || !validMark(r) {
					p.SetError("marks are letters a–z, A–Z")
					return true
				}
				e.prompt = nil
				then(r)
				return true
			},
		})
	}
	letter := func(a Args) rune {
		if a.Arg != 0 {
			return a.Arg
		}
		if len(a.Expr) == 1 || len(a.Expr) > 1 && a.Expr[1] == ' ' {
			return rune(a.Expr[0])
		}
		return 0
	}
	note := "" // the note of the mark being set (":mark-set a NOTE")
	set := func(r rune) {
		if !validMark(r) {
			e.Errorf("marks are letters a–z, A–Z, not %q", r)
			return
		}
		if e.size == 0 {
			e.Errorf("empty file: nothing to mark")
			return
		}
		x.marks[r] = e.cursor
		delete(x.notes, r)
		if note != "" {
			x.notes[r] = note
		}
		x.save(e)
		e.Message("mark %c set at 0x%x (%d); %s %c jumps back", r, e.cursor, e.cursor, orDefault(keyName(e, keymap.MarkJump), "mark-jump"), r)
	}
	jump := func(r rune) {
		off, ok := x.marks[r]
		if !ok {
			e.Errorf("mark %q is not set (%s lists the marks)", r, orDefault(keyName(e, keymap.Marks), "marks"))
			return
		}
		if off >= e.size {
			e.Errorf("mark %c at 0x%x is past the end of the file now (%d bytes)", r, off, e.size)
			return
		}
		e.PushJump()
		e.jump(off)
		e.Message("mark %c: 0x%x (%d)", r, off, off)
	}
	e.Handle(keymap.MarkSet, func(e *Editor, a Args) {
		if r := letter(a); r != 0 {
			if len(a.Expr) > 2 {
				note = strings.TrimSpace(a.Expr[2:])
			}
			set(r)
			note = ""
			return
		}
		askLetter("set mark:", set)
	})
	e.Handle(keymap.MarkJump, func(e *Editor, a Args) {
		if r := letter(a); r != 0 {
			jump(r)
			return
		}
		askLetter("jump to mark:", jump)
	})
	e.Handle(keymap.Marks, func(e *Editor, a Args) {
		if len(x.marks) == 0 {
			e.Message("no marks: %s LETTER sets one at the cursor", orDefault(keyName(e, keymap.MarkSet), "mark-set"))
			return
		}
		e.overlay = x.list(e, jump)
	})
	e.AddHighlighter(func(start, end int64) func(int64) Mark {
		var in map[int64]bool
		for _, off := range x.marks {
			if off >= start && off < end {
				if in == nil {
					in = map[int64]bool{}
				}
				in[off] = true
			}
		}
		if in == nil {
			return nil
		}
		return func(off int64) Mark {
			if in[off] {
				return MarkMarked
			}
			return 0
		}
	})
}

// list is the marks panel: one row a mark, by letter (a–z, then A–Z):
// offset in hex and decimal and the first bytes there (hex and text; only
// "." for unprintable bytes), its note; Enter jumps to the chosen mark.
func (x *marks) list(e *Editor, jump func(r rune)) *listBox {
	letters := make([]rune, 0, len(x.marks))
	for r := range x.marks {
		letters = append(letters, r)
	}
	// a–z, then A–Z.
	rank := func(r rune) rune {
		if r >= 'a' {
			return r - 'a'
		}
		return r - 'A' + 26
	}
	sort.Slice(letters, func(i, j int) bool { return rank(letters[i]) < rank(letters[j]) })
	digits := offsetDigits(e.size)
	l := &listBox{
		title: "marks",
		head:  fmt.Sprintf("   %-*s  %12s  %-23s  %s", digits, "offset", "decimal", "bytes", "text"),
		tail:  []string{"", fmt.Sprintf("%s LETTER jumps to a mark; %s", orDefault(keyName(e, keymap.MarkJump), "mark-jump"), x.where)},
		enter: func(e *Editor, i int) { jump(letters[i]) },
	}
	for _, r := range letters {
		off := x.marks[r]
		var buf [8]byte
		n, err := e.f.TryReadAt(buf[:], off)
		if errors.Is(err, mapping.ErrBusy) {
			l.rows = append(l.rows, fmt.Sprintf("%c  %0*x  %12d  %s", r, digits, off, off, restoringNote))
			continue
		}
		var txt strings.Builder
		for _, c := range buf[:n] {
			txt.WriteRune(rune(hexfmt.TextChar(c)))
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%c  %0*x  %12d  %-23s  %s", r, digits, off, off, hexText(buf[:n]), txt.String())
		if off == e.cursor {
			b.WriteString("  ◀ cursor")
		}
		if nt := x.notes[r]; nt != "" {
			b.WriteString("  " + display.Sanitize(nt))
		}
		l.rows = append(l.rows, b.String())
		if off == e.cursor {
			l.sel = len(l.rows) - 1
		}
	}
	return l
}
