package view

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// msgLine is the message line (the screen's last row).
func msgLine(h *harness) string {
	lines := strings.Split(strings.TrimRight(h.draw(), "\n"), "\n")
	return lines[len(lines)-1]
}

// TestFirstHint: with Options.FirstHint (the program's), the message line
// shows the first-session keys of the active preset until the first key,
// then the usual "F1 help"; beside a start-up message when both fit.
func TestFirstHint(t *testing.T) {
	h := openKnown(t, 100, 24, Options{FirstHint: true})
	if got, want := msgLine(h), strings.Repeat(" ", 100-len("F1 help · Ctrl-S save · Ctrl-Q quit")-1+2)+"F1 help · Ctrl-S save · Ctrl-Q quit"; got != want {
		t.Errorf("first frame's message line:\n%q\nwant\n%q", got, want)
	}
	h.press("Right")
	if got := strings.TrimSpace(msgLine(h)); got != "F1 help" {
		t.Errorf("after the first key: %q, want F1 help", got)
	}

	v := openKnown(t, 100, 24, Options{FirstHint: true, Keys: vimKeys(t)})
	if got := strings.TrimSpace(msgLine(v)); got != "F1 help · :w save · :q quit  -- NORMAL --" {
		t.Errorf("vim first frame: %q", got)
	}
	v.press("l")
	if got := strings.TrimSpace(msgLine(v)); got != "-- NORMAL --" {
		t.Errorf("vim after the first key: %q", got)
	}

	// a message at start (the demo's path) keeps the hint beside it
	m := openKnown(t, 100, 24, Options{FirstHint: true})
	m.e.Message("demo file /tmp/x/demo.bin")
	if got := msgLine(m); !strings.HasPrefix(got, " demo file /tmp/x/demo.bin") || !strings.HasSuffix(got, "F1 help · Ctrl-S save · Ctrl-Q quit") {
		t.Errorf("message and hint: %q", got)
	}
	// too narrow for both: the message wins
	n := openKnown(t, 60, 24, Options{FirstHint: true})
	n.e.Message("a message long enough to leave no room for the hint")
	if got := strings.TrimSpace(msgLine(n)); got != "a message long enough to leave no room for the hint" {
		t.Errorf("narrow: %q", got)
	}
	// without the option (tests, goldens): never shown
	if got := strings.TrimSpace(msgLine(openKnown(t, 100, 24, Options{}))); got != "F1 help" {
		t.Errorf("without FirstHint: %q", got)
	}
}

// TestQuitHints: Esc twice with nothing to cancel, and q, Q or : in the
// hex column, say how to quit (from the active keys) and change no byte;
// in the text column q is a byte like any other; Esc after a half-typed
// byte cancels it without the hint.
func TestQuitHints(t *testing.T) {
	const hint = "to quit: Ctrl-Q (Ctrl-S saves first; F1 lists every key)"
	h := openKnown(t, 100, 24, Options{})
	before, _ := os.ReadFile("known.bin")
	h.press("Esc")
	if got := strings.TrimSpace(msgLine(h)); got != "F1 help" {
		t.Errorf("one Esc: %q", got)
	}
	h.press("Esc")
	if got := strings.TrimSpace(msgLine(h)); got != hint+"  F1 help" && got != hint {
		t.Errorf("Esc Esc: %q", got)
	}
	h.press("Esc") // a third: still the hint
	if !strings.Contains(msgLine(h), hint) {
		t.Errorf("Esc Esc Esc: %q", msgLine(h))
	}
	h.press("Right", "Esc") // a key between: counting starts again
	if strings.Contains(msgLine(h), hint) {
		t.Errorf("Right Esc: %q", msgLine(h))
	}
	for _, r := range []string{"q", "Q", ":"} {
		h.typeText(r)
		want := "'" + r + "' is not a hex digit; " + hint
		if got := strings.TrimSpace(msgLine(h)); !strings.HasPrefix(got, want) {
			t.Errorf("%s in the hex column: %q, want %q", r, got, want)
		}
	}
	// a half-typed byte: q is a mistake in it, Esc cancels it, no hint
	h.typeText("4q")
	if got := strings.TrimSpace(msgLine(h)); !strings.HasPrefix(got, "'q' is not a hex digit (Tab switches to the text column)") {
		t.Errorf("q after a nibble: %q", got)
	}
	h.press("Esc", "Esc")
	if strings.Contains(msgLine(h), "to quit") {
		t.Errorf("Esc cancelling the nibble, then Esc: %q", msgLine(h))
	}
	h.press("Ctrl-Z") // undo the nibble's store
	now, _ := os.ReadFile("known.bin")
	if !bytes.Equal(now, before) {
		t.Fatal("the quit hints changed the file")
	}
	// the text column: q is typed
	h.press("Tab")
	at := h.e.Cursor()
	h.typeText("q")
	now, _ = os.ReadFile("known.bin")
	if now[at] != 'q' || strings.Contains(msgLine(h), "to quit") {
		t.Errorf("q in the text column: byte %#x, message %q", now[at], msgLine(h))
	}
	// vim: the hint names :q and :w
	v := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	v.press("Esc", "Esc")
	if got := msgLine(v); !strings.Contains(got, "to quit: :q (:w saves first; F1 lists every key)") {
		t.Errorf("vim Esc Esc: %q", got)
	}
}

