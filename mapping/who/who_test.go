package who

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// helperEnv makes the test binary a holder of a file instead of running
// tests: "map:PATH" maps its first two pages shared and writable and
// stores into both; "posix:PATH" takes a POSIX read lock on
// bytes 10–19. Either prints "ready" and waits until its standard input
// closes.
const helperEnv = "MMHEX_WHO_HELPER"

func TestMain(m *testing.M) {
	if h := os.Getenv(helperEnv); h != "" {
		helper(h)
		return
	}
	cleanState := testenv.IsolateState() // no durable journal in the real home
	code := m.Run()
	cleanState()
	os.Exit(code)
}

var sink byte

func helper(h string) {
	kind, path, _ := strings.Cut(h, ":")
	g, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	ps := os.Getpagesize()
	switch kind {
	case "map":
		b, err := unix.Mmap(int(g.Fd()), 0, 2*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		b[0], b[ps] = 'M', 'N'
		sink = b[1]
		defer unix.Munmap(b)
	case "posix":
		lk := unix.Flock_t{Type: unix.F_RDLCK, Whence: 0, Start: 10, Len: 10}
		if err := unix.FcntlFlock(g.Fd(), unix.F_SETLK, &lk); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
}

// holder starts a process that holds path and waits until it says it
// does; it ends with the test.
func holder(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("%v: %q", cmd.Args, line)
	}
	return cmd.Process.Pid
}

func helperCmd(kind, path string) *exec.Cmd {
	self, _ := os.Executable()
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), helperEnv+"="+kind+":"+path)
	return cmd
}

