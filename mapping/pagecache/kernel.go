package pagecache

// kernel.go: the kernel's writeback tunables and the system-wide dirty and
// writeback figures, read from /proc. The page panel shows them beside the
// file's own page figures so that "why are my pages still dirty?" has an
// answer on screen: dirty pages older than dirty_expire are written by the
// flusher threads, which wake every dirty_writeback.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
)

// The /proc files read here. Constants: tests give the readers other paths
// (readWritebackTunables, readSystemDirty) for the error paths.
const (
	procDirtyExpire    = "/proc/sys/vm/dirty_expire_centisecs"
	procDirtyWriteback = "/proc/sys/vm/dirty_writeback_centisecs"
	procMeminfo        = "/proc/meminfo"
)

// WritebackTunables are the kernel's writeback timers (vm sysctls).
type WritebackTunables struct {
	// DirtyExpireCentisecs: a dirty page older than this is written back
	// by the next flusher run (/proc/sys/vm/dirty_expire_centisecs).
	DirtyExpireCentisecs int64
	// DirtyWritebackCentisecs: the flusher threads' wake-up interval;
	// 0 disables periodic writeback (/proc/sys/vm/dirty_writeback_centisecs).
	DirtyWritebackCentisecs int64
}

// DirtyExpire is DirtyExpireCentisecs as a duration.
func (t WritebackTunables) DirtyExpire() time.Duration {
	return time.Duration(t.DirtyExpireCentisecs) * 10 * time.Millisecond
}

// DirtyWriteback is DirtyWritebackCentisecs as a duration.
func (t WritebackTunables) DirtyWriteback() time.Duration {
	return time.Duration(t.DirtyWritebackCentisecs) * 10 * time.Millisecond
}

// String is the panel's line: "dirty_expire 30.00 s, writeback every 5.00 s".
func (t WritebackTunables) String() string {
	wb := fmt.Sprintf("writeback every %.2f s", t.DirtyWriteback().Seconds())
	if t.DirtyWritebackCentisecs == 0 {
		wb = "periodic writeback off"
	}
	return fmt.Sprintf("dirty_expire %.2f s, %s", t.DirtyExpire().Seconds(), wb)
}

// ReadWritebackTunables reads dirty_expire_centisecs and
// dirty_writeback_centisecs.
func ReadWritebackTunables() (WritebackTunables, error) {
	return readWritebackTunables(procDirtyExpire, procDirtyWriteback)
}

func readWritebackTunables(expire, writeback string) (WritebackTunables, error) {
	var t WritebackTunables
	var err error
	if t.DirtyExpireCentisecs, err = readProcInt(expire); err != nil {
		return WritebackTunables{}, err
	}
	if t.DirtyWritebackCentisecs, err = readProcInt(writeback); err != nil {
		return WritebackTunables{}, err
	}
	return t, nil
}

func readProcInt(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", path, err)
	}
	s := strings.TrimSpace(string(b))
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("reading %s: not a number: %q", path, s)
	}
	return v, nil
}

// SystemDirty are the system-wide Dirty: and Writeback: lines of
// /proc/meminfo, in bytes.
type SystemDirty struct {
	Dirty     int64 // memory waiting to be written back to disk
	Writeback int64 // memory being written back now
}

// String is the panel's line: "system Dirty: 19436 kB  Writeback: 0 kB".
func (s SystemDirty) String() string {
	return fmt.Sprintf("system Dirty: %d kB  Writeback: %d kB", s.Dirty/1024, s.Writeback/1024)
}

// ReadSystemDirty reads Dirty: and Writeback: from /proc/meminfo.
func ReadSystemDirty() (SystemDirty, error) { return readSystemDirty(procMeminfo) }

