package view

import (
	"fmt"

	"github.com/gdamore/tcell/v2"
)

// inspectorPanel is the name of the data inspector panel.
const inspectorPanel = "inspector"

// inspectorWidth fits " time64 le  2023-11-14 22:13:20 UTC" and leaves an
// 80-column terminal room for rows of 8 bytes.
const inspectorWidth = 34

var styleInspLabel = tcell.StyleDefault.Foreground(tcell.PaletteColor(8))

func init() {
	features = append(features, func(e *Editor) {
		e.AddPanel(&Panel{
			Name: inspectorPanel,
			Side: Right,
			Size: inspectorWidth,
			Draw: e.drawInspector,
		})
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
	if e.size > 0 {
		want := min(int64(len(buf)), e.size-e.cursor)
		got, err := e.f.ReadAt(buf[:want], e.cursor)
		if err != nil && int64(got) < want {
			drawText(s, x+1, y+1, w-1, "unreadable: "+err.Error(), styleError)
			return
		}
		n = got
	}
	for i, l := range inspect(buf[:n]) {
		yy := y + 1 + i
		if yy >= y+h {
			break
		}
		drawText(s, x+1, yy, 9, l.label, styleInspLabel)
		drawText(s, x+11, yy, w-11, l.value, styleDefault)
	}
}
