package hexfmt

// Tests of `mmhex dump`, the real binary: pipes, exit status, colour.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
)

// mmhexBin builds the module's command once per test binary.
func mmhexBin(t *testing.T) string {
	t.Helper()
	return testenv.MmhexBinary(t)
}

func TestMain(m *testing.M) {
	if out := os.Getenv(maxRSSEnv); out != "" {
		os.Exit(maxRSSHelper(out))
	}
	cleanState := testenv.IsolateState()
	code := m.Run()
	cleanState()
	testenv.RemoveMmhexBinary()
	os.Exit(code)
}

type result struct {
	stdout, stderr []byte
	code           int
}

func runMmhex(t *testing.T, args ...string) result {
	t.Helper()
	r := testenv.RunMmhex(t, args...)
	return result{[]byte(r.Out), []byte(r.Err), r.Code}
}

func TestCLIIdentity(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 5000)
	for i := range data {
		data[i] = byte(i * i >> 3)
	}
	copy(data[1000:], make([]byte, 300))
	p := writeCorpus(t, dir, corpusFile{"f", data})
	for _, tc := range []struct {
		args []string
		tool []string
	}{
		{[]string{"dump", p}, []string{"hexdump", "-C", p}},
		{[]string{"dump", p, "-s", "0x3e9", "-n", "1k"}, []string{"hexdump", "-C", "-s", "1001", "-n", "1024", p}},
		{[]string{"dump", "--format", "xxd", "-s", "7", p, "-n", "100"}, []string{"xxd", "-s", "7", "-l", "100", p}},
		{[]string{"dump", p, "--format=plain", "-s", "4999"}, []string{"xxd", "-p", "-s", "4999", p}},
		{[]string{"dump", p, "-s", "5000"}, []string{"hexdump", "-C", "-s", "5000", p}},
		{[]string{"dump", p, "-n", "0"}, []string{"hexdump", "-C", "-n", "0", p}},
		{[]string{"dump", p, "-s", "4990", "-n", "100"}, []string{"hexdump", "-C", "-s", "4990", "-n", "100", p}},
		// xxd's -s -N (from the end), +N, and its -l
		{[]string{"dump", "--format", "xxd", p, "-s", "-1001", "-l", "77"}, []string{"xxd", "-s", "-1001", "-l", "77", p}},
		{[]string{"dump", "--format", "xxd", p, "-s", "+0x11", "-l", "0x20"}, []string{"xxd", "-s", "+0x11", "-l", "0x20", p}},
		{[]string{"dump", "--format", "plain", p, "-s", "-33"}, []string{"xxd", "-p", "-s", "-33", p}},
		{[]string{"dump", p, "-s", "-100"}, []string{"hexdump", "-C", "-s", "4900", p}},
		{[]string{"dump", p, "-s", "-5000", "-l", "40"}, []string{"hexdump", "-C", "-n", "40", p}},
	} {
		r := runMmhex(t, tc.args...)
		want := tool(t, tc.tool[0], tc.tool[1:]...)
		if r.code != 0 || len(r.stderr) != 0 || !bytes.Equal(r.stdout, want) {
			t.Errorf("mmhex %v: exit %d, stderr %q\n%s", tc.args, r.code, r.stderr, firstDiff(r.stdout, want))
		}
	}
	empty := writeCorpus(t, dir, corpusFile{"empty", nil})
	if r := runMmhex(t, "dump", empty); r.code != 0 || len(r.stdout) != 0 || len(r.stderr) != 0 {
		t.Errorf("empty file: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	p := writeCorpus(t, dir, corpusFile{"f", []byte("0123456789")})
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"dump", p, "-s", "11"}, 1, "mmhex: " + p + ": offset is past end of file: offset 11 (0xb), size 10 (0xa)\n"},
		{[]string{"dump", filepath.Join(dir, "nope")}, 1, "mmhex: " + filepath.Join(dir, "nope") + ": no such file or directory\n"},
		{[]string{"dump", dir}, 1, "mmhex: " + dir + ": is a directory\n"},
		{[]string{"dump", p, "--format", "od"}, 2, "mmhex: dump: --format: unknown dump format \"od\" (want canonical, xxd or plain)\n"},
		{[]string{"dump", p, "--color", "sometimes"}, 2, "mmhex: dump: --color: unknown colour mode \"sometimes\" (want auto, always or never)\n"},
		{[]string{"dump", p, "-n", "x1"}, 2, "mmhex: " + p + ": length: "},
		{[]string{"dump", p, "-s", "-11"}, 1, "mmhex: " + p + ": offset -11 is before the start of the file: size 10 (0xa)\n"},
		{[]string{"dump", p, "-s", "-x"}, 2, "mmhex: " + p + ": offset: bad number: \"-x\""},
	} {
		r := runMmhex(t, tc.args...)
		if r.code != tc.code || !strings.HasPrefix(string(r.stderr), tc.stderr) || bytes.Count(r.stderr, []byte("\n")) != 1 || len(r.stdout) != 0 {
			t.Errorf("mmhex %v: exit %d, stderr %q, stdout %q; want exit %d, stderr %q", tc.args, r.code, r.stderr, r.stdout, tc.code, tc.stderr)
		}
	}
}