// sleeper starts `sleep 1000` with path open (read-only, or read-write)
// as its descriptor 0.
func sleeper(t *testing.T, path string, flag int) int {
	t.Helper()
	g, err := os.OpenFile(path, flag, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	cmd := exec.Command("sleep", "1000")
	cmd.Stdin = g
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

// flocker starts `flock PATH sleep 1000` and waits until /proc/locks
// shows its lock; it returns flock's pid and its child's.
func flocker(t *testing.T, path string) (int, int) {
	t.Helper()
	tool := testenv.RequireTool(t, "flock")
	cmd := exec.Command(tool, path, "sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		kids := children(cmd.Process.Pid)
		cmd.Process.Kill()
		for _, k := range kids {
			unix.Kill(k, unix.SIGKILL)
		}
		cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if k := children(cmd.Process.Pid); len(k) == 1 {
			b, _ := os.ReadFile("/proc/locks")
			if strings.Contains(string(b), " "+strconv.Itoa(cmd.Process.Pid)+" ") {
				return cmd.Process.Pid, k[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("flock did not take its lock and start sleep in 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func children(pid int) []int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	var out []int
	for _, f := range strings.Fields(string(b)) {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

func open(t testing.TB, path string) *mapping.File {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func pids(r Report) []int {
	var out []int
	for _, h := range r.Others {
		out = append(out, h.PID)
	}
	for _, l := range r.OtherLocks {
		if l.PID > 0 && !slices.Contains(out, l.PID) {
			out = append(out, l.PID)
		}
	}
	slices.Sort(out)
	return out
}

// lsofTable runs `lsof -F pcfn PATH`-style field output: pid → the FD
// column entries ("mem", "0r", "3u", "3rW"...).
func lsofTable(t *testing.T, path string) map[int][]string {
	t.Helper()
	tool := testenv.RequireTool(t, "lsof")
	out, _ := exec.Command(tool, "-n", "-P", path).Output() // exit 1 when nobody; warnings on stderr
	m := map[int][]string{}
	for i, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 4 {
			continue
		}
		pid, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatalf("lsof line %q", line)
		}
		m[pid] = append(m[pid], f[3])
	}
	return m
}

// fuserTable runs `fuser -v PATH`: pid → its ACCESS letters ("f", "F", "m").
func fuserTable(t *testing.T, path string) map[int]string {
	t.Helper()
	tool := testenv.RequireTool(t, "fuser")
	out, _ := exec.Command(tool, "-v", path).CombinedOutput()
	m := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && strings.HasSuffix(f[0], ":") { // the first row starts with the name
			f = f[1:]
		}
		if len(f) < 4 {
			continue
		}
		pid, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		m[pid] = strings.ReplaceAll(f[2], ".", "")
	}
	return m
}

// TestHoldersAgreeWithLsofFuser: a process mapping the file shared and
// writable, a sleep with it open read-only, one with it open read-write,
// flock (and its sleep) holding a lock, and a POSIX lock on bytes 10–19:
// Holders finds exactly the pids lsof and fuser find, with the same kind
// of hold (lsof's mem / r / w / u and its lock letter, fuser's m / f / F),
// and the mapping's Rss and dirty figures.
func TestHoldersAgreeWithLsofFuser(t *testing.T) {
	ps := int64(os.Getpagesize())
	dir := t.TempDir()
	path := filepath.Join(dir, "held.bin")
	if err := os.WriteFile(path, testenv.Pattern(int(4*ps), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	// written back, so the only dirty page is the one the mapper stores into
	if g, err := os.Open(path); err == nil {
		g.Sync()
		g.Close()
	}
	mapper := holder(t, helperCmd("map", path))
	mapper2 := holder(t, helperCmd("map", path))
	locker := holder(t, helperCmd("posix", path))
	reader := sleeper(t, path, os.O_RDONLY)
	writer := sleeper(t, path, os.O_RDWR|os.O_APPEND)
	fl, flChild := flocker(t, path)

	f := open(t, path)
	r, err := Holders(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{mapper, mapper2, locker, reader, writer, fl, flChild}
	slices.Sort(want)
	if got := pids(r); !slices.Equal(got, want) {
		t.Fatalf("pids %v, want %v\n%s", got, want, strings.Join(r.Lines(), "\n"))
	}
	lsof := lsofTable(t, path)
	fuser := fuserTable(t, path)
	// this test process has the file open and mapped (f): Holders leaves
	// out the process that asks
	if _, ok := lsof[os.Getpid()]; !ok {
		t.Fatalf("lsof does not list this process, which has the file open: %v", lsof)
	}
	delete(lsof, os.Getpid())
	delete(fuser, os.Getpid())
	var lsofPIDs, fuserPIDs []int
	for p := range lsof {
		lsofPIDs = append(lsofPIDs, p)
	}
	for p := range fuser {
		fuserPIDs = append(fuserPIDs, p)
	}
	slices.Sort(lsofPIDs)
	slices.Sort(fuserPIDs)
	if !slices.Equal(lsofPIDs, want) || !slices.Equal(fuserPIDs, want) {
		t.Fatalf("lsof %v, fuser %v, Holders %v", lsof, fuser, want)
	}
	for _, h := range r.Others {
		// ours, in lsof's letters: mem per mapping; per fd its number, r/w/u
		// and the lock letter for a whole-file lock (W, R) or a part (w, r)
		var mine []string
		for range h.Maps {
			mine = append(mine, "mem")
		}
		for _, d := range h.FDs {
			m := map[string]string{"r": "r", "w": "w", "rw": "u", "w+append": "w", "rw+append": "u"}[d.Mode()]
			lk := ""
			for _, l := range h.Locks {
				if l.Kind == "FLOCK" || l.Kind == "POSIX" {
					whole := l.Start == 0 && l.End < 0
					lk = map[bool]string{true: "R", false: "r"}[whole]
					if l.Type == "WRITE" {
						lk = map[bool]string{true: "W", false: "w"}[whole]
					}
				}
			}
			mine = append(mine, strconv.Itoa(d.FD)+m+lk)
		}
		theirs := lsof[h.PID]
		slices.Sort(mine)
		slices.Sort(theirs)
		if !slices.Equal(mine, theirs) {
			t.Errorf("pid %d (%s): ours %v, lsof %v", h.PID, h.Command, mine, theirs)
		}
		acc := ""
		if len(h.FDs) > 0 {
			acc = "f"
			for _, d := range h.FDs {
				if d.Flags&unix.O_ACCMODE != unix.O_RDONLY {
					acc = "F"
				}
			}
		}
		if len(h.Maps) > 0 {
			acc += "m"
		}
		if fuser[h.PID] != acc {
			t.Errorf("pid %d (%s): ours %q, fuser -v %q", h.PID, h.Command, acc, fuser[h.PID])
		}
	}
	by := map[int]Holder{}
	for _, h := range r.Others {
		by[h.PID] = h
	}
	// both mappers stored into both pages: shared memory, dirty, in both
	m := by[mapper]
	for _, p := range []int{mapper, mapper2} {
		m := by[p]
		if len(m.Maps) != 1 || m.Maps[0].Perms != "rw-s" || m.Maps[0].Offset != 0 || m.Maps[0].Len() != 2*ps ||
			m.Maps[0].Rss != 2*ps || m.Maps[0].PrivateDirty != 0 || m.Maps[0].SharedDirty != 2*ps || !m.Maps[0].SharedWritable() {
			t.Fatalf("the mapper: %+v", m)
		}
	}
	if sw := r.SharedWritable(); len(sw) != 2 || sw[0].Off != 0 || sw[0].End != 2*ps || sw[1].Off != 0 || sw[1].End != 2*ps ||
		!slices.Contains([]int{sw[0].PID, sw[1].PID}, mapper) || !slices.Contains([]int{sw[0].PID, sw[1].PID}, mapper2) {
		t.Fatalf("SharedWritable: %v", sw)
	}
	if d := by[writer].FDs; len(d) != 1 || d[0].FD != 0 || d[0].Mode() != "rw+append" {
		t.Fatalf("the writer: %+v", by[writer])
	}
	if d := by[reader].FDs; len(d) != 1 || d[0].Mode() != "r" || d[0].Pos != 0 {
		t.Fatalf("the reader: %+v", by[reader])
	}
	if l := by[locker].Locks; len(l) != 1 || l[0].Kind != "POSIX" || l[0].Type != "READ" || l[0].Range() != "0xa–0x13" {
		t.Fatalf("the POSIX lock: %+v", by[locker])
	}
	if l := by[fl].Locks; len(l) != 1 || l[0].String() != "lock  FLOCK ADVISORY WRITE 0x0–EOF" {
		t.Fatalf("flock's lock: %+v", by[fl])
	}
	if by[fl].Command != "flock" || by[reader].Command != "sleep" {
		t.Fatalf("commands: %q %q", by[fl].Command, by[reader].Command)
	}
	// pmap -XX (procps), reading the same smaps its own way, agrees
	if pm := testenv.RequireTool(t, "pmap"); pm != "" {
		out, err := exec.Command(pm, "-XX", strconv.Itoa(mapper)).Output()
		if err != nil {
			t.Fatal(err)
		}
		checkPmap(t, string(out), m.Maps[0])
	}

	// The lines: exact for the mapper and the lock
	lines := strings.Join(r.Lines(), "\n")
	for _, w := range []string{
		fmt.Sprintf("%-8d %-16s map   rw-s file 0x0–%#x (%d KiB) at %#x; Rss %d KiB, Shared_Dirty %d KiB, Private_Dirty 0 B",
			mapper, m.Command, 2*ps, 2*ps>>10, m.Maps[0].Start, 2*ps>>10, 2*ps>>10),
		fmt.Sprintf("%-8d %-16s fd 0   open rw+append, position 0x0", writer, "sleep"),
		fmt.Sprintf("%-8d %-16s lock  POSIX ADVISORY READ 0xa–0x13", locker, by[locker].Command),
	} {
		if !strings.Contains(lines, w) {
			t.Errorf("no line %q in\n%s", w, lines)
		}
	}
	var j struct {
		Processes []struct {
			PID  int
			Maps []struct {
				Perms                     string
				Rss, SharedDirty, Private *int64
				PrivateDirty              *int64 `json:"private_dirty"`
			}
		}
		NotVisible int `json:"not_visible"`
	}
	if err := json.Unmarshal(r.JSON(), &j); err != nil || len(j.Processes) != len(want) {
		t.Fatalf("JSON %v: %s", err, r.JSON())
	}
}

// checkPmap compares a mapping's figures with pmap -XX's row for it.
func checkPmap(t *testing.T, out string, m Map) {
	t.Helper()
	lines := strings.Split(out, "\n")
	var head []string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) > 0 && f[0] == "Address" {
			head = f
			continue
		}
		if head == nil || len(f) < len(head)-1 {
			continue
		}
		if a, err := strconv.ParseUint(f[0], 16, 64); err != nil || a != m.Start {
			continue
		}
		col := func(name string) int64 {
			i := slices.Index(head, name)
			if i < 0 {
				t.Fatalf("pmap -X has no %s column: %v", name, head)
			}
			v, _ := strconv.ParseInt(f[i], 10, 64)
			return v << 10
		}
		if col("Rss") != m.Rss || col("Private_Dirty") != m.PrivateDirty || col("Shared_Dirty") != m.SharedDirty {
			t.Fatalf("pmap -X: Rss %d, Private_Dirty %d, Shared_Dirty %d; ours %+v", col("Rss"), col("Private_Dirty"), col("Shared_Dirty"), m)
		}
		return
	}
	t.Fatalf("pmap -X has no row for %#x:\n%s", m.Start, out)
}

// TestHoldersRenamedDeleted: matched by device and inode: the holders of
// the open file are found after its name was renamed over and after it
// was deleted, and a new file under the old name is not confused with it.
func TestHoldersRenamedDeleted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	if err := os.WriteFile(path, testenv.Pattern(8192, 2), 0o644); err != nil {
		t.Fatal(err)
	}
	f := open(t, path)
	mapper := holder(t, helperCmd("map", path))
	other := filepath.Join(dir, "other")
	os.WriteFile(other, []byte("x"), 0o644)
	newcomer := sleeper(t, other, os.O_RDONLY)
	if err := os.Rename(other, path); err != nil { // the name now leads to another file
		t.Fatal(err)
	}
	r, err := Holders(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := pids(r); !slices.Equal(got, []int{mapper}) {
		t.Fatalf("after rename over: %v, want only %d (not the new file's %d)", got, mapper, newcomer)
	}
	os.Remove(path)
	r, err = Holders(f)
	if got := pids(r); err != nil || !slices.Equal(got, []int{mapper}) {
		t.Fatalf("after delete: %v %v", got, err)
	}
}

// TestNobodyElse: a file nobody else holds: the one line says so.
func TestNobodyElse(t *testing.T) {
	path := testenv.WriteFile(t, "alone.bin", []byte("alone"))
	f := open(t, path)
	r, err := Holders(f)
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	unix.Stat(path, &st)
	want := fmt.Sprintf("%s (device %02x:%02x, inode %d): no other process maps, opens or locks it", path, unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	if l := r.Lines(); len(r.Others) != 0 || l[0] != want {
		t.Fatalf("%q\nwant first line %q", l, want)
	}
}

// TestHiddenCounted: as a normal user (nobody), processes of other users
// that hold the file are not listed, never guessed: they are among the
// processes counted as not visible, each of which really is unreadable
// (its maps cannot be opened) and another user's; the user's own holder
// is listed.
func TestHiddenCounted(t *testing.T) {
	if os.Geteuid() == 0 {
		// root's holders, started before the test runs again as nobody
		dir, err := os.MkdirTemp("", "mmhex-who-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		os.Chmod(dir, 0o755)
		path := filepath.Join(dir, "shared.bin")
		if err := os.WriteFile(path, testenv.Pattern(8192, 3), 0o666); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, 0o666)
		a := sleeper(t, path, os.O_RDONLY)
		b := holder(t, helperCmd("map", path))
		t.Setenv("MMHEX_WHO_FILE", path)
		t.Setenv("MMHEX_WHO_ROOT_PIDS", fmt.Sprintf("%d,%d", a, b))
	}
	if testenv.AsNobody(t) {
		return
	}
	path := os.Getenv("MMHEX_WHO_FILE")
	var rootPIDs []int
	for _, s := range strings.Split(os.Getenv("MMHEX_WHO_ROOT_PIDS"), ",") {
		if n, err := strconv.Atoi(s); err == nil {
			rootPIDs = append(rootPIDs, n)
		}
	}
	if path == "" {
		// not root to begin with: only the user's own holder is known
		path = testenv.WriteFile(t, "shared.bin", testenv.Pattern(8192, 3))
	}
	mine := sleeper(t, path, os.O_RDONLY)
	f := open(t, path)
	r, err := Holders(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := pids(r); !slices.Equal(got, []int{mine}) {
		t.Fatalf("as uid %d: holders %v, want only my own %d\n%s", os.Geteuid(), got, mine, strings.Join(r.Lines(), "\n"))
	}
	if r.NotVisible != len(r.Hidden) || r.NotVisible < len(rootPIDs) {
		t.Fatalf("NotVisible %d, Hidden %v, root's holders %v", r.NotVisible, r.Hidden, rootPIDs)
	}
	for _, p := range rootPIDs {
		if !slices.Contains(r.Hidden, p) {
			t.Fatalf("root's holder %d is not counted as not visible: %v", p, r.Hidden)
		}
	}
	me := strconv.Itoa(os.Geteuid())
	for _, p := range r.Hidden {
		_, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", p))
		st, serr := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if serr != nil {
			continue // gone since
		}
		uid := ""
		for _, l := range strings.Split(string(st), "\n") {
			if f := strings.Fields(l); len(f) > 2 && f[0] == "Uid:" {
				uid = f[2] // effective
			}
		}
		if err == nil && uid == me {
			t.Errorf("pid %d is counted as not visible but its maps can be read and it is mine", p)
		}
	}
	last := r.Lines()[len(r.Lines())-1]
	want := fmt.Sprintf("%d processes not visible to you (another user's: their maps and descriptors cannot be read); they may hold the file too", r.NotVisible)
	if r.NotVisible > 1 && last != want {
		t.Fatalf("last line %q, want %q", last, want)
	}
}
