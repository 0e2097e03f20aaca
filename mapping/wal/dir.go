// Package wal is the durable journal's file format and folder: before a
// store reaches a shared mapping, the bytes it replaces are appended to a
// journal file in $XDG_STATE_HOME/mmhex (~/.local/state/mmhex), and the
// record is on disk (fdatasync) before the store when the bytes were not
// already saved there; a crash (SIGKILL, a lost SSH connection, power
// loss after writeback) then leaves a journal that reverts the edits made
// since the last sync. The files hold the file's bytes: they are created
// 0600 in a folder that must be 0700 and owned by the user, and no
// symbolic link is followed there (O_NOFOLLOW, openat on the folder).
//
// It imports only the standard library and golang.org/x/sys/unix:
// mapping writes journals through a Writer, recovery (mapping/recover)
// reads them with Open and Find.
package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Dir returns the journal folder: $XDG_STATE_HOME/mmhex when
// XDG_STATE_HOME is an absolute path, else $HOME/.local/state/mmhex.
func Dir() (string, error) {
	if x := os.Getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "mmhex"), nil
	}
	home := os.Getenv("HOME")
	if home == "" || !filepath.IsAbs(home) {
		return "", errors.New("journal folder: neither XDG_STATE_HOME nor HOME is an absolute path")
	}
	return filepath.Join(home, ".local", "state", "mmhex"), nil
}

// ErrFolder: the journal folder is not safe to hold a file's bytes.
var ErrFolder = errors.New("refused")

// openDir opens the journal folder (creating it, and its parents, 0700
// when missing) without following a symbolic link at its last component,
// and checks that it is a folder the user owns that nobody else may
// enter: a folder another user owns, or one group or others may write,
// is refused; one the user owns with wider permissions is made 0700.
func openDir(create bool) (*os.File, string, error) {
	dir, err := Dir()
	if err != nil {
		return nil, "", err
	}
	if create {
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return nil, dir, fmt.Errorf("journal folder %s: %w", dir, unwrap(err))
		}
		if err := unix.Mkdir(dir, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, dir, fmt.Errorf("journal folder %s: %w", dir, err)
		}
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
			return nil, dir, fmt.Errorf("journal folder %s: %w: it is a symbolic link or not a folder", dir, ErrFolder)
		}
		return nil, dir, fmt.Errorf("journal folder %s: %w", dir, err)
	}
	d := os.NewFile(uintptr(fd), dir)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		d.Close()
		return nil, dir, fmt.Errorf("journal folder %s: %w", dir, err)
	}
	if euid := uint32(os.Geteuid()); st.Uid != euid {
		d.Close()
		return nil, dir, fmt.Errorf("journal folder %s: %w: owned by uid %d, not by you (uid %d)", dir, ErrFolder, st.Uid, euid)
	}
	if st.Mode&0o077 != 0 {
		if err := unix.Fchmod(fd, 0o700); err != nil {
			d.Close()
			return nil, dir, fmt.Errorf("journal folder %s: %w: mode %#o and chmod 0700 failed: %v", dir, ErrFolder, st.Mode&0o777, err)
		}
	}
	return d, dir, nil
}

// fileName is the journal's name for the file with device dev and inode
// ino, written by process pid (its n-th journal).
func fileName(dev, ino uint64, pid, n int) string {
	return fmt.Sprintf("%s%d-%d.mmj", prefix(dev, ino), pid, n)
}

func prefix(dev, ino uint64) string { return fmt.Sprintf("%x-%x-", dev, ino) }

// list returns the names of the journal files in the folder d whose name
// starts with pre ("" for all).
func list(d *os.File, pre string) ([]string, error) {
	names, err := d.Readdirnames(-1)
	if _, serr := d.Seek(0, 0); err == nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, pre) && strings.HasSuffix(n, ".mmj") {
			out = append(out, n)
		}
	}
	return out, nil
}

func unwrap(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
