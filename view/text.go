package view

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"mmhex/mapping/display"
)

// DrawText draws text at (x, y), at most maxW cells wide, with SetContent
// only (never tview.Print, which would interpret [style] tags). Every rune
// goes through display.Rune (controls become '.'). It returns the x after
// the last cell drawn. The one way panels (here and in subpackages) draw
// text.
func DrawText(s tcell.Screen, x, y, maxW int, text string, st tcell.Style) int {
	return drawText(s, x, y, maxW, text, st)
}

// TextWidth is the number of cells DrawText uses for text.
func TextWidth(text string) int { return textWidth(text) }

func drawText(s tcell.Screen, x, y, maxW int, text string, st tcell.Style) int {
	end := x + maxW
	for _, r := range text {
		r = display.Rune(r)
		w := runeWidth(r)
		if x+w > end {
			break
		}
		s.SetContent(x, y, r, nil, st)
		x += w
	}
	return x
}

// fitWidth is the number of cells drawText uses for text in maxW cells
// (what it returns, less x), without drawing.
func fitWidth(text string, maxW int) int {
	n := 0
	for _, r := range text {
		w := runeWidth(display.Rune(r))
		if n+w > maxW {
			break
		}
		n += w
	}
	return n
}

// drawTextCut is drawText for a text that may not fit: when it is wider
// than maxW its last cell becomes "…", so a cut message says it was cut.
func drawTextCut(s tcell.Screen, x, y, maxW int, text string, st tcell.Style) int {
	if maxW < 2 || textWidth(text) <= maxW {
		return drawText(s, x, y, maxW, text, st)
	}
	x = drawText(s, x, y, maxW-1, text, st)
	s.SetContent(x, y, '…', nil, st)
	return x + 1
}

// fill paints w cells from (x, y) with r in style st.
func fill(s tcell.Screen, x, y, w int, r rune, st tcell.Style) {
	for i := 0; i < w; i++ {
		s.SetContent(x+i, y, r, nil, st)
	}
}

// textWidth is the number of cells drawText uses for text.
func textWidth(text string) int {
	n := 0
	for _, r := range text {
		n += runeWidth(display.Rune(r))
	}
	return n
}

func runeWidth(r rune) int {
	if r < 0x80 {
		return 1
	}
	w := uniseg.StringWidth(string(r))
	if w < 1 {
		return 1
	}
	return w
}
