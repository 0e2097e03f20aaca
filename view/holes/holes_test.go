package holes

import (
	"os"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
	"mmhex/view/viewtest"
)

const tib = int64(1) << 40

// sparseTiB makes a 1 TiB sparse file with three data extents of 4 KiB:
// at 0, at 512 GiB and at the last 4 KiB, each written and synced.
func sparseTiB(t *testing.T) string {
	t.Helper()
	p := testenv.WriteFile(t, "sparse.bin", nil)
	g, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.Truncate(tib); err != nil {
		testenv.SkipOrFail(t, "a 1 TiB sparse file: %v", err)
	}
	for _, off := range []int64{0, tib / 2, tib - 4096} {
		if _, err := g.WriteAt(testenv.Pattern(4096, uint64(off>>12)+1), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Sync(); err != nil {
		t.Fatal(err)
	}
	return p
}

// harness is viewtest's editor on a simulation screen with the core and
// the holes feature, over a file opened read-only.
type harness struct {
	*viewtest.Harness
}

func newHarness(t *testing.T, path, preset string) *harness {
	return newHarnessOpts(t, path, preset, 100, 20, 0)
}

func newHarnessOpts(t *testing.T, path, preset string, w, ht, bpr int) *harness {
	t.Helper()
	m, err := keymap.PresetMap(preset)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{viewtest.New(t, path, w, ht, mapping.Options{ReadOnly: true},
		view.Options{BytesPerRow: bpr, Keys: keymap.NewDispatcher(m), Features: []view.Feature{view.Core(), Holes()}})}
}

// screen draws a frame and returns the screen as a full grid.
func (h *harness) screen() string { return h.Grid() }

// cellStyle is the style of the first cell on the screen's row that
// starts with prefix, at column x.
func (h *harness) cellStyle(prefix string, x int) tcell.Style {
	h.App.ForceDraw()
	cells, w, ht := h.Screen.GetContents()
	for y := range ht {
		var line strings.Builder
		for i := range len(prefix) + 1 {
			if r := cells[y*w+i].Runes; len(r) > 0 {
				line.WriteRune(r[0])
			}
		}
		if strings.HasPrefix(line.String(), " "+prefix) || strings.HasPrefix(line.String(), prefix) {
			return cells[y*w+x].Style
		}
	}
	h.T.Fatalf("no row starts with %q:\n%s", prefix, h.screen())
	return tcell.StyleDefault
}

// TestTiBSparseFewKeys: a 1 TiB sparse file with three data extents: from
// the first data row, two next-data keys show the last data row (Alt-.;
// vim ] d), next-hole goes to the first hole, prev-data back; the hole's
// bytes are drawn grey on dark, the data's not.
func TestTiBSparseFewKeys(t *testing.T) {
	path := sparseTiB(t)
	for _, c := range []struct{ preset, nextData, prevData, nextHole, prevHole string }{
		{"default", "Alt-.", "Alt-,", "Alt-/", "Alt-?"},
		{"vim", "] d", "[ d", "] h", "[ h"},
	} {
		t.Run(c.preset, func(t *testing.T) {
			h := newHarness(t, path, c.preset)
			seq := func(s string) []string { return strings.Fields(s) }
			h.Press(seq(c.nextData)...)
			if h.E.Cursor() != tib/2 {
				t.Fatalf("first %s: cursor %#x, want %#x", c.nextData, h.E.Cursor(), tib/2)
			}
			h.Press(seq(c.nextData)...)
			if h.E.Cursor() != tib-4096 {
				t.Fatalf("second %s: cursor %#x, want %#x", c.nextData, h.E.Cursor(), tib-4096)
			}
			scr := h.screen()
			if !strings.Contains(scr, "fffffff000 ") || !strings.Contains(scr, "data at 0xfffffff000") {
				t.Fatalf("the last data row is not shown:\n%s", scr)
			}
			h.Press(seq(c.nextData)...)
			if h.E.Cursor() != tib-4096 || !strings.Contains(h.screen(), "no data after 0xfffffff000") {
				t.Fatalf("past the last data: cursor %#x\n%s", h.E.Cursor(), h.screen())
			}
			h.Press(seq(c.prevHole)...)
			if h.E.Cursor() != tib/2+4096 {
				t.Fatalf("%s: cursor %#x, want %#x", c.prevHole, h.E.Cursor(), tib/2+4096)
			}
			h.Press(seq(c.prevData)...)
			if h.E.Cursor() != tib/2 {
				t.Fatalf("%s: cursor %#x, want %#x", c.prevData, h.E.Cursor(), tib/2)
			}
			h.Press(seq(c.prevData)...)
			h.Press(seq(c.nextHole)...)
			if h.E.Cursor() != 4096 {
				t.Fatalf("%s from 0: cursor %#x, want 0x1000", c.nextHole, h.E.Cursor())
			}
			// at 0x1000 the grid shows the hole: grey on dark, unlike data
			hole := h.cellStyle("0000001000", 13)
			_, bg, _ := hole.Decompose()
			if bg != tcell.PaletteColor(236) {
				t.Fatalf("a hole byte's background is %v, want colour 236", bg)
			}
			h.Press(seq(c.prevData)...) // back to 0: data
			data := h.cellStyle("0000000000", 13)
			if _, bg, _ := data.Decompose(); bg == tcell.PaletteColor(236) {
				t.Fatal("a data byte is drawn as a hole")
			}
		})
	}
}
