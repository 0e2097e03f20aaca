package view

import (
	"github.com/gdamore/tcell/v2"

	"mmhex/view/hexfmt"
)

// palette is the configurable part of an editor's styles: the package's
// default styles (grid.go, layout.go), with the configuration's [colours]
// applied. Each editor has its own (Editor.pal); nothing here writes a
// package variable.
type palette struct {
	class                     [hexfmt.NumClasses]tcell.Style
	offset, offsetCur         tcell.Style
	unsynced                  tcell.Color
	header, headerKey, status tcell.Style
}

// newPalette is the default styles with c applied: the configuration's
// [colours] table (keymap.Config.Colours, keyed by keymap.ColourNames).
func newPalette(c map[string]tcell.Color) palette {
	p := palette{
		class:     classStyles,
		offset:    styleOffset,
		offsetCur: styleOffsetCur,
		unsynced:  colourUnsynced,
		header:    styleHeader,
		headerKey: styleHeaderKey,
		status:    styleStatus,
	}
	for cls := range hexfmt.NumClasses {
		if col, ok := c[hexfmt.Class(cls).String()]; ok {
			p.class[cls] = p.class[cls].Foreground(col)
		}
	}
	if col, ok := c["offset"]; ok {
		p.offset = p.offset.Foreground(col)
		p.offsetCur = p.offsetCur.Foreground(col)
	}
	if col, ok := c["edited"]; ok {
		p.unsynced = col
	}
	// header and status are drawn in reverse video: the foreground colour
	// is the bar's background
	if col, ok := c["header"]; ok {
		p.header = p.header.Foreground(col)
		p.headerKey = p.headerKey.Foreground(col)
	}
	if col, ok := c["status"]; ok {
		p.status = p.status.Foreground(col)
	}
	return p
}
