package features

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mmhex/mapping"
	"mmhex/view"
	"mmhex/view/viewtest"
)

// TestPanelsDrawWhileStoring: with the panels of Default open (page
// panel, disk view, who, strings, structure, the inspector; the entropy
// map and the hash panel are asked for too, their jobs run, though the
// layout has no room to show them) and the holes feature's highlighter
// on, a frame drawn while
// an undo step holds the file (in its store hook, the mutex held) comes
// at once: the grid shows the previous frame's bytes, the inspector says
// the bytes are being restored, and copy-as to the clipboard is refused
// with a message instead of waiting. Each frame and key runs with a 20 s
// deadline: the test fails, not hangs, when any of them waits for the step
// (mapping.File.WithDescriptor, which the holes highlighter calls, waiting
// for the mutex, and copy-as reading with ReadAt: both checked).
func TestPanelsDrawWhileStoring(t *testing.T) {
	p := filepath.Join(t.TempDir(), "p.bin")
	if err := os.WriteFile(p, []byte("start"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, 16<<20); err != nil {
		t.Fatal(err)
	}
	h := viewtest.New(t, p, 320, 120, mapping.Options{}, view.Options{Features: Default(), BytesPerRow: 16})
	if err := h.F.Fill(0, 8<<20, 0x5a); err != nil {
		t.Fatal(err)
	}
	h.Press("Ctrl-L") // the fill came through the mapping: draw it
	h.Press("Ctrl-P", "Ctrl-D", "Alt-W", "Alt-e", "Alt-l", "Alt-k", "Alt-i", "Alt-t")
	h.Press("Alt-s", "Right")
	const row = "00000000  5a 5a 5a 5a 5a 5a 5a 5a  5a 5a 5a 5a 5a 5a 5a 5a"
	panels := []string{row, "page 0x0 of p.bin", "pages of p.bin: 4096", "structure: ", "strings of the whole file", "who else has this file"}
	// The panels measure in the background: wait until each has drawn.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		s, all := h.Draw(), true
		for _, want := range panels {
			all = all && strings.Contains(s, want)
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("before the step, the panels did not all draw:\n%s", s)
		}
	}

	held, let := make(chan struct{}), make(chan struct{})
	var once, free sync.Once
	h.F.SetStoreHook(func(reached int64) {
		if reached >= 4<<20 {
			once.Do(func() {
				close(held)
				<-let
			})
		}
	})
	release := func() { free.Do(func() { close(let) }) }
	t.Cleanup(release)
	undone := make(chan error, 1)
	go func() { _, err := h.F.Undo(); undone <- err }()
	select {
	case <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("the undo never reached its held store")
	}
	// within runs fn (a frame, keys) on its own goroutine and fails when
	// it has not returned in 20 s (it waits for the held step).
	within := func(what string, fn func() string) string {
		t.Helper()
		got := make(chan string, 1)
		go func() { got <- fn() }()
		select {
		case s := <-got:
			return s
		case <-time.After(20 * time.Second):
			release()
			t.Fatalf("%s waited for the undo step", what)
		}
		return ""
	}
	s := within("a frame", h.Draw)
	for _, want := range append(panels, "(the bytes are being restored)") {
		if !strings.Contains(s, want) {
			t.Fatalf("while the step stores, no %q:\n%s", want, s)
		}
	}
	s = within("copy-as", func() string { h.Press("Alt-a", "1"); return h.Draw() })
	const refused = "copy-as: the bytes are being restored (an undo, redo or revert runs): nothing copied; copy when it has ended"
	if !strings.Contains(s, refused) {
		t.Fatalf("copy-as during the step: no %q:\n%s", refused, s)
	}
	release()
	if err := <-undone; err != nil {
		t.Fatal(err)
	}
	h.F.SetStoreHook(nil)
	if s := h.Draw(); !strings.Contains(s, "00000000  73 74 61 72 74 00 00 00  00 00 00 00 00 00 00 00") {
		t.Fatalf("after the step the grid does not show the restored bytes:\n%s", s)
	}
}
