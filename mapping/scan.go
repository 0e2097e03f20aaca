package mapping

import (
	"cmp"
	"slices"

	"golang.org/x/sys/unix"
)

// DefaultChunk is the scan chunk size when ScanOptions.Chunk is 0.
const DefaultChunk int64 = 16 << 20

// ScanOptions control Scan.
type ScanOptions struct {
	Overlap   int   // consecutive chunks share this many bytes (pattern length - 1)
	Reverse   bool  // hand out chunks from the end towards the start
	SkipHoles bool  // skip holes of sparse files (SEEK_DATA/SEEK_HOLE); the bytes there are zeros
	Chunk     int64 // bytes per chunk, rounded up to pages; 0 = DefaultChunk (Sweep: SweepChunk)

	chunked bool // Sweep: map chunk by chunk, as when the range cannot be mapped at once (tests)
}

type brange struct{ a, b int64 } // bytes [a, b)

// Scan hands out read-only views of [off, end) (clipped to the file),
// chunk by chunk, forward or (o.Reverse) backward, to fn(base, b) where b
// holds the bytes at file offset base. Consecutive chunks overlap by
// o.Overlap bytes, so a match of up to Overlap+1 bytes is whole in some
// chunk. With o.SkipHoles, holes are skipped (each data region is widened
// by Overlap so matches that touch it are still seen). fn returns false to
// stop. b is valid only inside fn and must not be written.
//
// Scan maps its own read-only windows (MAP_POPULATE, MADV_SEQUENTIAL) and
// releases them behind it (MADV_COLD, munmap), so memory use does not grow
// with the file and the caller's window is never remapped. In private mode,
// chunks that hold private edits are copied through the private mapping.
// A memory fault in fn (the file shrank) ends the scan with an error
// wrapping ErrFault. Do not call Close from fn.
func (f *File) Scan(off, end int64, o ScanOptions, fn func(base int64, b []byte) bool) error {
	f.busy.RLock()
	defer f.busy.RUnlock()
	fd, regions, ov, chunk, err := f.scanPlan(off, end, o, DefaultChunk)
	if err != nil {
		return err
	}
	s := &scanner{f: f, fd: fd, fn: fn}
	if !o.Reverse {
		for _, r := range regions {
			for a := r.a; a < r.b; {
				e := min(a+chunk, r.b)
				if cont, err := s.chunk(a, e); err != nil || !cont {
					return err
				}
				if e == r.b {
					break
				}
				a = e - ov
			}
		}
		return nil
	}
	for i := len(regions) - 1; i >= 0; i-- {
		r := regions[i]
		for e := r.b; e > r.a; {
			a := max(e-chunk, r.a)
			if cont, err := s.chunk(a, e); err != nil || !cont {
				return err
			}
			if a == r.a {
				break
			}
			e = a + ov
		}
	}
	return nil
}

// scanPlan is what Scan and Sweep share (f.busy read-locked): the
// descriptor, the regions of [off, end) (clipped to the file; with
// o.SkipHoles the data regions widened by the overlap, and in private mode
// the privately edited pages too) to hand out, the overlap and the chunk
// (o.Chunk or def, at least two overlaps and a page, whole pages). No
// regions when the range is empty.
func (f *File) scanPlan(off, end int64, o ScanOptions, def int64) (fd int, regions []brange, ov, chunk int64, err error) {
	fd, size, err := f.snapshot()
	if err != nil {
		return 0, nil, 0, 0, err
	}
	off = max(off, 0)
	end = min(end, size)
	if off >= end {
		return fd, nil, 0, 0, nil
	}
	ov = int64(max(o.Overlap, 0))
	chunk = o.Chunk
	if chunk <= 0 {
		chunk = def
	}
	chunk = max(chunk, 2*ov+f.page)
	chunk = (chunk + f.page - 1) &^ (f.page - 1)
	if !o.SkipHoles {
		return fd, []brange{{off, end}}, ov, chunk, nil
	}
	var priv []prange
	if f.mode == Private {
		f.lockRead()
		priv = f.j.privPages.ranges()
		f.mu.Unlock()
	}
	return fd, f.dataRanges(off, end, ov, priv), ov, chunk, nil
}

type scanner struct {
	f   *File
	fd  int
	fn  func(int64, []byte) bool
	buf []byte
}

// chunk hands [a, e) to fn.
func (s *scanner) chunk(a, e int64) (bool, error) {
	f := s.f
	if f.mode == Private {
		f.lockRead()
		edited := f.j.privPages.overlaps(a/f.page, (e+f.page-1)/f.page)
		if edited {
			if int64(cap(s.buf)) < e-a {
				s.buf = make([]byte, e-a)
			}
			b := s.buf[:e-a]
			n, err := f.readAtLocked(b, a)
			f.mu.Unlock()
			if n == 0 && err != nil {
				return false, err
			}
			return s.call(a, b[:n])
		}
		f.mu.Unlock()
	}
	// Clip to the current size: the file may have shrunk.
	if size := f.Size(); e > size {
		e = size
		if a >= e {
			return false, nil
		}
	}
	pa := a &^ (f.page - 1)
	data, err := unix.Mmap(s.fd, pa, int(e-pa), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return false, f.errf("scan: mmap at %#x: %w", pa, err)
	}
	unix.Madvise(data, unix.MADV_SEQUENTIAL)
	cont, err := s.call(a, data[a-pa:])
	// Release the pages behind the scan: MADV_COLD moves clean file pages
	// to the inactive list (dirty data is never dropped), munmap drops
	// this process's page table entries.
	unix.Madvise(data, unix.MADV_COLD)
	unix.Munmap(data)
	return cont, err
}

