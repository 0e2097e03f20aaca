package compare

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"mmhex/mapping/testenv"
)

// binEnv names the binary for a child run as nobody (it cannot build one).
const binEnv = testenv.MmhexBinaryEnv

// mmhexBinary builds the real mmhex binary once per test run, in a
// folder anyone may enter (the tests run it as nobody too).
func mmhexBinary(t *testing.T) string {
	t.Helper()
	return testenv.MmhexBinary(t)
}

func TestMain(m *testing.M) {
	cleanState := testenv.IsolateState() // no durable journal in the real home
	code := m.Run()
	cleanState()
	if os.Getenv(binEnv) == "" {
		testenv.RemoveMmhexBinary()
	}
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func runCmd(t *testing.T, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		code = ee.ExitCode()
	}
	return result{out.String(), errb.String(), code}
}

func mmdiff(t *testing.T, args ...string) result {
	t.Helper()
	return runCmd(t, mmhexBinary(t), append([]string{"diff"}, args...)...)
}

// TestBytesLikeCmp: `mmhex diff --bytes` prints what `cmp -l` prints,
// byte for byte, on standard output and standard error (the EOF line for
// files of different lengths, "which is empty"), with the same exit
// status; -s/-n as cmp's -i/-n. The files are /usr/bin programs: two of
// them cut to the same length, and of different lengths.
func TestBytesLikeCmp(t *testing.T) {
	cmp := testenv.RequireTool(t, "cmp")
	var progs [][]byte
	for _, name := range []string{"ls", "cat", "cp", "mv", "grep", "tar"} {
		b, err := os.ReadFile(filepath.Join("/usr/bin", name))
		if err == nil && len(b) > 20000 {
			progs = append(progs, b)
		}
	}
	if len(progs) < 3 {
		testenv.SkipOrFail(t, "fewer than 3 programs in /usr/bin")
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	n := min(len(progs[0]), len(progs[1]), 300000)
	pairs := [][2]string{
		{write("ls-cut", progs[0][:n]), write("cat-cut", progs[1][:n])},      // same length
		{write("ls", progs[0]), write("cat", progs[1])},                      // different lengths
		{write("cat2", progs[1]), write("ls2", progs[0])},                    // the other way round
		{write("grep-head", progs[2][:n/3]), write("grep", progs[2])},        // a prefix
		{write("grep-again", progs[2]), write("grep-same", progs[2])},        // identical
		{write("empty", nil), write("cp-head", progs[1][:100])},              // empty
		{write("x1", []byte("abc")), write("x2", []byte("abd\x00\xff\x80"))}, // tiny
	}
	flags := [][]string{nil, {"-n", "1000"}, {"-n", "0"}, {"-i", "5", "-n", "70000"}, {"-i", "100"}}
	for _, p := range pairs {
		for _, f := range flags {
			want := runCmd(t, cmp, append(append([]string{"-l"}, f...), p[0], p[1])...)
			mf := append([]string(nil), f...)
			for i := range mf {
				if mf[i] == "-i" {
					mf[i] = "-s"
				}
			}
			got := mmdiff(t, append(append([]string{"--bytes"}, mf...), p[0], p[1])...)
			if got.stdout != want.stdout {
				t.Errorf("%v %v: stdout differs from cmp -l (%d bytes, cmp %d)\n got %.300q\nwant %.300q", f, p, len(got.stdout), len(want.stdout), got.stdout, want.stdout)
			}
			if got.stderr != want.stderr || got.code != want.code {
				t.Errorf("%v %v: stderr %q status %d, cmp: %q status %d", f, p, got.stderr, got.code, want.stderr, want.code)
			}
		}
	}
}

// TestDiffRanges: the range lines, the total, --json, -s, -n, --max and
// --quiet, with exact text and exit status.
func TestDiffRanges(t *testing.T) {
	dir := t.TempDir()
	a := make([]byte, 0x3000)
	for i := range a {
		a[i] = byte(i)
	}
	b := append([]byte(nil), a...)
	b[0] ^= 1
	b[0x10] ^= 1
	b[0x11] ^= 1
	for i := 0xfff; i < 0x1001; i++ {
		b[i] ^= 0xff
	}
	b = append(b, "tail"...)
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(pa, a, 0o644)
	os.WriteFile(pb, b, 0o644)
	check := func(got result, stdout, stderr string, code int) {
		t.Helper()
		if got.stdout != stdout || got.stderr != stderr || got.code != code {
			t.Errorf("got stdout %q stderr %q status %d\nwant stdout %q stderr %q status %d", got.stdout, got.stderr, got.code, stdout, stderr, code)
		}
	}
	check(mmdiff(t, pa, pb), "0x0 0x1\n0x10 0x2\n0xfff 0x2\n0x3000 0x4 only in "+pb+"\ntotal: 4 ranges, 9 bytes differ\n", "", 1)
	check(mmdiff(t, pb, pa), "0x0 0x1\n0x10 0x2\n0xfff 0x2\n0x3000 0x4 only in "+pb+"\ntotal: 4 ranges, 9 bytes differ\n", "", 1)
	check(mmdiff(t, pa, pa), "total: 0 ranges, 0 bytes differ\n", "", 0)
	check(mmdiff(t, "-s", "0x11", "-n", "0x1000", pa, pb), "0x11 0x1\n0xfff 0x2\ntotal: 2 ranges, 3 bytes differ\n", "", 1)
	check(mmdiff(t, "-s", "0x1000", "-n", "0x1000", pa, pb), "0x1000 0x1\ntotal: 1 range, 1 byte differ\n", "", 1)
	check(mmdiff(t, "-s", "0x2000", "-n", "0x1000", pa, pb), "total: 0 ranges, 0 bytes differ\n", "", 0)
	check(mmdiff(t, "--max", "2", pa, pb), "0x0 0x1\n0x10 0x2\ntotal: 2 ranges, 3 bytes differ (stopped at --max 2)\n", "", 1)
	check(mmdiff(t, "--quiet", pa, pb), "", "", 1)
	check(mmdiff(t, "--quiet", pa, pa), "", "", 0)
	got := mmdiff(t, "--json", pa, pb)
	var j struct {
		A, B struct {
			Name string
			Size int64
		}
		Ranges []struct {
			Offset, Length int64
			Only           string
		}
		TotalRanges int64 `json:"total_ranges"`
		TotalBytes  int64 `json:"total_bytes"`
		Complete    bool
	}
	if err := json.Unmarshal([]byte(got.stdout), &j); err != nil || got.code != 1 {
		t.Fatalf("--json: %v status %d: %q", err, got.code, got.stdout)
	}
	if j.A.Name != pa || j.A.Size != 0x3000 || j.B.Size != 0x3004 || len(j.Ranges) != 4 || j.Ranges[2].Offset != 0xfff ||
		j.Ranges[2].Length != 2 || j.Ranges[3].Only != "b" || j.Ranges[0].Only != "" || j.TotalRanges != 4 || j.TotalBytes != 9 || !j.Complete {
		t.Errorf("--json: %+v", j)
	}
	if got := mmdiff(t, "--json", "--max", "1", pa, pb); !strings.HasSuffix(got.stdout, `"total_ranges":1,"total_bytes":1,"complete":false}`+"\n") {
		t.Errorf("--json --max 1: %q", got.stdout)
	}
	check(mmdiff(t, "--json", "--bytes", pa, pb), "", "mmhex: diff: --json, --bytes and --quiet exclude each other\n", 2)
	check(mmdiff(t, pa), "", "mmhex: usage: mmhex diff A|- B|- [-s OFFSET] [-n LENGTH] [--max N] [--json | --bytes | --quiet] (mmhex --help for more)\n", 2)
	check(mmdiff(t, "--max", "-1", pa, pb), "", "mmhex: diff: --max must not be negative: -1 (0: no limit)\n", 2)
}

// TestDiffBadInput: a missing file, a folder, a FIFO, a file that may
// not be read, an empty file against one that is not: one line naming
// the file, nothing on standard output, exit status 2 (1 for the empty
// file: the files differ, as cmp says).
func TestDiffBadInput(t *testing.T) {
	if p := mmhexBinary(t); os.Getenv(binEnv) == "" {
		t.Setenv(binEnv, p)
	}
	if testenv.AsNobody(t) {
		return
	}
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok")
	os.WriteFile(ok, []byte("hello"), 0o644)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("hello"), 0o000)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	missing := filepath.Join(dir, "missing")
	for _, c := range []struct {
		args   []string
		stdout string
		stderr string
		code   int
	}{
		{[]string{ok, missing}, "", "mmhex: " + missing + ": no such file or directory\n", 2},
		{[]string{missing, ok}, "", "mmhex: " + missing + ": no such file or directory\n", 2},
		{[]string{ok, dir}, "", "mmhex: " + dir + ": is a directory\n", 2},
		{[]string{fifo, ok}, "", "mmhex: " + fifo + ": is a FIFO (named pipe); it cannot be mapped\n", 2},
		{[]string{ok, secret}, "", "mmhex: " + secret + ": permission denied\n", 2},
		{[]string{"--bytes", ok, secret}, "", "mmhex: " + secret + ": permission denied\n", 2},
		{[]string{empty, ok}, "0x0 0x5 only in " + ok + "\ntotal: 1 range, 5 bytes differ\n", "mmhex: " + empty + ": empty file, " + ok + " is not (5 bytes)\n", 1},
		{[]string{"--bytes", ok, empty}, "", "cmp: EOF on " + empty + " which is empty\n", 1},
		{[]string{empty, empty}, "total: 0 ranges, 0 bytes differ\n", "", 0},
	} {
		got := mmdiff(t, c.args...)
		if got.stdout != c.stdout || got.stderr != c.stderr || got.code != c.code {
			t.Errorf("%v: stdout %q stderr %q status %d\nwant stdout %q stderr %q status %d", c.args, got.stdout, got.stderr, got.code, c.stdout, c.stderr, c.code)
		}
	}
	if b, _ := os.ReadFile(ok); string(b) != "hello" {
		t.Errorf("ok changed: %q", b)
	}
}

