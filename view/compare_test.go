package view

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// comparePair writes A (3000 pattern bytes) and B (A with two bytes
// changed at 0x105, "DIFF" at 0x400, and 4 more bytes).
func comparePair(t *testing.T) (pa, pb string, a, b []byte) {
	t.Helper()
	dir := t.TempDir()
	a = testenv.Pattern(3000, 13)
	b = append([]byte(nil), a...)
	b[0x105] ^= 0xff
	b[0x106] ^= 1
	copy(b[0x400:], "DIFF")
	b = append(b, "tail"...)
	pa, pb = filepath.Join(dir, "A"), filepath.Join(dir, "B")
	if err := os.WriteFile(pa, a, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pb, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return
}

func compareHarness(t *testing.T, pa, pb string, w, ht int, keys *keymap.Dispatcher) (*harness, *mapping.File) {
	t.Helper()
	fb, err := mapping.Open(pb, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fb.Close() })
	h := newHarness(t, pa, w, ht, mapping.Options{}, Options{Other: fb, Name: "A", Keys: keys})
	c := featureOf[*comparer](h.e)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.mu.Lock()
		done := c.countEnd
		c.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background count did not end in 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return h, fb
}

// relName shows B's path as "B" in the golden screens (its folder is a
// temporary one).
func relName(screen, pb string) string { return strings.ReplaceAll(screen, pb, "B") }

// TestCompareScreens: `mmhex A B` side by side at 160 columns and stacked
// at 80: the other file's header (name, size, mode), the same rows, the
// differing bytes highlighted in both grids, and after next-difference
// "difference 1 of 3, 2 B" with the cursor on the run in both.
func TestCompareScreens(t *testing.T) {
	pa, pb, _, _ := comparePair(t)
	for _, size := range [][2]int{{160, 20}, {80, 24}} {
		h, _ := compareHarness(t, pa, pb, size[0], size[1], nil)
		screen := h.draw()
		if !strings.Contains(screen, "differences: 3 │") {
			t.Fatalf("%d columns: no count in the status line:\n%s", size[0], screen)
		}
		h.e.RunAction(keymap.DiffNext, Args{})
		screen = relName(h.draw(), pb)
		golden(t, fmt.Sprintf("compare-%d", size[0]), screen)
		// the differing bytes 0x105 and 0x106 are highlighted in both grids,
		// 0x104 is not
		x, y, ok := h.find("00000100  ")
		if !ok {
			t.Fatal("row 0x100 not shown")
		}
		hexX := func(i int) int { return x + 10 + i*3 + i/8 }
		for _, grid := range []int{0, 1} {
			gx, gy := x, y
			if grid == 1 {
				if size[0] >= 160 {
					line := strings.Split(h.draw(), "\n")[y]
					gx = len([]rune(line[:strings.LastIndex(line, "00000100  ")]))
				} else {
					lines := strings.Split(h.draw(), "\n")
					for yy := y + 1; yy < len(lines); yy++ {
						if strings.HasPrefix(lines[yy], " 00000100  ") {
							gy = yy
						}
					}
					if gy == y {
						t.Fatalf("80 columns: row 0x100 of B not shown below:\n%s", h.draw())
					}
				}
			}
			for i, want := range map[int]bool{4: false, 5: true, 6: true, 7: false} {
				_, st := h.cell(gx+(hexX(i)-x)+1, gy)
				_, bg, _ := st.Decompose()
				if got := bg == tcell.PaletteColor(6); got != want && !(i == 5 && bg != tcell.ColorDefault) {
					t.Errorf("%d columns, grid %d: byte 0x10%d highlighted %v, want %v (bg %v)", size[0], grid, i, got, want, bg)
				}
			}
		}
	}
}

