package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping/display"
	"mmhex/mapping/ksy"
	"mmhex/mapping/testenv"
)

// bin is the mmhex binary built for these tests.
var bin string

func TestMain(m *testing.M) {
	if v := os.Getenv(crashChildEnv); v != "" {
		action, path, _ := strings.Cut(v, ":")
		crashChild(action, path)
	}
	if b := os.Getenv(noCachestatEnv); b != "" {
		bin = b // a child run by TestStatWithoutCachestat: the binary is built
		os.Exit(m.Run())
	}
	cleanState := testenv.IsolateState()
	dir, err := os.MkdirTemp("", "mmhex-bin-")
	if err != nil {
		panic(err)
	}
	os.Chmod(dir, 0o755) // the tests also run it as another user
	bin = filepath.Join(dir, "mmhex")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	cleanState()
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func mmhex(t *testing.T, args ...string) result {
	t.Helper()
	return runAs(t, nil, args...)
}

func runAs(t *testing.T, cred *syscall.Credential, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		if cred != nil {
			testenv.SkipOrFail(t, "cannot run the binary as uid %d here: %v", cred.Uid, err)
		}
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func tempFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sparse8G(t *testing.T) string {
	t.Helper()
	p := tempFile(t, "sparse8g", nil)
	if err := os.Truncate(p, 8<<30); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelp(t *testing.T) {
	r := mmhex(t, "--help")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("--help: %+v", r)
	}
	for _, c := range commands {
		if !strings.Contains(r.stdout, "mmhex "+strings.TrimSpace(c.name+" "+c.usage)+"\n") {
			t.Errorf("--help does not list %q:\n%s", c.name, r.stdout)
		}
	}
	if r := mmhex(t, "frobnicate"); r.code != 2 || r.stderr != "mmhex: unknown command frobnicate (run mmhex --help)\n" {
		if findCommand("") == nil {
			t.Errorf("unknown command: %+v", r)
		}
	}
	if r := mmhex(t, "cat", "--help"); r.code != 0 || r.stdout != "usage: mmhex cat "+catUsage+"\n" {
		t.Errorf("cat --help: %+v", r)
	}
}

// TestDecode: mmhex decode through the real binary: --path with --json
// equals debug/elf's entry point; the text line; and each failure is one
// line naming the file, with the status.
func TestDecode(t *testing.T) {
	ls, err := exec.LookPath("ls")
	if err != nil {
		t.Skip("no ls")
	}
	ef, err := elf.Open(ls)
	if err != nil {
		t.Skipf("%s: %v", ls, err)
	}
	defer ef.Close()
	r := mmhex(t, "decode", ls, "--json", "--path", "header.e_entry")
	want := fmt.Sprintf(`{"type":"u%d","offset":24,"size":%d,"value":%d}`+"\n", map[elf.Class]int{elf.ELFCLASS32: 4, elf.ELFCLASS64: 8}[ef.Class], map[elf.Class]int{elf.ELFCLASS32: 4, elf.ELFCLASS64: 8}[ef.Class], ef.Entry)
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Fatalf("decode --json --path header.e_entry: %d %q %q, want %q", r.code, r.stdout, r.stderr, want)
	}
	r = mmhex(t, "decode", "--path", "header.e_machine", "--format", "elf", ls)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "header.e_machine  @0x12 +2  u2  ") {
		t.Fatalf("decode --path header.e_machine: %d %q %q", r.code, r.stdout, r.stderr)
	}
	dir := t.TempDir()
	data := tempFile(t, "data.bin", []byte("0123456789"))
	bad := filepath.Join(dir, "bad.ksy")
	os.WriteFile(bad, []byte("meta: {id: bad, endian: le}\nseq:\n  - id: a\n    type: u1\n    if: 'a +'\n"), 0o644)
	xor := filepath.Join(dir, "xor.ksy")
	os.WriteFile(xor, []byte("meta: {id: x, endian: le}\nseq:\n  - id: a\n    size: 2\n    process: xor(0xff)\n  - id: b\n    type: u1\n"), 0o644)
	cases := []struct {
		args   []string
		code   int
		stdout string
		err    string
	}{
		{[]string{"decode", data}, 1, "", data + ": no format recognised (give one with --format NAME or --format FILE.ksy; built in: " + strings.Join(ksy.Builtin(), ", ") + ")"},
		{[]string{"decode", data, "--format", "nosuch"}, 1, "", "format nosuch: not found in "},
		{[]string{"decode", data, "--format", bad}, 1, "", `bad.ksy:5: "a +": unexpected end of expression`},
		{[]string{"decode", data, "--format", filepath.Join(dir, "missing.ksy")}, 1, "", filepath.Join(dir, "missing.ksy") + ": no such file or directory"},
		{[]string{"decode", ls, "--path", "header.nope"}, 1, "", ls + ": --path header.nope: header has no field nope"},
		{[]string{"decode", ls, "--path", "program_headers[x]"}, 1, "", ls + ": --path program_headers[x]: [x] is not an index"},
		{[]string{"decode", data, "--format", xor}, 0, "x  @0x0 +3  x\n  a  @0x0 +2  bytes  2 bytes (not decoded)  error: xor.ksy:5: process: xor(0xff) is not supported\n  b  @0x2 +1  u1  50 (0x32)\n", ""},
		{[]string{"decode"}, 2, "", "usage: mmhex decode " + decodeUsage + " (mmhex --help for more)"},
	}
	for _, c := range cases {
		r := mmhex(t, c.args...)
		if r.code != c.code || r.stdout != c.stdout || !strings.HasPrefix(r.stderr, "mmhex: "+c.err) && !(c.err == "" && r.stderr == "") {
			t.Errorf("%q: %d %q %q, want %d %q %q", c.args, r.code, r.stdout, r.stderr, c.code, c.stdout, c.err)
		}
	}
	// A format in $XDG_CONFIG_HOME/mmhex/formats is found by its first
	// contents, and by name with --format.
	xdg := t.TempDir()
	os.MkdirAll(filepath.Join(xdg, "mmhex", "formats"), 0o755)
	os.WriteFile(filepath.Join(xdg, "mmhex", "formats", "mine.ksy"), []byte("meta: {id: mine, endian: be}\nseq:\n  - {id: magic, contents: MYFT}\n  - {id: n, type: u2}\n"), 0o644)
	mine := tempFile(t, "m.bin", []byte("MYFT\x01\x02"))
	for _, args := range [][]string{{"decode", mine}, {"decode", "--format", "mine", data}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+xdg)
		out, _ := cmd.CombinedOutput()
		want := "mine  @0x0 +6  mine\n  magic  @0x0 +4  bytes  4d 59 46 54\n  n  @0x4 +2  u2  258 (0x102)\n"
		if args[1] == "--format" {
			e := "mine.ksy:3: magic: contents: expected 4d 59 46 54, found 30 31 32 33"
			want = "mine  @0x0  mine  error: " + e + "\n  magic  @0x0 +4  bytes  30 31 32 33  error: " + e + "\nmmhex: " + data + ": " + e + "\n"
		}
		if string(out) != want {
			t.Errorf("%q with XDG_CONFIG_HOME: %q, want %q", args, out, want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args  []string
		pos   string
		async bool
		exp   string
	}{
		{[]string{"f", "0", "41"}, "[f 0 41]", false, ""},
		{[]string{"--async", "f", "0", "41"}, "[f 0 41]", true, ""},
		{[]string{"f", "0", "41", "--async"}, "[f 0 41]", true, ""},
		{[]string{"f", "--expect", "de ad", "0", "-async", "41"}, "[f 0 41]", true, "de ad"},
		{[]string{"--expect=00", "--", "-f", "--async"}, "[-f --async]", false, "00"},
		{[]string{"f", "--", "--async"}, "[f --async]", false, ""},
		{[]string{"-", "1"}, "[- 1]", false, ""},
	} {
		fs := flag.NewFlagSet("patch", flag.ContinueOnError)
		async := fs.Bool("async", false, "")
		exp := fs.String("expect", "", "")
		pos, err := parseArgs(fs, c.args)
		if err != nil || fmt.Sprint(pos) != c.pos || *async != c.async || *exp != c.exp {
			t.Errorf("parseArgs(%q) = %q, %v, async %v expect %q", c.args, pos, err, *async, *exp)
		}
	}
	fs := flag.NewFlagSet("patch", flag.ContinueOnError)
	if _, err := parseArgs(fs, []string{"f", "--nope"}); err == nil || err.Error() != "f: patch: flag provided but not defined: -nope" {
		t.Errorf("unknown flag: %v", err)
	}
}

// dd runs the real dd for the reference bytes.
func dd(t *testing.T, file string, skip, count int64) []byte {
	t.Helper()
	out, err := exec.Command("dd", "if="+file, "bs=1", fmt.Sprintf("skip=%d", skip), fmt.Sprintf("count=%d", count), "status=none").Output()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCat(t *testing.T) {
	ps := int64(os.Getpagesize())
	content := pattern(int(3*ps + 100))
	p := tempFile(t, "data.bin", content)
	size := int64(len(content))
	for _, c := range []struct{ off, n string }{
		{"0", ""}, {"1", "10"}, {"4095", "2"}, {"0x1000", "0x1000"}, {"4k", "1k"}, {"4097", ""},
		{fmt.Sprint(size - 1), ""}, {"100", "1G"}, {"3", "0"},
	} {
		args := []string{"cat", p, c.off}
		if c.n != "" {
			args = append(args, c.n)
		}
		r := mmhex(t, args...)
		off := mustSize(t, c.off)
		n := size - off
		if c.n != "" {
			n = min(mustSize(t, c.n), size-off)
		}
		want := dd(t, p, off, n)
		if r.code != 0 || r.stderr != "" || r.stdout != string(want) || int64(len(want)) != n {
			t.Errorf("cat %s %s: code %d stderr %q, %d bytes; dd gives %d", c.off, c.n, r.code, r.stderr, len(r.stdout), len(want))
		}
	}
	// The last bytes of a sparse 8 GiB file (a mapping far from offset 0).
	sp := sparse8G(t)
	w, _ := os.OpenFile(sp, os.O_RDWR, 0)
	w.WriteAt([]byte("end of 8G"), 8<<30-9)
	w.Close()
	r := mmhex(t, "cat", sp, "0x1fffffff0")
	if want := dd(t, sp, 0x1fffffff0, 16); r.code != 0 || r.stdout != string(want) || r.stdout[7:] != "end of 8G" {
		t.Errorf("cat of the end of a sparse file: %q %+v", r.stdout, r)
	}
}

func mustSize(t *testing.T, s string) int64 {
	v, err := parseNumber("x", "n", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var patchLine = regexp.MustCompile(`^(.+): patched (\d+) bytes? at (0x[0-9a-f]+); msync\((MS_SYNC|MS_ASYNC)\) (\d+) pages?, (\d+) bytes?, [0-9.]+(ns|µs|ms|s)(; a no-op on Linux: not known to be on disk \((\d+) pages? still dirty until kernel writeback\))?\n$`)

func TestPatch(t *testing.T) {
	content := pattern(10000)
	p := tempFile(t, "data.bin", content)
	link := p + ".link"
	if err := os.Link(p, link); err != nil {
		t.Fatal(err)
	}
	var st0 unix.Stat_t
	unix.Stat(p, &st0)

	r := mmhex(t, "patch", p, "0x1000", "de ad be ef")
	m := patchLine.FindStringSubmatch(r.stdout)
	if r.code != 0 || r.stderr != "" || m == nil || m[1] != p || m[2] != "4" || m[3] != "0x1000" || m[4] != "MS_SYNC" || m[5] != "1" || m[6] != "4096" || m[8] != "" {
		t.Fatalf("patch: %+v", r)
	}
	want := append([]byte(nil), content...)
	copy(want[0x1000:], []byte{0xde, 0xad, 0xbe, 0xef})
	checkFile(t, p, want)
	checkFile(t, link, want)

	// Flags after the positionals, --expect, --async, a page border.
	r = mmhex(t, "patch", p, "4094", "41 42 43", "--expect", "0x"+fmt.Sprintf("%02x%02x%02x", want[4094], want[4095], want[4096]), "--async")
	m = patchLine.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil || m[4] != "MS_ASYNC" || m[5] != "2" || m[6] != "8192" || m[8] == "" {
		t.Fatalf("patch --async: %+v", r)
	}
	if n := m[9]; n != "0" && n != "1" && n != "2" { // the kernel may have written some back already
		t.Fatalf("patch --async: %s pages still dirty of 2: %q", n, r.stdout)
	}
	copy(want[4094:], "ABC")
	checkFile(t, p, want)
	// A one-byte file: one page of one byte, in the singular.
	one := tempFile(t, "one.bin", []byte("x"))
	r = mmhex(t, "patch", one, "0", "41")
	if want := one + ": patched 1 byte at 0x0; msync(MS_SYNC) 1 page, 1 byte, "; r.code != 0 || !strings.HasPrefix(r.stdout, want) {
		t.Errorf("patch of a one-byte file: %+v\nwant the line to start %q", r, want)
	}
	var st1 unix.Stat_t
	unix.Stat(p, &st1)
	if st1.Ino != st0.Ino || st1.Nlink != 2 {
		t.Fatalf("inode %d -> %d, links %d", st0.Ino, st1.Ino, st1.Nlink)
	}

	// --expect that does not match: refused, nothing written.
	r = mmhex(t, "patch", "--expect", "00 00", p, "0", "ff ff")
	if wantErr := fmt.Sprintf("mmhex: %s: bytes at 0x0 are %02x %02x, not the expected 00 00; nothing written\n", p, want[0], want[1]); r.code != 1 || r.stderr != wantErr || r.stdout != "" {
		t.Fatalf("expect mismatch: %+v\nwant %q", r, wantErr)
	}
	checkFile(t, p, want)
}

func checkFile(t *testing.T, p string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: content differs", p)
	}
}

// TestPatchSparse: patching one byte of a sparse 8 GiB file adds one
// block, not 8 GiB.
func TestPatchSparse(t *testing.T) {
	p := sparse8G(t)
	var before, after unix.Stat_t
	var fs unix.Statfs_t
	unix.Stat(p, &before)
	unix.Statfs(p, &fs)
	r := mmhex(t, "patch", p, "5G", "7f")
	if r.code != 0 || !patchLine.MatchString(r.stdout) {
		t.Fatalf("patch: %+v", r)
	}
	unix.Stat(p, &after)
	if after.Size != 8<<30 || after.Ino != before.Ino {
		t.Fatalf("size %d inode %d->%d", after.Size, before.Ino, after.Ino)
	}
	if added := (after.Blocks - before.Blocks) * 512; added != fs.Bsize {
		t.Fatalf("st_blocks %d -> %d: %d bytes added; want one block of %d", before.Blocks, after.Blocks, added, fs.Bsize)
	}
	if r := mmhex(t, "cat", p, "5G", "1"); r.stdout != "\x7f" {
		t.Fatalf("cat after patch: %q", r.stdout)
	}
}

// TestErrors: every bad input is one line on stderr naming the file, a
// non-zero exit, and nothing changed on disk.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	data := tempFile(t, "data.bin", []byte("0123456789"))
	empty := tempFile(t, "empty", nil)
	fifo := filepath.Join(dir, "fifo")
	unix.Mkfifo(fifo, 0o644)
	missing := filepath.Join(dir, "missing")
	evil := filepath.Join(dir, "x\x1b]0;pwned\x07")
	evilFile := tempFile(t, "e\x1b[31m\u202e", []byte("ab"))
	evilQ := filepath.Dir(evilFile) + "/e.[31m." // ESC and U+202E shown as .
	evilDir := filepath.Join(dir, "d\x1b]0;pwned\x07")
	os.Mkdir(evilDir, 0o755)
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"cat", missing, "0"}, 1, missing + ": no such file or directory"},
		{[]string{"cat", dir, "0"}, 1, dir + ": is a directory"},
		{[]string{"cat", fifo, "0"}, 1, fifo + ": is a FIFO (named pipe); it cannot be mapped"},
		{[]string{"cat", "/proc/self/status", "0"}, 1, "/proc/self/status: has size 0 but has content (a /proc or /sys file?); it cannot be mapped"},
		{[]string{"stat", "/proc/self/status"}, 1, "/proc/self/status: has size 0 but has content (a /proc or /sys file?); it cannot be mapped"},
		{[]string{"cat", "/dev/null", "0"}, 1, "/dev/null: is a character device; only regular files and block devices can be mapped"},
		{[]string{"cat", data, "0x100"}, 1, data + ": offset is past end of file"},
		{[]string{"cat", data, "1x"}, 2, data + `: offset: bad number: "1x" (use decimal, 0x hex, k/M/G suffixes)`},
		{[]string{"cat", data, "0", "-5"}, 2, data + ": length must not be negative: -5"},
		{[]string{"cat", data}, 2, "usage: mmhex cat " + findCommand("cat").usage + " (mmhex --help for more)"},
		{[]string{"cat", evil, "0"}, 1, dir + "/x.]0;pwned.: no such file or directory"},
		{[]string{"patch", data, "0", "4g"}, 2, data + `: bad hex bytes: "4g" is not hex`},
		{[]string{"patch", data, "0", "414"}, 2, data + `: bad hex bytes: "414" has an odd number of hex digits`},
		{[]string{"patch", data, "9", "41 42"}, 1, data + ": edit of 2 bytes at 0x9: offset is past end of file (size 10)"},
		{[]string{"patch", data, "10", "41"}, 1, data + ": offset is past end of file (size 10)"},
		{[]string{"patch", empty, "0", "41"}, 1, empty + ": offset is past end of file (size 0)"},
		{[]string{"patch", data, "0", "41", "--expect", "zz"}, 2, data + `: --expect: bad hex bytes: "zz" is not hex`},
		{[]string{"patch", data, "0", "41", "--expect", ""}, 2, data + `: --expect: bad hex bytes: no bytes given`},
		{[]string{"patch", data, "0", "41", "--expect="}, 2, data + `: --expect: bad hex bytes: no bytes given`},
		{[]string{"patch", data, "8", "41", "--expect", "38 39 40"}, 1, data + ": --expect at 0x8: offset is past end of file (size 10)"},
		{[]string{"patch", missing, "0", "41"}, 1, missing + ": no such file or directory"},
		{[]string{"stat", missing}, 1, missing + ": no such file or directory"},
		{[]string{"stat", data, "extra"}, 2, "usage: mmhex stat " + findCommand("stat").usage + " (mmhex --help for more)"},
		// dump, search and the editor entry: the same opening errors.
		{[]string{"dump", missing}, 1, missing + ": no such file or directory"},
		{[]string{"dump", dir}, 1, dir + ": is a directory"},
		{[]string{"dump", fifo}, 1, fifo + ": is a FIFO (named pipe); it cannot be mapped"},
		{[]string{"dump", "/proc/self/status"}, 1, "/proc/self/status: has size 0 but has content (a /proc or /sys file?); it cannot be mapped"},
		{[]string{"dump", data, "-s", "0x100"}, 1, data + ": offset is past end of file: offset 256 (0x100), size 10 (0xa)"},
		{[]string{"dump", data, "-s", "1x"}, 2, data + `: offset: bad number: "1x" (use decimal, 0x hex, k/M/G suffixes)`},
		{[]string{"dump", data, "-n", "zz"}, 2, data + `: length: bad number: "zz" (use decimal, 0x hex, k/M/G suffixes)`},
		{[]string{"search", missing, "ab"}, 2, missing + ": no such file or directory"},
		{[]string{"search", dir, "ab"}, 2, dir + ": is a directory"},
		{[]string{"search", fifo, "ab"}, 2, fifo + ": is a FIFO (named pipe); it cannot be mapped"},
		{[]string{"search", "/proc/self/status", "ab"}, 2, "/proc/self/status: has size 0 but has content (a /proc or /sys file?); it cannot be mapped"},
		{[]string{"search", empty, "ab"}, 1, empty + `: no match for "ab"`},
		{[]string{"search", data, "4g", "--hex"}, 2, data + `: pattern: malformed hex: column 2: "g" is not a hex digit`},
		{[]string{"search", data, "-i", "--hex", "ab"}, 2, "search: -i applies to text patterns, not to --hex"},
		{[]string{missing}, 1, missing + ": no such file or directory"},
		{[]string{dir}, 1, dir + ": is a directory"},
		{[]string{fifo}, 1, fifo + ": is a FIFO (named pipe); it cannot be mapped"},
		{[]string{"/proc/self/status"}, 1, "/proc/self/status: has size 0 but has content (a /proc or /sys file?); it cannot be mapped"},
		{[]string{"/dev/null"}, 1, "/dev/null: is a character device; only regular files and block devices can be mapped"},
		{[]string{empty}, 1, empty + ": the file is empty: nothing to show or overwrite (mmhex never changes a file's size)"},
		{[]string{"--window", "zz", data}, 2, data + `: --window: bad number: "zz" (use decimal, 0x hex, k/M/G suffixes)`},
		// Names and arguments with escape sequences never reach the
		// terminal raw, whatever the command.
		{[]string{"cat", evilFile, "5"}, 1, evilQ + ": offset is past end of file"},
		{[]string{"patch", evilFile, "5", "41"}, 1, evilQ + ": offset is past end of file (size 2)"},
		{[]string{"patch", evilFile, "0", "41", "--expect", "00"}, 1, evilQ + ": bytes at 0x0 are 61, not the expected 00; nothing written"},
		{[]string{"stat", evilDir}, 1, dir + "/d.]0;pwned.: is a directory"},
		{[]string{"dump", evilFile, "-s", "5"}, 1, evilQ + ": offset is past end of file: offset 5 (0x5), size 2 (0x2)"},
		{[]string{"search", evilFile, "zz"}, 1, evilQ + `: no match for "zz"`},
		{[]string{evilDir}, 1, dir + "/d.]0;pwned.: is a directory"},
		{[]string{"--window", "zz", evil}, 2, dir + "/x.]0;pwned." + `: --window: bad number: "zz" (use decimal, 0x hex, k/M/G suffixes)`},
		{[]string{"cat", data, "0", "-\x1b]0;x\a"}, 2, data + `: cat: flag provided but not defined: -.]0;x.`},
		{[]string{"\x1b[31m"}, 1, `.[31m: no such file or directory`},
		{[]string{"cat", "", "0"}, 1, `"": no such file or directory`},
		{[]string{""}, 1, `"": no such file or directory`},
	}
	before := snapshot(t, data, empty, evilFile)
	for _, c := range cases {
		r := mmhex(t, c.args...)
		if r.code != c.code || r.stderr != "mmhex: "+c.err+"\n" || r.stdout != "" {
			t.Errorf("%q:\n got code %d stderr %q\nwant code %d stderr %q", c.args, r.code, r.stderr, c.code, "mmhex: "+c.err+"\n")
		}
	}
	if after := snapshot(t, data, empty, evilFile); after != before {
		t.Fatalf("files changed:\n%s\n%s", before, after)
	}
}

