package view

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/view/hexfmt"
)

// validMark: marks are letters (a–z, A–Z).
func validMark(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// marks is the marks feature: the letters set, each at an offset.
type marks struct {
	marks map[rune]int64
}

func newMarks() *marks { return &marks{marks: map[rune]int64{}} }

func (x *marks) Name() string { return "marks" }

func (x *marks) Register(e *Editor) error { registerMarks(e, x); return nil }

func registerMarks(e *Editor, x *marks) {
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
		if len(a.Expr) == 1 {
			return rune(a.Expr[0])
		}
		return 0
	}
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
			set(r)
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
		e.ShowInfo("marks", x.text(e))
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

// marksText lists the marks, by letter: offset in hex and decimal and the
// first bytes there (hex and text; only "." for unprintable bytes).
func (x *marks) text(e *Editor) string {
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
	var b strings.Builder
	fmt.Fprintf(&b, "   %-*s  %12s  %-23s  %s\n", digits, "offset", "decimal", "bytes", "text")
	for _, r := range letters {
		off := x.marks[r]
		var buf [8]byte
		n, _ := e.f.ReadAt(buf[:], off)
		var txt strings.Builder
		for _, c := range buf[:n] {
			txt.WriteRune(rune(hexfmt.TextChar(c)))
		}
		fmt.Fprintf(&b, "%c  %0*x  %12d  %-23s  %s", r, digits, off, off, hexText(buf[:n]), txt.String())
		if off == e.cursor {
			b.WriteString("  ◀ cursor")
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "\n%s LETTER jumps to a mark", orDefault(keyName(e, keymap.MarkJump), "mark-jump"))
	return b.String()
}
