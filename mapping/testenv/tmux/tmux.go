// Package tmux drives programs in a real terminal for the end-to-end tests
// of several mmhex packages: a tmux server of its own per session (a
// unique -L socket, so parallel tests and -count=N runs never meet),
// keys by tmux name or literal text, the screen (with or without SGR
// escapes), waits for a text or a pattern with a generous deadline
// (never a fixed sleep before an assertion), the pane's process, and the
// server's end with the test (and with the test process: a watchdog ends
// it when the test binary dies, a -timeout panic). It also builds the
// mmhex binary once per test binary (Binary). Imported only from _test.go
// files; it skips a test where tmux is missing (fails in CI: testenv).
package tmux

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

// Wait is how long WaitFor, WaitMatch and WaitGone wait: generous for
// -race on two loaded cores; a passing test never waits it.
const Wait = 20 * time.Second

// Session is a detached tmux session on a server of its own, running one
// command in its first window.
type Session struct {
	t      testing.TB
	Socket string // the -L socket name
	target string // the command's pane: "main:0"
	path   string // the socket's file, removed by Kill (tmux leaves it)
}

// sessions numbers the servers of this test binary.
var sessions atomic.Int64

// Start runs argv (a program and its arguments, run directly, no shell)
// in a new w×h terminal with TERM=xterm-256color and env added to the
// environment ("NAME=value"). The server ends when the test does.
func Start(t testing.TB, w, h int, env []string, argv ...string) *Session {
	t.Helper()
	testenv.RequireTool(t, "tmux")
	s := &Session{t: t, Socket: fmt.Sprintf("mmhex-%d-%d", os.Getpid(), sessions.Add(1)), target: "main:0"}
	args := []string{"-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h),
		"env", "TERM=xterm-256color"}
	args = append(append(args, env...), argv...)
	s.Run(args...)
	s.path = strings.TrimSpace(s.Run("display-message", "-p", "#{socket_path}"))
	t.Cleanup(s.Kill)
	// The watchdog, a second window (not selected: a tmux command with
	// no target still means the command's window): it ends the server
	// when the test process has died without its cleanups.
	s.Run("new-window", "-d", "-t", "main:", "sh", "-c",
		fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; tmux -L %s kill-server", os.Getpid(), s.Socket))
	return s
}

// Mmhex runs the mmhex binary (Binary) with args in a new w×h terminal,
// with no user configuration: HOME and XDG_CONFIG_HOME are dir.
func Mmhex(t testing.TB, w, h int, dir string, args ...string) *Session {
	t.Helper()
	return Start(t, w, h, []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir}, append([]string{Binary(t)}, args...)...)
}

