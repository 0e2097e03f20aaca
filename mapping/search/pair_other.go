//go:build !amd64

package search

const hasPair = false

func pairAVX2(p *byte, n int, d int, c1, o1, c2, o2 byte) int { panic("no AVX2") }
