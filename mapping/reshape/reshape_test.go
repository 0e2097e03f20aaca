package reshape

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/recovery"
	"mmhex/mapping/testenv"
)

const mapperEnv = "MMHEX_TEST_RESHAPE_MAPPER"

func TestMain(m *testing.M) {
	if p := os.Getenv(mapperEnv); p != "" {
		// Another process mapping the file shared and writable.
		fh, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			os.Exit(3)
		}
		if _, err := unix.Mmap(int(fh.Fd()), 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
			os.Exit(3)
		}
		fmt.Println("mapped")
		for { // until killed (a sleep: select{} alone is a deadlock to the runtime)
			time.Sleep(time.Hour)
		}
	}
	cleanState := testenv.IsolateState()
	code := m.Run()
	cleanState()
	os.Exit(code)
}

func openRW(t *testing.T, p string) *mapping.File {
	t.Helper()
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// ops checks each shape change against a reference computed in Go on a
// copy: insert = prefix + zeros + suffix, delete = prefix + suffix, punch
// and zero = zeros in the range, resize = cut or zero-extended; the bytes
// read back through a new open and from the disk (evicted first).
func ops(t *testing.T, dir string) {
	const size = 300000
	orig := testenv.Pattern(size, 3)
	cases := []struct {
		name string
		run  func(f *mapping.File) error
		want func(b []byte) []byte
	}{
		{"insert-aligned", func(f *mapping.File) error { _, err := Insert(f, 8192, 8192); return err },
			func(b []byte) []byte { return slicesConcat(b[:8192], make([]byte, 8192), b[8192:]) }},
		{"insert-unaligned", func(f *mapping.File) error { _, err := Insert(f, 5000, 12288); return err },
			func(b []byte) []byte { return slicesConcat(b[:5000], make([]byte, 12288), b[5000:]) }},
		{"insert-at-end", func(f *mapping.File) error { _, err := Insert(f, size, 4096); return err },
			func(b []byte) []byte { return slicesConcat(b, make([]byte, 4096)) }},
		{"delete-aligned", func(f *mapping.File) error { _, err := Delete(f, 4096, 8192); return err },
			func(b []byte) []byte { return slicesConcat(b[:4096], b[4096+8192:]) }},
		{"delete-unaligned", func(f *mapping.File) error { _, err := Delete(f, 4097, 65536); return err },
			func(b []byte) []byte { return slicesConcat(b[:4097], b[4097+65536:]) }},
		{"delete-tail", func(f *mapping.File) error { _, err := Delete(f, size-4096, 4096); return err },
			func(b []byte) []byte { return slicesConcat(b[:size-4096]) }},
		{"punch", func(f *mapping.File) error { return Punch(f, 1000, 20000, false) },
			func(b []byte) []byte { c := slicesConcat(b); clear(c[1000:21000]); return c }},
		{"zero-range", func(f *mapping.File) error { return Punch(f, 1000, 20000, true) },
			func(b []byte) []byte { c := slicesConcat(b); clear(c[1000:21000]); return c }},
		{"grow", func(f *mapping.File) error { return Resize(f, size+100000) },
			func(b []byte) []byte { return slicesConcat(b, make([]byte, 100000)) }},
		{"truncate", func(f *mapping.File) error { return Resize(f, 12345) },
			func(b []byte) []byte { return slicesConcat(b[:12345]) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			if err := os.WriteFile(p, orig, 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(p)
			f := openRW(t, p)
			if err := c.run(f); err != nil {
				t.Fatal(err)
			}
			want := c.want(orig)
			if f.Size() != int64(len(want)) {
				t.Fatalf("size %d, want %d", f.Size(), len(want))
			}
			got := make([]byte, len(want))
			if _, err := f.ReadAt(got, 0); err != nil {
				t.Fatal(err)
			}
			testenv.MustEqual(t, "through the mapping", got, want)
			if _, err := f.SyncFile(); err != nil {
				t.Fatal(err)
			}
			f.Close()
			testenv.MustEqual(t, "on disk", testenv.DiskBytes(t, p), want)
		})
	}
}

func slicesConcat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestShapeOpsRootFS(t *testing.T) {
	ops(t, t.TempDir())
}

func TestShapeOpsLoopExt4(t *testing.T) {
	mkfs := testenv.RequireTool(t, "mkfs.ext4")
	dev, _ := testenv.LoopDevice(t, 64<<20, nil)
	if out, err := exec.Command(mkfs, "-q", "-F", dev).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	mnt := t.TempDir()
	if err := unix.Mount(dev, mnt, "ext4", 0, ""); err != nil {
		testenv.SkipOrFail(t, "mount %s: %v", dev, err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, 0) })
	ops(t, mnt)
}

// Sizes that are not whole blocks, tmpfs, and files another process maps
// writable are refused, saying why, and nothing changes.
func TestShapeRefusals(t *testing.T) {
	orig := testenv.Pattern(40000, 5)
	p := testenv.WriteFile(t, "f", orig)
	f := openRW(t, p)
	_, err := Insert(f, 100, 1000)
	if want := "f: LENGTH 1000 is not a multiple of the filesystem's block size (4096 bytes on this ext4): 4096 would work"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("err = %v\nwant …%s", err, want)
	}
	_, err = Delete(f, 100, 9000)
	if want := "f: LENGTH 9000 is not a multiple of the filesystem's block size (4096 bytes on this ext4): 8192 or 12288 would work"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("err = %v\nwant …%s", err, want)
	}
	testenv.MustEqual(t, "after refusals", testenv.DiskBytes(t, p), orig)

	if _, err := os.Stat("/dev/shm"); err == nil {
		sp, err := os.CreateTemp("/dev/shm", "mmhex-reshape-")
		if err != nil {
			t.Fatal(err)
		}
		sp.Write(orig)
		sp.Close()
		defer os.Remove(sp.Name())
		g := openRW(t, sp.Name())
		// A length that is not whole blocks, on a filesystem that cannot
		// move blocks at all: no sizes "would work" (it said "4096 would
		// work", which the next try refused).
		for _, c := range []struct {
			op string
			do func() (int64, error)
		}{{"insert", func() (int64, error) { return Insert(g, 100, 1000) }}, {"delete", func() (int64, error) { return Delete(g, 100, 1000) }}} {
			_, err := c.do()
			if want := sp.Name() + ": this tmpfs cannot move blocks (operation not supported): insert and delete need ext4 or xfs; nothing was changed"; err == nil || err.Error() != want {
				t.Fatalf("tmpfs %s of 1000 bytes: %v\nwant %s", c.op, err, want)
			}
		}
		_, err = Insert(g, 8192, 4096)
		if err == nil || !strings.Contains(err.Error(), ": this tmpfs cannot move blocks (operation not supported): insert and delete need ext4 or xfs; nothing was changed") {
			t.Fatalf("tmpfs: %v", err)
		}
		got, _ := os.ReadFile(sp.Name())
		testenv.MustEqual(t, "tmpfs file", got, orig)
		if jp := g.JournalPath(); jp != "" {
			if j, _ := os.ReadFile(jp); len(j) > 300 {
				t.Fatalf("the refused insert stayed in the journal (%d bytes)", len(j))
			}
		}
	}

	// Another process maps it shared and writable.
	self, _ := os.Executable()
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), mapperEnv+"="+p)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	buf := make([]byte, 7)
	if n, _ := out.Read(buf); string(buf[:n]) != "mapped\n" {
		t.Fatalf("mapper: %q", buf[:n])
	}
	_, err = Insert(f, 8192, 4096)
	want := fmt.Sprintf("f: another process maps it shared and writable (pid %d; mmhex who lists them): refused, the change would move bytes under it", cmd.Process.Pid)
	if err == nil || !strings.HasSuffix(err.Error(), want) || !errors.Is(err, ErrOtherWriter) {
		t.Fatalf("err = %v\nwant …%s", err, want)
	}
	testenv.MustEqual(t, "with another writer", testenv.DiskBytes(t, p), orig)
}

