package pagecache

// pagemap.go: the page panel's figures. A byte range of the file is split
// into N cells (one page per cell, or a group of pages per cell when the
// range has more pages than cells) and each cell gets the kernel's figures:
// cachestat per cell (cheap even for huge files: ~50 µs for 64 GiB) and
// mincore only when the range is small enough (it costs ~40 ms per GiB) or,
// where cachestat is unavailable, for the visible bytes only. The pages
// edited here and not yet synced come from the edit journal's page set.
// Nothing here touches mapped memory, so any goroutine may call it.

import (
	"fmt"
	"math/bits"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
)

// CellState is what a page-panel cell shows: the most significant state of
// any page in it (writeback > dirty > resident > not resident).
type CellState uint8

const (
	CellUnknown     CellState = iota // no figures for this cell
	CellNotResident                  // no page of the cell is in the page cache
	CellResident                     // some page is in the page cache, none dirty
	CellDirty                        // some page is dirty (not under writeback)
	CellWriteback                    // some page is under writeback
)

func (s CellState) String() string {
	switch s {
	case CellUnknown:
		return "unknown"
	case CellNotResident:
		return "not resident"
	case CellResident:
		return "resident"
	case CellDirty:
		return "dirty"
	case CellWriteback:
		return "writeback"
	}
	return fmt.Sprintf("CellState(%d)", int(s))
}

// PageCell is one cell of a PageMap: pages [FirstPage, FirstPage+Pages).
type PageCell struct {
	FirstPage, Pages int64
	Cached           int64 // cachestat; Unknown when cachestat is unavailable
	Dirty            int64 // cachestat; Unknown when cachestat is unavailable
	Writeback        int64 // cachestat; Unknown when cachestat is unavailable
	Resident         int64 // mincore over the measured pages; Unknown when none measured
	Measured         int64 // pages of the cell that mincore measured
	Edited           int64 // pages edited here and not yet synced
	State            CellState
}

// PageTotals are the figures for the whole range of a PageMap.
type PageTotals struct {
	Pages           int64
	Resident        int64 // mincore; Unknown unless the whole range was measured
	Cached          int64 // cachestat (all of these Unknown without it)
	Dirty           int64
	Writeback       int64
	Evicted         int64
	RecentlyEvicted int64
	Edited          int64 // pages edited here and not yet synced
}

// PageMapOptions choose the cells and how much mincore may cost.
type PageMapOptions struct {
	// Cells is the most cells wanted (one page per cell when the range has
	// no more pages than this). At least 1.
	Cells int
	// MincorePages: mincore the whole range when it has at most this many
	// pages. 0 means DefaultMincorePages; negative never.
	MincorePages int64
	// VisibleOff, VisibleLen: the bytes on screen. Where cachestat is
	// unavailable and the range is too large for mincore, only these pages
	// are measured.
	VisibleOff, VisibleLen int64
}

// DefaultMincorePages is the largest range (in pages) that PageMap
// measures with mincore by default: 256 MiB of 4 KiB pages, a few ms.
const DefaultMincorePages = 65536

// PageMap is the page panel's picture of a byte range.
type PageMap struct {
	Off, Len  int64 // the byte range asked for (clipped to the file)
	PageSize  int64
	FirstPage int64 // page index of the first page of the range
	Cells     []PageCell
	Totals    PageTotals
	// CachestatErr is nil when the cachestat figures are real; otherwise it
	// says why there are none (wraps unix.ENOSYS or unix.EPERM).
	CachestatErr error
	// MincoreErr is nil when mincore measured the whole range; otherwise it
	// says why not (ErrResidencyUnknown, ErrMincoreSkipped, or a syscall error).
	MincoreErr error
	Took       time.Duration
}

// CellOf returns the index of the cell holding page (a page index in the
// file), or -1 when the page is outside the map.
func (m *PageMap) CellOf(page int64) int {
	return cellOf(page-m.FirstPage, m.Totals.Pages, int64(len(m.Cells)))
}

