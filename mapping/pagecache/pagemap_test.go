package pagecache

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

func TestCellLayout(t *testing.T) {
	for p := int64(1); p <= 40; p++ {
		for n := int64(1); n <= p; n++ {
			prev := int64(0)
			for i := int64(0); i < n; i++ {
				a, b := cellStart(i, p, n), cellStart(i+1, p, n)
				if a != prev || b <= a {
					t.Fatalf("p=%d n=%d cell %d = [%d,%d) after %d", p, n, i, a, b, prev)
				}
				if b-a != p/n && b-a != (p+n-1)/n {
					t.Fatalf("p=%d n=%d cell %d has %d pages", p, n, i, b-a)
				}
				for r := a; r < b; r++ {
					if got := cellOf(r, p, n); got != int(i) {
						t.Fatalf("p=%d n=%d: cellOf(%d) = %d, want %d", p, n, r, got, i)
					}
				}
				prev = b
			}
			if prev != p {
				t.Fatalf("p=%d n=%d: cells end at %d", p, n, prev)
			}
			if cellOf(-1, p, n) != -1 || cellOf(p, p, n) != -1 {
				t.Fatalf("p=%d n=%d: outside pages not -1", p, n)
			}
		}
	}
	// No overflow for a 8 EiB range split into 1000 cells.
	p := int64(1) << 50
	if got := cellOf(p-1, p, 1000); got != 999 {
		t.Errorf("cellOf(last of 2^50 pages, 1000 cells) = %d", got)
	}
	if got := cellStart(999, p, 1000); got != p/1000*999+(p%1000)*999/1000 {
		t.Errorf("cellStart(999) = %d", got)
	}
}

func TestCellState(t *testing.T) {
	u := Unknown
	for _, c := range []struct {
		c    PageCell
		want CellState
	}{
		{PageCell{Pages: 4, Cached: 0, Dirty: 0, Writeback: 0, Resident: u}, CellNotResident},
		{PageCell{Pages: 4, Cached: 2, Dirty: 0, Writeback: 0, Resident: u}, CellResident},
		{PageCell{Pages: 4, Cached: 2, Dirty: 1, Writeback: 0, Resident: u}, CellDirty},
		{PageCell{Pages: 4, Cached: 2, Dirty: 1, Writeback: 1, Resident: u}, CellWriteback},
		{PageCell{Pages: 4, Cached: 0, Dirty: 0, Writeback: 0, Resident: 1, Measured: 4}, CellResident},
		// Without cachestat: mincore alone.
		{PageCell{Pages: 4, Cached: u, Dirty: u, Writeback: u, Resident: 0, Measured: 4}, CellNotResident},
		{PageCell{Pages: 4, Cached: u, Dirty: u, Writeback: u, Resident: 1, Measured: 2}, CellResident},
		{PageCell{Pages: 4, Cached: u, Dirty: u, Writeback: u, Resident: 0, Measured: 2}, CellUnknown},
		{PageCell{Pages: 4, Cached: u, Dirty: u, Writeback: u, Resident: u}, CellUnknown},
		{PageCell{Pages: 4, Cached: u, Dirty: u, Writeback: u, Resident: u, Edited: 2}, CellUnknown},
	} {
		if got := c.c.state(); got != c.want {
			t.Errorf("%+v: state %v, want %v", c.c, got, c.want)
		}
	}
}

// independent figures: our own descriptor, our own cachestat, our own
// mapping and mincore syscall.
type indep struct {
	t    *testing.T
	fd   int
	page int64
}

func newIndep(t *testing.T, path string) *indep {
	fd, err := unix.Open(path, unix.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &indep{t: t, fd: fd, page: int64(os.Getpagesize())}
}

func (d *indep) cachestat(firstPage, pages int64) unix.Cachestat_t {
	var cs unix.Cachestat_t
	r := unix.CachestatRange{Off: uint64(firstPage * d.page), Len: uint64(pages * d.page)}
	if err := unix.Cachestat(uint(d.fd), &r, &cs, 0); err != nil {
		d.t.Fatalf("cachestat: %v", err)
	}
	return cs
}

// mincore of every page of the file.
func (d *indep) mincore(size int64) []bool {
	data, err := unix.Mmap(d.fd, 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		d.t.Fatal(err)
	}
	defer unix.Munmap(data)
	vec := make([]byte, (size+d.page-1)/d.page)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		d.t.Fatalf("mincore: %v", e)
	}
	out := make([]bool, len(vec))
	for i, v := range vec {
		out[i] = v&1 != 0
	}
	return out
}

