package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

// TestVersionText: the exact three lines for a stamped build, a modified
// tree, a build without VCS information and no build information.
func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "mmhex", Version: "v0.0.0-20261207153405-b7a61afdc067"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "b7a61afdc06760c0168aca13a7d0c44cda3bda11"},
			{Key: "vcs.time", Value: "2026-12-07T15:34:05Z"}, {Key: "vcs.modified", Value: "false"}}}
	want := "mmhex v0.0.0-20261207153405-b7a61afdc067\ncommit b7a61afdc06760c0168aca13a7d0c44cda3bda11 of 2026-12-07T15:34:05Z\nbuilt with go1.26.8 for linux/amd64\n"
	if got := versionText(bi, "linux/amd64"); got != want {
		t.Errorf("stamped:\n%s\nwant\n%s", got, want)
	}
	bi.Settings[3].Value = "true"
	bi.Main.Version += "+dirty"
	want = "mmhex v0.0.0-20261207153405-b7a61afdc067+dirty\ncommit b7a61afdc06760c0168aca13a7d0c44cda3bda11 of 2026-12-07T15:34:05Z, with uncommitted changes\nbuilt with go1.26.8 for linux/amd64\n"
	if got := versionText(bi, "linux/amd64"); got != want {
		t.Errorf("modified:\n%s\nwant\n%s", got, want)
	}
	bi.Settings, bi.Main.Version = nil, "(devel)"
	want = "mmhex (devel)\ncommit unknown (built without version control information)\nbuilt with go1.26.8 for linux/amd64\n"
	if got := versionText(bi, "linux/amd64"); got != want {
		t.Errorf("no VCS:\n%s\nwant\n%s", got, want)
	}
	want = "mmhex (no build information)\ncommit unknown\nbuilt with an unknown Go for linux/amd64\n"
	if got := versionText(nil, "linux/amd64"); got != want {
		t.Errorf("nil:\n%s\nwant\n%s", got, want)
	}
}

// goVersionM is what `go version -m BIN` (the Go toolchain's own reader
// of the build information) says of bin, as mmhex --version should.
func goVersionM(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	field := func(re string) string {
		if m := regexp.MustCompile(`(?m)` + re).FindStringSubmatch(string(out)); m != nil {
			return m[1]
		}
		return ""
	}
	goVer := field(`^\S+: (go\S+)$`)
	modVer := field(`^\tmod\tmmhex\t(\S+)`)
	commit := "commit unknown (built without version control information)"
	if rev := field(`^\tbuild\tvcs\.revision=(\S+)$`); rev != "" {
		commit = "commit " + rev + " of " + field(`^\tbuild\tvcs\.time=(\S+)$`)
		if field(`^\tbuild\tvcs\.modified=(\S+)$`) == "true" {
			commit += ", with uncommitted changes"
		}
	}
	platform := field(`^\tbuild\tGOOS=(\S+)$`) + "/" + field(`^\tbuild\tGOARCH=(\S+)$`)
	return "mmhex " + modVer + "\n" + commit + "\nbuilt with " + goVer + " for " + platform + "\n"
}

// TestVersion: --version and `version` print the same three lines as
// `go version -m` reads from the binary; in a git repository built with
// -buildvcs=true the commit is git's HEAD, and a change not committed
// says so (and the module version ends in +dirty).
func TestVersion(t *testing.T) {
	r1, r2 := mmhex(t, "--version"), mmhex(t, "version")
	if r1.code != 0 || r1.stderr != "" || r1 != r2 {
		t.Fatalf("--version %+v, version %+v", r1, r2)
	}
	if want := goVersionM(t, bin); r1.stdout != want {
		t.Errorf("--version:\n%s\ngo version -m says:\n%s", r1.stdout, want)
	}
	if r := mmhex(t, "version", "x"); r.code != 2 || r.stderr != "mmhex: usage: mmhex version (mmhex --help for more)\n" {
		t.Errorf("version x: %+v", r)
	}

	// A fresh repository holding the current sources, committed.
	git := testenv.RequireTool(t, "git")
	dir := t.TempDir()
	files, err := exec.Command(git, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		testenv.SkipOrFail(t, "not a git checkout: %v", err)
	}
	for _, f := range strings.Fields(string(files)) {
		if strings.HasSuffix(f, "_test.go") || strings.Contains(f, "testdata/") {
			continue
		}
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue // deleted, not yet committed
		}
		writeAll(t, filepath.Join(dir, f), data)
	}
	gitIn := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(git, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
			"GIT_COMMITTER_DATE=2026-01-02T03:04:05Z", "GIT_AUTHOR_DATE=2026-01-02T03:04:05Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitIn("init", "-q")
	gitIn("add", ".")
	gitIn("commit", "-q", "-m", "x")
	head := gitIn("rev-parse", "HEAD")
	build := func() string {
		t.Helper()
		b := filepath.Join(t.TempDir(), "mmhex")
		cmd := exec.Command("go", "build", "-buildvcs=true", "-o", b, ".")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build -buildvcs=true: %v\n%s", err, out)
		}
		out, err := exec.Command(b, "--version").Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := goVersionM(t, b); string(out) != want {
			t.Errorf("--version:\n%s\ngo version -m says:\n%s", out, want)
		}
		return string(out)
	}
	lines := strings.Split(build(), "\n")
	if want := "commit " + head + " of 2026-01-02T03:04:05Z"; lines[1] != want {
		t.Errorf("clean tree: %q, want %q", lines[1], want)
	}
	if want := "-" + head[:12]; !strings.HasPrefix(lines[0], "mmhex v0.0.0-20260102030405") || !strings.HasSuffix(lines[0], want) {
		t.Errorf("clean tree: %q, want a pseudo-version ending in %s", lines[0], want)
	}
	writeAll(t, filepath.Join(dir, "extra.txt"), []byte("x"))
	lines = strings.Split(build(), "\n")
	if want := "commit " + head + " of 2026-01-02T03:04:05Z, with uncommitted changes"; lines[1] != want || !strings.HasSuffix(lines[0], "+dirty") {
		t.Errorf("modified tree: %q", lines[:2])
	}
}

// writeAll writes a file, making its folders.
func writeAll(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
