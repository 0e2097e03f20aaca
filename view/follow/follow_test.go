package follow

import (
	"os"
	"strings"
	"testing"
	"time"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
	"mmhex/view/viewtest"
)

// harness is viewtest's editor on a simulation screen with the core, the
// live view and follow, driven without Run (HandleKey, RunTicks,
// ForceDraw).
type harness struct {
	*viewtest.Harness
	fl   *Feature
	path string
	at   time.Time // the follow feature's clock
}

func newHarness(t *testing.T, content []byte, start bool, preset string) *harness {
	t.Helper()
	path := testenv.WriteFile(t, "log.bin", content)
	m, err := keymap.PresetMap(preset)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{path: path, at: time.Unix(1000, 0)}
	h.fl = New(start)
	h.fl.now = func() time.Time { return h.at }
	h.Harness = viewtest.New(t, path, 200, 12, mapping.Options{}, view.Options{Keys: keymap.NewDispatcher(m),
		Features: []view.Feature{view.Core(), view.Live(), h.fl}})
	return h
}

// draw draws a frame and returns the screen as a full grid (no trimming).
func (h *harness) draw() string { return h.Grid() }

func (h *harness) appendBytes(n int) {
	h.T.Helper()
	g, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		h.T.Fatal(err)
	}
	defer g.Close()
	if _, err := g.Write(testenv.Pattern(n, uint64(n))); err != nil {
		h.T.Fatal(err)
	}
}

// notice is what the inotify watcher posts to the UI goroutine after a
// change: every tick's work once (RunTicks).
func (h *harness) notice(after time.Duration) string {
	h.at = h.at.Add(after)
	h.E.RunTicks()
	return h.draw()
}

func statusLine(scr string) string {
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	return lines[len(lines)-2]
}

func messageLine(scr string) string {
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// TestFollow: with --follow the cursor stays on the last byte as the file
// grows; the appended bytes are lit for a second; the status line says
// "following" with the rate; a move stops following (the view then stays
// where it is), the follow key resumes it (Ctrl-T, vim F); a file
// truncated and written again is said and followed on.
func TestFollow(t *testing.T) {
	for _, preset := range []string{"default", "vim"} {
		t.Run(preset, func(t *testing.T) {
			h := newHarness(t, testenv.Pattern(100, 1), true, preset)
			key := map[string]string{"default": "Ctrl-T", "vim": "F"}[preset]
			if !h.fl.Following() || h.E.Cursor() != 99 {
				t.Fatalf("--follow: following %v, cursor %d", h.fl.Following(), h.E.Cursor())
			}
			h.appendBytes(4096)
			scr := h.notice(time.Second)
			if h.E.Cursor() != 4195 {
				t.Fatalf("after 4096 bytes appended: cursor %d, want 4195", h.E.Cursor())
			}
			// the last row shown is the file's last: 4196 bytes, 16 a row
			if !strings.Contains(scr, "00001060  ") {
				t.Fatalf("the last row is not shown:\n%s", scr)
			}
			// 4096 bytes in 1 s (the clock moved 1 s since --follow)
			if st := statusLine(scr); !strings.HasPrefix(strings.TrimSpace(st), "following 4.0 KiB/s (polling)") {
				t.Fatalf("status %q", st)
			}
			hl := h.fl.highlight(0, 4196)
			if hl == nil || hl(4195) != view.MarkChanged || hl(100) != view.MarkChanged || hl(99) != 0 {
				t.Fatalf("the appended bytes are not lit (or old ones are)")
			}
			h.at = h.at.Add(litFor)
			if hl := h.fl.highlight(0, 4196); hl != nil {
				t.Fatalf("still lit after %v", litFor)
			}
			// idle for the rate window: 0 B/s
			if st := statusLine(h.notice(rateWindow)); !strings.Contains(st, "following 0 B/s") {
				t.Fatalf("idle status %q", st)
			}

			h.Press("Up")
			if h.fl.Following() || h.E.Cursor() != 4179 {
				t.Fatalf("after Up: following %v, cursor %d", h.fl.Following(), h.E.Cursor())
			}
			if m := messageLine(h.draw()); !strings.HasPrefix(m, "stopped following (a move); "+key+" follows again") {
				t.Fatalf("message %q", m)
			}
			h.appendBytes(100)
			scr = h.notice(time.Second)
			if h.E.Cursor() != 4179 || strings.Contains(statusLine(scr), "following") {
				t.Fatalf("not following, the file grew: cursor %d, status %q", h.E.Cursor(), statusLine(scr))
			}
			h.Press(key)
			if !h.fl.Following() || h.E.Cursor() != 4295 {
				t.Fatalf("after %s: following %v, cursor %d", key, h.fl.Following(), h.E.Cursor())
			}

			// copy-truncate: cut to 0, then written again
			if err := os.Truncate(h.path, 0); err != nil {
				t.Fatal(err)
			}
			h.appendBytes(10)
			scr = h.notice(time.Second)
			want := "truncated to 10 bytes (was 4296); following on"
			if m := messageLine(scr); !strings.HasPrefix(m, want) || h.E.Cursor() != 9 {
				t.Fatalf("after copy-truncate: message %q (want …%s), cursor %d", m, want, h.E.Cursor())
			}
			h.appendBytes(6)
			scr = h.notice(time.Second)
			if m := messageLine(scr); h.E.Cursor() != 15 || !h.fl.Following() || !strings.HasPrefix(m, want+": now 16 bytes") {
				t.Fatalf("after the rewrite: cursor %d, following %v, message %q", h.E.Cursor(), h.fl.Following(), m)
			}
			h.appendBytes(1)
			if m := messageLine(h.notice(truncNoteFor)); strings.Contains(m, "truncated") {
				t.Fatalf("the note outlived %v: %q", truncNoteFor, m)
			}
		})
	}
}

// TestFollowPolling: without inotify (as on NFS) the polling ticks carry
// follow: each tick adopts the growth. Polling stays on.
func TestFollowPolling(t *testing.T) {
	h := newHarness(t, testenv.Pattern(64, 2), true, "default")
	h.fl.NoInotify = true
	if !h.E.Polling() {
		t.Fatal("polling is off without a watcher")
	}
	h.appendBytes(64)
	h.notice(pollEvery)
	if h.E.Cursor() != 127 || !h.E.Polling() {
		t.Fatalf("cursor %d, polling %v", h.E.Cursor(), h.E.Polling())
	}
}

// TestFollowOff: without --follow nothing moves until the key.
func TestFollowOff(t *testing.T) {
	h := newHarness(t, testenv.Pattern(64, 3), false, "default")
	h.appendBytes(64)
	if h.notice(time.Second); h.E.Cursor() != 0 || h.fl.Following() {
		t.Fatalf("cursor %d", h.E.Cursor())
	}
	h.Press("Ctrl-T")
	if h.E.Cursor() != 127 || !h.fl.Following() {
		t.Fatalf("after Ctrl-T: cursor %d", h.E.Cursor())
	}
}
