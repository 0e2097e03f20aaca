package view

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// Only the last byte is 100%: a byte short of it never rounds up to
// "100.0%", and small shares never round down to "0.0%".
func TestFormatPercentEnds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p    float64
		want string
	}{
		{0, "0.0%"},
		{0.00001, "<0.0001%"},
		{0.005, "0.0050%"},
		{12.5, "12.5%"},
		{99.9, "99.9%"},
		{99.94, "99.9%"},
		{99.95, "99.95%"},
		{99.989, "99.98%"},
		{99.995, "99.9950%"},
		{99.99999, ">99.9999%"},
		{100 * float64(1<<40-2) / float64(1<<40-1), ">99.9999%"},
		{100, "100.0%"},
	} {
		if got := formatPercent(c.p); got != c.want {
			t.Errorf("formatPercent(%v) = %q, want %q", c.p, got, c.want)
		}
	}
}

// In the status line: the byte before the last of a 1 TiB file is not at
// 100.0%, the last one is.
func TestStatusPercentNearEnd(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "big.bin", nil)
	if err := os.Truncate(p, 1<<40); err != nil {
		testenv.SkipOrFail(t, "no 1 TiB sparse file here: %v", err)
	}
	h := newHarness(t, p, 100, 10, mapping.Options{}, Options{})
	status := func() string {
		lines := strings.Split(h.draw(), "\n")
		return lines[8]
	}
	h.press("Ctrl-End")
	if s := status(); !strings.HasPrefix(s, " 0xffffffffff (1099511627775) 100.0%  byte") {
		t.Errorf("last byte: %q", s)
	}
	h.press("Left")
	if s := status(); !strings.HasPrefix(s, " 0xfffffffffe (1099511627774) >99.9999%  byte") {
		t.Errorf("the byte before the last: %q", s)
	}
}

// On an 80-column terminal the status line still ends with the last
// sync's flag, pages and duration: it drops the synced bytes, the label
// and the word "byte" instead of cutting the end off ("last sync: MS_SYNC").
func TestStatusLineFitsEightyColumns(t *testing.T) {
	h := openKnown(t, 80, 24, Options{})
	status := func() string {
		lines := strings.Split(h.draw(), "\n")
		return lines[len(lines)-3]
	}
	h.typeText("41")
	h.press("Ctrl-S")
	h.typeText("42")
	got := status()
	re := regexp.MustCompile(`^ 0x2 \(2\) 0\.02%  0x02 2  HEX │ 1 edit unsynced, 1 page │ MS_SYNC 1 page [0-9.]+ (µs|ms|s)$`)
	if !re.MatchString(got) {
		t.Errorf("status at 80 columns:\n got %q\nwant %s", got, re)
	}
	// wide enough: the whole text, as before
	h.sim.SetSize(120, 24)
	re = regexp.MustCompile(`^ 0x2 \(2\) 0\.02%  byte 0x02 2  HEX │ 1 edit unsynced, 1 page │ last sync: MS_SYNC 1 page 4096 B [0-9.]+ (µs|ms|s)$`)
	if got := status(); !re.MatchString(got) {
		t.Errorf("status at 120 columns:\n got %q\nwant %s", got, re)
	}
}

// On an 80×24 terminal the inspector shows every value, the Unix times at
// its end included (the 16- and 32-bit pairs share a line), and on a
// shorter one it says how many values it left out.
func TestInspectorFitsEightyByTwentyFour(t *testing.T) {
	h := openKnown(t, 80, 24, Options{})
	h.press("Ctrl-G")
	h.typeText("0x100")
	h.press("Enter", "Alt-i")
	screen := h.draw()
	for _, want := range []string{
		"│ u16 le be 25928  18533", // "He" at 0x100
		"│ i32 le be 1819043144  1214606444",
		"│ time32 le ", "│ time32 be ", "│ time64 le ", "│ time64 be ",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("no %q in the inspector at 80×24:\n%s", want, screen)
		}
	}
	h.sim.SetSize(80, 16)
	screen = h.draw()
	if !strings.Contains(screen, "│ f32 le    1.1431391e+27\n") || !strings.Contains(screen, "Hello, m│ … 9 more (taller terminal)\n") {
		t.Errorf("a cut inspector should say so:\n%s", screen)
	}
}

