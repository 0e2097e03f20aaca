// Package stream lets the engines that read a *mapping.File through Scan
// and Sweep (mapping/search) read a pipe instead: standard input, which
// cannot be mapped. A Source reads its io.Reader once, front to back, a
// chunk at a time into one buffer, and hands the chunks out with the same
// overlap contract as mapping.File.Sweep, so the engine's code and its
// results are the same as for a file holding the same bytes. Memory stays
// one chunk whatever the length of the input.
//
// The package imports only mapping (for ScanOptions) and the standard
// library; it never opens or maps anything.
package stream

import (
	"errors"
	"fmt"
	"io"

	"mmhex/mapping"
)

// Unbounded is the Size of a Source: the length of a pipe is known only at
// its end. Engines clip ranges to Size, so a range [0, Unbounded) is the
// whole input; with one worker and a segment of Unbounded bytes
// (search.AllOptions{Workers: 1, Segment: Unbounded}) the engine sweeps
// the input once, in order.
const Unbounded = int64(1) << 62

// DefaultChunk is the bytes read per chunk when the options give none.
const DefaultChunk = 1 << 20

// ErrOnce: a Source can be swept once, forward, from where it stands.
var ErrOnce = errors.New("can be read only once, front to back (a pipe cannot be mapped or read again)")

// Source is an io.Reader seen as a file for the engines.
type Source struct {
	r    io.Reader
	name string // for messages, already display-safe ("standard input")
	pos  int64  // bytes consumed
	used bool
}

// New returns a Source reading r; name is how errors name it.
func New(r io.Reader, name string) *Source { return &Source{r: r, name: name} }

// Size is Unbounded: see its comment.
func (s *Source) Size() int64 { return Unbounded }

// Path is the name given to New.
func (s *Source) Path() string { return s.name }

// Read is the bytes read so far: after a sweep to the end, the input's
// length.
func (s *Source) Read() int64 { return s.pos }

// Scan is Sweep (forward only).
func (s *Source) Scan(off, end int64, o mapping.ScanOptions, fn func(base int64, b []byte) bool) error {
	return s.Sweep(off, end, o, fn)
}

// Sweep reads [off, end) of the input (bytes before off are read and
// dropped) and calls fn(base, b) with consecutive chunks that overlap by
// o.Overlap bytes, as mapping.File.Sweep does, until the end of the input,
// end, or fn returns false. b is valid only inside fn. A Source is swept
// once: a second call, or o.Reverse, returns ErrOnce.
func (s *Source) Sweep(off, end int64, o mapping.ScanOptions, fn func(base int64, b []byte) bool) error {
	if s.used || o.Reverse || off < s.pos {
		return fmt.Errorf("%s: %w", s.name, ErrOnce)
	}
	s.used = true
	if off > s.pos {
		n, err := io.CopyN(io.Discard, s.r, off-s.pos)
		s.pos += n
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: reading: %w", s.name, err)
		}
	}
	chunk := int(o.Chunk)
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	ov := max(0, o.Overlap)
	buf := make([]byte, ov+chunk)
	have := 0 // bytes in buf: the overlap kept from the last chunk, then new ones
	base := s.pos
	for base+int64(have) < end {
		want := min(len(buf), have+int(min(int64(chunk), end-base-int64(have))))
		n, err := io.ReadAtLeast(s.r, buf[have:want], want-have)
		s.pos += int64(n)
		have += n
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return fmt.Errorf("%s: reading: %w", s.name, err)
		}
		if n > 0 && !fn(base, buf[:have]) {
			return nil
		}
		if eof {
			return nil
		}
		keep := min(ov, have)
		copy(buf, buf[have-keep:have])
		base += int64(have - keep)
		have = keep
	}
	return nil
}
