package pagecache

import (
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

func TestMain(m *testing.M) {
	cleanup := testenv.IsolateState()
	code := m.Run()
	cleanup()
	os.Exit(code)
}
