// Package extents says where a file's bytes are: its data and hole ranges
// (lseek SEEK_DATA/SEEK_HOLE) and its physical extents (the FS_IOC_FIEMAP
// ioctl: logical offset, physical offset on the device, length, flags).
// It is what `mmhex extents` prints and what the editor's hole drawing and
// data/hole jumps use.
//
// Every function takes the open descriptor once through
// mapping.File.WithDescriptor (the file is never opened by path again), so
// a file renamed over the name changes nothing it reports. Results are
// handed to a callback as they are found: a file with 100 000 extents is
// never held in memory.
package extents

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// Range is a data range or a hole: the bytes [Off, End) of the file.
type Range struct {
	Off, End int64
	Hole     bool
}

// Len is End - Off.
func (r Range) Len() int64 { return r.End - r.Off }

// Kind is "hole" or "data".
func (r Range) Kind() string {
	if r.Hole {
		return "hole"
	}
	return "data"
}

// Errors. Every error returned by this package wraps one of these, a
// mapping error or an errno, with the file's name in front.
var (
	// ErrNoFiemap: the filesystem does not map its files to disk blocks
	// that FIEMAP could report (tmpfs, procfs, a block device itself...).
	// The error is a *NoFiemapError, which says which and why.
	ErrNoFiemap = errors.New("no extents")
	// ErrNotRegular: the data/hole ranges and extents exist only for
	// regular files (and, as one data range, block devices).
	ErrNotRegular = errors.New("has no extents")
	// ErrStop is returned by a callback to end the walk early; the walk
	// then returns nil.
	ErrStop = errors.New("stop")
)

func errf(f *mapping.File, format string, a ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{display.Name(f.Path())}, a...)...)
}

// Ranges calls fn with the data ranges and holes of [off, end) in order,
// alternating, adjacent, covering the range exactly (end < 0 or past the
// size: to the size as the descriptor shows it now). Where the filesystem
// has no SEEK_DATA (EINVAL), or for a block device, the whole range is one
// data range. fn returning ErrStop ends the walk (nil); any other error
// ends it and is returned.
func Ranges(f *mapping.File, off, end int64, fn func(Range) error) error {
	err := f.WithDescriptor(func(fd int, _ int64) error {
		size, blk, err := fdSize(fd)
		if err != nil {
			return errf(f, "fstat: %w", err)
		}
		if end < 0 || end > size {
			end = size
		}
		if off < 0 {
			off = 0
		}
		if blk {
			if off < end {
				return fn(Range{Off: off, End: end})
			}
			return nil
		}
		var cbErr error
		err = walk(fd, off, end, func(r Range) error { cbErr = fn(r); return cbErr })
		if err != nil && err != cbErr {
			return errf(f, "%w", err)
		}
		return err
	})
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// walk is Ranges on a descriptor: lseek SEEK_DATA, then SEEK_HOLE, from
// off until end.
func walk(fd int, off, end int64, fn func(Range) error) error {
	pos := off
	for pos < end {
		d, err := unix.Seek(fd, pos, unix.SEEK_DATA)
		switch {
		case errors.Is(err, unix.ENXIO): // no data from pos on: a hole to the end
			return fn(Range{Off: pos, End: end, Hole: true})
		case errors.Is(err, unix.EINVAL): // no SEEK_DATA here: all data
			return fn(Range{Off: pos, End: end})
		case err != nil:
			return fmt.Errorf("lseek SEEK_DATA at %#x: %w", pos, err)
		}
		if d >= end {
			return fn(Range{Off: pos, End: end, Hole: true})
		}
		if d > pos {
			if err := fn(Range{Off: pos, End: d, Hole: true}); err != nil {
				return err
			}
		}
		h, err := unix.Seek(fd, d, unix.SEEK_HOLE)
		if err != nil {
			if errors.Is(err, unix.ENXIO) { // shrank meanwhile
				return nil
			}
			return fmt.Errorf("lseek SEEK_HOLE at %#x: %w", d, err)
		}
		h = min(h, end)
		if h <= d { // cannot happen; never loop forever
			h = end
		}
		if err := fn(Range{Off: d, End: h}); err != nil {
			return err
		}
		pos = h
	}
	return nil
}

// fdSize is the size of the open file now (fstat), and whether it is a
// block device (size from BLKGETSIZE64).
func fdSize(fd int) (int64, bool, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0, false, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFBLK {
		var sz uint64
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.BLKGETSIZE64, uintptr(unsafe.Pointer(&sz))); e != 0 {
			return 0, true, e
		}
		return int64(sz), true, nil
	}
	return st.Size, false, nil
}

