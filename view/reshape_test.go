package view

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"mmhex/mapping"
	"mmhex/mapping/reshape"
	"mmhex/mapping/testenv"
)

// shapeHarness opens a pattern file of size bytes in an editor on a
// simulation screen, with the filesystem's block size.
func shapeHarness(t *testing.T, size int) (h *harness, path string, orig []byte, block int64) {
	t.Helper()
	orig = testenv.Pattern(size, 19)
	path = writeFile(t, "shape.bin", orig)
	h = newHarness(t, path, 140, 24, mapping.Options{}, Options{})
	g, err := reshape.GeometryOf(h.f)
	if err != nil {
		t.Fatal(err)
	}
	if g.FS != "ext4" && g.FS != "xfs" {
		testenv.SkipOrFail(t, "the test folder is on %s, which cannot move blocks", g.FS)
	}
	return h, path, orig, g.Block
}

func (h *harness) gotoOff(off int64) {
	h.press("Ctrl-G")
	h.typeText(fmt.Sprintf("0x%x", off))
	h.press("Enter")
}

// line is the screen row that starts with prefix, "" when none does.
func line(screen, prefix string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func (h *harness) diskIs(path string, want []byte, what string) {
	h.t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		h.t.Fatalf("%s: the file (%d bytes) differs from the reference (%d bytes) at %#x", what, len(got), len(want), i)
	}
	if h.e.size != int64(len(want)) {
		h.t.Fatalf("%s: the editor's size %d, want %d", what, h.e.size, len(want))
	}
}

// Insert at the cursor and delete the selection from the editor's keys:
// the bytes on disk equal prefix + zeros + suffix and prefix + suffix, the
// cursor and the marks stay on their bytes (a mark inside a deleted range
// goes to the first byte after it), the message line says what happened,
// and a length that is not whole blocks is refused with the sizes that
// would work, as `mmhex insert` says.
func TestEditorInsertDeleteBlocks(t *testing.T) {
	h, path, orig, block := shapeHarness(t, 3*4096+100)
	const at = 0x1234
	h.gotoOff(0x10)
	h.press("Alt-m")
	h.typeText("b")
	h.gotoOff(at)
	h.press("Alt-m")
	h.typeText("a")

	// Refused: 100 bytes.
	h.press("Alt-I")
	if s := h.draw(); line(s, " insert zero bytes") != fmt.Sprintf(" insert zero bytes at 0x1234, how many:   a multiple of %d (the block size)", block) {
		t.Fatalf("no insert prompt:\n%s", s)
	}
	h.typeText("100")
	h.press("Enter")
	want := fmt.Sprintf(" LENGTH 100 is not a multiple of the filesystem's block size (%d bytes on this ext4): %d would work", block, block)
	if s := h.draw(); !strings.Contains(s, want) {
		t.Fatalf("refusal %q missing:\n%s", want, s)
	}
	h.diskIs(path, orig, "after the refused insert")

	// Insert one block at 0x1234.
	h.press("Alt-I")
	h.typeText(fmt.Sprint(block))
	h.press("Enter")
	ref := append(append(append([]byte{}, orig[:at]...), make([]byte, block)...), orig[at:]...)
	h.diskIs(path, ref, "after insert")
	s := h.draw()
	wantMsg := fmt.Sprintf("inserted %d zero bytes at 0x1234, size %d → %d (%d bytes below the block boundary moved)", block, len(orig), len(ref), at%block)
	if !strings.Contains(s, wantMsg) {
		t.Fatalf("message %q missing:\n%s", wantMsg, s)
	}
	if c := h.e.cursor; c != at+block {
		t.Fatalf("cursor at %#x, want %#x (the same byte)", c, at+block)
	}
	m := featureOf[*marks](h.e).marks
	if m['a'] != at+block || m['b'] != 0x10 {
		t.Fatalf("marks a=%#x b=%#x, want %#x 0x10", m['a'], m['b'], at+block)
	}
	// The cursor's row on screen: 16 bytes from its row start, the
	// original bytes (0x2230 = 0x1230 + 4096).
	row := (at + block) / int64(h.e.bpr) * int64(h.e.bpr)
	wantRow := fmt.Sprintf(" %08x  % x", row, ref[row:row+8])
	if l := line(s, fmt.Sprintf(" %08x", row)); !strings.HasPrefix(l, wantRow) {
		t.Fatalf("cursor row %q, want it to start %q:\n%s", l, wantRow, s)
	}
	// The status line: the cursor on the byte it was on (0xe5 at 0x1234).
	if orig[at] != 0xe5 {
		t.Fatalf("the pattern changed: %#x at 0x1234", orig[at])
	}
	if l := line(s, " 0x2234"); !strings.HasPrefix(l, " 0x2234 (8756) 53.1%  byte 0xe5 229") {
		t.Fatalf("status line %q:\n%s", l, s)
	}
	// A mark inside the range to delete; the selection dropped.
	h.press("Esc")
	h.gotoOff(at + 0x100)
	h.press("Alt-m")
	h.typeText("c")

	// Delete the inserted block: select it, Alt-D.
	h.gotoOff(at)
	h.press("Alt-s")
	h.gotoOff(at + block - 1)
	h.press("Alt-D")
	h.diskIs(path, orig, "after delete")
	s = h.draw()
	wantMsg = fmt.Sprintf("deleted %d bytes at 0x1234, size %d → %d (%d bytes below the block boundary moved)", block, len(ref), len(orig), at%block)
	if !strings.Contains(s, wantMsg) {
		t.Fatalf("message %q missing:\n%s", wantMsg, s)
	}
	if c := h.e.cursor; c != at {
		t.Fatalf("cursor at %#x, want %#x", c, at)
	}
	if m['a'] != at || m['b'] != 0x10 || m['c'] != at {
		t.Fatalf("marks a=%#x b=%#x c=%#x, want %#x 0x10 %#x (c was in the deleted range)", m['a'], m['b'], m['c'], at, at)
	}
	// A selection of 100 bytes: refused, nothing changed.
	h.press("Esc")
	h.press("Alt-s")
	h.gotoOff(at + 99)
	h.press("Alt-D")
	want = fmt.Sprintf(" LENGTH 100 is not a multiple of the filesystem's block size (%d bytes on this ext4): %d would work", block, block)
	if s := h.draw(); !strings.Contains(s, want) {
		t.Fatalf("refusal %q missing:\n%s", want, s)
	}
	h.diskIs(path, orig, "after the refused delete")
	if c := h.e.cursor; c != at+99 {
		t.Fatalf("cursor moved by a refused delete: %#x", c)
	}
}

