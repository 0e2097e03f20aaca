//go:build ignore

// folios.go — how the page cache holds a file: the sizes of the folios
// (the kernel's units of page cache) its pages are in. Large folios are
// mapped with fewer page faults and, at 2 MiB, by one page-table entry
// (fewer TLB misses), which is why `mmhex search` is faster on a file read
// from disk (readahead makes large folios) than on one just written by
// small write() calls. Needs root (/proc/kpageflags); prints one line.
//
//	go run bench/folios.go FILE
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run bench/folios.go FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "folios:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return fmt.Errorf("%s: empty or unreadable", path)
	}
	pm, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return err
	}
	defer pm.Close()
	kf, err := os.Open("/proc/kpageflags")
	if err != nil {
		return err
	}
	defer kf.Close()
	const page = 4096
	const chunk = 64 << 20
	sizes := map[int64]int64{} // folio pages -> count
	absent := int64(0)
	run := int64(0) // pages of the folio being counted
	flush := func() {
		if run > 0 {
			sizes[run]++
		}
		run = 0
	}
	e := make([]byte, 8)
	for off := int64(0); off < st.Size(); off += chunk {
		n := min(chunk, st.Size()-off)
		// Only cached pages are touched (mincore first): no I/O, and a
		// folio never crosses a 64 MiB boundary (folios are aligned).
		m, err := unix.Mmap(int(f.Fd()), off, int(n), unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			return err
		}
		vec := make([]byte, (n+page-1)/page)
		if err := mincore(m, vec); err != nil {
			unix.Munmap(m)
			return err
		}
		for i := range vec {
			if vec[i]&1 == 0 {
				flush()
				absent++
				continue
			}
			sink += m[int64(i)*page] // fault the page in (it is cached: no I/O)
			va := uintptr(unsafe.Pointer(&m[0])) + uintptr(i)*page
			if _, err := pm.ReadAt(e, int64(va/page)*8); err != nil {
				unix.Munmap(m)
				return err
			}
			ent := binary.LittleEndian.Uint64(e)
			pfn := ent & (1<<55 - 1)
			if ent>>63 == 0 || pfn == 0 {
				unix.Munmap(m)
				return fmt.Errorf("no page frame numbers in pagemap (run as root)")
			}
			if _, err := kf.ReadAt(e, int64(pfn)*8); err != nil {
				unix.Munmap(m)
				return err
			}
			flags := binary.LittleEndian.Uint64(e)
			if flags>>16&1 == 0 { // not a tail page: a new folio
				flush()
			}
			run++
		}
		flush()
		unix.Munmap(m)
	}
	var parts []string
	for p := int64(1); p <= 1<<18; p <<= 1 {
		var c int64
		for s, k := range sizes {
			if s > p/2 && s <= p {
				c += k
			}
		}
		if c > 0 {
			parts = append(parts, fmt.Sprintf("%s ×%d", kib(p*page), c))
		}
	}
	fmt.Printf("folios of %s: %s; not cached: %d pages\n", path, strings.Join(parts, ", "), absent)
	return nil
}

var sink byte

func kib(b int64) string {
	if b >= 1<<20 {
		return fmt.Sprintf("%d MiB", b>>20)
	}
	return fmt.Sprintf("%d KiB", b>>10)
}

func mincore(m []byte, vec []byte) error {
	_, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0])))
	if e != 0 {
		return e
	}
	return nil
}
