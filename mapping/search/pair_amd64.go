package search

import "golang.org/x/sys/cpu"

// hasPair: the AVX2 pair filter can run here.
var hasPair = cpu.X86.HasAVX2

//go:noescape
func pairAVX2(p *byte, n int, d int, c1, o1, c2, o2 byte) int
