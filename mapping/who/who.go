// Package who finds the other processes that have a file: those that map
// it (/proc/PID/maps, with Rss and dirty figures from /proc/PID/smaps),
// that have it open (/proc/PID/fd, the open mode from /proc/PID/fdinfo)
// and that lock it (/proc/locks). The file is matched by device and inode,
// taken from the open descriptor (mapping.File.WithDescriptor), so a file
// renamed or deleted since it was opened is still found. Processes whose
// /proc entries the caller may not read are counted, never guessed.
//
// It is what `mmhex who` prints, what the editor's who panel shows, and
// what an editor asks before it changes a file's size under another
// process's mapping (Holders, SharedWritable).
package who

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// ID is the file's identity: device and inode.
type ID struct {
	Dev uint64 // st_dev
	Ino uint64
}

// Major and Minor split Dev as the kernel shows it in /proc/PID/maps.
func (id ID) Major() uint32 { return unix.Major(id.Dev) }
func (id ID) Minor() uint32 { return unix.Minor(id.Dev) }

// Map is one mapping of the file in another process.
type Map struct {
	Start, End uint64 // addresses in that process
	Offset     int64  // file offset of Start
	Perms      string // "rw-s", "r--p", ... as in /proc/PID/maps
	// From /proc/PID/smaps, in bytes; mapping.Unknown (-1) when smaps
	// could not be read (the process went away, or permission).
	Rss, SharedDirty, PrivateDirty int64
}

// Len is the mapping's length in bytes.
func (m Map) Len() int64 { return int64(m.End - m.Start) }

// FileEnd is the file offset just past the mapping.
func (m Map) FileEnd() int64 { return m.Offset + m.Len() }

// SharedWritable: a MAP_SHARED mapping with PROT_WRITE: the process can
// store into the file's bytes directly.
func (m Map) SharedWritable() bool {
	return len(m.Perms) == 4 && m.Perms[1] == 'w' && m.Perms[3] == 's'
}

// FD is one open descriptor of the file in another process.
type FD struct {
	FD    int
	Flags int // the open flags (fdinfo "flags:", octal there); -1 when unreadable
	Pos   int64
}

// Mode is "r", "w" or "rw" (O_ACCMODE of Flags), with "+append" for
// O_APPEND; "?" when fdinfo could not be read.
func (d FD) Mode() string {
	if d.Flags < 0 {
		return "?"
	}
	var s string
	switch d.Flags & unix.O_ACCMODE {
	case unix.O_RDONLY:
		s = "r"
	case unix.O_WRONLY:
		s = "w"
	default:
		s = "rw"
	}
	if d.Flags&unix.O_APPEND != 0 {
		s += "+append"
	}
	return s
}

// Lock is one line of /proc/locks on the file.
type Lock struct {
	PID     int    // -1 for open file description locks (OFDLCK), which belong to no process
	Kind    string // FLOCK, POSIX, OFDLCK, LEASE, DELEG...
	Mode    string // ADVISORY, MANDATORY, ACTIVE, BREAKING...
	Type    string // READ, WRITE, UNLCK
	Start   int64
	End     int64 // -1: to the end of the file (EOF), however it grows
	Waiting bool  // a request blocked behind a held lock ("->" in /proc/locks)
}

// Range is "0–EOF" or "0x10–0x1f" (inclusive end, as /proc/locks).
func (l Lock) Range() string {
	if l.End < 0 {
		return fmt.Sprintf("%#x–EOF", l.Start)
	}
	return fmt.Sprintf("%#x–%#x", l.Start, l.End)
}

// Holder is one other process that maps, opens or locks the file.
type Holder struct {
	PID     int
	Command string // /proc/PID/comm, through display.Sanitize
	Maps    []Map
	FDs     []FD
	Locks   []Lock
}

// Report is what Holders found.
type Report struct {
	Name   string // the file, through display.Name
	ID     ID
	Size   int64
	Others []Holder // by pid; the calling process is never among them
	// Locks whose owner is not among Others: open file description locks
	// (pid -1) and locks of processes not visible to the caller.
	OtherLocks []Lock
	// NotVisible counts the processes whose memory maps or descriptors
	// the caller may not read (another user's, as a normal user): they
	// may hold the file; nobody knows.
	NotVisible int
	Hidden     []int // their pids (NotVisible of them)
	// Scanned counts the processes looked at.
	Scanned int
}

// SharedWritable returns the file ranges [Off, End) that other
// processes map shared and writable (they can store into them at any
// moment), sorted by offset, with the pid of each.
func (r Report) SharedWritable() []Span {
	var out []Span
	for _, h := range r.Others {
		for _, m := range h.Maps {
			if m.SharedWritable() {
				out = append(out, Span{m.Offset, m.FileEnd(), h.PID})
			}
		}
	}
	slices.SortFunc(out, func(a, b Span) int { return int(max(-1, min(1, a.Off-b.Off))) })
	return out
}

