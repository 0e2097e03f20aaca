// Package bookmarks keeps marks (a letter, an offset, an optional note)
// across sessions, per file, in $XDG_STATE_HOME/mmhex/ (else
// ~/.local/state/mmhex/): one JSON file per file, named by its device and
// inode, holding its size and its path as a hint.
//
// Marks are applied to a file only when its device, inode and size are
// those recorded. A file replaced by another (a new inode at the path of
// recorded marks, or the recorded inode with another size) is detected
// and its marks are reported, not applied. The folder is created 0700 and
// the files 0600 (they name your files and offsets); a folder that is a
// symbolic link or belongs to someone else is refused.
package bookmarks

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// Mark is one bookmark.
type Mark struct {
	Name string `json:"name"` // a letter, a–z or A–Z
	Off  int64  `json:"offset"`
	Note string `json:"note,omitempty"`
}

// Key identifies a file: device, inode and size; Path is a hint (the
// absolute path it was opened by).
type Key struct {
	Dev  uint64 `json:"dev"`
	Ino  uint64 `json:"ino"`
	Size int64  `json:"size"`
	Path string `json:"path"`
	// Born is the file's birth time (statx btime, ns; 0 when the
	// filesystem does not say): an inode number reused by a new file has
	// another.
	Born int64 `json:"born,omitempty"`
}

type record struct {
	Key
	Marks []Mark `json:"marks"`
}

// ErrUnsafeDir: the state folder is a symbolic link, not a folder, or
// someone else's.
var ErrUnsafeDir = errors.New("unsafe state folder")

// StateDir returns $XDG_STATE_HOME/mmhex (else ~/.local/state/mmhex),
// created 0700 when missing; refused (ErrUnsafeDir) when it is a symbolic
// link, not a folder, or owned by another user.
func StateDir() (string, error) {
	base, err := stateBase()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(base, "mmhex")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", err
	}
	if err := checkDir(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// ExistingStateDir is StateDir for a reader (mmhex marks): the folder is
// checked as StateDir checks it but never created; ok is false when it
// does not exist (no marks were ever kept there).
func ExistingStateDir() (dir string, ok bool, err error) {
	base, err := stateBase()
	if err != nil {
		return "", false, err
	}
	dir = filepath.Join(base, "mmhex")
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return dir, false, nil
	}
	if err := checkDir(dir); err != nil {
		return "", false, err
	}
	return dir, true, nil
}

// stateBase is $XDG_STATE_HOME when it is an absolute path, else
// ~/.local/state.
func stateBase() (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no state folder: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	return base, nil
}

// checkDir refuses (ErrUnsafeDir) a state folder that is a symbolic link,
// not a folder, or another user's, and takes group and other access away.
func checkDir(dir string) error {
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return err
	}
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFLNK:
		return fmt.Errorf("%s: %w: a symbolic link", display.Name(dir), ErrUnsafeDir)
	case st.Mode&unix.S_IFMT != unix.S_IFDIR:
		return fmt.Errorf("%s: %w: not a folder", display.Name(dir), ErrUnsafeDir)
	case int(st.Uid) != os.Geteuid():
		return fmt.Errorf("%s: %w: owned by uid %d", display.Name(dir), ErrUnsafeDir, st.Uid)
	}
	if st.Mode&0o077 != 0 {
		os.Chmod(dir, 0o700)
	}
	return nil
}

// KeyOf is the key of an open file.
func KeyOf(f *mapping.File) (Key, error) {
	dev, ino, _, err := f.Ident()
	if err != nil {
		return Key{}, err
	}
	k := Key{Dev: dev, Ino: ino, Size: f.Size(), Path: f.OpenedPath()}
	f.WithDescriptor(func(fd int, _ int64) error {
		var sx unix.Statx_t
		if unix.Statx(fd, "", unix.AT_EMPTY_PATH, unix.STATX_BTIME, &sx) == nil && sx.Mask&unix.STATX_BTIME != 0 {
			k.Born = sx.Btime.Sec*1e9 + int64(sx.Btime.Nsec)
		}
		return nil
	})
	return k, nil
}

func fileName(dev, ino uint64) string { return fmt.Sprintf("marks-%x-%x.json", dev, ino) }

// Status says how the recorded marks relate to the file.
type Status struct {
	// Replaced is set when marks were recorded for this path (or this
	// inode) but for another file: they are not applied. It says why.
	Replaced string
	// Moved: the marks were recorded when the file had another path.
	Moved string
}

func read(p string) (*record, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", display.Name(p), err)
	}
	return &r, nil
}

