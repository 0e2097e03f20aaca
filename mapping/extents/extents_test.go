package extents

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

func open(t testing.TB, path string) *mapping.File {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// tmpfsDir is a folder on a tmpfs: a tmpfs mounted for the test (root),
// else /dev/shm where it is one.
func tmpfsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=16m,mode=0755"); err != nil {
			testenv.SkipOrFail(t, "mount tmpfs on %s: %v", dir, err)
		}
		t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
		return dir
	}
	var fs unix.Statfs_t
	if unix.Statfs("/dev/shm", &fs) == nil && fs.Type == unix.TMPFS_MAGIC {
		d, err := os.MkdirTemp("/dev/shm", "mmhex-extents-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		return d
	}
	testenv.SkipOrFail(t, "no tmpfs: mounting one needs root and /dev/shm is not one")
	return ""
}

const kib, mib = 1 << 10, 1 << 20

// mixed makes the file every check uses: data written at 0 and at 16 MiB
// (12 KiB), a hole made by truncate (64 MiB in all), 1 MiB preallocated
// with fallocate at 8 MiB (unwritten: a hole to SEEK_DATA), and 8 KiB
// preallocated past the end (fallocate --keep-size), all written back
// (fsync), so FIEMAP shows real blocks, not delayed allocation.
func mixed(t *testing.T, dir string) (path string, data []Range) {
	t.Helper()
	path = filepath.Join(dir, "mixed.bin")
	g, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = g.WriteAt(testenv.Pattern(4*kib, 1), 0)
	must(err)
	must(g.Truncate(64 * mib))
	must(unix.Fallocate(int(g.Fd()), 0, 8*mib, 1*mib))
	_, err = g.WriteAt(testenv.Pattern(12*kib, 2), 16*mib)
	must(err)
	must(unix.Fallocate(int(g.Fd()), unix.FALLOC_FL_KEEP_SIZE, 128*mib, 8*kib))
	must(g.Sync())
	return path, []Range{{0, 4 * kib, false}, {4 * kib, 16 * mib, true}, {16 * mib, 16*mib + 12*kib, false}, {16*mib + 12*kib, 64 * mib, true}}
}

// filefragExtent is one row of `filefrag -v -b1` (bytes).
type filefragExtent struct {
	Logical, Physical, Length int64
	Flags                     string
}

// filefrag runs `filefrag -v -b1 path` and parses its rows:
// "   1:  1048576.. 1114111: 20434583552..20434649087:  65536: 20426260480: unwritten".
func filefrag(t *testing.T, path string) []filefragExtent {
	t.Helper()
	tool := testenv.RequireTool(t, "filefrag")
	out, err := exec.Command(tool, "-v", "-b1", path).CombinedOutput()
	if err != nil {
		t.Fatalf("filefrag: %v\n%s", err, out)
	}
	var rows []filefragExtent
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 5 || !strings.Contains(f[1], "..") {
			continue
		}
		if _, err := strconv.Atoi(strings.TrimSpace(f[0])); err != nil {
			continue
		}
		num := func(s string) int64 {
			v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				t.Fatalf("filefrag row %q: %v", line, err)
			}
			return v
		}
		lo, _, _ := strings.Cut(f[1], "..")
		po, _, _ := strings.Cut(f[2], "..")
		flags := f[len(f)-1]
		if len(f) == 5 { // no "expected" column
			flags = f[4]
		}
		rows = append(rows, filefragExtent{num(lo), num(po), num(f[3]), strings.TrimSpace(flags)})
	}
	if len(rows) == 0 {
		t.Fatalf("filefrag printed no extent:\n%s", out)
	}
	return rows
}

