package pagecache

// disk.go: reading what is on the disk, not in the page cache.
//
// An O_DIRECT read of a file is not enough on its own: before a direct
// read the kernel writes the dirty page-cache pages of the range back
// (filemap_write_and_wait_range), so it can never show an edit that is in
// memory but not yet on disk, and it has the side effect of a sync. So
// ReadDisk first asks the filesystem where the bytes live (FS_IOC_FIEMAP)
// and reads those blocks from the underlying block device with O_DIRECT,
// which leaves the file's dirty pages alone. Holes, unwritten (preallocated)
// and delayed-allocation extents read as zeros: the disk holds nothing for
// them yet. Where that is not possible (no permission to read the device,
// no block device behind the filesystem, inline or encoded extents) it
// falls back to O_DIRECT on the file, and DiskReadMethod says so.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
)

const (
	fsIocFiemap         = 0xC020660B // _IOWR('f', 11, struct fiemap)
	fiemapExtentLast    = 0x1
	fiemapExtentUnknown = 0x2
	fiemapExtentDelaloc = 0x4
	fiemapExtentUnwrit  = 0x800
	fiemapNotRaw        = 0x8 | 0x80 | 0x100 | 0x200 | 0x400 // encoded, encrypted, not aligned, inline, tail
	fiemapHeader        = 32
	fiemapExtentSize    = 56
	fiemapBatch         = 64
)

// Disk read methods reported by DiskReadMethod.
const (
	DiskRaw  = "raw"  // FIEMAP + O_DIRECT on the block device: dirty pages are not written first
	DiskFile = "file" // O_DIRECT on the file: the kernel writes the range's dirty pages back first
)

// ReadDisk returns n bytes at off of f (clipped to the file) as they are
// on the disk, bypassing the page cache, into an aligned buffer. See
// disk.go for how; ErrNoDirect when the filesystem refuses O_DIRECT (e.g.
// tmpfs).
func ReadDisk(f *mapping.File, off int64, n int) ([]byte, error) {
	b, _, err := readDisk(f, off, n)
	return b, err
}

// ReadDiskMethod is ReadDisk that also says which method was used:
// DiskRaw (the page cache is untouched) or DiskFile (the kernel wrote the
// dirty pages of the range back before reading).
func ReadDiskMethod(f *mapping.File, off int64, n int) ([]byte, string, error) {
	return readDisk(f, off, n)
}

func readDisk(f *mapping.File, off int64, n int) (b []byte, method string, err error) {
	err = f.WithDescriptor(func(fd int, size int64) error {
		nn, lerr := diskLen(f, off, n, size)
		if lerr != nil {
			return lerr
		}
		if nn <= 0 {
			return nil
		}
		if !f.IsBlockDevice() {
			var rerr error
			if b, rerr = readRaw(f, fd, off, nn); rerr == nil {
				method = DiskRaw
				return nil
			}
		}
		method = DiskFile
		b, err = readDirect(f, fmt.Sprintf("/proc/self/fd/%d", fd), off, nn, true)
		return err
	})
	if err != nil {
		return nil, method, err
	}
	return b, method, nil
}

