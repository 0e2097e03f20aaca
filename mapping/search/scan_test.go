package search

import (
	"context"
	"errors"
	"math/rand"
	"os"
	"testing"

	"mmhex/mapping"
)

// TestOwnMappings: FindAll through its own mappings (the command line's
// way) finds exactly what it finds through mapping.Scan: across chunk and
// segment borders, overlapping, with holes skipped.
func TestOwnMappings(t *testing.T) {
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