// TestTmuxFirstRun: the real binary in a terminal shows the first-session
// hint until the first key; Esc twice, and q in the hex column, say how to
// quit; the keys it names quit.
func TestTmuxFirstRun(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(p, knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, bin, p)
	s.waitFor("F1 help · Ctrl-S save · Ctrl-Q quit")
	s.send("Right")
	s.waitGone("Ctrl-S save")
	s.waitFor("F1 help")
	s.send("Escape", "Escape")
	s.waitFor("to quit: Ctrl-Q (Ctrl-S saves first; F1 lists every key)")
	s.send("Left")
	s.waitGone("to quit")
	s.typeText("q")
	s.waitFor("'q' is not a hex digit; to quit: Ctrl-Q")
	s.send("C-q")
	s.waitFor("EXITED 0")
	if got, _ := os.ReadFile(p); !bytes.Equal(got, knownData()) {
		t.Fatal("the file changed")
	}

	v := startTmux(t, dir, bin, "--keys", "vim", p)
	v.waitFor("F1 help · :w save · :q quit")
	v.send("Escape", "Escape")
	v.waitFor("to quit: :q (:w saves first; F1 lists every key)")
	v.typeText(":q")
	v.send("Enter")
	v.waitFor("EXITED 0")
}

// TestTmuxWideScreen: the real binary on a 160-column terminal shows the
// inspector at start; on 120 it does not; --bytes-per-row 32 gives rows of
// 32 bytes (and no room for the inspector beside them).
func TestTmuxWideScreen(t *testing.T) {
	bin := mmhexBinary(t)
	p := filepath.Join(t.TempDir(), "data.bin")
	if err := os.WriteFile(p, knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	wide := newTerm(t, 160, 30)
	wide.text(bin + " " + p + "; echo EXIT=$?")
	wide.keys("Enter")
	scr := wide.waitFor("time32")
	if !strings.Contains(scr, "00000010  10 11") {
		t.Fatalf("160 columns:\n%s", scr)
	}
	wide.keys("C-q")
	wide.waitFor("EXIT=0")
	wide.text("clear; " + bin + " --bytes-per-row 32 " + p + "; echo EXIT=$?")
	wide.keys("Enter")
	scr = wide.waitFor("00000020  20 21")
	if strings.Contains(scr, "time32") || strings.Contains(scr, "00000010") {
		t.Fatalf("--bytes-per-row 32 on 160 columns:\n%s", scr)
	}
	wide.keys("C-q")
	wide.waitFor("EXIT=0")

	narrow := newTerm(t, 120, 30)
	narrow.text(bin + " " + p + "; echo EXIT=$?")
	narrow.keys("Enter")
	scr = narrow.waitFor("00000010  10 11")
	if strings.Contains(scr, "time32") {
		t.Fatalf("120 columns show the inspector:\n%s", scr)
	}
	narrow.keys("C-q")
	narrow.waitFor("EXIT=0")
}