// TestFlatMemory: `mmhex diff` (ranges and --bytes) on two 128 MiB files
// that differ in one byte of every page keeps its peak RSS (the child's
// ru_maxrss) under 64 MiB, though it reads all 256 MiB: the pages behind
// the compare and the window --bytes reads through leave the process.
func TestFlatMemory(t *testing.T) {
	const size = 128 << 20
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	fa, err := os.Create(pa)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Create(pb)
	if err != nil {
		t.Fatal(err)
	}
	buf := testenv.Pattern(1<<20, 5)
	other := append([]byte(nil), buf...)
	for i := 100; i < len(other); i += 4096 {
		other[i] ^= 0x5a
	}
	for off := int64(0); off < size; off += 1 << 20 {
		if _, err := fa.WriteAt(buf, off); err != nil {
			t.Fatal(err)
		}
		if _, err := fb.WriteAt(other, off); err != nil {
			t.Fatal(err)
		}
	}
	fa.Close()
	fb.Close()
	for _, args := range [][]string{{"diff", pa, pb}, {"diff", "--bytes", pa, pb}, {"diff", "--json", pa, pb}} {
		cmd := exec.Command(mmhexBinary(t), args...)
		var out bytes.Buffer
		cmd.Stdout = &out
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("%v: %v", args, err)
		}
		if lines := bytes.Count(out.Bytes(), []byte("\n")); args[1] != "--json" && lines != size/4096+1 && lines != size/4096 {
			t.Fatalf("%v: %d lines, want %d", args, lines, size/4096)
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB
		t.Logf("%v: peak RSS %d KiB", args[:2], rss)
		if rss >= 64<<10 {
			t.Errorf("%v: peak RSS %d KiB, want under 64 MiB", args, rss)
		}
	}
}

