package view

// Helpers of the end-to-end tests (*_tmux_test.go, tmux_test.go): the real
// mmhex binary, built once per test run, driven in a real terminal (tmux),
// each session on its own tmux server. Two kinds of session:
//   - termSession (newTerm): a shell, so a test can run mmhex and then
//     check its exit status and the terminal's state after it;
//   - tmuxSession (startTmux): mmhex itself, in a folder with no user
//     configuration; keys are sent one at a time.
// Both skip the test with a clear message where tmux is missing.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

// mmhexBinary builds mmhex once per test run into a temporary directory.
func mmhexBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "mmhex-view-test-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "mmhex")
		cmd := exec.Command("go", "build", "-o", binPath, "mmhex")
		cmd.Dir = filepath.Dir(testdata) // the package folder, whatever the test's working directory
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("go build mmhex: %v\n%s", err, out.String())
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	// Marks (mapping/bookmarks) and durable journals (mapping/wal) are
	// kept in $XDG_STATE_HOME/mmhex: the tests (and the binaries they
	// start) keep theirs in a folder of their own, never in the user's.
	cleanState := testenv.IsolateState()
	code := m.Run()
	cleanState()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// termSession is a detached tmux session running a shell.
type termSession struct {
	t      *testing.T
	socket string
}

// termSessions numbers the sessions of newTerm.
var termSessions atomic.Int64

func newTerm(t *testing.T, w, h int) *termSession {
	t.Helper()
	testenv.RequireTool(t, "tmux")
	// The socket is new for every session: a test run again (-count=20)
	// must not meet the server of its last run, still shutting down.
	s := &termSession{t: t, socket: fmt.Sprintf("mmhex-test-%d-%d-%s", os.Getpid(), termSessions.Add(1), strings.ReplaceAll(t.Name(), "/", "-"))}
	s.run("new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "env", "PS1=$ ", "TERM=xterm-256color", "sh")
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	// A watchdog window ends the server if this test process dies without
	// cleaning up (a -timeout panic).
	s.run("new-window", "-d", "sh", "-c", fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; tmux -L %s kill-server", os.Getpid(), s.socket))
	// Nothing is typed before the shell's first prompt: text typed
	// earlier is echoed by the terminal, and the prompt then comes after
	// it, on the line where the command's output begins (a loaded machine
	// showed "$ SIGQUIT: quit").
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.screen()
		if strings.TrimSpace(scr) == "$" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shell showed no prompt in 15 s:\n%s", scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

func (s *termSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names (C-g, Enter, Tab).
func (s *termSession) keys(keys ...string) {
	s.run(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

// text types s literally.
func (s *termSession) text(text string) { s.run("send-keys", "-t", "0", "-l", text) }

func (s *termSession) screen() string { return s.run("capture-pane", "-t", "0", "-p") }

// waitFor polls the screen until it contains want.
func (s *termSession) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.screen()
		if strings.Contains(scr, want) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", want, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tmuxSession runs the built mmhex binary in a detached tmux session on a
// private server socket, 120x40.
type tmuxSession struct {
	t    *testing.T
	sock string
}

// tmuxSessions numbers the server sockets: one server per session.
var tmuxSessions int

func startTmux(t *testing.T, dir string, args ...string) *tmuxSession {
	t.Helper()
	testenv.RequireTool(t, "tmux")
	tmuxSessions++
	s := &tmuxSession{t: t, sock: filepath.Join(dir, fmt.Sprintf("tmux%d.sock", tmuxSessions))}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	// XDG_CONFIG_HOME and HOME point at an empty folder: no user config.
	cmdline := "cd '" + dir + "' && env XDG_CONFIG_HOME='" + dir + "' HOME='" + dir + "' " + strings.Join(quoted, " ") + "; echo EXITED $?; sleep 30"
	s.run("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", cmdline)
	t.Cleanup(func() { exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.run("capture-pane", "-p") }

// send types keys (tmux key names) with a pause after each, so that Esc is
// never read together with the next key as Alt.
func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.run("send-keys", k)
		time.Sleep(60 * time.Millisecond)
		if k == "Escape" {
			time.Sleep(150 * time.Millisecond)
		}
	}
}

// typeText sends s literally.
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	s.run("send-keys", "-l", text)
	time.Sleep(60 * time.Millisecond)
}

// waitFor polls the screen until it contains want (10 s at most).
func (s *tmuxSession) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		scr := s.screen()
		if strings.Contains(scr, want) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q:\n%s", want, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitGone polls the screen until it no longer contains text (10 s at most).
func (s *tmuxSession) waitGone(text string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Contains(s.screen(), text) {
		if time.Now().After(deadline) {
			s.t.Fatalf("%q stayed on the screen:\n%s", text, s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