func readSystemDirty(meminfo string) (SystemDirty, error) {
	f, err := os.Open(meminfo)
	if err != nil {
		return SystemDirty{}, fmt.Errorf("reading %s: %w", meminfo, err)
	}
	defer f.Close()
	s, err := parseMeminfo(f)
	if err != nil {
		return SystemDirty{}, fmt.Errorf("reading %s: %w", meminfo, err)
	}
	return s, nil
}

// parseMeminfo finds the "Dirty:" and "Writeback:" lines ("Dirty:  123 kB").
// Both must be present; "WritebackTmp:" is a different line.
func parseMeminfo(r io.Reader) (SystemDirty, error) {
	var s SystemDirty
	var haveDirty, haveWB bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "Dirty" && name != "Writeback") {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return SystemDirty{}, fmt.Errorf("%s: no value", name)
		}
		v, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || v < 0 {
			return SystemDirty{}, fmt.Errorf("%s: not a number: %q", name, fields[0])
		}
		mult := int64(1)
		if len(fields) > 1 {
			switch fields[1] {
			case "kB":
				mult = 1024
			default:
				return SystemDirty{}, fmt.Errorf("%s: unknown unit %q", name, fields[1])
			}
		}
		if name == "Dirty" {
			s.Dirty, haveDirty = v*mult, true
		} else {
			s.Writeback, haveWB = v*mult, true
		}
	}
	if err := sc.Err(); err != nil {
		return SystemDirty{}, err
	}
	switch {
	case !haveDirty:
		return SystemDirty{}, fmt.Errorf("no Dirty: line")
	case !haveWB:
		return SystemDirty{}, fmt.Errorf("no Writeback: line")
	}
	return s, nil
}

// StartWritebackRange starts writeback of every dirty page of [off, off+n)
// of f (n < 0: to the end), whoever dirtied it (this editor, an MS_ASYNC
// sync, another process), with sync_file_range(SYNC_FILE_RANGE_WRITE), and
// does not wait. The journal's unsynced pages stay unsynced and LastSync is
// not changed: nothing proves the pages reached the disk. The writeback
// action (view/lab) runs it on the whole file.
func StartWritebackRange(f *mapping.File, off, n int64) (mapping.SyncResult, error) {
	res := mapping.SyncResult{Flag: "SYNC_FILE_RANGE_WRITE", StillDirty: Unknown}
	err := f.WithDescriptor(func(fd int, size int64) error {
		if f.Mode() == mapping.Private {
			return errf(f, "%w", mapping.ErrPrivate)
		}
		page := f.PageSize()
		off, n = clipRange(off, n, size)
		if n == 0 {
			return nil
		}
		a := off &^ (page - 1)
		start := time.Now()
		if err := unix.SyncFileRange(fd, a, off+n-a, unix.SYNC_FILE_RANGE_WRITE); err != nil {
			res.Duration = time.Since(start)
			return errf(f, "sync_file_range at %#x: %w", a, err)
		}
		res.Duration = time.Since(start)
		res.At = time.Now()
		res.Pages = int((off + n - a + page - 1) / page)
		res.Bytes = off + n - a
		return nil
	})
	return res, err
}

// MemoryFS names the filesystem holding f when it keeps files in memory
// only ("tmpfs", "ramfs"): there is no disk behind the page cache, and an
// O_DIRECT read (accepted by tmpfs since Linux 6.6) reads the same pages.
// "" otherwise (a block device too, whose node is on devtmpfs), or when
// fstatfs fails.
func MemoryFS(f *mapping.File) string {
	if f.IsBlockDevice() {
		return "" // its node lives on devtmpfs; its pages are the device's
	}
	name := ""
	f.WithDescriptor(func(fd int, _ int64) error {
		var st unix.Statfs_t
		if unix.Fstatfs(fd, &st) != nil {
			return nil
		}
		switch st.Type {
		case unix.TMPFS_MAGIC:
			name = "tmpfs"
		case unix.RAMFS_MAGIC:
			name = "ramfs"
		}
		return nil
	})
	return name
}
