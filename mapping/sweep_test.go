package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"mmhex/mapping/testenv"
)

// sweepModes: Sweep through one mapping of the range, and chunk by chunk
// (the way when the range cannot be mapped at once).
var sweepModes = []struct {
	name    string
	chunked bool
}{{"whole", false}, {"chunked", true}}

// TestSweepChunks: Sweep hands out exactly Scan's forward views: the bytes
// of the file, consecutive views overlapping by Overlap, from off to end
// (clipped), stopping when fn says so.
func TestSweepChunks(t *testing.T) {
	ps := int64(os.Getpagesize())
	content := testenv.Pattern(int(10*ps+77), 12)
	f := open(t, testenv.WriteFile(t, "s.bin", content), Options{Window: ps})
	for _, m := range sweepModes {
		for _, o := range []ScanOptions{{Chunk: ps}, {Chunk: 3 * ps, Overlap: 5}, {Chunk: 1, Overlap: 3000}, {}} {
			o.chunked = m.chunked
			for _, r := range [][2]int64{{0, int64(len(content))}, {13, 7*ps + 1}, {5 * ps, 1 << 40}} {
				t.Run(fmt.Sprintf("%s/%+v/%v", m.name, o, r), func(t *testing.T) {
					off, end := r[0], min(r[1], int64(len(content)))
					var got []byte
					next, calls := off, 0
					err := f.Sweep(r[0], r[1], o, func(base int64, b []byte) bool {
						testenv.MustEqual(t, "view bytes", b, content[base:base+int64(len(b))])
						if calls == 0 && base != off {
							t.Fatalf("first view at %d; want %d", base, off)
						}
						if calls > 0 && next-base != int64(o.Overlap) {
							t.Fatalf("view %d overlaps %d bytes; want %d", calls, next-base, o.Overlap)
						}
						got = append(got, b[next-base:]...)
						next = base + int64(len(b))
						calls++
						return true
					})
					if err != nil {
						t.Fatal(err)
					}
					testenv.MustEqual(t, "swept bytes", got, content[off:end])
				})
			}
		}
		calls := 0
		f.Sweep(0, 1<<40, ScanOptions{Chunk: ps, chunked: m.chunked}, func(int64, []byte) bool { calls++; return calls < 3 })
		if calls != 3 {
			t.Fatalf("%s: %d calls after stop", m.name, calls)
		}
	}
}