// Span is a file range another process (PID) maps shared and writable.
type Span struct {
	Off, End int64
	PID      int
}

// Errors.
var (
	// ErrNoProc: /proc cannot be read (not mounted).
	ErrNoProc = errors.New("cannot read /proc")
)

// Holders looks at every process in /proc for f's device and inode.
func Holders(f *mapping.File) (Report, error) {
	r := Report{Name: display.Name(f.Path())}
	err := f.WithDescriptor(func(fd int, _ int64) error {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return fmt.Errorf("%s: fstat: %w", r.Name, err)
		}
		r.ID = ID{uint64(st.Dev), st.Ino}
		r.Size = st.Size
		return nil
	})
	if err != nil {
		return r, err
	}
	if err := scan(&r, "/proc", os.Getpid()); err != nil {
		return r, fmt.Errorf("%s: %w", r.Name, err)
	}
	return r, nil
}

// scanner holds the buffers one scan reuses for every process.
type scanner struct {
	buf  []byte
	id   ID
	devs []byte // "fe:00" as in /proc/PID/maps
	inoS []byte // " 1234 " decimal inode with blanks around
}

func scan(r *Report, proc string, self int) error {
	s := &scanner{buf: make([]byte, 64<<10), id: r.ID}
	names, err := s.readDir(proc)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoProc, err)
	}
	s.devs = fmt.Appendf(nil, "%02x:%02x", r.ID.Major(), r.ID.Minor())
	s.inoS = fmt.Appendf(nil, " %d ", r.ID.Ino)
	var pids []int
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil || pid <= 0 || pid == self {
			continue
		}
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	byPID := map[int]int{}
	for _, pid := range pids {
		h, seen, hidden := s.process(proc, pid)
		if !seen {
			continue // gone, or a kernel thread
		}
		r.Scanned++
		if hidden {
			r.NotVisible++
			r.Hidden = append(r.Hidden, pid)
		}
		if len(h.Maps) > 0 || len(h.FDs) > 0 {
			byPID[pid] = len(r.Others)
			r.Others = append(r.Others, h)
		}
	}
	locks, err := readLocks(proc+"/locks", r.ID)
	if err == nil {
		for _, l := range locks {
			if i, ok := byPID[l.PID]; ok {
				r.Others[i].Locks = append(r.Others[i].Locks, l)
				continue
			}
			if l.PID == self {
				continue
			}
			r.OtherLocks = append(r.OtherLocks, l)
		}
	}
	for i := range r.Others {
		r.Others[i].Command = s.comm(proc, r.Others[i].PID)
		if len(r.Others[i].Maps) > 0 {
			s.smaps(proc, r.Others[i].PID, r.Others[i].Maps)
		}
		for j := range r.Others[i].FDs {
			s.fdinfo(proc, r.Others[i].PID, &r.Others[i].FDs[j])
		}
	}
	return nil
}

// readDir lists a folder with getdents64 straight into s's buffer (the
// os package's directory reading costs more than the listing itself
// here: a scan lists hundreds of folders). "." and ".." are left out.
func (s *scanner) readDir(path string) ([]string, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var names []string
	for {
		n, err := unix.ReadDirent(fd, s.buf)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return nil, err
		}
		if n == 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(s.buf[:n], -1, names)
	}
}

// readFile reads a /proc file into s.buf (grown as needed) and returns its
// content.
func (s *scanner) readFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	n := 0
	for {
		if n == len(s.buf) {
			s.buf = append(s.buf, make([]byte, len(s.buf))...)
		}
		k, err := unix.Read(fd, s.buf[n:])
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return nil, err
		}
		if k == 0 {
			return s.buf[:n], nil
		}
		n += k
	}
}

// process looks at one process: its mappings of the file and its
// descriptors that lead to it. seen is false when the process has gone or
// has no memory (a kernel thread, a zombie: they hold no file); hidden
// when its maps or descriptors may not be read.
func (s *scanner) process(proc string, pid int) (h Holder, seen, hidden bool) {
	h.PID = pid
	base := proc + "/" + strconv.Itoa(pid)
	maps, err := s.readFile(base + "/maps")
	switch {
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ESRCH):
		return h, false, false
	case err != nil:
		hidden = true
	case len(maps) == 0:
		return h, false, false
	default:
		h.Maps = s.parseMaps(maps)
	}
	fdDir := base + "/fd"
	names, err := s.readDir(fdDir)
	if err != nil {
		if errors.Is(err, unix.ENOENT) && !hidden && len(h.Maps) == 0 {
			return h, false, false
		}
		return h, true, true
	}
	var st unix.Stat_t
	for _, n := range names {
		if unix.Stat(fdDir+"/"+n, &st) != nil {
			continue // closed meanwhile
		}
		if uint64(st.Dev) == s.id.Dev && st.Ino == s.id.Ino {
			fd, _ := strconv.Atoi(n)
			h.FDs = append(h.FDs, FD{FD: fd, Flags: -1, Pos: -1})
		}
	}
	slices.SortFunc(h.FDs, func(a, b FD) int { return a.FD - b.FD })
	return h, true, hidden
}

