package search

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

// mmhexBinary builds the real mmhex binary once per test run.
func mmhexBinary(t *testing.T) string {
	t.Helper()
	return testenv.MmhexBinary(t)
}

// realFiles picks a few binaries from /usr/bin of bounded size.
func realFiles(t *testing.T) []string {
	var files []string
	ents, err := os.ReadDir("/usr/bin")
	if err != nil {
		testenv.SkipOrFail(t, "no /usr/bin: %v", err)
	}
	names := []string{}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, want := range []string{"bash", "ls", "grep", "tar", "ssh", "perl", "git", "python3"} {
		p := filepath.Join("/usr/bin", want)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() > 8<<20 || fi.Size() < 1000 {
			continue
		}
		files = append(files, p)
		if len(files) == 5 {
			break
		}
	}
	if len(files) == 0 {
		testenv.SkipOrFail(t, "no suitable binaries in /usr/bin")
	}
	return files
}

// grepOffsets runs grep -obUaF (C locale, so -i is ASCII folding) and keeps
// the offsets.
func grepOffsets(t *testing.T, file, pat string, fold bool) []int64 {
	t.Helper()
	args := []string{"-obUaF"}
	if fold {
		args = append(args, "-i")
	}
	args = append(args, "--", pat, file)
	cmd := exec.Command("grep", args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return nil
		}
		t.Fatalf("grep: %v", err)
	}
	var r []int64
	for _, line := range bytes.Split(out, []byte("\n")) {
		i := bytes.IndexByte(line, ':')
		if i < 0 {
			continue
		}
		n, err := strconv.ParseInt(string(line[:i]), 10, 64)
		if err != nil {
			t.Fatalf("grep line %q", line)
		}
		r = append(r, n)
	}
	return r
}

func mmhexOffsets(t *testing.T, args ...string) ([]int64, int) {
	t.Helper()
	cmd := exec.Command(mmhexBinary(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	var r []int64
	for _, line := range strings.Fields(string(out)) {
		n, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			t.Fatalf("mmhex %v printed %q", args, line)
		}
		r = append(r, n)
	}
	return r, code
}

// TestCLIAgainstGrep: for text patterns that cannot overlap themselves,
// `mmhex search` prints exactly the offsets `grep -obUaF` prints.
func TestCLIAgainstGrep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	testenv.RequireTool(t, "grep")
	pats := []string{"GLIBC_", "ELF", "main", "usage", "/lib", ".so.", "error", "ZZZZqq"}
	for _, file := range realFiles(t) {
		for _, pat := range pats {
			for _, fold := range []bool{false, true} {
				want := grepOffsets(t, file, pat, fold)
				args := []string{"search", file, pat}
				if fold {
					args = append(args, "-i")
				}
				got, code := mmhexOffsets(t, args...)
				if !eq64(got, want) {
					t.Errorf("mmhex %v: %d offsets, grep %d", args, len(got), len(want))
					continue
				}
				if wantCode := map[bool]int{true: 0, false: 1}[len(want) > 0]; code != wantCode {
					t.Errorf("mmhex %v: exit %d, want %d", args, code, wantCode)
				}
				c, _ := mmhexOffsets(t, append([]string{"search", "--count"}, args[1:]...)...)
				if len(c) != 1 || c[0] != int64(len(want)) {
					t.Errorf("mmhex %v --count = %v, want %d", args, c, len(want))
				}
			}
		}
	}
}

func TestCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := mmhexBinary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	if err := os.WriteFile(path, []byte("aaaa\x7fELF\x00\xde\xad\xbe\xef aAa"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		out  string
		code int
	}{
		{[]string{"search", path, "aa"}, "0\n1\n2\n", 0},            // overlapping
		{[]string{"search", "--count", path, "aa"}, "3\n", 0},       // flag first
		{[]string{"search", path, "aa", "--max", "2"}, "0\n1\n", 0}, // flag last
		{[]string{"search", path, "AA", "-i"}, "0\n1\n2\n14\n15\n", 0},
		{[]string{"search", "--hex", path, "de ad ?? ef"}, "9\n", 0},
		{[]string{"search", path, "7f454c46", "--hex"}, "4\n", 0},
		{[]string{"search", path, "zzz"}, "", 1},
		{[]string{"search", path, "zzz", "--count"}, "0\n", 1},
	} {
		cmd := exec.Command(bin, c.args...)
		out, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if string(out) != c.out || code != c.code {
			t.Errorf("mmhex %v = %q exit %d, want %q exit %d", c.args[1:], out, code, c.out, c.code)
		}
	}
	// Bad input: one line naming the file and the problem, non-zero exit.
	for _, c := range []struct {
		args []string
		msg  string
		code int
	}{
		{[]string{"search", path, "de a", "--hex"}, "mmhex: f.bin: pattern: malformed hex: column 4: \"a\" needs a second hex digit (odd number of digits)\n", 2},
		{[]string{"search", path, "zzz"}, "mmhex: f.bin: no match for \"zzz\"\n", 1},
		// Trouble is 2, as in grep: 1 means "no match".
		{[]string{"search", filepath.Join(dir, "missing"), "a"}, "mmhex: " + filepath.Join(dir, "missing") + ": no such file or directory\n", 2},
		{[]string{"search", dir, "a"}, "mmhex: " + dir + ": is a directory\n", 2},
		{[]string{"search", path}, "mmhex: usage: mmhex search " + "[FILE|-] PATTERN [--hex] [-i] [--regex [--max-len N]] [--count] [--max N] (mmhex --help for more)\n", 2},
	} {
		cmd := exec.Command(bin, c.args...)
		cmd.Dir = dir
		if c.args[1] == path {
			c.args[1] = "f.bin"
		}
		cmd.Args = append([]string{bin}, c.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != c.code || (c.msg != "" && stderr.String() != c.msg) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("mmhex %v: exit %d stderr %q; want exit %d %q", c.args, code, stderr.String(), c.code, c.msg)
		}
	}
}
