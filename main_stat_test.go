package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

// mmhex stat FILE --watch prints a row a second, follows the kernel's
// figures as they change, and exits 0 on SIGINT.
func TestStatWatch(t *testing.T) {
	ps := os.Getpagesize()
	path := filepath.Join(t.TempDir(), "w.bin")
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	for p := 0; p < 8; p++ { // single-page folios: one write per page
		if _, err := unix.Pwrite(fd, make([]byte, ps), int64(p*ps)); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Fdatasync(fd); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "stat", path, "--watch")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() []string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("mmhex stat --watch ended early")
			}
			return strings.Fields(l)
		case <-time.After(5 * time.Second):
			t.Fatal("no line from mmhex stat --watch within 5 s")
		}
		return nil
	}
	if h := strings.Join(next(), " "); !strings.HasPrefix(h, "watching "+path+" (page size ") {
		t.Fatalf("first line %q", h)
	}
	if h := strings.Join(next(), " "); h != "time size pages resident cached dirty writeback evicted recent_ev sys_dirty_kB sys_wb_kB" {
		t.Fatalf("header %q", h)
	}
	// time size pages resident cached dirty ...
	row := next()
	if got := strings.Join(row[1:6], " "); got != "32768 8 0 0 0" {
		t.Errorf("first row %v: want size 32768, 8 pages, 0 resident, 0 cached, 0 dirty", row)
	}
	// Dirty one page with write(2); the next row or the one after shows it.
	// The kernel's background writeback (the machine's dirty memory over
	// dirty_background_ratio: other jobs writing) may clean the page before
	// a row is taken, so the page is written again before each row read,
	// for up to 10 rows.
	var got string
	for i := 0; i < 10 && got != "1 1 1"; i++ {
		if _, err := unix.Pwrite(fd, []byte("x"), int64(3*ps)); err != nil {
			t.Fatal(err)
		}
		got = strings.Join(next()[3:6], " ")
	}
	if got != "1 1 1" {
		t.Errorf("after a write to page 3: resident cached dirty = %s, want 1 1 1", got)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGINT: %v, want exit status 0", err)
	}
}

// noCachestatEnv asks the test binary, run again as a child, to install a
// seccomp filter that makes cachestat(2) fail with ENOSYS, as on kernels
// before 6.5; the mmhex it starts inherits the filter.
const noCachestatEnv = "MMHEX_TEST_NO_CACHESTAT"

// denyCachestat installs the filter on every thread of this process.
func denyCachestat(t *testing.T) {
	t.Helper()
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.SYS_CACHESTAT, Jt: 0, Jf: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		testenv.SkipOrFail(t, "PR_SET_NO_NEW_PRIVS: %v", err)
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC,
		uintptr(unsafe.Pointer(&fprog))); e != 0 {
		testenv.SkipOrFail(t, "seccomp: %v", e)
	}
	var cs unix.Cachestat_t
	if err := unix.Cachestat(0, &unix.CachestatRange{}, &cs, 0); err != unix.ENOSYS {
		t.Fatalf("cachestat under the filter: %v, want ENOSYS", err)
	}
}

// TestStatWithoutCachestat: where cachestat is missing (ENOSYS) the
// figures it gives are unknown (null in JSON), never 0; mincore's resident
// count is still there.
func TestStatWithoutCachestat(t *testing.T) {
	if os.Getenv(noCachestatEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStatWithoutCachestat$", "-test.v")
		cmd.Env = append(os.Environ(), noCachestatEnv+"="+bin) // the child uses this binary
		out, err := cmd.CombinedOutput()
		if err == nil && strings.Contains(string(out), "--- SKIP") {
			t.Skipf("child skipped:\n%s", out)
		}
		if err != nil || !strings.Contains(string(out), "--- PASS: TestStatWithoutCachestat") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	p := tempFile(t, "c.bin", pattern(3*os.Getpagesize()))
	denyCachestat(t)
	r := mmhex(t, "stat", p, "--json")
	want := fmt.Sprintf(`{"size":%d,"page_size":%d,"pages":3,"resident":3,"cached":null,"dirty":null,"writeback":null,"evicted":null,"recently_evicted":null}`+"\n",
		3*os.Getpagesize(), os.Getpagesize())
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Errorf("stat --json without cachestat: %+v\nwant %s", r, want)
	}
	r = mmhex(t, "stat", p)
	for _, k := range []string{"cached", "dirty", "writeback", "evicted", "recently evicted"} {
		if !regexp.MustCompile(`\n` + k + ` +unknown\n`).MatchString(r.stdout) {
			t.Errorf("stat without cachestat: %s is not unknown:\n%s", k, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "\nresident          3\n") {
		t.Errorf("stat without cachestat: resident is not 3:\n%s", r.stdout)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// A write error of stat (stdout on a full disk) names the file, as cat's.
func TestStatWriteError(t *testing.T) {
	p := tempFile(t, "s.bin", []byte("abc"))
	for _, args := range [][]string{{"stat", p}, {"stat", p, "--json"}, {"stat", p, "--watch"}} {
		var stderr bytes.Buffer
		if code := run(args, failWriter{}, &stderr); code != 1 || stderr.String() != "mmhex: "+p+": writing: no space left on device\n" {
			t.Errorf("%q: code %d, stderr %q", args, code, stderr.String())
		}
	}
}
