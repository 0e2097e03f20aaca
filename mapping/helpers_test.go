package mapping

import (
	"testing"
)

func open(t testing.TB, path string, o Options) *File {
	t.Helper()
	f, err := Open(path, o)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readAll(t testing.TB, f *File) []byte {
	t.Helper()
	b := make([]byte, f.Size())
	n, err := f.ReadAt(b, 0)
	if n != len(b) || (err != nil && len(b) != 0) {
		t.Fatalf("ReadAt all: n=%d err=%v", n, err)
	}
	return b
}
