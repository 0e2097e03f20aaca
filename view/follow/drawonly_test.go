package follow

import (
	"strings"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// TestDrawOnlyDraws: frames change nothing of the follow feature, also
// when the appended bytes' second is over and the rate's samples are old
// (the highlighter and the status part skip them; update, on the UI
// goroutine after a notice, drops them).
func TestDrawOnlyDraws(t *testing.T) {
	h := newHarness(t, testenv.Pattern(100, 1), true, "default")
	h.appendBytes(50)
	if scr := h.notice(100 * time.Millisecond); !strings.Contains(statusLine(scr), "following") {
		t.Fatalf("status line: %q", statusLine(scr))
	}
	h.appendBytes(50)
	h.notice(100 * time.Millisecond)
	if len(h.fl.lit) != 2 || len(h.fl.samples) < 3 {
		t.Fatalf("after two notices: %d lit ranges, %d samples", len(h.fl.lit), len(h.fl.samples))
	}
	frames := func(what string) {
		t.Helper()
		for _, size := range [][2]int{{200, 12}, {100, 20}, {200, 12}} {
			before := testenv.Fields("follow", h.fl, nil)
			h.Screen.SetSize(size[0], size[1])
			h.draw()
			h.draw()
			if d := testenv.Changed(before, testenv.Fields("follow", h.fl, nil)); d != "" {
				t.Fatalf("%s: a frame at %d×%d changed the feature:\n%s", what, size[0], size[1], d)
			}
		}
	}
	frames("lit")
	h.at = h.at.Add(rateWindow + litFor) // both lit ranges over, the samples old
	frames("expired")
	if s := statusLine(h.draw()); !strings.Contains(s, "following 0 B/s") {
		t.Fatalf("status line after the rate window: %q", s)
	}
	h.notice(0) // update drops what is of no more use
	if len(h.fl.lit) != 0 || len(h.fl.samples) != 1 {
		t.Fatalf("after a notice: %d lit ranges, %d samples; want 0, 1", len(h.fl.lit), len(h.fl.samples))
	}
}
