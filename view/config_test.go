package view

import (
	"testing"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
)

// The [colours] of the configuration reach the screen cells.
func TestConfigColours(t *testing.T) {
	t.Parallel()
	m, probs := keymap.Parse("c.toml", []byte("[colours]\nnull = \"#102030\"\nprintable = \"olive\"\noffset = \"red\"\nedited = \"lime\"\nstatus = \"navy\"\n"), "")
	if len(probs) > 0 {
		t.Fatal(keymap.ProblemsText(probs))
	}
	h := newHarness(t, writeFile(t, "known.bin", knownData()), 100, 24, mapping.Options{}, Options{Colours: m.Config().Colours})
	h.typeText("ab") // byte 0 edited
	h.draw()
	x, y, ok := h.find("00000000  ab 01")
	if !ok {
		t.Fatalf("first row not found:\n%s", h.draw())
	}
	fg := func(x, y int) tcell.Color {
		_, st := h.cell(x, y)
		f, _, _ := st.Decompose()
		return f
	}
	if got := fg(x, y); got != tcell.ColorRed {
		t.Errorf("offset colour %v, want red", got)
	}
	if got := fg(x+10, y); got != tcell.ColorLime {
		t.Errorf("edited byte colour %v, want lime", got)
	}
	// 0x41 'A' is printable, at row 0x40
	x, y, _ = h.find("00000040  40 41")
	if got := fg(x+13, y); got != tcell.ColorOlive {
		t.Errorf("printable byte colour %v, want olive", got)
	}
	// a NUL byte: offset 0x1000 starts a run of zeros
	h.press("Ctrl-G")
	h.typeText("0x1000")
	h.press("Enter")
	x, y, ok = h.find("00001000  00 00")
	if !ok {
		t.Fatalf("zeros not shown:\n%s", h.draw())
	}
	if got := fg(x+10, y); got != tcell.NewHexColor(0x102030) {
		t.Errorf("null byte colour %v, want #102030", got)
	}
	_, sy, _ := h.find("0x1000 (4096)")
	if got := fg(0, sy); got != tcell.ColorNavy {
		t.Errorf("status bar colour %v, want navy", got)
	}
}

// The colours are the editor's own: an editor with the default colours
// beside one with [colours] draws with the defaults.
func TestConfigColoursPerEditor(t *testing.T) {
	t.Parallel()
	m, probs := keymap.Parse("c.toml", []byte("[colours]\noffset = \"red\"\nedited = \"lime\"\n"), "")
	if len(probs) > 0 {
		t.Fatal(keymap.ProblemsText(probs))
	}
	p := writeFile(t, "known.bin", knownData())
	newHarness(t, p, 100, 24, mapping.Options{}, Options{Colours: m.Config().Colours})
	h := newHarness(t, p, 100, 24, mapping.Options{}, Options{})
	x, y, ok := h.find("00000000  00 01")
	if !ok {
		t.Fatalf("first row not found:\n%s", h.draw())
	}
	_, st := h.cell(x, y)
	if fg, _, _ := st.Decompose(); fg != tcell.PaletteColor(12) {
		t.Errorf("offset colour of the editor without [colours]: %v, want palette 12", fg)
	}
}