// TestSmallCLI: the exact text and status of the small command-line cases
// of issue 11.
func TestSmallCLI(t *testing.T) {
	data := tempFile(t, "data.bin", []byte("0123456789"))
	empty := tempFile(t, "empty", nil)
	dense := tempFile(t, "dense", []byte("aaaa"))
	before := snapshot(t, data, empty)
	for _, c := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		// no arguments: the editor's usage, one space after "mmhex", a
		// hint to --help
		{nil, 2, "", "mmhex: usage: mmhex " + editUsage + " (mmhex --help for more)\n"},
		// an unknown flag of the editor: named once
		{[]string{"--bogus"}, 2, "", "mmhex: flag provided but not defined: -bogus\n"},
		{[]string{data, "--bogus"}, 2, "", "mmhex: " + data + ": flag provided but not defined: -bogus\n"},
		{[]string{"cat", data, "--bogus"}, 2, "", "mmhex: " + data + ": cat: flag provided but not defined: -bogus\n"},
		// offset == size: nothing, exit 0 (as dd skip=SIZE)
		{[]string{"cat", data, "10"}, 0, "", ""},
		{[]string{"cat", data, "0xa", "5"}, 0, "", ""},
		{[]string{"cat", empty, "0"}, 0, "", ""},
		{[]string{"cat", data, "11"}, 1, "", "mmhex: " + data + ": offset is past end of file\n"},
		// negative offsets and lengths are named as such
		{[]string{"cat", data, "-1"}, 2, "", "mmhex: " + data + ": offset must not be negative: -1\n"},
		{[]string{"cat", data, "-0x10", "2"}, 2, "", "mmhex: " + data + ": offset must not be negative: -0x10\n"},
		{[]string{"cat", data, "0", "-5"}, 2, "", "mmhex: " + data + ": length must not be negative: -5\n"},
		{[]string{"patch", data, "-1", "41"}, 2, "", "mmhex: " + data + ": offset must not be negative: -1\n"},
		{[]string{"dump", data, "-n", "-5"}, 2, "", "mmhex: " + data + ": length must not be negative: -5\n"},
		// search --max: negative refused, 0 no limit, N stops after N
		{[]string{"search", data, "1", "--max", "-1"}, 2, "", "mmhex: search: --max must not be negative: -1 (0: no limit)\n"},
		{[]string{"search", dense, "aa", "--max", "0"}, 0, "0\n1\n2\n", ""},
		{[]string{"search", dense, "aa", "--max", "2"}, 0, "0\n1\n", ""},
		{[]string{"search", dense, "aa", "--max", "2", "--count"}, 0, "2\n", ""},
		// a negative-looking pattern is a pattern
		{[]string{"search", data, "-1"}, 1, "", "mmhex: " + data + ": no match for \"-1\"\n"},
	} {
		r := mmhex(t, c.args...)
		if r.code != c.code || r.stdout != c.stdout || r.stderr != c.stderr {
			t.Errorf("mmhex %q:\n got code %d stdout %q stderr %q\nwant code %d stdout %q stderr %q", c.args, r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
		}
	}
	if after := snapshot(t, data, empty); after != before {
		t.Fatalf("files changed:\n%s\n%s", before, after)
	}
}

