package stream_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"mmhex/mapping"
	"mmhex/mapping/search"
	"mmhex/mapping/stream"
)

// TestSweepChunks: every chunk holds exactly the input's bytes at its base,
// consecutive chunks overlap by exactly Overlap bytes, and together they
// cover the input once, for chunk sizes around the overlap and readers
// that return one byte at a time.
func TestSweepChunks(t *testing.T) {
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz!")
	for _, chunk := range []int64{1, 2, 3, 5, 7, 36, 37, 100} {
		for _, ov := range []int{0, 1, 3} {
			for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data)), iotest.DataErrReader(bytes.NewReader(data))} {
				s := stream.New(r, "in")
				next := int64(0) // first byte not yet handed out
				var prevEnd int64 = -1
				err := s.Sweep(0, stream.Unbounded, mapping.ScanOptions{Overlap: ov, Chunk: chunk}, func(base int64, b []byte) bool {
					if !bytes.Equal(b, data[base:base+int64(len(b))]) {
						t.Fatalf("chunk %d ov %d: bytes at %d: %q", chunk, ov, base, b)
					}
					if prevEnd >= 0 && prevEnd-base != int64(min(ov, int(prevEnd))) {
						t.Fatalf("chunk %d ov %d: chunk at %d after one ending at %d", chunk, ov, base, prevEnd)
					}
					if base > next {
						t.Fatalf("chunk %d ov %d: gap before %d", chunk, ov, base)
					}
					prevEnd, next = base+int64(len(b)), base+int64(len(b))
					return true
				})
				if err != nil || next != int64(len(data)) || s.Read() != int64(len(data)) {
					t.Fatalf("chunk %d ov %d: err %v, covered %d, read %d", chunk, ov, err, next, s.Read())
				}
			}
		}
	}
}

// TestSearchStream: the search engine over a Source finds exactly the
// overlapping matches a naive scan finds, whatever the chunk size.
func TestSearchStream(t *testing.T) {
	data := bytes.Repeat([]byte("aab"), 50)
	p := search.Literal([]byte("aba"))
	var want []int64
	for i := 0; i+3 <= len(data); i++ {
		if bytes.Equal(data[i:i+3], []byte("aba")) {
			want = append(want, int64(i))
		}
	}
	for _, chunk := range []int64{1, 2, 3, 4, 10, 1000} {
		var got []int64
		src := stream.New(bytes.NewReader(data), "in")
		err := search.FindAll(context.Background(), src, p, 0, src.Size(), search.AllOptions{Workers: 1, Segment: stream.Unbounded, Chunk: chunk}, func(off int64) bool {
			got = append(got, off)
			return true
		})
		if err != nil || len(got) != len(want) {
			t.Fatalf("chunk %d: %v, %d matches, want %d", chunk, err, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("chunk %d: match %d at %d, want %d", chunk, i, got[i], want[i])
			}
		}
	}
}

// TestOnce: a second sweep, or a reverse one, is refused; a read error
// names the input.
func TestOnce(t *testing.T) {
	s := stream.New(bytes.NewReader([]byte("abc")), "standard input")
	nop := func(int64, []byte) bool { return true }
	if err := s.Sweep(0, 3, mapping.ScanOptions{}, nop); err != nil {
		t.Fatal(err)
	}
	if err := s.Sweep(0, 3, mapping.ScanOptions{}, nop); !errors.Is(err, stream.ErrOnce) || err.Error() != "standard input: can be read only once, front to back (a pipe cannot be mapped or read again)" {
		t.Errorf("second sweep: %v", err)
	}
	if err := stream.New(bytes.NewReader(nil), "x").Scan(0, 3, mapping.ScanOptions{Reverse: true}, nop); !errors.Is(err, stream.ErrOnce) {
		t.Errorf("reverse: %v", err)
	}
	boom := errors.New("boom")
	if err := stream.New(iotest.ErrReader(boom), "standard input").Sweep(0, 3, mapping.ScanOptions{}, nop); !errors.Is(err, boom) || err.Error() != "standard input: reading: boom" {
		t.Errorf("read error: %v", err)
	}
}
