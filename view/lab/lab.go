// Package lab is the writeback lab: the page panel (page-panel, writeback)
// and the disk view (disk-view), two bottom panels that show what the
// kernel knows about the open file beside its bytes (mapping/pagecache).
//
// It is written against view's exported API only (view.Editor: AddPanel,
// Handle, OnMove, EveryWhile, Go, File, DrawText, ...), as any feature
// outside package view is: each panel is a view.Feature value holding its
// own state, listed in features.Default (mmhex/view/features). The
// measurements run off the UI goroutine (Editor.Go), at most one per
// panel at a time; Draw only draws the last result.
package lab

import (
	"fmt"
	"time"

	"github.com/gdamore/tcell/v2"
)

// Styles of the panels' text; styleError and styleSep are the editor's
// error line and separator colours.
var (
	styleError = tcell.StyleDefault.Foreground(tcell.PaletteColor(9)).Bold(true)
	styleSep   = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))
)

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

const hexDigits = "0123456789abcdef"

// offsetDigits is the width of an offset for a file of size bytes: as many
// hex digits as the largest offset needs, at least 8 (the grid's rule).
func offsetDigits(size int64) int {
	d := 1
	for last := uint64(max(size-1, 0)); last >= 16; last >>= 4 {
		d++
	}
	return max(d, 8)
}

// hexPos is the x of byte i's first hex digit in a row: 3 cells a byte, a
// gap after every 8 (the grid's layout).
func hexPos(i int) int { return i*3 + i/8 }

// drawHex draws v as exactly digits lower-case hex digits.
func drawHex(s tcell.Screen, x, y int, v int64, digits int, st tcell.Style) {
	for i := digits - 1; i >= 0; i-- {
		s.SetContent(x+i, y, rune(hexDigits[v&0xf]), nil, st)
		v >>= 4
	}
}