// snapshot describes files by content, size, inode and mtime.
func snapshot(t *testing.T, paths ...string) string {
	var b strings.Builder
	for _, p := range paths {
		var st unix.Stat_t
		unix.Stat(p, &st)
		c, _ := os.ReadFile(p)
		fmt.Fprintf(&b, "%s %q %d %d %d.%d\n", p, c, st.Size, st.Ino, st.Mtim.Sec, st.Mtim.Nsec)
	}
	return b.String()
}

// TestReadOnlyFile: a file the user cannot write is read with cat and
// stat, and patch refuses it with the reason.
func TestReadOnlyFile(t *testing.T) {
	p := tempFile(t, "ro.bin", []byte("read only\n"))
	var cred *syscall.Credential
	reason := "permission denied"
	if os.Geteuid() == 0 {
		// As root, run the binary as nobody on a root-owned 0644 file.
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		for d := filepath.Dir(p); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
			os.Chmod(d, 0o755)
		}
	} else {
		os.Chmod(p, 0o444)
	}
	before := snapshot(t, p)
	r := runAs(t, cred, "patch", p, "0", "52")
	if want := "mmhex: " + p + ": file is read-only (cannot open for writing: " + reason + ")\n"; r.code != 1 || r.stderr != want {
		t.Errorf("patch of a read-only file: %+v\nwant %q", r, want)
	}
	if r := runAs(t, cred, "cat", p, "5"); r.code != 0 || r.stdout != "only\n" {
		t.Errorf("cat of a read-only file: %+v", r)
	}
	r = runAs(t, cred, "stat", "--json", p)
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || r.code != 0 {
		t.Fatalf("stat --json: %+v %v", r, err)
	}
	if cred != nil {
		// Neither owner nor writer: the kernel hides the page cache state.
		for _, k := range []string{"resident", "cached", "dirty", "writeback", "evicted", "recently_evicted"} {
			if m[k] != nil {
				t.Errorf("stat as another user: %s = %v; want null (unknown)", k, m[k])
			}
		}
	}
	if after := snapshot(t, p); after != before {
		t.Fatal("file changed")
	}
	// No permission to read at all.
	secret := filepath.Join(filepath.Dir(p), "secret")
	os.WriteFile(secret, []byte("secret"), 0o600)
	if cred == nil {
		os.Chmod(secret, 0)
	}
	for _, args := range [][]string{{"cat", secret, "0"}, {"stat", secret}, {"patch", secret, "0", "00"},
		{"dump", secret}, {"search", secret, "x"}, {secret}} {
		want := 1
		if args[0] == "search" {
			want = 2 // 1 is "no match", as in grep
		}
		if r := runAs(t, cred, args...); r.code != want || r.stderr != "mmhex: "+secret+": permission denied\n" {
			t.Errorf("%q without read permission: %+v", args, r)
		}
	}
}