func (s *scanner) call(base int64, b []byte) (bool, error) {
	cont, ok, at := safeCall(b, func() bool { return s.fn(base, b) })
	if !ok {
		s.f.lockRead()
		err := s.f.faulted(base+int64(at), false)
		s.f.mu.Unlock()
		return false, err
	}
	return cont, nil
}

// dataRanges returns the parts of [off, end) that hold data (not holes),
// each widened by pad bytes on both sides and merged. The pages in priv
// (private edits) count as data. Where SEEK_DATA is not supported the
// whole range is data. It does not take f.mu.
func (f *File) dataRanges(off, end, pad int64, priv []prange) []brange {
	var out []brange
	add := func(a, b int64) {
		a, b = max(a-pad, off), min(b+pad, end)
		if a >= b {
			return
		}
		if n := len(out); n > 0 && a <= out[n-1].b {
			out[n-1].b = max(out[n-1].b, b)
			return
		}
		out = append(out, brange{a, b})
	}
	var data []brange
	for pos := off; pos < end; {
		d, err := unix.Seek(f.fd, pos, unix.SEEK_DATA)
		if err == unix.ENXIO {
			break // only a hole up to the end
		}
		if err != nil {
			return []brange{{off, end}}
		}
		if d >= end {
			break
		}
		h, err := unix.Seek(f.fd, d, unix.SEEK_HOLE)
		if err != nil {
			return []brange{{off, end}}
		}
		data = append(data, brange{d, min(h, end)})
		pos = h
	}
	if len(priv) > 0 {
		for _, r := range priv {
			data = append(data, brange{r.a * f.page, r.b * f.page})
		}
		slices.SortFunc(data, func(x, y brange) int { return cmp.Compare(x.a, y.a) })
	}
	for _, r := range data {
		add(r.a, r.b)
	}
	return out
}

// SweepChunk is Sweep's chunk when ScanOptions.Chunk is 0: how much of its
// mapping is read between releases behind. On 2 GiB in the page cache,
// 2–4 MiB took 395–410 ms of CPU against 435–445 ms with 8–16 MiB (the
// page-table entries and page structures being released are still in the
// cache).
const SweepChunk int64 = 4 << 20

// Sweep is Scan forward, for a reader that goes through a range once as
// fast as it can (`mmhex search`): the same views, overlap, hole skipping,
// fault handling and lock, through the descriptor f was opened with (never
// the path again: a file renamed over the path changes nothing). The
// difference is how the bytes are mapped: [off, end) is mapped once,
// read-only and shared, without MAP_POPULATE; the views are faulted in by
// the kernel's fault-around as fn reads them, and the pages behind are
// dropped from the process (MADV_DONTNEED; the page cache keeps them), so
// memory stays a few chunks whatever the range. Scan's MAP_POPULATE holds
// the process's mmap lock while another goroutine's munmap waits for it,
// where faults take per-VMA locks: on a 2 GiB file in the page cache with
// two goroutines sweeping, 230–240 ms against Scan's 300–330 ms.
// Several goroutines may Sweep ranges of one File at once. When the range
// cannot be mapped at once (address space), it is mapped chunk by chunk.
// In private mode, and with o.Reverse, Sweep is Scan.
func (f *File) Sweep(off, end int64, o ScanOptions, fn func(base int64, b []byte) bool) error {
	if o.Reverse || f.mode == Private {
		return f.Scan(off, end, o, fn)
	}
	f.busy.RLock()
	defer f.busy.RUnlock()
	fd, regions, ov, chunk, err := f.scanPlan(off, end, o, SweepChunk)
	if err != nil {
		return err
	}
	if len(regions) == 0 {
		return nil
	}
	pa := regions[0].a &^ (f.page - 1)
	last := regions[len(regions)-1].b
	var whole []byte
	if !o.chunked {
		whole, _ = unix.Mmap(fd, pa, int(last-pa), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_NORESERVE)
	}
	if whole != nil {
		defer unix.Munmap(whole)
	}
	s := &scanner{f: f, fd: fd, fn: fn}
	for _, r := range regions {
		for a := r.a; a < r.b; {
			e := min(a+chunk, r.b)
			var cont bool
			var err error
			if whole == nil {
				cont, err = s.sweepChunk(a, e)
			} else {
				cont, err = s.call(a, whole[a-pa:e-pa])
				// Release behind: the pages the next view does not read again.
				if ca, rel := a&^(f.page-1), (e-ov)&^(f.page-1); rel > ca {
					unix.Madvise(whole[ca-pa:rel-pa], unix.MADV_DONTNEED)
				}
			}
			if err != nil || !cont {
				return err
			}
			if e == r.b {
				break
			}
			a = e - ov
		}
	}
	return nil
}

// sweepChunk maps [a, e) on its own (not populated) and hands it to fn.
func (s *scanner) sweepChunk(a, e int64) (bool, error) {
	f := s.f
	pa := a &^ (f.page - 1)
	data, err := unix.Mmap(s.fd, pa, int(e-pa), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return false, f.errf("scan: mmap at %#x: %w", pa, err)
	}
	unix.Madvise(data, unix.MADV_SEQUENTIAL)
	cont, err := s.call(a, data[a-pa:])
	unix.Munmap(data)
	return cont, err
}
