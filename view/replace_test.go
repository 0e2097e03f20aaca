package view

import (
	"os"
	"path/filepath"
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
	s.waitFor(`replace the match at 0x0 with "dog"? y/n/a/q (0 replaced)`)
	s.send("y")
	s.waitFor(`replace the match at 0x4 with "dog"? y/n/a/q (1 replaced)`)
	s.send("n")
	s.waitFor(`replace the match at 0x8 with "dog"? y/n/a/q (1 replaced)`)
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
	s.waitFor(`replace the match at 0x0 with "cow"? y/n/a/q (0 replaced)`)
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