var extentRE = regexp.MustCompile(`(?m)^\s*\d+:\s+(\d+)\.\.\s*(\d+):\s+(\d+)\.\.\s*(\d+):\s+(\d+):`)

// extents returns filefrag -v's extents as logical start → physical start
// (in blocks), with their lengths.
func extents(t *testing.T, p string) map[[2]int64]int64 {
	t.Helper()
	ff := testenv.RequireTool(t, "filefrag")
	out, err := exec.Command(ff, "-v", "-b4096", p).CombinedOutput()
	if err != nil {
		t.Fatalf("filefrag: %v\n%s", err, out)
	}
	m := map[[2]int64]int64{}
	for _, s := range extentRE.FindAllStringSubmatch(string(out), -1) {
		var l, ph, n int64
		fmt.Sscan(s[1], &l)
		fmt.Sscan(s[3], &ph)
		fmt.Sscan(s[5], &n)
		m[[2]int64{l, ph}] = n
	}
	if len(m) == 0 {
		t.Fatalf("no extents in filefrag -v:\n%s", out)
	}
	return m
}

// Inserting 1 MiB into the middle of a 1 GiB file (sparse, with 8 MiB of
// real data in its tail) moves no data block: filefrag -v shows every
// extent of the tail at the same physical blocks, 256 blocks further in
// the file.
func TestInsertMovesNoData(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	const size = 1 << 30
	fh.Truncate(size)
	tail := testenv.Pattern(8<<20, 9)
	fh.WriteAt(tail, size-int64(len(tail)))
	fh.WriteAt(tail[:1<<20], 100<<20) // data before the insert point too
	unix.Fdatasync(int(fh.Fd()))
	fh.Close()
	before := extents(t, p)
	f := openRW(t, p)
	start := time.Now()
	if _, err := Insert(f, 512<<20, 1<<20); err != nil {
		t.Fatal(err)
	}
	t.Logf("insert of 1 MiB at 512 MiB in a 1 GiB file: %v", time.Since(start))
	if _, err := f.SyncFile(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	after := extents(t, p)
	moved := 0
	for k, n := range before {
		l, ph := k[0], k[1]
		if l*4096 >= 512<<20 {
			l += 256
			moved++
		}
		if after[[2]int64{l, ph}] != n {
			t.Errorf("extent at block %d (physical %d, %d blocks) is not at block %d with the same physical blocks after the insert:\nbefore %v\nafter %v", k[0], ph, n, l, before, after)
		}
	}
	if moved == 0 {
		t.Fatal("no extent after the insert point")
	}
	got := make([]byte, len(tail))
	fh, _ = os.Open(p)
	fh.ReadAt(got, size+(1<<20)-int64(len(tail)))
	fh.Close()
	testenv.MustEqual(t, "the tail, 1 MiB further", got, tail)
}

// A block device's size and blocks are not the file's to change: every
// shape command refuses it, naming the device, and its bytes stay.
func TestShapeRefusesBlockDevice(t *testing.T) {
	content := testenv.Pattern(64<<10, 11)
	dev, _ := testenv.LoopDevice(t, 1<<20, content)
	for _, c := range []struct {
		op   string
		args []int64
	}{{"resize", []int64{4096}}, {"punch", []int64{0, 4096}}, {"insert", []int64{0, 4096}}, {"delete", []int64{0, 4096}}} {
		var out strings.Builder
		err := Command(c.op, dev, c.args, false, &out)
		if want := dev + ": is a block device: its size cannot change"; err == nil || err.Error() != want || out.Len() != 0 {
			t.Fatalf("%s: %v %q\nwant %s", c.op, err, out.String(), want)
		}
	}
	got := make([]byte, len(content))
	fh, err := os.Open(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "the device", got, content)
}

// TestShapeCommandReadOnly: mmhex resize|punch|insert|delete on a file the
// user may read but not write says so in one line naming the file once,
// as mmhex patch does, and changes nothing (it said "f: f: permission
// denied; opened read-only", the editor's notice, naming the file twice).
func TestShapeCommandReadOnly(t *testing.T) {
	if testenv.AsNobody(t) {
		return
	}
	orig := testenv.Pattern(20000, 9)
	p := testenv.WriteFile(t, "ro", orig)
	if err := os.Chmod(p, 0o444); err != nil {
		t.Fatal(err)
	}
	want := p + ": file is read-only (cannot open for writing: permission denied); nothing was changed"
	for _, c := range []struct {
		op   string
		args []int64
	}{{"resize", []int64{10}}, {"punch", []int64{0, 10}}, {"insert", []int64{4096, 4096}}, {"delete", []int64{4096, 4096}}} {
		var out bytes.Buffer
		err := Command(c.op, p, c.args, false, &out)
		if err == nil || err.Error() != want || !errors.Is(err, mapping.ErrReadOnly) {
			t.Errorf("%s: err = %v\nwant %s", c.op, err, want)
		}
		if out.Len() != 0 {
			t.Errorf("%s: printed %q", c.op, out.String())
		}
	}
	testenv.MustEqual(t, "after the refusals", testenv.DiskBytes(t, p), orig)
}

// An insert whose journal fills up after its block move (the bytes below
// the block boundary cannot be journaled, so not moved back) says it
// stopped half-way, and the journal holds what was done: mmhex recover
// --revert gives the original bytes and size. It said only "no space left
// on device; nothing was stored", with the file grown and its bytes
// shifted; before the short-write fix (TestJournalShortWrite) recovery
// could not put it back either. Root: a 64 KiB tmpfs holds the journal.
func TestInsertJournalFull(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=64k"); err != nil {
		testenv.SkipOrFail(t, "mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, 0) })
	t.Setenv("XDG_STATE_HOME", mnt)
	var st unix.Statfs_t
	if err := unix.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	// One page left: the journal's header and the insert's record.
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, (int64(st.Bavail)-1)*st.Bsize), 0o600); err != nil {
		t.Fatal(err)
	}
	orig := testenv.Pattern(20000, 12)
	p := testenv.WriteFile(t, "f", orig)
	f := openRW(t, p)
	_, err := Insert(f, 4000, 4096)
	want := p + ": the insert stopped half-way: the blocks were inserted at 0x0 but the 4000 bytes below the block boundary were not moved back ("
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "no space left on device; nothing was stored), and taking the blocks out again failed too (") ||
		!strings.HasSuffix(err.Error(), "); the journal has the change: mmhex recover --revert puts the file back") {
		t.Fatalf("err = %v\nwant …%s…", err, want)
	}
	f.Close() // the journal stays
	os.Remove(filler)
	var out bytes.Buffer
	if err := recovery.Command(p, recovery.Revert, false, &out); err != nil {
		t.Fatalf("recover --revert: %v\n%s", err, out.String())
	}
	testenv.MustEqual(t, "after recover --revert", testenv.DiskBytes(t, p), orig)
}

// A resize to the size the file has and a punch of 0 bytes change nothing
// and say so, where they said "resized from 20000 to 20000 bytes" and
// "punched a hole of 0 bytes" (fallocate(1) refuses a zero length too);
// nothing is journaled or synced.
func TestShapeCommandNothingToDo(t *testing.T) {
	orig := testenv.Pattern(20000, 3)
	p := testenv.WriteFile(t, "same", orig)
	var out bytes.Buffer
	if err := Command("resize", p, []int64{20000}, false, &out); err != nil || out.String() != p+": already 20000 bytes; nothing was changed\n" {
		t.Fatalf("resize to the same size: %v %q", err, out.String())
	}
	out.Reset()
	err := Command("punch", p, []int64{100, 0}, false, &out)
	if want := p + ": LENGTH 0: nothing to punch; nothing was changed"; err == nil || err.Error() != want || out.Len() != 0 {
		t.Fatalf("punch of 0 bytes: %v %q\nwant %s", err, out.String(), want)
	}
	testenv.MustEqual(t, "the file", testenv.DiskBytes(t, p), orig)
}