// `mmhex dump big | head`: the reader goes away; mmhex ends at once,
// quietly (exit 0, or killed by SIGPIPE as `cat` is), nothing on stderr.
func TestCLIClosedPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>11)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"canonical", "xxd", "plain"} {
		cmd := exec.Command(mmhexBin(t), "dump", p, "--format", format)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 200)
		if _, err := io.ReadFull(out, buf); err != nil {
			t.Fatal(err)
		}
		out.Close()
		err = cmd.Wait()
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			ws, _ := ee.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
				t.Errorf("%s: %v (want exit 0 or SIGPIPE)", format, err)
			}
		}
		if stderr.Len() != 0 {
			t.Errorf("%s: stderr %q", format, stderr.Bytes())
		}
	}
	// the same through a shell pipe into head
	sh := exec.Command("bash", "-c", `set -o pipefail; "$0" dump "$1" | head -n 3; echo "status ${PIPESTATUS[0]}"`, mmhexBin(t), p)
	got, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	want := tool(t, "hexdump", "-C", "-n", "48", p)
	want = bytes.Join(bytes.SplitAfter(want, []byte("\n"))[:3], nil)
	if !bytes.HasPrefix(got, want) || !(strings.HasSuffix(string(got), "status 0\n") || strings.HasSuffix(string(got), "status 141\n")) {
		t.Errorf("dump | head -n 3:\n%s\nwant\n%sstatus 0 or 141", got, want)
	}
}

// Colour: never into a pipe (auto and never), class codes with always.
func TestCLIColor(t *testing.T) {
	p := writeCorpus(t, t.TempDir(), corpusFile{"f", []byte("\x00A \x01\xff\x1b[2J")})
	for _, mode := range []string{"", "auto", "never"} {
		args := []string{"dump", p}
		if mode != "" {
			args = append(args, "--color", mode)
		}
		if r := runMmhex(t, args...); r.code != 0 || bytes.IndexByte(r.stdout, 0x1b) >= 0 {
			t.Errorf("--color %q into a pipe: exit %d, %q", mode, r.code, r.stdout)
		}
	}
	r := runMmhex(t, "dump", p, "--color", "always")
	want := "00000000  \x1b[90m00 \x1b[36m41 \x1b[32m20 \x1b[35m01 \x1b[33mff \x1b[35m1b \x1b[36m5b 32  4a                      \x1b[0m |" +
		"\x1b[90m.\x1b[36mA\x1b[32m \x1b[35m.\x1b[33m.\x1b[35m.\x1b[36m[2J\x1b[0m|\n00000009\n"
	if r.code != 0 || string(r.stdout) != want {
		t.Errorf("--color always:\n got  %q\n want %q", r.stdout, want)
	}
}

// maxRSSEnv makes the test binary a helper that runs its arguments as a
// command and writes the command's peak RSS (KiB) to the named file.
const maxRSSEnv = "MMHEX_HEXFMT_MAXRSS_OUT"

// maxRSSHelper: the child's ru_maxrss. The child is started from this small
// fresh process, not from the test process: Go starts children with
// CLONE_VM, and exec records the high-water mark of the address space it
// replaces, so a child of the test process would report the test
// process's own peak too.
func maxRSSHelper(out string) int {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if err := os.WriteFile(out, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return cmd.ProcessState.ExitCode()
}

// peakRSS runs name with args and returns its stdout and peak RSS in KiB.
func peakRSS(t *testing.T, name string, args ...string) ([]byte, int64) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "maxrss")
	cmd := exec.Command(os.Args[0], append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), maxRSSEnv+"="+out)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v %s", name, args, err, e.Bytes())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return o.Bytes(), kb
}

