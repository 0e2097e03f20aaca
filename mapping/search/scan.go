package search

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
)

// ownScanner is the scanner of `mmhex search` (AllOptions.OwnMappings):
// one read-only MAP_SHARED mapping of the searched range on a descriptor of
// its own (mapWhole; windows mapped chunk by chunk when that fails), faulted
// in by the kernel's fault-around as the search reads it (no MAP_POPULATE),
// released behind the scan. mapping.Scan maps its windows with MAP_POPULATE and
// advises MADV_COLD; on a 2 GiB file in the page cache with two workers that
// measured 300–330 ms against 230–240 ms this way, because populating holds
// the process's mmap lock while the other worker's munmap waits for it,
// where faults take per-VMA locks. Memory faults (the file shrank) are
// recovered and become errors, as in mapping.
type ownScanner struct {
	fh   *os.File
	fd   int
	page int64
	name string
	// whole, when mapWhole succeeded: one read-only mapping of the file
	// from wbase, shared by all workers (no mmap/munmap per chunk: munmap
	// takes the mmap lock for writing and shoots down TLBs).
	whole []byte
	wbase int64
}

func openOwnScanner(path string) (*ownScanner, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &ownScanner{fh: fh, fd: int(fh.Fd()), page: int64(os.Getpagesize()), name: mapping.DisplayName(path)}, nil
}

func (s *ownScanner) close() {
	if s.whole != nil {
		unix.Munmap(s.whole)
		s.whole = nil
	}
	s.fh.Close()
}

// mapWhole maps [off, end) of the file once (rounded out to pages), read-only
// and shared; scan then reads views of it, faulted in by the kernel's
// fault-around, and drops their page-table entries behind (MADV_DONTNEED:
// the process's memory stays a few chunks whatever the file size; the page
// cache keeps the data). MADV_POPULATE_READ ahead of each chunk measured
// slower (system time 0.13–0.15 s against 0.08 s for 2 GiB: it walks the
// pages one by one where a fault maps 16), MADV_HUGEPAGE changed nothing.
// On failure (address space) scan maps chunk by chunk.
func (s *ownScanner) mapWhole(off, end int64) {
	pa := off &^ (s.page - 1)
	if end <= pa || chunkedOnly {
		return
	}
	data, err := unix.Mmap(s.fd, pa, int(end-pa), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_NORESERVE)
	if err != nil {
		return
	}
	s.whole, s.wbase = data, pa
}

// wholeChunk is how much of the shared mapping is read between releases
// behind the scan: on 2 GiB in the page cache, 2–4 MiB took 395–410 ms of
// CPU against 435–445 ms with 8–16 MiB (the page-table entries and page
// structures being released are still in the cache).
const wholeChunk = 4 << 20

// chunkedOnly makes mapWhole fail (tests of the chunk-by-chunk way).
var chunkedOnly = false

// scan has mapping.Scan's contract (forward only): views of [off, end)
// chunk by chunk, consecutive chunks overlapping by ov bytes, holes skipped
// (data regions widened by ov) when skipHoles.
func (s *ownScanner) scan(off, end int64, ov int, skipHoles bool, chunk int64, fn func(base int64, b []byte) bool) error {
	if chunk <= 0 {
		chunk = mapping.DefaultChunk
		if s.whole != nil {
			chunk = wholeChunk
		}
	}
	o := int64(ov)
	chunk = max(chunk, 2*o+s.page)
	chunk = (chunk + s.page - 1) &^ (s.page - 1)
	regions := [][2]int64{{off, end}}
	if skipHoles {
		regions = s.dataRanges(off, end, o)
	}
	if s.whole != nil && off >= s.wbase && end <= s.wbase+int64(len(s.whole)) {
		return s.scanWhole(regions, o, chunk, fn)
	}
	for _, r := range regions {
		for a := r[0]; a < r[1]; {
			e := min(a+chunk, r[1])
			pa := a &^ (s.page - 1)
			data, err := unix.Mmap(s.fd, pa, int(e-pa), unix.PROT_READ, unix.MAP_SHARED)
			if err != nil {
				return fmt.Errorf("%s: scan: mmap at %#x: %w", s.name, pa, err)
			}
			unix.Madvise(data, unix.MADV_SEQUENTIAL)
			cont, err := faultSafe(func() bool { return fn(a, data[a-pa:]) })
			unix.Munmap(data)
			if err != nil {
				return fmt.Errorf("%s: at %#x: %w", s.name, a, err)
			}
			if !cont || e == r[1] {
				if !cont {
					return nil
				}
				break
			}
			a = e - o
		}
	}
	return nil
}

// scanWhole is scan through the shared mapping of the whole file.
func (s *ownScanner) scanWhole(regions [][2]int64, o, chunk int64, fn func(base int64, b []byte) bool) error {
	pg := s.page
	for _, r := range regions {
		for a := r[0]; a < r[1]; {
			e := min(a+chunk, r[1])
			pa := a &^ (pg - 1)
			cont, err := faultSafe(func() bool { return fn(a, s.whole[a-s.wbase:e-s.wbase]) })
			// Release behind: the pages the next chunk does not read again.
			if rel := (e - o) &^ (pg - 1); rel > pa {
				unix.Madvise(s.whole[pa-s.wbase:rel-s.wbase], unix.MADV_DONTNEED)
			}
			if err != nil {
				return fmt.Errorf("%s: at %#x: %w", s.name, a, err)
			}
			if !cont {
				return nil
			}
			if e == r[1] {
				break
			}
			a = e - o
		}
	}
	return nil
}

// dataRanges: the data of [off, end) (SEEK_DATA/SEEK_HOLE), each range
// widened by pad, merged; the whole range where holes cannot be asked for.
func (s *ownScanner) dataRanges(off, end, pad int64) [][2]int64 {
	var out [][2]int64
	for pos := off; pos < end; {
		d, err := unix.Seek(s.fd, pos, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) || (err == nil && d >= end) {
			break
		}
		if err != nil {
			return [][2]int64{{off, end}}
		}
		h, err := unix.Seek(s.fd, d, unix.SEEK_HOLE)
		if err != nil || h <= d {
			return [][2]int64{{off, end}}
		}
		a, b := max(d-pad, off), min(h+pad, end)
		if n := len(out); n > 0 && a <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], b)
		} else {
			out = append(out, [2]int64{a, b})
		}
		pos = h
	}
	return out
}

// ErrFault: a memory fault while reading a mapping (the file shrank).
var errFault = mapping.ErrFault

// faultSafe runs fn with SetPanicOnFault in this goroutine and turns a
// SIGBUS/SIGSEGV on mapped memory into an error wrapping mapping.ErrFault.
func faultSafe(fn func() bool) (cont bool, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(runtime.Error); !ok {
				panic(r)
			}
			if _, ok := r.(interface{ Addr() uintptr }); !ok {
				panic(r)
			}
			cont, err = false, errFault
		}
	}()
	return fn(), nil
}
