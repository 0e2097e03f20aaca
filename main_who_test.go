package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

// waitUntil polls cond every 20 ms for up to 20 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func childPIDs(pid int) []int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	var out []int
	for _, f := range strings.Fields(string(b)) {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

func mapsFile(pid int, ino uint64) bool {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	return strings.Contains(string(b), fmt.Sprintf(" %d ", ino))
}

// sortedPIDs parses whitespace-separated pids.
func sortedPIDs(s string) []int {
	var out []int
	for _, f := range strings.Fields(s) {
		if n, err := strconv.Atoi(strings.TrimRight(f, "cefFrm")); err == nil {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestWhoCLI: known holders of a file (a second mmhex, the editor, in
// tmux; a sleep with it open; flock holding a lock, and its sleep):
// `mmhex who` finds exactly the pids `lsof -t` and `fuser` find, with the
// editor's shared writable mapping and descriptor, and still finds them
// through /proc/PID/fd/0 once the file is deleted. A file nobody else
// holds: one line, exit 0.
func TestWhoCLI(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	lsof := testenv.RequireTool(t, "lsof")
	fuser := testenv.RequireTool(t, "fuser")
	flock := testenv.RequireTool(t, "flock")
	dir := t.TempDir()
	p := filepath.Join(dir, "held.bin")
	if err := os.WriteFile(p, pattern(64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		t.Fatal(err)
	}

	// the second mmhex: the editor in tmux
	sock := filepath.Join(dir, "tmux.sock")
	if out, err := exec.Command("tmux", "-S", sock, "-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30",
		"env", "HOME="+dir, "XDG_CONFIG_HOME="+dir, bin, p).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	out, err := exec.Command("tmux", "-S", sock, "display", "-p", "#{pane_pid}").Output()
	if err != nil {
		t.Fatal(err)
	}
	editor, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	waitUntil(t, "the editor maps the file", func() bool { return mapsFile(editor, st.Ino) })

	g, err := os.Open(p)
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
	fl := exec.Command(flock, p, "sleep", "1000")
	if err := fl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, k := range childPIDs(fl.Process.Pid) {
			unix.Kill(k, unix.SIGKILL)
		}
		fl.Process.Kill()
		fl.Wait()
	})
	waitUntil(t, "flock holds its lock and runs sleep", func() bool {
		b, _ := os.ReadFile("/proc/locks")
		return len(childPIDs(fl.Process.Pid)) == 1 && strings.Contains(string(b), fmt.Sprintf(" %d ", fl.Process.Pid))
	})
	flChild := childPIDs(fl.Process.Pid)[0]
	want := []int{editor, sl.Process.Pid, fl.Process.Pid, flChild}
	slices.Sort(want)

	lsofOut, _ := exec.Command(lsof, "-t", p).Output()
	fuserOut, _ := exec.Command(fuser, p).Output() // pids on stdout, the name on stderr
	if l, f := sortedPIDs(string(lsofOut)), sortedPIDs(string(fuserOut)); !slices.Equal(l, want) || !slices.Equal(f, want) {
		t.Fatalf("the references disagree with the holders started: lsof %v, fuser %v, started %v", l, f, want)
	}

	r := mmhex(t, "who", "--json", p)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("who --json: %d %q", r.code, r.stderr)
	}
	var j struct {
		File      string
		Device    string
		Inode     uint64
		Processes []struct {
			PID     int
			Command string
			Maps    []struct {
				Perms          string
				Offset, Length int64
			}
			FDs []struct {
				FD   int
				Mode string
			}
			Locks []struct{ Kind, Type string }
		}
		NotVisible int `json:"not_visible"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	var got []int
	for _, h := range j.Processes {
		got = append(got, h.PID)
		switch h.PID {
		case editor:
			if h.Command != "mmhex" || len(h.Maps) != 1 || h.Maps[0].Perms != "rw-s" || h.Maps[0].Offset != 0 || h.Maps[0].Length != 64<<10 ||
				len(h.FDs) != 1 || h.FDs[0].Mode != "rw" {
				t.Errorf("the editor: %+v", h)
			}
		case fl.Process.Pid:
			if h.Command != "flock" || len(h.Locks) != 1 || h.Locks[0].Kind != "FLOCK" || h.Locks[0].Type != "WRITE" {
				t.Errorf("flock: %+v", h)
			}
		case sl.Process.Pid:
			if h.Command != "sleep" || len(h.FDs) != 1 || h.FDs[0].FD != 0 || h.FDs[0].Mode != "r" || len(h.Maps) != 0 {
				t.Errorf("sleep: %+v", h)
			}
		}
	}
	if !slices.Equal(got, want) || j.File != p || j.Inode != st.Ino || j.Device != fmt.Sprintf("%02x:%02x", unix.Major(st.Dev), unix.Minor(st.Dev)) {
		t.Fatalf("who: pids %v, want %v (lsof, fuser)\n%s", got, want, r.stdout)
	}

	r = mmhex(t, "who", p)
	head := fmt.Sprintf("%s (device %02x:%02x, inode %d): 4 other processes\nPID      COMMAND          WHAT\n", p, unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	if r.code != 0 || !strings.HasPrefix(r.stdout, head) ||
		!strings.Contains(r.stdout, fmt.Sprintf("\n%-8d mmhex            map   rw-s file 0x0–0x10000 (64 KiB) at 0x", editor)) ||
		!strings.Contains(r.stdout, fmt.Sprintf("\n%-8d flock            lock  FLOCK ADVISORY WRITE 0x0–EOF\n", fl.Process.Pid)) ||
		!strings.Contains(r.stdout, fmt.Sprintf("\n%-8d sleep            fd 0   open r, position 0x0\n", sl.Process.Pid)) {
		t.Fatalf("who:\n%s%s", r.stdout, r.stderr)
	}

	// deleted: the name is gone; through the sleep's descriptor the same
	// file, the same holders
	os.Remove(p)
	r = mmhex(t, "who", "--json", fmt.Sprintf("/proc/%d/fd/0", sl.Process.Pid))
	j.Processes = nil
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("%v: %s %s", err, r.stdout, r.stderr)
	}
	got = got[:0]
	for _, h := range j.Processes {
		got = append(got, h.PID)
	}
	if !slices.Equal(got, want) || j.Inode != st.Ino {
		t.Fatalf("deleted file: pids %v, want %v\n%s", got, want, r.stdout)
	}

	// nobody else
	alone := tempFile(t, "alone.bin", []byte("alone"))
	unix.Stat(alone, &st)
	r = mmhex(t, "who", alone)
	line := fmt.Sprintf("%s (device %02x:%02x, inode %d): no other process maps, opens or locks it\n", alone, unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	if r.code != 0 || !strings.HasPrefix(r.stdout, line) || r.stderr != "" {
		t.Fatalf("who of a file nobody holds: %d %q %q\nwant %q", r.code, r.stdout, r.stderr, line)
	}
}

// TestWhoBadInput: a FIFO, a folder, a /proc file: one line, exit 1.
func TestWhoBadInput(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"who", fifo}, 1, fifo + ": is a FIFO (named pipe); it cannot be mapped"},
		{[]string{"who", dir}, 1, dir + ": is a directory"},
		{[]string{"who", "/proc/self/status"}, 1, "/proc/self/status: has size 0 but has content (a /proc or /sys file?); it cannot be mapped"},
		{[]string{"who", "--json", filepath.Join(dir, "missing")}, 1, filepath.Join(dir, "missing") + ": no such file or directory"},
		{[]string{"who"}, 2, "usage: mmhex who FILE [--json] (mmhex --help for more)"},
	}
	for _, c := range cases {
		r := mmhex(t, c.args...)
		if r.code != c.code || r.stderr != "mmhex: "+c.err+"\n" || r.stdout != "" {
			t.Errorf("%q:\n got code %d stderr %q\nwant code %d stderr %q", c.args, r.code, r.stderr, c.code, "mmhex: "+c.err+"\n")
		}
	}
}
