package view

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"mmhex/mapping"
)

// TestRegexSearchMode: Ctrl-X in the search prompt is the third kind,
// a regular expression (Tab still switches hex and text);
// a regular expression is found forward and backward, its match (of its
// own length) is the selection, and the repeat keys repeat it.
func TestRegexSearchMode(t *testing.T) {
	posts := syncPosts(t)
	h := openKnown(t, 100, 24, Options{})
	h.press("Ctrl-F")
	if s := h.draw(); !strings.Contains(s, "search ↓ hex:") {
		t.Fatalf("prompt:\n%s", s)
	}
	h.press("Ctrl-X")
	if s := h.draw(); !strings.Contains(s, "search ↓ regex:") {
		t.Fatalf("after Ctrl-X:\n%s", s)
	}
	h.typeText(`qu[a-z]+ br`)
	h.press("Enter")
	posts.drain(t, h.e)
	// "Hello, mmhex! The quick brown fox …" from 0x100: "quick br" at 0x112
	if h.e.msg != "found /qu[a-z]+ br/ at 0x112 (274, 8 bytes) in "+h.e.msg[strings.Index(h.e.msg, " in ")+4:] {
		t.Fatalf("message %q", h.e.msg)
	}
	if off, n, ok := h.e.Selection(); !ok || off != 0x112 || n != 8 {
		t.Fatalf("selection %#x %d %v", off, n, ok)
	}
	h.press("Ctrl-N")
	posts.drain(t, h.e)
	period := int64(len("Hello, mmhex! The quick brown fox jumps over the lazy dog. "))
	if c := h.e.Cursor(); c != 0x112+period {
		t.Fatalf("Ctrl-N: cursor %#x, want %#x", c, 0x112+period)
	}
	h.press("Alt-n")
	posts.drain(t, h.e)
	if c := h.e.Cursor(); c != 0x112 {
		t.Fatalf("Alt-n: cursor %#x, want 0x112", c)
	}
	// an anchor is refused in the prompt
	h.press("Ctrl-F", "Ctrl-X")
	h.press("Ctrl-U")
	h.typeText("^x")
	h.press("Enter")
	if got := h.promptErr(); !strings.HasPrefix(got, "anchors and word boundaries") {
		t.Fatalf("anchor: %q", got)
	}
}

// TestRegexSearchProgress: a regular-expression search shows its progress
// in the status line as a byte search does (before, "searching ↓" with no
// figure however long it ran): after the first 16 MiB window of a 24 MiB
// file, "searching ↓ 66.7%".
func TestRegexSearchProgress(t *testing.T) {
	q := syncPosts(t)
	p := writeFile(t, "big.bin", bytes.Repeat([]byte("abcdefgh"), (24<<20)/8))
	h := newHarness(t, p, 120, 24, mapping.Options{}, Options{})
	seen := make(chan [2]int64, 16)
	release := make(chan struct{})
	var once sync.Once
	h.e.opts.test.searchProgress = func(done, total int64) {
		seen <- [2]int64{done, total}
		if done < total {
			once.Do(func() { <-release }) // hold the search after its first window
		}
	}
	h.press("Tab", "Ctrl-F", "Ctrl-X")
	h.typeText("not-(in|on)-the-file")
	h.press("Enter")
	var first [2]int64
	select {
	case first = <-seen:
	case <-time.After(20 * time.Second):
		close(release)
		t.Fatal("no progress reported in 20 s")
	}
	if first != [2]int64{16 << 20, 24 << 20} {
		t.Fatalf("first progress %v, want 16 MiB of 24 MiB", first)
	}
	if s := h.draw(); !strings.Contains(s, " searching ↓ 66.7% │ 0x0 (0)") {
		t.Fatalf("status during the search:\n%s", s)
	}
	close(release)
	q.drain(t, h.e)
	if got := h.messageLine(); !strings.Contains(got, "not found: /not-(in|on)-the-file/") {
		t.Fatalf("message: %q", got)
	}
}

// TestRegexSearchListSays: Alt-= after a regular-expression search says
// that such matches are not listed and where they are (before: "no byte
// search yet", though a search had just run).
func TestRegexSearchListSays(t *testing.T) {
	q := syncPosts(t)
	h := openKnown(t, 100, 24, Options{})
	h.press("Tab", "Ctrl-F", "Ctrl-X")
	h.typeText("la[a-z]y")
	h.press("Enter")
	q.drain(t, h.e)
	h.press("Alt-=")
	want := "the matches of a regular expression are not listed here: mmhex search --regex lists them"
	if got := h.messageLine(); !strings.Contains(got, want) {
		t.Fatalf("message %q, want %q", got, want)
	}
}
