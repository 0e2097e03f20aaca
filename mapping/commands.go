package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// CopyTo writes n bytes of the file from off (n < 0: to the end; clipped
// at the end) to w straight from read-only mappings that start at the
// page-aligned offset (the safe form of the classic mmap-and-write
// example). off at or past the end is ErrPastEnd. It returns the bytes
// written.
func (f *File) CopyTo(w io.Writer, off, n int64) (int64, error) {
	size := f.Size()
	if off < 0 {
		return 0, f.errf("%w", ErrOffset)
	}
	if off >= size {
		return 0, f.errf("%w", ErrPastEnd)
	}
	end := size
	if n >= 0 && n < size-off {
		end = off + n
	}
	var written int64
	var werr error
	err := f.Scan(off, end, ScanOptions{}, func(_ int64, b []byte) bool {
		var k int
		k, werr = w.Write(b)
		written += int64(k)
		return werr == nil
	})
	if err != nil {
		return written, err
	}
	if werr != nil {
		if errors.Is(werr, unix.EFAULT) {
			// write(2) straight from mapped pages that are past a new end
			// of the file: where a load would fault, the kernel says
			// EFAULT ("bad address"). Say what happened.
			if _, rerr := f.Refresh(); rerr == nil && f.Size() < end {
				return written, f.errf("%w: the file shrank to %d bytes while copying", ErrPastEnd, f.Size())
			}
			return written, f.errf("writing: %w", ErrFault)
		}
		return written, f.errf("writing: %w", werr)
	}
	if written < end-off {
		// The file shrank while we copied.
		return written, f.errf("%w: the file shrank to %d bytes while copying", ErrPastEnd, f.Size())
	}
	return written, nil
}

// Patch opens path shared read-write, checks that the bytes at off equal
// expect (when expect is not nil), stores data at off through the mapping,
// msyncs the edited pages with mode and closes the file. On any error the
// file is unchanged. The file keeps its inode, hard links and holes. A
// patch asks for writing, so a block device opens writable too. The result
// names the file written (PatchResult.Wrote).
func Patch(path string, off int64, data, expect []byte, mode SyncMode) (PatchResult, error) {
	f, err := Open(path, Options{Write: true})
	if err != nil {
		return PatchResult{}, err
	}
	defer f.Close()
	res, err := patch(f, off, data, expect, mode)
	return PatchResult{SyncResult: res, Wrote: f.OpenedPath()}, err
}

// PatchResult is what Patch did: the sync, and the absolute path of the
// file written as the kernel names it (where a symbolic link led).
type PatchResult struct {
	SyncResult
	Wrote string
}

func patch(f *File, off int64, data, expect []byte, mode SyncMode) (SyncResult, error) {
	if f.Mode() != Shared {
		return SyncResult{}, f.editCheck(off, int64(len(data)))
	}
	if off < 0 || off >= f.Size() {
		return SyncResult{}, f.errf("%w (size %d)", ErrPastEnd, f.Size())
	}
	if expect != nil {
		cur := make([]byte, len(expect))
		k, err := f.ReadAt(cur, off)
		if k < len(expect) {
			if err == nil || err == io.EOF {
				err = fmt.Errorf("%w (size %d)", ErrPastEnd, f.Size())
			}
			return SyncResult{}, f.errf("--expect at %#x: %w", off, err)
		}
		if !bytes.Equal(cur, expect) {
			return SyncResult{}, f.errf("bytes at %#x are % x, not the expected % x; nothing written", off, cur, expect)
		}
	}
	if _, err := f.WriteAt(data, off); err != nil {
		return SyncResult{}, err
	}
	return f.Sync(mode)
}
