package mapping

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

// wchar is the bytes this process handed to write(2) and friends so far
// (/proc/self/io): the journal's records, a spill file's bytes.
func wchar(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		testenv.SkipOrFail(t, "no /proc/self/io: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatal("/proc/self/io has no wchar")
	return 0
}

// TestLargeFillOldBytesOnce: a large fill in shared mode writes the bytes
// it replaces once, to the durable journal (the in-memory undo reads them
// back from its records: no spill file); undo then restores the exact
// bytes, after a sync too (the journal detached, kept open unlinked), and
// the Go heap does not grow with the fill's size. In private mode (no
// durable journal) the spill file holds them, once as well.
func TestLargeFillOldBytesOnce(t *testing.T) {
	const size = 32 << 20
	orig := testenv.Pattern(size, 41)
	for _, o := range []Options{{}, {Private: true}} {
		p := testenv.WriteFile(t, "once.bin", orig)
		t.Setenv("TMPDIR", t.TempDir()) // where a spill file would go
		f := open(t, p, o)
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		w0 := wchar(t)
		if done, err := f.FillContext(context.Background(), 0, size, 0xaa, nil); err != nil || done != size {
			t.Fatalf("fill: %d %v", done, err)
		}
		// The old bytes once, plus the records' headers (4 MiB parts).
		d := wchar(t) - w0
		if d < size || d > size+64<<10 {
			t.Fatalf("private=%v: the fill wrote %d bytes, want its %d old bytes once", o.Private, d, size)
		}
		t.Logf("private=%v: a %d-byte fill wrote %d bytes", o.Private, size, d)
		if o.Private {
			if f.j.spill == nil || f.JournalPath() != "" {
				t.Fatalf("private: spill %v, journal %q", f.j.spill, f.JournalPath())
			}
		} else {
			if f.j.spill != nil {
				t.Fatal("shared: a spill file was made")
			}
			var st unix.Stat_t
			if err := unix.Stat(f.JournalPath(), &st); err != nil || st.Size < size || st.Size > size+64<<10 {
				t.Fatalf("the durable journal %s: %d bytes, %v; want the fill's old bytes (%d) and headers", f.JournalPath(), st.Size, err, size)
			}
			// A sync: nothing left to recover, but the undo below still
			// reads the old bytes from the (now detached) journal.
			jp := f.JournalPath()
			if _, err := f.Sync(MSSync); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(jp); !os.IsNotExist(err) || f.JournalPath() != "" {
				t.Fatalf("journal %s after the sync: %v, JournalPath %q; want it out of the folder", jp, err, f.JournalPath())
			}
		}
		ed, err := f.Undo()
		if err != nil || ed.Len != size || ed.Skipped.Ranges != 0 {
			t.Fatalf("private=%v undo: %+v %v", o.Private, ed, err)
		}
		testenv.MustEqual(t, "after undo", readAll(t, f), orig)
		if !o.Private {
			testenv.MustEqual(t, "on disk after undo", testenv.DiskBytes(t, p), orig)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		if grew := int64(m1.HeapInuse) - int64(m0.HeapInuse); grew > 8<<20 {
			t.Fatalf("private=%v: the heap grew by %d bytes over a %d-byte fill and its undo", o.Private, grew, size)
		}
		f.Close()
	}
}