// Memory does not grow with the file: dumping 512 MiB of a sparse file
// (every page is read: page-cache pages of zeros, mapped chunk by chunk)
// peaks far below it. The peak is the child's ru_maxrss, exact whatever
// the machine's speed. The same measurement of a command that does hold
// 512 MiB (dd with a 512 MiB buffer) shows it, so the figure can fail.
func TestCLIMemory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sparse")
	if err := os.WriteFile(p, []byte("start"), 0o644); err != nil {
		t.Fatal(err)
	}
	const size = 512 << 20
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	out, peak := peakRSS(t, mmhexBin(t), "dump", p)
	want := "00000000  73 74 61 72 74 00 00 00  00 00 00 00 00 00 00 00  |start...........|\n" +
		"00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n20000000\n"
	if string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if peak > 96<<10 { // KiB
		t.Errorf("peak RSS %d KiB dumping a 512 MiB file", peak)
	}
	t.Logf("peak RSS %d KiB dumping a 512 MiB file", peak)
	if _, err := exec.LookPath("dd"); err == nil || testenv.InCI() { // the cross-check runs wherever dd is, always in CI
		_, ddPeak := peakRSS(t, "dd", "if="+p, "of=/dev/null", "bs=512M", "count=1", "status=none")
		if ddPeak < size>>10 {
			t.Errorf("the measurement misses memory: dd with a 512 MiB buffer peaked at %d KiB", ddPeak)
		}
	}
}

// --color auto colours when standard output is a terminal (a tmux pane);
// --color never does not, even there.
func TestCLIColorTerminal(t *testing.T) {
	testenv.RequireTool(t, "tmux")
	dir := t.TempDir()
	p := writeCorpus(t, dir, corpusFile{"f", []byte("\x00A \x01\xff")})
	sock := filepath.Join(dir, "tmux.sock") // removed with dir: nothing left in /tmp/tmux-UID
	tm := func(args ...string) ([]byte, error) {
		return exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
	}
	defer tm("kill-server")
	bin := mmhexBin(t)
	script := bin + " dump " + p + " --color never; echo =auto=; " + bin + " dump " + p + "; echo =end=; sleep 60"
	if out, err := tm("new-session", "-d", "-s", "t", "-x", "100", "-y", "10", script); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	var pane []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err := tm("capture-pane", "-e", "-p", "-t", "t")
		if err == nil && bytes.Contains(out, []byte("=end=")) {
			pane = out
			break
		}
	}
	if pane == nil {
		t.Fatal("the two dumps are not on the pane after 20 s")
	}
	never, auto, _ := bytes.Cut(pane, []byte("=auto="))
	if !bytes.Contains(never, []byte("00000000  00 41 20 01 ff ")) || bytes.Contains(never, []byte("\x1b[")) {
		t.Errorf("--color never on a terminal: want the dump without escapes:\n%q", never)
	}
	// tmux re-encodes the sequences it draws; the class colours survive
	for _, want := range []string{"\x1b[90m00 ", "\x1b[36m41 ", "\x1b[32m20 ", "\x1b[35m01 ", "\x1b[33mff ", "\x1b[36mA"} {
		if !bytes.Contains(auto, []byte(want)) {
			t.Errorf("--color auto on a terminal: pane lacks %q:\n%q", want, auto)
		}
	}
}

// The far end of a 64 GiB sparse file: the last 4 KiB (11-digit offsets)
// are the same text as the tools give, from -s OFFSET and from xxd's
// -s -4096. (That it costs what the first 4 KiB cost is BenchmarkDumpSparse
// and bench/run.sh: speed is not asserted in tests.)
func TestCLISparse64G(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sparse64G")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	const size = 64 << 30
	if _, err := f.WriteAt([]byte("the end of a 64 GiB file\x00\x01\xfe"), size-1000); err != nil {
		testenv.SkipOrFail(t, "cannot make a 64 GiB sparse file here: %v", err)
	}
	f.Close()
	last := strconv.FormatInt(size-4096, 10)
	for _, tc := range []struct {
		args []string
		tool []string
	}{
		{[]string{"dump", p, "-s", last}, []string{"hexdump", "-C", "-s", last, p}},
		{[]string{"dump", p, "-s", "-4096", "--format", "xxd"}, []string{"xxd", "-s", "-4096", p}},
		{[]string{"dump", p, "-s", "-1003", "-n", "40", "--format", "plain"}, []string{"xxd", "-p", "-s", "-1003", "-l", "40", p}},
		{[]string{"dump", p, "-n", "4k"}, []string{"hexdump", "-C", "-n", "4096", p}},
	} {
		r := runMmhex(t, tc.args...)
		want := tool(t, tc.tool[0], tc.tool[1:]...)
		if r.code != 0 || len(r.stderr) != 0 || !bytes.Equal(r.stdout, want) {
			t.Errorf("mmhex %v: exit %d, stderr %q\n%s", tc.args, r.code, r.stderr, firstDiff(r.stdout, want))
		}
	}
}

