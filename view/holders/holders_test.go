package holders

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/mapping/testenv/tmux"
	"mmhex/view"
	"mmhex/view/viewtest"
)

// TestWhoPanel: Alt-W shows the panel with the other holders (a sleep
// with the file open), as `mmhex who` prints them; Alt-W again hides it.
func TestWhoPanel(t *testing.T) {
	path := testenv.WriteFile(t, "held.bin", testenv.Pattern(4096, 1))
	g, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sl := exec.Command("sleep", "1000")
	sl.Stdin = g
	if err := sl.Start(); err != nil {
		t.Fatal(err)
	}
	g.Close()
	t.Cleanup(func() { sl.Process.Kill(); sl.Wait() })

	p := &panel{inline: true}
	m, _ := keymap.PresetMap("default")
	h := viewtest.New(t, path, 140, 30, mapping.Options{}, view.Options{Keys: keymap.NewDispatcher(m), Features: []view.Feature{view.Core(), p}})
	e := h.E
	h.Press("Alt-W")
	scr := h.Grid()
	want := fmt.Sprintf("%-8d %-16s fd 0   open r, position 0x0", sl.Process.Pid, "sleep")
	if !e.PanelShown(PanelName) || !strings.Contains(scr, "who else has this file (Alt-W hides") || !strings.Contains(scr, want) ||
		!strings.Contains(scr, ": 1 other process") {
		t.Fatalf("panel:\n%s\nwant a line %q", scr, want)
	}
	if hl := p.highlight(0, 4096); hl != nil {
		t.Fatal("a mark without a shared writable mapping")
	}
	h.Press("Alt-W")
	if e.PanelShown(PanelName) || strings.Contains(h.Grid(), want) {
		t.Fatal("Alt-W did not hide the panel")
	}
}

func TestMain(m *testing.M) {
	cleanState := testenv.IsolateState() // no durable journal in the real home
	code := m.Run()
	cleanState()
	tmux.Cleanup()
	os.Exit(code)
}

// TestTmuxTwoEditorsSeeEachOther: two mmhex on one file, each in its own
// terminal. In each the who panel lists the other (its pid, mmhex, a
// shared writable mapping of the whole file (a page: a mapping is whole
// pages), its read-write descriptor)
// and underlines the bytes the other maps shared and writable; a byte typed
// in one is in the other's grid at once (the mapping is shared memory).
func TestTmuxTwoEditorsSeeEachOther(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shared.bin")
	if err := os.WriteFile(path, make([]byte, 256), 0o644); err != nil {
		t.Fatal(err)
	}
	a := tmux.Mmhex(t, 150, 30, dir, path)
	b := tmux.Mmhex(t, 150, 30, dir, path)
	a.WaitMatch(regexp.MustCompile(`HEX`), false)
	b.WaitMatch(regexp.MustCompile(`HEX`), false)
	pa, pb := a.PanePID(), b.PanePID()
	for _, c := range []struct {
		s     *tmux.Session
		other int
	}{{a, pb}, {b, pa}} {
		c.s.Keys("M-W")
		line := regexp.MustCompile(fmt.Sprintf(`%-8d mmhex +map   rw-s file 0x0–0x1000 \(4 KiB\) at 0x[0-9a-f]+; Rss`, c.other))
		scr := c.s.WaitMatch(line, false)
		if !strings.Contains(scr, fmt.Sprintf("%-8d mmhex            fd ", c.other)) || !strings.Contains(scr, "open rw") {
			t.Fatalf("the other mmhex's descriptor is not listed:\n%s", scr)
		}
		// underlined bytes: SGR 4 before the first row's hex (tmux -e)
		c.s.WaitMatch(regexp.MustCompile(`00000000\x1b.*\x1b\[([0-9;]*;)?4(;[0-9;]*)?m[^\n]*00`), true)
	}
	// a byte typed in a is in b's grid at once
	a.Text("41")
	b.WaitMatch(regexp.MustCompile(`00000000  41 00`), false)
}