// Resize from the editor: growing adds zeros at the end; truncating asks,
// n keeps the file, y cuts it and keeps the cursor in the file. Punch and
// zero range make the selection zeros.
func TestEditorResizePunch(t *testing.T) {
	h, path, orig, _ := shapeHarness(t, 10000)
	h.gotoOff(9000)
	h.press("Alt-S")
	if s := h.draw(); line(s, " resize to") != " resize to (now 10000 bytes):   bytes: 8192, 0x2000, 4k, 1M" {
		t.Fatalf("no resize prompt:\n%s", s)
	}
	h.typeText("12000")
	h.press("Enter")
	ref := append(append([]byte{}, orig...), make([]byte, 2000)...)
	h.diskIs(path, ref, "after growing")
	if s := h.draw(); !strings.Contains(s, "resized from 10000 to 12000 bytes (2000 bytes of hole added)") {
		t.Fatalf("grow message missing:\n%s", s)
	}
	if h.e.cursor != 9000 {
		t.Fatalf("cursor %d after growing", h.e.cursor)
	}
	h.press("Alt-S")
	h.typeText("5000")
	h.press("Enter")
	if s := h.draw(); line(s, " truncate") != " truncate to 5000 bytes, cutting 0x1388–0x2edf (7000 bytes, 6.84 KiB)? y/n" {
		t.Fatalf("no truncate question:\n%s", s)
	}
	h.typeText("n")
	h.diskIs(path, ref, "after n")
	if s := h.draw(); !strings.Contains(s, "resize cancelled: nothing was changed") {
		t.Fatalf("cancel message missing:\n%s", s)
	}
	h.press("Alt-S")
	h.typeText("5000")
	h.press("Enter")
	h.typeText("y")
	h.diskIs(path, orig[:5000], "after y")
	if s := h.draw(); !strings.Contains(s, "resized from 12000 to 5000 bytes (the 7000 bytes cut are in the journal)") {
		t.Fatalf("truncate message missing:\n%s", s)
	}
	if h.e.cursor != 4999 {
		t.Fatalf("cursor %d after truncating, want 4999 (the last byte)", h.e.cursor)
	}
	// Punch a hole in 0x100..0x1ff, zero 0x300..0x3ff.
	ref = append([]byte{}, orig[:5000]...)
	h.gotoOff(0x100)
	h.press("Alt-s")
	h.gotoOff(0x1ff)
	h.press("Alt-H")
	clear(ref[0x100:0x200])
	h.diskIs(path, ref, "after punch")
	if s := h.draw(); !strings.Contains(s, "punched a hole of 256 bytes at 0x100") {
		t.Fatalf("punch message missing:\n%s", s)
	}
	h.press("Esc") // the selection stays after an action: drop it
	h.gotoOff(0x300)
	h.press("Alt-s")
	h.gotoOff(0x3ff)
	h.press("Alt-Z")
	clear(ref[0x300:0x400])
	h.diskIs(path, ref, "after zero range")
	if s := h.draw(); !strings.Contains(s, "zeroed 256 bytes at 0x300") {
		t.Fatalf("zero message missing:\n%s", s)
	}
}

