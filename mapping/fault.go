package mapping

import (
	"runtime"
	"runtime/debug"
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

// safeFill sets every byte of dst to b; ok == false on a fault.
func safeFill(dst []byte, b byte) (ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !IsFault(r) {
				panic(r)
			}
			ok = false
		}
	}()
	if len(dst) == 0 {
		return true
	}
	dst[0] = b
	for n := 1; n < len(dst); n *= 2 {
		copy(dst[n:], dst[:n])
	}
	return true
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
