package hexfmt

import "golang.org/x/sys/cpu"

// hasXXDAVX: xxdRowsAVX can run (AVX: VEX-encoded SSE with unaligned
// memory operands).
var hasXXDAVX = cpu.X86.HasAVX

// xxdRowsAVX writes n xxd rows (68 bytes each, offsets off, off+16, ...,
// all below 1<<32) of the 16*n bytes at src to dst. In xxd_amd64.s.
//
//go:noescape
func xxdRowsAVX(dst *byte, src *byte, n int, off uint32)