// The truncate question takes one key, as the editor's other y/n
// questions: a wrong key is named in the question and typed nowhere (the
// next y still cuts), n, Esc, Ctrl-C and Enter each keep the file and
// close it, and the keys after them act on the editor again. Exact cells
// of the message line.
func TestEditorTruncateOneKey(t *testing.T) {
	h, path, orig, _ := shapeHarness(t, 10000)
	h.gotoOff(0x10)
	ask := func() {
		t.Helper()
		h.press("Alt-S")
		h.typeText("5000")
		h.press("Enter")
	}
	const q = " truncate to 5000 bytes, cutting 0x1388–0x270f (5000 bytes, 4.88 KiB)? y/n"
	msgRow := func() string {
		t.Helper()
		h.draw()
		return h.messageLine()
	}
	_, rows := h.sim.Size()
	for _, c := range []struct {
		keys []string
		text string // typed instead, "" for keys
	}{
		{keys: []string{"Esc"}},
		{keys: []string{"Ctrl-C"}},
		{keys: []string{"Enter"}},
		{text: "n"},
		{text: "N"},
	} {
		ask()
		if got := msgRow(); got != q {
			t.Fatalf("question row %q, want %q", got, q)
		}
		if c.text != "" {
			h.typeText(c.text)
		} else {
			h.press(c.keys...)
		}
		if h.e.PromptOpen() {
			t.Fatalf("%v%q: the question is still open", c.keys, c.text)
		}
		h.diskIs(path, orig, fmt.Sprintf("after %v%q", c.keys, c.text))
		if got := line(h.draw(), " resize cancelled"); got != " resize cancelled: nothing was changed" {
			t.Fatalf("%v%q: message %q", c.keys, c.text, got)
		}
	}
	// A wrong key: named, nothing typed into the question, still open.
	ask()
	h.typeText("x")
	want := q + "   ✗ y: truncate, n or Esc: keep the file"
	if got := msgRow(); got != want {
		t.Fatalf("after x:\n got %q\nwant %q", got, want)
	}
	// the cells: the label bold, the error in the error style
	r, st := h.cell(len([]rune(q))+3, rows-1)
	if r != '✗' || st != styleError {
		t.Fatalf("error cell %q %v, want ✗ in styleError", r, st)
	}
	if r, st := h.cell(1, rows-1); r != 't' || st != stylePromptLabel {
		t.Fatalf("label cell %q %v, want t in stylePromptLabel", r, st)
	}
	if !h.e.PromptOpen() {
		t.Fatal("a wrong key closed the question")
	}
	h.typeText("q")
	if got := msgRow(); got != want {
		t.Fatalf("after x q:\n got %q\nwant %q", got, want)
	}
	h.diskIs(path, orig, "after wrong keys")
	h.typeText("y")
	if h.e.PromptOpen() {
		t.Fatal("y left the question open")
	}
	h.diskIs(path, orig[:5000], "after x q y")
	if got := line(h.draw(), " resized"); got != " resized from 10000 to 5000 bytes (the 5000 bytes cut are in the journal)" {
		t.Fatalf("message %q", got)
	}
	// the keys after the answer are the editor's: a hex digit edits the
	// byte under the cursor (0x10), it is not appended to an answer
	h.typeText("ab")
	ref := append([]byte{}, orig[:5000]...)
	ref[0x10] = 0xab
	h.diskIs(path, ref, "after typing ab")
}

