package view

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

// screenRow returns row y of the cells the running editor last showed,
// read on the UI goroutine (the simulation screen's Show writes them).
func screenRow(t testing.TB, r *typedRun, y int) string {
	t.Helper()
	var row string
	onUI(t, r.e, func() {
		cells, w, _ := r.sim.GetContents()
		var b strings.Builder
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				b.WriteByte(' ')
				continue
			}
			b.WriteString(string(c.Runes))
		}
		row = b.String()
	})
	return row
}

// waitRow waits until row y of the shown screen starts with want.
func waitRow(t *testing.T, r *typedRun, y int, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := screenRow(t, r, y)
		if strings.HasPrefix(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("row %d never showed %q; it shows %q", y, want, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Every one of 8000 typed hex digits lands, in order, through the real
// event loop (app.Run) with frames drawn only after the queued keys: the
// file holds exactly the 4000 typed bytes, and the frame after the last
// key shows the cursor past them.
func TestTypedKeysAllLand(t *testing.T) {
	const n = 8000
	digits, want := randomHexKeys(n, 7)
	p := writeFile(t, "typed.bin", make([]byte, len(want)+4096))
	r := startTyped(t, p, n)
	for _, d := range digits {
		r.sim.InjectKey(tcell.KeyRune, d, tcell.ModNone)
	}
	if !r.wait(time.Minute) {
		t.Fatalf("%d of %d keys handled after a minute", r.keys.Load(), n)
	}
	waitRow(t, r, 38, " 0xfa0 (4000) ")
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:len(want)], want) {
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("byte %#x is %#02x, want %#02x (a key was lost or reordered)", i, got[i], want[i])
			}
		}
	}
	if !bytes.Equal(got[len(want):], make([]byte, 4096)) {
		t.Fatal("bytes after the typed ones changed")
	}
	r.stop(t)
}

// A key that is not handled through the input capture (inside a bracketed
// paste, tview collects it) does not make the editor wait for a key that
// never comes: after keys, pastes, mouse moves and a resize in any order,
// the last frame is drawn and shows the last state.
func TestCoalescedLastFrameIsDrawn(t *testing.T) {
	// Only the counting decides: no frame is drawn because time passed.
	hooksFor(t).maxFrameGap = time.Hour
	p := writeFile(t, "typed.bin", make([]byte, 8192))
	r := startTyped(t, p, 1<<62) // never "all keys": wait on the screen
	post := func(ev tcell.Event) {
		t.Helper()
		for r.sim.PostEvent(ev) != nil {
			time.Sleep(time.Millisecond)
		}
	}
	for i := 0; i < 200; i++ {
		r.sim.InjectKey(tcell.KeyRune, 'a', tcell.ModNone)
		r.sim.InjectKey(tcell.KeyRune, 'b', tcell.ModNone)
		switch i % 4 {
		case 0: // a paste of two digits: one more byte
			post(tcell.NewEventPaste(true))
			r.sim.InjectKey(tcell.KeyRune, 'c', tcell.ModNone)
			r.sim.InjectKey(tcell.KeyRune, 'd', tcell.ModNone)
			post(tcell.NewEventPaste(false))
		case 1:
			r.sim.InjectMouse(3, 3, tcell.ButtonNone, tcell.ModNone)
		case 2:
			post(tcell.NewEventResize(120, 40))
		}
	}
	// the last events: a paste of a line break (ignored in the grid)
	post(tcell.NewEventPaste(true))
	r.sim.InjectKey(tcell.KeyEnter, 0, tcell.ModNone)
	post(tcell.NewEventPaste(false))
	// 200 typed bytes and 50 pasted ones: the cursor is at 250.
	waitRow(t, r, 38, " 0xfa (250) ")
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte{0xab, 0xcd, 0xab, 0xab, 0xab}, 50)
	if !bytes.Equal(got[:250], want) {
		t.Fatalf("the file starts % x, want % x", got[:250], want)
	}
	r.stop(t)
}

// The real binary in a terminal: 8000 hex digits typed at once (tmux
// send-keys -l, keys, not a bracketed paste) all land in the file, exactly
// and in order. (bench/keys.sh times the same thing.)
func TestTmuxTypedKeysAllLand(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	const n = 8000
	digits, want := randomHexKeys(n, 11)
	p := filepath.Join(dir, "typed.bin")
	if err := os.WriteFile(p, make([]byte, len(want)+4096), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, bin, p)
	s.waitFor("0x0 (0)")
	s.run("send-keys", "-l", string(digits))
	deadline := time.Now().Add(2 * time.Minute) // correctness, not speed
	for !strings.Contains(s.screen(), fmt.Sprintf("0x%x (%d) ", len(want), len(want))) {
		if time.Now().After(deadline) {
			t.Fatalf("the cursor never got past the typed bytes:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("byte %#x is %#02x, want %#02x (a key was lost or reordered)", i, got[i], want[i])
		}
	}
	if !bytes.Equal(got[len(want):], make([]byte, 4096)) {
		t.Fatal("bytes after the typed ones changed")
	}
	s.send("C-q")
	s.waitFor("[q] quit, leave")
	s.send("q")
	s.waitFor("EXITED 0")
}
