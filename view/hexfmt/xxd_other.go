//go:build !amd64

package hexfmt

const hasXXDAVX = false

func xxdRowsAVX(dst *byte, src *byte, n int, off uint32) {
	panic("xxdRowsAVX: not on this architecture")
}
