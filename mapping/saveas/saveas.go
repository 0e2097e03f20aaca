// Package saveas copies a whole mapped file, edits included, to another
// file: "save as", and the way to rescue edits after the file was removed
// or replaced on disk (the mapping's descriptor still holds its inode).
//
// The data ranges (SEEK_DATA/SEEK_HOLE) are copied with copy_file_range
// at the same offsets, so the kernel may share the blocks (a reflink on
// filesystems that support it: XFS, Btrfs) and copies inside the kernel
// elsewhere; the holes stay holes (the target is extended with ftruncate,
// never written there). With MAP_SHARED the edits are in the page cache,
// which copy_file_range reads; in private mode (MAP_PRIVATE) they are
// not in the file, so the pages holding them are written afterwards from
// the mapping.
package saveas

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
)

// ErrCancelled: the copy was cancelled.
var ErrCancelled = errors.New("cancelled")

// Result is what Copy did.
type Result struct {
	Size    int64 // the file's size (the target's now)
	Data    int64 // bytes copied (the data ranges; holes are not)
	Private int64 // bytes of private edits written from the mapping
	Method  string
}

// part is how much one copy_file_range call copies, so cancel is seen.
const part = 64 << 20

// Copy writes f's bytes (edits included) to out, which must be empty and
// open for writing, and sets out's size; holes stay holes. cancel (when
// not nil) is checked between parts. out is not synced.
func Copy(f *mapping.File, out *os.File, cancel *atomic.Bool) (Result, error) {
	var res Result
	ofd := int(out.Fd())
	err := f.WithDescriptor(func(fd int, size int64) error {
		res.Size = size
		res.Method = "copy_file_range"
		for off := int64(0); off < size; {
			d, err := unix.Seek(fd, off, unix.SEEK_DATA)
			if errors.Is(err, unix.ENXIO) {
				break // only a hole to the end
			}
			if err != nil { // no SEEK_DATA here: all of it is data
				d = off
			}
			h, err := unix.Seek(fd, d, unix.SEEK_HOLE)
			if err != nil || h > size {
				h = size
			}
			for p := d; p < h; {
				if cancel != nil && cancel.Load() {
					return ErrCancelled
				}
				in, o := p, p
				n, err := unix.CopyFileRange(fd, &in, ofd, &o, int(min(h-p, part)), 0)
				if err != nil || n == 0 {
					if err == nil || errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
						// not between these two: through the mapping
						res.Method = "read through the mapping, pwrite"
						if err := viaMapping(f, out, p, min(h-p, part)); err != nil {
							return err
						}
						n = int(min(h-p, part))
					} else {
						return fmt.Errorf("copy_file_range: %w", err)
					}
				}
				p += int64(n)
				res.Data += int64(n)
			}
			off = h
		}
		return unix.Ftruncate(ofd, size)
	})
	if err != nil {
		return res, err
	}
	if f.Mode() == mapping.Private {
		// The private edits are in the mapping only: their pages.
		ps := f.PageSize()
		for _, r := range f.UnsyncedRanges() {
			a, b := r.First*ps, min(r.End*ps, res.Size)
			if b <= a {
				continue
			}
			if cancel != nil && cancel.Load() {
				return res, ErrCancelled
			}
			if err := viaMapping(f, out, a, b-a); err != nil {
				return res, err
			}
			res.Private += b - a
		}
	}
	return res, nil
}

// viaMapping copies n bytes at off from f's mapping to out at off.
func viaMapping(f *mapping.File, out *os.File, off, n int64) error {
	buf := make([]byte, min(n, 1<<20))
	for n > 0 {
		c := min(n, int64(len(buf)))
		if _, err := f.ReadAt(buf[:c], off); err != nil {
			return err
		}
		if _, err := out.WriteAt(buf[:c], off); err != nil {
			return err
		}
		off += c
		n -= c
	}
	return nil
}
