package search

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"os"
	"testing"

	"mmhex/mapping"
)

// reference: every match of p in data, overlapping included, the slow way.
func reference(p *Pattern, data []byte) []int64 {
	var r []int64
	for i := 0; i+p.Len() <= len(data); i++ {
		if p.MatchAt(data[i:]) {
			r = append(r, int64(i))
		}
	}
	return r
}

// TestFindAllReference: FindAll (through mapping.File.Sweep) finds exactly
// the matches of a byte-by-byte reference: across chunk and segment
// borders, overlapping, with holes skipped.
func TestFindAllReference(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	data := make([]byte, 9*page+77)
	for i := range data {
		data[i] = "abn"[rng.Intn(3)]
	}
	f := openFile(t, data)
	for _, s := range []string{"abba", "nab", "a", "aaaaa"} {
		p := mustText(t, s, false)
		want := reference(p, data)
		for _, o := range []AllOptions{{Chunk: page}, {Workers: 2, Segment: 3*page + 5, Chunk: page}, {Workers: 1}, {}} {
			if got := allOf(t, f, p, o); !eq64(got, want) {
				t.Errorf("%s %+v: %d matches, the reference %d", s, o, len(got), len(want))
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
		err := FindAll(context.Background(), sf, c.pat, 0, size, AllOptions{}, func(x int64) bool { got = append(got, x); return true })
		if err != nil || !eq64(got, c.want) {
			t.Errorf("sparse %s: %v, %v; want %v", c.pat, got, err, c.want)
		}
	}
}

// TestSearchOpenedFile: Find and FindAll search the file that was opened
// (mapping.File's descriptor), not whatever its path names now: after
// another file is renamed over the path they still find the opened file's
// matches, and only those.
func TestSearchOpenedFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/f.bin"
	orig := append(bytes.Repeat([]byte{'.'}, int(3*page)), "needle"...)
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(dir+"/other", append([]byte("needle"), bytes.Repeat([]byte{'.'}, int(8*page))...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir+"/other", path); err != nil {
		t.Fatal(err)
	}
	p := mustText(t, "needle", false)
	var all []int64
	if err := FindAll(context.Background(), f, p, 0, 1<<40, AllOptions{}, func(x int64) bool { all = append(all, x); return true }); err != nil || !eq64(all, []int64{3 * page}) {
		t.Errorf("FindAll after the path was renamed over: %v, %v; want [%d]", all, err, 3*page)
	}
	if r, err := Find(context.Background(), f, p, 0, Options{}); err != nil || r.Offset != 3*page {
		t.Errorf("Find after the path was renamed over: %+v, %v; want %d", r, err, 3*page)
	}
}

// TestFindAllFault: the file shrinks under the search; touching the
// mapped pages past its new end faults; that is an error, not a crash.
func TestFindAllFault(t *testing.T) {
	f := openFile(t, noise(int(32*page), 12))
	if err := os.Truncate(f.Path(), page); err != nil {
		t.Fatal(err)
	}
	err := FindAll(context.Background(), f, mustText(t, "needle", false), 0, 32*page, AllOptions{Workers: 1}, func(int64) bool { return true })
	if !errors.Is(err, mapping.ErrFault) {
		t.Errorf("FindAll on a shrunk file = %v, want ErrFault", err)
	}
}
