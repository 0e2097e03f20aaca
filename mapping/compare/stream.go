package compare

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"mmhex/mapping"
)

// StreamChunk is how much of the reader DiffReader holds at once (and as
// much of the file, read with ReadAt): memory stays two chunks whatever
// the sizes.
const StreamChunk = 1 << 20

// Stream is one side of a compare that is read once, in order: a pipe,
// which cannot be mapped. Size is the bytes read from it so far (the
// skipped ones included); EOF says whether it ended, so that Size is its
// size.
type Stream struct {
	R    io.Reader
	Size int64
	EOF  bool
	// Name is how the reports name it ("-": standard input).
	Name string
	// Regular, when >= 0, is what remains of a regular file the reader
	// reads (standard input redirected from a file): cmp counts it in the
	// width of its offsets. < 0: a pipe.
	Regular int64
}

// read fills p from the stream as far as it goes.
func (s *Stream) read(p []byte) (int, error) {
	n, err := io.ReadFull(s.R, p)
	s.Size += int64(n)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		s.EOF, err = true, nil
	}
	if err != nil {
		err = fmt.Errorf("%s: reading: %w", s.Name, err)
	}
	return n, err
}

// Drain reads the rest of the stream, counting it, so that Size is its
// size.
func (s *Stream) Drain() error {
	if s.EOF {
		return nil
	}
	n, err := io.Copy(io.Discard, s.R)
	s.Size += n
	if err != nil {
		return fmt.Errorf("%s: reading: %w", s.Name, err)
	}
	s.EOF = true
	return nil
}

// skip passes the stream's first off bytes (it must be at the start).
func (s *Stream) skip(off int64) error {
	if off <= s.Size || s.EOF {
		return nil
	}
	n, err := io.CopyN(io.Discard, s.R, off-s.Size)
	s.Size += n
	if errors.Is(err, io.EOF) {
		s.EOF, err = true, nil
	}
	if err != nil {
		return fmt.Errorf("%s: reading: %w", s.Name, err)
	}
	return nil
}

// DiffReader is Diff with one side a Stream, read once and in order from
// its start, a chunk at a time, compared with the file f at the same
// offsets (f read with ReadAt: no second mapping, no copy of the stream).
// streamIsA says which side the stream is. It reads the stream up to end
// at most: Size and EOF say how far it got; the tail (the part only the
// longer side has) is reported as far as end, as Diff does.
func DiffReader(ctx context.Context, s *Stream, streamIsA bool, f *mapping.File, off, end int64, fn func(Range) bool) error {
	var cur Range
	have := false
	stopped := false
	err := diffStream(ctx, s, streamIsA, f, off, end, func(r Range, _, _ []byte) bool {
		if r.Side == Both {
			if have && cur.End() == r.Off {
				cur.Len += r.Len
				return true
			}
			if have && !fn(cur) {
				stopped = true
				return false
			}
			cur, have = r, true
			return true
		}
		if have {
			have = false
			if !fn(cur) {
				stopped = true
				return false
			}
		}
		return fn(r)
	})
	if err == nil && have && !stopped {
		fn(cur)
	}
	return err
}

// diffStream calls fn with the differing runs of the common part as they
// are found, one chunk at a time (a run across chunks comes in pieces),
// with the bytes of both sides (A, B; valid during the call), then with
// the tail, clipped to [off, end) (nil bytes).
func diffStream(ctx context.Context, s *Stream, streamIsA bool, f *mapping.File, off, end int64, fn func(r Range, a, b []byte) bool) error {
	off = max(off, 0)
	if err := s.skip(off); err != nil {
		return err
	}
	fsize := f.Size()
	sbuf := make([]byte, StreamChunk)
	fbuf := make([]byte, StreamChunk)
	pos := off
	for !s.EOF && pos < end {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pos >= fsize {
			// past the file: only how long the stream is matters
			n, err := io.CopyN(io.Discard, s.R, end-pos)
			s.Size += n
			if errors.Is(err, io.EOF) {
				s.EOF, err = true, nil
			}
			if err != nil {
				return fmt.Errorf("%s: reading: %w", s.Name, err)
			}
			break
		}
		n, err := s.read(sbuf[:min(int64(len(sbuf)), end-pos)])
		if err != nil {
			return err
		}
		cm := int(min(int64(n), fsize-pos))
		if cm > 0 {
			if _, err := f.ReadAt(fbuf[:cm], pos); err != nil {
				return err
			}
			a, b := sbuf[:cm], fbuf[:cm]
			if !streamIsA {
				a, b = b, a
			}
			for i := 0; i < cm; {
				for i+8 <= cm && binary.LittleEndian.Uint64(a[i:]) == binary.LittleEndian.Uint64(b[i:]) {
					i += 8
				}
				for i < cm && a[i] == b[i] {
					i++
				}
				j := i
				for j < cm && a[j] != b[j] {
					j++
				}
				if j > i && !fn(Range{Off: pos + int64(i), Len: int64(j - i)}, a[i:j], b[i:j]) {
					return nil
				}
				i = j
			}
		}
		pos += int64(n)
	}
	ssize := s.Size // exact when s.EOF; else at least end
	if ssize == fsize || (!s.EOF && ssize < fsize) {
		return nil
	}
	tail := Range{Off: fsize, Len: ssize - fsize, Side: OnlyB}
	if streamIsA {
		tail.Side = OnlyA
	}
	if ssize < fsize {
		tail = Range{Off: ssize, Len: fsize - ssize, Side: OnlyA}
		if streamIsA {
			tail.Side = OnlyB
		}
	}
	if end > tail.Off && off < tail.End() {
		ta := max(off, tail.Off)
		fn(Range{Off: ta, Len: min(end, tail.End()) - ta, Side: tail.Side}, nil, nil)
	}
	return nil
}