func TestStat(t *testing.T) {
	p := sparse8G(t)
	r := mmhex(t, "stat", p, "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("stat --json: %+v", r)
	}
	// Exactly these keys, in this order, numbers (not null for our own file).
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.UseNumber()
	var keys []string
	tok, _ := dec.Token()
	if tok != json.Delim('{') {
		t.Fatalf("not an object: %s", r.stdout)
	}
	vals := map[string]json.Number{}
	for dec.More() {
		k, _ := dec.Token()
		v, _ := dec.Token()
		keys = append(keys, k.(string))
		n, ok := v.(json.Number)
		if !ok {
			t.Fatalf("%s is %v, not a number", k, v)
		}
		vals[k.(string)] = n
	}
	want := []string{"size", "page_size", "pages", "resident", "cached", "dirty", "writeback", "evicted", "recently_evicted"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v; want %v", keys, want)
	}
	ps := int64(os.Getpagesize())
	if vals["size"].String() != fmt.Sprint(int64(8<<30)) || vals["page_size"].String() != fmt.Sprint(ps) ||
		vals["pages"].String() != fmt.Sprint((8<<30)/ps) || vals["resident"].String() != "0" || vals["dirty"].String() != "0" {
		t.Fatalf("figures: %s", r.stdout)
	}
	// Patch a byte with MS_ASYNC: the page is dirty until writeback
	// (dirty_expire_centisecs is 30 s by default), unless the machine's
	// dirty memory is over dirty_background_ratio (other jobs writing) and
	// the flusher cleans it at once: then patch (a new byte) and look again,
	// up to 10 times.
	dirty := regexp.MustCompile(`\ndirty +[1-9][0-9]*\n`)
	for i := 0; i < 10; i++ {
		mmhex(t, "patch", p, "1G", fmt.Sprintf("%02x", i+1), "--async")
		if r = mmhex(t, "stat", p); dirty.MatchString(r.stdout) {
			break
		}
	}
	for _, line := range []string{"size              8589934592 (8.00 GiB)\n", fmt.Sprintf("page size         %d\n", ps),
		fmt.Sprintf("pages             %d\n", (8<<30)/ps)} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("stat output lacks %q:\n%s", line, r.stdout)
		}
	}
	// At least the patched page (a large folio may count more).
	if !dirty.MatchString(r.stdout) {
		t.Errorf("stat shows no dirty page after patch --async:\n%s", r.stdout)
	}
	if r := mmhex(t, "stat", "--json", tempFile(t, "empty", nil)); r.stdout != `{"size":0,"page_size":`+fmt.Sprint(ps)+`,"pages":0,"resident":0,"cached":0,"dirty":0,"writeback":0,"evicted":0,"recently_evicted":0}`+"\n" {
		t.Errorf("stat of an empty file: %+v", r)
	}
}

