package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// startDir is the working directory when the test binary started (its
// package folder, inside the module): MmhexBinary builds there even after
// a test changed directory.
var startDir, _ = os.Getwd()

// MmhexBinaryEnv, set, names the mmhex binary MmhexBinary returns without
// building: a test run again as nobody (AsNobody) cannot build one, so
// its parent sets it (t.Setenv) before.
const MmhexBinaryEnv = "MMHEX_TEST_BIN"

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// MmhexBinary builds the mmhex program (go build mmhex) once per test
// binary, in a folder anyone may enter (tests run it as nobody too), and
// returns its path; a failed build fails the test with the compiler's
// output. RemoveMmhexBinary, from TestMain after m.Run, removes it.
func MmhexBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(MmhexBinaryEnv); p != "" {
		return p
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "mmhex-test-bin-")
		if binErr != nil {
			return
		}
		if binErr = os.Chmod(binDir, 0o755); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "mmhex")
		var out bytes.Buffer
		cmd := exec.Command("go", "build", "-o", binPath, "mmhex")
		cmd.Dir = startDir
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			binErr = fmt.Errorf("go build mmhex: %v\n%s", err, out.String())
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// RemoveMmhexBinary removes what MmhexBinary built.
func RemoveMmhexBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// Run is what a run of a program gave: its standard output and error and
// its exit status.
type Run struct {
	Out, Err string
	Code     int
}

// RunMmhex runs the mmhex binary (MmhexBinary) with args, standard input
// empty, and returns what it wrote and its exit status; a run that could
// not start fails the test.
func RunMmhex(t testing.TB, args ...string) Run {
	t.Helper()
	cmd := exec.Command(MmhexBinary(t), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return Run{o.String(), e.String(), code}
}
