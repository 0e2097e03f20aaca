package search

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

const needle = "mmhex-needle-7f3a9c"

var (
	benchOnce sync.Once
	benchPath string
)

// benchFile is a 256 MiB file of real machine code (the test binary,
// repeated) with the needle once, near the end; read once so it is in the
// page cache.
func benchFile(b *testing.B) string {
	benchOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			b.Fatal(err)
		}
		code, err := os.ReadFile(exe)
		if err != nil {
			b.Fatal(err)
		}
		dir, err := os.MkdirTemp("", "mmhex-search-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchPath = filepath.Join(dir, "code.bin")
		const size = 256 << 20
		buf := make([]byte, 0, size)
		for len(buf) < size {
			buf = append(buf, code[:min(len(code), size-len(buf))]...)
		}
		// The test binary holds the needle itself (a constant): scrub
		// every "mmhex-" in either case so the only match is ours.
		for i := 0; ; {
			j := mustText(b, "mmhex-", true).Index(buf[i:])
			if j < 0 {
				break
			}
			copy(buf[i+j:], "MMHEQ_")
			i += j + 1
		}
		copy(buf[size-1000:], needle)
		if err := os.WriteFile(benchPath, buf, 0o644); err != nil {
			b.Fatal(err)
		}
	})
	if benchPath == "" {
		b.Fatal("no bench file")
	}
	return benchPath
}

func benchFind(b *testing.B, p *Pattern, o Options) {
	path := benchFile(b)
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	from := int64(0)
	if o.Reverse {
		from = f.Size()
	}
	b.SetBytes(f.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Find(context.Background(), f, p, from, o)
		if err != nil || r.Offset != f.Size()-1000 {
			b.Fatalf("Find = %+v, %v", r, err)
		}
	}
}

// BenchmarkFind* is the interactive search: forward from 0 to a match near
// the end of a 256 MiB file in the page cache, on every core (segments of
// 64 MiB; FindText/workers=1 on the calling goroutine only).
func BenchmarkFindText(b *testing.B) {
	b.Run("workers=1", func(b *testing.B) { benchFind(b, mustText(b, needle, false), Options{Workers: 1}) })
	b.Run("workers=all", func(b *testing.B) { benchFind(b, mustText(b, needle, false), Options{}) })
}
func BenchmarkFindFold(b *testing.B) {
	benchFind(b, mustText(b, "MMHEX-Needle-7F3A9C", true), Options{})
}
func BenchmarkFindWildcard(b *testing.B) {
	benchFind(b, mustHex(b, "6d 6d 68 65 78 2d ?? ?? 65 64 6c 65"), Options{})
}
func BenchmarkFindReverse(b *testing.B) {
	b.Run("workers=1", func(b *testing.B) { benchFindReverse(b, Options{Reverse: true, Workers: 1}) })
	b.Run("workers=all", func(b *testing.B) { benchFindReverse(b, Options{Reverse: true}) })
}

func benchFindReverse(b *testing.B, o Options) {
	// Backward from the end to the match ... near the end: search from
	// just before it instead, so the whole file is read.
	p := mustText(b, needle[:5]+"X", false)
	path := benchFile(b)
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(f.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Find(context.Background(), f, p, f.Size(), o); err == nil {
			b.Fatal("found")
		}
	}
}

// BenchmarkCount is the CLI: FindAll over the whole file (through
// mapping.File.Sweep) with one and with every core.
func BenchmarkCount(b *testing.B) {
	path := benchFile(b)
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	p := mustText(b, needle, false)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.SetBytes(f.Size())
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c, err := Count(context.Background(), f, p, 0, f.Size(), 0, AllOptions{Workers: w})
				if err != nil || c != 1 {
					b.Fatalf("Count = %d, %v", c, err)
				}
			}
		})
	}
}

// BenchmarkIndexMemory: the matcher alone on 256 MiB in memory.
func BenchmarkIndexMemory(b *testing.B) {
	data, err := os.ReadFile(benchFile(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		p    *Pattern
	}{
		{"text", mustText(b, needle, false)},
		{"fold", mustText(b, needle, true)},
		{"wildcard", mustHex(b, "6d 6d 68 65 78 2d ?? ?? 65 64 6c 65")},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := c.p.Tuned(data)
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if p.Index(data) != len(data)-1000 {
					b.Fatal("wrong")
				}
			}
		})
	}
}

// BenchmarkSparse64G: a 64 GiB sparse file with one match near the end,
// searched from offset 0: holes are skipped (SEEK_DATA), so this costs
// about as much as a small file.
func BenchmarkSparse64G(b *testing.B) {
	const size = 64 << 30
	path := sparse(b, size, map[int64]string{size - 1000: needle, 1 << 30: "data"})
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	p := mustText(b, needle, false)
	b.Run("Find", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			r, err := Find(context.Background(), f, p, 0, Options{})
			if err != nil || r.Offset != size-1000 {
				b.Fatalf("Find = %+v, %v", r, err)
			}
		}
	})
	b.Run("FindAll", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			c, err := Count(context.Background(), f, p, 0, size, 0, AllOptions{})
			if err != nil || c != 1 {
				b.Fatalf("Count = %d, %v", c, err)
			}
		}
	})
}

// reportMatches reports matches/s (wall) and matches/cpu-s (per CPU second
// of the process: what the work costs whatever else the machine runs).
func reportMatches(b *testing.B, matches int64, cpu0 time.Duration) {
	total := float64(matches) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "matches/s")
	if cpu := (testenv.CPUTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(total/cpu, "matches/cpu-s")
	}
}

// BenchmarkDense: every match of patterns that match nearly everywhere
// (`aa` in 64 MiB of `a`: a match at every byte), counted (Count: no
// offsets kept) and listed (FindAllBatches), reported in matches/s and
// matches per CPU second.
func BenchmarkDense(b *testing.B) {
	const size = 64 << 20
	path := filepath.Join(b.TempDir(), "dense")
	if err := os.WriteFile(path, bytes.Repeat([]byte("a"), size), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		name string
		p    *Pattern
		want int64
	}{
		{"aa", mustText(b, "aa", false), size - 1},
		{"fold-AAAA", mustText(b, "AAAA", true), size - 3},
		{"wildcard-61??61", mustHex(b, "61 ?? 61"), size - 2},
		{"long-a*12", mustText(b, "aaaaaaaaaaaa", false), size - 11},
	} {
		for _, w := range []int{1, 0} {
			name := fmt.Sprintf("%s/workers=%d", c.name, w)
			if w == 0 {
				name = c.name + "/workers=all"
			}
			b.Run("Count/"+name, func(b *testing.B) {
				cpu0 := testenv.CPUTime()
				for i := 0; i < b.N; i++ {
					n, err := Count(context.Background(), f, c.p, 0, size, 0, AllOptions{Workers: w})
					if err != nil || n != c.want {
						b.Fatalf("Count = %d, %v; want %d", n, err, c.want)
					}
				}
				reportMatches(b, c.want, cpu0)
			})
			b.Run("List/"+name, func(b *testing.B) {
				cpu0 := testenv.CPUTime()
				for i := 0; i < b.N; i++ {
					var n int64
					err := FindAllBatches(context.Background(), f, c.p, 0, size, AllOptions{Workers: w}, func(batch []int64) bool {
						n += int64(len(batch))
						return true
					})
					if err != nil || n != c.want {
						b.Fatalf("FindAllBatches: %d, %v; want %d", n, err, c.want)
					}
				}
				reportMatches(b, c.want, cpu0)
			})
		}
	}
}
