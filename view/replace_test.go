package view

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
)

// TestTmuxReplaceConfirm: the real binary in tmux: Alt-% asks for the
// bytes and their replacement, offers each match (y replaces, n skips, a
// replaces the rest), says how many it replaced, and one Ctrl-Z puts every
// byte back; q stops a second run where it is.
func TestTmuxReplaceConfirm(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "text.bin")
	orig := "cat cat cat cat cat\n"
	if err := os.WriteFile(p, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, bin, p)
	s.waitFor("F1 help")
	s.send("Tab", "M-%")
	s.waitFor("replace in the file (text):")
	s.typeText("cat")
	s.send("Enter")
	s.waitFor(`replace "cat" with (text):`)
	s.typeText("dog")
	s.send("Enter")
	s.waitFor(`replace the match at 0x0 with "dog"? y/n/a/q/l (0 replaced)`)
	s.send("y")
	s.waitFor(`replace the match at 0x4 with "dog"? y/n/a/q/l (1 replaced)`)
	s.send("n")
	s.waitFor(`replace the match at 0x8 with "dog"? y/n/a/q/l (1 replaced)`)
	s.send("a")
	s.waitFor(`replaced 4 matches of "cat" with "dog"; Ctrl-Z undoes them all`)
	if got, _ := os.ReadFile(p); string(got) != "dog cat dog dog dog\n" {
		t.Fatalf("after y n a: %q", got)
	}
	s.send("C-z")
	s.waitFor("undid")
	if got, _ := os.ReadFile(p); string(got) != orig {
		t.Fatalf("one Ctrl-Z: %q, want every match back", got)
	}
	// q stops where it is
	s.send("M-%")
	s.waitFor("replace in the file (text):")
	s.typeText("cat")
	s.send("Enter")
	s.waitFor(`replace "cat" with (text):`)
	s.typeText("cow")
	s.send("Enter")
	s.waitFor(`replace the match at 0x0 with "cow"? y/n/a/q/l (0 replaced)`)
	s.send("y")
	s.waitFor(`(1 replaced)`)
	s.send("q")
	s.waitFor(`replaced 1 match of "cat" with "cow" (stopped); Ctrl-Z undoes them all`)
	if got, _ := os.ReadFile(p); string(got) != "cow cat cat cat cat\n" {
		t.Fatalf("after y q: %q", got)
	}
	// a length that differs is refused in the prompt
	s.send("M-%")
	s.typeText("cat")
	s.send("Enter")
	s.typeText("tiger")
	s.send("Enter")
	s.waitFor(`the replacement must be as long as the pattern: "cat" is 3 bytes`)
	s.send("Escape")
	s.send("C-q")
	s.waitFor("quit")
}

// TestReplacePromptTabAndLast: the replace prompt's Tab switches between
// hex and text, as the search prompt's does (the cursor in the hex column
// no longer forces a hex pattern), and the replacement is asked in the same
// kind; l replaces the match offered and stops (vim's :s///c "last").
func TestReplacePromptTabAndLast(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	before := append([]byte(nil), knownData()...)
	h.press("Alt-%")
	if s := h.draw(); !strings.Contains(s, "replace in the file (hex):   the bytes to find · Tab hex/text · Ctrl-T case") {
		t.Fatalf("prompt:\n%s", s)
	}
	h.press("Ctrl-T")
	if s := h.draw(); !strings.Contains(s, "✗ case applies to text; Tab switches to text") {
		t.Fatalf("Ctrl-T in hex:\n%s", s)
	}
	h.press("Tab")
	if s := h.draw(); !strings.Contains(s, "replace in the file (text):") {
		t.Fatalf("after Tab:\n%s", s)
	}
	h.press("Ctrl-T")
	if s := h.draw(); !strings.Contains(s, "replace in the file (text, any case):") {
		t.Fatalf("after Ctrl-T:\n%s", s)
	}
	h.press("Ctrl-T")
	h.typeText("lazy")
	h.press("Enter")
	if s := h.draw(); !strings.Contains(s, `replace "lazy" with (text):`) {
		t.Fatalf("replacement prompt:\n%s", s)
	}
	h.typeText("LAZY")
	h.press("Enter")
	posts.drain(t, h.e)
	first := int64(0x100 + 49)
	if s := h.draw(); !strings.Contains(s, fmt.Sprintf(`replace the match at %#x with "LAZY"? y/n/a/q/l (0 replaced)`, first)) {
		t.Fatalf("offer:\n%s", s)
	}
	h.press("n")
	posts.drain(t, h.e)
	h.press("l")
	if s := h.draw(); !strings.Contains(s, `replaced 1 match of "lazy" with "LAZY" (l: the last one); Ctrl-Z undoes them all`) {
		t.Fatalf("after n l:\n%s", s)
	}
	got := make([]byte, len(before))
	if _, err := h.e.f.ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), before...)
	copy(want[first+59:], "LAZY")
	if !bytes.Equal(got, want) {
		t.Fatalf("after n l: the file differs from one match replaced (the second)")
	}
	if h.e.rep != nil || h.e.prompt != nil {
		t.Fatalf("the run did not end")
	}
}