// TestReadmeMatchesCI: the README has exactly two set-up commands and
// .ci/run runs the second one, the test command, verbatim.
func TestReadmeMatchesCI(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Set up\n\n```sh\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no set-up code block")
	}
	cmds := strings.Split(strings.TrimSpace(string(m[1])), "\n")
	if len(cmds) != 2 {
		t.Fatalf("README set-up block has %d commands; want 2", len(cmds))
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(ci)), "\n")
	if last := lines[len(lines)-1]; last != cmds[1] || !strings.Contains(cmds[1], "-race") {
		t.Fatalf(".ci/run ends with %q; README's test command is %q", last, cmds[1])
	}
	if !strings.Contains(string(ci), "set -euo pipefail") {
		t.Fatal(".ci/run lacks set -euo pipefail")
	}
}

// TestNoReadWriteOnData: cat, patch and stat touch the file's data only
// through mappings: strace shows no read/write-family call on the file,
// and patch stores through a MAP_SHARED mapping and msyncs it.
func TestNoReadWriteOnData(t *testing.T) {
	strace := testenv.RequireTool(t, "strace")
	p := tempFile(t, "traced.bin", pattern(3*os.Getpagesize()))
	const calls = "read,pread64,readv,preadv,preadv2,write,pwrite64,writev,pwritev,pwritev2," +
		"sendfile,splice,copy_file_range,ftruncate,fallocate,mmap,msync"
	fileCall := regexp.MustCompile(`^\d+ +(\w+)\(.*<` + regexp.QuoteMeta(p) + `>`)
	for _, args := range [][]string{{"cat", p, "5000", "100"}, {"patch", p, "4094", "41 42 43"}, {"stat", p}} {
		log := filepath.Join(t.TempDir(), "strace.log")
		out, err := exec.Command(strace, append([]string{"-f", "-y", "-qq", "-e", "signal=none", "-e", "trace=" + calls,
			"-o", log, bin}, args...)...).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "ptrace") {
				testenv.SkipOrFail(t, "strace cannot trace here: %s", out)
			}
			t.Fatalf("%q under strace: %v\n%s", args, err, out)
		}
		b, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, line := range strings.Split(string(b), "\n") {
			if m := fileCall.FindStringSubmatch(line); m != nil {
				seen = append(seen, m[1])
				if m[1] != "mmap" && m[1] != "msync" {
					t.Errorf("%s: %s on the file: %s", args[0], m[1], line)
				}
				if m[1] == "mmap" && args[0] == "patch" && !strings.Contains(line, "PROT_READ|PROT_WRITE, MAP_SHARED,") {
					t.Errorf("patch maps the file without PROT_WRITE/MAP_SHARED: %s", line)
				}
			}
		}
		if !slices.Contains(seen, "mmap") {
			t.Errorf("%s: no mmap of the file seen (%v)", args[0], seen)
		}
		// cat maps from the page-aligned offset (5000 &^ (pagesize-1)), like the seed.
		catMap := regexp.MustCompile(`(?m)^\d+ +mmap\(NULL, \d+, PROT_READ, MAP_SHARED[|A-Z_]*, \d+<` + regexp.QuoteMeta(p) +
			fmt.Sprintf(`>, %#x\) = `, 5000&^(os.Getpagesize()-1)))
		if args[0] == "cat" && !catMap.Match(b) {
			t.Errorf("cat: no mapping from the page-aligned offset:\n%s", b)
		}
		if args[0] == "patch" && !regexp.MustCompile(`(?m)^\d+ +msync\(0x[0-9a-f]+, \d+, MS_SYNC\) = 0$`).Match(b) {
			t.Errorf("patch: no msync(MS_SYNC):\n%s", b)
		}
	}
	got, _ := os.ReadFile(p)
	if string(got[4094:4097]) != "ABC" {
		t.Errorf("patched bytes %q", got[4094:4097])
	}
}

// TestPatchSymlinkSaysWhere: patch through a symbolic link says which file
// it wrote (the link's target, as the kernel names the opened file); the
// link itself is still a link and the target holds the bytes. Through the
// file's own name the line stays as before.
func TestPatchSymlinkSaysWhere(t *testing.T) {
	p := tempFile(t, "data.bin", []byte("0123456789"))
	link := filepath.Join(t.TempDir(), "link.bin")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	r := mmhex(t, "patch", link, "2", "41 42")
	if want := link + ": patched 2 bytes at 0x2 of " + p + "; msync(MS_SYNC) 1 page, 10 bytes, "; r.code != 0 || !strings.HasPrefix(r.stdout, want) {
		t.Fatalf("patch through a link: %+v\nwant the line to start %q", r, want)
	}
	checkFile(t, p, []byte("01AB456789"))
	if to, err := os.Readlink(link); err != nil || to != p {
		t.Errorf("the link is now %q, %v", to, err)
	}
	r = mmhex(t, "patch", p, "4", "43")
	if want := p + ": patched 1 byte at 0x4; msync(MS_SYNC) 1 page, 10 bytes, "; r.code != 0 || !strings.HasPrefix(r.stdout, want) {
		t.Fatalf("patch by the file's name: %+v\nwant the line to start %q", r, want)
	}
	// A relative name in the working directory is the same file: no note.
	t.Chdir(filepath.Dir(p))
	r = mmhex(t, "patch", "data.bin", "5", "44")
	if want := "data.bin: patched 1 byte at 0x5; msync"; r.code != 0 || !strings.HasPrefix(r.stdout, want) {
		t.Fatalf("patch by a relative name: %+v\nwant the line to start %q", r, want)
	}
	checkFile(t, p, []byte("01ABCD6789"))
}

// TestSearchDense: `mmhex search` lists exactly the offsets of a
// byte-by-byte reference, overlapping matches included, and --count
// prints their number, where matches are at every byte (`aa` in `aaaa`:
// 0, 1, 2), every other byte, in runs that cross the 9 → 10, 99 → 100, …,
// 999999 → 1000000 digit borders, and sparse; --max N lists the first N.
func TestSearchDense(t *testing.T) {
	var mixed []byte
	for i := 0; len(mixed) < 300_000; i++ {
		switch i % 4 {
		case 0:
			mixed = append(mixed, bytes.Repeat([]byte("a"), 20_000+i)...)
		case 1:
			mixed = append(mixed, bytes.Repeat([]byte("ab"), 5_000+i)...)
		case 2:
			mixed = append(mixed, pattern(20_000+i)...)
		default:
			mixed = append(mixed, bytes.Repeat([]byte("aaab"), 3_000+i)...)
		}
	}
	files := map[string][]byte{
		"aaaa":  []byte("aaaa"),
		"runs":  bytes.Repeat([]byte("a"), 1_000_050),
		"mixed": mixed,
	}
	for name, data := range files {
		path := tempFile(t, name, data)
		pats := []string{"aa", "a", "aaa", "aba", "aaaaaaaaaaaa"}
		if name == "runs" {
			pats = pats[:1]
		}
		for _, pat := range pats {
			var want []byte
			n := 0
			for i := 0; i+len(pat) <= len(data); i++ {
				if string(data[i:i+len(pat)]) == pat {
					want = strconv.AppendInt(want, int64(i), 10)
					want = append(want, '\n')
					n++
				}
			}
			if n == 0 {
				continue
			}
			r := mmhex(t, "search", path, pat)
			if r.code != 0 || r.stderr != "" || r.stdout != string(want) {
				t.Errorf("search %s %q: code %d stderr %q, %d bytes of output; the reference %d lines, %d bytes", name, pat, r.code, r.stderr, len(r.stdout), n, len(want))
			}
			if r := mmhex(t, "search", path, pat, "--count"); r.code != 0 || r.stdout != fmt.Sprintf("%d\n", n) {
				t.Errorf("search %s %q --count: %+v; the reference %d", name, pat, r, n)
			}
			k := (n + 1) / 2
			lines := strings.SplitAfter(string(want), "\n")
			if r := mmhex(t, "search", path, pat, "--max", fmt.Sprint(k)); r.code != 0 || r.stdout != strings.Join(lines[:k], "") {
				t.Errorf("search %s %q --max %d: code %d, %d bytes; want the first %d lines", name, pat, k, r.code, len(r.stdout), k)
			}
			if r := mmhex(t, "search", path, pat, "--max", fmt.Sprint(k), "--count"); r.code != 0 || r.stdout != fmt.Sprintf("%d\n", k) {
				t.Errorf("search %s %q --max %d --count: %+v", name, pat, k, r)
			}
		}
	}
	if r := mmhex(t, "search", tempFile(t, "four", []byte("aaaa")), "aa"); r.stdout != "0\n1\n2\n" {
		t.Errorf("aa in aaaa: %q, want 0 1 2", r.stdout)
	}
}

// TestStringsCLI: mmhex strings prints what strings -a prints, with the
// same options; bad options and files are one line and status 2 or 1.
func TestStringsCLI(t *testing.T) {
	tool := testenv.RequireTool(t, "strings")
	data := tempFile(t, "s.bin", append(pattern(100000), "\x00tail string\tat the end"...))
	for _, opts := range [][]string{nil, {"-t", "x"}, {"-n", "8", "-t", "d"}, {"-e", "l", "-t", "o"}, {"-e", "S", "-n", "2"}} {
		want, err := exec.Command(tool, append(append([]string{"-a"}, opts...), data)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		r := mmhex(t, append([]string{"strings", data}, opts...)...)
		if r.code != 0 || r.stderr != "" || r.stdout != string(want) {
			t.Errorf("mmhex strings %v: code %d stderr %q, stdout %d bytes, want %d bytes of strings -a", opts, r.code, r.stderr, len(r.stdout), len(want))
		}
	}
	missing := filepath.Join(t.TempDir(), "missing")
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"strings", data, "-n", "0"}, 2, "strings: -n: invalid minimum string length 0 (at least 1)"},
		{[]string{"strings", data, "-t", "q"}, 2, `strings: -t: invalid radix "q" (d, o or x)`},
		{[]string{"strings", data, "-e", "u"}, 2, `strings: -e: invalid encoding "u" (s, S, b, l, B or L)`},
		{[]string{"strings", missing}, 1, missing + ": no such file or directory"},
		{[]string{"strings"}, 2, "usage: mmhex strings " + stringsUsage + " (mmhex --help for more)"},
	} {
		r := mmhex(t, c.args...)
		if r.code != c.code || r.stderr != "mmhex: "+c.err+"\n" || r.stdout != "" {
			t.Errorf("%q:\n got code %d stderr %q\nwant code %d stderr %q", c.args, r.code, r.stderr, c.code, "mmhex: "+c.err+"\n")
		}
	}
}

