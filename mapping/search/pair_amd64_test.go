package search

import "testing"

// TestWithoutAVX2 runs the matcher tests with the pair filter off: the
// IndexByte anchor path (and its switch to the longest run) on long buffers.
func TestWithoutAVX2(t *testing.T) {
	old := hasPair
	hasPair = false
	defer func() { hasPair = old }()
	t.Run("naive", TestIndexAgainstNaive)
	t.Run("adaptive", TestIndexAdaptive)
	t.Run("pair", TestPairFilter)
}
