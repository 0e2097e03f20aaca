package compare

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/bits"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
)

// acc gathers one segment's runs, merging runs that touch (across
// chunks), and hands them on in batches.
type acc struct {
	ctx   context.Context
	out   chan<- []Range
	batch []Range
	cur   Range
	have  bool
}

func (c *acc) add(off, n int64) bool {
	if c.have && c.cur.End() == off {
		c.cur.Len += n
		return true
	}
	if c.have {
		c.batch = append(c.batch, c.cur)
		if len(c.batch) == batchLen && !c.send() {
			return false
		}
	}
	c.cur, c.have = Range{Off: off, Len: n}, true
	return true
}

func (c *acc) send() bool {
	if len(c.batch) == 0 {
		return true
	}
	select {
	case c.out <- c.batch:
		c.batch = make([]Range, 0, batchLen)
		return true
	case <-c.ctx.Done():
		return false
	}
}

func (c *acc) flush() bool {
	if c.have {
		c.batch = append(c.batch, c.cur)
		c.have = false
	}
	return c.send()
}

// piece is a part of a segment and which files hold data there.
type piece struct {
	a, b         int64
	dataA, dataB bool
}

// compareSeg finds the runs of differing bytes in [s.a, s.b) and sends
// them to s.out.
func compareSeg(ctx context.Context, a, b *mapping.File, s *seg, o Options) error {
	c := &acc{ctx: ctx, out: s.out, batch: make([]Range, 0, batchLen)}
	pieces := []piece{{s.a, s.b, true, true}}
	if !o.NoHoleSkip && a.Mode() != mapping.Private && b.Mode() != mapping.Private {
		// (private edits are not in the file: SEEK_DATA would not see them)
		ra, err := dataRanges(a, s.a, s.b)
		if err != nil {
			return err
		}
		rb, err := dataRanges(b, s.a, s.b)
		if err != nil {
			return err
		}
		pieces = split(s.a, s.b, ra, rb)
	}
	chunk := o.Chunk
	if chunk <= 0 {
		chunk = mapping.SweepChunk
	}
	for _, p := range pieces {
		var err error
		switch {
		case p.dataA && p.dataB:
			err = sweepBoth(ctx, a, b, p.a, p.b, chunk, c)
		case p.dataA:
			err = sweepZeros(ctx, a, p.a, p.b, chunk, c)
		case p.dataB:
			err = sweepZeros(ctx, b, p.a, p.b, chunk, c)
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if !c.flush() {
		return ctx.Err()
	}
	return nil
}

// sweepBoth compares [off, end) of a and b: a's views, and for each the
// same bytes of b (one or two views).
func sweepBoth(ctx context.Context, a, b *mapping.File, off, end, chunk int64, c *acc) error {
	var inner error
	err := a.Sweep(off, end, mapping.ScanOptions{Chunk: chunk}, func(base int64, x []byte) bool {
		if ctx.Err() != nil {
			return false
		}
		inner = b.Sweep(base, base+int64(len(x)), mapping.ScanOptions{Chunk: int64(len(x))}, func(bb int64, y []byte) bool {
			i := bb - base
			return diff(bb, x[i:i+int64(len(y))], y, c)
		})
		return inner == nil && ctx.Err() == nil
	})
	if err == nil {
		err = inner
	}
	return err
}

// sweepZeros compares [off, end) of f against zeros (the other file's hole).
func sweepZeros(ctx context.Context, f *mapping.File, off, end, chunk int64, c *acc) error {
	return f.Sweep(off, end, mapping.ScanOptions{Chunk: chunk}, func(base int64, x []byte) bool {
		if ctx.Err() != nil {
			return false
		}
		return diff(base, x, nil, c)
	})
}

var zeros [blockLen]byte

// blockLen: equal bytes are passed over a block at a time (bytes.Equal,
// vectorised); a block that differs is walked 8 bytes at a time.
const blockLen = 4096

// diff adds the runs where x and y (nil: zeros) differ, x[0] being at
// file offset base. false when the consumer went away.
func diff(base int64, x, y []byte, c *acc) bool {
	n := len(x)
	for i := 0; i < n; {
		e := min(n, i+blockLen)
		var yb []byte
		if y == nil {
			yb = zeros[:e-i]
		} else {
			yb = y[i:e]
		}
		if bytes.Equal(x[i:e], yb) {
			i = e
			continue
		}
		// the block differs: find its runs
		xb := x[i:e]
		for j := 0; j < len(xb); {
			d := firstDiff(xb[j:], yb[j:])
			if d < 0 {
				break
			}
			j += d
			k := j + 1
			for k < len(xb) && xb[k] != yb[k] {
				k++
			}
			if !c.add(base+int64(i+j), int64(k-j)) {
				return false
			}
			j = k
		}
		i = e
	}
	return true
}

// firstDiff is the index of the first byte where x and y (same length)
// differ, or -1.
func firstDiff(x, y []byte) int {
	i := 0
	for ; i+8 <= len(x); i += 8 {
		if v := binary.LittleEndian.Uint64(x[i:]) ^ binary.LittleEndian.Uint64(y[i:]); v != 0 {
			return i + bits.TrailingZeros64(v)/8
		}
	}
	for ; i < len(x); i++ {
		if x[i] != y[i] {
			return i
		}
	}
	return -1
}

// dataRanges lists the data (not hole) ranges of f inside [off, end),
// through the descriptor f was opened with (SEEK_DATA, SEEK_HOLE). Where
// the file system does not tell, everything is data.
func dataRanges(f *mapping.File, off, end int64) ([][2]int64, error) {
	var out [][2]int64
	err := f.WithDescriptor(func(fd int, size int64) error {
		end := min(end, size)
		for pos := off; pos < end; {
			d, err := unix.Seek(fd, pos, unix.SEEK_DATA)
			if err == unix.ENXIO {
				break // a hole up to the end
			}
			if err != nil {
				out = [][2]int64{{off, end}}
				return nil
			}
			if d >= end {
				break
			}
			h, err := unix.Seek(fd, d, unix.SEEK_HOLE)
			if err != nil {
				out = [][2]int64{{off, end}}
				return nil
			}
			out = append(out, [2]int64{d, min(h, end)})
			pos = h
		}
		return nil
	})
	return out, err
}

// split cuts [off, end) at the borders of ra and rb (sorted, disjoint)
// into pieces saying which file holds data there; pieces that are holes in
// both are left out.
func split(off, end int64, ra, rb [][2]int64) []piece {
	var out []piece
	in := func(rs [][2]int64, i *int, pos int64) (bool, int64) {
		for *i < len(rs) && rs[*i][1] <= pos {
			*i++
		}
		if *i == len(rs) {
			return false, end
		}
		if rs[*i][0] <= pos {
			return true, rs[*i][1]
		}
		return false, rs[*i][0]
	}
	ia, ib := 0, 0
	for pos := off; pos < end; {
		da, na := in(ra, &ia, pos)
		db, nb := in(rb, &ib, pos)
		next := min(na, nb, end)
		if da || db {
			if n := len(out); n > 0 && out[n-1].b == pos && out[n-1].dataA == da && out[n-1].dataB == db {
				out[n-1].b = next
			} else {
				out = append(out, piece{pos, next, da, db})
			}
		}
		pos = next
	}
	return out
}