// TestCLISparseHoles: the canonical dump skips the holes of sparse files
// (Dumper.Zeros) and still prints exactly what hexdump -C prints: holes at
// the start, the middle and the end, data that is zeros written for real
// beside a hole, rows that straddle a hole's edge (-s at odd offsets), and
// -n ending inside a hole. The holes are not read: after the dump of a
// 1 GiB file with two data blocks, no more than an eighth of it is in the
// page cache (only readahead around the data; cachestat, skipped where it
// is unavailable).
func TestCLISparseHoles(t *testing.T) {
	dir := t.TempDir()
	type put struct {
		at   int64
		data []byte
	}
	mk := func(name string, size int64, puts ...put) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		for _, w := range puts {
			if _, err := f.WriteAt(w.data, w.at); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	files := []string{
		mk("holes.bin", 1<<20, put{100000, []byte("hello")}, put{1<<20 - 4, []byte("end!")}),
		mk("zeros.bin", 300000, put{16384, make([]byte, 8192)}, put{200000, []byte("x")}),
		mk("empty-hole.bin", 65536),
		mk("odd.bin", 100001, put{0, []byte("ab")}),
		mk("dup.bin", 40000, put{0, bytes.Repeat([]byte("0123456789abcdef"), 300)}, put{32768, []byte("0123456789abcdef0123456789abcdef")}),
	}
	for _, p := range files {
		for _, a := range [][]string{nil, {"-s", "1"}, {"-s", "4096"}, {"-s", "7", "-n", "99999"}, {"-s", "16", "-n", "32"}, {"-n", "50000"}, {"-s", "16384", "-n", "8193"}} {
			r := runMmhex(t, append([]string{"dump", p}, a...)...)
			want := tool(t, "hexdump", append(append([]string{"-C"}, a...), p)...)
			if r.code != 0 || len(r.stderr) != 0 || !bytes.Equal(r.stdout, want) {
				t.Errorf("mmhex dump %s %v: exit %d, stderr %q\n%s", filepath.Base(p), a, r.code, r.stderr, firstDiff(r.stdout, want))
			}
		}
	}

	big := mk("1g.bin", 1<<30, put{4096, []byte("first")}, put{1<<30 - 4096, []byte("last")})
	// Writing it left its two data pages in the page cache; drop them so
	// that every cached page after the dump was brought in by the dump.
	if f, err := os.Open(big); err == nil {
		f.Sync()
		unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
		f.Close()
	}
	r := runMmhex(t, "dump", big)
	if want := "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n" +
		"00001000  66 69 72 73 74 00 00 00  00 00 00 00 00 00 00 00  |first...........|\n" +
		"00001010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n" +
		"3ffff000  6c 61 73 74 00 00 00 00  00 00 00 00 00 00 00 00  |last............|\n" +
		"3ffff010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n" +
		"40000000\n"; r.code != 0 || string(r.stdout) != want {
		t.Fatalf("dump of the 1 GiB sparse file: exit %d %q\n%s", r.code, r.stderr, firstDiff(r.stdout, []byte(want)))
	}
	mf, err := mapping.Open(big, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	st, err := pagecache.Stats(mf, 0, -1)
	if err != nil || st.Cached == pagecache.Unknown {
		testenv.SkipOrFail(t, "no page-cache figures here (%v)", err)
	}
	// The two data pages and the readahead around each (the mapping's
	// read-around fills a window of the device's readahead, 8 MiB here,
	// holes included): a few thousand pages; all 262144 if the holes were
	// read.
	if st.Cached > 32768 {
		t.Errorf("after the dump %d pages of the 1 GiB sparse file are cached: the holes were read", st.Cached)
	}
}