// Ctrl-L back from fitting the terminal says the row width shown, not only
// the configured one, when that does not fit.
func TestFitWidthMessageNarrow(t *testing.T) {
	h := openKnown(t, 60, 20, Options{})
	h.press("Ctrl-L")
	h.draw()
	h.press("Ctrl-L")
	if got := h.messageLine(); !strings.HasPrefix(got, " row width 16 bytes (8 fit the terminal)") || h.e.BytesPerRow() != 8 {
		t.Errorf("message %q, row width %d", got, h.e.BytesPerRow())
	}
	h.sim.SetSize(100, 20)
	h.draw()
	h.press("Ctrl-L", "Ctrl-L")
	if got := strings.TrimRight(h.messageLine(), " "); got != " row width 16 bytes" {
		t.Errorf("wide: message %q", got)
	}
}

// The header gives a size under 1 KiB once ("5 B"), a larger one in both
// units ("1.00 KiB (1024 B)"): exact cells and styles of the header row.
func TestHeaderSize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		size int
		want string
	}{
		{5, " mmhex  h.bin  5 B  rw  PROT_READ|PROT_WRITE MAP_SHARED"},
		{1023, " mmhex  h.bin  1023 B  rw  PROT_READ|PROT_WRITE MAP_SHARED"},
		{1024, " mmhex  h.bin  1.00 KiB (1024 B)  rw  PROT_READ|PROT_WRITE MAP_SHARED"},
	} {
		p := writeFile(t, "h.bin", make([]byte, c.size))
		h := newHarness(t, p, 100, 20, mapping.Options{}, Options{Name: "h.bin"})
		h.draw()
		for x := 0; x < 100; x++ {
			want, st := ' ', styleHeader
			if x < len(c.want) {
				want = rune(c.want[x])
			}
			if x >= 1 && x < len(" mmhex  h.bin") && x != 6 && x != 7 {
				st = styleHeaderKey
			}
			if r, got := h.cell(x, 0); r != want || got != st {
				t.Fatalf("size %d: header cell %d is %q %v, want %q %v\n%s", c.size, x, r, got, want, st, h.draw())
			}
		}
	}
}

// TestPanelMouse: a panel with Mouse gets the events inside its rectangle,
// relative to its top-left cell; a click beside it still reaches the grid.
func TestPanelMouse(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	var got [][2]int
	h.e.AddPanel(&Panel{Name: "m", Side: Right, Size: 4, Draw: func(s tcell.Screen, x, y, w, ht int) {},
		Mouse: func(action tview.MouseAction, x, y int) bool {
			got = append(got, [2]int{x, y})
			return true
		}})
	h.e.ShowPanel("m", true)
	h.draw()
	click := func(x, y int) {
		h.e.root.MouseHandler()(tview.MouseLeftDown, tcell.NewEventMouse(x, y, tcell.Button1, tcell.ModNone), func(tview.Primitive) {})
	}
	click(97, 3) // the panel is the last 4 columns, from the row under the header
	if len(got) != 1 || got[0] != [2]int{1, 2} {
		t.Fatalf("panel click: %v, want [[1 2]]", got)
	}
	x, y, _ := h.find("00000030  ")
	click(x+10+hexPos(5)+1, y)
	if len(got) != 1 || h.e.Cursor() != 0x35 {
		t.Fatalf("grid click: panel saw %v, cursor %#x", got, h.e.Cursor())
	}
	h.e.ShowPanel("m", false)
	h.draw()
	click(97, 3)
	if len(got) != 1 {
		t.Fatalf("hidden panel got a click: %v", got)
	}
}
