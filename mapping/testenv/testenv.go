// Package testenv holds the helpers the tests of several mmhex packages
// share: whether they run in CI, skipping (failing in CI) for want of a
// tool or root, running a test again as nobody, loop devices, and
// deterministic test files. Like Go's internal/testenv it is imported only
// from _test.go files, never from a program's code (it imports testing).
//
// It imports no mmhex package, so mapping's own tests (package mapping)
// can import it without an import cycle; helpers that need a
// *mapping.File stay in each package's tests.
package testenv

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// InCI reports whether the tests run in CI (.ci/run is started with
// CI=true). CI runs as root with tmux, strace, xxd, hexdump, setpriv,
// losetup and mkfs.ext4 installed, so there a test never skips for want of
// them.
func InCI() bool {
	switch os.Getenv("CI") {
	case "", "0", "false":
		return false
	}
	return true
}

// SkipOrFail skips the test saying why; in CI, where the reason cannot
// hold, the test fails with that reason instead.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("in CI this must not happen: "+format, args...)
	}
	t.Skipf(format, args...)
}

// RequireTool returns the path of the program name; where it is not
// installed the test skips (fails in CI, where .ci/run installs it).
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		SkipOrFail(t, "%s is not installed (.ci/run installs it): %v", name, err)
	}
	return p
}

// asNobodyEnv is set in the environment of a test run again as nobody.
const asNobodyEnv = "MMHEX_TEST_AS_NOBODY"

// AsNobody runs a check that needs a user other than root. As any other
// user it returns false and the caller runs the check itself. As root it
// runs this test (t.Name()) again in a copy of the test binary as the user
// nobody through setpriv, fails unless it passes there, and returns true:
// the caller then returns. The copy lies in a folder (0755) nobody may
// enter; the child's TMPDIR, HOME and working directory are a folder
// nobody owns, so its t.TempDir works.
func AsNobody(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return false
	}
	if os.Getenv(asNobodyEnv) != "" {
		t.Fatal("setpriv left this child running as root")
	}
	setpriv := RequireTool(t, "setpriv")
	dir, err := os.MkdirTemp("", "mmhex-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	tmp := filepath.Join(dir, "tmp")
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(tmp, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, filepath.Base(self))
	CopyFile(t, self, bin, 0o755)
	var run []string
	for _, part := range strings.Split(t.Name(), "/") {
		run = append(run, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		bin, "-test.run="+strings.Join(run, "/"), "-test.v", "-test.count=1")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), asNobodyEnv+"=1", "TMPDIR="+tmp, "HOME="+tmp, "XDG_STATE_HOME="+filepath.Join(tmp, "state"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()+" ") ||
		strings.Contains(string(out), "--- SKIP") {
		t.Fatalf("%s as nobody (setpriv): %v\n%s", t.Name(), err, out)
	}
	return true
}

// IsolateState points XDG_STATE_HOME (where mmhex keeps its durable
// journals) at a new temporary folder for the whole test binary, so that
// no test writes into the real home; a TestMain calls it and runs the
// returned cleanup after m.Run. The folder is in /dev/shm when that is
// writable (an fdatasync there costs nothing, so tests that make
// thousands of edits stay fast); tests of the journal's cost on a disk
// set their own.
func IsolateState() (cleanup func()) {
	parent := ""
	if syscall.Access("/dev/shm", 2 /* W_OK */) == nil {
		parent = "/dev/shm"
	}
	dir, err := os.MkdirTemp(parent, "mmhex-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", dir)
	return func() { os.RemoveAll(dir) }
}

// CopyFile copies the file from to a new file to with mode perm.
func CopyFile(t testing.TB, from, to string, perm os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// LoopDevice attaches a new image of size bytes (filled with content at
// the start) to a loop device and returns the device and the image path.
// It skips the test where loop devices cannot be set up (needs root; fails
// in CI).
func LoopDevice(t *testing.T, size int64, content []byte) (dev, img string) {
	t.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(t, "loop devices need root")
	}
	img = filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, size); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "-f", "--show", img).CombinedOutput()
	if err != nil {
		SkipOrFail(t, "cannot set up a loop device here: %v: %s", err, out)
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	return dev, img
}

// Ext4Dir returns a folder on ext4 (filefrag's and FIEMAP's reference
// filesystem): the test's temporary folder when it is on ext4 (the root
// filesystem here), else a 256 MiB ext4 made with mkfs.ext4 on a loop
// device and mounted for the test (root; skips elsewhere, fails in CI).
func Ext4Dir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var fs syscall.Statfs_t
	if syscall.Statfs(dir, &fs) == nil && fs.Type == 0xef53 { // EXT4_SUPER_MAGIC
		return dir
	}
	dev, _ := LoopDevice(t, 256<<20, nil)
	if out, err := exec.Command("mkfs.ext4", "-q", dev).CombinedOutput(); err != nil {
		SkipOrFail(t, "mkfs.ext4: %v: %s", err, out)
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", dev, mnt).CombinedOutput(); err != nil {
		SkipOrFail(t, "mount: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	return mnt
}

// Pattern returns n deterministic pseudo-random bytes.
func Pattern(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// WriteFile makes a file with content in t.TempDir() on the real
// filesystem and returns its path.
func WriteFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// DiskBytes returns the content of the file at path.
func DiskBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// MustEqual fails the test unless got and want are the same bytes, naming
// the first byte that differs.
func MustEqual(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s: differs at byte %d (len got %d, want %d)", what, i, len(got), len(want))
	}
}

// Repeat calls fn(0), fn(1), ... on a new goroutine, counted in wg, until
// stop is closed.
func Repeat(wg *sync.WaitGroup, stop <-chan struct{}, fn func(i int64)) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			fn(i)
		}
	}()
}

// CPUTime is the process's user+system CPU time so far (benchmarks report
// per CPU second: wall time on a shared machine says little); 0 when
// getrusage fails.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// HeapNow is the live heap after a garbage collection.
func HeapNow() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Windows are the window sizes every edit/read/sync test runs with: one
// page (so window borders are crossed all the time), three pages, the
// default, and --window 0x7fffffffffffffff (clamped, not overflowed).
var Windows = []struct {
	Name string
	Size int64
}{{"onepage", int64(os.Getpagesize())}, {"threepages", 3 * int64(os.Getpagesize())}, {"default", 0},
	{"huge", math.MaxInt64}}

// Fields is every field of the struct v points to, printed, by name after
// prefix ("prefix.field"); a pointer field is its address (what it points
// to is not followed), everything else %+v. For tests that a call changed
// none of a value's fields (view's TestDrawOnlyDraws: a frame keeps
// nothing): compare two Fields with Changed.
func Fields(prefix string, v any, into map[string]string) map[string]string {
	if into == nil {
		into = map[string]string{}
	}
	rv := reflect.ValueOf(v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f, name := rv.Field(i), prefix+"."+rv.Type().Field(i).Name
		if f.Kind() == reflect.Pointer {
			into[name] = fmt.Sprintf("%#x", f.Pointer())
			continue
		}
		into[name] = fmt.Sprintf("%+v", f)
	}
	return into
}

// Changed lists the entries of after that differ from before (or are new),
// in order, each cut to 300 bytes; "" when none does.
func Changed(before, after map[string]string) string {
	var keys []string
	for k, v := range after {
		if b, ok := before[k]; !ok || b != v {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %.300s\n    was %.300s\n", k, after[k], before[k])
	}
	return b.String()
}
