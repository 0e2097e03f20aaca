package view

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/mapping"
)

// stepClock makes the live view's clock one the test moves by hand.
func stepClock(t *testing.T) *time.Time {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	hooksFor(t).now = func() time.Time { return now }
	return &now
}

// cellAt is the rune and style of the hex digits and text cell of byte i of
// data row r (16 bytes a row, 8-digit offsets, no panels).
func hexCell(h *harness, r, i int) (hi, lo rune, st tcell.Style, txt rune, tst tcell.Style) {
	g := makeGeom(8, 16)
	y := 2 + r
	hi, st = h.cell(g.hexX+hexPos(i), y)
	lo, _ = h.cell(g.hexX+hexPos(i)+1, y)
	txt, tst = h.cell(g.textX+i, y)
	return
}

// changedStyle is the highlight of a byte another writer changed: white on
// red (palette 15 on 1), whatever the byte's class colour was. Spelled out
// here, not taken from byteStyle, so a change of the highlight fails.
var changedStyle = tcell.StyleDefault.Background(tcell.PaletteColor(1)).Foreground(tcell.PaletteColor(15))

func TestLiveOtherWriter(t *testing.T) {
	now := stepClock(t)
	data := []byte(strings.Repeat("abcdefghijklmnop", 8))
	path := writeFile(t, "live.bin", data)
	h := newHarness(t, path, 100, 20, mapping.Options{}, Options{})
	h.press("Right", "Right") // cursor off the bytes we look at

	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte("Z"), 16+5); err != nil { // row 1, byte 5 ('f')
		t.Fatal(err)
	}
	*now = now.Add(liveEvery)
	h.e.RunTicks()
	h.draw()
	hi, lo, st, txt, tst := hexCell(h, 1, 5)
	if hi != '5' || lo != 'a' || txt != 'Z' {
		t.Fatalf("byte 21 shows %c%c %c, want 5a Z", hi, lo, txt)
	}
	if st != changedStyle || tst != changedStyle {
		t.Errorf("changed byte style %v / %v, want %v", st, tst, changedStyle)
	}
	// Both hex digits carry it; the space after them does not.
	g := makeGeom(8, 16)
	if _, los := h.cell(g.hexX+hexPos(5)+1, 3); los != changedStyle {
		t.Errorf("second hex digit of the changed byte: style %v", los)
	}
	if r, sp := h.cell(g.hexX+hexPos(5)+2, 3); r != ' ' || sp == changedStyle {
		t.Errorf("the cell after the changed byte: %q %v", r, sp)
	}
	// Its neighbours are not marked.
	if _, _, st, _, _ := hexCell(h, 1, 4); st == changedStyle {
		t.Errorf("unchanged byte 20 is marked")
	}
	if _, _, st, _, _ := hexCell(h, 1, 6); st == changedStyle {
		t.Errorf("unchanged byte 22 is marked")
	}
	// Still marked 0.75 s later, gone after a second.
	*now = now.Add(750 * time.Millisecond)
	h.e.RunTicks()
	h.draw()
	if _, _, st, _, _ := hexCell(h, 1, 5); st != changedStyle {
		t.Errorf("mark gone after 0.75 s")
	}
	*now = now.Add(300 * time.Millisecond)
	h.e.RunTicks()
	h.draw()
	if _, _, st, _, _ := hexCell(h, 1, 5); st == changedStyle {
		t.Errorf("mark still there after 1.05 s")
	}

	// Our own edit is not another writer's.
	h.press("Down") // cursor to row 1, byte 2
	h.typeText("41")
	*now = now.Add(liveEvery)
	h.e.RunTicks()
	h.draw()
	for i := 0; i < 16; i++ {
		if _, _, st, _, _ := hexCell(h, 1, i); st == changedStyle {
			t.Errorf("own edit: byte %d of row 1 marked as changed by another writer", i)
		}
	}
}