// TestHashCLI: one algorithm prints what sha256sum (md5sum...) prints;
// several print sha256sum --tag lines; a range is named FILE[0xA:0xB].
func TestHashCLI(t *testing.T) {
	data := tempFile(t, "h.bin", pattern(100003))
	for _, a := range []string{"md5", "sha1", "sha256", "sha512"} {
		tool := testenv.RequireTool(t, a+"sum")
		want, _ := exec.Command(tool, data).Output()
		args := []string{"hash", data, "--algo", a}
		if a == "sha256" {
			args = args[:2] // the default
		}
		if r := mmhex(t, args...); r.code != 0 || r.stdout != string(want) || r.stderr != "" {
			t.Errorf("%v: code %d stdout %q stderr %q, want %q", args, r.code, r.stdout, r.stderr, want)
		}
		tag, _ := exec.Command(tool, "--tag", data).Output()
		if r := mmhex(t, "hash", data, "--algo", a+",crc32"); r.code != 0 || !strings.HasPrefix(r.stdout, string(tag)) || !strings.HasPrefix(r.stdout[len(tag):], "CRC32 ("+data+") = ") {
			t.Errorf("%s,crc32: %q, want %q then the CRC32 line", a, r.stdout, tag)
		}
	}
	part := tempFile(t, "part", pattern(100003)[16:16+256])
	want, _ := exec.Command(testenv.RequireTool(t, "sha256sum"), part).Output()
	r := mmhex(t, "hash", data, "-s", "16", "-n", "256")
	if w := strings.Replace(string(want), part, data+"[0x10:0x110]", 1); r.code != 0 || r.stdout != w {
		t.Errorf("range: %q, want %q", r.stdout, w)
	}
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"hash", data, "--algo", "sha3"}, 2, `hash: --algo: unknown hash "sha3" (crc32, md5, sha1, sha256, sha512 or all)`},
		{[]string{"hash", data, "-s", "200000"}, 1, data + ": offset 0x30d40 is past the end of the file (size 100003)"},
		{[]string{"hash", data, "-n", "zz"}, 2, data + `: length: bad number: "zz" (use decimal, 0x hex, k/M/G suffixes)`},
	} {
		r := mmhex(t, c.args...)
		if r.code != c.code || r.stderr != "mmhex: "+c.err+"\n" || r.stdout != "" {
			t.Errorf("%q:\n got code %d stderr %q\nwant code %d stderr %q", c.args, r.code, r.stderr, c.code, "mmhex: "+c.err+"\n")
		}
	}
}

