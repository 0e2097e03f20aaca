package view

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/mapping"
)

// inspectorPanel is the name of the data inspector panel.
const inspectorPanel = "inspector"

// inspectorWidth fits " time64 le  2023-11-14 22:13:20 UTC" and leaves an
// 80-column terminal room for rows of 8 bytes.
const inspectorWidth = 34

// wideScreen is where the inspector is shown at start (InspectorIfFits):
// a wide terminal, where the 16-byte rows leave half the screen empty.
const wideScreen = 160

// inspectorFits: a screen w columns wide is wide (wideScreen) and shows
// the rows at the configured width (not fitted) and the inspector beside
// them, with a column to spare (with 32 bytes a row, 160 columns do not).
func (e *Editor) inspectorFits(w int) bool {
	return w >= wideScreen && makeGeom(offsetDigits(e.size), e.opts.BytesPerRow).width+inspectorWidth+2 <= w
}

var styleInspLabel = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))

func registerInspector(e *Editor) {
	e.AddPanel(&Panel{
		Name: inspectorPanel,
		Side: Right,
		Size: inspectorWidth,
		Draw: e.drawInspector,
	})
}

// drawInspector decodes the (at most) 8 bytes at the cursor.
func (e *Editor) drawInspector(s tcell.Screen, x, y, w, h int) {
	if h <= 0 {
		return
	}
	drawText(s, x+1, y, w-1, fmt.Sprintf("inspector @ 0x%x", e.cursor), styleBoxTitle)
	var buf [8]byte
	n := 0
	if e.cursor >= e.size && e.size > 0 {
		drawText(s, x+1, y+1, w-1, "past the end of this file", styleDim)
		return
	}
	if e.size > 0 {
		want := min(int64(len(buf)), e.size-e.cursor)
		got, err := e.f.TryReadAt(buf[:want], e.cursor)
		if errors.Is(err, mapping.ErrBusy) {
			drawText(s, x+1, y+1, w-1, "(the bytes are being restored)", styleDim)
			return
		}
		if err != nil && int64(got) < want {
			drawText(s, x+1, y+1, w-1, "unreadable: "+err.Error(), styleError)
			return
		}
		n = got
	}
	lines := inspect(buf[:n])
	if len(lines) > h-1 {
		lines = pairLines(lines, w-11)
	}
	for i, l := range lines {
		yy := y + 1 + i
		if yy >= y+h {
			break
		}
		if yy == y+h-1 && i < len(lines)-1 {
			// Never cut the list without a word.
			drawText(s, x+1, yy, w-1, fmt.Sprintf("… %d more (taller terminal)", len(lines)-i), styleInspLabel)
			break
		}
		drawText(s, x+1, yy, 9, l.label, styleInspLabel)
		drawText(s, x+11, yy, w-11, l.value, styleDefault)
	}
}

// pairLines puts the little- and big-endian values of the 16- and 32-bit
// integers on one line each ("u16 le be  32117  30077") when both fit in
// valW cells: four lines fewer, so an 80×24 terminal shows every value,
// the Unix times at the end included.
func pairLines(lines []inspectLine, valW int) []inspectLine {
	var out []inspectLine
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		base, ok := strings.CutSuffix(l.label, " le")
		if ok && i+1 < len(lines) && lines[i+1].label == base+" be" &&
			(base == "u16" || base == "i16" || base == "u32" || base == "i32") {
			be := lines[i+1].value
			v := l.value + "  " + be
			switch {
			case l.value == naValue && be == naValue:
				v = naValue
			case textWidth(v) > valW:
				v = l.value + " " + be
			}
			if textWidth(v) <= valW {
				out = append(out, inspectLine{base + " le be", v})
				i++
				continue
			}
		}
		out = append(out, l)
	}
	return out
}
