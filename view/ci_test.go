package view

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// inCI reports whether the tests run in CI (.ci/run is started with
// CI=true). CI runs as root with tmux, strace, xxd, hexdump, setpriv,
// losetup and mkfs.ext4 installed, so there a test never skips for want of
// them.
func inCI() bool {
	switch os.Getenv("CI") {
	case "", "0", "false":
		return false
	}
	return true
}

// skipOrFail skips the test saying why; in CI, where the reason cannot
// hold, the test fails with that reason instead.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf("in CI this must not happen: "+format, args...)
	}
	t.Skipf(format, args...)
}

// requireTool returns the path of the program name; where it is not
// installed the test skips (fails in CI, where .ci/run installs it).
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, "%s is not installed (.ci/run installs it): %v", name, err)
	}
	return p
}

// asNobodyEnv is set in the environment of a test run again as nobody.
const asNobodyEnv = "MMHEX_TEST_AS_NOBODY"

// asNobody runs a check that needs a user other than root. As any other
// user it returns false and the caller runs the check itself. As root it
// runs this test (t.Name()) again in a copy of the test binary as the user
// nobody through setpriv, fails unless it passes there, and returns true:
// the caller then returns. The copy lies in a folder (0755) nobody may
// enter; the child's TMPDIR, HOME and working directory are a folder
// nobody owns, so its t.TempDir works.
func asNobody(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return false
	}
	if os.Getenv(asNobodyEnv) != "" {
		t.Fatal("setpriv left this child running as root")
	}
	setpriv := requireTool(t, "setpriv")
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
	copyFile(t, self, bin, 0o755)
	var run []string
	for _, part := range strings.Split(t.Name(), "/") {
		run = append(run, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		bin, "-test.run="+strings.Join(run, "/"), "-test.v", "-test.count=1")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), asNobodyEnv+"=1", "TMPDIR="+tmp, "HOME="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()+" ") ||
		strings.Contains(string(out), "--- SKIP") {
		t.Fatalf("%s as nobody (setpriv): %v\n%s", t.Name(), err, out)
	}
	return true
}

// copyFile copies the file from to a new file to with mode perm.
func copyFile(t *testing.T, from, to string, perm os.FileMode) {
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