// The real binary in tmux: Alt-I inserts a block at the cursor; the file
// on disk equals prefix + zeros + suffix, the status line shows the cursor
// on the byte it was on, now one block further; Ctrl-X syncs and quits.
func TestTmuxInsertBlock(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	if testing.Short() {
		t.Skip("-short: skipping the tmux test")
	}
	bin := mmhexBinary(t)
	orig := testenv.Pattern(3*4096+100, 19)
	path := writeFile(t, "ins.bin", orig)
	requireBlockMoves(t, path)
	s := newLiveTerm(t, "insblock", 120, bin, path)
	s.waitFor("00000000  ", 10*time.Second)
	s.keys("C-g")
	s.keys("-l", "0x1234") // literal: tmux reads 0x1234 as a key code
	s.keys("Enter")
	s.waitFor("0x1234 (4660) 37.6%  byte 0xe5 229", 10*time.Second)
	s.keys("M-I")
	s.waitFor("insert zero bytes at 0x1234, how many:", 10*time.Second)
	s.keys("-l", "4096")
	s.keys("Enter")
	s.waitFor("inserted 4096 zero bytes at 0x1234, size 12388 → 16484 (564 bytes below the block boundary moved)", 20*time.Second)
	s.waitFor("0x2234 (8756) 53.1%  byte 0xe5 229", 10*time.Second)
	ref := append(append(append([]byte{}, orig[:0x1234]...), make([]byte, 4096)...), orig[0x1234:]...)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, ref) {
		t.Fatalf("the file (%d bytes) is not prefix + 4096 zeros + suffix (%d bytes)", len(got), len(ref))
	}
	s.keys("C-x")
	s.waitExit(20 * time.Second)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, ref) {
		t.Fatal("the file changed at the quit")
	}
}

// The jump list's places move with their bytes like the cursor and the
// marks: an insert before a place moves it up by the length, a delete
// moves the places after the range down and those inside it to the first
// byte after it, a truncate clamps the places past the end to the new
// last byte. Jump-back then lands on the same bytes (exact message line).
func TestEditorShapeShiftsJumps(t *testing.T) {
	h, _, _, block := shapeHarness(t, 4*4096+100)
	const at = 0x1234
	for _, p := range []int64{0x10, 0x1500, 0x2f00, at} {
		h.gotoOff(p)
	}
	if got, want := fmt.Sprint(h.e.jumps.list), fmt.Sprint([]int64{0, 0x10, 0x1500, 0x2f00}); got != want {
		t.Fatalf("jump list %s before the insert, want %s", got, want)
	}
	h.press("Alt-I")
	h.typeText(fmt.Sprint(block))
	h.press("Enter")
	if got, want := fmt.Sprint(h.e.jumps.list), fmt.Sprint([]int64{0, 0x10, 0x1500 + block, 0x2f00 + block}); got != want {
		t.Fatalf("jump list %s after inserting %d bytes at %#x, want %s", got, block, at, want)
	}
	h.press("Alt-o")
	if s := h.draw(); !strings.Contains(s, fmt.Sprintf("jump 4 of 5: 0x%x (%d)", 0x2f00+block, 0x2f00+block)) {
		t.Fatalf("jump-back after the insert:\n%s", s)
	}
	h.press("Alt-o")
	if c := h.e.cursor; c != 0x1500+block {
		t.Fatalf("second jump-back to %#x, want %#x", c, 0x1500+block)
	}
	// Delete [0x2400, 0x2400+block): 0x2500 (0x1500+block) is inside it.
	h.press("Esc")
	h.gotoOff(0x3f00) // a place past the range to delete
	h.gotoOff(0x2400)
	h.press("Alt-s")
	h.gotoOff(0x2400 + block - 1)
	before := append([]int64{}, h.e.jumps.list...)
	h.press("Alt-D")
	var want []int64
	in, after := 0, 0
	for _, p := range before {
		switch {
		case p >= 0x2400+block:
			want = append(want, p-block)
			after++
		case p >= 0x2400:
			want = append(want, 0x2400)
			in++
		default:
			want = append(want, p)
		}
	}
	if in == 0 || after == 0 {
		t.Fatalf("the test lost its places: %x", before)
	}
	if got := fmt.Sprint(h.e.jumps.list); got != fmt.Sprint(want) {
		t.Fatalf("jump list %x after the delete (from %x), want %x", h.e.jumps.list, before, want)
	}
	// Truncate to 0x1000: the places from there on clamp to 0xfff.
	h.press("Esc")
	h.press("Alt-S")
	h.typeText("4096")
	h.press("Enter")
	h.typeText("y")
	if h.e.size != 4096 {
		t.Fatalf("size %d after the truncate", h.e.size)
	}
	for i, p := range h.e.jumps.list {
		w := want[min(i, len(want)-1)]
		if i < len(want) {
			w = min(want[i], 0xfff)
		}
		if i < len(want) && p != w {
			t.Fatalf("jump list %x after the truncate, place %d: %#x, want %#x", h.e.jumps.list, i, p, w)
		}
		if p > 0xfff {
			t.Fatalf("jump list %x: a place past the end", h.e.jumps.list)
		}
	}
}

