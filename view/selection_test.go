package view

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
)

// TestSelectionScreen: a selection started at the cursor and extended with
// moving keys is highlighted (hex, gaps and text) and its length shown.
func TestSelectionScreen(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.press("Ctrl-G")
	h.typeText("0x105")
	h.press("Enter", "Alt-s", "Right", "Right", "Down")
	got := h.draw()
	golden(t, "selection", got)
	if !strings.Contains(got, "selection 0x105–0x117 (19 bytes)") {
		t.Errorf("selection length not shown:\n%s", got)
	}
	off, n, ok := h.e.Selection()
	if !ok || off != 0x105 || n != 19 {
		t.Errorf("Selection() = %#x %d %v", off, n, ok)
	}
	// Selected bytes have the selection background; the byte after does not.
	x, y, _ := h.find("00000100  ")
	hexX := x + 10
	_, st := h.cell(hexX+hexPos(6), y)
	if _, bg, _ := st.Decompose(); bg != tcell.PaletteColor(4) {
		t.Errorf("byte 0x106 background %v, want the selection colour", bg)
	}
	_, st = h.cell(hexX+hexPos(8), y+1) // 0x118: after the selection
	if _, bg, _ := st.Decompose(); bg == tcell.PaletteColor(4) {
		t.Error("byte 0x118 is highlighted")
	}
	// Backwards past the anchor: the selection flips.
	h.press("Up", "Up")
	if off, n, _ := h.e.Selection(); off != 0xf7 || n != 15 {
		t.Errorf("after Up Up: %#x %d", off, n)
	}
	// Esc drops it.
	h.press("Esc")
	if _, _, ok := h.e.Selection(); ok {
		t.Error("selection survives Esc")
	}
	if !strings.Contains(h.draw(), "selection dropped") {
		t.Error("no 'selection dropped'")
	}
}