// TestFlatMemoryStdin: `mmhex diff - B` streams standard input: a pipe of
// 384 MiB against a 128 MiB file that differs from it in one byte of every
// page (ranges, --json, --bytes) keeps the child's peak RSS under 64 MiB:
// nothing of the stream is kept, nothing is copied to a file.
func TestFlatMemoryStdin(t *testing.T) {
	const size, extra = 128 << 20, 256 << 20
	dir := t.TempDir()
	pb := filepath.Join(dir, "b")
	fb, err := os.Create(pb)
	if err != nil {
		t.Fatal(err)
	}
	buf := testenv.Pattern(1<<20, 5)
	other := append([]byte(nil), buf...)
	for i := 100; i < len(other); i += 4096 {
		other[i] ^= 0x5a
	}
	for off := int64(0); off < size; off += 1 << 20 {
		if _, err := fb.WriteAt(other, off); err != nil {
			t.Fatal(err)
		}
	}
	fb.Close()
	for _, args := range [][]string{{"diff", "-", pb}, {"diff", "--bytes", "-", pb}, {"diff", "--json", "-", pb}} {
		cmd := exec.Command(mmhexBinary(t), args...)
		cmd.Env = append(os.Environ(), "TMPDIR="+dir)
		w, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			defer w.Close()
			zero := make([]byte, 1<<20)
			for off := 0; off < size+extra; off += 1 << 20 {
				p := buf
				if off >= size {
					p = zero
				}
				if _, err := w.Write(p); err != nil {
					return // --bytes stops reading past B's end
				}
			}
		}()
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("%v: %v %s", args, err, errb.String())
		}
		lines := bytes.Count(out.Bytes(), []byte("\n"))
		switch args[1] {
		case "--json":
			var j struct {
				A           struct{ Size int64 }
				TotalRanges int64 `json:"total_ranges"`
			}
			if err := json.Unmarshal(out.Bytes(), &j); err != nil || j.A.Size != size+extra || j.TotalRanges != size/4096+1 {
				t.Errorf("%v: %v %+v", args, err, j)
			}
		case "--bytes":
			if lines != size/4096 || errb.String() != "cmp: EOF on "+pb+" after byte 134217728\n" {
				t.Errorf("%v: %d lines, %q", args, lines, errb.String())
			}
		default:
			if lines != size/4096+2 || !strings.HasSuffix(out.String(), "0x8000000 0x10000000 only in -\ntotal: 32769 ranges, 268468224 bytes differ\n") {
				t.Errorf("%v: %d lines, ends %q", args, lines, out.String()[max(0, out.Len()-120):])
			}
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB
		t.Logf("%v: peak RSS %d KiB", args[:2], rss)
		if rss >= 64<<10 {
			t.Errorf("%v: peak RSS %d KiB, want under 64 MiB", args, rss)
		}
		if left, _ := os.ReadDir(dir); len(left) != 1 {
			t.Errorf("%v: files left in the temporary folder: %v", args, left)
		}
	}
}