// TestCompareObtainPut: next difference, obtain (the run from B into A,
// one undo step, A synced by the sync action), next, put (the run from A
// into B, synced at once): the bytes on disk, and the count follows.
func TestCompareObtainPut(t *testing.T) {
	pa, pb, a, b := comparePair(t)
	h, fb := compareHarness(t, pa, pb, 160, 20, nil)
	h.e.RunAction(keymap.DiffNext, Args{})
	if h.e.Cursor() != 0x105 {
		t.Fatalf("cursor at %#x, want 0x105", h.e.Cursor())
	}
	h.e.RunAction(keymap.DiffObtain, Args{})
	h.e.RunAction(keymap.Sync, Args{})
	want := append([]byte(nil), a...)
	copy(want[0x105:0x107], b[0x105:0x107])
	testenv.MustEqual(t, "A after obtain and sync", testenv.DiskBytes(t, pa), want)
	h.e.RunAction(keymap.DiffNext, Args{})
	if h.e.Cursor() != 0x400 {
		t.Fatalf("cursor at %#x, want 0x400", h.e.Cursor())
	}
	h.e.RunAction(keymap.DiffPut, Args{})
	wantB := append([]byte(nil), b...)
	copy(wantB[0x400:0x404], a[0x400:0x404])
	testenv.MustEqual(t, "B after put", testenv.DiskBytes(t, pb), wantB)
	s := h.draw()
	if !strings.Contains(s, "copied 4 bytes at 0x400 into "+pb+" (side B): unsynced there; F6 switches to it (undo, Ctrl-S)") {
		t.Errorf("no put message:\n%s", s)
	}
	// the put is an edit of B: counted in B's panel header, undone and
	// synced on side B (its own journal), A untouched
	if !strings.Contains(s, pb+"  2.93 KiB (3004 B)  rw  1 unsynced") || fb.UnsyncedEdits() != 1 {
		t.Errorf("B's panel header after the put (B's unsynced edits %d):\n%s", fb.UnsyncedEdits(), s)
	}
	h.e.RunAction(keymap.DiffSwitch, Args{})
	if h.e.File() != fb || h.e.Cursor() != 0x400 {
		t.Fatalf("after the switch: file %s cursor %#x", h.e.File().Path(), h.e.Cursor())
	}
	h.e.RunAction(keymap.Undo, Args{})
	testenv.MustEqual(t, "B after undo on side B", testenv.DiskBytes(t, pb), b)
	h.e.RunAction(keymap.Redo, Args{})
	h.e.RunAction(keymap.Sync, Args{})
	testenv.MustEqual(t, "B after redo and sync on side B", testenv.DiskBytes(t, pb), wantB)
	testenv.MustEqual(t, "A untouched by B's undo, redo and sync", testenv.DiskBytes(t, pa), want)
	if fb.UnsyncedEdits() != 0 {
		t.Errorf("B's unsynced edits after its sync: %d", fb.UnsyncedEdits())
	}
	h.e.RunAction(keymap.DiffSwitch, Args{})
	if h.e.File() == fb {
		t.Fatal("the second switch did not come back to A")
	}
	// only the tail is left: the count says 1, next goes to it
	c := featureOf[*comparer](h.e)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if n, done := c.total(); done && n == 1 {
			break
		}
		if time.Now().After(deadline) {
			n, done := c.total()
			t.Fatalf("count %d done %v, want 1", n, done)
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.e.RunAction(keymap.DiffNext, Args{})
	if s := h.draw(); !strings.Contains(s, "only in "+pb+" from 0xbb8: 4 bytes past the end of this file") {
		t.Errorf("next to the tail:\n%s", s)
	}
	h.e.RunAction(keymap.DiffPrev, Args{})
	if s := h.draw(); !strings.Contains(s, "no difference before 0xbb8") {
		t.Errorf("prev with only the tail left:\n%s", s)
	}
}

// TestCompareTail: B is 4 bytes longer than A: the cursor goes past A's
// end into B's tail (next difference, Right, End of the row): A's grid
// says "only in B" there, B's rows show the tail highlighted, with the
// cursor; typing there is refused and changes nothing; F6 makes B active
// and the mirror row says "only in A"'s complement: the bytes only in B.
func TestCompareTail(t *testing.T) {
	pa, pb, a, b := comparePair(t)
	b = append(b, bytes.Repeat([]byte{0x5a}, 96)...) // B's tail: 100 bytes from 0xbb8
	if err := os.WriteFile(pb, b, 0o644); err != nil {
		t.Fatal(err)
	}
	h, _ := compareHarness(t, pa, pb, 160, 20, nil)
	h.e.SetCursor(0xbb7) // A's last byte
	h.press("Right")
	if h.e.Cursor() != 0xbb8 {
		t.Fatalf("Right from A's last byte: cursor %#x, want 0xbb8 (B's tail)", h.e.Cursor())
	}
	h.press("Down")
	if h.e.Cursor() != 0xbc8 {
		t.Fatalf("Down into B's tail: cursor %#x, want 0xbc8", h.e.Cursor())
	}
	lines := strings.Split(h.draw(), "\n")
	y := -1
	for i, l := range lines {
		if strings.HasPrefix(l, " 00000bb0  ") {
			y = i
		}
	}
	if y < 0 {
		t.Fatalf("row 0xbb0 not shown:\n%s", strings.Join(lines, "\n"))
	}
	wantA := " 00000bb0  " + fmt.Sprintf("%02x %02x %02x %02x %02x %02x %02x %02x", a[0xbb0], a[0xbb1], a[0xbb2], a[0xbb3], a[0xbb4], a[0xbb5], a[0xbb6], a[0xbb7])
	if !strings.HasPrefix(lines[y], wantA) {
		t.Errorf("A's last row:\n%q\nwant prefix %q", lines[y], wantA)
	}
	if want := " only in " + pb + " from 0xbb8: 100 bytes"; !strings.HasPrefix(lines[y+1], want) {
		t.Errorf("the row after A's end:\n%q\nwant prefix %q", lines[y+1], want)
	}
	// B's row 0xbb0 beside: 12 bytes, the last 4 ("tail") highlighted,
	// the cursor on 0xbb8
	bx := strings.Index(lines[y], "│ 00000bb0  ")
	if bx < 0 {
		t.Fatalf("B's row 0xbb0 not beside:\n%q", lines[y])
	}
	bx = len([]rune(lines[y][:bx])) + 1
	if !strings.HasPrefix(lines[y+1][strings.Index(lines[y+1], "│"):], "│ 00000bc0  5a 5a") {
		t.Errorf("B's row 0xbc0 beside the 'only in' line:\n%q", lines[y+1])
	}
	for i := 8; i < 12; i++ {
		hx := bx + 10 + 3*i + 1 + 1 // offset digits, two spaces, the group gap after 8
		r, st := h.cell(hx, y)
		_, bg, attr := st.Decompose()
		if r != rune(hexDigits[b[0xbb0+i]>>4]) || bg != tcell.PaletteColor(6) || attr&tcell.AttrReverse != 0 {
			t.Errorf("B's byte 0x%x: %q bg %v attr %v, want %c highlighted", 0xbb0+i, r, bg, attr, hexDigits[b[0xbb0+i]>>4])
		}
	}
	if st := lines[len(lines)-3]; !strings.Contains(st, "│ 0xbc8 (3016) past the end  HEX │") {
		t.Errorf("status line in the tail: %q", st)
	}
	h.typeText("ff")
	if s := h.messageLine(); !strings.Contains(s, "0xbc8 is only in "+pb+", past the end of this file: F6 makes it the active side") {
		t.Errorf("typing in the tail: %q", s)
	}
	testenv.MustEqual(t, "A after typing in B's tail", testenv.DiskBytes(t, pa), a)
	testenv.MustEqual(t, "B after typing in B's tail from A", testenv.DiskBytes(t, pb), b)
	// B active: the cursor stays at 0xbb8, now in the file; A's panel
	// says the bytes from 0xbb8 are only in B
	h.press("F6")
	s := h.draw()
	if h.e.Cursor() != 0xbc8 || !strings.Contains(s, "│ only in "+filepath.Base(pb)+" from 0xbb8") {
		t.Errorf("B active in the tail: cursor %#x\n%s", h.e.Cursor(), s)
	}
	h.press("F6")
	h.press("Up")
	h.press("Left")
	if h.e.Cursor() != 0xbb7 {
		t.Errorf("Up, Left from the tail: cursor %#x, want 0xbb7", h.e.Cursor())
	}
}

// TestCompareVimKeys: ]c and [c move, d o obtains (vim preset).
func TestCompareVimKeys(t *testing.T) {
	pa, pb, a, b := comparePair(t)
	m, err := keymap.PresetMap("vim")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := compareHarness(t, pa, pb, 160, 20, keymap.NewDispatcher(m))
	h.typeText("]c]c")
	if h.e.Cursor() != 0x400 {
		t.Fatalf("]c]c: cursor %#x, want 0x400", h.e.Cursor())
	}
	h.typeText("[c")
	if h.e.Cursor() != 0x105 {
		t.Fatalf("[c: cursor %#x, want 0x105", h.e.Cursor())
	}
	h.typeText("do")
	h.e.RunAction(keymap.Sync, Args{})
	want := append([]byte(nil), a...)
	copy(want[0x105:0x107], b[0x105:0x107])
	testenv.MustEqual(t, "A after do", testenv.DiskBytes(t, pa), want)
	if !bytes.Equal(testenv.DiskBytes(t, pb), b) {
		t.Error("B changed")
	}
}

// TestCompareWithoutOther: the compare actions on one file say so.
func TestCompareWithoutOther(t *testing.T) {
	pa, _, _, _ := comparePair(t)
	h := newHarness(t, pa, 100, 20, mapping.Options{}, Options{})
	h.e.RunAction(keymap.DiffNext, Args{})
	if s := h.draw(); !strings.Contains(s, "no second file: mmhex A B compares two files") {
		t.Errorf("diff-next on one file:\n%s", s)
	}
}

// TestTmuxCompare: the real binary in tmux opens two files side by side,
// jumps to the next difference (F8), copies it from the other file
// (Alt-g), syncs (Ctrl-S) and quits: A holds B's bytes there on disk, B is
// unchanged. The same file twice says so and shows one grid.
func TestTmuxCompare(t *testing.T) {
	bin := mmhexBinary(t)
	pa, pb, a, b := comparePair(t)
	s := newTerm(t, 160, 24)
	s.text(fmt.Sprintf("%s %s %s; echo EXIT=$?", bin, pa, pb))
	s.keys("Enter")
	s.waitFor("differences: 3 │")
	s.keys("F8")
	s.waitFor("difference 1 of 3, 2 B │ 0x105 (261)")
	s.keys("M-g")
	s.waitFor("copied 2 bytes at 0x105 from " + pb + " (one undo step)")
	s.waitFor("differences: 2 │")
	s.keys("C-s")
	s.waitFor("last sync: MS_SYNC 1 page")
	s.keys("C-q")
	s.waitFor("EXIT=0")
	want := append([]byte(nil), a...)
	copy(want[0x105:0x107], b[0x105:0x107])
	testenv.MustEqual(t, "A on disk", testenv.DiskBytes(t, pa), want)
	testenv.MustEqual(t, "B on disk", testenv.DiskBytes(t, pb), b)

	s.text(fmt.Sprintf("clear; %s %s %s; echo EXIT=$?", bin, pa, pa))
	s.keys("Enter")
	scr := s.waitFor("are the same file: one grid")
	if strings.Count(scr, "00000000  ") != 1 {
		t.Errorf("same file: not one grid:\n%s", scr)
	}
	s.keys("C-q")
	s.waitFor("EXIT=0")
}

// TestCompareSelection: with a selection, obtain copies the selection's
// bytes from B (equal ones too), not the run under the cursor; put into a
// read-only B is refused and changes nothing.
func TestCompareSelection(t *testing.T) {
	pa, pb, a, b := comparePair(t)
	h, _ := compareHarness(t, pa, pb, 160, 20, nil)
	h.e.SetCursor(0x3fe)
	h.e.StartSelection(0x3fe)
	h.e.SetCursor(0x401)
	off, n, ok := h.e.Selection()
	if !ok || off != 0x3fe || n < 2 {
		t.Fatalf("selection %#x+%d %v", off, n, ok)
	}
	h.e.RunAction(keymap.DiffObtain, Args{})
	h.e.RunAction(keymap.Sync, Args{})
	want := append([]byte(nil), a...)
	copy(want[off:off+n], b[off:off+n])
	testenv.MustEqual(t, "A after obtaining the selection", testenv.DiskBytes(t, pa), want)

	fb, err := mapping.Open(pb, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	h2 := newHarness(t, pa, 160, 20, mapping.Options{}, Options{Other: fb, Name: "A"})
	h2.e.SetCursor(0x105)
	h2.e.RunAction(keymap.DiffPut, Args{})
	if s := h2.draw(); !strings.Contains(s, pb+" is read-only: nothing copied") {
		t.Errorf("put into a read-only file:\n%s", s)
	}
	testenv.MustEqual(t, "B after a refused put", testenv.DiskBytes(t, pb), b)
}

// compareJobRun runs the editor (Run) on A with B as the other file; the
// first job named hold is held at its start until release is called.
func compareJobRun(t *testing.T, pa, pb, hold string) (r *jobRun, held chan struct{}, release func()) {
	t.Helper()
	held = make(chan struct{}, 1)
	released := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(released) }) }
	t.Cleanup(release)
	fb, err := mapping.Open(pb, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fb.Close() })
	var first atomic.Bool
	step := func(what, progress string) {
		if what == hold && progress == "" && first.CompareAndSwap(false, true) {
			held <- struct{}{}
			<-released
		}
	}
	r = startJobRunOpts(t, pa, 160, Options{Other: fb, test: &testHooks{jobStep: step}})
	r.waitFor("differences: 3 │")
	return r, held, release
}

