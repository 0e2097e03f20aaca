package view

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if s := h.draw(); !strings.Contains(s, "replace in the file (hex):   the bytes to find · Tab hex/text") {
		t.Fatalf("prompt:\n%s", s)
	}
	h.press("Tab")
	if s := h.draw(); !strings.Contains(s, "replace in the file (text):") {
		t.Fatalf("after Tab:\n%s", s)
	}
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