// NoFiemapError is why a file has no extents to report: Why is a few
// words ("tmpfs keeps files in memory: no disk blocks, FIEMAP not
// supported (operation not supported)"). It wraps ErrNoFiemap.
type NoFiemapError struct{ Name, Why string }

func (e *NoFiemapError) Error() string { return e.Name + ": no extents: " + e.Why }
func (e *NoFiemapError) Unwrap() error { return ErrNoFiemap }

// Flags are the FIEMAP_EXTENT_* flags of an extent.
type Flags uint32

// The FIEMAP_EXTENT_* flags (linux/fiemap.h).
const (
	Last          Flags = 0x1
	UnknownLoc    Flags = 0x2
	Delalloc      Flags = 0x4
	Encoded       Flags = 0x8
	DataEncrypted Flags = 0x80
	NotAligned    Flags = 0x100
	DataInline    Flags = 0x200
	DataTail      Flags = 0x400
	Unwritten     Flags = 0x800
	Merged        Flags = 0x1000
	Shared        Flags = 0x2000
)

// flagNames are filefrag's names, in its order, so `mmhex extents` and
// `filefrag -v` list an extent's flags alike.
var flagNames = []struct {
	f    Flags
	name string
}{
	{Last, "last"}, {UnknownLoc, "unknown_loc"}, {Delalloc, "delalloc"}, {Encoded, "encoded"},
	{DataEncrypted, "data_encrypted"}, {NotAligned, "not_aligned"}, {DataInline, "inline"},
	{DataTail, "tail_packed"}, {Unwritten, "unwritten"}, {Merged, "merged"}, {Shared, "shared"},
}

// Names lists the flags by filefrag's names ("last", "unwritten",
// "shared", "encoded", "inline", ...); an unknown bit is "0x4000".
func (fl Flags) Names() []string {
	var out []string
	rest := fl
	for _, n := range flagNames {
		if fl&n.f != 0 {
			out = append(out, n.name)
			rest &^= n.f
		}
	}
	for b := Flags(1); b != 0; b <<= 1 {
		if rest&b != 0 {
			out = append(out, fmt.Sprintf("%#x", uint32(b)))
		}
	}
	return out
}

// String is Names joined with ",".
func (fl Flags) String() string { return strings.Join(fl.Names(), ",") }

// Extent is one FIEMAP extent, in bytes.
type Extent struct {
	Logical, Physical, Length int64
	Flags                     Flags
}

// End is Logical + Length.
func (x Extent) End() int64 { return x.Logical + x.Length }

const (
	fsIocFiemap      = 0xC020660B // _IOWR('f', 11, struct fiemap)
	fiemapHeader     = 32
	fiemapExtentSize = 56
	fiemapBatch      = 1024 // extents per ioctl (56 KiB buffer)
)

