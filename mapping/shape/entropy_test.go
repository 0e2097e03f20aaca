package shape

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
)

// refEntropy is the reference: the byte counts of b by a plain loop, then
// -sum p*log2(p) over the values present, summed in value order.
func refEntropy(b []byte) (float64, ByteClass) {
	var n [256]int
	for _, c := range b {
		n[c]++
	}
	return refCounts(n, len(b))
}

// refCounts is refEntropy of total bytes counted in n.
func refCounts(n [256]int, total int) (float64, ByteClass) {
	h := 0.0
	for _, k := range n {
		if k > 0 {
			p := float64(k) / float64(total)
			h -= p * math.Log2(p)
		}
	}
	var text, high, ctl int
	for v, k := range n {
		switch {
		case v == 0:
		case v == 9 || v == 10 || v == 13 || v >= 32 && v <= 126:
			text += k
		case v >= 128:
			high += k
		default:
			ctl += k
		}
	}
	cl := ClassMixed
	switch {
	case 2*n[0] > total:
		cl = ClassZero
	case 2*text > total:
		cl = ClassText
	case 2*high > total:
		cl = ClassHigh
	case 2*ctl > total:
		cl = ClassControl
	}
	return h, cl
}

func entropyBlocks(t *testing.T, path string, block int64, tu tuning) []Block {
	t.Helper()
	f := open(t, path)
	var all []Block
	err := entropy(context.Background(), f, 0, f.Size(), block, func(b []Block) bool {
		all = append(all, b...)
		return true
	}, nil, tu)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// checkBlocks compares every block with the reference on the file's bytes.
func checkBlocks(t *testing.T, what string, data []byte, block int64, got []Block) {
	t.Helper()
	want := (int64(len(data)) + block - 1) / block
	if int64(len(got)) != want {
		t.Fatalf("%s: %d blocks, want %d", what, len(got), want)
	}
	for i, b := range got {
		off := int64(i) * block
		end := min(off+block, int64(len(data)))
		if b.Off != off || b.Len != end-off {
			t.Fatalf("%s: block %d is [%d, +%d), want [%d, +%d)", what, i, b.Off, b.Len, off, end-off)
		}
		h, cl := refEntropy(data[off:end])
		if math.Abs(b.Entropy-h) > 1e-9 || b.Class != cl {
			t.Fatalf("%s: block %d at %d: entropy %.12f class %s, want %.12f %s", what, i, off, b.Entropy, b.Class, h, cl)
		}
	}
}

// Blocks of every size on data of every kind, equal to the reference to
// 1e-9; uniform bytes are exactly 8 bits, one value 0.
func TestEntropyReference(t *testing.T) {
	uniform := make([]byte, 256*1024)
	for i := range uniform {
		uniform[i] = byte(i)
	}
	cases := map[string][]byte{
		"mixed":   mixed(1<<20+4321, 3),
		"uniform": uniform,
		"zeros":   make([]byte, 100000),
		"ones":    []byte("\xff\xff\xff\xff\xff"),
	}
	for name, data := range cases {
		path := testenv.WriteFile(t, name, data)
		for _, block := range []int64{1, 7, 4096, 65536, 1 << 20, 1 << 30} {
			if block < 4096 && len(data) > 200000 && (block == 1 || raceEnabled) {
				continue
			}
			for _, tu := range []tuning{{}, {seg: 3 * 4096, chunk: 4096, workers: 3}} {
				checkBlocks(t, fmt.Sprintf("%s, block %d, tuning %+v", name, block, tu), data, block, entropyBlocks(t, path, block, tu))
			}
		}
	}
	for _, b := range entropyBlocks(t, testenv.WriteFile(t, "u", uniform), 65536, tuning{}) {
		if b.Entropy != 8 || b.Class != ClassMixed {
			t.Fatalf("uniform: %+v, want exactly 8 bits", b)
		}
	}
	// one byte value: exactly 0 (not a rounding residue), whatever the length
	one := testenv.WriteFile(t, "z", bytes.Repeat([]byte{'A'}, 100000))
	for _, block := range []int64{10, 11, 1000, 65536} {
		for _, b := range entropyBlocks(t, one, block, tuning{}) {
			if b.Entropy != 0 || b.Class != ClassText {
				t.Fatalf("one value, block %d: %+v, want exactly 0 bits", block, b)
			}
		}
	}
}

// A sparse file: blocks wholly in a hole are Hole with entropy 0 and are
// never read (the page cache does not grow); blocks partly hole count the
// hole's zeros; 1 TiB with four data blocks.
func TestEntropySparse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sparse")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const size = 1 << 40
	if err := fh.Truncate(size); err != nil {
		testenv.SkipOrFail(t, "no 1 TiB sparse file here: %v", err)
	}
	offs := []int64{0, 5<<30 + 100, 700 << 30, size - 4096}
	for _, off := range offs {
		fh.WriteAt(mixed(4096, uint64(off)), off)
	}
	fh.Sync()
	fh.Close()
	f := open(t, path)
	before, err := pagecache.Stats(f, 0, size)
	if err != nil || before.Cached < 0 {
		testenv.SkipOrFail(t, "no page-cache figures here: %v", err)
	}
	const block = 1 << 30
	got := entropyBlocks(t, path, block, tuning{})
	after, _ := pagecache.Stats(f, 0, size)
	if after.Cached > before.Cached+4*16 {
		t.Fatalf("holes entered the page cache: %d pages cached before, %d after", before.Cached, after.Cached)
	}
	if len(got) != size/block {
		t.Fatalf("%d blocks", len(got))
	}
	data := map[int64]bool{}
	for _, off := range offs {
		data[off/block] = true
	}
	for i, b := range got {
		if data[int64(i)] == b.Hole {
			t.Fatalf("block %d: hole %v", i, b.Hole)
		}
		if b.Hole && (b.Entropy != 0 || b.Class != ClassZero || b.Zeros != block) {
			t.Fatalf("hole block %d: %+v", i, b)
		}
	}
	// the data blocks: the reference on the bytes (4096 of data, the rest zeros)
	for _, off := range offs {
		b := got[off/block]
		var n [256]int
		for _, c := range mixed(4096, uint64(off)) {
			n[c]++
		}
		n[0] += block - 4096
		h, cl := refCounts(n, block)
		if math.Abs(b.Entropy-h) > 1e-9 || b.Class != cl || b.Zeros == 0 {
			t.Fatalf("block at %d: %+v, want entropy %.12f class %s", b.Off, b, h, cl)
		}
	}
	// small blocks across hole borders: the reference on the bytes read
	small := filepath.Join(t.TempDir(), "small")
	fh, _ = os.Create(small)
	fh.Truncate(3 << 20)
	fh.WriteAt(mixed(10000, 1), 1<<20-5000)
	fh.WriteAt(mixed(70000, 2), 2<<20+12345)
	fh.Close()
	content, _ := os.ReadFile(small)
	for _, block := range []int64{4096, 65536, 100000} {
		checkBlocks(t, fmt.Sprintf("small sparse, block %d", block), content, block, entropyBlocks(t, small, block, tuning{seg: 1 << 20, chunk: 4096}))
	}
}

func TestEntropyCancel(t *testing.T) {
	f := open(t, testenv.WriteFile(t, "c", mixed(4<<20, 1)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Entropy(ctx, f, 0, f.Size(), 0, func([]Block) bool { return true }, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	n := 0
	if err := entropy(context.Background(), f, 0, f.Size(), 4096, func(b []Block) bool { n += len(b); return false }, nil, tuning{seg: 1 << 20}); err != nil || n != 256 {
		t.Fatalf("stopped by fn: %v after %d blocks", err, n)
	}
}
