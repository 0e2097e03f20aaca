package pagecache

import (
	"testing"

	"mmhex/mapping"
)

func open(t testing.TB, path string, o mapping.Options) *mapping.File {
	t.Helper()
	f, err := mapping.Open(path, o)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
