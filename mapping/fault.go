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

// safeCall runs fn with faults turned into ok == false.
func safeCall(fn func() bool) (cont, ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !IsFault(r) {
				panic(r)
			}
			cont, ok = false, false
		}
	}()
	return fn(), true
}