// TestSubstituteCommand: vim's :%s/OLD/NEW/[gci] on the command line (the
// default preset's Alt-x; the vim preset's :) replaces as Alt-% does: every
// match at once (one undo step) or, with c, each offered; i folds ASCII
// case; '<,'> is the selection. Refused with the reason: no range (there
// are no lines), no selection for '<,'>, an unknown flag, another length,
// and text in the hex column. Before, ":%s/…" was an unknown command.
func TestSubstituteCommand(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	before := append([]byte(nil), knownData()...)
	file := func() []byte {
		t.Helper()
		got := make([]byte, len(before))
		if _, err := h.e.f.ReadAt(got, 0); err != nil {
			t.Fatal(err)
		}
		return got
	}
	ex := func(cmd string) string {
		t.Helper()
		h.press("Alt-x")
		h.typeText(cmd)
		h.press("Enter")
		if h.e.prompt != nil && h.e.prompt.err != "" {
			err := h.e.prompt.err
			h.press("Esc")
			return err
		}
		if h.e.rep != nil { // a replace started: its search or write posts
			posts.drain(t, h.e)
		}
		return h.e.msg
	}
	if got, want := ex("%s/lazy/LAZY/g"), `:s: OLD: malformed hex: column 1: "l" is not a hex digit (hex, as the cursor is in the hex column; Tab switches to text)`; !strings.Contains(got, want) {
		t.Fatalf("text in the hex column: %q, want %q", got, want)
	}
	h.press("Tab")
	for _, tc := range []struct{ cmd, want string }{
		{"s/lazy/LAZY/", ":s needs a range, as mmhex has no lines: :%s/OLD/NEW/ replaces in the whole file, :'<,'>s/OLD/NEW/ (or :s with a selection) in the selection"},
		{"'<,'>s/lazy/LAZY/", ":'<,'>s: there is no selection (:%s/OLD/NEW/ replaces in the whole file)"},
		{"%s/lazy/LAZY/x", ":s: unknown flag x (g, c, i and I are known)"},
		{"%s/lazy/LA/", `:s: the replacement must be as long as the pattern: "lazy" is 4 bytes, "LA" is 2 bytes`},
	} {
		if got := ex(tc.cmd); !strings.Contains(got, tc.want) {
			t.Fatalf(":%s: %q, want %q", tc.cmd, got, tc.want)
		}
	}
	if !bytes.Equal(file(), before) {
		t.Fatal("a refused substitute changed the file")
	}
	// all at once, one undo step
	if got, want := ex("%s/lazy/LAZY/g"), `replaced 40 matches of "lazy" with "LAZY"; Ctrl-Z undoes them all`; got != want {
		t.Fatalf(":%%s/lazy/LAZY/g: %q, want %q", got, want)
	}
	want := bytes.ReplaceAll(before, []byte("lazy"), []byte("LAZY"))
	if !bytes.Equal(file(), want) {
		t.Fatalf("%%s/lazy/LAZY/g did not replace every lazy")
	}
	h.press("Ctrl-Z")
	if !bytes.Equal(file(), before) {
		t.Fatal("one Ctrl-Z did not undo the whole :s")
	}
	// c offers each match; i folds case; a backslash makes the delimiter a byte
	if got := ex(`%s/LAZY/d\/gs/ci`); !strings.Contains(got, "") || h.e.prompt == nil || !strings.Contains(h.e.prompt.Label, `replace the match at 0x131 with "d/gs"? y/n/a/q/l (0 replaced)`) {
		t.Fatalf(":%%s/LAZY/d\\/gs/ci: %q, prompt %v", got, h.e.prompt)
	}
	h.press("y")
	posts.drain(t, h.e)
	h.press("q")
	if got, want := h.e.msg, `replaced 1 match of "LAZY"/i with "d/gs" (stopped); Ctrl-Z undoes them all`; got != want {
		t.Fatalf("after y q: %q, want %q", got, want)
	}
	want = append([]byte(nil), before...)
	copy(want[0x131:], "d/gs")
	if !bytes.Equal(file(), want) {
		t.Fatal("after y q: not the first match alone replaced")
	}
	h.press("Ctrl-Z")
	// '<,'> over a selection: only the matches inside it
	h.press("Ctrl-G")
	h.typeText("0x100")
	h.press("Enter", "Alt-s")
	h.press("Ctrl-G")
	h.typeText("0x1a8") // the third match, 0x1a7–0x1aa, does not fit
	h.press("Enter")
	if got, want := ex("'<,'>s/lazy/LAZY/"), `replaced 2 matches of "lazy" with "LAZY"; Ctrl-Z undoes them all`; got != want {
		t.Fatalf(":'<,'>s: %q, want %q", got, want)
	}
	want = append([]byte(nil), before...)
	copy(want[0x131:], "LAZY")
	copy(want[0x131+59:], "LAZY")
	if !bytes.Equal(file(), want) {
		t.Fatal(":'<,'>s: not the two matches inside the selection")
	}
	// :s without a range, a selection active: the selection
	h.press("Ctrl-Z", "Esc") // undo, drop the selection
	h.press("Ctrl-G")
	h.typeText("0x100")
	h.press("Enter", "Alt-s")
	h.press("Ctrl-G")
	h.typeText("0x1a8")
	h.press("Enter")
	if got, want := ex("s/lazy/LAZY/"), `replaced 2 matches of "lazy" with "LAZY"; Ctrl-Z undoes them all`; got != want {
		t.Fatalf(":s with a selection: %q, want %q", got, want)
	}
}

