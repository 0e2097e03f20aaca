package mapping

import (
	"os"
	"runtime"
	"runtime/debug"
	"unsafe"
)

// IsFault reports whether a recovered panic value is a memory fault (a
// SIGBUS or SIGSEGV on mapped memory: the file shrank, the disk failed)
// turned into a panic by debug.SetPanicOnFault. It is the one such test of
// the program: a recover that reads mapped memory re-panics on anything
// else.
func IsFault(r any) bool {
	if _, ok := r.(runtime.Error); !ok {
		return false
	}
	_, ok := r.(interface{ Addr() uintptr })
	return ok
}

var sysPage = os.Getpagesize()

// toPage returns how many bytes from p reach the next page boundary.
func toPage(p []byte) int {
	a := int(uintptr(unsafe.Pointer(unsafe.SliceData(p))))
	return sysPage - a&(sysPage-1)
}

// safeCopy copies src to dst, turning a SIGBUS/SIGSEGV into ok == false.
// SetPanicOnFault is per goroutine, so it is set here, for this call only.
func safeCopy(dst, src []byte) (n int, ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !IsFault(r) {
				panic(r)
			}
			n, ok = 0, false
		}
	}()
	return copy(dst, src), true
}

// copyMapped copies src to dst, one of which is mapped memory, a page of
// the mapping at a time. On a fault ok is false and n is the number of
// bytes copied: those before the page that faulted (a page faults as a
// whole), so a store that faults part-way reports exactly what it stored.
func copyMapped(dst, src, m []byte) (n int, ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !IsFault(r) {
				panic(r)
			}
			ok = false
		}
	}()
	l := min(len(dst), len(src))
	for n < l {
		c := min(toPage(m[n:]), l-n)
		copy(dst[n:n+c], src[n:n+c])
		n += c
	}
	return n, true
}

// safeCall runs fn, which reads the mapped m, with faults turned into
// ok == false; at is then the offset in m of the page that faulted.
func safeCall(m []byte, fn func() bool) (cont, ok bool, at int) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !IsFault(r) {
				panic(r)
			}
			cont, ok, at = false, false, pageIn(r, m)
		}
	}()
	return fn(), true, 0
}

// pageIn returns the offset in m of the page that holds the fault address
// of r (0 when it is not in m).
func pageIn(r any, m []byte) int {
	a, ok := r.(interface{ Addr() uintptr })
	if !ok || len(m) == 0 {
		return 0
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	p := a.Addr() &^ uintptr(sysPage-1)
	if p <= base || p-base >= uintptr(len(m)) {
		return 0
	}
	return int(p - base)
}
