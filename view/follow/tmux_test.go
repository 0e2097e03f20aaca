package follow

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// mmhexBinary builds mmhex once into a temporary folder removed at exit.
func mmhexBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mmhex-follow-test-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "mmhex")
		out, err := exec.Command("go", "build", "-o", binPath, "mmhex").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	t.Cleanup(func() {}) // the folder is removed by TestMain
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

// startTmux runs mmhex with args in a tmux server of its own (120×30).
func startTmux(t *testing.T, dir, name string, args ...string) *tmux {
	t.Helper()
	testenv.RequireTool(t, "tmux")
	s := &tmux{t: t, sock: filepath.Join(dir, name+".sock")}
	cmd := append([]string{"-S", s.sock, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "30",
		"env", "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, mmhexBinary(t)}, args...)
	if out, err := exec.Command("tmux", cmd...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	return s
}

func (s *tmux) screen() string {
	out, err := exec.Command("tmux", "-S", s.sock, "capture-pane", "-p").Output()
	if err != nil {
		s.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

func (s *tmux) waitFor(re *regexp.Regexp) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := s.screen()
		if re.MatchString(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never matched %s:\n%s", re, scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pid is the mmhex process in the pane.
func (s *tmux) pid() int {
	out, err := exec.Command("tmux", "-S", s.sock, "display", "-p", "#{pane_pid}").Output()
	if err != nil {
		s.t.Fatal(err)
	}
	p, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return p
}

// switches is the sum of the context switches of all the process's
// threads: every wake-up of any of them counts.
func switches(t *testing.T, pid int) int {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no threads of %d: %v", pid, err)
	}
	n := 0
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) == 2 && strings.HasSuffix(f[0], "ctxt_switches:") {
				v, _ := strconv.Atoi(f[1])
				n += v
			}
		}
	}
	return n
}

func appendTo(t *testing.T, path string, b []byte) {
	t.Helper()
	g, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := g.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestTmuxFollow: the real binary with --follow in tmux. A write by
// another process (appends of 16 marked bytes) is on the screen within
// ~100 ms (measured, logged and recorded in docs/performance.md; the test
// fails only past 2 s, a lost notice). While the file is idle the
// follower's threads are not woken at all (0 context switches in 3 s),
// where a second mmhex without --follow, polling, is woken several times
// a second. A copy-truncate is said and followed on.
func TestTmuxFollow(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "grow.log")
	if err := os.WriteFile(path, bytes.Repeat([]byte("."), 1024), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, "follow", "--follow", path)
	s.waitFor(regexp.MustCompile(`following .*\(inotify\)`))

	var lat []time.Duration
	for i := range 10 {
		marker := fmt.Sprintf("FOLLOW-%02d-zzzzzz", i) // 16 bytes: one row of the text column
		re := regexp.MustCompile(regexp.QuoteMeta(marker))
		t0 := time.Now()
		appendTo(t, path, []byte(marker))
		deadline := t0.Add(2 * time.Second)
		for !re.MatchString(s.screen()) {
			if time.Now().After(deadline) {
				t.Fatalf("append %d not on the screen after 2 s:\n%s", i, s.screen())
			}
			time.Sleep(2 * time.Millisecond)
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(50 * time.Millisecond)
	}
	slices.Sort(lat)
	t.Logf("write to screen (tmux capture-pane polled every ~2 ms, its own cost included): median %v, max %v, all %v",
		lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), lat)

	// idle: let the settle frame pass, then count wake-ups
	time.Sleep(3 * time.Second)
	other := filepath.Join(dir, "other.bin")
	os.WriteFile(other, []byte("polling"), 0o644)
	p := startTmux(t, dir, "poll", other)
	p.waitFor(regexp.MustCompile(`HEX`))
	fpid, ppid := s.pid(), p.pid()
	// Up to three windows of 3 s: the Go runtime's forced GC (every 2
	// minutes) may fall into one; polling would wake the follower in each.
	var fw, pw int
	for try := 0; try < 3; try++ {
		f0, p0 := switches(t, fpid), switches(t, ppid)
		time.Sleep(3 * time.Second)
		f1, p1 := switches(t, fpid), switches(t, ppid)
		fw, pw = f1-f0, p1-p0
		t.Logf("context switches in 3 s idle: following (inotify) %d, not following (polling) %d", fw, pw)
		if fw <= 2 {
			break
		}
	}
	if fw > 2 {
		t.Errorf("the follower was woken %d times in 3 s with nothing changing", fw)
	}
	if pw < 6 {
		t.Errorf("the polling editor was woken only %d times in 3 s: the measurement cannot tell", pw)
	}

	// copy-truncate: the log is cut to 0 and written again
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, []byte("AFTER-ROTATION-1"))
	scr := s.waitFor(regexp.MustCompile(`AFTER-ROTATION-1`))
	if !regexp.MustCompile(`truncated to (0 bytes \(was 1184\); following on: now 16 bytes|16 bytes \(was 1184\); following on)`).MatchString(scr) {
		t.Fatalf("no truncation note:\n%s", scr)
	}
	if !strings.Contains(scr, "following") || !strings.Contains(scr, "0xf (15)") {
		t.Fatalf("not following after the rotation:\n%s", scr)
	}
}
