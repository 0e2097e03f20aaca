// Package simscreen reads and drives a tcell simulation screen the way
// the tests of package view and of its feature packages do: the screen as
// text (exact cells), one cell's rune and style, where a text stands, and
// keys by name. It imports nothing of view, so view's own tests use it as
// well as view/viewtest; it is imported only from _test.go files.
package simscreen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"mmhex/keymap"
)

// Text is the screen's cells as text, one line per row with trailing
// spaces trimmed; the cell after a double-width rune (empty) is skipped.
func Text(sim tcell.SimulationScreen) string {
	cells, w, ht := sim.GetContents()
	var b strings.Builder
	for y := 0; y < ht; y++ {
		var line strings.Builder
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				if x > 0 && len(cells[y*w+x-1].Runes) > 0 && uniseg.StringWidth(string(cells[y*w+x-1].Runes[0])) == 2 {
					continue
				}
				line.WriteByte(' ')
				continue
			}
			line.WriteString(string(c.Runes))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// Grid is the screen as a full grid: each cell's first rune (a space for
// an empty cell), every row w cells long, nothing trimmed.
func Grid(sim tcell.SimulationScreen) string {
	cells, w, ht := sim.GetContents()
	var b strings.Builder
	for y := range ht {
		for x := range w {
			if r := cells[y*w+x].Runes; len(r) > 0 {
				b.WriteRune(r[0])
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Cell is the rune (a space for an empty cell) and style at (x, y).
func Cell(sim tcell.SimulationScreen, x, y int) (rune, tcell.Style) {
	cells, w, _ := sim.GetContents()
	c := cells[y*w+x]
	r := ' '
	if len(c.Runes) > 0 {
		r = c.Runes[0]
	}
	return r, c.Style
}

// Find is the position (column in runes, row) of the first occurrence of
// s in text (as Text returns it).
func Find(text, s string) (x, y int, ok bool) {
	for y, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, s); i >= 0 {
			return len([]rune(line[:i])), y, true
		}
	}
	return 0, 0, false
}

// Press hands the keys named ("Ctrl-G", "Down", "a") to handle in turn;
// a name that is no key fails the test.
func Press(t testing.TB, handle func(*tcell.EventKey), names ...string) {
	t.Helper()
	for _, n := range names {
		k, err := keymap.ParseKey(n)
		if err != nil {
			t.Fatalf("key %q: %v", n, err)
		}
		handle(k.Event())
	}
}

// Type hands each rune of s to handle as a key.
func Type(handle func(*tcell.EventKey), s string) {
	for _, r := range s {
		handle(tcell.NewEventKey(tcell.KeyRune, r, tcell.ModNone))
	}
}

// Golden compares the screen text got with the file dir/name.golden; with
// update it writes got there instead (the folder made if need be). A
// missing file fails the test saying to run pkg's tests with -update; a
// difference fails it with both screens.
func Golden(t testing.TB, dir, name, got string, update bool, pkg string) {
	t.Helper()
	p := filepath.Join(dir, name+".golden")
	if update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test %s -run %s -update)", err, pkg, t.Name())
	}
	if string(want) != got {
		t.Errorf("screen differs from %s:\n--- want\n%s--- got\n%s", p, want, got)
	}
}
