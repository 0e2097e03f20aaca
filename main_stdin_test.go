package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// runIn runs the binary with stdin (a pipe when it is a []byte, the file
// itself when it is an *os.File).
func runIn(t *testing.T, stdin any, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	switch in := stdin.(type) {
	case []byte:
		cmd.Stdin = bytes.NewReader(in) // exec copies it through a pipe
	case *os.File:
		cmd.Stdin = in
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// reference runs a competitor tool with data on a pipe.
func reference(t *testing.T, data []byte, tool string, args ...string) string {
	t.Helper()
	cmd := exec.Command(testenv.RequireTool(t, tool), args...)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %q: %v", tool, args, err)
	}
	return string(out)
}

// stdinInputs: empty, short, runs of zeros (canonical folds them, also
// across the stream's reads), and more than the stream's chunk so rows and
// folded runs cross read boundaries.
func stdinInputs() map[string][]byte {
	zeros := make([]byte, 5<<20+123)
	copy(zeros[1<<20-7:], "across a read")
	mixed := pattern(3<<20 + 77)
	for i := 1 << 19; i < 1<<19+4096; i++ {
		mixed[i] = 0
	}
	return map[string][]byte{"empty": nil, "one": {0x41}, "short": []byte("hello, world\n\x00\x01\xff"), "zeros": zeros, "mixed": mixed}
}

// TestDumpStdin: dump reads a pipe given "-" or no FILE, and a file
// redirected to standard input; the text is byte for byte the file's, and
// hexdump -C / xxd / xxd -p reading the same pipe.
func TestDumpStdin(t *testing.T) {
	for name, data := range stdinInputs() {
		file := tempFile(t, name, data)
		for _, c := range []struct {
			opts []string
			ref  []string // the competitor reading the pipe; nil: none
		}{
			{[]string{"--format", "canonical"}, []string{"hexdump", "-C"}},
			{[]string{"--format", "xxd"}, []string{"xxd"}},
			{[]string{"--format", "plain"}, []string{"xxd", "-p"}},
			{[]string{"--format", "xxd", "-s", "5", "-n", "100"}, []string{"xxd", "-s", "5", "-l", "100"}},
			{[]string{"--format", "plain", "-s", "0x11", "-l", "1M"}, []string{"xxd", "-p", "-s", "17", "-l", "1048576"}},
			{[]string{"--format", "canonical", "-s", "3", "-n", "2M"}, nil}, // hexdump cannot -s a pipe
			{[]string{"--format", "xxd", "--color", "always", "-n", "4k"}, nil},
		} {
			if len(data) < 17 && slicesContain(c.opts, "-s") {
				continue // past the end: TestStdinErrors
			}
			want := mmhex(t, append([]string{"dump", file}, c.opts...)...)
			if want.code != 0 {
				t.Fatalf("dump %s %q: %+v", name, c.opts, want)
			}
			if c.ref != nil {
				if ref := reference(t, data, c.ref[0], c.ref[1:]...); ref != want.stdout {
					t.Errorf("%s: mmhex dump FILE %q differs from %q on a pipe (%d and %d bytes)", name, c.opts, c.ref, len(want.stdout), len(ref))
				}
			}
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			for how, r := range map[string]result{
				"pipe, no FILE":   runIn(t, data, append([]string{"dump"}, c.opts...)...),
				"pipe, -":         runIn(t, data, append([]string{"dump", "-"}, c.opts...)...),
				"pipe, - last":    runIn(t, data, append(append([]string{"dump"}, c.opts...), "-")...),
				"redirected file": runIn(t, f, append([]string{"dump"}, c.opts...)...),
			} {
				if r != want {
					t.Errorf("%s, %s, %q: code %d stderr %q, %d bytes out; want the file's %d bytes", name, how, c.opts, r.code, r.stderr, len(r.stdout), len(want.stdout))
				}
			}
			f.Close()
		}
	}
}

func slicesContain(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// TestSearchStdin: search reads a pipe given "-" or no FILE; the offsets,
// counts, --max and exit status are the file's, with matches across the
// stream's reads.
func TestSearchStdin(t *testing.T) {
	in := stdinInputs()
	for _, c := range []struct {
		input string
		args  []string
	}{
		{"zeros", []string{"across a read"}},
		{"zeros", []string{"--hex", "00 00 00 61 63"}},
		{"zeros", []string{"--count", "--hex", "00 00"}},
		{"zeros", []string{"--max", "3", "--hex", "00"}},
		{"mixed", []string{"--hex", "00 ?? 00"}},
		{"mixed", []string{"--hex", "00 00 00"}},
		{"short", []string{"-i", "HELLO"}},
		{"short", []string{"nothing"}},
		{"empty", []string{"x"}},
		{"one", []string{"A"}},
	} {
		data := in[c.input]
		file := tempFile(t, c.input, data)
		want := mmhex(t, append([]string{"search", file}, c.args...)...)
		want.stderr = strings.ReplaceAll(want.stderr, file, "standard input")
		if want.code == 2 {
			t.Fatalf("search %s %q: %+v", c.input, c.args, want)
		}
		for how, r := range map[string]result{
			"no FILE": runIn(t, data, append([]string{"search"}, c.args...)...),
			"-":       runIn(t, data, append([]string{"search", "-"}, c.args...)...),
		} {
			if r != want {
				t.Errorf("%s, %s, %q: %q code %d stderr %q, want %q code %d stderr %q", c.input, how, c.args, trim(r.stdout), r.code, r.stderr, trim(want.stdout), want.code, want.stderr)
			}
		}
	}
}

func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// TestStdinErrors: what a pipe cannot do, said on one line; a terminal or
// /dev/null on standard input is not a pipe (the usage line); the editor
// refuses "-".
func TestStdinErrors(t *testing.T) {
	for _, c := range []struct {
		in   any
		args []string
		code int
		err  string
	}{
		{[]byte("abc"), []string{"dump", "-s", "-1"}, 2, "standard input: -s -1 counts from the end: a pipe has no end to count from until it is read (use a file)"},
		{[]byte("abc"), []string{"dump", "-s", "4"}, 1, "standard input: offset is past end of file: offset 4 (0x4), size 3 (0x3)"},
		{[]byte("abc"), []string{"dump", "-s", "1x"}, 2, `standard input: offset: bad number: "1x" (use decimal, 0x hex, k/M/G suffixes)`},
		{[]byte("abc"), []string{"search", "zz"}, 1, `standard input: no match for "zz"`},
		{[]byte("abc"), []string{"search", "--hex", "4g"}, 2, `standard input: pattern: malformed hex: column 2: "g" is not a hex digit`},
		{nil, []string{"dump"}, 2, "usage: mmhex dump " + dumpUsage + " (mmhex --help for more)"},
		{nil, []string{"search", "x"}, 2, "usage: mmhex search " + searchUsage + " (mmhex --help for more)"},
		{[]byte("abc"), []string{"-"}, 2, "standard input cannot be mapped: the editor needs a file (mmhex dump and mmhex search read a pipe)"},
	} {
		r := runIn(t, c.in, c.args...)
		if r.code != c.code || r.stderr != "mmhex: "+c.err+"\n" || r.stdout != "" {
			t.Errorf("%q: code %d stderr %q, want %d %q", c.args, r.code, r.stderr, c.code, "mmhex: "+c.err+"\n")
		}
	}
	// exactly the offset at the end: canonical prints the end line, as
	// hexdump -C -s SIZE of a file does
	if r := runIn(t, []byte("abc"), "dump", "-s", "3"); r.code != 0 || r.stdout != "00000003\n" {
		t.Errorf("-s SIZE: %+v", r)
	}
	if r := mmhex(t, "--help"); !strings.Contains(r.stdout, "(a pipe cannot be mapped)") {
		t.Errorf("--help does not say a pipe cannot be mapped:\n%s", r.stdout)
	}
}

// TestStringsHashStdin: strings and hash read a pipe given "-" or no
// FILE: strings prints what `strings -a` prints reading the same pipe and
// what it prints for the file; hash prints what sha256sum / md5sum print
// for standard input ("HASH  -"), and for a range or several algorithms
// the file's lines with "-" for the name.
func TestStringsHashStdin(t *testing.T) {
	for name, data := range stdinInputs() {
		file := tempFile(t, name, data)
		for _, opts := range [][]string{nil, {"-n", "8", "-t", "x"}, {"-e", "l"}} {
			want := mmhex(t, append([]string{"strings", file}, opts...)...)
			if want.code != 0 {
				t.Fatalf("strings %s %q: %+v", name, opts, want)
			}
			if ref := reference(t, data, "strings", append([]string{"-a"}, opts...)...); ref != want.stdout {
				t.Errorf("%s: mmhex strings FILE %q differs from strings -a on a pipe", name, opts)
			}
			for _, args := range [][]string{{"strings"}, {"strings", "-"}} {
				if r := runIn(t, data, append(args, opts...)...); r != want {
					t.Errorf("%s: %q %q: code %d stderr %q, %d bytes; want the file's %d bytes", name, args, opts, r.code, r.stderr, len(r.stdout), len(want.stdout))
				}
			}
		}
		for _, c := range []struct {
			opts []string
			ref  string // the coreutils tool for standard input
		}{
			{nil, "sha256sum"},
			{[]string{"--algo", "md5"}, "md5sum"},
			{[]string{"--algo", "all"}, ""},
			{[]string{"-s", "1", "-n", "1M", "--algo", "crc32,sha1"}, ""},
		} {
			if len(data) < 1 && len(c.opts) > 2 {
				continue
			}
			want := mmhex(t, append([]string{"hash", file}, c.opts...)...)
			if want.code != 0 {
				t.Fatalf("hash %s %q: %+v", name, c.opts, want)
			}
			want.stdout = strings.ReplaceAll(want.stdout, file, "-")
			if c.ref != "" {
				if ref := reference(t, data, c.ref); ref != want.stdout {
					t.Errorf("%s: %s on a pipe says %q, mmhex hash FILE (name -) %q", name, c.ref, ref, want.stdout)
				}
			}
			for _, args := range [][]string{{"hash"}, {"hash", "-"}} {
				if r := runIn(t, data, append(args, c.opts...)...); r != want {
					t.Errorf("%s: %q %q: %+v, want %+v", name, args, c.opts, r, want)
				}
			}
		}
	}
	if r := runIn(t, []byte("abc"), "hash", "-s", "4"); r.code != 1 || r.stderr != "mmhex: standard input: offset 0x4 is past the end of the input (size 3)\n" {
		t.Errorf("hash -s past the end: %+v", r)
	}
	for _, args := range [][]string{{"strings"}, {"hash"}} {
		if r := runIn(t, nil, args...); r.code != 2 || !strings.HasPrefix(r.stderr, "mmhex: usage: mmhex "+args[0]+" [FILE|-]") {
			t.Errorf("%q without a pipe: %+v", args, r)
		}
	}
}

// TestEntropyStdin: entropy reads a pipe given "-" or no FILE: the blocks
// are the file's, in text and in JSON (the input named "-"), for block
// sizes smaller and larger than the stream's reads.
func TestEntropyStdin(t *testing.T) {
	for name, data := range stdinInputs() {
		file := tempFile(t, name, data)
		for _, opts := range [][]string{nil, {"--block", "1000"}, {"--block", "3M", "--json"}, {"--json"}} {
			want := mmhex(t, append([]string{"entropy", file}, opts...)...)
			if want.code != 0 {
				t.Fatalf("entropy %s %q: %+v", name, opts, want)
			}
			want.stdout = strings.Replace(want.stdout, `{"file":"`+file+`"`, `{"file":"-"`, 1)
			for _, args := range [][]string{{"entropy"}, {"entropy", "-"}} {
				if r := runIn(t, data, append(args, opts...)...); r != want {
					t.Errorf("%s: %q %q: code %d stderr %q, %q; want %q", name, args, opts, r.code, r.stderr, trim(r.stdout), trim(want.stdout))
				}
			}
		}
	}
}

// runInEnv is runIn with extra environment variables.
func runInEnv(t *testing.T, env []string, stdin []byte, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// TestDiffStdin: diff takes standard input for one side ("-", or A left
// out on a pipe); the output is the files' with the side named "-", and
// with --bytes what cmp -l prints for the same pipe; the pipe is streamed,
// nothing is copied (TestDiffStdinVariants, compare's TestFlatMemoryStdin); the
// is gone afterwards; both sides "-" is refused.
func TestDiffStdin(t *testing.T) {
	a := pattern(3<<20 + 5)
	b := append([]byte(nil), a...)
	b[17], b[1<<20] = ^b[17], ^b[1<<20]
	b = append(b, "tail"...)
	fa, fb := tempFile(t, "a.bin", a), tempFile(t, "b.bin", b)
	tmp := t.TempDir()
	env := []string{"TMPDIR=" + tmp}
	for _, opts := range [][]string{nil, {"--json"}, {"--bytes"}, {"--quiet"}, {"-s", "100", "--max", "1"}} {
		want := mmhex(t, append([]string{"diff", fa, fb}, opts...)...)
		if want.code != 1 {
			t.Fatalf("diff %q: %+v", opts, want)
		}
		for _, c := range []struct {
			args  []string
			stdin []byte
			name  string // the file "-" stands for
		}{
			{[]string{"diff", "-", fb}, a, fa},
			{[]string{"diff", fb}, a, fa}, // A left out: standard input is A
			{[]string{"diff", fa, "-"}, b, fb},
		} {
			r := runInEnv(t, env, c.stdin, append(c.args, opts...)...)
			w := result{strings.ReplaceAll(want.stdout, c.name, "-"), strings.ReplaceAll(want.stderr, c.name, "-"), want.code}
			if len(c.args) == 2 { // A and B: the file given is B
				w = mmhex(t, append([]string{"diff", fa, fb}, opts...)...)
				w.stdout, w.stderr = strings.ReplaceAll(w.stdout, fa, "-"), strings.ReplaceAll(w.stderr, fa, "-")
			}
			if r != w {
				t.Errorf("%q %q:\n got %+v\nwant %+v", c.args, opts, r, w)
			}
		}
	}
	// --bytes against cmp -l reading the same pipe
	cmd := exec.Command(testenv.RequireTool(t, "cmp"), "-l", fa, "-")
	cmd.Stdin = bytes.NewReader(b)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Run()
	if r := runInEnv(t, env, b, "diff", fa, "-", "--bytes"); r.stdout != out.String() || r.stderr != errb.String() {
		t.Errorf("diff A - --bytes:\n%q %q\ncmp -l A -:\n%q %q", trim(r.stdout), r.stderr, trim(out.String()), errb.String())
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if r := runInEnv(t, env, a, "diff", "-", "-"); r.code != 2 || r.stderr != "mmhex: diff: standard input can be one side only\n" {
		t.Errorf("diff - -: %+v", r)
	}
	if r := runInEnv(t, env, a, "diff", "-", fa); r.code != 0 || r.stdout != "total: 0 ranges, 0 bytes differ\n" {
		t.Errorf("equal: %+v", r)
	}
}

// TestDiffStdinVariants: standard input longer, shorter than, equal to
// and empty against the file, on either side, in every output mode: the
// output (stdout, stderr, exit status) is the file case's with the side
// named "-"; --bytes (with -s / -n / --max) is what cmp -l (-i / -n)
// prints reading the same pipe, byte for byte, with its exit status.
func TestDiffStdinVariants(t *testing.T) {
	f := pattern(2<<20 + 77)
	f[5], f[1<<20+3] = ^f[5], ^f[1<<20+3]
	base := pattern(2<<20 + 77)
	file := tempFile(t, "f.bin", f)
	cmpPath := testenv.RequireTool(t, "cmp")
	variants := map[string][]byte{
		"longer":  append(append([]byte(nil), base...), pattern(3<<20)...),
		"shorter": base[:1<<20+9],
		"equal":   f,
		"empty":   nil,
		"prefix":  f[:300],
	}
	modes := [][]string{nil, {"--json"}, {"--bytes"}, {"--quiet"}, {"--max", "1"}, {"-s", "100", "-n", "1048600"},
		{"--bytes", "-s", "6"}, {"--bytes", "-n", "1048600"}, {"--bytes", "--max", "1"}, {"--json", "-n", "10"}, {"-s", "9000000"}}
	for name, in := range variants {
		sf := tempFile(t, "in.bin", in)
		for _, opts := range modes {
			for _, streamA := range []bool{true, false} {
				args, fileArgs := []string{"diff", "-", file}, []string{"diff", sf, file}
				if !streamA {
					args, fileArgs = []string{"diff", file, "-"}, []string{"diff", file, sf}
				}
				want := mmhex(t, append(fileArgs, opts...)...)
				want.stdout, want.stderr = strings.ReplaceAll(want.stdout, sf, "-"), strings.ReplaceAll(want.stderr, sf, "-")
				if got := runInEnv(t, nil, in, append(args, opts...)...); got != want {
					t.Errorf("%s %q %q:\n got %+v\nwant %+v", name, args, opts, trimResult(got), trimResult(want))
				}
				if len(opts) == 0 || opts[0] != "--bytes" {
					continue
				}
				cargs := []string{"-l"}
				for i := 1; i+1 < len(opts); i += 2 {
					switch opts[i] {
					case "-s":
						cargs = append(cargs, "-i", opts[i+1])
					case "-n":
						cargs = append(cargs, "-n", opts[i+1])
					}
				}
				if len(opts) == 3 && opts[1] == "--max" {
					continue // cmp has no --max
				}
				cmd := exec.Command(cmpPath, append(cargs, args[1:]...)...)
				cmd.Stdin = bytes.NewReader(in)
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				code := 0
				if err := cmd.Run(); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						t.Fatal(err)
					}
					code = ee.ExitCode()
				}
				c := result{out.String(), errb.String(), code}
				if got := runInEnv(t, nil, in, append(args, opts...)...); got != c {
					t.Errorf("%s %q %q:\n got %+v\ncmp %q: %+v", name, args, opts, trimResult(got), cargs, trimResult(c))
				}
			}
		}
	}
}

func trimResult(r result) result {
	r.stdout = trim(r.stdout)
	return r
}

// endless is a pipe that never ends (yes).
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	return len(p), nil
}

// TestDiffStdinEndless: as cmp, --bytes and --quiet stop reading standard
// input once the answer is known (one byte past the file's end): `yes |
// mmhex diff --bytes - FILE` ends, with cmp's EOF line on FILE.
func TestDiffStdinEndless(t *testing.T) {
	file := tempFile(t, "f.bin", []byte("yyxy"))
	same := tempFile(t, "same.bin", []byte("yyyy")) // only the tail differs
	for _, c := range []struct {
		opts   []string
		file   string
		stdout string
		stderr string
	}{
		{[]string{"--bytes"}, file, "3 171 170\n", "cmp: EOF on " + file + " after byte 4\n"},
		{[]string{"--bytes"}, same, "", "cmp: EOF on " + same + " after byte 4\n"},
		{[]string{"--quiet"}, same, "", ""},
	} {
		file := c.file
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, bin, append(append([]string{"diff"}, c.opts...), "-", file)...)
		cmd.Stdin = endless{}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		late := ctx.Err()
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || late != nil || out.String() != c.stdout || errb.String() != c.stderr {
			t.Errorf("yes | mmhex diff %q - FILE: %v (deadline: %v) %q %q", c.opts, err, late, out.String(), errb.String())
		}
	}
}

// TestDiffStdinRegular: standard input redirected from a file (< A) is
// still read as a stream, and cmp counts its size (from where it stands)
// in the width of its offsets, as it does for any regular file: `mmhex
// diff --bytes - B < A` prints what `cmp -l - B < A` prints, which a pipe
// of the same bytes would not (wider offsets).
func TestDiffStdinRegular(t *testing.T) {
	a := tempFile(t, "a.bin", []byte("0123456789abcdef"))
	b := tempFile(t, "b.bin", bytes.Repeat([]byte("z"), 1000))
	cmpPath := testenv.RequireTool(t, "cmp")
	for _, skip := range []int64{0, 9} { // 9: the descriptor stands past byte 9
		in, err := os.Open(a)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(cmpPath, "-l", "-", b)
		in.Seek(skip, 0)
		cmd.Stdin = in
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		cmd.Run()
		in.Seek(skip, 0)
		got := runIn(t, in, "diff", "--bytes", "-", b)
		in.Close()
		want := result{out.String(), errb.String(), 1}
		if got != want || !strings.HasPrefix(got.stdout, " 1 ") == (skip == 0) {
			t.Errorf("< A (at %d): got %+v\ncmp: %+v", skip, got, want)
		}
	}
}
