package view

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/keymap"
)

// TestJumpList: goto, a mark jump, a search and Top push the place they
// leave; Alt-Left walks back through them, Alt-Right forward again; a new
// jump after going back drops the places ahead; the ends say so.
func TestJumpList(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	gotoOff := func(s string) {
		h.press("Ctrl-G")
		h.typeText(s)
		h.press("Enter")
	}
	gotoOff("0x100") // from 0
	h.press("Alt-m") // mark a at 0x100
	h.typeText("a")
	gotoOff("end-15") // from 0x100
	end := h.e.Cursor()
	if end != h.e.size-16 {
		t.Fatalf("end-15: cursor %#x, want %#x", end, h.e.size-16)
	}
	h.press("Alt-j") // from end-15 to a
	h.typeText("a")
	h.press("Right", "Right") // a small move is no jump
	h.press("Alt-<")          // Top, from 0x102
	want := []int64{0x102, end, 0x100, 0}
	for i, w := range want {
		h.press("Alt-Left")
		if c := h.e.Cursor(); c != w {
			t.Fatalf("back %d: cursor %#x, want %#x", i+1, c, w)
		}
	}
	h.press("Alt-Left")
	if s := h.draw(); !strings.Contains(s, "at the start of the jump list (5 places)") {
		t.Fatalf("past the start:\n%s", s)
	}
	for i, w := range []int64{0x100, end, 0x102, 0} {
		h.press("Alt-Right")
		if c := h.e.Cursor(); c != w {
			t.Fatalf("forward %d: cursor %#x, want %#x", i+1, c, w)
		}
	}
	h.press("Alt-Right")
	if s := h.draw(); !strings.Contains(s, "at the end of the jump list (5 places)") {
		t.Fatalf("past the end:\n%s", s)
	}
	// back three times, then a new jump: the places ahead are dropped
	h.press("Alt-o", "Alt-o", "Alt-o") // at 0x100
	gotoOff("0x40")
	h.press("Alt-Left")
	if c := h.e.Cursor(); c != 0x100 {
		t.Fatalf("after a new jump, back: cursor %#x, want 0x100", c)
	}
	h.press("Alt-p")
	if c := h.e.Cursor(); c != 0x40 {
		t.Fatalf("forward to the new jump: cursor %#x, want 0x40", c)
	}
	h.press("Alt-Right")
	if s := h.draw(); !strings.Contains(s, "at the end of the jump list") {
		t.Fatalf("the dropped places are still ahead:\n%s", s)
	}
}

// TestGotoFromEnd: "end-N" and "$-N" count back from the last byte.
func TestGotoFromEnd(t *testing.T) {
	t.Parallel()
	const size = 1000
	for _, c := range []struct {
		expr string
		want int64
		err  string
	}{
		{"end-16", 983, ""}, {"$-0x10", 983, ""}, {"END - 1k", 0, "goes before the start"}, {"$-999", 0, ""},
		{"end-0", 999, ""}, {"$-1000", 0, "goes before the start of the file (last offset 0x3e7)"},
		{"end+1", 0, `bad offset "end+1": after end comes -N (end-16, end-0x10)`}, {"$-x", 0, "bad offset"},
	} {
		got, err := parseGoto(c.expr, 5, size)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %d, %v; want error %q", c.expr, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: %d, %v; want %d", c.expr, got, err, c.want)
		}
	}
}

// TestTmuxJumpList: the real binary in tmux: Alt-Left / Alt-Right in the
// default preset, Ctrl-O / Ctrl-P in the vim preset walk the jump list
// that goto (end-relative too) and gg/G fill.
func TestTmuxJumpList(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(p, knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	last := int64(len(knownData()) - 1)
	s := startTmux(t, dir, bin, p)
	s.waitFor("F1 help")
	s.send("C-g")
	s.typeText("0x100")
	s.send("Enter", "C-g")
	s.typeText("$-0x10")
	s.send("Enter", "M-Left")
	s.waitFor("jump 2 of 3: 0x100 (256)")
	s.send("M-Left")
	s.waitFor("jump 1 of 3: 0x0 (0)")
	s.send("M-Right", "M-Right")
	s.waitFor(fmt.Sprintf("jump 3 of 3: 0x%x (%d)", last-16, last-16))
	s.send("C-q")
	s.waitFor("EXITED 0")

	v := startTmux(t, dir, bin, "--keys", "vim", p)
	v.waitFor("F1 help")
	v.send("G")
	v.send("g", "g")
	v.send("C-o")
	v.waitFor(fmt.Sprintf("jump 2 of 3: 0x%x (%d)", last, last))
	v.send("C-o")
	v.waitFor("jump 1 of 3: 0x0 (0)")
	v.send("C-p")
	v.waitFor(fmt.Sprintf("jump 2 of 3: 0x%x (%d)", last, last))
	v.typeText(":end-16")
	v.send("Enter", "C-o")
	v.waitFor(fmt.Sprintf("jump 2 of 3: 0x%x (%d)", last, last))
	v.typeText(":q")
	v.send("Enter")
	v.waitFor("EXITED 0")
}

// TestDifferenceJumpPushes: a jump to the next difference is a jump:
// jump-back returns to where it left.
func TestDifferenceJumpPushes(t *testing.T) {
	pa, pb, _, _ := comparePair(t)
	h, _ := compareHarness(t, pa, pb, 160, 20, nil)
	h.draw()
	from := h.e.Cursor()
	h.e.RunAction(keymap.DiffNext, Args{})
	h.draw()
	to := h.e.Cursor()
	if to == from {
		t.Fatalf("diff-next did not move (cursor %#x)", to)
	}
	h.e.RunAction(keymap.JumpBack, Args{})
	if c := h.e.Cursor(); c != from {
		t.Fatalf("jump-back after diff-next: cursor %#x, want %#x", c, from)
	}
}
