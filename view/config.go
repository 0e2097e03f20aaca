package view

import (
	"github.com/gdamore/tcell/v2"

	"mmhex/view/hexfmt"
)

// applyColours sets the screen's colours from the configuration's
// [colours] table (keymap.Config.Colours, keyed by keymap.ColourNames).
// The styles are package-wide: Launch calls it once, before the editor
// draws its first frame.
func applyColours(c map[string]tcell.Color) {
	for cls := range hexfmt.NumClasses {
		if col, ok := c[hexfmt.Class(cls).String()]; ok {
			classStyles[cls] = classStyles[cls].Foreground(col)
		}
	}
	if col, ok := c["offset"]; ok {
		styleOffset = styleOffset.Foreground(col)
		styleOffsetCur = styleOffsetCur.Foreground(col)
	}
	if col, ok := c["edited"]; ok {
		colourUnsynced = col
	}
	// header and status are drawn in reverse video: the foreground colour
	// is the bar's background
	if col, ok := c["header"]; ok {
		styleHeader = styleHeader.Foreground(col)
		styleHeaderKey = styleHeaderKey.Foreground(col)
	}
	if col, ok := c["status"]; ok {
		styleStatus = styleStatus.Foreground(col)
	}
}
