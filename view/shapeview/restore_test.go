package shapeview

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// TestShapePanelsDrawWhileStoring: with the entropy map, the strings panel
// and the hash panel open (their scans done), a frame drawn while an undo
// step holds the file (in its store hook, the mutex held) comes at once
// and shows the three panels as they were: they draw what their scans
// found, never reading the file in Draw. The frame runs with a 20 s
// deadline: the test fails, not hangs, if a panel's Draw waited for the
// step.
func TestShapePanelsDrawWhileStoring(t *testing.T) {
	h := newHarness(t, shapeFile(t), 200, 60)
	if err := h.F.Fill(0, 2<<20, 0x5a); err != nil {
		t.Fatal(err)
	}
	h.Press("Alt-e")
	h.Draw()       // the map's height is known after a frame
	h.E.RunTicks() // a tick computes the map for it
	h.Press("Alt-l", "Alt-k")
	before := h.Draw()
	for _, want := range []string{"│", "strings of the whole file: 1", "5 SHA512  7b2dafe5"} {
		if !strings.Contains(before, want) {
			t.Fatalf("before the step, no %q:\n%s", want, before)
		}
	}
	held, let := make(chan struct{}), make(chan struct{})
	var once, free sync.Once
	h.F.SetStoreHook(func(reached int64) {
		if reached >= 1<<20 {
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
	got := make(chan string, 1)
	go func() { got <- h.Draw() }()
	var during string
	select {
	case during = <-got:
	case <-time.After(20 * time.Second):
		release()
		t.Fatal("a frame with the entropy map, strings and hash panels waited for the undo step")
	}
	release()
	if err := <-undone; err != nil {
		t.Fatal(err)
	}
	// The panels below the grid and the entropy map beside it are as
	// they were: compare the screen's lines from the first panel line on
	// (the grid's rows keep the previous frame's bytes too).
	tail := func(s string) string {
		lines := strings.Split(s, "\n")
		var out []string
		for _, l := range lines[2:] {
			if i := strings.Index(l, "│"); i >= 0 {
				out = append(out, l[i:]) // the entropy map column
			} else {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	if tail(during) != tail(before) {
		t.Fatalf("the panels changed while the step held the file:\n--- before\n%s\n--- during\n%s", before, during)
	}
}