// Load returns the marks recorded for the file k names, sorted by name.
// A record for the same inode but another size, or for the same path but
// another inode, gives no marks and Status.Replaced.
func Load(dir string, k Key) ([]Mark, Status, error) {
	var st Status
	r, err := read(filepath.Join(dir, fileName(k.Dev, k.Ino)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, st, err
	}
	if r != nil && r.Born != 0 && k.Born != 0 && r.Born != k.Born && r.Path != k.Path {
		os.Remove(filepath.Join(dir, fileName(k.Dev, k.Ino))) // an earlier file with this inode number was removed: its marks went with it
		r = nil
	}
	if r != nil {
		if why := replacedWhy(r, k); why != "" {
			st.Replaced = why
			return nil, st, nil
		}
		if r.Path != k.Path {
			st.Moved = r.Path
		}
		sortMarks(r.Marks)
		return r.Marks, st, nil
	}
	if _, o := otherAtPath(dir, k); o != nil {
		st.Replaced = replacedWhy(o, k)
	}
	return nil, st, nil
}

// replacedWhy says why the record r, found for k's inode or k's path, is
// another file's ("" when it is k's own).
func replacedWhy(r *record, k Key) string {
	switch {
	case r.Ino != k.Ino || r.Dev != k.Dev:
		// Marks recorded for this path but another inode: the file was
		// replaced (renamed over, or removed and made again).
		return fmt.Sprintf("%s set on another file at this path (inode %d, %d bytes; now inode %d, %d bytes): replaced since; not applied",
			marksWere(len(r.Marks)), r.Ino, r.Size, k.Ino, k.Size)
	case r.Born != 0 && k.Born != 0 && r.Born != k.Born:
		// An earlier file had this inode number.
		return fmt.Sprintf("%s set on an earlier file at this path (born %s, this one %s): replaced since; not applied",
			marksWere(len(r.Marks)), born(r.Born), born(k.Born))
	case r.Size != k.Size:
		return fmt.Sprintf("%s set on a file of %d bytes with this inode (%s); this one has %d bytes: another file, or rewritten since; not applied",
			marksWere(len(r.Marks)), r.Size, display.Name(r.Path), k.Size)
	}
	return ""
}

// otherAtPath finds a record with marks for k's path but another inode.
func otherAtPath(dir string, k Key) (string, *record) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "marks-") || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		o, err := read(p)
		if err != nil || o.Path != k.Path || len(o.Marks) == 0 || o.Dev == k.Dev && o.Ino == k.Ino {
			continue
		}
		return p, o
	}
	return "", nil
}

// Adopt applies to the file k names the marks Load found recorded for
// another file (Status.Replaced): they become k's (offsets past its end
// are dropped) and the other file's record goes. forget drops them
// instead. It returns the marks taken (or dropped); 0 when there were
// none to take.
func Adopt(dir string, k Key, forget bool) (int, error) {
	p := filepath.Join(dir, fileName(k.Dev, k.Ino))
	r, err := read(p)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	if r == nil || replacedWhy(r, k) == "" {
		if r != nil { // k's own record: nothing replaced
			return 0, nil
		}
		if p, r = otherAtPath(dir, k); r == nil {
			return 0, nil
		}
	}
	n := len(r.Marks)
	if forget {
		return n, os.Remove(p)
	}
	var ms []Mark
	for _, m := range r.Marks {
		if m.Off >= 0 && m.Off < k.Size {
			ms = append(ms, m)
		}
	}
	if p != filepath.Join(dir, fileName(k.Dev, k.Ino)) {
		if err := os.Remove(p); err != nil {
			return 0, err
		}
	}
	return len(ms), Save(dir, k, ms)
}

func marksWere(n int) string {
	if n == 1 {
		return "1 mark was"
	}
	return fmt.Sprintf("%d marks were", n)
}

func born(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05Z") }

func sortMarks(ms []Mark) {
	rank := func(s string) string { // a–z before A–Z
		if s != "" && s[0] >= 'a' {
			return "0" + s
		}
		return "1" + s
	}
	sort.Slice(ms, func(i, j int) bool { return rank(ms[i].Name) < rank(ms[j].Name) })
}

// Save records marks for the file k names (replacing what was recorded
// for its inode; no marks removes the record), atomically: a 0600
// temporary file renamed into place.
func Save(dir string, k Key, marks []Mark) error {
	p := filepath.Join(dir, fileName(k.Dev, k.Ino))
	if len(marks) == 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	ms := append([]Mark(nil), marks...)
	sortMarks(ms)
	b, err := json.MarshalIndent(record{Key: k, Marks: ms}, "", "  ")
	if err != nil {
		return err
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := p + ".tmp-" + hex.EncodeToString(rnd[:])
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	_, werr := fh.Write(append(b, '\n'))
	if cerr := fh.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, p)
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}

// Text lists marks as `mmhex marks` prints them: "a 0x100 256 note".
func Text(ms []Mark) string {
	var sb strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&sb, "%s %#x %d", m.Name, m.Off, m.Off)
		if m.Note != "" {
			sb.WriteString(" " + display.Sanitize(m.Note))
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
