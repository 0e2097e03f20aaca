package view

import (
	"fmt"
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