// pageFile makes a file of n pages, clean in the page cache, then evicts
// pages [0, evict). It writes one page per write(2) so that the page cache
// holds single-page folios: with one large write, ext4 on Linux 6.x builds
// large folios, and then one store dirties (and one eviction keeps) the
// whole folio.
func pageFile(t *testing.T, dir string, n, evict int64) string {
	ps := int64(os.Getpagesize())
	path := filepath.Join(dir, "pages.bin")
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	b := make([]byte, ps)
	for p := int64(0); p < n; p++ {
		for i := range b {
			b[i] = byte(p)
		}
		if _, err := unix.Pwrite(fd, b, p*ps); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Fdatasync(fd); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fadvise(fd, 0, evict*ps, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkAgainstKernel(t *testing.T, m PageMap, d *indep, size int64) {
	t.Helper()
	res := d.mincore(size)
	whole := d.cachestat(m.FirstPage, m.Totals.Pages)
	if m.Totals.Cached != int64(whole.Cache) || m.Totals.Dirty != int64(whole.Dirty) ||
		m.Totals.Writeback != int64(whole.Writeback) || m.Totals.Evicted != int64(whole.Evicted) ||
		m.Totals.RecentlyEvicted != int64(whole.Recently_evicted) {
		t.Errorf("totals %+v, cachestat says %+v", m.Totals, whole)
	}
	var totalRes int64
	for _, c := range m.Cells {
		cs := d.cachestat(c.FirstPage, c.Pages)
		if c.Cached != int64(cs.Cache) || c.Dirty != int64(cs.Dirty) || c.Writeback != int64(cs.Writeback) {
			t.Errorf("cell %+v, cachestat says %+v", c, cs)
		}
		var r int64
		for p := c.FirstPage; p < c.FirstPage+c.Pages; p++ {
			if res[p] {
				r++
			}
		}
		totalRes += r
		if m.MincoreErr == nil && (c.Resident != r || c.Measured != c.Pages) {
			t.Errorf("cell at page %d: resident %d of %d measured, mincore says %d of %d", c.FirstPage, c.Resident, c.Measured, r, c.Pages)
		}
	}
	if m.MincoreErr == nil && m.Totals.Resident != totalRes {
		t.Errorf("total resident %d, mincore says %d", m.Totals.Resident, totalRes)
	}
}

func TestPageMapMatchesKernel(t *testing.T) {
	const pages, evicted = 48, 16
	path := pageFile(t, t.TempDir(), pages, evicted)
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps := f.PageSize()
	d := newIndep(t, path)
	// Under heavy dirty load (system Dirty over dirty_background) the
	// flusher may clean the pages at once: store again a few times.
	for try := 0; ; try++ {
		for _, p := range []int64{20, 40} {
			if _, err := f.WriteAt([]byte{byte(0xe0 + try)}, p*ps+7); err != nil {
				t.Fatal(err)
			}
		}
		cs := d.cachestat(0, pages)
		if cs.Dirty == 2 {
			break
		}
		if try == 4 {
			t.Skipf("the kernel writes dirty pages back at once here (system Dirty over dirty_background?): %+v", cs)
		}
	}

	// One page per cell.
	m, err := Measure(f, 0, f.Size(), PageMapOptions{Cells: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cells) != pages || m.Totals.Pages != pages || m.CachestatErr != nil || m.MincoreErr != nil {
		t.Fatalf("map: %d cells, totals %+v, cachestat %v, mincore %v", len(m.Cells), m.Totals, m.CachestatErr, m.MincoreErr)
	}
	checkAgainstKernel(t, m, d, f.Size())
	for i, c := range m.Cells {
		want := CellResident
		switch {
		case i < evicted:
			want = CellNotResident
		case i == 20 || i == 40:
			want = CellDirty
		}
		if c.State != want {
			t.Errorf("page %d: %v, want %v", i, c.State, want)
		}
		if wantEd := int64(map[bool]int{true: 1}[i == 20 || i == 40]); c.Edited != wantEd {
			t.Errorf("page %d: edited %d, want %d", i, c.Edited, wantEd)
		}
	}
	if m.Totals.Edited != 2 || m.Totals.Dirty != 2 || m.Totals.Resident != pages-evicted {
		t.Errorf("totals %+v: want 2 edited, 2 dirty, %d resident", m.Totals, pages-evicted)
	}

	// Groups: 48 pages in 5 cells (9 or 10 pages each).
	m, err = Measure(f, 0, f.Size(), PageMapOptions{Cells: 5})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstKernel(t, m, d, f.Size())
	var states []string
	for _, c := range m.Cells {
		states = append(states, c.State.String())
	}
	// cells: [0,9) [9,19) [19,28) [28,38) [38,48)
	if got, want := strings.Join(states, ","), "not resident,resident,dirty,resident,dirty"; got != want {
		t.Errorf("states %s, want %s", got, want)
	}
	if m.Cells[2].Edited != 1 || m.Cells[4].Edited != 1 || m.Cells[0].Edited != 0 {
		t.Errorf("edited per cell: %+v", m.Cells)
	}
	if i := m.CellOf(20); i != 2 {
		t.Errorf("CellOf(20) = %d", i)
	}

	// A sub-range that starts inside a page.
	m, err = Measure(f, 15*ps+100, 6*ps, PageMapOptions{Cells: 3})
	if err != nil {
		t.Fatal(err)
	}
	if m.FirstPage != 15 || m.Totals.Pages != 7 || len(m.Cells) != 3 {
		t.Fatalf("sub-range: first %d, %d pages, %d cells", m.FirstPage, m.Totals.Pages, len(m.Cells))
	}
	checkAgainstKernel(t, m, d, f.Size())

	// Too large for mincore: cachestat alone, resident unknown (not 0).
	m, err = Measure(f, 0, f.Size(), PageMapOptions{Cells: 100, MincorePages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(m.MincoreErr, ErrMincoreSkipped) || m.Totals.Resident != Unknown || m.Cells[30].Resident != Unknown {
		t.Errorf("mincore skipped: err %v, resident %d", m.MincoreErr, m.Totals.Resident)
	}
	if m.Cells[20].State != CellDirty || m.Cells[0].State != CellNotResident || m.Cells[30].State != CellResident {
		t.Errorf("states without mincore: %v %v %v", m.Cells[20].State, m.Cells[0].State, m.Cells[30].State)
	}
	checkAgainstKernel(t, m, d, f.Size())

	// After MS_SYNC nothing of the file is dirty and nothing is edited.
	if _, err := f.Sync(mapping.MSSync); err != nil {
		t.Fatal(err)
	}
	m, err = Measure(f, 0, f.Size(), PageMapOptions{Cells: 100})
	if err != nil {
		t.Fatal(err)
	}
	if m.Totals.Dirty != 0 || m.Totals.Edited != 0 || d.cachestat(0, pages).Dirty != 0 {
		t.Errorf("after MS_SYNC: %+v", m.Totals)
	}
	if m.Cells[20].State != CellResident || m.Cells[20].Edited != 0 {
		t.Errorf("page 20 after MS_SYNC: %+v", m.Cells[20])
	}
	checkAgainstKernel(t, m, d, f.Size())
}

func TestPageMapEdgeCases(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(empty, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Measure(f, 0, 100, PageMapOptions{Cells: 10})
	if err != nil || len(m.Cells) != 0 || m.Totals != (PageTotals{}) {
		t.Errorf("empty file: %+v, %v", m, err)
	}
	// stat --watch on a file that is (or was truncated to) empty: zeros,
	// as plain stat says, not null.
	if s, err := Sample(f); err != nil || !strings.HasSuffix(s.JSONLine(),
		`"size":0,"page_size":`+strconv.Itoa(os.Getpagesize())+`,"pages":0,"resident":0,"cached":0,"dirty":0,"writeback":0,"evicted":0,"recently_evicted":0}`+"\n") {
		t.Errorf("watch sample of an empty file: %q, %v", s.JSONLine(), err)
	}
	if _, err := Measure(f, 0, 1, PageMapOptions{}); !errors.Is(err, mapping.ErrBadOptions) {
		t.Errorf("0 cells: err %v", err)
	}
	if _, err := Measure(f, -1, 1, PageMapOptions{Cells: 1}); !errors.Is(err, mapping.ErrOffset) {
		t.Errorf("negative offset: err %v", err)
	}
	f.Close()
	if _, err := Measure(f, 0, 1, PageMapOptions{Cells: 1}); !errors.Is(err, mapping.ErrClosed) {
		t.Errorf("closed: err %v", err)
	}
}

// A file we neither own nor may write: cachestat says EPERM and mincore
// would lie, so every figure is unknown, never 0. Runs this test binary
// again as nobody.
func TestPageMapNotOwner(t *testing.T) {
	if path := os.Getenv("MMHEX_PAGEMAP_NOT_OWNER"); path != "" {
		f, err := mapping.Open(path, mapping.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m, err := Measure(f, 0, f.Size(), PageMapOptions{Cells: 4, VisibleOff: 0, VisibleLen: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(m.CachestatErr, unix.EPERM) {
			t.Errorf("cachestat err %v, want EPERM", m.CachestatErr)
		}
		if !errors.Is(m.MincoreErr, ErrResidencyUnknown) {
			t.Errorf("mincore err %v, want ErrResidencyUnknown", m.MincoreErr)
		}
		tt := m.Totals
		if tt.Pages != 8 || tt.Resident != Unknown || tt.Cached != Unknown || tt.Dirty != Unknown || tt.Writeback != Unknown || tt.Evicted != Unknown {
			t.Errorf("totals %+v", tt)
		}
		for _, c := range m.Cells {
			if c.State != CellUnknown || c.Resident != Unknown || c.Dirty != Unknown {
				t.Errorf("cell %+v", c)
			}
		}
		return
	}
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "needs root to run a child as another user")
	}
	setpriv := testenv.RequireTool(t, "setpriv")
	dir, err := os.MkdirTemp("", "mmhex-notowner")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := pageFile(t, dir, 8, 0)
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		os.Args[0], "-test.run=^TestPageMapNotOwner$", "-test.v")
	cmd.Env = append(os.Environ(), "MMHEX_PAGEMAP_NOT_OWNER="+path)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestPageMapNotOwner") {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
}

// Stats (the figures of `mmhex stat`) agree with cachestat and mincore read
// independently, and after MS_SYNC the file has no dirty page.
func TestStatsMatchKernel(t *testing.T) {
	const pages = 24
	path := pageFile(t, t.TempDir(), pages, 8)
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps := f.PageSize()
	if _, err := f.WriteAt([]byte{1, 2, 3}, 12*ps+100); err != nil {
		t.Fatal(err)
	}
	d := newIndep(t, path)
	check := func(when string) PageStats {
		t.Helper()
		st, err := Stats(f, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		cs := d.cachestat(0, pages)
		var res int64
		for _, r := range d.mincore(f.Size()) {
			if r {
				res++
			}
		}
		want := PageStats{Off: 0, Len: f.Size(), Pages: pages, Resident: res, Cached: int64(cs.Cache), Dirty: int64(cs.Dirty),
			Writeback: int64(cs.Writeback), Evicted: int64(cs.Evicted), RecentlyEvicted: int64(cs.Recently_evicted)}
		if st != want {
			t.Errorf("%s: Stats = %+v, kernel says %+v", when, st, want)
		}
		return st
	}
	if st := check("after an edit"); st.Dirty != 1 || st.Resident != pages-8 {
		t.Errorf("after an edit: %+v, want 1 dirty, %d resident", st, pages-8)
	}
	if _, err := f.Sync(mapping.MSSync); err != nil {
		t.Fatal(err)
	}
	if st := check("after MS_SYNC"); st.Dirty != 0 {
		t.Errorf("after MS_SYNC: %d dirty", st.Dirty)
	}
}

// The page panel's measurement of a whole file: cachestat per cell, no
// mincore above DefaultMincorePages. Its cost must not grow with the file.
func BenchmarkPageMap(b *testing.B) {
	for _, c := range []struct {
		name string
		size int64
	}{{"64MiB-cached", 64 << 20}, {"64GiB-sparse", 64 << 30}, {"1TiB-sparse", 1 << 40}} {
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.bin")
			fh, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if c.size <= 64<<20 {
				if _, err := fh.Write(make([]byte, c.size)); err != nil {
					b.Fatal(err)
				}
			} else if err := fh.Truncate(c.size); err != nil {
				b.Fatal(err)
			}
			fh.Close()
			f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Measure(f, 0, c.size, PageMapOptions{Cells: 236, VisibleOff: 0, VisibleLen: 640}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