func TestSelectionCopyFillWrite(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.press("Ctrl-G")
	h.typeText("0x100")
	h.press("Enter", "Alt-s", "Right", "Right", "Right")
	// Copy as hex and raw: the simulation screen keeps the clipboard.
	h.press("Alt-c")
	sim := h.sim.(interface{ GetClipboardData() []byte })
	if got := string(sim.GetClipboardData()); got != "48 65 6c 6c" {
		t.Errorf("hex clipboard %q", got)
	}
	h.press("Alt-r")
	if got := string(sim.GetClipboardData()); got != "Hell" {
		t.Errorf("raw clipboard %q", got)
	}
	if s := h.draw(); !strings.Contains(s, "copied 0x100–0x103 (4 bytes) as raw bytes") {
		t.Errorf("copy message missing:\n%s", s)
	}
	// Write to a new file; then refuse to overwrite without a yes.
	out := filepath.Join(t.TempDir(), "sel.bin")
	h.press("Ctrl-O")
	h.typeText(out)
	h.press("Enter")
	if b, err := os.ReadFile(out); err != nil || string(b) != "Hell" {
		t.Fatalf("written file %q, %v", b, err)
	}
	if err := os.WriteFile(out, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.press("Ctrl-O")
	h.typeText(out)
	h.press("Enter")
	if s := h.draw(); !strings.Contains(s, "exists (4 B): overwrite it? y/n") {
		t.Fatalf("no overwrite question:\n%s", s)
	}
	h.typeText("n")
	if b, _ := os.ReadFile(out); string(b) != "keep" {
		t.Errorf("overwritten without a yes: %q", b)
	}
	h.press("Ctrl-O")
	h.typeText(out)
	h.press("Enter")
	h.typeText("y")
	if b, _ := os.ReadFile(out); string(b) != "Hell" {
		t.Errorf("after yes: %q", b)
	}
	// Fill with a byte: journaled, undo restores.
	h.press("Ctrl-K")
	h.typeText("zz")
	h.press("Enter")
	if s := h.draw(); !strings.Contains(s, "bad hex") {
		t.Errorf("malformed fill byte not refused in the prompt:\n%s", s)
	}
	h.press("Ctrl-U")
	h.typeText("2a")
	h.press("Enter")
	b := make([]byte, 6)
	h.f.ReadAt(b, 0xff)
	if !bytes.Equal(b, []byte("\xff****o")) {
		t.Errorf("after fill % x", b)
	}
	disk, _ := os.ReadFile("known.bin")
	if !bytes.Equal(disk[0xff:0x105], []byte("\xff****o")) {
		t.Errorf("on disk % x (MAP_SHARED: the fill is in the page cache)", disk[0xff:0x105])
	}
	h.press("Ctrl-Z")
	h.f.ReadAt(b, 0xff)
	if !bytes.Equal(b, []byte("\xffHello")) {
		t.Errorf("after undo % x", b)
	}
}

func TestPasteHex(t *testing.T) {
	h := openKnown(t, 140, 24, Options{})
	h.press("Ctrl-G")
	h.typeText("0x2ffe")
	h.press("Enter", "Ctrl-V")
	h.typeText("de ad be")
	h.press("Enter")
	if s := h.draw(); !strings.Contains(s, "3 bytes do not fit: 2 bytes from 0x2ffe to the end of the file") {
		t.Errorf("no fit error:\n%s", s)
	}
	h.press("Ctrl-U")
	h.typeText("dead")
	h.press("Enter")
	b := make([]byte, 2)
	h.f.ReadAt(b, 0x2ffe)
	if !bytes.Equal(b, []byte{0xde, 0xad}) {
		t.Errorf("pasted % x", b)
	}
	if s := h.draw(); !strings.Contains(s, "overwrote 0x2ffe–0x2fff (2 bytes)") {
		t.Errorf("no paste message:\n%s", s)
	}
}

func TestSelectionMouseDrag(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	x, y, _ := h.find("00000010  ")
	hexX := x + 10
	mouse := func(action tview.MouseAction, px, py int) {
		ev := tcell.NewEventMouse(px, py, tcell.Button1, tcell.ModNone)
		h.e.root.MouseHandler()(action, ev, func(tview.Primitive) {})
	}
	mouse(tview.MouseLeftDown, hexX+hexPos(2), y)
	mouse(tview.MouseMove, hexX+hexPos(5), y)
	mouse(tview.MouseMove, hexX+hexPos(1), y+1)
	mouse(tview.MouseLeftUp, hexX+hexPos(1), y+1)
	if off, n, ok := h.e.Selection(); !ok || off != 0x12 || n != 0x10 {
		t.Errorf("drag selection %#x %d %v", off, n, ok)
	}
	if s := h.draw(); !strings.Contains(s, "selection 0x12–0x21 (16 bytes)") {
		t.Errorf("no selection message:\n%s", s)
	}
}

// TestSelectionMouseDragScrolls: a drag below the rows scrolls one row per
// motion and the selection follows to the last row; above the rows (the
// column header) it scrolls back; a move with no button pressed, or a drag
// that started outside the rows, scrolls nothing.
func TestSelectionMouseDragScrolls(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.draw()
	x, y, _ := h.find("00000010  ")
	hexX := x + 10
	mouse := func(action tview.MouseAction, px, py int, b tcell.ButtonMask) {
		ev := tcell.NewEventMouse(px, py, b, tcell.ModNone)
		h.e.root.MouseHandler()(action, ev, func(tview.Primitive) {})
	}
	rows := h.e.rows
	below := y - 1 + rows + 1 // the status line under the last row
	mouse(tview.MouseLeftDown, hexX+hexPos(2), y, tcell.Button1)
	mouse(tview.MouseMove, hexX+hexPos(5), below, tcell.Button1)
	mouse(tview.MouseMove, hexX+hexPos(5), below, tcell.Button1)
	// two rows scrolled; the pointer's byte is column 5 of the last row
	if h.e.top != 0x20 {
		t.Errorf("top %#x after two motions below the rows, want 0x20", h.e.top)
	}
	wantEnd := int64(0x20 + (rows-1)*16 + 5)
	if off, n, ok := h.e.Selection(); !ok || off != 0x12 || off+n-1 != wantEnd {
		t.Errorf("selection %#x+%d %v, want 0x12–%#x", off, n, ok, wantEnd)
	}
	if s := h.draw(); !strings.Contains(s, fmt.Sprintf("selection 0x12–0x%x", wantEnd)) {
		t.Errorf("no selection message:\n%s", s)
	}
	mouse(tview.MouseMove, hexX+hexPos(5), y-2, tcell.Button1) // the column header row
	if h.e.top != 0x10 {
		t.Errorf("top %#x after a motion above the rows, want 0x10", h.e.top)
	}
	mouse(tview.MouseLeftUp, hexX+hexPos(5), y-2, 0)
	// no button: nothing scrolls
	mouse(tview.MouseMove, hexX+hexPos(5), below, 0)
	if h.e.top != 0x10 {
		t.Errorf("top %#x after a move without a button", h.e.top)
	}
	// a drag that starts on the status line is no selection drag
	mouse(tview.MouseLeftDown, hexX, below, tcell.Button1)
	mouse(tview.MouseMove, hexX, below+1, tcell.Button1)
	if h.e.top != 0x10 {
		t.Errorf("top %#x after a drag from outside the rows", h.e.top)
	}
}

func TestCopyTooLarge(t *testing.T) {
	t.Parallel()
	big := writeFile(t, "big.bin", make([]byte, maxClipboard+1))
	h := newHarness(t, big, 120, 24, mapping.Options{}, Options{})
	h.e.StartSelection(0)
	h.press("Ctrl-End", "Alt-c")
	if s := h.draw(); !strings.Contains(s, "65537 bytes in the register (Alt-v puts them at the cursor); too large for the terminal clipboard (OSC 52 takes at m") {
		t.Errorf("no size bound message:\n%s", s)
	}
	if got := h.sim.(interface{ GetClipboardData() []byte }).GetClipboardData(); got != nil {
		t.Errorf("clipboard set: %d bytes", len(got))
	}
}

// TestSelectionVim: v starts the selection (VISUAL), moves extend it, y
// copies and ends it; m a / ' a set and jump to a mark; / searches.
func TestSelectionVim(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.typeText("256G")
	h.typeText("vlll")
	if s := h.draw(); !strings.Contains(s, "-- VISUAL --") || !strings.Contains(s, "selection 0x100–0x103 (4 bytes)") {
		t.Fatalf("visual selection:\n%s", s)
	}
	h.typeText("y")
	sim := h.sim.(interface{ GetClipboardData() []byte })
	if got := string(sim.GetClipboardData()); got != "48 65 6c 6c" {
		t.Errorf("clipboard %q", got)
	}
	if _, _, ok := h.e.Selection(); ok || strings.Contains(h.draw(), "-- VISUAL --") {
		t.Error("y did not end the selection")
	}
	h.typeText("vl")
	h.press("Esc")
	if _, _, ok := h.e.Selection(); ok {
		t.Error("Esc did not drop the selection")
	}
	h.typeText("ma0G'a")
	if h.e.Cursor() != 0x104 {
		t.Errorf("mark a: cursor %#x", h.e.Cursor())
	}
	q := syncPosts(t)
	h.typeText("/")
	h.press("Tab") // the hex column starts in hex: Tab switches to text
	h.typeText("fox")
	h.press("Enter")
	q.drain(t, h.e)
	if want := int64(256 + strings.Index(string(knownData()[256:]), "fox")); h.e.Cursor() != want {
		t.Errorf("/fox: cursor %#x, want %#x", h.e.Cursor(), want)
	}
}

// TestLargeSelection: a 48 MiB selection is written to a new file and
// filled without the selection being copied into memory: the bytes
// allocated meanwhile (runtime.MemStats.TotalAlloc) stay under 8 MiB; the
// written file and the filled bytes are exact; undo restores them.
func TestLargeSelection(t *testing.T) {
	const size = 64 << 20
	const a, n = 1 << 20, 48 << 20
	path := filepath.Join(t.TempDir(), "large.bin")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	marks := map[int64]string{a: "first", a + n/2: "middle", a + n - 4: "last", a + n: "after"}
	fh, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for off, s := range marks {
		fh.WriteAt([]byte(s), off)
	}
	fh.Close()
	h := newHarness(t, path, 100, 24, mapping.Options{}, Options{})
	h.press("Ctrl-G")
	h.typeText(fmt.Sprintf("%#x", a+n-1))
	h.press("Enter", "Alt-s", "Ctrl-G")
	h.typeText(fmt.Sprintf("%#x", a))
	h.press("Enter")
	if off, m, ok := h.e.Selection(); !ok || off != a || m != n {
		t.Fatalf("selection %#x %d %v, want %#x %d", off, m, ok, a, n)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out := filepath.Join(t.TempDir(), "sel.bin")
	h.press("Ctrl-O")
	h.typeText(out)
	h.press("Enter")
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 8<<20 {
		t.Errorf("writing a 48 MiB selection allocated %d bytes", d)
	}
	st, err := os.Stat(out)
	if err != nil || st.Size() != n {
		t.Fatalf("written file: %v, %v; want %d bytes", st, err, n)
	}
	ofh, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer ofh.Close()
	for off, s := range marks {
		if off >= a+n {
			continue
		}
		b := make([]byte, len(s))
		ofh.ReadAt(b, off-a)
		if string(b) != s {
			t.Errorf("written file at %#x: %q, want %q", off-a, b, s)
		}
	}
	// Fill the selection with 0x5a: the old bytes are journaled (spilled to
	// a temporary file), not held in memory.
	runtime.ReadMemStats(&before)
	h.press("Ctrl-K")
	h.typeText("5a")
	h.press("Enter")
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 8<<20 {
		t.Errorf("filling a 48 MiB selection allocated %d bytes", d)
	}
	b := make([]byte, 8)
	for off, want := range map[int64]string{a - 4: "\x00\x00\x00\x00ZZZZ", a + n - 4: "ZZZZafte"} {
		h.f.ReadAt(b, off)
		if string(b) != want {
			t.Errorf("after fill at %#x: %q, want %q", off, b, want)
		}
	}
	h.press("Ctrl-Z")
	h.f.ReadAt(b, a+n/2)
	if string(b[:6]) != "middle" {
		t.Errorf("after undo at the middle: %q", b)
	}
}

// TestPastePrompt: a bracketed paste (tview hands the text to the root's
// PasteHandler) goes into the open prompt on one line: a multi-line hex
// dump is pasted whole, its line breaks become spaces, the final one does
// not press Enter, control characters are dropped. Only Enter writes, and
// exactly those bytes. With no prompt open, pasted text is typed key by key.
func TestPastePrompt(t *testing.T) {
	h := openKnown(t, 120, 24, Options{})
	paste := func(s string) { h.e.root.PasteHandler()(s, func(tview.Primitive) {}) }
	before, _ := os.ReadFile("known.bin")
	h.press("Ctrl-G")
	h.typeText("0x20")
	h.press("Enter", "Ctrl-V")
	paste("de ad\r\nbe\x1bef\n0102\n")
	if s := h.draw(); !strings.Contains(s, "overwrite at 0x20 with hex: de ad beef 0102") {
		t.Fatalf("pasted text not in the prompt on one line:\n%s", s)
	}
	if disk, _ := os.ReadFile("known.bin"); !bytes.Equal(disk, before) {
		t.Fatal("the file changed before Enter")
	}
	h.press("Enter")
	want := append([]byte(nil), before...)
	copy(want[0x20:], []byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02})
	if disk, _ := os.ReadFile("known.bin"); !bytes.Equal(disk, want) {
		t.Errorf("after Enter on disk % x, want % x", disk[0x1e:0x28], want[0x1e:0x28])
	}
	if h.e.PromptOpen() {
		t.Error("prompt still open after Enter")
	}
	// Over the help screen: dropped (it would close the help and type the
	// rest into the file).
	h.press("F1")
	paste("7a7b")
	if disk, _ := os.ReadFile("known.bin"); !bytes.Equal(disk, want) {
		t.Errorf("a paste over the help changed the file: % x", disk[0:0x10])
	}
	h.press("Esc")
	// No prompt: typed, as without bracketed paste (hex digits overwrite).
	h.press("Ctrl-G")
	h.typeText("0x40")
	h.press("Enter")
	paste("7a7b")
	b := make([]byte, 3)
	h.f.ReadAt(b, 0x40)
	if !bytes.Equal(b, []byte{0x7a, 0x7b, 0x42}) {
		t.Errorf("paste without a prompt: % x", b)
	}
}