// jumpCancelled: the difference search what (key), started at from, is
// held, Esc says what it stops, naming the search, and that it stopped;
// the status line still shows at (the cursor stayed, no "moved" text).
// The same key then moves: to found.
func jumpCancelled(t *testing.T, what, key string, from int64, at, moved, found string) {
	pa, pb, _, _ := comparePair(t)
	r, held, release := compareJobRun(t, pa, pb, what)
	r.ui(true, func() { r.e.SetCursor(from) })
	r.waitFor("differences: 3 │ " + at)
	r.keys(key)
	waitHeld(r, held)
	r.waitFor(what + "… │")
	r.keys("Esc")
	r.waitFor("cancelling the search for the " + what + ": the cursor stays")
	release()
	r.waitFor(what + ": stopped")
	if s := r.waitFor("differences: 3 │ " + at); strings.Contains(s, moved) {
		t.Errorf("moved after Esc:\n%s", s)
	}
	r.keys(key)
	r.waitFor(found)
	r.quit()
}

// TestCompareNextCancelled: next difference runs as the editor's job: the
// status line says so while it runs, Esc stops it and says what it stops,
// naming the search, and it says it stopped (the cursor stays).
func TestCompareNextCancelled(t *testing.T) {
	jumpCancelled(t, "next difference", "F8", 0, "0x0 (0)", "difference 1 of", "difference 1 of 3, 2 B │ 0x105 (261)")
}

