package search

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"mmhex/mapping"
)

// TestOwnMappings: FindAll through its own mappings (the command line's
// way) finds exactly what it finds through mapping.Scan: across chunk and
// segment borders, overlapping, with holes skipped.
func TestOwnMappings(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		chunkedOnly = chunked
		t.Run(map[bool]string{false: "whole", true: "chunked"}[chunked], testOwnMappings)
	}
	chunkedOnly = false
}

func testOwnMappings(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	data := make([]byte, 9*page+77)
	for i := range data {
		data[i] = "abn"[rng.Intn(3)]
	}
	f := openFile(t, data)
	for _, s := range []string{"abba", "nab", "a", "aaaaa"} {
		p := mustText(t, s, false)
		for _, o := range []AllOptions{{Chunk: page}, {Workers: 2, Segment: 3*page + 5, Chunk: page}, {Workers: 1}} {
			want := allOf(t, f, p, o)
			o.OwnMappings = true
			if got := allOf(t, f, p, o); !eq64(got, want) {
				t.Errorf("%s %+v: %d matches, Scan's way %d", s, o, len(got), len(want))
			}
		}
	}
	const size = 8 << 30
	path := sparse(t, size, map[int64]string{size - 100: "needle", 3 << 30: "A\x00", (5 << 30) - 1: "N"})
	sf, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	for _, c := range []struct {
		pat  *Pattern
		want []int64
	}{
		{mustText(t, "needle", false), []int64{size - 100}},
		{mustHex(t, "41 00 00 00"), []int64{3 << 30}},
		{mustHex(t, "00 00 4e 00"), []int64{(5 << 30) - 3}},
	} {
		var got []int64
		err := FindAll(context.Background(), sf, c.pat, 0, size, AllOptions{OwnMappings: true}, func(x int64) bool { got = append(got, x); return true })
		if err != nil || !eq64(got, c.want) {
			t.Errorf("sparse %s: %v, %v; want %v", c.pat, got, err, c.want)
		}
	}
}

// TestOwnMappingsFault: the file shrinks under the search; touching the
// mapped pages past its new end faults; that is an error, not a crash.
func TestOwnMappingsFault(t *testing.T) {
	f := openFile(t, noise(int(32*page), 12))
	if err := os.Truncate(f.Path(), page); err != nil {
		t.Fatal(err)
	}
	err := FindAll(context.Background(), f, mustText(t, "needle", false), 0, 32*page, AllOptions{OwnMappings: true, Workers: 1}, func(int64) bool { return true })
	if !errors.Is(err, mapping.ErrFault) {
		t.Errorf("FindAll on a shrunk file = %v, want ErrFault", err)
	}
}

// TestOwnMappingsReleaseBehind: through the shared mapping of the whole
// file, the pages already scanned are dropped from the process while the
// scan goes on: the smaps Rss of the mapping of a 64 MiB file stays under
// 8 MiB (the chunk of 1 MiB read, the page kept for the overlap, and what
// the kernel maps around a fault: up to a large folio of 2 MiB).
func TestOwnMappingsReleaseBehind(t *testing.T) {
	const size = 64 << 20
	f := openFile(t, bytes.Repeat(noise(int(page), 13), size/int(page)))
	s, err := openOwnScanner(f.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	s.mapWhole(0, f.Size())
	if s.whole == nil {
		t.Fatal("mapWhole did not map the file")
	}
	start := uintptr(unsafe.Pointer(&s.whole[0]))
	const chunk = 1 << 20
	maxRss, seen := int64(0), int64(0)
	err = s.scan(0, f.Size(), 5, false, chunk, func(base int64, b []byte) bool {
		for i := 0; i < len(b); i += int(page) { // touch every page of the view
			sink += b[i]
		}
		seen = base + int64(len(b))
		maxRss = max(maxRss, vmaRss(t, start))
		return true
	})
	if err != nil || seen != f.Size() {
		t.Fatalf("scan: %v, reached %d of %d", err, seen, f.Size())
	}
	if maxRss == 0 || maxRss > 8<<20 {
		t.Errorf("largest Rss of the mapping during the scan %d bytes, want 1..%d", maxRss, 8<<20)
	}
}

var sink byte

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
