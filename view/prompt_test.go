package view

import (
	"strings"
	"testing"
)

// A text longer than the message line scrolls so the cursor stays on
// screen, and an error for it (Enter on a long pasted hex dump) is shown
// beside it instead of past the right edge.
func TestPromptLongTextScrolls(t *testing.T) {
	h := openKnown(t, 60, 10, Options{})
	text := strings.Repeat("1234567890", 7) // 70 cells
	h.press("Ctrl-G")
	h.typeText(text)
	cursor := func() int {
		t.Helper()
		x, y, shown := h.sim.GetCursor()
		if !shown || y != 9 {
			t.Fatalf("cursor at (%d, %d) shown %v: not on the message line", x, y, shown)
		}
		return x
	}
	// " goto: " is 7 cells: 53 for the text; the end of it is shown after
	// a "…", the cursor after its last digit.
	if got, want := h.messageLine(), " goto: …"+text[20:]; got != want {
		t.Errorf("end of a long text:\n got %q\nwant %q", got, want)
	}
	if x := cursor(); x != 58 {
		t.Errorf("cursor at x=%d, want 58 (after the last digit)", x)
	}
	h.press("Home")
	if got, want := h.messageLine(), " goto: "+text[:52]+"…"; got != want {
		t.Errorf("start of a long text:\n got %q\nwant %q", got, want)
	}
	if x := cursor(); x != 7 {
		t.Errorf("cursor at x=%d, want 7 (on the first digit)", x)
	}
	h.press("End", "Enter")
	got := h.messageLine()
	if !strings.HasPrefix(got, " goto: …") || !strings.Contains(got, "7890 ") {
		t.Errorf("after a refused Enter the end of the text should stay in view: %q", got)
	}
	if !strings.Contains(got, "✗ bad offset \"1234") {
		t.Errorf("the error for a long text is not on the message line: %q", got)
	}
	cells := []rune(got) // one rune a cell here
	if x := cursor(); x >= len(cells) || cells[x] != ' ' || !strings.HasSuffix(string(cells[:x]), "7890") {
		t.Errorf("cursor at x=%d in %q: want it right after the text", x, got)
	}
	if e := h.e.Cursor(); e != 0 {
		t.Errorf("a refused goto moved the cursor to %d", e)
	}
}

// A short text draws as before: label, text, cursor after it, the hint.
func TestPromptShortTextAndHint(t *testing.T) {
	h := openKnown(t, 60, 10, Options{})
	h.press("Ctrl-G")
	h.typeText("0x10")
	got := h.messageLine()
	if !strings.HasPrefix(got, " goto: 0x10  123 0x7b") {
		t.Errorf("short goto prompt: %q", got)
	}
	if x, y, shown := h.sim.GetCursor(); !shown || x != 11 || y != 9 {
		t.Errorf("cursor at (%d, %d) shown %v, want (11, 9)", x, y, shown)
	}
}

// Moving the cursor inside the shown part of a long text leaves the view
// where it is (as a shell's line editor does); it scrolls when the cursor
// reaches the "…" on the left.
func TestPromptScrollFollowsCursorOnlyAtEdges(t *testing.T) {
	h := openKnown(t, 60, 10, Options{})
	text := strings.Repeat("1234567890", 7)
	h.press("Ctrl-G")
	h.typeText(text)
	end := " goto: …" + text[20:]
	for i := 0; i < 50; i++ {
		h.draw() // a frame after each key, as on the terminal
		h.press("Left")
	}
	if got := h.messageLine(); got != end {
		t.Errorf("after 50 × Left the view moved:\n got %q\nwant %q", got, end)
	}
	if x, _, _ := h.sim.GetCursor(); x != 8 {
		t.Errorf("cursor at x=%d, want 8 (right of the \"…\")", x)
	}
	h.press("Left")
	if got, want := h.messageLine(), " goto: …"+text[19:]; got != want {
		t.Errorf("one more Left should scroll by one:\n got %q\nwant %q", got, want)
	}
	if x, _, _ := h.sim.GetCursor(); x != 8 {
		t.Errorf("cursor at x=%d, want 8", x)
	}
}

// Wide characters scroll by whole characters and the one under the
// cursor stays in view.
func TestPromptScrollWideCharacters(t *testing.T) {
	h := openKnown(t, 30, 10, Options{})
	text := strings.Repeat("中", 20) // 40 cells; 23 after " goto: "
	h.press("Ctrl-G")
	h.typeText(text)
	// the message line read cell by cell: a wide character's second cell
	// is skipped (the simulation keeps old content there)
	line := func() string {
		h.draw()
		cells, w, ht := h.sim.GetContents()
		var b strings.Builder
		for x := 0; x < w; x++ {
			c := cells[(ht-1)*w+x]
			r := ' '
			if len(c.Runes) > 0 {
				r = c.Runes[0]
			}
			b.WriteRune(r)
			if runeWidth(r) == 2 {
				x++
			}
		}
		return strings.TrimRight(b.String(), " ")
	}
	if got, want := line(), " goto: …"+strings.Repeat("中", 10); got != want {
		t.Errorf("end:\n got %q\nwant %q", got, want)
	}
	if x, _, _ := h.sim.GetCursor(); x != 28 {
		t.Errorf("cursor at x=%d, want 28", x)
	}
	h.press("Home")
	if got, want := line(), " goto: "+strings.Repeat("中", 11)+"…"; got != want {
		t.Errorf("start:\n got %q\nwant %q", got, want)
	}
	h.press("End", "Left")
	if got, want := line(), " goto: …"+strings.Repeat("中", 10); got != want {
		t.Errorf("end, one left:\n got %q\nwant %q", got, want)
	}
	if x, _, _ := h.sim.GetCursor(); x != 26 {
		t.Errorf("cursor at x=%d, want 26 (on the last character)", x)
	}
}
