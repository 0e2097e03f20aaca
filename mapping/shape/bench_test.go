package shape

import (
	"context"
	"io"
	"os"
	"testing"

	"mmhex/mapping"
)

// BenchmarkStringsFile: SHAPE_BENCH_FILE (a file in the page cache).
func BenchmarkStringsFile(b *testing.B) {
	path := os.Getenv("SHAPE_BENCH_FILE")
	if path == "" {
		b.Skip("SHAPE_BENCH_FILE not set")
	}
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(f.Size())
	for b.Loop() {
		if err := Strings(context.Background(), f, 0, f.Size(), StringsOptions{Radix: 'x'}, io.Discard, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEntropyFile: SHAPE_BENCH_FILE, 64 KiB blocks.
func BenchmarkEntropyFile(b *testing.B) {
	path := os.Getenv("SHAPE_BENCH_FILE")
	if path == "" {
		b.Skip("SHAPE_BENCH_FILE not set")
	}
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(f.Size())
	for b.Loop() {
		n := 0
		if err := Entropy(context.Background(), f, 0, f.Size(), DefaultBlock, func(bs []Block) bool { n += len(bs); return true }, nil); err != nil {
			b.Fatal(err)
		}
	}
}
