package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// buildMmhex builds the binary once per test run.
func buildMmhex(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mmhex")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// mmhex stat FILE --watch prints a row a second, follows the kernel's
// figures as they change, and exits 0 on SIGINT.
func TestStatWatch(t *testing.T) {
	bin := buildMmhex(t)
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
	// Dirty one page with write(2); within two more rows the figures follow.
	if _, err := unix.Pwrite(fd, []byte("x"), int64(3*ps)); err != nil {
		t.Fatal(err)
	}
	var got string
	for i := 0; i < 2 && got != "1 1 1"; i++ {
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