// Ctrl-Z undoes a shape change from the editor's keys as one step, and
// Ctrl-Y redoes it: an insert (with the bytes below the block boundary
// moved), a delete, a grow, a truncate and a punch, each back to the
// reference bytes and size, with the exact message, the cursor on the
// change and the marks on their bytes. Edits typed before a shape change
// stay in the undo history (undone after it, at their old offsets), and
// the quit dialog's r reverts shape changes too.
func TestEditorUndoShape(t *testing.T) {
	h, path, orig, block := shapeHarness(t, 3*4096+100)
	if block != 4096 {
		testenv.SkipOrFail(t, "the test wants 4096-byte blocks, not %d", block)
	}
	const at = 0x1234
	// A byte typed before the insert, after its offset.
	h.gotoOff(0x2000)
	h.typeText("41")
	typed := append([]byte{}, orig...)
	typed[0x2000] = 0x41
	h.diskIs(path, typed, "after typing")
	h.gotoOff(0x1300)
	h.press("Alt-m")
	h.typeText("a")
	h.gotoOff(at)
	h.press("Alt-I")
	h.typeText("4096")
	h.press("Enter")
	ins := slicesJoin(typed[:at], make([]byte, 4096), typed[at:])
	h.diskIs(path, ins, "after insert")
	marks := featureOf[*marks](h.e).marks
	if marks['a'] != 0x2300 {
		t.Fatalf("mark a at %#x after the insert", marks['a'])
	}
	h.press("Ctrl-Z")
	h.diskIs(path, typed, "after undoing the insert")
	s := h.draw()
	if m := h.messageLine(); strings.TrimRight(m, " ") != " undid the insert of 4096 bytes at 0x1234 (size 16484 → 12388)" {
		t.Fatalf("message %q after Ctrl-Z:\n%s", m, s)
	}
	if l := line(s, " 0x1234"); !strings.HasPrefix(l, " 0x1234 (4660) 37.6%  byte 0xe5 229") {
		t.Fatalf("status line %q after Ctrl-Z:\n%s", l, s)
	}
	if marks['a'] != 0x1300 {
		t.Fatalf("mark a at %#x after undoing the insert, want 0x1300", marks['a'])
	}
	h.press("Ctrl-Y")
	h.diskIs(path, ins, "after redoing the insert")
	if m := h.messageLine(); strings.TrimRight(m, " ") != " redid the insert of 4096 bytes at 0x1234 (size 12388 → 16484)" {
		t.Fatalf("message %q after Ctrl-Y", m)
	}
	if marks['a'] != 0x2300 {
		t.Fatalf("mark a at %#x after redoing the insert, want 0x2300", marks['a'])
	}
	h.press("Ctrl-Z", "Ctrl-Z")
	h.diskIs(path, orig, "after undoing the insert and the typed byte")
	if m := h.messageLine(); strings.TrimRight(m, " ") != " undid the edit of 1 byte at 0x2000" {
		t.Fatalf("message %q after the second Ctrl-Z", m)
	}

	// Delete a block at 0x1234 (bytes below the boundary moved), undo.
	h.gotoOff(at)
	h.press("Alt-s")
	h.gotoOff(at + 4095)
	h.press("Alt-D")
	h.diskIs(path, slicesJoin(orig[:at], orig[at+4096:]), "after delete")
	h.press("Esc")
	h.press("Ctrl-Z")
	h.diskIs(path, orig, "after undoing the delete")
	if m := h.messageLine(); strings.TrimRight(m, " ") != " undid the delete of 4096 bytes at 0x1234 (size 8292 → 12388)" {
		t.Fatalf("message %q after undoing the delete", m)
	}
	if h.e.cursor != at {
		t.Fatalf("cursor %#x after undoing the delete", h.e.cursor)
	}

	// Grow, truncate, punch: each undone.
	h.press("Alt-S")
	h.typeText("20000")
	h.press("Enter")
	h.diskIs(path, slicesJoin(orig, make([]byte, 20000-len(orig))), "after growing")
	h.press("Ctrl-Z")
	h.diskIs(path, orig, "after undoing the grow")
	if m := h.messageLine(); strings.TrimRight(m, " ") != " undid the grow of 7612 bytes at 0x3064 (size 20000 → 12388)" {
		t.Fatalf("message %q after undoing the grow", m)
	}
	h.gotoOff(0x2000)
	h.press("Alt-S")
	h.typeText("5000")
	h.press("Enter")
	h.typeText("y")
	h.diskIs(path, orig[:5000], "after truncating")
	h.press("Ctrl-Z")
	h.diskIs(path, orig, "after undoing the truncate")
	if m := h.messageLine(); strings.TrimRight(m, " ") != " undid the truncate of 7388 bytes at 0x1388 (size 5000 → 12388)" {
		t.Fatalf("message %q after undoing the truncate", m)
	}
	h.gotoOff(0x100)
	h.press("Alt-s")
	h.gotoOff(0x1ff)
	h.press("Alt-H")
	h.press("Esc")
	h.press("Ctrl-Z")
	h.diskIs(path, orig, "after undoing the punch")
	if m := h.messageLine(); strings.TrimRight(m, " ") != " undid the punch of 256 bytes at 0x100" {
		t.Fatalf("message %q after undoing the punch", m)
	}

	// Quit without saving after an insert: the dialog's r collapses it.
	h.gotoOff(at)
	h.press("Alt-I")
	h.typeText("8192")
	h.press("Enter")
	h.diskIs(path, slicesJoin(orig[:at], make([]byte, 8192), orig[at:]), "after the second insert")
	h.press("Ctrl-Q")
	h.press("r")
	if !h.e.stopped() {
		t.Fatalf("the quit dialog's r did not quit:\n%s", h.draw())
	}
	h.diskIs(path, orig, "after quitting with r")
}

