package mapping

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// SpillDir returns the folder where the journal keeps the bytes of large
// edits (over 1 MiB) in an unlinked temporary file: $TMPDIR when set;
// else /tmp unless it is a tmpfs (memory, where a spill file would take
// RAM); then $XDG_CACHE_HOME/mmhex (made 0700) or /var/tmp, the first
// that is on a disk and writable; else /tmp.
func SpillDir() string { return spillDir("/tmp") }

// spillDir is SpillDir with tmp standing for /tmp (tests give a folder or
// a tmpfs of their own).
func spillDir(tmp string) string {
	if d := os.Getenv("TMPDIR"); d != "" {
		return d
	}
	if !onTmpfs(tmp) {
		return tmp
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		d := filepath.Join(x, "mmhex")
		if os.MkdirAll(d, 0o700) == nil && usable(d) {
			return d
		}
	}
	if usable("/var/tmp") {
		return "/var/tmp"
	}
	return tmp
}

func onTmpfs(dir string) bool {
	var fs unix.Statfs_t
	return unix.Statfs(dir, &fs) == nil && fs.Type == unix.TMPFS_MAGIC
}

// usable: a writable folder that is not a tmpfs.
func usable(dir string) bool {
	return !onTmpfs(dir) && unix.Access(dir, unix.W_OK|unix.X_OK) == nil
}
