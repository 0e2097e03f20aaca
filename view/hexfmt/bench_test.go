package hexfmt

import (
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// benchData is 64 MiB of random bytes (worst case: no `*` folding), made
// by the first benchmark that needs it (tests must not carry it: it would
// show in the memory figures of the processes they start).
var benchData []byte

func initBenchData() {
	if benchData == nil {
		benchData = make([]byte, 64<<20)
		rand.New(rand.NewSource(64)).Read(benchData)
	}
}

// benchDump formats benchData in 16 MiB writes (mapping.DefaultChunk) to
// io.Discard; b.SetBytes is the input size, so MB/s is input bytes.
func benchDump(b *testing.B, o Options) {
	initBenchData()
	b.SetBytes(int64(len(benchData)))
	b.ReportAllocs()
	cpu0 := testenv.CPUTime()
	defer func() {
		// throughput per CPU second: what one core does, whatever else
		// the machine is running
		if c := testenv.CPUTime() - cpu0; c > 0 {
			b.ReportMetric(float64(len(benchData))*float64(b.N)/c.Seconds()/1e6, "MB/cpu-s")
		}
	}()
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
	initBenchData()
	saved := benchData
	benchData = make([]byte, len(saved))
	defer func() { benchData = saved }()
	benchDump(b, Options{Format: Canonical})
}

// benchFile is a real file holding benchData, opened through mapping.
func benchFile(b *testing.B) *mapping.File {
	initBenchData()
	p := filepath.Join(b.TempDir(), "bench")
	if err := os.WriteFile(p, benchData, 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

// BenchmarkDumpFile: the whole path of `mmhex dump` (Scan, format, write)
// on a 64 MiB file in the page cache.
func BenchmarkDumpFile(b *testing.B) {
	f := benchFile(b)
	for _, format := range []Format{Canonical, XXD, Plain} {
		b.Run(format.String(), func(b *testing.B) {
			b.SetBytes(f.Size())
			for i := 0; i < b.N; i++ {
				if err := DumpFile(io.Discard, f, 0, -1, Options{Format: format}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDumpSparse: 4 KiB at the start and at the end of a 64 GiB sparse
// file cost the same.
func BenchmarkDumpSparse(b *testing.B) {
	p := filepath.Join(b.TempDir(), "sparse")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Truncate(p, 64<<30); err != nil {
		b.Fatal(err)
	}
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		name string
		off  int64
	}{{"first4K", 0}, {"last4K", 64<<30 - 4096}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := DumpFile(io.Discard, f, c.off, 4096, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
