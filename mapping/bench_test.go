package mapping

import (
	"fmt"
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

// BenchmarkReadAt reads 4 KiB at offsets that stride across windows: with
// one-page windows every read remaps (munmap + mmap), with the default
// window none does.
func BenchmarkReadAt(b *testing.B) {
	ps := int64(os.Getpagesize())
	const pages = 256
	p := testenv.WriteFile(b, "r.bin", testenv.Pattern(int(pages*ps), 20))
	for _, w := range testenv.Windows {
		for _, n := range []int64{64, ps} {
			b.Run(fmt.Sprintf("window=%s/read=%d", w.Name, n), func(b *testing.B) {
				f := open(b, p, Options{Window: w.Size})
				buf := make([]byte, n)
				b.SetBytes(n)
				i := int64(0)
				for b.Loop() {
					off := (i*7919*ps + ps - n/2) % ((pages - 1) * ps) // crosses a page border
					if _, err := f.ReadAt(buf, off); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkSync measures Sync(MS_SYNC) of 1 and of 1000 scattered dirty
// pages (one byte edited in every 7th page of a 28 MiB file), with the
// default window and one-page windows (each run of pages mapped again).
func BenchmarkSync(b *testing.B) {
	ps := int64(os.Getpagesize())
	const pages = 7000
	p := testenv.WriteFile(b, "s.bin", make([]byte, pages*ps))
	for _, w := range testenv.Windows {
		for _, dirty := range []int{1, 1000} {
			for _, mode := range []SyncMode{MSSync, MSAsync} {
				b.Run(fmt.Sprintf("window=%s/pages=%d/%v", w.Name, dirty, mode), func(b *testing.B) {
					f := open(b, p, Options{Window: w.Size})
					v := byte(0)
					for b.Loop() {
						b.StopTimer()
						v++
						for k := 0; k < dirty; k++ {
							if _, err := f.WriteAt([]byte{v}, int64(k)*7*ps+int64(k%100)); err != nil {
								b.Fatal(err)
							}
						}
						b.StartTimer()
						res, err := f.Sync(mode)
						if err != nil || res.Pages != dirty {
							b.Fatalf("Sync = %+v, %v", res, err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkScan measures a forward scan of 256 MiB of page-cached data.
func BenchmarkScan(b *testing.B) {
	const size = 256 << 20
	p := testenv.WriteFile(b, "scan.bin", testenv.Pattern(size, 21))
	f := open(b, p, Options{})
	b.SetBytes(size)
	for b.Loop() {
		var sum byte
		f.Scan(0, size, ScanOptions{}, func(_ int64, c []byte) bool {
			sum += c[len(c)-1]
			return true
		})
	}
}
