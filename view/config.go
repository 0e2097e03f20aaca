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
	unsyncedAttr              tcell.AttrMask // with or instead of the colour (accessible, mono)
	header, headerKey, status tcell.Style
	mono                      bool // NO_COLOR: marks in reverse video, no background colours
}

// themeClasses: the byte classes' styles of a theme (keymap.Themes: dark,
// light for a light background, accessible: classes told apart by
// attributes as well as colour, no red/green pair), in hexfmt's class
// order (null, printable, whitespace, control, high). Zero bytes are dim
// in every theme (the Dim attribute as well as grey: a terminal without
// grey still dims them), so the data stands out, as in hexyl.
func themeClasses(theme string, mono bool) (s [hexfmt.NumClasses]tcell.Style) {
	pc := func(i int) tcell.Style { return tcell.StyleDefault.Foreground(tcell.PaletteColor(i)) }
	null := pc(8).Dim(true)
	switch {
	case mono: // attributes only: NO_COLOR
		return [hexfmt.NumClasses]tcell.Style{tcell.StyleDefault.Dim(true), tcell.StyleDefault, tcell.StyleDefault.Underline(true), tcell.StyleDefault.Bold(true), tcell.StyleDefault.Italic(true)}
	case theme == "light": // dark colours that read on white
		return [hexfmt.NumClasses]tcell.Style{null, pc(4), pc(2), pc(5), pc(1)}
	case theme == "accessible": // blue and yellow, plus an attribute each
		return [hexfmt.NumClasses]tcell.Style{null, tcell.StyleDefault, pc(4).Underline(true), pc(5).Bold(true), pc(3).Italic(true)}
	}
	for c := range s {
		s[c] = tcell.StyleDefault.Foreground(tcell.PaletteColor(int(hexfmt.Class(c).ANSI())))
	}
	s[hexfmt.Null] = null
	return s
}

// newPalette is the default styles with c applied: the configuration's
// [colours] table (keymap.Config.Colours, keyed by keymap.ColourNames).
//
// theme is one of Themes ("" is dark); mono (NO_COLOR) draws with
// attributes only, the configuration's [colours] still applying on top
// (a colour the user asked for).
func newPalette(c map[string]tcell.Color, theme string, mono bool) palette {
	p := palette{
		class:        themeClasses(theme, mono),
		offset:       styleOffset,
		offsetCur:    styleOffsetCur,
		unsynced:     colourUnsynced,
		unsyncedAttr: tcell.AttrBold,
		header:       styleHeader,
		headerKey:    styleHeaderKey,
		status:       styleStatus,
		mono:         mono,
	}
	switch {
	case mono:
		p.unsynced, p.unsyncedAttr = tcell.ColorDefault, tcell.AttrBold|tcell.AttrUnderline
	case theme == "accessible":
		p.unsyncedAttr = tcell.AttrBold | tcell.AttrUnderline // not by colour alone
		p.unsynced = tcell.PaletteColor(12)
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
