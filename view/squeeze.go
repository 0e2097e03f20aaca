package view

import (
	"fmt"

	"mmhex/mapping/display"
)

// Squeezing: like hexdump's "*", a run of at least minSqueeze whole rows
// that lie in one hole (SetSqueeze says where the holes are) is one line of
// the grid, "hole 0xSTART–0xEND (SIZE)", END exclusive. The cursor's row is
// never squeezed: goto into a hole shows the cursor's row as a real row,
// with the hole's rows before and after it squeezed. Down from the row
// above a squeezed line lands on the first row after it, Up from the row
// below on the last row before it (the line is not a stop, as hexdump's
// "*" is not a row); PgDn, PgUp and the wheel count it as one row; a click
// on it puts the cursor on its start. Two files compared side by side are
// never squeezed: their rows stay aligned.

// minSqueeze is the fewest whole rows a squeezed line stands for.
const minSqueeze = 2

// SetSqueeze sets the function that says which hole holds off (its
// [start, end) and true; false when off is data): the grid squeezes the
// holes' whole rows. nil turns squeezing off. For data it may also say the
// run of data it found ([start, end) holding off, with false): the editor
// then answers the other rows of that run without asking again (an
// unknown run is 0, 0, false).
func (e *Editor) SetSqueeze(fn func(off int64) (start, end int64, ok bool)) {
	e.squeeze = fn
	clear(e.holesAsked)
	e.holeRuns = e.holeRuns[:0]
}

// holeAnswer is what the squeeze function said of an offset.
type holeAnswer struct {
	start, end int64
	ok         bool
}

// holeAt is the squeeze function's answer for off: asked (lseek through
// the holes feature) and kept while the editor adopts the layout after an
// event (adoptLayout); otherwise, and so in every frame, the answer kept
// then, and only when that offset was not asked (a frame of a size no
// event adopted yet: a resize before its event), asked again without
// keeping it. A frame after an event asks nothing.
//
// A hole's whole [start, end), and a run of data the squeeze function
// named, answer every offset inside them (holeRuns): one lseek walk per
// run, not one per row line considered (typing asked a few hundred
// lseeks a key before).
func (e *Editor) holeAt(off int64) (start, end int64, ok bool) {
	if a, kept := e.holesAsked[off]; kept {
		return a.start, a.end, a.ok
	}
	for _, r := range e.holeRuns {
		if off >= r.start && off < r.end {
			if r.ok {
				return r.start, r.end, true
			}
			return 0, 0, false
		}
	}
	start, end, ok = e.squeeze(off)
	if e.adopting {
		if e.holesAsked == nil {
			e.holesAsked = map[int64]holeAnswer{}
		}
		e.holesAsked[off] = holeAnswer{start, end, ok}
		if start <= off && off < end {
			e.holeRuns = append(e.holeRuns, holeAnswer{start, end, ok})
		}
	}
	if !ok {
		return 0, 0, false
	}
	return start, end, ok
}

// squeezing reports whether the grid squeezes holes: SetSqueeze set and
// one file (mmhex A B keeps both files' rows aligned).
func (e *Editor) squeezing() bool { return e.squeeze != nil && e.other == nil }

// gridLine is one line of the grid: the row of bpr bytes at off, or a
// squeezed hole [off, end).
type gridLine struct {
	off, end int64
	hole     bool
}

// squeezedAt is the squeezed run holding the row at row (row-aligned) for
// rows of bpr bytes with the cursor at cursor: [start, end) and true, or
// false when that row is shown as a row.
func (e *Editor) squeezedAt(row, cursor, size int64, bpr int) (start, end int64, ok bool) {
	if !e.squeezing() || row < 0 || row >= size {
		// (mmhex A B keeps both files' rows aligned: no squeezing)
		return 0, 0, false
	}
	a, b, ok := e.holeAt(row)
	if !ok {
		return 0, 0, false
	}
	bb := int64(bpr)
	b = min(b, size)
	start = (a + bb - 1) / bb * bb
	end = b / bb * bb
	if cr := cursor / bb * bb; cr >= start && cr < end {
		switch {
		case row < cr:
			end = cr
		case row > cr:
			start = cr + bb
		default:
			return 0, 0, false
		}
	}
	if row < start || row >= end || (end-start)/bb < minSqueeze {
		return 0, 0, false
	}
	return start, end, true
}