func slicesJoin(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// The real binary in tmux: Alt-I inserts a block at the cursor, Ctrl-Z
// undoes it (the message says so, the status line shows the cursor on the
// same byte at its old offset), and the file equals the original (cmp);
// Ctrl-Y redoes it, Ctrl-Z again, and a quit leaves the original.
func TestTmuxInsertUndo(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	if testing.Short() {
		t.Skip("-short: skipping the tmux test")
	}
	cmp := testenv.RequireTool(t, "cmp")
	bin := mmhexBinary(t)
	orig := testenv.Pattern(3*4096+100, 19)
	path := writeFile(t, "insundo.bin", orig)
	keep := writeFile(t, "orig.bin", orig)
	requireBlockMoves(t, path)
	same := func(what string) {
		t.Helper()
		if out, err := exec.Command(cmp, keep, path).CombinedOutput(); err != nil {
			t.Fatalf("cmp %s: %v\n%s", what, err, out)
		}
	}
	s := newLiveTerm(t, "insundo", 120, bin, path)
	s.waitFor("00000000  ", 10*time.Second)
	s.keys("C-g")
	s.keys("-l", "0x1234")
	s.keys("Enter")
	s.waitFor("0x1234 (4660) 37.6%  byte 0xe5 229", 10*time.Second)
	s.keys("M-I")
	s.waitFor("insert zero bytes at 0x1234, how many:", 10*time.Second)
	s.keys("-l", "4096")
	s.keys("Enter")
	s.waitFor("0x2234 (8756) 53.1%  byte 0xe5 229", 20*time.Second)
	s.keys("C-z")
	s.waitFor("undid the insert of 4096 bytes at 0x1234 (size 16484 → 12388)", 20*time.Second)
	s.waitFor("0x1234 (4660) 37.6%  byte 0xe5 229", 10*time.Second)
	same("after Ctrl-Z")
	s.keys("C-y")
	s.waitFor("redid the insert of 4096 bytes at 0x1234 (size 12388 → 16484)", 20*time.Second)
	ref := append(append(append([]byte{}, orig[:0x1234]...), make([]byte, 4096)...), orig[0x1234:]...)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, ref) {
		t.Fatalf("after Ctrl-Y the file (%d bytes) is not prefix + 4096 zeros + suffix", len(got))
	}
	s.keys("C-z")
	s.waitFor("undid the insert of 4096 bytes at 0x1234 (size 16484 → 12388)", 20*time.Second)
	same("after the second Ctrl-Z")
	s.keys("C-q")
	s.waitExit(20 * time.Second)
	same("after quitting")
}