func ours(t *testing.T, f *mapping.File) []filefragExtent {
	t.Helper()
	var got []filefragExtent
	err := Extents(f, func(x Extent) error {
		fl := x.Flags.Names()
		if x.End() >= f.Size() {
			fl = append(fl, "eof")
		}
		got = append(got, filefragExtent{x.Logical, x.Physical, x.Length, strings.Join(fl, ",")})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func ranges(t *testing.T, f *mapping.File, off, end int64) []Range {
	t.Helper()
	var got []Range
	if err := Ranges(f, off, end, func(r Range) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestExtentsAgreeWithFilefrag: on ext4 files made with writes, truncate
// and fallocate (in the file and past its end), Extents gives exactly the
// rows of `filefrag -v` (logical, physical, length, flags), and the data
// ranges are exactly what was written.
func TestExtentsAgreeWithFilefrag(t *testing.T) {
	dir := testenv.Ext4Dir(t)
	path, wantRanges := mixed(t, dir)
	f := open(t, path)
	want := filefrag(t, path)
	got := ours(t, f)
	if !slices.Equal(got, want) {
		t.Fatalf("extents:\n got %v\nwant %v (filefrag -v -b1)", got, want)
	}
	// the file was made to have these: written data, unwritten, past the end
	var flags []string
	for _, x := range got {
		flags = append(flags, x.Flags)
	}
	if len(got) != 4 || !slices.Contains(flags, "unwritten") || !strings.Contains(got[3].Flags, "last") || got[3].Logical != 128*mib {
		t.Fatalf("the test file is not what it should be: %v", got)
	}
	if r := ranges(t, f, 0, -1); !slices.Equal(r, wantRanges) {
		t.Fatalf("ranges:\n got %v\nwant %v", r, wantRanges)
	}
	// a part of the file: clipped to it, holes and data still exact
	if r, w := ranges(t, f, 2*kib, 16*mib+kib), []Range{{2 * kib, 4 * kib, false}, {4 * kib, 16 * mib, true}, {16 * mib, 16*mib + kib, false}}; !slices.Equal(r, w) {
		t.Fatalf("ranges of a part:\n got %v\nwant %v", r, w)
	}

	// A file of only writes (one extent, not last-only) and an empty one.
	p2 := filepath.Join(dir, "written.bin")
	if err := os.WriteFile(p2, testenv.Pattern(100*kib, 3), 0o644); err != nil {
		t.Fatal(err)
	}
	g, _ := os.OpenFile(p2, os.O_RDWR, 0)
	g.Sync()
	g.Close()
	f2 := open(t, p2)
	if got, want := ours(t, f2), filefrag(t, p2); !slices.Equal(got, want) {
		t.Fatalf("written file:\n got %v\nwant %v", got, want)
	}
	if r := ranges(t, f2, 0, -1); !slices.Equal(r, []Range{{0, 100 * kib, false}}) {
		t.Fatalf("written file ranges: %v", r)
	}
}

// TestDelalloc: data not yet written back is a delayed-allocation extent
// with no location (FIEMAP is asked without FIEMAP_FLAG_SYNC: asking
// writes nothing back), as filefrag (without -s) shows it too, and is data
// to SEEK_DATA.
func TestDelalloc(t *testing.T) {
	dir := testenv.Ext4Dir(t)
	p := filepath.Join(dir, "fresh.bin")
	if err := os.WriteFile(p, []byte("not yet written back"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := open(t, p)
	got := ours(t, f)
	want := filefrag(t, p)
	if len(got) != 1 || len(want) != 1 {
		t.Fatalf("got %v, filefrag %v", got, want)
	}
	if !strings.Contains(want[0].Flags, "delalloc") {
		t.Skipf("the kernel wrote the file back before filefrag ran (%v): nothing to compare", want)
	}
	// ours ran first: it saw delalloc too unless writeback came between
	if got[0] != want[0] && !strings.Contains(got[0].Flags, "delalloc") {
		t.Fatalf("got %v, filefrag %v", got, want)
	}
	if r := ranges(t, f, 0, -1); !slices.Equal(r, []Range{{0, 20, false}}) {
		t.Fatalf("ranges: %v", r)
	}
}

// TestTmpfs: tmpfs has SEEK_DATA but no FIEMAP: the ranges are exact and
// Extents says why there is nothing more.
func TestTmpfs(t *testing.T) {
	dir := tmpfsDir(t)
	p := filepath.Join(dir, "t.bin")
	if err := os.WriteFile(p, []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, 1*mib); err != nil {
		t.Fatal(err)
	}
	f := open(t, p)
	ps := int64(os.Getpagesize())
	if r := ranges(t, f, 0, -1); !slices.Equal(r, []Range{{0, ps, false}, {ps, 1 * mib, true}}) {
		t.Fatalf("ranges: %v", r)
	}
	err := Extents(f, func(Extent) error { t.Fatal("an extent on tmpfs"); return nil })
	want := p + ": no extents: tmpfs keeps files in memory: no disk blocks, FIEMAP not supported (operation not supported)"
	if !errors.Is(err, ErrNoFiemap) || err.Error() != want {
		t.Fatalf("Extents on tmpfs: %v\nwant %s", err, want)
	}
	var buf bytes.Buffer
	if err := Write(&buf, f, false); err != nil {
		t.Fatal(err)
	}
	wantText := fmt.Sprintf("file     %s\nsize     1048576 (1 MiB)\ndata and holes (SEEK_DATA/SEEK_HOLE):\n"+
		"  data               0x0 – %-16s %12d (%s)\n"+
		"  hole  %16s – 0x100000         %12d (%s)\n"+
		"  1 data range (%s), 1 hole (%s)\n"+
		"extents (FIEMAP): none: tmpfs keeps files in memory: no disk blocks, FIEMAP not supported (operation not supported)\n",
		p, fmt.Sprintf("%#x", ps), ps, Human(ps), fmt.Sprintf("%#x", ps), 1*mib-ps, Human(1*mib-ps), Human(ps), Human(1*mib-ps))
	if buf.String() != wantText {
		t.Fatalf("text:\n%s\nwant:\n%s", buf.String(), wantText)
	}
	buf.Reset()
	if err := Write(&buf, f, true); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Ranges []struct {
			Kind       string
			Start, End int64
		}
		Extents   []any
		NoExtents *string `json:"no_extents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &j); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	if len(j.Ranges) != 2 || j.Extents == nil || len(j.Extents) != 0 || j.NoExtents == nil ||
		*j.NoExtents != "tmpfs keeps files in memory: no disk blocks, FIEMAP not supported (operation not supported)" {
		t.Fatalf("json: %s", buf.Bytes())
	}
}

// TestOpenedFile: the ranges and extents are those of the file that is
// open, not of whatever the name leads to now.
func TestOpenedFile(t *testing.T) {
	dir := testenv.Ext4Dir(t)
	path, want := mixed(t, dir)
	f := open(t, path)
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, testenv.Pattern(64*kib, 9), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if r := ranges(t, f, 0, -1); !slices.Equal(r, want) {
		t.Fatalf("ranges after the name was renamed over: %v", r)
	}
	n := 0
	Extents(f, func(x Extent) error { n++; return nil })
	if n != 4 {
		t.Fatalf("%d extents after the name was renamed over, want the open file's 4", n)
	}
}

// TestStop: ErrStop from the callback ends a walk with nil; another error
// comes back unchanged.
func TestStop(t *testing.T) {
	dir := testenv.Ext4Dir(t)
	path, _ := mixed(t, dir)
	f := open(t, path)
	n := 0
	if err := Ranges(f, 0, -1, func(Range) error { n++; return ErrStop }); err != nil || n != 1 {
		t.Fatalf("Ranges with ErrStop: %v after %d", err, n)
	}
	boom := errors.New("boom")
	if err := Extents(f, func(Extent) error { return boom }); err != boom {
		t.Fatalf("Extents: %v, want boom unchanged", err)
	}
	if err := Ranges(f, 0, -1, func(Range) error { return boom }); err != boom {
		t.Fatalf("Ranges: %v, want boom unchanged", err)
	}
}

// manyExtents makes a file of n separate extents: every other 4 KiB block
// preallocated (unwritten), so no data is written.
func manyExtents(t testing.TB, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, fmt.Sprintf("many%d.bin", n))
	g, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for i := range int64(n) {
		if err := unix.Fallocate(int(g.Fd()), 0, i*8*kib, 4*kib); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestStreamed: Write holds no extent in memory: the bytes it allocates
// for a report of 9 000 extents are within 64 KiB of those for 1 000
// (text and JSON), where keeping the extents (32 bytes each) would add
// over 256 KiB; the allocation counts hardly differ either.
//
// runtime.MemStats counts what every goroutine of the test binary
// allocates (a finalizer, a goroutine another test left), and that only
// ever adds: each figure is the least of five runs, after one to warm up,
// never an average (testing.AllocsPerRun's average of three took one
// stranger's allocations in a loaded -race run of the whole suite).
func TestStreamed(t *testing.T) {
	dir := testenv.Ext4Dir(t)
	small, large := open(t, manyExtents(t, dir, 1000)), open(t, manyExtents(t, dir, 9000))
	for _, asJSON := range []bool{false, true} {
		measure := func(f *mapping.File) (allocs, bytes uint64, lines int) {
			allocs, bytes = ^uint64(0), ^uint64(0)
			for i := range 6 {
				var m0, m1 runtime.MemStats
				var c countWriter
				runtime.ReadMemStats(&m0)
				err := Write(&c, f, asJSON)
				runtime.ReadMemStats(&m1)
				if err != nil {
					t.Fatal(err)
				}
				lines = c.lines
				if i > 0 { // the first run warms up
					allocs = min(allocs, m1.Mallocs-m0.Mallocs)
					bytes = min(bytes, m1.TotalAlloc-m0.TotalAlloc)
				}
			}
			return
		}
		a1, b1, n1 := measure(small)
		a2, b2, n2 := measure(large)
		t.Logf("json %v: 1000 extents: %d allocations, %d bytes; 9000: %d, %d", asJSON, a1, b1, a2, b2)
		if n2 <= n1 {
			t.Fatalf("json %v: %d and %d lines", asJSON, n1, n2)
		}
		if a2 > a1+30 || b2 > b1+64<<10 {
			t.Fatalf("json %v: %d allocations (%d bytes) for 1000 extents, %d (%d bytes) for 9000: the report grows with the file",
				asJSON, a1, b1, a2, b2)
		}
	}
}

type countWriter struct{ lines int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte("\n")) + bytes.Count(p, []byte("},{"))
	return len(p), nil
}

// BenchmarkExtents100k: `mmhex extents` (Write, text) of a file with
// 100 000 extents.
func BenchmarkExtents100k(b *testing.B) {
	dir := b.TempDir()
	var fs unix.Statfs_t
	if unix.Statfs(dir, &fs) != nil || fs.Type != unix.EXT4_SUPER_MAGIC {
		b.Skip("needs a temporary folder on ext4")
	}
	f := open(b, manyExtents(b, dir, 100000))
	b.ResetTimer()
	for b.Loop() {
		var c countWriter
		if err := Write(&c, f, false); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHuman(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.50 KiB"}, {64*mib - 4*kib, "63.99 MiB"},
		{1023 * mib, "1023 MiB"}, {1 << 40, "1 TiB"}, {1<<40 - 1, "1023.99 GiB"}, {1<<63 - 1, "7.99 EiB"}} {
		if got := Human(c.n); got != c.want {
			t.Errorf("Human(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestHoleAt: HoleAt agrees with the ranges of the whole file at the edges
// of every range, for holes near the start, deep in a 1 TiB file (the
// backward search doubles past many windows) and at the end.
func TestHoleAt(t *testing.T) {
	p := filepath.Join(tmpfsDir(t), "h.bin")
	const tib = int64(1) << 40
	g, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 3 * mib, tib / 2} {
		if _, err := g.WriteAt([]byte("data"), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Truncate(tib); err != nil {
		testenv.SkipOrFail(t, "a 1 TiB sparse file: %v", err)
	}
	g.Close()
	f := open(t, p)
	all := ranges(t, f, 0, -1)
	if len(all) != 6 {
		t.Fatalf("ranges: %v", all)
	}
	for _, r := range all {
		for _, off := range []int64{r.Off, r.Off + 1, (r.Off + r.End) / 2, r.End - 1} {
			s, e, ok, err := HoleAt(f, off)
			if err != nil || ok != r.Hole || (ok && (s != r.Off || e != r.End)) {
				t.Fatalf("HoleAt(%#x) = %#x, %#x, %v, %v; in %v", off, s, e, ok, err, r)
			}
		}
	}
	if _, _, ok, err := HoleAt(f, tib); ok || err != nil {
		t.Fatalf("HoleAt past the end: %v %v", ok, err)
	}
}