// Shell starts sh with the prompt "$ " (PS1) in a w×h terminal, and waits
// for its first prompt: text typed before it would be echoed first and
// the prompt would then stand where the command's output begins.
func Shell(t testing.TB, w, h int, env ...string) *Session {
	t.Helper()
	s := Start(t, w, h, append([]string{"PS1=$ "}, env...), "sh")
	deadline := time.Now().Add(Wait)
	for {
		scr := s.Screen()
		if strings.TrimSpace(scr) == "$" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shell showed no prompt in %v:\n%s", Wait, scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Run runs a tmux command on the session's server and returns its output;
// an error fails the test.
func (s *Session) Run(args ...string) string {
	s.t.Helper()
	out, err := s.Try(args...)
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Try runs a tmux command and returns its output and error (the server
// may have ended).
func (s *Session) Try(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", s.Socket}, args...)...).CombinedOutput()
	return string(out), err
}

// Exited reports whether the command has ended (its window is gone).
func (s *Session) Exited() bool {
	_, err := s.Try("list-panes", "-t", s.target)
	return err != nil
}

// WaitExit waits until the command has ended, at most limit; then it fails
// the test with the screen.
func (s *Session) WaitExit(limit time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for !s.Exited() {
		if time.Now().After(deadline) {
			scr, _ := s.Try("capture-pane", "-t", s.target, "-p")
			s.t.Fatalf("%s: the command did not exit within %v:\n%s", s.Socket, limit, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill ends the server (and what runs in it).
func (s *Session) Kill() {
	exec.Command("tmux", "-L", s.Socket, "kill-server").Run()
	if s.path != "" {
		os.Remove(s.path)
	}
}

// Keys sends keys by tmux name ("C-g", "Enter", "M-t", "Escape"), in one
// write.
func (s *Session) Keys(keys ...string) {
	s.t.Helper()
	s.Run(append([]string{"send-keys", "-t", s.target}, keys...)...)
}

// Text types text literally.
func (s *Session) Text(text string) {
	s.t.Helper()
	s.Run("send-keys", "-t", s.target, "-l", text)
}

// escGap is how long the next key waits after the program has read a lone
// Escape: tcell reads an Escape followed within 50 ms by another key as
// that key with Alt.
const escGap = 150 * time.Millisecond

// Escape sends the Escape key and returns once the program has read it
// and tcell's Escape timeout has passed since, so that the next key is
// not read together with it as Alt-key (a fixed pause after sending
// merged "Esc h" into Alt-h on a loaded machine, where the program read
// both at once).
func (s *Session) Escape() {
	s.t.Helper()
	s.Keys("Escape")
	s.Drained()
	time.Sleep(escGap)
}

// Drained waits until the program has read all the input sent to its
// terminal (the pane's tty holds no unread byte: TIOCINQ), Wait at most.
func (s *Session) Drained() {
	s.t.Helper()
	if err := s.drained(Wait); err != nil {
		s.t.Fatal(err)
	}
}

func (s *Session) drained(limit time.Duration) error {
	tty := strings.TrimSpace(s.Run("display-message", "-p", "-t", s.target, "#{pane_tty}"))
	f, err := os.OpenFile(tty, os.O_RDONLY|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("the pane's terminal: %v", err)
	}
	defer f.Close()
	deadline := time.Now().Add(limit)
	for {
		n, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCINQ)
		if err != nil {
			return fmt.Errorf("TIOCINQ on %s: %v", tty, err)
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the program did not read its input in %v: %d bytes unread", limit, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Screen is the visible screen as text (capture-pane -p).
func (s *Session) Screen() string {
	s.t.Helper()
	return s.Run("capture-pane", "-t", s.target, "-p")
}

// Escapes is the visible screen with its SGR escapes (capture-pane -p -e).
func (s *Session) Escapes() string {
	s.t.Helper()
	return s.Run("capture-pane", "-t", s.target, "-p", "-e")
}

// History is the screen with up to lines lines of history before it.
func (s *Session) History(lines int) string {
	s.t.Helper()
	return s.Run("capture-pane", "-t", s.target, "-p", "-S", fmt.Sprint(-lines))
}

// WaitFor waits until the screen contains want and returns the screen;
// after Wait it fails the test with the screen.
func (s *Session) WaitFor(want string) string {
	s.t.Helper()
	return s.wait(fmt.Sprintf("showed %q", want), s.Screen, func(scr string) bool { return strings.Contains(scr, want) })
}

// WaitMatch waits until the screen (with its escapes when escapes) matches
// re and returns it.
func (s *Session) WaitMatch(re *regexp.Regexp, escapes bool) string {
	s.t.Helper()
	screen := s.Screen
	if escapes {
		screen = s.Escapes
	}
	return s.wait("matched "+re.String(), screen, re.MatchString)
}

// WaitGone waits until the screen no longer contains text.
func (s *Session) WaitGone(text string) string {
	s.t.Helper()
	return s.wait(fmt.Sprintf("lost %q", text), s.Screen, func(scr string) bool { return !strings.Contains(scr, text) })
}

func (s *Session) wait(what string, screen func() string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(Wait)
	for {
		scr := screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never %s in %v:\n%s", what, Wait, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PanePID is the pid of the process the pane runs (the command Start ran,
// or the shell of Shell).
func (s *Session) PanePID() int {
	s.t.Helper()
	out := s.Run("display-message", "-p", "-t", s.target, "#{pane_pid}")
	p, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		s.t.Fatalf("pane pid %q: %v", out, err)
	}
	return p
}

// Binary builds the mmhex program once per test binary
// (testenv.MmhexBinary) and returns its path; Cleanup, from TestMain after
// m.Run, removes it.
func Binary(t testing.TB) string {
	t.Helper()
	return testenv.MmhexBinary(t)
}

// Cleanup removes what Binary built.
func Cleanup() { testenv.RemoveMmhexBinary() }