// ReadDiskRaw is ReadDisk without the fallback to O_DIRECT on the file:
// it reads the file's blocks from the block device (FIEMAP, O_DIRECT) or
// fails with ErrNoRawDisk, and never writes dirty pages back. Callers that
// must not disturb dirty pages (the disk view) use it first.
func ReadDiskRaw(f *mapping.File, off int64, n int) (b []byte, err error) {
	err = f.WithDescriptor(func(fd int, size int64) error {
		nn, lerr := diskLen(f, off, n, size)
		if lerr != nil {
			return lerr
		}
		if f.IsBlockDevice() {
			return errf(f, "%w: the file is a block device", ErrNoRawDisk)
		}
		var rerr error
		if b, rerr = readRaw(f, fd, off, nn); rerr != nil {
			return errf(f, "%w: %v", ErrNoRawDisk, rerr)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// diskLen is how many bytes of [off, off+n) a disk read of a file of size
// bytes reads, or the error for an offset outside the file.
func diskLen(f *mapping.File, off int64, n int, size int64) (int64, error) {
	if off < 0 {
		return 0, errf(f, "%w", mapping.ErrOffset)
	}
	if off >= size {
		return 0, errf(f, "%w", mapping.ErrPastEnd)
	}
	return min(int64(n), size-off), nil
}

// readDirect reads [off, off+n) of path with O_DIRECT. isFile: errors
// name the mapped file and EINVAL means the filesystem refuses O_DIRECT.
func readDirect(f *mapping.File, path string, off, n int64, isFile bool) ([]byte, error) {
	page := f.PageSize()
	dfd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECT|unix.O_CLOEXEC, 0)
	if err != nil {
		if isFile && err == unix.EINVAL {
			return nil, errf(f, "%w", ErrNoDirect)
		}
		return nil, errf(f, "open O_DIRECT: %w", err)
	}
	defer unix.Close(dfd)
	a := off &^ (page - 1)
	end := (off + n + page - 1) &^ (page - 1)
	buf, err := unix.Mmap(-1, 0, int(end-a), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, errf(f, "O_DIRECT buffer: %w", err)
	}
	defer unix.Munmap(buf)
	got := 0
	for got < len(buf) {
		r, err := unix.Pread(dfd, buf[got:], a+int64(got))
		if err != nil {
			if isFile && errors.Is(err, unix.EINVAL) {
				return nil, errf(f, "%w: %v", ErrNoDirect, err)
			}
			return nil, errf(f, "O_DIRECT read at %#x: %w", a+int64(got), err)
		}
		if r == 0 {
			break
		}
		got += r
	}
	lo := off - a
	if int64(got) < lo+n {
		return nil, errf(f, "O_DIRECT read at %#x: short read (%d bytes)", off, int64(got)-lo)
	}
	return append([]byte(nil), buf[lo:lo+n]...), nil
}

type extent struct {
	logical, physical, length int64
	flags                     uint32
}

// fiemap returns the extents of [off, off+n) (without FIEMAP_FLAG_SYNC:
// asking must not write anything back).
func fiemap(fd int, off, n int64) ([]extent, error) {
	buf := make([]uint64, (fiemapHeader+fiemapBatch*fiemapExtentSize)/8)
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)*8)
	var out []extent
	pos, end := off, off+n
	for pos < end {
		clear(buf)
		binary.NativeEndian.PutUint64(raw[0:], uint64(pos))
		binary.NativeEndian.PutUint64(raw[8:], uint64(end-pos))
		binary.NativeEndian.PutUint32(raw[24:], fiemapBatch)
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), fsIocFiemap, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
			return nil, e
		}
		mapped := int(binary.NativeEndian.Uint32(raw[20:]))
		if mapped == 0 {
			break
		}
		last := false
		for i := 0; i < mapped; i++ {
			e := raw[fiemapHeader+i*fiemapExtentSize:]
			x := extent{
				logical:  int64(binary.NativeEndian.Uint64(e[0:])),
				physical: int64(binary.NativeEndian.Uint64(e[8:])),
				length:   int64(binary.NativeEndian.Uint64(e[16:])),
				flags:    binary.NativeEndian.Uint32(e[40:]),
			}
			out = append(out, x)
			pos = x.logical + x.length
			last = last || x.flags&fiemapExtentLast != 0
		}
		if last {
			break
		}
	}
	return out, nil
}

// blockDevice returns the /dev node of the block device that holds the
// file system of st (st_dev), or "" when there is none.
func blockDevice(st *unix.Stat_t) string {
	maj, mnr := unix.Major(st.Dev), unix.Minor(st.Dev)
	ue, err := os.ReadFile(fmt.Sprintf("/sys/dev/block/%d:%d/uevent", maj, mnr))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(ue), "\n") {
		if name, ok := strings.CutPrefix(line, "DEVNAME="); ok {
			dev := "/dev/" + name
			var ds unix.Stat_t
			if unix.Stat(dev, &ds) == nil && ds.Mode&unix.S_IFMT == unix.S_IFBLK && ds.Rdev == st.Dev {
				return dev
			}
		}
	}
	return ""
}

// readRaw reads [off, off+n) from the file's blocks on the block device.
func readRaw(f *mapping.File, fd int, off, n int64) ([]byte, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	dev := blockDevice(&st)
	if dev == "" {
		return nil, errNotRaw
	}
	exts, err := fiemap(fd, off, n)
	if err != nil {
		return nil, err
	}
	out := make([]byte, n)
	for _, x := range exts {
		a, b := max(x.logical, off), min(x.logical+x.length, off+n)
		if a >= b {
			continue
		}
		switch {
		case x.flags&fiemapNotRaw != 0:
			return nil, errNotRaw
		case x.flags&(fiemapExtentDelaloc|fiemapExtentUnwrit) != 0:
			continue // nothing on the disk yet: zeros
		case x.flags&fiemapExtentUnknown != 0:
			return nil, errNotRaw
		}
		d, err := readDirect(f, dev, x.physical+(a-x.logical), b-a, false)
		if err != nil {
			return nil, err
		}
		copy(out[a-off:], d)
	}
	return out, nil
}
