package view

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// watched is mmhex run from a shell in tmux, with its pid, its standard
// error in a file and the terminal's stty -g before and after it.
type watched struct {
	t         *testing.T
	s         *termSession
	dir, path string
	pid       int
}

func startWatched(t *testing.T, w, h int) *watched { return startWatchedErr(t, w, h, true) }

// startWatchedErr is startWatched; with toFile false standard error is the
// terminal.
func startWatchedErr(t *testing.T, w, h int, toFile bool) *watched {
	t.Helper()
	bin := mmhexBinary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "w.bin")
	if err := os.WriteFile(path, knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t, w, h)
	// The inner shell writes its pid, then becomes mmhex (exec keeps it).
	redirect := " 2> " + dir + "/err"
	if !toFile {
		redirect = ""
	}
	s.text(fmt.Sprintf(`stty -g > %[1]s/before; sh -c 'echo $$ > %[1]s/pid; exec %[2]s %[3]s%[4]s'; echo EXIT=$?; stty -g > %[1]s/after`, dir, bin, path, redirect))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	b, err := os.ReadFile(filepath.Join(dir, "pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return &watched{t: t, s: s, dir: dir, path: path, pid: pid}
}

// exited reports whether the process has ended (a zombie has: nobody may
// reap it soon when its parent, the shell, died with the terminal).
func exited(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z'
}

// gone fails the test unless the process ends within limit of start.
func (w *watched) gone(start time.Time, limit time.Duration) {
	w.t.Helper()
	for !exited(w.pid) {
		if time.Since(start) > limit {
			scr := ""
			if out, err := execTmux(w.s.socket, "capture-pane", "-t", "0", "-p"); err == nil {
				scr = out
			}
			syscall.Kill(w.pid, syscall.SIGKILL)
			w.t.Fatalf("mmhex (pid %d) still runs %v after it was told to stop:\n%s", w.pid, limit, scr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if d := time.Since(start); d > limit {
		w.t.Fatalf("mmhex took %v to stop, more than %v", d, limit)
	}
}

// restored fails the test unless the shell's stty -g after mmhex equals
// the one before: the terminal is back in the mode it was in.
func (w *watched) restored() {
	w.t.Helper()
	// Not the screen's "EXIT=": the typed command line shows it from the
	// start. The shell writes the file after mmhex has ended.
	var before, after []byte
	deadline := time.Now().Add(15 * time.Second)
	for {
		before, _ = os.ReadFile(filepath.Join(w.dir, "before"))
		after, _ = os.ReadFile(filepath.Join(w.dir, "after"))
		if len(after) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(before) == 0 || string(before) != string(after) {
		w.t.Fatalf("stty -g before mmhex %q, after %q: the terminal was not restored", before, after)
	}
}

// stderr is what mmhex wrote to standard error.
func (w *watched) stderr() string {
	b, _ := os.ReadFile(filepath.Join(w.dir, "err"))
	return string(b)
}

// Issue 11, point 7: with a thousand keys still queued, Ctrl-Q, SIGTERM,
// SIGHUP, SIGINT and a closed terminal all end mmhex within a second, with
// the terminal restored and the signal named. (tcell's Fini used to wait
// for ever for its input goroutine, blocked on a full event queue; only
// kill -9 ended it, leaving the terminal raw.)
func TestTmuxNeverHangs(t *testing.T) {
	keys := strings.Repeat("x", 1000)
	const xHandled = "'x' is not a hex digit"
	t.Run("Ctrl-Q", func(t *testing.T) {
		w := startWatched(t, 120, 40)
		// Keys before: the editor has handled them when the screen
		// shows the cursor at 20.
		right := make([]string, 20)
		for i := range right {
			right[i] = "Right"
		}
		w.s.keys(right...)
		w.s.waitFor("0x14 (20)")
		// Ctrl-Q and a thousand hex digits after it, in one write: each
		// would overwrite a byte if it reached the editor.
		after := make([]string, 1001)
		after[0] = "C-q"
		for i := 1; i < len(after); i++ {
			after[i] = "a"
		}
		start := time.Now()
		w.s.keys(after...)
		w.gone(start, time.Second)
		w.restored()
		w.s.waitFor("EXIT=0")
		if e := w.stderr(); e != "" {
			t.Errorf("standard error: %q", e)
		}
		// No key typed after the quit reached the file.
		if got, err := os.ReadFile(w.path); err != nil || !bytes.Equal(got, knownData()) {
			t.Errorf("the file changed after Ctrl-Q (err %v): keys queued after the quit reached it", err)
		}
	})
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		t.Run(signalName(sig), func(t *testing.T) {
			w := startWatched(t, 120, 40)
			w.s.text(keys)
			w.s.waitFor(xHandled) // the keys are coming in
			if err := syscall.Kill(w.pid, sig); err != nil {
				t.Fatal(err)
			}
			w.gone(time.Now(), time.Second)
			w.restored()
			w.s.waitFor("EXIT=1")
			if got, want := w.stderr(), "mmhex: "+w.path+": stopped by "+signalName(sig)+"\n"; got != want {
				t.Errorf("standard error %q, want %q", got, want)
			}
		})
	}
	t.Run("terminal closed", func(t *testing.T) {
		w := startWatched(t, 120, 40)
		w.s.text(keys)
		w.s.waitFor(xHandled)
		w.s.run("kill-server")
		// The process is gone: no orphan keeps the file mapped.
		w.gone(time.Now(), time.Second)
		if got, want := w.stderr(), "mmhex: "+w.path+": stopped by SIGHUP\n"; got != want {
			t.Errorf("standard error %q, want %q", got, want)
		}
	})
}

// An unsynced edit is named in the message of a signal stop.
func TestTmuxSignalWithUnsyncedEdits(t *testing.T) {
	w := startWatched(t, 120, 40)
	w.s.text("ab")
	w.s.waitFor("1 edit unsynced")
	syscall.Kill(w.pid, syscall.SIGTERM)
	w.gone(time.Now(), time.Second)
	w.restored()
	if got, want := w.stderr(), "mmhex: "+w.path+": stopped by SIGTERM; unsynced edits are left to kernel writeback\n"; got != want {
		t.Errorf("standard error %q, want %q", got, want)
	}
}

// SIGTSTP gives the terminal back to the shell (normal screen, cooked
// mode: the shell runs a command), and fg brings the editor back as it
// was, taking keys again.
func TestTmuxSuspendResume(t *testing.T) {
	w := startWatched(t, 120, 40)
	w.s.keys("Right", "Right", "Right")
	w.s.waitFor("0x3 (3)")
	syscall.Kill(w.pid, syscall.SIGTSTP)
	w.s.waitFor("Stopped")
	if alt := strings.TrimSpace(w.s.run("display-message", "-p", "-t", "0", "#{alternate_on}")); alt != "0" {
		t.Fatalf("suspended, the terminal is still on the alternate screen (alternate_on=%s)", alt)
	}
	// The shell runs a command only in cooked mode (Enter is a newline).
	w.s.text("echo SUSPENDED-$((20+22))")
	w.s.keys("Enter")
	w.s.waitFor("SUSPENDED-42")
	w.s.text("fg; echo FG=$?; stty -g > " + w.dir + "/after2")
	w.s.keys("Enter")
	w.s.waitFor("0x3 (3)")
	if alt := strings.TrimSpace(w.s.run("display-message", "-p", "-t", "0", "#{alternate_on}")); alt != "1" {
		t.Fatalf("after fg the editor is not on the alternate screen")
	}
	w.s.keys("Right")
	w.s.waitFor("0x4 (4)")
	w.s.keys("C-q")
	w.s.waitFor("FG=0")
	before, _ := os.ReadFile(filepath.Join(w.dir, "before"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		after, _ := os.ReadFile(filepath.Join(w.dir, "after2"))
		if len(after) > 0 {
			if string(after) != string(before) {
				t.Fatalf("stty -g before %q, after %q", before, after)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no stty after fg")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SIGQUIT restores the terminal first, then Go prints the goroutines
// (exit status 2) on the terminal: the dump is on the normal screen, with
// the shell after it, and the terminal is not left raw.
//
// The pane's history is read until it holds the shell's EXIT=2 line:
// the shell has written it when restored() returns, but the tmux server
// reads the pane's output in its own time (a loaded machine saw one
// capture taken before it had the dump).
func TestTmuxQuitSignalRestoresFirst(t *testing.T) {
	w := startWatchedErr(t, 120, 40, false)
	syscall.Kill(w.pid, syscall.SIGQUIT)
	w.gone(time.Now(), 5*time.Second)
	w.restored()
	var hist string
	for deadline := time.Now().Add(15 * time.Second); ; {
		hist = w.s.run("capture-pane", "-t", "0", "-p", "-S", "-2000")
		if strings.Contains(hist, "\nEXIT=2\n") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(hist, "\nSIGQUIT: quit\n") || !strings.Contains(hist, "\ngoroutine 1 ") || !strings.Contains(hist, "\nEXIT=2\n") {
		t.Fatalf("the goroutine dump is not on the normal screen before the shell:\n%s", hist)
	}
	if strings.Contains(hist, "0x0 (0)") {
		t.Fatalf("the editor's screen is still there:\n%s", hist)
	}
}

func execTmux(socket string, args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
	return string(out), err
}

// idleBytes is what mmhex writes to its terminal in five idle seconds,
// after keys (tmux key names) and a second to settle.
func idleBytes(t *testing.T, keys ...string) int {
	w := startWatched(t, 120, 40)
	if len(keys) > 0 {
		w.s.keys(keys...)
	}
	time.Sleep(time.Second)
	out := filepath.Join(w.dir, "out")
	w.s.run("pipe-pane", "-t", "0", "-o", "cat >> "+out)
	time.Sleep(5 * time.Second)
	w.s.run("pipe-pane", "-t", "0")
	time.Sleep(100 * time.Millisecond)
	b, _ := os.ReadFile(out)
	w.s.keys("C-q")
	w.s.waitFor("EXIT=0")
	return len(b)
}

// Issue 11, point 9: idle is idle. With nothing changing and no panel
// open, mmhex writes nothing at all to the terminal in five seconds (it
// used to repaint the whole screen about twelve times a second: 100-155
// KB/s at 120x40). With the page panel or the disk view open, which
// measure a few times a second, only the cells that changed are written:
// less than 4 KiB in five seconds, a quarter of one full frame.
func TestTmuxIdleWritesNothing(t *testing.T) {
	for _, c := range []struct {
		name  string
		keys  []string
		limit int
	}{
		{"no panel", nil, 0},
		{"page panel", []string{"C-p"}, 4096},
		{"disk view", []string{"C-d"}, 4096},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := idleBytes(t, c.keys...)
			t.Logf("%s: %d bytes written in 5 idle seconds", c.name, n)
			if n > c.limit {
				t.Errorf("%s: %d bytes written to the terminal in 5 idle seconds, want at most %d", c.name, n, c.limit)
			}
		})
	}
}

// Issue 11, point 7: a closed terminal leaves no orphan. When the terminal
// goes away the kernel sends SIGHUP and SIGCONT; the SIGCONT repaint ran
// tcell's Sync on a screen tcell had already let go (its read of the
// closed terminal failed), where tcell's draw loop never advances: mmhex
// spun at 8% CPU for ever, holding the mapping, after saying "stopped by
// SIGHUP". Here the terminal (the tmux server) is killed right after the
// first frame, 20 times, mmhex started directly and under sh -c with its
// standard error redirected; 2 s later no mmhex may be left and no
// process may map one of the files.
func TestTmuxTerminalClosedLeavesNoOrphan(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	bin := mmhexBinary(t)
	dir := t.TempDir()
	const sessions = 20
	var pids []int
	var paths []string
	t.Cleanup(func() {
		for _, pid := range pids {
			if !exited(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	for i := 0; i < sessions; i++ {
		path := filepath.Join(dir, fmt.Sprintf("lab%d.bin", i))
		if err := os.WriteFile(path, make([]byte, 20000), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
		socket := fmt.Sprintf("mmhex-test-%d-orphan-%d", os.Getpid(), i)
		t.Cleanup(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
		cmd := []string{"env", "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, bin, "--populate", "--lock", "--window", "4k", "--invalidate", path}
		if i%2 == 1 {
			cmd = []string{"sh", "-c", strings.Join(cmd, " ") + " 2>" + filepath.Join(dir, fmt.Sprintf("err%d", i))}
		}
		if out, err := execTmux(socket, append([]string{"-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "40"}, cmd...)...); err != nil {
			t.Fatalf("tmux new-session: %v\n%s", err, out)
		}
		for deadline := time.Now().Add(10 * time.Second); ; {
			if scr, _ := execTmux(socket, "capture-pane", "-p"); strings.Contains(scr, "window 0x0") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("session %d: mmhex never showed its first frame", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
		pid := pidOf(bin, path)
		if pid == 0 {
			t.Fatalf("session %d: no mmhex process has %s in its command line", i, path)
		}
		pids = append(pids, pid)
		execTmux(socket, "kill-server")
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range pids {
		for !exited(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	var left []string
	for i, pid := range pids {
		if !exited(pid) {
			left = append(left, fmt.Sprintf("session %d: pid %d (%s)", i, pid, strings.Join(mapperOf(paths[i]), ", ")))
		}
	}
	if len(left) > 0 {
		t.Fatalf("%d of %d mmhex still run 2 s after their terminal was closed, holding the mapping:\n%s", len(left), sessions, strings.Join(left, "\n"))
	}
	for _, p := range paths {
		if m := mapperOf(p); len(m) > 0 {
			t.Fatalf("%s is still mapped by %v", p, m)
		}
	}
}

// pidOf is the pid of the process running the program bin with path in
// its command line; 0 if none.
func pidOf(bin, path string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); exe != bin {
			continue
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		for _, a := range strings.Split(string(b), "\x00") {
			if a == path {
				return pid
			}
		}
	}
	return 0
}

// mapperOf lists the live processes (as "pid N") that map the file path.
func mapperOf(path string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || exited(pid) {
			continue
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasSuffix(l, " "+path) {
				out = append(out, fmt.Sprintf("pid %d", pid))
				break
			}
		}
	}
	return out
}