// parseMaps returns the lines of maps whose device and inode are the
// file's: "7f..-7f.. rw-s 00000000 fe:00 1234567    /path".
func (s *scanner) parseMaps(maps []byte) []Map {
	var out []Map
	for len(maps) > 0 {
		i := bytes.Index(maps, s.inoS)
		if i < 0 {
			return out
		}
		ls := bytes.LastIndexByte(maps[:i], '\n') + 1
		le := bytes.IndexByte(maps[i:], '\n')
		if le < 0 {
			le = len(maps)
		} else {
			le += i
		}
		line := maps[ls:le]
		maps = maps[min(le+1, len(maps)):]
		f := bytes.Fields(line)
		if len(f) < 5 || !bytes.Equal(f[3], s.devs) {
			continue
		}
		if ino, err := strconv.ParseUint(string(f[4]), 10, 64); err != nil || ino != s.id.Ino {
			continue
		}
		a, b, ok := bytes.Cut(f[0], []byte{'-'})
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(a), 16, 64)
		end, err2 := strconv.ParseUint(string(b), 16, 64)
		off, err3 := strconv.ParseUint(string(f[2]), 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, Map{Start: start, End: end, Offset: int64(off), Perms: string(f[1]),
			Rss: mapping.Unknown, SharedDirty: mapping.Unknown, PrivateDirty: mapping.Unknown})
	}
	return out
}

// smaps fills in Rss, Shared_Dirty and Private_Dirty of ms from
// /proc/PID/smaps (only for processes that map the file: reading smaps
// walks the page tables).
func (s *scanner) smaps(proc string, pid int, ms []Map) {
	b, err := s.readFile(proc + "/" + strconv.Itoa(pid) + "/smaps")
	if err != nil {
		return
	}
	var cur *Map
	for len(b) > 0 {
		le := bytes.IndexByte(b, '\n')
		if le < 0 {
			le = len(b)
		}
		line := b[:le]
		b = b[min(le+1, len(b)):]
		if len(line) == 0 {
			continue
		}
		if c := line[0]; c >= '0' && c <= '9' || c >= 'a' && c <= 'f' {
			// a VMA header: "start-end perms ..."
			cur = nil
			rng, _, _ := bytes.Cut(line, []byte{' '})
			a, _, _ := bytes.Cut(rng, []byte{'-'})
			if start, err := strconv.ParseUint(string(a), 16, 64); err == nil {
				for i := range ms {
					if ms[i].Start == start {
						cur = &ms[i]
					}
				}
			}
			continue
		}
		if cur == nil {
			continue
		}
		k, v, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		var dst *int64
		switch string(k) {
		case "Rss":
			dst = &cur.Rss
		case "Shared_Dirty":
			dst = &cur.SharedDirty
		case "Private_Dirty":
			dst = &cur.PrivateDirty
		default:
			continue
		}
		v = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			*dst = n << 10
		}
	}
}

// fdinfo fills in the open flags and position from /proc/PID/fdinfo/N.
func (s *scanner) fdinfo(proc string, pid int, d *FD) {
	b, err := s.readFile(proc + "/" + strconv.Itoa(pid) + "/fdinfo/" + strconv.Itoa(d.FD))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "flags":
			if n, err := strconv.ParseInt(v, 8, 64); err == nil {
				d.Flags = int(n)
			}
		case "pos":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				d.Pos = n
			}
		}
	}
}

// comm is the process's command name, sanitised; "?" when gone.
func (s *scanner) comm(proc string, pid int) string {
	b, err := s.readFile(proc + "/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return "?"
	}
	return display.Sanitize(strings.TrimSuffix(string(b), "\n"))
}

// readLocks returns the lines of /proc/locks on the file:
// "1: FLOCK  ADVISORY  WRITE 1234 fe:00:1234567 0 EOF" and the blocked
// requests "1: -> FLOCK  ADVISORY  WRITE 1235 fe:00:1234567 0 EOF".
func readLocks(path string, id ID) ([]Lock, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	want := fmt.Sprintf("%02x:%02x:%d", id.Major(), id.Minor(), id.Ino)
	var out []Lock
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, want) {
			continue
		}
		f := strings.Fields(line)
		if len(f) > 1 && f[1] == "->" {
			f = append(f[:1], f[2:]...)
			f = append(f, "->")
		}
		if len(f) < 8 || f[5] != want {
			continue
		}
		l := Lock{Kind: f[1], Mode: f[2], Type: f[3], End: -1, Waiting: f[len(f)-1] == "->"}
		l.PID, _ = strconv.Atoi(f[4])
		l.Start, _ = strconv.ParseInt(f[6], 10, 64)
		if f[7] != "EOF" {
			l.End, _ = strconv.ParseInt(f[7], 10, 64)
		}
		out = append(out, l)
	}
	return out, nil
}