// TestCatAs: mmhex cat --as xxd-i is xxd -i of the same bytes on standard
// input, --as c is xxd -i FILE, --as base64 is base64 -w 0; a range, the
// end of the file, and a bad format.
func TestCatAs(t *testing.T) {
	xxd := testenv.RequireTool(t, "xxd")
	b64 := testenv.RequireTool(t, "base64")
	content := pattern(1000)
	data := tempFile(t, "cat as.bin", content)
	tool := func(in []byte, name string, args ...string) string {
		cmd := exec.Command(name, args...)
		cmd.Stdin = bytes.NewReader(in)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	for _, r := range [][2]int{{0, 1000}, {0, 13}, {5, 12}, {999, 1}, {1000, 0}} {
		part := content[r[0] : r[0]+r[1]]
		args := []string{"cat", data, strconv.Itoa(r[0]), strconv.Itoa(r[1]), "--as"}
		for format, want := range map[string]string{
			"xxd-i":  tool(part, xxd, "-i"),
			"base64": tool(part, b64, "-w", "0"),
		} {
			if got := mmhex(t, append(args, format)...); got.code != 0 || got.stdout != want || got.stderr != "" {
				t.Errorf("%v %s: code %d %q, want %q", args, format, got.code, got.stdout, want)
			}
		}
	}
	if got, want := mmhex(t, "cat", data, "0", "--as", "c"), tool(nil, xxd, "-i", data); got.stdout != want {
		t.Errorf("--as c: %q, want xxd -i FILE: %q", got.stdout, want)
	}
	// a real program, whole: xxd -i FILE and base64 -w 0 FILE
	prog := "/usr/bin/xxd"
	if got, want := mmhex(t, "cat", prog, "0", "--as", "c"), tool(nil, xxd, "-i", prog); got.code != 0 || got.stdout != want {
		t.Errorf("%s --as c: %d bytes, want xxd -i's %d", prog, len(got.stdout), len(want))
	}
	if got, want := mmhex(t, "cat", prog, "0", "--as", "base64"), tool(nil, b64, "-w", "0", prog); got.code != 0 || got.stdout != want {
		t.Errorf("%s --as base64: %d bytes, want base64's %d", prog, len(got.stdout), len(want))
	}
	if r := mmhex(t, "cat", data, "0", "--as", "java"); r.code != 2 || r.stderr != "mmhex: cat: --as: unknown format \"java\" (hex, hex-spaces, c, go, python, rust, base64, escaped, xxd-i)\n" {
		t.Errorf("java: %d %q", r.code, r.stderr)
	}
	if r := mmhex(t, "cat", data, "2000", "--as", "c"); r.code != 1 || r.stderr != "mmhex: "+data+": offset is past end of file\n" || r.stdout != "" {
		t.Errorf("past the end: %d %q %q", r.code, r.stderr, r.stdout)
	}
}

// TestKeysCommandSanitised: keymap's problem text is raw (the file name,
// keys and values as written); `mmhex keys` prints each problem as one line
// through display.Line, so no control reaches the terminal and a newline in
// the file name does not break a problem in two.
func TestKeysCommandSanitised(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "c\x1b]0;x\x07\n.toml")
	if err := os.WriteFile(p, []byte("window = \"z\\u001b\"\n[bindings]\n\"\\u001b[2J\" = \"top\"\n\"g\" = \"\\u001b]0;x\\u0007\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mmhex(t, "keys", "--config", p)
	shown := filepath.Dir(p) + "/c.]0;x...toml"
	want := shown + `:1: window: "z.": not a size (a size such as 64M or 1G)` + "\n" +
		shown + `:3: bad key ".[2J": not a key name` + "\n" +
		shown + `:4: unknown action ".]0;x."` + "\n" +
		"mmhex: " + shown + ": 3 problems in the configuration\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("exit %d, stderr:\n%q\nwant:\n%q", r.code, r.stderr, want)
	}
}

// TestEntropyMatchesEnt: with one block for the whole file, the line of
// `mmhex entropy` is the entropy `ent` prints for the file, the same six
// decimals, on real programs, random bytes, text, one byte value and all
// 256 values.
func TestEntropyMatchesEnt(t *testing.T) {
	ent := testenv.RequireTool(t, "ent")
	rnd := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{7}).Read(rnd)
	all := make([]byte, 256*1000)
	for i := range all {
		all[i] = byte(i)
	}
	files := []string{
		tempFile(t, "random", rnd),
		tempFile(t, "pattern", append(pattern(300000), make([]byte, 99999)...)),
		tempFile(t, "text", bytes.Repeat([]byte("What mmhex promises.\n"), 5001)),
		tempFile(t, "one", bytes.Repeat([]byte{0xa5}, 12345)),
		tempFile(t, "all", all),
		tempFile(t, "byte", []byte{7}),
	}
	for _, p := range []string{"/usr/bin/ls", "/usr/bin/bash", "/usr/bin/xxd"} {
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(ent, "-t", f).Output()
		lines := strings.Split(string(out), "\n")
		if err != nil || len(lines) < 2 {
			t.Fatalf("ent -t %s: %v %q", f, err, out)
		}
		fields := strings.Split(lines[1], ",")
		if len(fields) < 3 || fields[1] != fmt.Sprint(st.Size()) {
			t.Fatalf("ent -t %s: %q", f, out)
		}
		r := mmhex(t, "entropy", f, "--block", fmt.Sprint(st.Size()))
		if want := "0 " + fields[2] + "\n"; r.code != 0 || r.stdout != want {
			t.Errorf("%s: %+v, want %q (ent)", f, r, want)
		}
	}
}

