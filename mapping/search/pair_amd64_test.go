package search

import "testing"

// TestWithoutAVX2 runs the matcher tests with the pair filter off (each
// pattern's noPair): the IndexByte anchor path (and its switch to the
// longest run) on long buffers.
func TestWithoutAVX2(t *testing.T) {
	t.Run("naive", func(t *testing.T) { indexAgainstNaive(t, true) })
	t.Run("adaptive", func(t *testing.T) { indexAdaptive(t, true) })
	t.Run("pair", func(t *testing.T) { pairFilter(t, true) })
}
