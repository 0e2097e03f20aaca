package dumppatch

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"mmhex/mapping/testenv"
)

// TestCLIFromDump: `mmhex patch FILE --from-dump DUMP` (and `-` for
// standard input) with real xxd output: the bytes, the line it prints,
// and the refusals (exit status and text).
func TestCLIFromDump(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	xxd := testenv.RequireTool(t, "xxd")
	dir := t.TempDir()
	bin := testenv.MmhexBinary(t)
	a, b, bb := files(t, 40)
	dump, _ := exec.Command(xxd, b).Output()
	dp := filepath.Join(dir, "b.xxd")
	os.WriteFile(dp, dump, 0o644)
	cmd := exec.Command(bin, "patch", a, "--from-dump", "-")
	cmd.Stdin = bytes.NewReader(dump)
	out, err := cmd.CombinedOutput()
	want := regexp.MustCompile(`^` + regexp.QuoteMeta(a) + `: patched \d+ bytes in \d+ ranges from standard input; \d+ bytes of the dump already there, left alone; msync\(MS_SYNC\) \d+ pages, \d+ bytes, \S+\n$`)
	if err != nil || !want.Match(out) {
		t.Fatalf("from stdin: %v %q", err, out)
	}
	if got, _ := os.ReadFile(a); !bytes.Equal(got, bb) {
		t.Fatal("A is not B after the patch")
	}
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"patch", a, "--from-dump", dp, "--expect", "00"}, 2, "mmhex: patch: --expect does not go with --from-dump (give a diff of two dumps: its old side is checked)\n"},
		{[]string{"patch", a, "0", "--from-dump", dp}, 2, "mmhex: usage: mmhex patch FILE OFFSET HEXBYTES [--expect HEXBYTES] [--async] | FILE --from-dump DUMP [--async] (mmhex --help for more)\n"},
		{[]string{"patch", a, "--from-dump", filepath.Join(dir, "none")}, 1, "mmhex: " + a + ": --from-dump: open " + filepath.Join(dir, "none") + ": no such file or directory\n"},
		{[]string{"patch", a, "--from-dump", a}, 2, ""},
	} {
		cmd := exec.Command(bin, c.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != c.code || (c.err != "" && stderr.String() != c.err) {
			t.Errorf("%q: exit %d %q, want %d %q", c.args, code, stderr.String(), c.code, c.err)
		}
	}
	if got, _ := os.ReadFile(a); !bytes.Equal(got, bb) {
		t.Fatal("a refused patch changed the file")
	}
}
