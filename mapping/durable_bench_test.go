package mapping

import (
	"testing"

	"mmhex/mapping/testenv"
)

// BenchmarkDurableTyping is the durable journal's cost on the key path, on
// a disk (not /dev/shm): one op is one typed byte, two hex digits: a store
// of the first digit (its old byte saved with one fdatasync) and the
// second (Amend: appended, no fdatasync). "covered" types over bytes typed
// before since the last sync: no fdatasync at all.
func BenchmarkDurableTyping(b *testing.B) {
	for _, covered := range []bool{false, true} {
		name := "new-bytes"
		if covered {
			name = "covered"
		}
		b.Run(name, func(b *testing.B) {
			diskStateB(b)
			path := testenv.WriteFile(b, "f", make([]byte, 64<<20))
			f, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			if covered {
				if err := f.Fill(0, 1<<20, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				off := int64(i) % (1 << 20)
				if !covered {
					off = int64(i) % (64 << 20)
				}
				if _, err := f.WriteAt([]byte{0x30}, off); err != nil {
					b.Fatal(err)
				}
				if err := f.Amend([]byte{0x3c}, off, []byte{0x30}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(f.d.w.Syncs())/float64(b.N), "fdatasync/byte")
		})
	}
}
