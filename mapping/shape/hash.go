package shape

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"runtime"
	"runtime/debug"
	"strings"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// Algo is a hash or checksum name: crc32 (IEEE, as zlib, gzip and PNG),
// md5, sha1, sha256, sha512 (the standard library's; SHA-1 and SHA-256 use
// the CPU's SHA instructions where there are some).
type Algo string

// Algos is every Algo, in the order the editor's hash box lists them.
var Algos = []Algo{"crc32", "md5", "sha1", "sha256", "sha512"}

// ErrAlgo is an unknown algorithm name.
var ErrAlgo = errors.New("unknown hash")

// Tag is the name `sha256sum --tag` prints for the algorithm: "SHA256".
func (a Algo) Tag() string { return strings.ToUpper(string(a)) }

func (a Algo) new() hash.Hash {
	switch a {
	case "crc32":
		return crc32.NewIEEE()
	case "md5":
		return md5.New()
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// ParseAlgos reads a comma-separated list ("sha256,md5"; "all" = every
// one), keeping its order and dropping repeats.
func ParseAlgos(s string) ([]Algo, error) {
	if strings.TrimSpace(s) == "all" {
		return append([]Algo(nil), Algos...), nil
	}
	var out []Algo
	for _, f := range strings.Split(s, ",") {
		a := Algo(strings.ToLower(strings.TrimSpace(f)))
		if a.new() == nil {
			return nil, fmt.Errorf("%w %q (crc32, md5, sha1, sha256, sha512 or all)", ErrAlgo, strings.TrimSpace(f))
		}
		dup := false
		for _, b := range out {
			dup = dup || a == b
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out, nil
}

// Sum is one result: the algorithm and its value in lower-case hex (CRC-32
// as 8 digits, big-endian, as `crc32` and zlib's crc32() print it).
type Sum struct {
	Algo Algo
	Hex  string
}

// Hasher computes several hashes of one stream: Write the bytes, then Sums.
type Hasher struct {
	algos []Algo
	hs    []hash.Hash
	n     int64
}

// NewHasher returns a Hasher for algos.
func NewHasher(algos []Algo) (*Hasher, error) {
	h := &Hasher{algos: algos}
	for _, a := range algos {
		x := a.new()
		if x == nil {
			return nil, fmt.Errorf("%w %q", ErrAlgo, a)
		}
		h.hs = append(h.hs, x)
	}
	return h, nil
}

// Write adds p to every hash; it never fails.
func (h *Hasher) Write(p []byte) (int, error) {
	for _, x := range h.hs {
		x.Write(p)
	}
	h.n += int64(len(p))
	return len(p), nil
}

// zeros is what a hole holds, fed to the hashes without reading the hole.
var zeros [256 << 10]byte

// Zeros adds n zero bytes (a hole) from a static buffer.
func (h *Hasher) Zeros(n int64) {
	for n > 0 {
		k := min(n, int64(len(zeros)))
		h.Write(zeros[:k])
		n -= k
	}
}

// Len is the number of bytes hashed.
func (h *Hasher) Len() int64 { return h.n }

// Sums returns the values so far.
func (h *Hasher) Sums() []Sum {
	out := make([]Sum, len(h.hs))
	for i, x := range h.hs {
		out[i] = Sum{h.algos[i], hex.EncodeToString(x.Sum(nil))}
	}
	return out
}

// Hash hashes the bytes [off, end) of src with every algorithm, reading
// the data through Sweep and taking the holes' zeros from a static buffer
// (a hole is never read, its zeros are still hashed). With several
// algorithms each runs on its own goroutine over the same views (a hash
// itself is sequential).
func Hash(ctx context.Context, src Source, off, end int64, algos []Algo, prog Progress) ([]Sum, error) {
	h, err := NewHasher(algos)
	if err != nil {
		return nil, err
	}
	feed := func(b []byte) error { h.Write(b); return nil }
	if len(algos) > 1 {
		p := newParallel(h.hs)
		defer p.close()
		feed = func(b []byte) error {
			h.n += int64(len(b))
			return p.feed(b)
		}
	}
	zerosN := func(n int64) error {
		for n > 0 {
			k := min(n, int64(len(zeros)))
			if err := feed(zeros[:k]); err != nil {
				return err
			}
			n -= k
		}
		return nil
	}
	off, end = max(off, 0), min(end, src.Size())
	pos := off
	var cerr error
	step := func(to int64) {
		if prog != nil {
			prog(to-off, end-off)
		}
	}
	if off < end {
		err = src.Sweep(off, end, mapping.ScanOptions{SkipHoles: true}, func(base int64, b []byte) bool {
			for pos < base {
				k := min(base-pos, 64<<20)
				if cerr = zerosN(k); cerr != nil {
					return false
				}
				pos += k
				step(pos)
				if cerr = ctx.Err(); cerr != nil {
					return false
				}
			}
			if cerr = feed(b); cerr != nil {
				if errors.Is(cerr, mapping.ErrFault) {
					// A hash goroutine faulted on the view: touch it here,
					// where Sweep turns the fault into its error (where, and
					// that the file shrank, to what size).
					touch(b)
				}
				cerr = fmt.Errorf("%shashing at %#x: %w", nameOf(src), base, cerr)
				return false
			}
			pos = base + int64(len(b))
			step(pos)
			cerr = ctx.Err()
			return cerr == nil
		})
	}
	if err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	for pos < end {
		k := min(end-pos, 64<<20)
		if err := zerosN(k); err != nil {
			return nil, err
		}
		pos += k
		step(pos)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return h.Sums(), nil
}

// touch reads one byte of every page of b.
func touch(b []byte) {
	var x byte
	for i := 0; i < len(b); i += 4096 {
		x ^= b[i]
	}
	if len(b) > 0 {
		x ^= b[len(b)-1]
	}
	runtime.KeepAlive(x) // the reads are not optimised away
}

// nameOf is "NAME: " for a source that has a path.
func nameOf(src Source) string {
	if p, ok := src.(interface{ Path() string }); ok {
		return display.Name(p.Path()) + ": "
	}
	return ""
}

// parallel runs each hash on its own goroutine: feed hands every one the
// same bytes and waits for all. The goroutines read mapped memory, so each
// turns a memory fault (the file shrank) into mapping.ErrFault instead of
// letting it end the program.
type parallel struct {
	in  []chan []byte
	out chan error
}

func newParallel(hs []hash.Hash) *parallel {
	p := &parallel{out: make(chan error, len(hs))}
	for _, h := range hs {
		in := make(chan []byte)
		p.in = append(p.in, in)
		go func() {
			debug.SetPanicOnFault(true)
			for b := range in {
				p.out <- safeWrite(h, b)
			}
		}()
	}
	return p
}

func safeWrite(h hash.Hash, b []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if !mapping.IsFault(r) {
				panic(r)
			}
			err = mapping.ErrFault
		}
	}()
	h.Write(b)
	return nil
}

func (p *parallel) feed(b []byte) error {
	for _, in := range p.in {
		in <- b
	}
	var first error
	for range p.in {
		if err := <-p.out; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (p *parallel) close() {
	for _, in := range p.in {
		close(in)
	}
}