// cellStart returns the first page (relative) of cell i when p pages are
// split into n cells: floor(i*p/n), computed without overflow.
func cellStart(i, p, n int64) int64 {
	hi, lo := bits.Mul64(uint64(i), uint64(p))
	q, _ := bits.Div64(hi, lo, uint64(n))
	return int64(q)
}

// cellOf is the inverse of cellStart: the largest i with cellStart(i) <= rel.
func cellOf(rel, p, n int64) int {
	if rel < 0 || rel >= p || n <= 0 {
		return -1
	}
	// i = ceil((rel+1)*n / p) - 1
	hi, lo := bits.Mul64(uint64(rel+1), uint64(n))
	lo, c := bits.Add64(lo, uint64(p-1), 0)
	hi += c
	q, _ := bits.Div64(hi, lo, uint64(p))
	return int(q) - 1
}

// Measure returns the page map of [off, off+n) of f split into at most
// o.Cells cells. The range is clipped to the file; an empty file or range
// gives a map with no cells.
func Measure(f *mapping.File, off, n int64, o PageMapOptions) (PageMap, error) {
	start := time.Now()
	if off < 0 || n < 0 {
		return PageMap{}, errf(f, "page map: %w", mapping.ErrOffset)
	}
	if o.Cells < 1 {
		return PageMap{}, errf(f, "page map: %w: %d cells", mapping.ErrBadOptions, o.Cells)
	}
	var m PageMap
	err := f.WithDescriptor(func(fd int, size int64) error {
		var err error
		m, err = measure(f, fd, size, off, n, o)
		return err
	})
	if err != nil {
		return PageMap{}, err
	}
	m.Took = time.Since(start)
	return m, nil
}