// TestComparePrevCancelled: the same for previous difference, from 0x500.
func TestComparePrevCancelled(t *testing.T) {
	jumpCancelled(t, "previous difference", "F7", 0x500, "0x500 (1280)", "difference 2 of", "difference 2 of 3, 4 B │ 0x400 (1024)")
}

// TestCompareCopyCancelled: obtain and put of a selection run as the
// editor's job; Esc says it copies nothing, naming the copy, and nothing
// is copied (a selection's copy never looks at the cancel: the copy is
// dropped at its finish). The same copy without Esc then copies, so the
// check could fail.
func TestCompareCopyCancelled(t *testing.T) {
	for _, c := range []struct {
		key, what, target string
		put               bool
	}{
		{"Alt-g", "copying from the other file", "from", false},
		{"Alt-y", "copying into the other file", "into", true},
	} {
		t.Run(c.what, func(t *testing.T) {
			pa, pb, a, b := comparePair(t)
			r, held, release := compareJobRun(t, pa, pb, c.what)
			selectRun := func() {
				r.ui(true, func() {
					r.e.SetCursor(0x3fe)
					r.e.StartSelection(0x3fe)
					r.e.SetCursor(0x401)
				})
			}
			selectRun()
			r.keys(c.key)
			waitHeld(r, held)
			r.keys("Esc")
			r.waitFor("cancelling the copy " + c.target + " the other file: nothing is copied")
			release()
			r.waitFor(c.what + ": stopped: nothing copied")
			testenv.MustEqual(t, "A after a cancelled copy", testenv.DiskBytes(t, pa), a)
			testenv.MustEqual(t, "B after a cancelled copy", testenv.DiskBytes(t, pb), b)
			selectRun()
			r.keys(c.key)
			r.waitFor("copied 4 bytes at 0x3fe ")
			wantA, wantB := a, b
			if c.put {
				wantB = append([]byte(nil), b...)
				copy(wantB[0x3fe:0x402], a[0x3fe:])
			} else {
				wantA = append([]byte(nil), a...)
				copy(wantA[0x3fe:0x402], b[0x3fe:])
			}
			testenv.MustEqual(t, "A after the copy", testenv.DiskBytes(t, pa), wantA)
			testenv.MustEqual(t, "B after the copy", testenv.DiskBytes(t, pb), wantB)
			r.quit()
		})
	}
}

