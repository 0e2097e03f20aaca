package holes

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"mmhex/mapping/testenv"
)

// middleHole makes a 1 GiB file: 4 KiB of data, a hole, 4 KiB of data at
// 0x3ffff000 (the example).
func middleHole(t *testing.T) string {
	t.Helper()
	p := testenv.WriteFile(t, "middle.bin", nil)
	g, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.Truncate(0x40000000); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 0x3ffff000} {
		if _, err := g.WriteAt(testenv.Pattern(4096, uint64(off>>12)+1), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Sync(); err != nil {
		t.Fatal(err)
	}
	return p
}

// lines is the screen's grid lines (below the column header, above the
// status line), trailing blanks cut.
func (h *harness) lines() []string {
	scr := strings.Split(h.screen(), "\n")
	var out []string
	for _, l := range scr[2 : len(scr)-3] {
		out = append(out, strings.TrimRight(l, " "))
	}
	return out
}

// offsets is the first field of each grid line, the whole line for a hole.
func (h *harness) offsets() []string {
	var out []string
	for _, l := range h.lines() {
		if strings.HasPrefix(l, " hole ") {
			out = append(out, strings.TrimSpace(l))
		} else if f := strings.Fields(l); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

// digits is the offset column's width: 8, 10 for the 1 TiB file.
var digits = 8

func rowsFrom(from, n, step int64) []string {
	var out []string
	for i := int64(0); i < n; i++ {
		out = append(out, fmt.Sprintf("%0*x", digits, from+i*step))
	}
	return out
}

func (h *harness) wantOffsets(what string, want ...[]string) {
	h.T.Helper()
	w := slices.Concat(want...)
	if got := h.offsets(); !slices.Equal(got, w) {
		h.T.Fatalf("%s: lines\n%q\nwant\n%q\n%s", what, got, w, h.screen())
	}
}

func hole(s string) []string { return []string{s} }

// TestSqueezeMiddleHole: a 1 GiB file, 4 KiB of data at each end: near the
// hole the screen shows the rows before it, ONE line "hole 0x1000–0x3ffff000
// (1023.99 MiB)" (the end exclusive) in the hole colours across the row's
// width, then the rows after it; the data rows are those of xxd's layout.
func TestSqueezeMiddleHole(t *testing.T) {
	h := newHarness(t, middleHole(t), "default")
	h.screen()
	h.Press("Ctrl-G", "0", "x", "f", "f", "0", "Enter")
	h.wantOffsets("goto 0xff0", rowsFrom(0xf70, 9, 16), hole("hole 0x1000–0x3ffff000 (1023.99 MiB)"), rowsFrom(0x3ffff000, 6, 16))
	lines := h.lines()
	if lines[8] != " 00000ff0  e4 75 7b 57 08 d1 a6 76  05 64 0a 4e 9a 4d 72 49   .u{W...v.d.N.MrI" {
		t.Fatalf("the row before the hole: %q", lines[8])
	}
	if lines[9] != " hole 0x1000–0x3ffff000 (1023.99 MiB)" {
		t.Fatalf("the hole line: %q", lines[9])
	}
	// the hole line's cells, its blanks to the text column's end, in the
	// hole's colours (grey on dark), the cell after the row not
	for _, x := range []int{0, 1, 40, 77} {
		if _, bg, _ := h.cellStyle("hole 0x1000", x).Decompose(); bg != tcell.PaletteColor(236) {
			t.Fatalf("hole line cell %d: background %v", x, bg)
		}
	}
	if _, bg, _ := h.cellStyle("hole 0x1000", 78).Decompose(); bg == tcell.PaletteColor(236) {
		t.Fatal("the hole line's colour runs past the row")
	}
	if s, e := h.E.VisibleRange(); s != 0xf70 || e != 0x3ffff060 {
		t.Fatalf("VisibleRange %#x–%#x", s, e)
	}
}

// TestSqueezeToggle: the squeeze-holes key (Alt-*; vim z h) shows the hole
// row by row and squeezes it again, with a message each time.
func TestSqueezeToggle(t *testing.T) {
	for _, c := range []struct{ preset, goto0, toggle string }{
		{"default", "Ctrl-G", "Alt-*"},
		{"vim", ":", "z h"},
	} {
		t.Run(c.preset, func(t *testing.T) {
			h := newHarness(t, middleHole(t), c.preset)
			h.screen()
			if c.preset == "vim" {
				h.Press("Ctrl-G", "0", "x", "f", "f", "0", "Enter")
			} else {
				h.Press("Ctrl-G", "0", "x", "f", "f", "0", "Enter")
			}
			squeezed := slices.Concat(rowsFrom(0xf70, 9, 16), hole("hole 0x1000–0x3ffff000 (1023.99 MiB)"), rowsFrom(0x3ffff000, 6, 16))
			h.wantOffsets("squeezed (the default)", squeezed)
			h.Press(strings.Fields(c.toggle)...)
			h.wantOffsets("toggled off", rowsFrom(0xf70, 16, 16))
			if !strings.Contains(h.screen(), "holes shown row by row") {
				t.Fatalf("no message:\n%s", h.screen())
			}
			h.Press(strings.Fields(c.toggle)...)
			h.wantOffsets("toggled on again", squeezed)
			if !strings.Contains(h.screen(), "holes squeezed: a run of hole rows is one line") {
				t.Fatalf("no message:\n%s", h.screen())
			}
		})
	}
}

// TestSqueezeCursor: Down from the row above the hole line lands on the
// first row after it (the line is no stop, as hexdump's "*"), Up comes
// back; a count steps over it as one line.
func TestSqueezeCursor(t *testing.T) {
	for _, c := range []struct{ preset, down, up, down3 string }{
		{"default", "Down", "Up", ""},
		{"vim", "j", "k", "3 j"},
	} {
		t.Run(c.preset, func(t *testing.T) {
			h := newHarness(t, middleHole(t), c.preset)
			h.screen()
			h.Press("Ctrl-G", "0", "x", "f", "f", "5", "Enter")
			h.Press(c.down)
			if h.E.Cursor() != 0x3ffff005 {
				t.Fatalf("%s from 0xff5: cursor %#x\n%s", c.down, h.E.Cursor(), h.screen())
			}
			h.wantOffsets("after down", rowsFrom(0xf70, 9, 16), hole("hole 0x1000–0x3ffff000 (1023.99 MiB)"), rowsFrom(0x3ffff000, 6, 16))
			h.Press(c.up)
			if h.E.Cursor() != 0xff5 {
				t.Fatalf("%s back: cursor %#x", c.up, h.E.Cursor())
			}
			if c.down3 != "" {
				h.Press(strings.Fields(c.down3)...) // ff0 -> 3ffff000 -> 010 -> 020
				if h.E.Cursor() != 0x3ffff025 {
					t.Fatalf("%s: cursor %#x", c.down3, h.E.Cursor())
				}
			}
		})
	}
}

// TestSqueezeGotoIntoHole: goto into the hole shows the cursor's row as a
// real row (squeezing never hides the cursor), the hole's rows before and
// after it squeezed, each line with its own range and size.
func TestSqueezeGotoIntoHole(t *testing.T) {
	h := newHarness(t, middleHole(t), "default")
	h.screen()
	h.Press("Ctrl-G", "0", "x", "2", "0", "0", "0", "0", "0", "0", "8", "Enter")
	if h.E.Cursor() != 0x20000008 {
		t.Fatalf("cursor %#x", h.E.Cursor())
	}
	// goto centres the cursor's row: 8 lines above it
	h.wantOffsets("goto 0x20000008", rowsFrom(0xf90, 7, 16),
		hole("hole 0x1000–0x20000000 (512.00 MiB)"), rowsFrom(0x20000000, 1, 16),
		hole("hole 0x20000010–0x3ffff000 (512.00 MiB)"), rowsFrom(0x3ffff000, 6, 16))
	if l := h.lines()[8]; l != " 20000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00   ................" {
		t.Fatalf("the cursor's row: %q", l)
	}
}

// TestSqueezeTiB: a 1 TiB sparse file with three data extents of 4 KiB
// (16 rows of 256 bytes each): all three data regions and the two holes
// between them are on one screen, from the first line.
func TestSqueezeTiB(t *testing.T) {
	path := sparseTiB(t)
	h := newHarnessOpts(t, path, "default", 1200, 56, 256)
	digits = 10
	defer func() { digits = 8 }()
	h.wantOffsets("1 TiB", rowsFrom(0, 16, 256), hole("hole 0x1000–0x8000000000 (512.00 GiB)"),
		rowsFrom(tib/2, 16, 256), hole("hole 0x8000001000–0xfffffff000 (512.00 GiB)"), rowsFrom(tib-4096, 16, 256))
}
