package view

import (
	"strings"
	"testing"
)

// TestAllMatches: after a search the status line says "match k of N" (N
// counted in the background), every match in view is highlighted as the
// current one is (and other bytes are not), and Alt-= lists the matches.
func TestAllMatches(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	h.press("Tab", "Ctrl-F")
	h.typeText("lazy")
	h.press("Enter")
	posts.drain(t, h.e)
	const period = 59 // "Hello, mmhex! The quick brown fox jumps over the lazy dog. "
	first := int64(0x100 + 49)
	if c := h.e.Cursor(); c != first {
		t.Fatalf("cursor %#x", c)
	}
	if s := h.draw(); !strings.Contains(s, "match 1 of 40") {
		t.Fatalf("status:\n%s", s)
	}
	h.press("Ctrl-N")
	posts.drain(t, h.e)
	if s := h.draw(); !strings.Contains(s, "match 2 of 40") || h.e.Cursor() != first+period {
		t.Fatalf("after Ctrl-N (cursor %#x):\n%s", h.e.Cursor(), s)
	}
	// the cells of a match in view that is not the current one
	cellOf := func(off int64) (int, int) {
		i := int(off % 16)
		x := 11 + 3*i
		if i >= 8 {
			x++
		}
		return x, 2 + int((off-h.e.top)/16)
	}
	h.draw()
	_, cur := h.cell(cellOf(first + period + 1)) // not the cursor cell
	_, other := h.cell(cellOf(first + 2*period + 1))
	_, plain := h.cell(cellOf(first + 2*period + 5))
	if other != cur {
		t.Errorf("another match in view is drawn %v, the current one %v", other, cur)
	}
	if plain == cur {
		t.Errorf("a byte that is no match is drawn as a match")
	}
	h.press("Alt-=")
	posts.drain(t, h.e)
	s := h.draw()
	for _, want := range []string{`40 matches of "lazy"`, "    1  00000131           305  6c 61 7a 79  lazy", "    2  0000016c           364  6c 61 7a 79  lazy"} {
		if !strings.Contains(s, want) {
			t.Fatalf("matches panel lacks %q:\n%s", want, s)
		}
	}
}
