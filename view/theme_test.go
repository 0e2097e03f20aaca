package view

import (
	"testing"

	"github.com/gdamore/tcell/v2"
)

// styleAt is the style of the first cell showing s.
func styleAt(t *testing.T, h *harness, s string) tcell.Style {
	t.Helper()
	x, y, ok := h.find(s)
	if !ok {
		t.Fatalf("%q not on the screen:\n%s", s, h.draw())
	}
	_, st := h.cell(x, y)
	return st
}

// TestThemes: zero bytes are dim in every theme; the offsets are in the
// terminal's own colour (readable on dark and light backgrounds), the
// cursor's row bold; the accessible theme tells the classes apart by an
// attribute each and uses no red or green; light uses no yellow or cyan
// (unreadable on white).
func TestThemes(t *testing.T) {
	red, green := map[tcell.Color]bool{tcell.PaletteColor(1): true, tcell.PaletteColor(9): true}, map[tcell.Color]bool{tcell.PaletteColor(2): true, tcell.PaletteColor(10): true}
	for _, theme := range []string{"", "dark", "light", "accessible"} {
		h := openKnown(t, 100, 24, Options{Theme: theme})
		h.draw()
		// known.bin starts 00 01 02 ...: the 00 under the cursor is
		// reversed; the 00 of the second row is not under the cursor
		x, y, ok := h.find("00000010  ")
		if !ok {
			t.Fatalf("%s: second row not found", theme)
		}
		offFg, offBg, offAttr := func() (tcell.Color, tcell.Color, tcell.AttrMask) { _, st := h.cell(x, y); return st.Decompose() }()
		if offFg != tcell.ColorDefault || offBg != tcell.ColorDefault || offAttr != 0 {
			t.Errorf("%s: offset column %v on %v attrs %v, want the terminal's colours", theme, offFg, offBg, offAttr)
		}
		if _, _, a := styleAt(t, h, "00000000  ").Decompose(); a&tcell.AttrBold == 0 {
			t.Errorf("%s: the cursor row's offset is not bold", theme)
		}
		for cls, st := range h.e.pal.class {
			fg, _, attrs := st.Decompose()
			if cls == 0 && attrs&tcell.AttrDim == 0 {
				t.Errorf("%s: zero bytes not dim: %v", theme, attrs)
			}
			if theme == "accessible" && (red[fg] || green[fg]) {
				t.Errorf("accessible: class %d in red or green (%v)", cls, fg)
			}
			if theme == "accessible" && cls > 1 && attrs == 0 {
				t.Errorf("accessible: class %d told apart by colour alone", cls)
			}
			if theme == "light" && (fg == tcell.PaletteColor(3) || fg == tcell.PaletteColor(6) || fg == tcell.PaletteColor(11) || fg == tcell.PaletteColor(14)) {
				t.Errorf("light: class %d in yellow or cyan", cls)
			}
		}
	}
}

// TestNoColor: with NoColor (NO_COLOR set) no cell of the screen has a
// colour, whoever drew it (grid, bars, inspector, a selection, the page
// panel in view/lab has its own test); the zero bytes are still dim and a selected byte is reversed.
func TestNoColor(t *testing.T) {
	h := openKnown(t, 160, 40, Options{NoColor: true, Inspector: true})
	h.press("Right", "Ctrl-Space", "Right", "Right")
	h.draw()
	cells, w, _ := h.sim.GetContents()
	for i, c := range cells {
		if fg, bg, _ := c.Style.Decompose(); fg != tcell.ColorDefault || bg != tcell.ColorDefault {
			t.Fatalf("cell (%d, %d) %q has colours %v on %v\n%s", i%w, i/w, string(c.Runes), fg, bg, h.draw())
		}
	}
	if _, _, a := styleAt(t, h, "00000010  ").Decompose(); a != tcell.AttrNone {
		t.Errorf("offset attrs %v", a)
	}
	x, y, _ := h.find("00000000  ")
	if _, st := h.cell(x+10, y); st != tcell.StyleDefault.Dim(true) {
		t.Errorf("a zero byte under NO_COLOR: %v, want dim", st)
	}
	if _, st := h.cell(x+13, y); st.Reverse(false) == st { // 01, selected
		t.Errorf("the selected byte is not reversed: %v", st)
	}
}

// TestInspectorIfFits: the inspector is shown at start on a wide terminal
// (160 columns) when the rows and it fit side by side; not on 120 columns,
// nor beside 32-byte rows on 160.
func TestInspectorIfFits(t *testing.T) {
	for _, c := range []struct {
		w, bpr int
		want   bool
	}{{160, 16, true}, {200, 16, true}, {159, 16, false}, {120, 16, false}, {160, 32, false}, {200, 32, true}} {
		h := openKnown(t, c.w, 24, Options{BytesPerRow: c.bpr})
		if got := h.e.inspectorFits(c.w); got != c.want {
			t.Errorf("%d columns, %d bytes a row: fits %v, want %v", c.w, c.bpr, got, c.want)
		}
	}
}
