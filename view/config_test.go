package view

import (
	"strings"
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
	if fg, _, _ := st.Decompose(); fg != tcell.ColorDefault {
		t.Errorf("offset colour of the editor without [colours]: %v, want the terminal's (default)", fg)
	}
}

// TestConfigWindow: the configuration's window is read by the one rule for
// sizes (mapping.ParseWindow through keymap's Map.Window): a leading zero
// is decimal, suffixes are binary, and a size it refuses is a problem on
// its line with the reason.
func TestConfigWindow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text, prob string
		want       int64
	}{
		{`window = "64M"`, "", 64 << 20},
		{`window = "64MiB"`, "", 64 << 20},
		{`window = "1kB"`, "", 1024},
		{`window = 4096`, "", 4096},
		{`window = "0x1000"`, "", 4096},
		{`window = "010"`, "", 10}, // decimal, not octal 8
		{`window = "010k"`, "", 10 << 10},
		{`window = "99999999999T"`, `c.toml:1: window: "99999999999T": too large (a size such as 64M or 1G)`, 0},
		{`window = "-1"`, `c.toml:1: window: "-1": not a size (a size such as 64M or 1G)`, 0},
		{`window = "lots"`, `c.toml:1: window: "lots": not a size (a size such as 64M or 1G)`, 0},
		{`window = "0"`, `c.toml:1: window: "0": must be positive (a size such as 64M or 1G)`, 0},
		{`window = -1`, `c.toml:1: window: -1: must be positive (a size such as 64M or 1G)`, 0},
		{`keys = "vim"`, "", 0},
	} {
		m, probs := keymap.Parse("c.toml", []byte(c.text), "")
		n, probs := m.Window(probs, mapping.ParseWindow)
		if got := strings.TrimSuffix(problemsText(probs), "\n"); n != c.want || got != c.prob {
			t.Errorf("%s: window %d, problems %q; want %d, %q", c.text, n, got, c.want, c.prob)
		}
	}
}

// TestConfigProblemsSanitised: keymap's problems are raw (the file name,
// keys and values as written); the start-up message shows each on one line
// with every control as '.', and the box on the screen has no control.
func TestConfigProblemsSanitised(t *testing.T) {
	m, probs := keymap.Parse("c\x1b]0;x\x07\n.toml", []byte("window = \"z\\u001b\"\n[bindings]\n\"\\u001b[2J\" = \"top\"\n\"g\" = \"\\u001b]0;x\\u0007\"\n"), "")
	_, probs = m.Window(probs, mapping.ParseWindow)
	got := problemsText(probs)
	want := `c.]0;x...toml:1: window: "z.": not a size (a size such as 64M or 1G)
c.]0;x...toml:3: bad key ".[2J": not a key name
c.]0;x...toml:4: unknown action ".]0;x."
`
	if got != want {
		t.Errorf("problemsText:\n%s\nwant:\n%s", got, want)
	}
	h := openKnown(t, 120, 24, Options{StartupMessage: got})
	s := h.draw()
	if !strings.Contains(s, `c.]0;x...toml:4: unknown action ".]0;x."`) {
		t.Errorf("start-up box:\n%s", s)
	}
	noControls(t, h)
}