// TestReplaceAllProgress: a replace all (a, or :%s without c) is the
// editor's job: its progress goes to the status line batch by batch
// ("replacing 100%" at the end of a one-batch run), as a fill's does
// (before, nothing said how far it was).
func TestReplaceAllProgress(t *testing.T) {
	posts := syncPosts(t)
	var steps []string
	hooksFor(t).jobStep = func(what, progress string) { steps = append(steps, what+" "+progress) }
	h := openKnown(t, 100, 40, Options{})
	h.press("Tab", "Alt-%")
	h.typeText("lazy")
	h.press("Enter")
	h.typeText("LAZY")
	h.press("Enter")
	posts.drain(t, h.e)
	h.press("a")
	if len(steps) < 2 || steps[0] != "replacing " || steps[len(steps)-1] != "replacing 100%" {
		t.Fatalf("job steps %q, want \"replacing \" … \"replacing 100%%\"", steps)
	}
	if s := h.draw(); !strings.Contains(s, `replaced 40 matches of "lazy" with "LAZY"; Ctrl-Z undoes them all`) {
		t.Fatalf("after the replace all:\n%s", s)
	}
}

// TestReplaceReadOnlyRefusedAtOnce: on a read-only open, Alt-% and :%s say
// so at once, as fill does, not after both prompts and a search (before:
// the patterns were asked for, the first match offered, and only y said
// "cannot open for writing").
func TestReplaceReadOnlyRefusedAtOnce(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("known.bin", knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, "known.bin", 100, 40, mapping.Options{ReadOnly: true}, Options{})
	h.press("Tab", "Alt-%")
	if h.e.prompt != nil {
		t.Fatalf("a prompt opened: %q", h.e.prompt.Label)
	}
	if got := h.messageLine(); !strings.Contains(got, "the file is open read-only: nothing was changed") {
		t.Fatalf("Alt-%%: %q", got)
	}
	h.press("Alt-x")
	h.typeText("%s/lazy/LAZY/")
	h.press("Enter")
	if h.e.rep != nil {
		t.Fatal("a replace started on a read-only open")
	}
	if got := h.messageLine(); !strings.Contains(got, "the file is open read-only: nothing was changed") {
		t.Fatalf(":%%s: %q", got)
	}
}

// TestReplaceConfirmOneJump: a run of y/n through many matches is one jump,
// as vim's :s///c (its place before the run is the one jump-back returns
// to), not one jump per match offered: 40 answers used to push 40 places
// and push the user's own jumps out of the list.
func TestReplaceConfirmOneJump(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	h.press("Ctrl-G")
	h.typeText("0x20")
	h.press("Enter") // a jump: 0 → 0x20
	h.press("Tab", "Alt-%")
	h.typeText("lazy")
	h.press("Enter")
	h.typeText("LAZY")
	h.press("Enter")
	posts.drain(t, h.e)
	for range 5 {
		h.press("n")
		posts.drain(t, h.e)
	}
	h.press("q")
	h.press("Alt-Left")
	if c := h.e.Cursor(); c != 0x20 {
		t.Fatalf("Alt-Left after the replace: cursor %#x, want 0x20 (where the replace began)", c)
	}
	h.press("Alt-Left")
	if c := h.e.Cursor(); c != 0 {
		t.Fatalf("second Alt-Left: cursor %#x, want 0 (before the goto)", c)
	}
}