// lineAt is the grid line that holds the row at row.
func (e *Editor) lineAt(row, cursor, size int64, bpr int) gridLine {
	if a, b, ok := e.squeezedAt(row, cursor, size, bpr); ok {
		return gridLine{off: a, end: b, hole: true}
	}
	return gridLine{off: row, end: min(row+int64(bpr), size)}
}

// lineBefore is the start of the line before the one starting at row, or
// -1 at the first.
func (e *Editor) lineBefore(row, cursor, size int64, bpr int) int64 {
	if row <= 0 {
		return -1
	}
	return e.lineAt(row-int64(bpr), cursor, size, bpr).off
}

// linesFrom is the grid's lines from top, at most rows of them.
func (e *Editor) linesFrom(top, cursor, size int64, bpr, rows int) []gridLine {
	var out []gridLine
	for r := top; r < size && len(out) < rows; {
		l := e.lineAt(r, cursor, size, bpr)
		out = append(out, l)
		if l.hole {
			r = l.end
		} else {
			r += int64(bpr)
		}
	}
	return out
}

// scrollTopSqueezed is scrollTop with squeezed lines: the least scroll
// that shows the cursor's row, never past the last full screen.
func (e *Editor) scrollTopSqueezed(top, cursor, size int64, bpr, rows int) int64 {
	b := int64(bpr)
	cr := cursor / b * b
	top = e.lineAt(top/b*b, cursor, size, bpr).off
	if cr < top {
		top = cr
	} else {
		n, r := 0, top
		for r < cr && n < rows {
			r = e.lineAt(r, cursor, size, bpr).end
			n++
		}
		if r != cr || n >= rows {
			top = e.back(cr, rows-1, cursor, size, bpr)
		}
	}
	if size > 0 {
		if lim := e.back((size-1)/b*b, rows-1, cursor, size, bpr); top > lim {
			top = lim
		}
	}
	return max(top, 0)
}

// back is the start of the line n lines before the one starting at row (or
// 0).
func (e *Editor) back(row int64, n int, cursor, size int64, bpr int) int64 {
	for ; n > 0; n-- {
		p := e.lineBefore(row, cursor, size, bpr)
		if p < 0 {
			return 0
		}
		row = p
	}
	return row
}

// stepRows is the row n lines (n < 0: up) from the cursor's row, stepping
// over squeezed lines (they are no stop), within the file.
func (e *Editor) stepRows(n int64) int64 {
	b := int64(e.bpr)
	r := e.cursor / b * b
	last := (e.size - 1) / b * b
	for ; n > 0 && r < last; n-- {
		r = e.lineAt(r, e.cursor, e.size, e.bpr).end
		if l := e.lineAt(r, e.cursor, e.size, e.bpr); l.hole {
			r = l.end
		}
		r = min(r, last)
	}
	for ; n < 0 && r > 0; n++ {
		r = e.lineBefore(r, e.cursor, e.size, e.bpr)
		if l := e.lineAt(r, e.cursor, e.size, e.bpr); l.hole {
			r = e.lineBefore(l.off, e.cursor, e.size, e.bpr)
			if r < 0 {
				r = l.off
			}
		}
	}
	return r
}

// holeLineText is a squeezed line's text: "hole 0x1000–0x3ffff000 (1023.99
// MiB)", the end exclusive.
func holeLineText(l gridLine) string {
	return fmt.Sprintf("hole 0x%x–0x%x (%s)", l.off, l.end, display.HumanBytes(l.end-l.off))
}
