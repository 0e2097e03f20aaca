package mapping

import (
	"os"

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
