package hexfmt

import (
	"io"
	"math/rand"
	"testing"
)

// benchData is 64 MiB of random bytes (worst case: no `*` folding).
var benchData = func() []byte {
	b := make([]byte, 64<<20)
	rand.New(rand.NewSource(64)).Read(b)
	return b
}()

// benchDump formats benchData in 16 MiB writes (mapping.DefaultChunk) to
// io.Discard; b.SetBytes is the input size, so MB/s is input bytes.
func benchDump(b *testing.B, o Options) {
	b.SetBytes(int64(len(benchData)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d := NewDumper(io.Discard, 0, o)
		for p := benchData; len(p) > 0; {
			n := min(len(p), 16<<20)
			if _, err := d.Write(p[:n]); err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
		if err := d.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCanonical(b *testing.B)        { benchDump(b, Options{Format: Canonical}) }
func BenchmarkCanonical1Worker(b *testing.B) { benchDump(b, Options{Format: Canonical, Workers: 1}) }
func BenchmarkCanonicalColor(b *testing.B)   { benchDump(b, Options{Format: Canonical, Color: true}) }
func BenchmarkXXD(b *testing.B)              { benchDump(b, Options{Format: XXD}) }
func BenchmarkXXD1Worker(b *testing.B)       { benchDump(b, Options{Format: XXD, Workers: 1}) }
func BenchmarkPlain(b *testing.B)            { benchDump(b, Options{Format: Plain}) }
func BenchmarkPlain1Worker(b *testing.B)     { benchDump(b, Options{Format: Plain, Workers: 1}) }

// BenchmarkCanonicalZeros: all rows fold into one `*` (a sparse file's hole).
func BenchmarkCanonicalZeros(b *testing.B) {
	saved := benchData
	benchData = make([]byte, len(saved))
	defer func() { benchData = saved }()
	benchDump(b, Options{Format: Canonical})
}
