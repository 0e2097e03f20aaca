package keymap

// These helpers are a copy of mapping/testenv's InCI, SkipOrFail and
// RequireTool, which the other packages' tests share. keymap must not
// import mapping and takes from mapping/ only the leaves its code needs
// (mapping/display, mapping/numparse; docs/architecture.md), so its tests
// keep this small copy rather than depend on mapping/ too. Keep the two
// alike.

import (
	"os"
	"os/exec"
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