// The quit dialog's r (quit without saving) cannot undo an insert after
// another writer wrote into the inserted range: it changes nothing, says
// exactly what it cannot undo in the dialog, and does not quit; Esc
// leaves the dialog with the file as it was.
func TestQuitRevertShapeRefused(t *testing.T) {
	h, path, orig, block := shapeHarness(t, 3*4096+100)
	if block != 4096 {
		testenv.SkipOrFail(t, "the test wants 4096-byte blocks, not %d", block)
	}
	h.gotoOff(0x1234)
	h.press("Alt-I")
	h.typeText("4096")
	h.press("Enter")
	ins := slicesJoin(orig[:0x1234], make([]byte, 4096), orig[0x1234:])
	h.diskIs(path, ins, "after insert")
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteAt([]byte{0x77}, 0x1300); err != nil {
		t.Fatal(err)
	}
	ins[0x1300] = 0x77
	h.press("Ctrl-Q")
	h.press("r")
	if h.e.stopped() {
		t.Fatal("the dialog's r quit although the insert could not be undone")
	}
	// The dialog's error, wrapped in its box over two lines.
	s := h.draw()
	var text []string
	for _, l := range strings.Split(s, "\n") {
		if _, in, ok := strings.Cut(l, "│ "); ok {
			if body, _, ok := strings.Cut(in, " │"); ok || strings.HasSuffix(in, "│") {
				text = append(text, strings.TrimSpace(strings.TrimSuffix(body, "│")))
			}
		}
	}
	got := strings.Join(text, " ")
	want := path + ": cannot undo the insert of 4096 bytes at 0x1234: the byte at 0x1300 changed by another writer since the edit; nothing was changed"
	if !strings.HasSuffix(got, want) {
		t.Fatalf("the dialog says %q,\nwant it to end %q:\n%s", got, want, s)
	}
	h.diskIs(path, ins, "after the refused revert")
	h.press("Esc")
	if h.e.stopped() {
		t.Fatal("Esc quit")
	}
	h.diskIs(path, ins, "after Esc")
}

