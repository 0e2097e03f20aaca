package view

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
	"mmhex/mapping/extents"
	"mmhex/mapping/testenv"
)

// TestSqueezeMouseAndPages: with the holes squeezed (SetSqueeze from
// lseek SEEK_DATA/SEEK_HOLE, as view/holes does), a click on the hole line
// puts the cursor on the hole's start (shown then as a real row, the rest
// of the hole squeezed after it); PgDn and PgUp count the hole line as one
// row; VisibleRange spans the squeezed hole.
func TestSqueezeMouseAndPages(t *testing.T) {
	p := testenv.WriteFile(t, "sq.bin", nil)
	g, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 0x3ffff000} {
		if _, err := g.WriteAt(testenv.Pattern(4096, 1), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Truncate(0x40000000); err != nil {
		t.Fatal(err)
	}
	g.Close()
	h := newHarness(t, p, 100, 20, mapping.Options{ReadOnly: true}, Options{})
	h.e.SetSqueeze(func(off int64) (int64, int64, bool) {
		s, e, ok, err := extents.HoleAt(h.e.f, off)
		return s, e, ok && err == nil
	})
	h.draw()
	h.press("Ctrl-G")
	h.typeText("0xff0")
	h.press("Enter")
	rows := func() []string {
		scr := h.draw()
		var out []string
		for _, l := range strings.Split(scr, "\n")[2:18] {
			out = append(out, strings.TrimRight(l, " ")[:min(len(strings.TrimRight(l, " ")), 9)])
		}
		return out
	}
	want := []string{" 00000f70", " 00000f80", " 00000f90", " 00000fa0", " 00000fb0", " 00000fc0", " 00000fd0",
		" 00000fe0", " 00000ff0", " hole 0x1", " 3ffff000", " 3ffff010", " 3ffff020", " 3ffff030", " 3ffff040", " 3ffff050"}
	if got := rows(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("rows %q\nwant %q", got, want)
	}
	if s, e := h.e.VisibleRange(); s != 0xf70 || e != 0x3ffff060 {
		t.Fatalf("VisibleRange %#x-%#x", s, e)
	}
	// PgDn: 16 lines on, the hole line one of them; the cursor keeps its
	// line (the 9th: 0xff0 -> 0x3ffff060+0x60)
	h.press("PgDn")
	if s, _ := h.e.VisibleRange(); s != 0x3ffff060 || h.e.Cursor() != 0x3ffff0e0 {
		t.Fatalf("PgDn: top %#x cursor %#x\n%s", s, h.e.Cursor(), h.draw())
	}
	h.press("PgUp")
	if s, _ := h.e.VisibleRange(); s != 0xf70 || h.e.Cursor() != 0xff0 {
		t.Fatalf("PgUp: top %#x cursor %#x\n%s", s, h.e.Cursor(), h.draw())
	}
	// a click on the hole line (screen row 11: header, column header, 9 rows)
	h.e.root.MouseHandler()(tview.MouseLeftClick, tcell.NewEventMouse(20, 11, tcell.Button1, tcell.ModNone), func(tview.Primitive) {})
	h.e.syncSize()
	if h.e.Cursor() != 0x1000 {
		t.Fatalf("click on the hole line: cursor %#x\n%s", h.e.Cursor(), h.draw())
	}
	want = []string{" 00000f70", " 00000f80", " 00000f90", " 00000fa0", " 00000fb0", " 00000fc0", " 00000fd0",
		" 00000fe0", " 00000ff0", " 00001000", " hole 0x1", " 3ffff000", " 3ffff010", " 3ffff020", " 3ffff030", " 3ffff040"}
	if got := rows(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after the click: rows %q\nwant %q", got, want)
	}
	if _, y, ok := h.find("hole 0x1010–0x3ffff000 (1023.99 MiB)"); !ok || y != 12 {
		t.Fatalf("the hole after the cursor's row:\n%s", h.draw())
	}
}

// TestTmuxSqueezeHoles: the real binary in a real terminal shows a 1 GiB
// file's middle hole as one line, Down steps over it, Alt-* shows the
// hole's rows and squeezes them again.
func TestTmuxSqueezeHoles(t *testing.T) {
	bin := mmhexBinary(t)
	p := filepath.Join(t.TempDir(), "holes.bin")
	g, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 0x3ffff000} {
		if _, err := g.WriteAt(testenv.Pattern(4096, 1), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Truncate(0x40000000); err != nil {
		t.Fatal(err)
	}
	g.Close()
	s := newTerm(t, 100, 30)
	s.text(fmt.Sprintf("%s %s; echo EXIT=$?", bin, p))
	s.keys("Enter")
	s.waitFor(" 00000000  ")
	s.keys("C-g")
	s.text("0xff0")
	s.keys("Enter")
	scr := s.waitFor(" hole 0x1000–0x3ffff000 (1023.99 MiB)")
	if !strings.Contains(scr, " 00000ff0  ") || !strings.Contains(scr, " 3ffff000  ") {
		t.Fatalf("the rows around the hole line:\n%s", scr)
	}
	s.keys("Down")
	s.waitFor("0x3ffff000 (1073737728)")
	s.keys("M-*")
	s.waitFor("holes shown row by row")
	scr = s.waitFor(" 3fffeff0  00 00 00 00") // the hole row by row above the cursor
	if strings.Contains(scr, "hole 0x") {
		t.Fatalf("squeezing off, a hole line is still shown:\n%s", scr)
	}
	s.keys("M-*")
	s.waitFor("holes squeezed")
	s.waitFor(" hole 0x1000–0x3ffff000 (1023.99 MiB)")
	s.keys("C-q")
	s.waitFor("EXIT=0")
}

// TestSqueezeAsksEachRunOnce: the squeeze function's answer for a run of
// data (or a hole) answers every row in it while the editor adopts the
// layout after an event: a key in a file of data asks it a few times, not
// once per row line considered (the walk to the cursor and back from the
// end of the file asked it ~80 times a key, each an fstat and lseeks in
// view/holes: typing ran at 2 000 keys a second).
func TestSqueezeAsksEachRunOnce(t *testing.T) {
	p := testenv.WriteFile(t, "data.bin", testenv.Pattern(64<<10, 3))
	h := newHarness(t, p, 100, 40, mapping.Options{ReadOnly: true}, Options{})
	calls := 0
	h.e.SetSqueeze(func(off int64) (int64, int64, bool) {
		calls++
		return off, 64 << 10, false // data from off to the end
	})
	h.draw()
	h.press("Ctrl-G")
	h.typeText("0x8000")
	h.press("Enter")
	h.draw()
	for _, key := range []string{"Down", "Right", "PgDn", "End", "Up"} {
		calls = 0
		h.press(key)
		h.draw()
		if calls > 4 {
			t.Fatalf("%s: the squeeze function was asked %d times for one event", key, calls)
		}
	}
}