func TestLiveGrowShrink(t *testing.T) {
	now := stepClock(t)
	path := writeFile(t, "grow.bin", []byte(strings.Repeat("x", 40)))
	h := newHarness(t, path, 100, 20, mapping.Options{}, Options{})
	if !strings.Contains(h.draw(), "40 B  rw  ") {
		t.Fatalf("header:\n%s", h.draw())
	}
	testGrowShrink(t, h, path, now)
}

func testGrowShrink(t *testing.T, h *harness, path string, now *time.Time) {
	t.Helper()
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	// Grow: the header follows and the new bytes are marked.
	if _, err := other.WriteAt([]byte("NEWBYTES"), 40); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(liveEvery)
	h.e.RunTicks()
	screen := h.draw()
	if !strings.Contains(screen, "the file changed size: 48 B, was 40 B") {
		t.Errorf("after growing to 48 B:\n%s", screen)
	}
	if _, _, st, txt, _ := hexCell(h, 2, 8); txt != 'N' || st != changedStyle {
		t.Errorf("byte 40 after growing: %c, marked %v", txt, st == changedStyle)
	}
	if _, _, st, _, _ := hexCell(h, 2, 7); st == changedStyle {
		t.Errorf("byte 39 marked after growing")
	}

	// Shrink below the cursor while shown: no crash, the cursor stays in the file.
	h.e.SetCursor(47)
	if err := other.Truncate(10); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(liveEvery)
	h.e.RunTicks()
	screen = h.draw()
	if !strings.Contains(screen, "the file changed size: 10 B, was 48 B") || h.e.Cursor() != 9 {
		t.Errorf("after shrinking to 10 B (cursor %d):\n%s", h.e.Cursor(), screen)
	}
	// Shrink to nothing and grow again.
	if err := other.Truncate(0); err != nil {
		t.Fatal(err)
	}
	h.e.RunTicks()
	h.draw()
	if err := other.Truncate(5000); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(liveEvery)
	h.e.RunTicks()
	screen = h.draw()
	if !strings.Contains(screen, "4.88 KiB (5000 B)") {
		t.Errorf("after growing to 5000 B:\n%s", screen)
	}
	h.e.SetCursor(4999)
	h.draw()
	if h.e.Cursor() != 4999 || h.e.Size() != 5000 {
		t.Errorf("cursor %d, size %d after growing to 5000 B", h.e.Cursor(), h.e.Size())
	}
}

// TestLiveReplacedOnDisk: another file renamed over the open one (how many
// editors save) leaves the editor on a file nobody sees by that name: it
// says so once in the message line and keeps a status part while it
// lasts; an edit and Ctrl-S then go to the open file, as the message says.
func TestLiveReplacedOnDisk(t *testing.T) {
	path := writeFile(t, "rn.bin", []byte("the old file bytes"))
	h := newHarness(t, path, 240, 12, mapping.Options{}, Options{})
	h.e.RunTicks()
	if s := h.draw(); strings.Contains(s, "on disk") {
		t.Fatalf("warning before anything happened:\n%s", s)
	}
	if err := os.WriteFile(path+".new", []byte("a new file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	h.e.RunTicks()
	lines := strings.Split(h.draw(), "\n")
	if want := " " + path + " was replaced by another file on disk: edits and syncs go to the file opened here, which no longer has that name"; lines[11] != want {
		t.Errorf("message line %q\nwant %q", lines[11], want)
	}
	if !strings.HasPrefix(lines[10], " ! replaced by another file on disk │ ") {
		t.Errorf("status line %q", lines[10])
	}
	h.typeText("X")
	h.press("Ctrl-S")
	h.e.RunTicks()
	lines = strings.Split(h.draw(), "\n")
	if !strings.HasPrefix(lines[10], " ! replaced by another file on disk │ ") {
		t.Errorf("status line after a key %q", lines[10])
	}
	if b, _ := os.ReadFile(path); string(b) != "a new file" {
		t.Errorf("the new file changed: %q", b)
	}
}
