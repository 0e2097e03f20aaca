package pagecache

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"mmhex/mapping"
)

// pattern returns n deterministic pseudo-random bytes.
func pattern(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// writeFile makes a file with content in t.TempDir() on the real filesystem.
func writeFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func open(t testing.TB, path string, o mapping.Options) *mapping.File {
	t.Helper()
	f, err := mapping.Open(path, o)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustEqual(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s: differs at byte %d (len got %d, want %d)", what, i, len(got), len(want))
	}
}

// windows are the window sizes the disk tests run with: one page (so
// window borders are crossed all the time), three pages, and the default.
var windows = []struct {
	name string
	size int64
}{{"onepage", int64(os.Getpagesize())}, {"threepages", 3 * int64(os.Getpagesize())}, {"default", 0},
	{"huge", math.MaxInt64}}
