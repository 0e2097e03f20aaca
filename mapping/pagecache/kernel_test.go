package pagecache

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// The tunables agree with sysctl(8), an independent reader of the same values.
func TestReadWritebackTunablesMatchesSysctl(t *testing.T) {
	got, err := ReadWritebackTunables()
	if err != nil {
		t.Fatal(err)
	}
	sysctl := testenv.RequireTool(t, "sysctl")
	for _, c := range []struct {
		name string
		got  int64
	}{
		{"vm.dirty_expire_centisecs", got.DirtyExpireCentisecs},
		{"vm.dirty_writeback_centisecs", got.DirtyWritebackCentisecs},
	} {
		out, err := exec.Command(sysctl, "-n", c.name).Output()
		if err != nil {
			t.Fatalf("sysctl -n %s: %v", c.name, err)
		}
		want, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if c.got != want {
			t.Errorf("%s = %d, sysctl says %d", c.name, c.got, want)
		}
	}
	if got.DirtyExpire() != time.Duration(got.DirtyExpireCentisecs)*10*time.Millisecond {
		t.Errorf("DirtyExpire() = %v for %d centisecs", got.DirtyExpire(), got.DirtyExpireCentisecs)
	}
}

func TestWritebackTunablesString(t *testing.T) {
	for _, c := range []struct {
		t    WritebackTunables
		want string
	}{
		{WritebackTunables{3000, 500}, "dirty_expire 30.00 s, writeback every 5.00 s"},
		{WritebackTunables{150, 0}, "dirty_expire 1.50 s, periodic writeback off"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestReadWritebackTunablesErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	_, err := readWritebackTunables(missing, procDirtyWriteback)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "reading "+missing+": ") {
		t.Errorf("missing file: err = %v", err)
	}

	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("thirty\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = readWritebackTunables(bad, procDirtyWriteback)
	if want := "reading " + bad + `: not a number: "thirty"`; err == nil || err.Error() != want {
		t.Errorf("bad value: err = %v, want %s", err, want)
	}
}

// The real /proc/meminfo parses, and the values are sane.
func TestReadSystemDirty(t *testing.T) {
	s, err := ReadSystemDirty()
	if err != nil {
		t.Fatal(err)
	}
	if s.Dirty < 0 || s.Writeback < 0 || s.Dirty%1024 != 0 || s.Writeback%1024 != 0 {
		t.Errorf("ReadSystemDirty() = %+v: want non-negative whole kB", s)
	}
}

func TestParseMeminfo(t *testing.T) {
	const good = "MemTotal:       49367312 kB\n" +
		"Dirty:             50340 kB\n" +
		"Writeback:             4 kB\n" +
		"WritebackTmp:       9999 kB\n"
	s, err := parseMeminfo(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if want := (SystemDirty{Dirty: 50340 * 1024, Writeback: 4 * 1024}); s != want {
		t.Errorf("parseMeminfo = %+v, want %+v", s, want)
	}
	if got, want := s.String(), "system Dirty: 50340 kB  Writeback: 4 kB"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	for _, c := range []struct{ in, want string }{
		{"MemTotal: 1 kB\nWriteback: 0 kB\n", "no Dirty: line"},
		{"Dirty: 1 kB\nWritebackTmp: 0 kB\n", "no Writeback: line"},
		{"Dirty: x kB\nWriteback: 0 kB\n", `Dirty: not a number: "x"`},
		{"Dirty: 1 MB\nWriteback: 0 kB\n", `Dirty: unknown unit "MB"`},
		{"Dirty:\nWriteback: 0 kB\n", "Dirty: no value"},
	} {
		_, err := parseMeminfo(strings.NewReader(c.in))
		if err == nil || err.Error() != c.want {
			t.Errorf("parseMeminfo(%q) err = %v, want %s", c.in, err, c.want)
		}
	}
}

func TestReadSystemDirtyMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "meminfo")
	_, err := readSystemDirty(missing)
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "reading "+missing+": ") {
		t.Errorf("err = %v", err)
	}
}

// StartWritebackRange writes back pages dirtied by someone else (here
// write(2)), which would otherwise wait dirty_expire (30 s by default).
func TestStartWritebackRange(t *testing.T) {
	path := pageFile(t, t.TempDir(), 16, 0)
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ps := int64(os.Getpagesize())
	d := newIndep(t, path)
	// Under heavy dirty load (system Dirty over dirty_background) the
	// flusher may clean the pages at once: dirty them again a few times.
	var cs unix.Cachestat_t
	for try := 0; try < 5; try++ {
		for _, p := range []int64{2, 9} {
			if _, err := other.WriteAt([]byte{'d', byte('0' + try)}, p*ps); err != nil {
				t.Fatal(err)
			}
		}
		if cs = d.cachestat(0, 16); cs.Dirty == 2 {
			break
		}
	}
	if cs.Dirty != 2 {
		t.Skipf("the kernel writes dirty pages back at once here (system Dirty over dirty_background?): %+v", cs)
	}
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := StartWritebackRange(f, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Flag != "SYNC_FILE_RANGE_WRITE" || res.Pages != 16 || res.Bytes != 16*ps {
		t.Errorf("result %+v", res)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		cs := d.cachestat(0, 16)
		if cs.Dirty == 0 && cs.Writeback == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after sync_file_range: %+v", cs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Private mappings have nothing to write back.
	p, err := mapping.Open(path, mapping.Options{Private: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := StartWritebackRange(p, 0, -1); !errors.Is(err, mapping.ErrPrivate) {
		t.Errorf("private: err %v", err)
	}
}

func TestMemoryFS(t *testing.T) {
	path := pageFile(t, t.TempDir(), 1, 0)
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		t.Fatal(err)
	}
	if got := MemoryFS(f); (st.Type == unix.TMPFS_MAGIC) != (got == "tmpfs") {
		t.Errorf("%s: MemoryFS() = %q, statfs type %#x", path, got, st.Type)
	}
	dir, err := os.MkdirTemp("/dev/shm", "mmhex-test")
	if err != nil {
		testenv.SkipOrFail(t, "no /dev/shm: %v", err)
	}
	defer os.RemoveAll(dir)
	shm := filepath.Join(dir, "x")
	if err := os.WriteFile(shm, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := mapping.Open(shm, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got := MemoryFS(g); got != "tmpfs" {
		t.Errorf("/dev/shm file: MemoryFS() = %q, want tmpfs", got)
	}
}
