package structure

import (
	"os"
	"testing"

	"mmhex/mapping/testenv"
	"mmhex/mapping/testenv/tmux"
)

// TestMain keeps the durable journals of the files these tests edit out
// of the real home.
func TestMain(m *testing.M) {
	cleanState := testenv.IsolateState()
	code := m.Run()
	cleanState()
	tmux.Cleanup() // the mmhex binary TestTmuxEditEntry built
	os.Exit(code)
}
