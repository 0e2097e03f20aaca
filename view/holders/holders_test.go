package holders

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
)

func screenText(sim tcell.SimulationScreen) string {
	cells, w, ht := sim.GetContents()
	var b strings.Builder
	for y := range ht {
		for x := range w {
			if r := cells[y*w+x].Runes; len(r) > 0 {
				b.WriteRune(r[0])
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

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

	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sim := tcell.NewSimulationScreen("UTF-8")
	sim.Init()
	app := tview.NewApplication()
	app.SetScreen(sim)
	sim.SetSize(140, 30)
	p := &panel{inline: true}
	m, _ := keymap.PresetMap("default")
	e, err := view.New(app, f, view.Options{Keys: keymap.NewDispatcher(m), Features: []view.Feature{view.Core(), p}})
	if err != nil {
		t.Fatal(err)
	}
	press := func(k string) {
		key, _ := keymap.ParseKey(k)
		e.HandleKey(key.Event())
	}
	press("Alt-W")
	app.ForceDraw()
	scr := screenText(sim)
	want := fmt.Sprintf("%-8d %-16s fd 0   open r, position 0x0", sl.Process.Pid, "sleep")
	if !e.PanelShown(PanelName) || !strings.Contains(scr, "who else has this file (Alt-W hides") || !strings.Contains(scr, want) ||
		!strings.Contains(scr, ": 1 other process") {
		t.Fatalf("panel:\n%s\nwant a line %q", scr, want)
	}
	if hl := p.highlight(0, 4096); hl != nil {
		t.Fatal("a mark without a shared writable mapping")
	}
	press("Alt-W")
	app.ForceDraw()
	if e.PanelShown(PanelName) || strings.Contains(screenText(sim), want) {
		t.Fatal("Alt-W did not hide the panel")
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func mmhexBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mmhex-holders-test-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "mmhex")
		if out, err := exec.Command("go", "build", "-o", binPath, "mmhex").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	cleanState := testenv.IsolateState() // no durable journal in the real home
	code := m.Run()
	cleanState()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

type tmux struct {
	t    *testing.T
	sock string
}

func startTmux(t *testing.T, dir, name string, args ...string) *tmux {
	t.Helper()
	testenv.RequireTool(t, "tmux")
	s := &tmux{t: t, sock: filepath.Join(dir, name+".sock")}
	cmd := append([]string{"-S", s.sock, "-f", "/dev/null", "new-session", "-d", "-x", "150", "-y", "30",
		"env", "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "TERM=xterm-256color", mmhexBinary(t)}, args...)
	if out, err := exec.Command("tmux", cmd...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	return s
}

func (s *tmux) run(args ...string) string {
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).Output()
	if err != nil {
		s.t.Fatalf("tmux %v: %v", args, err)
	}
	return string(out)
}

func (s *tmux) waitFor(re *regexp.Regexp, escapes bool) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		args := []string{"capture-pane", "-p"}
		if escapes {
			args = append(args, "-e")
		}
		scr := s.run(args...)
		if re.MatchString(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never matched %s:\n%s", re, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *tmux) pid() int {
	p, _ := strconv.Atoi(strings.TrimSpace(s.run("display", "-p", "#{pane_pid}")))
	return p
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
	a := startTmux(t, dir, "a", path)
	b := startTmux(t, dir, "b", path)
	a.waitFor(regexp.MustCompile(`HEX`), false)
	b.waitFor(regexp.MustCompile(`HEX`), false)
	pa, pb := a.pid(), b.pid()
	for _, c := range []struct {
		s     *tmux
		other int
	}{{a, pb}, {b, pa}} {
		c.s.run("send-keys", "M-W")
		line := regexp.MustCompile(fmt.Sprintf(`%-8d mmhex +map   rw-s file 0x0–0x1000 \(4 KiB\) at 0x[0-9a-f]+; Rss`, c.other))
		scr := c.s.waitFor(line, false)
		if !strings.Contains(scr, fmt.Sprintf("%-8d mmhex            fd ", c.other)) || !strings.Contains(scr, "open rw") {
			t.Fatalf("the other mmhex's descriptor is not listed:\n%s", scr)
		}
		// underlined bytes: SGR 4 before the first row's hex (tmux -e)
		c.s.waitFor(regexp.MustCompile(`00000000\x1b.*\x1b\[([0-9;]*;)?4(;[0-9;]*)?m[^\n]*00`), true)
	}
	// a byte typed in a is in b's grid at once
	a.run("send-keys", "-l", "41")
	b.waitFor(regexp.MustCompile(`00000000  41 00`), false)
}
