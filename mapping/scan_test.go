package mapping

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

type chunk struct {
	base int64
	b    []byte
}

func collect(t *testing.T, f *File, off, end int64, o ScanOptions) []chunk {
	t.Helper()
	var out []chunk
	err := f.Scan(off, end, o, func(base int64, b []byte) bool {
		out = append(out, chunk{base, append([]byte(nil), b...)})
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestScanChunks(t *testing.T) {
	ps := int64(os.Getpagesize())
	content := testenv.Pattern(int(10*ps+77), 11)
	p := testenv.WriteFile(t, "s.bin", content)
	f := open(t, p, Options{Window: ps})
	wo, wl := f.Window()
	for _, o := range []ScanOptions{
		{Chunk: ps, Overlap: 0},
		{Chunk: 3 * ps, Overlap: 5},
		{Chunk: 2 * ps, Overlap: 100, Reverse: true},
		{Chunk: 1, Overlap: 3000}, // chunk grows to hold the overlap
		{},
	} {
		for _, r := range [][2]int64{{0, int64(len(content))}, {13, 7*ps + 1}, {5 * ps, 1 << 40}} {
			t.Run(fmt.Sprintf("%+v/%v", o, r), func(t *testing.T) {
				off, end := r[0], min(r[1], int64(len(content)))
				cs := collect(t, f, r[0], r[1], o)
				if o.Reverse {
					for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
						cs[i], cs[j] = cs[j], cs[i]
					}
				}
				var got []byte
				next := off
				for i, c := range cs {
					testenv.MustEqual(t, "chunk bytes", c.b, content[c.base:c.base+int64(len(c.b))])
					if i == 0 && c.base != off {
						t.Fatalf("first chunk at %d; want %d", c.base, off)
					}
					if i > 0 {
						if ov := next - c.base; ov != int64(o.Overlap) {
							t.Fatalf("chunk %d overlaps %d bytes; want %d", i, ov, o.Overlap)
						}
					}
					got = append(got, c.b[next-c.base:]...)
					next = c.base + int64(len(c.b))
				}
				testenv.MustEqual(t, "scanned bytes", got, content[off:end])
			})
		}
	}
	if o, l := f.Window(); o != wo || l != wl {
		t.Fatalf("Scan moved the window: %d+%d -> %d+%d", wo, wl, o, l)
	}
	// Stop early.
	calls := 0
	f.Scan(0, 1<<40, ScanOptions{Chunk: ps}, func(int64, []byte) bool { calls++; return calls < 3 })
	if calls != 3 {
		t.Fatalf("%d calls after stop", calls)
	}
}

// TestScanSkipHoles: a sparse 8 GiB file with three bits of data is
// scanned in a few small chunks, and a match across a data/hole border
// is still whole in one chunk.
func TestScanSkipHoles(t *testing.T) {
	p := testenv.WriteFile(t, "sparse", nil)
	w, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	spots := []int64{0, 3 << 30, 8<<30 - 4}
	for _, s := range spots {
		w.WriteAt([]byte("DATA"), s)
	}
	w.Truncate(8 << 30)
	w.Close()
	for _, mode := range []Options{{}, {Private: true}} {
		f := open(t, p, mode)
		if mode.Private {
			// A private edit in a hole counts as data.
			if _, err := f.WriteAt([]byte("PRIV"), 5<<30); err != nil {
				t.Fatal(err)
			}
		}
		for _, rev := range []bool{false, true} {
			var scanned int64
			var found []int64
			err := f.Scan(0, f.Size(), ScanOptions{SkipHoles: true, Overlap: 6, Reverse: rev, Chunk: 1 << 20},
				func(base int64, b []byte) bool {
					scanned += int64(len(b))
					for i := 0; ; {
						k := bytes.Index(b[i:], []byte("\x00\x00DATA"))
						if k < 0 {
							break
						}
						found = append(found, base+int64(i+k)+2)
						i += k + 1
					}
					if k := bytes.Index(b, []byte("PRIV")); k >= 0 {
						found = append(found, -(base + int64(k)))
					}
					return true
				})
			if err != nil {
				t.Fatal(err)
			}
			if scanned > 64<<20 {
				t.Fatalf("scanned %d bytes of a sparse file", scanned)
			}
			want := map[int64]bool{3 << 30: true, 8<<30 - 4: true} // the one at 0 has no zeros before it
			if mode.Private {
				want[-(5 << 30)] = true
			}
			got := map[int64]bool{}
			for _, x := range found {
				got[x] = true
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("private=%v reverse=%v: found %v; want %v", mode.Private, rev, got, want)
			}
		}
	}
}

// TestFillSpill: a large Fill keeps the old bytes in the durable journal's
// record (shared) or an unlinked temporary file (private), skipping holes,
// and undo restores them exactly.
func TestFillSpill(t *testing.T) {
	const size = 16 << 20
	p := testenv.WriteFile(t, "fill", nil)
	w, _ := os.OpenFile(p, os.O_RDWR, 0)
	w.WriteAt([]byte("keep me"), 10<<20)
	w.WriteAt(testenv.Pattern(3<<20, 12), 12<<20)
	w.Truncate(size)
	w.Close()
	orig := testenv.DiskBytes(t, p)
	for _, o := range []Options{{Window: 1 << 20}, {Private: true}} {
		f := open(t, p, o)
		if o.Private {
			f.WriteAt([]byte("private"), 14<<20) // inside a hole: must be journaled too
		}
		if err := f.Fill(1, size-2, 0xFF); err != nil {
			t.Fatal(err)
		}
		e := f.j.e[len(f.j.e)-1]
		if !o.Private {
			// Shared: the old bytes are in the durable journal's record
			// (written once), no spill file.
			if e.old.kind != kWal || e.new.kind != kFill || f.j.spill != nil {
				t.Fatalf("old bytes not in the durable journal: %+v, spill %v", e.old, f.j.spill)
			}
		} else {
			if e.old.kind != kSpill || e.new.kind != kFill || f.j.spill == nil {
				t.Fatalf("old bytes not spilled: %+v", e.old)
			}
			var st unix.Stat_t
			unix.Fstat(int(f.j.spill.Fd()), &st)
			if st.Nlink != 0 || st.Blocks*512 > 8<<20 {
				t.Fatalf("spill file: %d links, %d bytes on disk", st.Nlink, st.Blocks*512)
			}
		}
		b := readAll(t, f)
		if b[0] != orig[0] || b[size-1] != orig[size-1] || bytes.Count(b, []byte{0xFF}) != size-2 {
			t.Fatal("fill not applied")
		}
		if f.UnsyncedPages() != size/os.Getpagesize() {
			t.Fatalf("unsynced pages %d", f.UnsyncedPages())
		}
		ed, err := f.Undo()
		if err != nil || ed.Old != nil || ed.Len != size-2 {
			t.Fatalf("Undo = %+v %v", ed.Len, err)
		}
		want := orig
		if o.Private {
			want = append([]byte(nil), orig...)
			copy(want[14<<20:], "private")
		}
		testenv.MustEqual(t, "after undo", readAll(t, f), want)
		if _, err := f.Redo(); err != nil {
			t.Fatal(err)
		}
		if _, err := f.RevertAll(); err != nil {
			t.Fatal(err)
		}
		testenv.MustEqual(t, "after revert", readAll(t, f), orig)
		testenv.MustEqual(t, "file after revert", testenv.DiskBytes(t, p), orig)
		f.Close()
	}
	// A huge WriteAt keeps both sides in the durable journal's record.
	f := open(t, p, Options{})
	big := testenv.Pattern(3<<20, 13)
	if _, err := f.WriteAt(big, 5<<20); err != nil {
		t.Fatal(err)
	}
	if e := f.j.e[0]; e.old.kind != kWal || e.new.kind != kWal || f.j.spill != nil {
		t.Fatal("big WriteAt kept in RAM or in a spill file")
	}
	f.Undo()
	f.Redo()
	b := make([]byte, len(big))
	f.ReadAt(b, 5<<20)
	testenv.MustEqual(t, "redo of a spilled write", b, big)
	f.Undo()
	testenv.MustEqual(t, "undo of a spilled write", readAll(t, f), orig)
}