// TestEntropyCLI: a line a block, "OFFSET ENTROPY" with 6 decimals; --json
// with full precision, equal to a plain computation to 1e-9.
func TestEntropyCLI(t *testing.T) {
	content := append(pattern(70000), make([]byte, 70000)...)
	data := tempFile(t, "ent.bin", content)
	ref := func(b []byte) float64 {
		var n [256]float64
		for _, c := range b {
			n[c]++
		}
		h := 0.0
		for _, k := range n {
			if k > 0 {
				p := k / float64(len(b))
				h -= p * math.Log2(p)
			}
		}
		return h
	}
	r := mmhex(t, "entropy", data, "--block", "32k")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 0 || r.stderr != "" || len(lines) != 5 {
		t.Fatalf("entropy: %+v", r)
	}
	for i, l := range lines {
		off := i * 32768
		want := fmt.Sprintf("%d %.6f", off, ref(content[off:min(off+32768, len(content))]))
		if l != want {
			t.Errorf("line %d: %q, want %q", i, l, want)
		}
	}
	r = mmhex(t, "entropy", data, "--json", "--block", "1000")
	var j struct {
		File   string
		Size   int64
		Block  int64
		Blocks []struct {
			Offset, Length int64
			Entropy        float64
			Hole           bool
			Class          string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil || r.code != 0 {
		t.Fatalf("--json: %v %+v", err, r)
	}
	if j.File != data || j.Size != int64(len(content)) || j.Block != 1000 || len(j.Blocks) != 140 {
		t.Fatalf("--json: %s %d %d, %d blocks", j.File, j.Size, j.Block, len(j.Blocks))
	}
	for i, b := range j.Blocks {
		off := int64(i) * 1000
		if h := ref(content[off : off+1000]); b.Offset != off || b.Length != 1000 || math.Abs(b.Entropy-h) > 1e-9 {
			t.Fatalf("block %d: %+v, want entropy %v", i, b, h)
		}
	}
	if r := mmhex(t, "entropy", data, "--block", "0"); r.code != 2 || r.stderr != "mmhex: "+data+": --block must be at least 1 byte\n" {
		t.Errorf("--block 0: %+v", r)
	}
}

// TestHashNamesAsSha256sum: a name with a backslash, a newline or a
// carriage return is escaped as sha256sum escapes it (a '\' before the
// line, then \\, \n, \r), so the line is sha256sum's, with and without
// --tag, and sha256sum -c checks it; other control bytes are still shown
// as '.' (the terminal never gets them), where sha256sum writes them raw.
func TestHashNamesAsSha256sum(t *testing.T) {
	sum := testenv.RequireTool(t, "sha256sum")
	dir := t.TempDir()
	for _, name := range []string{"back\\slash", "new\nline", "cr\rname", "all\\\n\r3", "plain name", "ü"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tag := range []bool{false, true} {
			args := []string{p}
			margs := []string{"hash", p}
			if tag {
				args = []string{"--tag", p}
			}
			want, err := exec.Command(sum, args...).Output()
			if err != nil {
				t.Fatal(err)
			}
			got := mmhex(t, margs...).stdout
			if tag {
				// several algorithms: --tag lines; the SHA256 one is sha256sum --tag's
				lines := strings.SplitAfter(mmhex(t, "hash", p, "--algo", "md5,sha256").stdout, "\n")
				got = lines[1]
			}
			if got != string(want) {
				t.Errorf("%q tag=%v: %q, want %q", name, tag, got, want)
			}
		}
		check := exec.Command(sum, "-c", "-")
		check.Stdin = strings.NewReader(mmhex(t, "hash", p).stdout)
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("%q: sha256sum -c: %v: %s", name, err, out)
		}
	}
	p := filepath.Join(dir, "esc\x1b[31m")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := mmhex(t, "hash", p).stdout, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  "+display.Name(p)+"\n"; got != want || strings.ContainsRune(got, 0x1b) {
		t.Errorf("control byte: %q, want %q", got, want)
	}
}

// TestShapeWriteErrorNamesFile: standard output full (/dev/full): strings,
// hash, entropy and cat --as say so in one line naming the file, exit 1.
func TestShapeWriteErrorNamesFile(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		testenv.SkipOrFail(t, "no /dev/full: %v", err)
	}
	defer full.Close()
	data := tempFile(t, "w.bin", pattern(300000))
	for _, args := range [][]string{
		{"strings", data},
		{"hash", data},
		{"hash", data, "--algo", "all"},
		{"entropy", data, "--block", "1"},
		{"entropy", data, "--json"},
		{"cat", data, "0", "--as", "c"},
	} {
		cmd := exec.Command(bin, args...)
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &errb
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 || !strings.HasPrefix(errb.String(), "mmhex: "+data+": ") ||
			!strings.HasSuffix(errb.String(), "no space left on device\n") || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%q: %v, stderr %q", args, err, errb.String())
		}
	}
}

// TestStringsGNUSpellings: the ways scripts write GNU strings' options
// (-a, -tx, -n8, -el, -6, --bytes=, --radix=, --encoding=, --all) give
// what strings -a prints with them.
func TestStringsGNUSpellings(t *testing.T) {
	gnu := testenv.RequireTool(t, "strings")
	content := append(pattern(5000), []byte("\x00a tab\there\x00short\x00w\x00i\x00d\x00e\x00s\x00t\x00r\x00\x00-n\x00")...)
	data := tempFile(t, "g.bin", content)
	for _, args := range [][]string{
		{"-a", data},
		{"-a", "-tx", data},
		{"-to", "-n8", data},
		{"-td", "-6", data},
		{"-el", "-n3", data},
		{"--all", "--bytes=5", "--radix=x", data},
		{"--encoding=l", "-tx", data},
		{"-a", "-n", "4", "-t", "x", "-e", "s", data},
	} {
		want, err := exec.Command(gnu, args...).Output()
		if err != nil {
			t.Fatal(err)
		}
		r := mmhex(t, append([]string{"strings"}, args...)...)
		if r.code != 0 || r.stdout != string(want) || r.stderr != "" {
			t.Errorf("%q: code %d stderr %q, stdout equal %v", args, r.code, r.stderr, r.stdout == string(want))
		}
	}
}

// TestFlagErrorNamesFile: a flag that does not parse is one line that
// names the command line's FILE, as the other bad-input lines do, for
// every kind of command (a FILE before or after the flag, a flag value
// not taken for FILE, standard input, no FILE at all), exit 2, the file
// unchanged.
func TestFlagErrorNamesFile(t *testing.T) {
	data := tempFile(t, "data.bin", []byte("0123456789"))
	before := snapshot(t, data)
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"punch", data, "0", "1", "--bogus"}, data + ": punch: flag provided but not defined: -bogus"},
		{[]string{"punch", "--bogus", data, "0", "1"}, data + ": punch: flag provided but not defined: -bogus"},
		{[]string{"resize", data, "5", "-zero"}, data + ": resize: flag provided but not defined: -zero"},
		{[]string{"insert", data, "0", "4096", "--x=1"}, data + ": insert: flag provided but not defined: -x"},
		{[]string{"delete", data, "0", "4096", "-f"}, data + ": delete: flag provided but not defined: -f"},
		{[]string{"recover", data, "--discrad"}, data + ": recover: flag provided but not defined: -discrad"},
		{[]string{"stat", "--watch=maybe", data}, data + `: stat: invalid boolean value "maybe" for -watch: parse error`},
		{[]string{"replace", "-s", "3", data, "a", "b", "--nope"}, data + ": replace: flag provided but not defined: -nope"},
		{[]string{"dump", "-s", "3", data, "--x"}, data + ": dump: flag provided but not defined: -x"},
		{[]string{"dump", "-", "--x"}, "standard input: dump: flag provided but not defined: -x"},
		{[]string{"search", data, "pat", "--zz"}, data + ": search: flag provided but not defined: -zz"},
		{[]string{"hash", data, "--algo"}, data + ": hash: flag needs an argument: -algo"},
		{[]string{"diff", data, "other", "--nope"}, data + ": diff: flag provided but not defined: -nope"},
		{[]string{data, "--bogus"}, data + ": flag provided but not defined: -bogus"},
		{[]string{"--keys", "vim", data, "--bogus"}, data + ": flag provided but not defined: -bogus"},
		// no FILE on the line: nothing to name
		{[]string{"punch", "--bogus"}, "punch: flag provided but not defined: -bogus"},
		{[]string{"search", "pat", "--zz"}, "search: flag provided but not defined: -zz"},
		{[]string{"completion", "bash", "--x"}, "completion: flag provided but not defined: -x"},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
	} {
		r := mmhex(t, c.args...)
		if r.code != 2 || r.stderr != "mmhex: "+c.err+"\n" || r.stdout != "" {
			t.Errorf("%q:\n got code %d stderr %q\nwant code 2 stderr %q", c.args, r.code, r.stderr, "mmhex: "+c.err+"\n")
		}
	}
	if after := snapshot(t, data); after != before {
		t.Fatalf("file changed:\n%s\n%s", before, after)
	}
}
