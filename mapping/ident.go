package mapping

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Ident says what file is open: its device, inode and permission bits (the
// low 12 bits of st_mode), from fstat on the open descriptor (not the name,
// which may lead elsewhere by now).
func (f *File) Ident() (dev, ino uint64, perm os.FileMode, err error) {
	f.busy.RLock()
	defer f.busy.RUnlock()
	fd, _, err := f.snapshot()
	if err != nil {
		return 0, 0, 0, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0, 0, 0, f.errf("fstat: %w", err)
	}
	return st.Dev, st.Ino, os.FileMode(st.Mode & 0o777), nil
}

// OpenedPath is the absolute path of the open file as the kernel names it
// (readlink /proc/self/fd/N): where symbolic links in the path given to
// Open led. Without /proc it is the path given, made absolute.
func (f *File) OpenedPath() string {
	f.busy.RLock()
	defer f.busy.RUnlock()
	if fd, _, err := f.snapshot(); err == nil {
		if p, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)); err == nil && filepath.IsAbs(p) {
			return p
		}
	}
	if p, err := filepath.Abs(f.path); err == nil {
		return p
	}
	return f.path
}
