package ksy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"mmhex/mapping"
)

// walk visits up to budget nodes of the tree under n, reading every Info.
func walk(n *Node, budget *int) {
	if *budget <= 0 {
		return
	}
	*budget--
	in := n.Info()
	if in.Kind == Scalar {
		return
	}
	for from := int64(0); *budget > 0; from += 64 {
		kids, err := n.Children(from, 64)
		for _, k := range kids {
			walk(k, budget)
		}
		if err != nil || len(kids) < 64 {
			return
		}
	}
}

var fuzzSeeds = []string{
	"meta: {id: t, endian: le}\nseq: [{id: a, type: u4}, {id: b, size: a}]\n",
	"meta: {id: t, endian: be}\nseq: [{id: n, type: u1}, {id: x, type: r, repeat: expr, repeat-expr: n}]\ntypes:\n  r:\n    seq: [{id: l, type: u1}, {id: d, size: l}]\n",
	"meta: {id: t, endian: le}\nseq: [{id: x, type: strz, encoding: UTF-16LE, repeat: eos}]\n",
	"meta: {id: t, endian: le}\nseq: [{id: x, type: u1, repeat: until, repeat-until: _ == 0}]\ninstances:\n  p: {pos: x[0], type: u2}\n",
	"meta: {id: t, endian: le}\nseq: [{id: k, type: u1}, {id: v, type: {switch-on: k, cases: {1: t, 2: u8, _: b3}}}]\n",
	"meta: {id: t, endian: le}\nseq: [{id: c, size-eos: true, process: zlib, type: t}]\n",
	"meta: {id: t}\ninstances:\n  a: {value: b}\n  b: {value: a}\n",
	"meta: {id: t, endian: le}\nseq: [{id: a, type: t}]\n",
	"meta: {id: t, endian: le}\nseq: [{id: a, type: u2, repeat: expr, repeat-expr: 1000000000000}]\n",
	"meta: {id: t, endian: le}\nseq: [{id: a, type: b7}, {id: b, type: b64}, {id: c, type: f4, valid: {min: 0}}]\n",
}

// FuzzDecode: any .ksy text and any data decode without a panic, within
// the limits (no hang: every request is bounded by MaxWork; no unbounded
// memory: MaxBytes, MaxItems). `go test ./mapping/ksy -fuzz FuzzDecode`.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), []byte{3, 1, 2, 0, 5, 0, 0, 0, 0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1})
	}
	lim := Limits{MaxBytes: 1 << 20, MaxItems: 1 << 12, MaxDepth: 50, MaxWork: 200_000}
	f.Fuzz(func(t *testing.T, ksy, data []byte) {
		s, err := Parse("f.ksy", ksy)
		if err != nil {
			return
		}
		d := NewDecoder(s, bytes.NewReader(data), int64(len(data)), lim)
		budget := 2000
		walk(d.Root(), &budget)
		var buf bytes.Buffer
		if budget > 0 { // a small tree: the JSON and the text are written too
			WriteText(&buf, d.Root())
		}
	})
}

// TestRepeatEOSHugeSparse: repeat: eos over a 1 TiB sparse file (through
// the mapping) reads only what is asked: the element count comes from the
// size for fixed-size elements, and elements of varying size are read
// only as far as asked; asking for all of them stops at MaxItems instead
// of reading the terabyte.
func TestRepeatEOSHugeSparse(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(1 << 40); err != nil {
		t.Skipf("cannot make a 1 TiB sparse file here: %v", err)
	}
	fh.Close()
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()

	fixed, _ := Parse("fixed.ksy", []byte("meta: {id: fixed, endian: le}\nseq: [{id: recs, type: rec, repeat: eos}]\ntypes:\n  rec:\n    seq: [{id: a, type: u8}, {id: b, type: u8}]\n"))
	d := NewDecoder(fixed, f, f.Size(), DefaultLimits)
	n, err := d.Root().Lookup("recs")
	if err != nil {
		t.Fatal(err)
	}
	if in := n.Info(); in.Count != 1<<36 || !in.All || in.Size != 1<<40 {
		t.Fatalf("recs: count %d (all %v) size %d; want 2^36 elements over 1 TiB", in.Count, in.All, in.Size)
	}
	last, err := d.Root().Lookup("recs[68719476735].b")
	if err != nil || last.Info().Off != 1<<40-8 || last.Info().Value != "0" {
		t.Fatalf("last element: %+v %v", last.Info(), err)
	}

	varying, _ := Parse("var.ksy", []byte("meta: {id: var, endian: le}\nseq: [{id: s, type: strz, encoding: ASCII, repeat: eos}]\n"))
	d = NewDecoder(varying, f, f.Size(), DefaultLimits)
	n, err = d.Root().Lookup("s")
	if err != nil {
		t.Fatal(err)
	}
	kids, err := n.Children(0, 10)
	if err != nil || len(kids) != 10 {
		t.Fatalf("first 10 strings: %d, %v", len(kids), err)
	}
	if c, all := n.Info().Count, n.Info().All; c != 10 || all {
		t.Fatalf("after reading 10: count %d all %v; want 10, not all", c, all)
	}
	if _, err := n.Len(); !errors.Is(err, ErrLimit) {
		t.Fatalf("Len of 2^40 strings: %v, want the item limit", err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 256<<20 {
		t.Errorf("heap grew by %d MiB", grew>>20)
	}
	t.Logf("took %v", time.Since(start))
}