// TestSweepSkipHoles: on an 8 GiB sparse file Sweep reads the data regions
// (widened by the overlap) and not the holes.
func TestSweepSkipHoles(t *testing.T) {
	p := testenv.WriteFile(t, "sparse", nil)
	w, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []int64{0, 3 << 30, 8<<30 - 4} {
		w.WriteAt([]byte("DATA"), s)
	}
	w.Truncate(8 << 30)
	w.Close()
	f := open(t, p, Options{ReadOnly: true})
	for _, m := range sweepModes {
		var scanned int64
		var found []int64
		err := f.Sweep(0, f.Size(), ScanOptions{SkipHoles: true, Overlap: 6, Chunk: 1 << 20, chunked: m.chunked}, func(base int64, b []byte) bool {
			scanned += int64(len(b))
			for i := 0; ; {
				k := bytes.Index(b[i:], []byte("\x00\x00DATA"))
				if k < 0 {
					break
				}
				found = append(found, base+int64(i+k)+2)
				i += k + 1
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if scanned > 64<<20 {
			t.Fatalf("%s: swept %d bytes of a sparse file", m.name, scanned)
		}
		if fmt.Sprint(found) != fmt.Sprint([]int64{3 << 30, 8<<30 - 4}) {
			t.Fatalf("%s: found %v", m.name, found)
		}
	}
}

// TestSweepFault: the file shrinks under the sweep; reading the views past
// its new end faults; that is an error naming the new size, not a crash.
func TestSweepFault(t *testing.T) {
	ps := int64(os.Getpagesize())
	for _, m := range sweepModes {
		p := testenv.WriteFile(t, "shrink-"+m.name, testenv.Pattern(int(32*ps), 13))
		f := open(t, p, Options{ReadOnly: true})
		if err := os.Truncate(p, ps); err != nil {
			t.Fatal(err)
		}
		var sum byte
		err := f.Sweep(0, 32*ps, ScanOptions{chunked: m.chunked}, func(_ int64, b []byte) bool {
			for _, c := range b {
				sum += c
			}
			return true
		})
		want := fmt.Sprintf("%s: at %#x: the file shrank to %d bytes (memory fault)", p, ps, ps)
		if !errors.Is(err, ErrFault) || err.Error() != want {
			t.Errorf("%s: Sweep of a shrunk file = %v\nwant %s", m.name, err, want)
		}
	}
}

// TestSweepOpenedFile: Sweep and Scan read the file that was opened, not
// whatever the path names now: another file renamed over the path changes
// nothing they hand out.
func TestSweepOpenedFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.bin")
	orig := bytes.Repeat([]byte("original"), 4096)
	if err := os.WriteFile(p, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	f := open(t, p, Options{ReadOnly: true})
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, bytes.Repeat([]byte("REPLACED"), 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, p); err != nil {
		t.Fatal(err)
	}
	for name, scan := range map[string]func(int64, int64, ScanOptions, func(int64, []byte) bool) error{"Sweep": f.Sweep, "Scan": f.Scan} {
		var got []byte
		err := scan(0, 1<<40, ScanOptions{Chunk: 8192}, func(base int64, b []byte) bool {
			got = append(got, b[int64(len(got))-base:]...)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, orig) {
			t.Errorf("%s after the path was renamed over: %d bytes, starting %q; want the %d bytes of the opened file", name, len(got), got[:min(len(got), 16)], len(orig))
		}
	}
}

// TestSweepReleaseBehind: the pages already swept are dropped from the
// process while the sweep goes on: the smaps Rss of the sweep's mapping of
// a 64 MiB file stays under 8 MiB (the 1 MiB view read, the page kept for
// the overlap, and what the kernel maps around a fault: up to a large folio
// of 2 MiB).
func TestSweepReleaseBehind(t *testing.T) {
	const size = 64 << 20
	ps := os.Getpagesize()
	f := open(t, testenv.WriteFile(t, "big", bytes.Repeat(testenv.Pattern(ps, 14), size/ps)), Options{ReadOnly: true})
	const chunk = 1 << 20
	var start uintptr
	maxRss, seen := int64(0), int64(0)
	err := f.Sweep(0, f.Size(), ScanOptions{Overlap: 5, Chunk: chunk}, func(base int64, b []byte) bool {
		if base == 0 {
			start = uintptr(unsafe.Pointer(&b[0]))
		}
		for i := 0; i < len(b); i += ps { // touch every page of the view
			sweepSink += b[i]
		}
		seen = base + int64(len(b))
		maxRss = max(maxRss, vmaRss(t, start))
		return true
	})
	if err != nil || seen != f.Size() {
		t.Fatalf("Sweep: %v, reached %d of %d", err, seen, f.Size())
	}
	if maxRss == 0 || maxRss > 8<<20 {
		t.Errorf("largest Rss of the mapping during the sweep %d bytes, want 1..%d", maxRss, 8<<20)
	}
}

var sweepSink byte

// vmaRss is the Rss of this process's mapping that starts at addr, in
// bytes, from /proc/self/smaps.
func vmaRss(t *testing.T, addr uintptr) int64 {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			lo, _, _ := strings.Cut(f[0], "-")
			v, err := strconv.ParseUint(lo, 16, 64)
			in = err == nil && uintptr(v) == addr
			continue
		}
		if in && strings.HasPrefix(l, "Rss:") {
			kb, err := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			if err != nil {
				t.Fatalf("smaps: %q: %v", l, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no mapping at %#x in /proc/self/smaps", addr)
	return 0
}
