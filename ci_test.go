package main

import (
	"os"
	"os/exec"
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

// TestCIChecksHygiene: before the tests, .ci/run fails when go mod tidy
// would change go.mod or go.sum, and runs staticcheck, installed at a
// pinned version and called by its full path, on the whole module.
func TestCIChecksHygiene(t *testing.T) {
	b, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	ci := string(b)
	test := strings.LastIndex(ci, "go test -race ./...")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^if ! go mod tidy -diff; then\n(\t.*\n)*\texit 1\nfi$`),
		regexp.MustCompile(`(?m)^staticcheck_version=v\d+\.\d+\.\d+$`),
		regexp.MustCompile(`(?m)^go install "honnef\.co/go/tools/cmd/staticcheck@\$staticcheck_version"$`),
		regexp.MustCompile(`(?m)^"\$gobin/staticcheck" \./\.\.\.$`),
	} {
		loc := want.FindStringIndex(ci)
		if loc == nil || loc[1] > test {
			t.Errorf(".ci/run has no line matching %s before the tests", want)
		}
	}
}
