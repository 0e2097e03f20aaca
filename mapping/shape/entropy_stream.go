package shape

import (
	"context"
	"io"
)

// EntropyStream is Entropy for a byte stream that cannot be mapped (a
// pipe): r is read once, front to back, and cut into blocks of block bytes
// from offset 0 (the last may be shorter), with the same figures as
// Entropy gives for a file holding the same bytes (no block is a hole).
// fn gets them in order, in batches, until it returns false. It returns
// the bytes read; a read error is returned as it is.
func EntropyStream(ctx context.Context, r io.Reader, block int64, fn func([]Block) bool) (int64, error) {
	if block <= 0 {
		block = DefaultBlock
	}
	const batch = 1024
	out := make([]Block, 0, batch)
	buf := make([]byte, min(block, 1<<20))
	var h histogram
	var total, filled int64
	finish := func() bool {
		out = append(out, Block{Off: total - filled, Len: filled, Zeros: h[0], Entropy: entropyOf(&h, filled), Class: classOf(&h, filled)})
		h, filled = histogram{}, 0
		if len(out) == batch {
			ok := fn(out)
			out = out[:0]
			return ok
		}
		return true
	}
	for {
		n, err := r.Read(buf[:min(int64(len(buf)), block-filled)])
		if n > 0 {
			count(&h, buf[:n])
			filled += int64(n)
			total += int64(n)
			if filled == block && !finish() {
				return total, nil
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
	if filled > 0 && !finish() {
		return total, nil
	}
	if len(out) > 0 {
		fn(out)
	}
	return total, nil
}
