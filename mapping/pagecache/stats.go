// Package pagecache is what the kernel knows about an open file beside its
// bytes: page-cache figures (mincore, cachestat), the page panel's cell
// map, writeback started with sync_file_range, the kernel's writeback
// tunables and system-wide dirty figures (/proc), and the text and JSON of
// `mmhex stat`. It works on a *mapping.File through its exported API only
// (WithDescriptor, PageSize, ResidencyVisible, UnsyncedRanges, Path, Mode,
// Refresh): it never touches mapped memory, so any goroutine may call it.
// mapping does not import it.
package pagecache

import (
	"fmt"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// Unknown marks a figure the kernel did not give (never read it as zero):
// mapping.Unknown, which SyncResult uses too.
const Unknown = mapping.Unknown

// errf returns an error that names the file, as mapping's errors do.
func errf(f *mapping.File, format string, a ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{display.Name(f.Path())}, a...)...)
}

// PageStats are the page-cache figures of a byte range, in pages.
// Resident comes from mincore, the rest from cachestat (Linux >= 6.5).
// A figure the kernel will not give is Unknown (-1), never 0; JSON shows it
// as null (keys: pages, resident, cached, dirty, writeback, evicted,
// recently_evicted).
type PageStats struct {
	Off, Len        int64 // the byte range measured (clipped to the file)
	Pages           int64
	Resident        int64
	Cached          int64
	Dirty           int64
	Writeback       int64
	Evicted         int64
	RecentlyEvicted int64
}

// MarshalJSON writes the figures with null for Unknown.
func (s PageStats) MarshalJSON() ([]byte, error) {
	b := []byte("{")
	for i, kv := range []struct {
		k string
		v int64
	}{{"pages", s.Pages}, {"resident", s.Resident}, {"cached", s.Cached}, {"dirty", s.Dirty},
		{"writeback", s.Writeback}, {"evicted", s.Evicted}, {"recently_evicted", s.RecentlyEvicted}} {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, kv.k...)
		b = append(b, '"', ':')
		b = appendFigure(b, kv.v)
	}
	return append(b, '}'), nil
}

func appendFigure(b []byte, v int64) []byte {
	if v < 0 {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, v, 10)
}

// FigureString formats a page figure: "unknown" for Unknown.
func FigureString(v int64) string {
	if v < 0 {
		return "unknown"
	}
	return strconv.FormatInt(v, 10)
}

// clipRange clips [off, off+n) to the file; n < 0 means to the end.
func clipRange(off, n, size int64) (int64, int64) {
	if off < 0 {
		off = 0
	}
	if off > size {
		off = size
	}
	if n < 0 || n > size-off {
		n = size - off
	}
	return off, n
}

// Stats returns the page-cache figures of [off, off+n) of f, clipped to
// the file (n < 0: to the end). Figures the kernel will not give are
// Unknown.
func Stats(f *mapping.File, off, n int64) (PageStats, error) {
	var st PageStats
	err := f.WithDescriptor(func(fd int, size int64) error {
		var err error
		st, err = stats(f, fd, size, off, n)
		return err
	})
	return st, err
}

func stats(f *mapping.File, fd int, size, off, n int64) (PageStats, error) {
	page := f.PageSize()
	off, n = clipRange(off, n, size)
	a := off &^ (page - 1)
	st := PageStats{Off: off, Len: n, Resident: Unknown, Cached: Unknown, Dirty: Unknown,
		Writeback: Unknown, Evicted: Unknown, RecentlyEvicted: Unknown}
	if n == 0 {
		st = PageStats{Off: off}
		return st, nil
	}
	st.Pages = (off + n - a + page - 1) / page
	var cs unix.Cachestat_t
	haveCS := unix.Cachestat(uint(fd), &unix.CachestatRange{Off: uint64(a), Len: uint64(off + n - a)}, &cs, 0) == nil
	if haveCS {
		st.Cached, st.Dirty, st.Writeback = int64(cs.Cache), int64(cs.Dirty), int64(cs.Writeback)
		st.Evicted, st.RecentlyEvicted = int64(cs.Evicted), int64(cs.Recently_evicted)
	}
	// Otherwise (ENOSYS: kernel < 6.5; EPERM: neither owner nor writer;
	// EOPNOTSUPP) those figures stay Unknown.
	if f.ResidencyVisible() {
		var res int64
		count := func(_ int64, vec []byte) {
			for _, v := range vec {
				res += int64(v & 1)
			}
		}
		// mincore costs ~1 s per 64 GiB. A piece that cachestat says has
		// no page in the cache has no resident page either: skip it, so a
		// huge, mostly uncached file costs a few cachestat calls.
		for pos, end := a, off+n; pos < end; pos += mincoreStep {
			l := min(int64(mincoreStep), end-pos)
			if haveCS {
				var pc unix.Cachestat_t
				if unix.Cachestat(uint(fd), &unix.CachestatRange{Off: uint64(pos), Len: uint64(l)}, &pc, 0) == nil && pc.Cache == 0 {
					continue
				}
			}
			if err := mincore(f, fd, pos, l, count); err != nil {
				return st, err
			}
		}
		st.Resident = res
	}
	return st, nil
}

// Residency reports, for each page of [off, off+n) of f (clipped; n < 0:
// to the end), whether it is in the page cache (mincore on a temporary
// PROT_READ mapping). ErrResidencyUnknown when the kernel would lie (a
// file the caller neither owns nor can write).
func Residency(f *mapping.File, off, n int64) ([]bool, error) {
	var out []bool
	err := f.WithDescriptor(func(fd int, size int64) error {
		if !f.ResidencyVisible() {
			return errf(f, "%w", ErrResidencyUnknown)
		}
		page := f.PageSize()
		off, n = clipRange(off, n, size)
		if n == 0 {
			return nil
		}
		a := off &^ (page - 1)
		out = make([]bool, (off+n-a+page-1)/page)
		for pos, end := a, off+n; pos < end; pos += mincoreStep {
			l := min(int64(mincoreStep), end-pos)
			var pc unix.Cachestat_t
			if unix.Cachestat(uint(fd), &unix.CachestatRange{Off: uint64(pos), Len: uint64(l)}, &pc, 0) == nil && pc.Cache == 0 {
				continue // nothing cached in this piece: all false
			}
			err := mincore(f, fd, pos, l, func(at int64, vec []byte) {
				base := (at - a) / page
				for i, v := range vec {
					out[base+int64(i)] = v&1 != 0
				}
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mincoreStep bounds the temporary mapping (and the vector) per call.
const mincoreStep = 1 << 30

// mincore calls fn with the mincore vector of each piece of [a, a+n) of
// the file open as fd (the caller is inside f.WithDescriptor); a is
// page-aligned.
func mincore(f *mapping.File, fd int, a, n int64, fn func(off int64, vec []byte)) error {
	page := f.PageSize()
	var vec []byte
	for pos := a; pos < a+n; pos += mincoreStep {
		l := min(int64(mincoreStep), a+n-pos)
		data, err := unix.Mmap(fd, pos, int(l), unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			return errf(f, "mmap for mincore at %#x: %w", pos, err)
		}
		np := (l + page - 1) / page
		if int64(cap(vec)) < np {
			vec = make([]byte, np)
		}
		vec = vec[:np]
		_, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0])))
		unix.Munmap(data)
		if e != 0 {
			return errf(f, "mincore at %#x: %w", pos, e)
		}
		fn(pos, vec)
	}
	return nil
}
