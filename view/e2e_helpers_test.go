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
	"os"
	"strings"
	"testing"
	"time"

	"mmhex/mapping/testenv"
	"mmhex/mapping/testenv/tmux"
)

// mmhexBinary builds mmhex once per test run (tmux.Binary).
func mmhexBinary(t *testing.T) string { return tmux.Binary(t) }

func TestMain(m *testing.M) {
	// Marks (mapping/bookmarks) and durable journals (mapping/wal) are
	// kept in $XDG_STATE_HOME/mmhex: the tests (and the binaries they
	// start) keep theirs in a folder of their own, never in the user's.
	cleanState := testenv.IsolateState()
	code := m.Run()
	cleanState()
	tmux.Cleanup()
	os.Exit(code)
}

// termSession is a detached tmux session running a shell (tmux.Shell:
// a server of its own, nothing typed before the first prompt).
type termSession struct {
	*tmux.Session
	t      *testing.T
	socket string
}

func newTerm(t *testing.T, w, h int) *termSession {
	t.Helper()
	s := tmux.Shell(t, w, h)
	return &termSession{Session: s, t: t, socket: s.Socket}
}

func (s *termSession) run(args ...string) string {
	s.t.Helper()
	return s.Run(args...)
}

// keys sends tmux key names (C-g, Enter, Tab).
func (s *termSession) keys(keys ...string) {
	s.t.Helper()
	s.Keys(keys...)
}

// text types s literally.
func (s *termSession) text(text string) {
	s.t.Helper()
	s.Text(text)
}

func (s *termSession) screen() string {
	s.t.Helper()
	return s.Screen()
}

// waitFor polls the screen until it contains want.
func (s *termSession) waitFor(want string) string {
	s.t.Helper()
	return s.WaitFor(want)
}

// tmuxSession runs the built mmhex binary in a detached tmux session on a
// server of its own, 120x40.
type tmuxSession struct {
	*tmux.Session
	t *testing.T
}

func startTmux(t *testing.T, dir string, args ...string) *tmuxSession {
	t.Helper()
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	// XDG_CONFIG_HOME and HOME point at an empty folder: no user config.
	cmdline := "cd '" + dir + "' && env XDG_CONFIG_HOME='" + dir + "' HOME='" + dir + "' " + strings.Join(quoted, " ") + "; echo EXITED $?; sleep 30"
	return &tmuxSession{Session: tmux.Start(t, 120, 40, nil, "sh", "-c", cmdline), t: t}
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	return s.Run(args...)
}

func (s *tmuxSession) screen() string {
	s.t.Helper()
	return s.Screen()
}

// send types keys (tmux key names) with a pause after each; after an
// Escape the next key waits until mmhex has read the Escape (tmux.Escape),
// so that the two are never read together as Alt-key.
func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if k == "Escape" {
			s.Escape() // returns once mmhex has read it, and tcell's Esc timeout after
			continue
		}
		s.run("send-keys", k)
		time.Sleep(60 * time.Millisecond)
	}
}

// typeText sends s literally.
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	s.run("send-keys", "-l", text)
	time.Sleep(60 * time.Millisecond)
}

// waitFor polls the screen until it contains want (tmux.Wait at most).
func (s *tmuxSession) waitFor(want string) string {
	s.t.Helper()
	return s.WaitFor(want)
}

// waitGone polls the screen until it no longer contains text.
func (s *tmuxSession) waitGone(text string) {
	s.t.Helper()
	s.WaitGone(text)
}