// TestReplacePromptAnyCase: Ctrl-T in the replace prompt makes the text
// ASCII case-insensitive, as in the search prompt and as mmhex replace -i:
// "LAZY" replaces every "lazy".
func TestReplacePromptAnyCase(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	h.press("Tab", "Alt-%", "Ctrl-T")
	h.typeText("LAZY")
	h.press("Enter")
	if s := h.draw(); !strings.Contains(s, `replace "LAZY"/i with (text):`) {
		t.Fatalf("replacement prompt:\n%s", s)
	}
	h.typeText("DOGS")
	h.press("Enter")
	posts.drain(t, h.e)
	h.press("a") // the editor's job: at once here (no Run)
	if got := h.messageLine(); !strings.Contains(got, `replaced 40 matches of "LAZY"/i with "DOGS"`) {
		t.Fatalf("message: %q", got)
	}
	got := make([]byte, len(knownData()))
	h.e.f.ReadAt(got, 0)
	if want := bytes.ReplaceAll(knownData(), []byte("lazy"), []byte("DOGS")); !bytes.Equal(got, want) {
		t.Fatal("not every lazy replaced")
	}
}

// TestJobReplaceAll: a replace all is the editor's job: an undo pressed
// while it runs is refused (before, it undid the batches written so far
// while the rest went on, and the message claimed every match replaced),
// Esc stops it after the batch being stored, what was replaced is one undo
// step, and the message counts what was replaced.
func TestJobReplaceAll(t *testing.T) {
	const n = 2 << 16 // two batches of 65536 matches
	data := bytes.Repeat([]byte("KEY!...."), n)
	p := writeFile(t, "keys.bin", data)
	release := make(chan struct{})
	held := make(chan struct{}, 1)
	r := startJobRun(t, p, func(what, progress string) {
		if what == "replacing" && progress != "" && progress != "100%" {
			held <- struct{}{}
			<-release
		}
	})
	r.keys("Tab", "Alt-%")
	for _, c := range "KEY!" {
		r.keys(string(c))
	}
	r.keys("Enter")
	for _, c := range "key?" {
		r.keys(string(c))
	}
	r.keys("Enter")
	r.waitFor(`replace the match at 0x0 with "key?"? y/n/a/q/l (0 replaced)`)
	r.keys("a")
	waitHeld(r, held)
	r.waitFor("replacing 49%… │")
	r.keys("Ctrl-Z")
	r.waitFor("busy: replacing — wait or Esc")
	r.keys("Esc")
	r.waitFor("cancelling the replace: it stops after the batch it is storing; what is replaced stays")
	close(release)
	r.waitFor(`replaced 65536 matches of "KEY!" with "key?" (stopped after 65536 more); Ctrl-Z undoes them all`)
	got, _ := os.ReadFile(p)
	want := append(bytes.Repeat([]byte("key?...."), n/2), bytes.Repeat([]byte("KEY!...."), n/2)...)
	if !bytes.Equal(got, want) {
		t.Fatal("the file does not hold exactly the first batch replaced")
	}
	r.keys("Ctrl-Z")
	r.waitFor("undid")
	if got, _ = os.ReadFile(p); !bytes.Equal(got, data) {
		t.Fatal("one undo did not put every replaced match back")
	}
	r.quit()
}

// TestReplaceRunRefusesUndo: while a confirm run is open (here between two
// offers, its next search running), an undo is refused with the way out,
// as during a job: before, it undid the matches replaced so far while the
// run went on, and the end message still counted them.
func TestReplaceRunRefusesUndo(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	h.press("Tab", "Alt-%")
	h.typeText("lazy")
	h.press("Enter")
	h.typeText("LAZY")
	h.press("Enter")
	posts.drain(t, h.e)
	h.press("y") // replaced; the next match is searched (held by syncPosts)
	h.press("Ctrl-Z")
	if got, want := h.messageLine(), "a replace runs: answer y/n/a/q/l, or Esc stops it"; !strings.Contains(got, want) {
		t.Fatalf("Ctrl-Z during the run: %q, want %q", got, want)
	}
	posts.drain(t, h.e)
	h.press("q")
	if got := h.messageLine(); !strings.Contains(got, `replaced 1 match of "lazy" with "LAZY" (stopped)`) {
		t.Fatalf("end: %q", got)
	}
	got := make([]byte, len(knownData()))
	h.e.f.ReadAt(got, 0)
	want := append([]byte(nil), knownData()...)
	copy(want[0x131:], "LAZY")
	if !bytes.Equal(got, want) {
		t.Fatal("the file is not the first match replaced")
	}
}