// TestCompareBlockDevice: B a block device (a loop device) opens
// read-only without --write: its header says so, a put into it is refused,
// an obtain from it works, and its tail past A's end is a difference.
func TestCompareBlockDevice(t *testing.T) {
	pa, _, a, _ := comparePair(t)
	content := append([]byte(nil), a...)
	content[0x10] ^= 0xff
	dev, _ := testenv.LoopDevice(t, 1<<20, content)
	fb, err := mapping.Open(dev, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	if fb.Mode() != mapping.ReadOnly {
		t.Fatalf("a block device without --write opened %v", fb.Mode())
	}
	h := newHarness(t, pa, 160, 20, mapping.Options{}, Options{Other: fb, Name: "A"})
	c := featureOf[*comparer](h.e)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if n, done := c.total(); done {
			if n != 2 {
				t.Fatalf("%d differences, want 2 (0x10 and the device's tail)", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the count did not end")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s := h.draw(); !strings.Contains(s, "│ "+dev+"  1.00 MiB (1048576 B)  read-only (block device)") {
		t.Errorf("B's header:\n%s", s)
	}
	h.e.RunAction(keymap.DiffNext, Args{})
	if h.e.Cursor() != 0x10 {
		t.Fatalf("cursor %#x, want 0x10", h.e.Cursor())
	}
	h.e.RunAction(keymap.DiffPut, Args{})
	if s := h.draw(); !strings.Contains(s, dev+" is read-only: nothing copied") {
		t.Errorf("put into the device:\n%s", s)
	}
	h.e.RunAction(keymap.DiffObtain, Args{})
	h.e.RunAction(keymap.Sync, Args{})
	want := append([]byte(nil), a...)
	want[0x10] = content[0x10]
	testenv.MustEqual(t, "A after obtaining from the device", testenv.DiskBytes(t, pa), want)
}

// TestCompareCounting: while the background count runs the status line
// says "≥ n, counting…" and next difference still works; when it ends it
// says the number.
func TestCompareCounting(t *testing.T) {
	pa, pb, _, _ := comparePair(t)
	hold := make(chan struct{})
	hooksFor(t).compareHold = hold
	fb, err := mapping.Open(pb, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	h := newHarness(t, pa, 160, 20, mapping.Options{}, Options{Other: fb, Name: "A"})
	if s := h.draw(); !strings.Contains(s, " differences: ≥ 0, counting… │ 0x0 (0)") {
		t.Fatalf("while counting:\n%s", s)
	}
	h.e.RunAction(keymap.DiffNext, Args{})
	if s := h.draw(); !strings.Contains(s, " difference ? of ≥ 0, counting…, 2 B │ 0x105 (261)") {
		t.Fatalf("next while counting:\n%s", s)
	}
	close(hold)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(h.draw(), " difference ? of 3, 2 B │ 0x105") {
		if time.Now().After(deadline) {
			t.Fatalf("the count never ended:\n%s", h.draw())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCompareSwitchSide: F6 makes B the active side: the header names B,
// the panel A, the status line says side B; a typed byte goes to B's
// journal; an edit of A before, one of B after: the quit dialog names
// both, and r reverts both files on disk.
func TestCompareSwitchSide(t *testing.T) {
	pa, pb, a, b := comparePair(t)
	h, fb := compareHarness(t, pa, pb, 160, 20, nil)
	fa := h.e.File()
	h.e.SetCursor(0x10)
	h.typeText("ab")
	if fa.UnsyncedEdits() != 1 {
		t.Fatalf("A's unsynced edits %d, want 1", fa.UnsyncedEdits())
	}
	h.press("F6")
	waitCounted(t, h)
	lines := strings.Split(h.draw(), "\n")
	if want := " mmhex  " + pb + "  2.93 KiB (3004 B)  rw"; !strings.HasPrefix(lines[0], want) {
		t.Errorf("header after the switch:\n%q\nwant prefix %q", lines[0], want)
	}
	if want := "│ " + pa + "  2.93 KiB (3000 B)  rw  1 unsynced"; !strings.Contains(lines[1], want) {
		t.Errorf("A's panel header:\n%q\nwant %q", lines[1], want)
	}
	if want := " side B · differences: 4 │ 0x11 (17) 0.57%  byte 0x"; !strings.HasPrefix(lines[len(lines)-3], want) {
		t.Errorf("status line:\n%q\nwant prefix %q", lines[len(lines)-3], want)
	}
	if want := "editing side B: " + pb + " (F6 switches back)"; !strings.Contains(lines[len(lines)-2], want) {
		t.Errorf("message line:\n%q\nwant %q", lines[len(lines)-2], want)
	}
	// the cursor row: B's byte 0x10 is the original (A's was typed over),
	// highlighted as a difference in the active grid
	x, y, ok := h.find(" 00000010  ")
	if !ok {
		t.Fatalf("row 0x10 not shown:\n%s", h.draw())
	}
	if r, st := h.cell(x+11, y); r != rune(hexDigits[b[0x10]>>4]) {
		t.Errorf("B's byte 0x10 drawn %q, want %x (style %v)", r, b[0x10], st)
	}
	h.e.SetCursor(0x10)
	h.typeText("cd")
	if fb.UnsyncedEdits() != 1 || fa.UnsyncedEdits() != 1 {
		t.Fatalf("unsynced edits: A %d B %d, want 1 and 1", fa.UnsyncedEdits(), fb.UnsyncedEdits())
	}
	if got := testenv.DiskBytes(t, pb)[0x10]; got != 0xcd {
		t.Fatalf("B's byte 0x10 = %#x, want 0xcd", got)
	}
	h.e.RunAction(keymap.Quit, Args{})
	s := h.draw()
	for _, want := range []string{"2 edits are not synced", "Unsynced in " + filepath.Base(pb) + ": 1, " + filepath.Base(pa) + ": 1."} {
		if !strings.Contains(strings.Join(strings.Fields(s), " "), want) {
			t.Errorf("quit dialog without %q:\n%s", want, s)
		}
	}
	h.press("r")
	if !h.e.stopped() {
		t.Fatalf("r did not quit:\n%s", h.draw())
	}
	testenv.MustEqual(t, "A after revert", testenv.DiskBytes(t, pa), a)
	testenv.MustEqual(t, "B after revert", testenv.DiskBytes(t, pb), b)
}

// TestTmuxCompareSwitch: the real binary: F6 makes B the active side, a
// typed byte goes to B, Ctrl-S syncs B; B's bytes on disk, A unchanged.
// The vim preset's Ctrl-W w switches too.
func TestTmuxCompareSwitch(t *testing.T) {
	bin := mmhexBinary(t)
	pa, pb, a, b := comparePair(t)
	s := newTerm(t, 160, 24)
	s.text(fmt.Sprintf("%s %s %s; echo EXIT=$?", bin, pa, pb))
	s.keys("Enter")
	s.waitFor("side A · differences: 3 │")
	s.keys("F6")
	s.waitFor("editing side B: " + pb + " (F6 switches back)")
	s.text("ab")
	s.waitFor("side B · differences: 4 │")
	s.keys("C-s")
	s.waitFor("last sync: MS_SYNC 1 page")
	s.keys("C-q")
	s.waitFor("EXIT=0")
	wantB := append([]byte(nil), b...)
	wantB[0] = 0xab
	testenv.MustEqual(t, "B on disk", testenv.DiskBytes(t, pb), wantB)
	testenv.MustEqual(t, "A on disk", testenv.DiskBytes(t, pa), a)

	s.text(fmt.Sprintf("clear; %s --keys vim %s %s; echo EXIT=$?", bin, pa, pb))
	s.keys("Enter")
	s.waitFor("side A · differences: 4 │")
	s.keys("C-w", "w")
	s.waitFor("editing side B: " + pb + " (Ctrl-W w switches back)")
	s.keys("C-w", "p")
	s.waitFor("editing side A: " + pa + " (Ctrl-W w switches back)")
	s.text(":q")
	s.keys("Enter")
	s.waitFor("EXIT=0")
}

// waitCounted waits (20 s at most) for the background count that a
// switch or an edit restarted.
func waitCounted(t *testing.T, h *harness) {
	t.Helper()
	c := featureOf[*comparer](h.e)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.mu.Lock()
		done := c.countEnd
		c.mu.Unlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the background count did not end in 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCompareFeaturesOnSideB: with B active, search finds what only B
// holds ("DIFF" at 0x400), goto moves in B, the inspector reads B's bytes,
// marks are B's own (A's mark a is not B's; back on A it is there again).
func TestCompareFeaturesOnSideB(t *testing.T) {
	q := syncPosts(t)
	pa, pb, _, b := comparePair(t)
	h, _ := compareHarness(t, pa, pb, 160, 24, nil)
	h.e.SetCursor(0x10)
	h.e.RunAction(keymap.MarkSet, Args{Arg: 'a'})
	h.press("F6")
	h.e.RunAction(keymap.MarkJump, Args{Arg: 'a'})
	if s := h.messageLine(); !strings.Contains(s, "mark 'a' is not set") {
		t.Errorf("A's mark on side B: %q", s)
	}
	h.e.SetCursor(0)
	h.e.RunAction(keymap.SearchForward, Args{Expr: "44 49 46 46"})
	q.drain(t, h.e)
	if h.e.Cursor() != 0x400 {
		t.Fatalf("search for DIFF on side B: cursor %#x, want 0x400\n%s", h.e.Cursor(), h.draw())
	}
	h.e.RunAction(keymap.Goto, Args{Expr: "0x105"})
	if h.e.Cursor() != 0x105 {
		t.Fatalf("goto on side B: cursor %#x", h.e.Cursor())
	}
	h.e.ShowPanel(inspectorPanel, true)
	if s, want := h.draw(), fmt.Sprintf("%d", int8(b[0x105])); !strings.Contains(s, "inspector @ 0x105") || !strings.Contains(s, want) {
		t.Errorf("inspector on side B (want B's byte %#x, int8 %s):\n%s", b[0x105], want, s)
	}
	h.press("F6")
	h.e.RunAction(keymap.MarkJump, Args{Arg: 'a'})
	if h.e.Cursor() != 0x10 {
		t.Errorf("A's mark a back on side A: cursor %#x, want 0x10", h.e.Cursor())
	}
}

// TestCompareTailEdits: in B's tail (past A's end) paste, fill and put are
// refused with typing's message, and nothing is written to either file.
func TestCompareTailEdits(t *testing.T) {
	pa, pb, a, b := comparePair(t)
	b = append(b, bytes.Repeat([]byte{0x5a}, 96)...) // B's tail: 100 bytes from 0xbb8
	if err := os.WriteFile(pb, b, 0o644); err != nil {
		t.Fatal(err)
	}
	h, _ := compareHarness(t, pa, pb, 160, 20, nil)
	want := "0xbc8 is only in " + pb + ", past the end of this file: F6 makes it the active side"
	// the register holds 4 bytes of A
	h.e.SetCursor(0)
	h.e.StartSelection(0)
	h.e.SetCursor(3)
	h.e.RunAction(keymap.CopyHex, Args{})
	h.e.ClearSelection()
	for _, c := range []struct {
		name string
		do   func()
	}{
		{"paste", func() { h.e.SetCursor(0xbc8); h.e.RunAction(keymap.PasteHex, Args{Expr: "ff"}) }},
		{"paste (prompt)", func() { h.e.SetCursor(0xbc8); h.e.RunAction(keymap.PasteHex, Args{}) }},
		{"put", func() { h.e.SetCursor(0xbc8); h.e.RunAction(keymap.Put, Args{}) }},
		{"fill (selection from A into the tail)", func() {
			h.e.SetCursor(0xbb0)
			h.e.StartSelection(0xbb0)
			h.e.SetCursor(0xbc8)
			h.e.RunAction(keymap.Fill, Args{Expr: "ff"})
		}},
		{"fill (selection in the tail)", func() {
			h.e.ClearSelection()
			h.e.SetCursor(0xbc0)
			h.e.StartSelection(0xbc0)
			h.e.SetCursor(0xbc8)
			h.e.RunAction(keymap.Fill, Args{Expr: "ff"})
		}},
	} {
		c.do()
		if s := h.messageLine(); !strings.Contains(s, want) {
			t.Errorf("%s in B's tail: message %q\nwant %q", c.name, s, want)
		}
		if h.e.PromptOpen() {
			t.Errorf("%s in B's tail: a prompt opened", c.name)
			h.press("Esc")
		}
		if h.e.job != nil {
			t.Fatalf("%s in B's tail: a job started (%s)", c.name, h.e.job.what)
		}
		testenv.MustEqual(t, "A after "+c.name+" in B's tail", testenv.DiskBytes(t, pa), a)
		testenv.MustEqual(t, "B after "+c.name+" in B's tail", testenv.DiskBytes(t, pb), b)
		if n := h.e.File().UnsyncedEdits(); n != 0 {
			t.Errorf("%s in B's tail: %d unsynced edits in A", c.name, n)
		}
	}
}