// On a filesystem that cannot move blocks (tmpfs) the insert prompt does
// not ask for "a multiple of 4096", and any length is refused with the
// reason, not with sizes that "would work" (no size would).
func TestEditorInsertOnTmpfs(t *testing.T) {
	if _, err := os.Stat("/dev/shm"); err != nil {
		testenv.SkipOrFail(t, "no /dev/shm: %v", err)
	}
	fh, err := os.CreateTemp("/dev/shm", "mmhex-insert-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(fh.Name()) })
	orig := testenv.Pattern(10000, 4)
	fh.Write(orig)
	fh.Close()
	h := newHarness(t, fh.Name(), 140, 24, mapping.Options{}, Options{})
	h.gotoOff(0x100)
	h.press("Alt-I")
	if l := line(h.draw(), " insert zero bytes"); strings.TrimRight(l, " ") != " insert zero bytes at 0x100, how many:   this tmpfs cannot move blocks: ext4 or xfs can" {
		t.Fatalf("prompt %q", l)
	}
	h.typeText("1000")
	h.press("Enter")
	want := " this tmpfs cannot move blocks (operation not supported): insert and delete need ext4 or xfs; nothing was changed"
	if l := line(h.draw(), " this tmpfs"); strings.TrimRight(l, " ") != want {
		t.Fatalf("message %q, want %q", l, want)
	}
	h.diskIs(fh.Name(), orig, "after the refused insert")
}

// Undoing a delete or a truncate puts the marks, the jump list's places
// and the selection's start that the change moved out of the removed
// range back on their bytes (they stayed at the first byte after the
// range, or the new last byte: the guide promises they "move back with
// their bytes", as vim's undo restores marks); a mark set again since
// the change stays where it was set.
func TestEditorUndoShapeRestoresMarks(t *testing.T) {
	h, path, orig, block := shapeHarness(t, 4*4096+100)
	if block != 4096 {
		testenv.SkipOrFail(t, "the test wants 4096-byte blocks, not %d", block)
	}
	setMark := func(off int64, r string) {
		h.gotoOff(off)
		h.press("Alt-m")
		h.typeText(r)
	}
	setMark(0x1400, "a") // inside the block to delete
	setMark(0x1800, "c") // inside it too, set again after the delete
	setMark(0x3000, "b") // after it
	marks := featureOf[*marks](h.e).marks
	h.e.jumps.list = []int64{0x1500, 0x10, 0x3010}

	h.gotoOff(0x1000)
	h.press("Alt-s")
	h.gotoOff(0x1fff)
	h.press("Alt-D")
	h.diskIs(path, slicesJoin(orig[:0x1000], orig[0x2000:]), "after delete")
	if marks['a'] != 0x1000 || marks['c'] != 0x1000 || marks['b'] != 0x2000 {
		t.Fatalf("after the delete: marks a=%#x c=%#x b=%#x", marks['a'], marks['c'], marks['b'])
	}
	h.press("Esc")
	setMark(0x20, "c")
	h.press("Ctrl-Z")
	h.diskIs(path, orig, "after undoing the delete")
	if marks['a'] != 0x1400 || marks['b'] != 0x3000 || marks['c'] != 0x20 {
		t.Fatalf("after undoing the delete: marks a=%#x b=%#x c=%#x, want 0x1400 0x3000 0x20", marks['a'], marks['b'], marks['c'])
	}
	// The jump list: gotoOff pushed places too; the three set by hand
	// are at its start.
	if l := h.e.jumps.list; len(l) < 3 || l[0] != 0x1500 || l[1] != 0x10 || l[2] != 0x3010 {
		t.Fatalf("jump list after undoing the delete: %#x", l)
	}
	// Redo cuts again, undo restores again.
	h.press("Ctrl-Y")
	if marks['a'] != 0x1000 || marks['b'] != 0x2000 {
		t.Fatalf("after redoing the delete: marks a=%#x b=%#x", marks['a'], marks['b'])
	}
	h.press("Ctrl-Z")
	if marks['a'] != 0x1400 || marks['b'] != 0x3000 {
		t.Fatalf("after the second undo of the delete: marks a=%#x b=%#x", marks['a'], marks['b'])
	}

	// A truncate clamps the marks past the new end; its undo restores
	// them.
	h.press("Alt-S")
	h.typeText("5000")
	h.press("Enter")
	h.typeText("y")
	h.diskIs(path, orig[:5000], "after the truncate")
	if marks['b'] != 4999 || marks['a'] != 0x1387 {
		t.Fatalf("after the truncate: marks a=%#x b=%#x", marks['a'], marks['b'])
	}
	h.press("Ctrl-Z")
	h.diskIs(path, orig, "after undoing the truncate")
	if marks['a'] != 0x1400 || marks['b'] != 0x3000 || marks['c'] != 0x20 {
		t.Fatalf("after undoing the truncate: marks a=%#x b=%#x c=%#x, want 0x1400 0x3000 0x20", marks['a'], marks['b'], marks['c'])
	}
}

// requireBlockMoves skips (fails under CI) unless path is on ext4 or xfs
// with 4096-byte blocks: the insert and delete tests move whole blocks.
func requireBlockMoves(t *testing.T, path string) {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	g, err := reshape.GeometryOf(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if g.Block != 4096 || (g.FS != "ext4" && g.FS != "xfs") {
		testenv.SkipOrFail(t, "the test folder is on %s with %d-byte blocks; the test wants ext4 or xfs with 4096", g.FS, g.Block)
	}
}
