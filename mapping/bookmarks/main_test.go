package bookmarks

import (
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

// TestMain removes what the tests made once for the whole run: the built
// binary, and the state folder the tests run with.
func TestMain(m *testing.M) {
	cleanState := testenv.IsolateState()
	code := m.Run()
	cleanState()
	testenv.RemoveMmhexBinary()
	os.Exit(code)
}