// measure is Measure inside f.WithDescriptor.
func measure(f *mapping.File, fd int, size, off, n int64, o PageMapOptions) (PageMap, error) {
	edited := f.UnsyncedRanges()
	ps := f.PageSize()
	m := PageMap{PageSize: ps}
	if off > size {
		off = size
	}
	n = min(n, size-off)
	m.Off, m.Len = off, n
	m.FirstPage = off / ps
	var pages int64
	if n > 0 {
		pages = (off+n+ps-1)/ps - m.FirstPage
	}
	m.Totals = PageTotals{Pages: pages, Resident: Unknown, Cached: Unknown, Dirty: Unknown,
		Writeback: Unknown, Evicted: Unknown, RecentlyEvicted: Unknown}
	if pages == 0 {
		// No pages: every figure is a known 0 (as Stats says), not unknown.
		m.Totals = PageTotals{}
		m.MincoreErr = nil
		return m, nil
	}
	ncell := min(int64(o.Cells), pages)
	m.Cells = make([]PageCell, ncell)
	for i := range m.Cells {
		a := cellStart(int64(i), pages, ncell)
		b := cellStart(int64(i)+1, pages, ncell)
		m.Cells[i] = PageCell{FirstPage: m.FirstPage + a, Pages: b - a,
			Cached: Unknown, Dirty: Unknown, Writeback: Unknown, Resident: Unknown}
	}

	// Pages edited here and not yet synced: overlap of the journal's page
	// ranges with each cell.
	for _, r := range edited {
		a, b := max(r.First, m.FirstPage), min(r.End, m.FirstPage+pages)
		if a >= b {
			continue
		}
		m.Totals.Edited += b - a
		for i := m.CellOf(a); i >= 0 && i < len(m.Cells) && m.Cells[i].FirstPage < b; i++ {
			c := &m.Cells[i]
			c.Edited += min(b, c.FirstPage+c.Pages) - max(a, c.FirstPage)
		}
	}

	// cachestat: the whole range once for the totals, then per cell.
	whole, err := cachestatPages(f, fd, m.FirstPage, pages)
	if err != nil {
		m.CachestatErr = err
	} else {
		m.Totals.Cached = int64(whole.Cache)
		m.Totals.Dirty = int64(whole.Dirty)
		m.Totals.Writeback = int64(whole.Writeback)
		m.Totals.Evicted = int64(whole.Evicted)
		m.Totals.RecentlyEvicted = int64(whole.Recently_evicted)
		for i := range m.Cells {
			c := &m.Cells[i]
			cs := whole
			if ncell > 1 {
				if cs, err = cachestatPages(f, fd, c.FirstPage, c.Pages); err != nil {
					// The file was closed or changed under us: no half figures.
					return PageMap{}, err
				}
			}
			c.Cached, c.Dirty, c.Writeback = int64(cs.Cache), int64(cs.Dirty), int64(cs.Writeback)
		}
	}

	// mincore: the whole range when small, else (without cachestat) only
	// the visible pages.
	limit := o.MincorePages
	if limit == 0 {
		limit = DefaultMincorePages
	}
	mStart, mPages := m.FirstPage, pages
	if pages > limit {
		m.MincoreErr = errf(f, "%w (%d pages > %d)", ErrMincoreSkipped, pages, limit)
		mPages = 0
		if m.CachestatErr != nil && o.VisibleLen > 0 {
			va := max(o.VisibleOff/ps, m.FirstPage)
			vb := min((o.VisibleOff+o.VisibleLen+ps-1)/ps, m.FirstPage+pages)
			mStart, mPages = va, max(vb-va, 0)
		}
	}
	if mPages > 0 {
		var total int64
		err := errf(f, "%w", ErrResidencyUnknown)
		if f.ResidencyVisible() {
			err = mincore(f, fd, mStart*ps, mPages*ps, func(pos int64, vec []byte) {
				for k, v := range vec {
					i := m.CellOf(pos/ps + int64(k))
					if i < 0 {
						continue
					}
					c := &m.Cells[i]
					if c.Resident == Unknown {
						c.Resident = 0
					}
					c.Measured++
					if v&1 != 0 {
						c.Resident++
						total++
					}
				}
			})
		}
		switch {
		case err != nil:
			if pages <= limit {
				m.MincoreErr = err
			}
			for i := range m.Cells {
				m.Cells[i].Resident, m.Cells[i].Measured = Unknown, 0
			}
		case pages <= limit:
			m.Totals.Resident = total
		}
	}

	for i := range m.Cells {
		m.Cells[i].State = m.Cells[i].state()
	}
	return m, nil
}

// state: the cell's most significant known state. A cell only partly
// measured by mincore (and without cachestat) is resident when a measured
// page is, and unknown otherwise: never a false "not resident".
func (c *PageCell) state() CellState {
	if c.Cached != Unknown {
		switch {
		case c.Writeback > 0:
			return CellWriteback
		case c.Dirty > 0:
			return CellDirty
		case c.Cached > 0 || c.Resident > 0:
			return CellResident
		}
		return CellNotResident
	}
	switch {
	case c.Resident > 0:
		return CellResident
	case c.Resident == 0 && c.Measured == c.Pages:
		return CellNotResident
	}
	return CellUnknown
}

// cachestatPages runs cachestat(2) on pages [first, first+n) of the file.
// Errors wrap unix.ENOSYS (kernel < 6.5) or unix.EPERM (a file you neither
// own nor can write). The caller is inside f.WithDescriptor, so fd stays
// open.
func cachestatPages(f *mapping.File, fd int, first, n int64) (unix.Cachestat_t, error) {
	var cs unix.Cachestat_t
	ps := f.PageSize()
	r := unix.CachestatRange{Off: uint64(first * ps), Len: uint64(n * ps)}
	if err := unix.Cachestat(uint(fd), &r, &cs, 0); err != nil {
		return cs, errf(f, "cachestat: %w", err)
	}
	return cs, nil
}
