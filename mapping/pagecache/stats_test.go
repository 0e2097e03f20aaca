package pagecache

import (
	"os"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

func TestStats(t *testing.T) {
	ps := int64(os.Getpagesize())
	p := testenv.WriteFile(t, "sparse", nil)
	if err := os.Truncate(p, 4<<30); err != nil {
		t.Fatal(err)
	}
	f := open(t, p, mapping.Options{})
	st, err := Stats(f, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pages != (4<<30)/ps || st.Resident != 0 || st.Cached != 0 || st.Dirty != 0 {
		t.Fatalf("fresh sparse file: %+v", st)
	}
	const at = 2560 << 20 // in the third GiB: Stats skips the uncached pieces
	f.ReadAt(make([]byte, 1), at)
	res, err := Residency(f, 0, -1)
	if err != nil || int64(len(res)) != st.Pages {
		t.Fatal(len(res), err)
	}
	n := 0
	for _, r := range res {
		if r {
			n++
		}
	}
	if !res[at/ps] || res[0] || n == 0 || n > 4096 {
		t.Fatalf("residency after one read: page resident %v, %d resident", res[at/ps], n)
	}
	if st, _ := Stats(f, 0, -1); st.Resident != int64(n) || st.Cached != int64(n) {
		t.Fatalf("Stats: %d resident, %d cached; mincore of every page says %d", st.Resident, st.Cached, n)
	}
	f.WriteAt([]byte{1}, 7*ps+3)
	st, _ = Stats(f, 7*ps, ps)
	if st.Pages != 1 || st.Resident != 1 || st.Cached != 1 || st.Dirty != 1 {
		t.Fatalf("edited page: %+v", st)
	}
	st, _ = Stats(f, 7*ps+4000, 200) // spans two pages
	if st.Pages != 2 {
		t.Fatalf("pages of a range across a border: %d", st.Pages)
	}
	if _, err := f.Sync(mapping.MSSync); err != nil {
		t.Fatal(err)
	}
	st, _ = Stats(f, 7*ps, ps)
	if st.Dirty != 0 || st.Writeback != 0 {
		t.Fatalf("after MS_SYNC: %+v", st)
	}
	js, _ := st.MarshalJSON()
	if string(js) != `{"pages":1,"resident":1,"cached":1,"dirty":0,"writeback":0,"evicted":0,"recently_evicted":0}` {
		t.Fatalf("JSON %s", js)
	}
	unk := PageStats{Pages: 3, Resident: Unknown, Cached: Unknown, Dirty: Unknown, Writeback: Unknown, Evicted: Unknown, RecentlyEvicted: Unknown}
	js, _ = unk.MarshalJSON()
	if string(js) != `{"pages":3,"resident":null,"cached":null,"dirty":null,"writeback":null,"evicted":null,"recently_evicted":null}` {
		t.Fatalf("JSON %s", js)
	}
	if FigureString(Unknown) != "unknown" || FigureString(0) != "0" {
		t.Fatal("FigureString")
	}
}

// BenchmarkStats measures Stats of a whole sparse file that is not in the
// page cache (cachestat lets it skip mincore) and of a 1 GiB range that is.
func BenchmarkStats(b *testing.B) {
	p := testenv.WriteFile(b, "huge", nil)
	if err := os.Truncate(p, 1<<40); err != nil {
		b.Skip("cannot make a 1 TiB sparse file here:", err)
	}
	f := open(b, p, mapping.Options{})
	b.Run("1TiB-uncached", func(b *testing.B) {
		for b.Loop() {
			if _, err := Stats(f, 0, -1); err != nil {
				b.Fatal(err)
			}
		}
	})
	f.Scan(0, 1<<30, mapping.ScanOptions{}, func(int64, []byte) bool { return true }) // bring 1 GiB in
	b.Run("1GiB-cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := Stats(f, 0, 1<<30); err != nil {
				b.Fatal(err)
			}
		}
	})
}