// Extents calls fn with every extent of the file, in logical order, as
// FIEMAP gives them (without FIEMAP_FLAG_SYNC: asking writes nothing back,
// so data not yet written back shows as delalloc), over all of the file's
// logical space, as filefrag does (extents preallocated past the end,
// fallocate --keep-size, included). Where the filesystem has no FIEMAP the
// error wraps ErrNoFiemap and says why in words ("tmpfs keeps files in
// memory: no disk blocks, FIEMAP not supported"). fn returning ErrStop ends
// the walk (nil).
func Extents(f *mapping.File, fn func(Extent) error) error {
	err := f.WithDescriptor(func(fd int, _ int64) error {
		return fiemap(f, fd, fn)
	})
	// fn's own errors pass unchanged; fiemap names the file in its own.
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

func fiemap(f *mapping.File, fd int, fn func(Extent) error) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return errf(f, "fstat: %w", err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFBLK {
		return &NoFiemapError{display.Name(f.Path()), "a block device is the disk itself (FIEMAP maps the files of a filesystem to it)"}
	}
	buf := make([]uint64, (fiemapHeader+fiemapBatch*fiemapExtentSize)/8)
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)*8)
	var pos uint64
	for {
		clear(raw[:fiemapHeader])
		binary.NativeEndian.PutUint64(raw[0:], pos)
		binary.NativeEndian.PutUint64(raw[8:], ^uint64(0)-pos) // to FIEMAP_MAX_OFFSET
		binary.NativeEndian.PutUint32(raw[24:], fiemapBatch)
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), fsIocFiemap, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
			if e == unix.EOPNOTSUPP || e == unix.ENOTTY || e == unix.EINVAL && pos == 0 {
				return &NoFiemapError{display.Name(f.Path()), whyNoFiemap(fd, e)}
			}
			return errf(f, "FIEMAP at %#x: %w", pos, e)
		}
		mapped := int(binary.NativeEndian.Uint32(raw[20:]))
		if mapped == 0 {
			return nil
		}
		last, from := false, pos
		for i := range mapped {
			e := raw[fiemapHeader+i*fiemapExtentSize:]
			x := Extent{
				Logical:  int64(binary.NativeEndian.Uint64(e[0:])),
				Physical: int64(binary.NativeEndian.Uint64(e[8:])),
				Length:   int64(binary.NativeEndian.Uint64(e[16:])),
				Flags:    Flags(binary.NativeEndian.Uint32(e[40:])),
			}
			if err := fn(x); err != nil {
				return err
			}
			last = last || x.Flags&Last != 0
			if next := uint64(x.Logical + x.Length); next > pos {
				pos = next
			}
		}
		if last || pos == from { // the end, or no progress (never loop)
			return nil
		}
	}
}

// fsNames names the filesystems without FIEMAP that people meet.
var fsNames = map[int64]string{
	unix.TMPFS_MAGIC:           "tmpfs keeps files in memory: no disk blocks",
	unix.RAMFS_MAGIC:           "ramfs keeps files in memory: no disk blocks",
	unix.PROC_SUPER_MAGIC:      "procfs files are made by the kernel: no disk blocks",
	unix.SYSFS_MAGIC:           "sysfs files are made by the kernel: no disk blocks",
	unix.NFS_SUPER_MAGIC:       "NFS keeps the blocks on the server",
	unix.FUSE_SUPER_MAGIC:      "this FUSE filesystem does not map blocks",
	unix.OVERLAYFS_SUPER_MAGIC: "overlayfs does not pass FIEMAP on here",
}

// whyNoFiemap says why FIEMAP failed with e, naming the filesystem.
func whyNoFiemap(fd int, e unix.Errno) string {
	var fs unix.Statfs_t
	what := "this filesystem does not map its files to disk blocks"
	if unix.Fstatfs(fd, &fs) == nil {
		if s, ok := fsNames[int64(fs.Type)]; ok {
			what = s
		} else {
			what = fmt.Sprintf("this filesystem (type %#x) does not map its files to disk blocks", fs.Type)
		}
	}
	return fmt.Sprintf("%s, FIEMAP not supported (%v)", what, e)
}

// HoleAt is the hole that holds off: its [start, end) and true, or false
// when off is data (or past the end). It asks lseek SEEK_DATA/SEEK_HOLE
// (Ranges) forward from off for the end, and backward over windows that
// double from 64 KiB until one holds data for the start: a few calls, not
// a walk of the whole file.
func HoleAt(f *mapping.File, off int64) (start, end int64, ok bool, err error) {
	var first Range
	got := false
	err = Ranges(f, off, -1, func(r Range) error { first, got = r, true; return ErrStop })
	if err != nil || !got || !first.Hole || first.Off != off {
		return 0, 0, false, err
	}
	end = first.End
	start = off
	for k := int64(64 << 10); off > 0; k *= 2 {
		from := max(off-k, 0)
		var last Range
		if err := Ranges(f, from, off+1, func(r Range) error { last = r; return nil }); err != nil {
			return 0, 0, false, err
		}
		if !last.Hole { // the file changed meanwhile
			return 0, 0, false, nil
		}
		if last.Off > from || from == 0 {
			start = last.Off
			break
		}
	}
	return start, end, true, nil
}
