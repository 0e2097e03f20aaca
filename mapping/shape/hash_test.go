package shape

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
)

// toolSum is what the real tool says of path: md5sum, sha1sum, sha256sum,
// sha512sum; for crc32 the CRC gzip stores in its trailer (RFC 1952: the
// CRC-32 of the data, little-endian), printed as 8 hex digits.
func toolSum(t *testing.T, a Algo, path string) string {
	t.Helper()
	if a == "crc32" {
		gz := testenv.RequireTool(t, "gzip")
		out, err := exec.Command(gz, "-1", "-c", path).Output()
		if err != nil || len(out) < 8 {
			t.Fatalf("gzip -c %s: %v", path, err)
		}
		return fmt.Sprintf("%08x", binary.LittleEndian.Uint32(out[len(out)-8:]))
	}
	tool := testenv.RequireTool(t, string(a)+"sum")
	out, err := exec.Command(tool, path).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", tool, path, err)
	}
	return strings.Fields(string(out))[0]
}

// Every algorithm on files of edge sizes, random bytes and a program, as
// the tools say; the stream form (Hasher) says the same.
func TestHashMatchesTools(t *testing.T) {
	var paths []string
	for _, n := range []int{0, 1, 55, 56, 64, 127, 128, 1<<20 + 13} {
		paths = append(paths, testenv.WriteFile(t, fmt.Sprintf("h%d", n), mixed(n, uint64(n))))
	}
	paths = append(paths, "/usr/bin/ls")
	for _, p := range paths {
		f := open(t, p)
		sums, err := Hash(context.Background(), f, 0, f.Size(), Algos, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := NewHasher(Algos)
		for len(data) > 0 {
			k := min(len(data), 1000)
			h.Write(data[:k])
			data = data[k:]
		}
		stream := h.Sums()
		for i, a := range Algos {
			want := toolSum(t, a, p)
			if sums[i].Algo != a || sums[i].Hex != want {
				t.Errorf("%s: %s %s, want %s", p, sums[i].Algo, sums[i].Hex, want)
			}
			if stream[i].Hex != want {
				t.Errorf("%s: Hasher %s %s, want %s", p, a, stream[i].Hex, want)
			}
		}
	}
}

// A range: the bytes [off, end), as the tool says of those bytes alone.
func TestHashRange(t *testing.T) {
	data := mixed(300000, 9)
	p := testenv.WriteFile(t, "r", data)
	f := open(t, p)
	for _, r := range [][2]int64{{0, 0}, {1, 2}, {4095, 4097}, {12345, 300000}, {299999, 300000}} {
		part := testenv.WriteFile(t, fmt.Sprintf("part%d", r[0]), data[r[0]:r[1]])
		sums, err := Hash(context.Background(), f, r[0], r[1], []Algo{"sha256", "crc32"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := toolSum(t, "sha256", part); sums[0].Hex != want {
			t.Errorf("[%d, %d): sha256 %s, want %s", r[0], r[1], sums[0].Hex, want)
		}
		if want := toolSum(t, "crc32", part); sums[1].Hex != want {
			t.Errorf("[%d, %d): crc32 %s, want %s", r[0], r[1], sums[1].Hex, want)
		}
	}
}

// A 128 MiB sparse file with a few data blocks: the hash is sha256sum's,
// and hashing it brings none of the holes into the page cache (a hole read
// through a mapping on ext4 would: a page of zeros per page read).
func TestHashSparseNotRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sparse")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const size = 128 << 20
	fh.Truncate(size)
	for _, off := range []int64{0, 50 << 20, size - 4096} {
		fh.WriteAt(mixed(4096, uint64(off)), off)
	}
	fh.WriteAt([]byte("in the middle"), 100<<20+5)
	fh.Sync()
	fh.Close()
	f := open(t, path)
	before, err := pagecache.Stats(f, 0, size)
	if err != nil || before.Cached < 0 {
		testenv.SkipOrFail(t, "no page-cache figures here: %v", err)
	}
	var last int64
	sums, err := Hash(context.Background(), f, 0, size, []Algo{"sha256", "md5"}, func(done, total int64) {
		if done < last || total != size {
			t.Errorf("progress %d of %d after %d", done, total, last)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if last != size {
		t.Errorf("progress ended at %d, want %d", last, size)
	}
	after, err := pagecache.Stats(f, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	// 4 data blocks; a large folio may hold a few pages more (16 pages each)
	if after.Cached > before.Cached+4*16 {
		t.Fatalf("hashing brought holes into the page cache: %d pages cached before, %d after", before.Cached, after.Cached)
	}
	if want := toolSum(t, "sha256", path); sums[0].Hex != want {
		t.Errorf("sha256 %s, want %s", sums[0].Hex, want)
	}
	if want := toolSum(t, "md5", path); sums[1].Hex != want {
		t.Errorf("md5 %s, want %s", sums[1].Hex, want)
	}
}

func TestParseAlgos(t *testing.T) {
	got, err := ParseAlgos("SHA256, md5,sha256")
	if err != nil || fmt.Sprint(got) != "[sha256 md5]" {
		t.Errorf("ParseAlgos: %v %v", got, err)
	}
	if got, err := ParseAlgos("all"); err != nil || len(got) != 5 {
		t.Errorf("all: %v %v", got, err)
	}
	_, err = ParseAlgos("sha256,sha3")
	if want := `unknown hash "sha3" (crc32, md5, sha1, sha256, sha512 or all)`; err == nil || err.Error() != want || !errors.Is(err, ErrAlgo) {
		t.Errorf("sha3: %v, want %q", err, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := open(t, testenv.WriteFile(t, "c", mixed(1<<20, 1)))
	if _, err := Hash(ctx, f, 0, f.Size(), Algos, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// shrinking wraps a file whose first view handed out finds the file cut
// to nothing: reading it faults.
type shrinking struct {
	*mapping.File
	path string
}

func (s shrinking) Sweep(off, end int64, o mapping.ScanOptions, fn func(base int64, b []byte) bool) error {
	first := true
	return s.File.Sweep(off, end, o, func(base int64, b []byte) bool {
		if first {
			first = false
			if err := os.Truncate(s.path, 0); err != nil {
				panic(err)
			}
		}
		return fn(base, b)
	})
}

// A file that shrinks under the hash: an error wrapping mapping.ErrFault,
// with one algorithm (read on the calling goroutine) and with all of them
// (read on one goroutine each), never a crash.
func TestHashFileShrinks(t *testing.T) {
	for _, algos := range [][]Algo{{"sha256"}, Algos} {
		p := testenv.WriteFile(t, "shrink", mixed(8<<20, 4))
		f := open(t, p)
		_, err := Hash(context.Background(), shrinking{f, p}, 0, 8<<20, algos, nil)
		// the same line whatever the number of algorithms: where, and why
		// (the file shrank, to what size), as every engine says it
		want := display.Name(p) + ": at 0x0: the file shrank to 0 bytes (memory fault)"
		if !errors.Is(err, mapping.ErrFault) || !errors.Is(err, mapping.ErrShrank) || err.Error() != want {
			t.Errorf("%v: error %v, want %q", algos, err, want)
		}
	}
}
