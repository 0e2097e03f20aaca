package view

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestInfoBoxSaysWhatItCuts: a message longer than the screen ends with
// "… and N more" instead of silently losing lines.
func TestInfoBoxSaysWhatItCuts(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	var lines []string
	for i := 1; i <= 40; i++ {
		lines = append(lines, fmt.Sprintf("config.toml:%d: unknown action \"a%d\"", i, i))
	}
	h.e.ShowInfo("configuration", strings.Join(lines, "\n"))
	screen := h.draw()
	shown := 0
	for _, l := range lines {
		if strings.Contains(screen, l+" ") || strings.Contains(screen, l+"│") {
			shown++
		}
	}
	if shown == 0 || shown == len(lines) {
		t.Fatalf("%d of %d lines shown; want some, cut:\n%s", shown, len(lines), screen)
	}
	want := fmt.Sprintf("… and %d more", len(lines)-shown)
	if !strings.Contains(screen, want) {
		t.Fatalf("%d lines shown, no %q:\n%s", shown, want, screen)
	}
	h.press("x")
	if h.e.OverlayOpen() {
		t.Fatal("any key should dismiss the box")
	}
}

// On a narrow terminal a line wider than the box wraps instead of being
// cut: the reason at the end of a configuration problem stays readable.
func TestInfoBoxWrapsLongLines(t *testing.T) {
	h := openKnown(t, 50, 24, Options{})
	long := `config.toml:21: colours.offset: unknown colour "notacolour" (a name like "red" or "#rrggbb")`
	h.e.ShowInfo("configuration", "config.toml:6: unknown action \"x\"\n"+long)
	screen := h.draw()
	for _, w := range strings.Fields(long) {
		if !strings.Contains(screen, w) {
			t.Errorf("word %q of the long line is not on screen:\n%s", w, screen)
		}
	}
	for _, want := range []string{
		`│ config.toml:21: colours.offset: unknown        │`,
		`│   colour "notacolour" (a name like "red" or    │`,
		`│   "#rrggbb")                                   │`,
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("no row %q:\n%s", want, screen)
		}
	}
}

// On a screen too short for the whole quit dialog its choices stay and the
// explanation gives way; nothing is drawn over the box's bottom border.
func TestQuitDialogShortScreen(t *testing.T) {
	h := openKnown(t, 30, 6, Options{})
	h.typeText("41")
	h.press("Ctrl-Q")
	screen := h.draw()
	for _, want := range []string{"[s] sync now", "[r] revert it", "[q] quit", "[Esc] stay"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no %q on a 30×6 screen:\n%s", want, screen)
		}
	}
	lines := strings.Split(screen, "\n")
	if !regexp.MustCompile(`^ └─+┘$`).MatchString(lines[5]) {
		t.Errorf("the bottom border is overwritten: %q\n%s", lines[5], screen)
	}
	h.press("q")
	if !h.e.done {
		t.Error("q did not quit")
	}
}
