package tmux

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSession: a command in its terminal: typed text reaches it (cat
// echoes it back), the screen shows it, the pane's pid is the command's,
// and two sessions of one test have servers of their own.
func TestSession(t *testing.T) {
	a := Start(t, 80, 24, []string{"MMHEX_TMUX_TEST=1"}, "cat")
	b := Start(t, 80, 24, nil, "cat")
	if a.Socket == b.Socket {
		t.Fatalf("two sessions on one socket %s", a.Socket)
	}
	a.Text("hello tmux")
	a.Keys("Enter")
	if scr := a.WaitFor("hello tmux\nhello tmux"); strings.Count(scr, "hello tmux") != 2 {
		t.Fatalf("screen:\n%s", scr)
	}
	if strings.Contains(b.Screen(), "hello") {
		t.Fatal("the text reached the other session")
	}
	pid := a.PanePID()
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil || strings.TrimSpace(string(comm)) != "cat" {
		t.Fatalf("pane pid %d runs %q (%v), want cat", pid, comm, err)
	}
	env, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if !strings.Contains(string(env), "\x00MMHEX_TMUX_TEST=1\x00") || !strings.Contains(string(env), "TERM=xterm-256color\x00") {
		t.Fatalf("the environment lacks what Start adds: %q", env)
	}
	if a.Exited() {
		t.Fatal("Exited while cat runs")
	}
	a.Keys("C-d")
	a.WaitExit(Wait)
	if b.Exited() {
		t.Fatal("the other session's cat ended too")
	}
	a.Kill()
	if _, err := a.Try("list-sessions"); err == nil {
		t.Fatal("the server still runs after Kill")
	}
	if _, err := os.Stat(a.path); a.path == "" || !os.IsNotExist(err) {
		t.Fatalf("the socket %q is left after Kill: %v", a.path, err)
	}
}

// TestShell: Shell returns at the prompt; a command's output comes after
// the command line, on lines of its own.
func TestShell(t *testing.T) {
	s := Shell(t, 80, 24)
	s.Text("echo $((6*7))")
	s.Keys("Enter")
	scr := s.WaitFor("\n42\n")
	if !strings.HasPrefix(scr, "$ echo $((6*7))\n42\n$") {
		t.Fatalf("screen:\n%s", scr)
	}
}

// TestDrained: input is unread while the program does not read (it
// waits for a file), read once it does (cat); Escape returns after cat has
// read the Esc. The terminal is raw, as tcell's (in cooked mode a line not
// ended is not counted as input yet).
func TestDrained(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "gate")
	s := Start(t, 80, 24, nil, "sh", "-c", "stty raw -echo; echo READY; while [ ! -e "+gate+" ]; do sleep 0.05; done; exec cat -v")
	s.WaitFor("READY")
	s.Text("abc")
	if err := s.drained(50 * time.Millisecond); err == nil || !strings.Contains(err.Error(), "3 bytes unread") {
		t.Fatalf("drained while the program does not read: %v", err)
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s.Drained()
	s.Escape()
	s.Keys("Enter")
	s.WaitFor("abc^[")
}
