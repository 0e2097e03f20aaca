package search

import (
	"os"
	"path/filepath"
	"testing"

	"mmhex/mapping/testenv"
)

// TestMain removes what the tests and benchmarks made once for the whole
// run: the built binary and the 256 MiB benchmark file.
func TestMain(m *testing.M) {
	cleanState := testenv.IsolateState()
	code := m.Run()
	cleanState()
	testenv.RemoveMmhexBinary()
	if benchPath != "" {
		os.RemoveAll(filepath.Dir(benchPath))
	}
	os.Exit(code)
}
