package view

import (
	"fmt"
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

// TestMatchesListScrollsAndJumps: the matches panel on a screen shorter
// than its list scrolls to every listed match and says which ones it shows,
// never a false "… and N more"; Enter goes to the chosen match (a jump:
// Alt-Left comes back) and makes it the current one ("match 40 of 40").
func TestMatchesListScrollsAndJumps(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	h.press("Tab", "Ctrl-F")
	h.typeText("lazy")
	h.press("Enter")
	posts.drain(t, h.e)
	const period = 59
	first := int64(0x100 + 49)
	h.press("Alt-=")
	posts.drain(t, h.e)
	s := h.draw()
	for _, want := range []string{`40 matches of "lazy"`, "    1  00000131           305  6c 61 7a 79  lazy", "   36  00000942          2370  6c 61 7a 79  lazy", "1–36 of 40 · ↑↓ PgUp PgDn Home End choose · Enter go to · Esc close"} {
		if !strings.Contains(s, want) {
			t.Fatalf("matches panel lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "more") || strings.Contains(s, "   37  ") {
		t.Fatalf("matches panel:\n%s", s)
	}
	h.press("End")
	s = h.draw()
	last := first + 39*period
	for _, want := range []string{"   40  00000a", "5–40 of 40 ·"} {
		if !strings.Contains(s, want) {
			t.Fatalf("after End the panel lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "    4  0000") {
		t.Fatalf("after End row 4 still shown:\n%s", s)
	}
	h.press("Up", "Up", "Down", "Enter")
	posts.drain(t, h.e)
	want := last - period
	if c := h.e.Cursor(); c != want {
		t.Fatalf("Enter on match 39: cursor %#x, want %#x", c, want)
	}
	s = h.draw()
	if !strings.Contains(s, "match 39 of 40") || !strings.Contains(s, fmt.Sprintf(`match 39 of 40: "lazy" at %#x (%d)`, want, want)) {
		t.Fatalf("after Enter:\n%s", s)
	}
	h.press("Alt-Left")
	if c := h.e.Cursor(); c != first {
		t.Fatalf("jump-back after the list: cursor %#x, want %#x", c, first)
	}
	// Esc closes the panel without moving.
	h.press("Alt-=")
	posts.drain(t, h.e)
	h.press("Down", "Esc")
	if c := h.e.Cursor(); c != first || h.e.OverlayOpen() {
		t.Fatalf("Esc: cursor %#x, overlay open %v", c, h.e.OverlayOpen())
	}
}

// TestSearchNextWhileSearching: Ctrl-N pressed again while the search it
// repeats still runs is not lost (before, each press restarted the same
// search from the same cursor: three presses went one match on), and a
// count repeats it (vim's 3n): each goes one match further.
func TestSearchNextWhileSearching(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	h.press("Tab", "Ctrl-F")
	h.typeText("lazy")
	h.press("Enter")
	posts.drain(t, h.e)
	const period = 59
	first := int64(0x100 + 49)
	// three presses before any result comes back (syncPosts holds them)
	h.press("Ctrl-N", "Ctrl-N", "Ctrl-N")
	posts.drain(t, h.e)
	if c := h.e.Cursor(); c != first+3*period {
		t.Fatalf("three Ctrl-N while searching: cursor %#x, want %#x (match 4)", c, first+3*period)
	}
	if s := h.draw(); !strings.Contains(s, "match 4 of 40") {
		t.Fatalf("status:\n%s", s)
	}
	// Alt-n (the other way) while a forward repeat runs restarts: it is
	// another search, not one more of the same
	h.press("Ctrl-N", "Alt-n")
	posts.drain(t, h.e)
	if c := h.e.Cursor(); c != first+2*period {
		t.Fatalf("Ctrl-N then Alt-n: cursor %#x, want %#x (match 3)", c, first+2*period)
	}
	// vim's count
	v := openKnown(t, 100, 40, Options{Keys: vimKeys(t)})
	v.press("Tab")
	v.typeText("/lazy")
	v.press("Enter")
	posts.drain(t, v.e)
	if c := v.e.Cursor(); c != first {
		t.Fatalf("vim /lazy: cursor %#x, want %#x", c, first)
	}
	v.typeText("3n")
	posts.drain(t, v.e)
	if c := v.e.Cursor(); c != first+3*period {
		t.Fatalf("vim 3n: cursor %#x, want %#x (match 4)", c, first+3*period)
	}
}
