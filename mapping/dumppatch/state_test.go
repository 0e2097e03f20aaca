package dumppatch

import (
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

// TestMain keeps the durable journals of the files these tests edit out
// of the real home.
func TestMain(m *testing.M) {
	cleanState := testenv.IsolateState()
	code := m.Run()
	cleanState()
	testenv.RemoveMmhexBinary()
	os.Exit(code)
}
