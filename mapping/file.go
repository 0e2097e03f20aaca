// Package mapping is the memory-mapped file: open modes, page-aligned
// windows, fault-safe access, edits and their journal (undo/redo/revert),
// msync and scans. What the kernel knows about the file beside its bytes
// (page-cache figures, raw disk reads, the stat report) is
// mapping/pagecache, which uses only this package's exported API. It has
// no UI imports.
package mapping

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"mmhex/mapping/display"
)

// DefaultWindow is the window size when Options.Window is 0: large enough
// that most files are one window, so scrolling never remaps.
const DefaultWindow int64 = 8 << 30

// DefaultLockedWindow is the default window size when Options.Populate or
// Options.Lock is set, because those read the whole window into memory.
const DefaultLockedWindow int64 = 256 << 20

// Mode is how the file is mapped.
type Mode int

const (
	Shared   Mode = iota // PROT_READ|PROT_WRITE, MAP_SHARED: edits reach the file
	ReadOnly             // PROT_READ, MAP_SHARED: edits are refused
	Private              // PROT_READ|PROT_WRITE, MAP_PRIVATE: copy-on-write, edits never reach the file
)

func (m Mode) String() string {
	switch m {
	case Shared:
		return "shared"
	case ReadOnly:
		return "read-only"
	case Private:
		return "private"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Options select how a file is opened and mapped. The zero value is a
// shared read-write mapping (read-only, with a Notice, when the file cannot
// be opened for writing) with DefaultWindow.
type Options struct {
	ReadOnly   bool  // map PROT_READ only
	Private    bool  // MAP_PRIVATE copy-on-write
	Populate   bool  // MAP_POPULATE each window
	Lock       bool  // mlock each window
	Window     int64 // window size in bytes, rounded up to pages; 0 = default
	Write      bool  // block devices: open for writing (they open read-only otherwise)
	Invalidate bool  // Sync adds MS_INVALIDATE
}

type window struct {
	off  int64
	data []byte // exactly as returned by unix.Mmap; never a sub-slice
}

func (w *window) end() int64 { return w.off + int64(len(w.data)) }

// File is a memory-mapped file. All methods are safe for concurrent use.
type File struct {
	mu     sync.Mutex   // guards everything below
	syncMu sync.Mutex   // one Sync at a time (Sync works without mu)
	busy   sync.RWMutex // held (read) by long operations that work without mu; Close takes it
	hooks  fileHooks    // tests only (journal.go)
	// restoring is set (from before the step) while an undo, redo or revert
	// step of 1 MiB or more holds mu: TryReadAt and the frame's accessors
	// (lockOrBefore) do not wait for it.
	restoring atomic.Pointer[before]
	// stepping is open (not nil) while a restore step has let mu go
	// between two parts (restorePart bytes each): lockEdit waits until it
	// is closed, so nothing that edits, syncs, reshapes or closes runs in
	// the middle of a step; readers (lockRead, lockOrBefore) do. Guarded
	// by mu.
	stepping chan struct{}
	// arrived and got count the readers that queued in lockRead and those
	// that got mu: between two parts a step waits until those that had
	// arrived got it, so that a ReadAt waits for one part at most.
	arrived, got atomic.Int64
	restorePart  int64  // bytes per hold of mu in a restore step; 0 = defaultRestorePart
	rbuf         []byte // restore's scratch (guarded by mu: one restore at a time)

	path     string
	name     string // display.Name(path)
	f        *os.File
	fd       int
	mode     Mode
	opts     Options
	notice   string
	roWhy    string // the short reason of notice, for a header
	roReason string
	blockDev bool
	page     int64
	winSize  int64
	prot     int
	mflags   int
	size     int64
	resKnown bool // mincore tells the truth for this file

	cur  *window
	kept map[int64]*window // private mode: windows holding private edits

	j      journal
	d      durable // the journal on disk (durable.go)
	unsync pageSet
	// unsyncBytes are the bytes stored since the last MS_SYNC (edits,
	// undos, redos, reverts: every store marks its pages and its bytes), a
	// subset of unsync's pages: what the editor colours as unsynced.
	unsyncBytes pageSet
	// While an MS_SYNC (or fdatasync) runs, inflight holds the pages it
	// took out of unsync (inflightBytes the bytes) and inflightEdits the
	// edits that were unsynced when it began: they still count as unsynced
	// (not known to be on disk) until it has returned. syncing is set
	// meanwhile.
	inflight      pageSet
	inflightBytes pageSet
	inflightEdits int
	// inflightPlaces: inflightEdits as UnsyncedPlaces counts them.
	inflightPlaces int
	syncing        bool
	last           SyncResult
	hasLast        bool
	closed         bool
}

// Open opens and maps path. Errors name the file and say why, on one line.
func Open(path string, o Options) (*File, error) {
	f := &File{path: path, name: display.Name(path), opts: o, page: int64(os.Getpagesize())}
	if err := f.open(); err != nil {
		if f.f != nil {
			f.f.Close()
		}
		return nil, err
	}
	return f, nil
}

func (f *File) errf(format string, a ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{f.name}, a...)...)
}

func (f *File) open() error {
	o := f.opts
	if o.ReadOnly && o.Private {
		return f.errf("%w: read-only and private together", ErrBadOptions)
	}
	if o.Window < 0 {
		return f.errf("%w: negative window size", ErrBadOptions)
	}
	// Open first, then look at what was opened: an O_PATH descriptor
	// opens nothing (no device's open routine runs, a FIFO does not
	// block), its fstat says what the name led to, and only that file is
	// then opened for reading or writing, through /proc/self/fd. A name
	// swapped between a stat and the open (a symlink to /dev/null) can no
	// longer make mmhex open a device read-write.
	pfd, err := unix.Open(f.path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return f.errf("%w", err)
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstat(pfd, &st); err != nil {
		return f.errf("fstat: %w", err)
	}
	if err := f.checkKind(st.Mode); err != nil {
		return err
	}
	f.blockDev = st.Mode&unix.S_IFMT == unix.S_IFBLK

	wantWrite := !o.ReadOnly && !o.Private && (!f.blockDev || o.Write)
	const oflags = os.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY
	if wantWrite {
		f.f, err = reopen(pfd, f.path, os.O_RDWR|unix.O_NONBLOCK|unix.O_NOCTTY)
		if err != nil {
			var errno unix.Errno
			if errors.As(err, &errno) && (errno == unix.EACCES || errno == unix.EPERM || errno == unix.EROFS || errno == unix.ETXTBSY) {
				f.roReason = "cannot open for writing: " + errno.Error()
				f.roWhy = errno.Error()
				f.notice = fmt.Sprintf("%s: %s; opened read-only", f.name, errno.Error())
				f.f = nil
				err = nil
			} else {
				return f.errf("%w", unwrapPathErr(err))
			}
		}
	}
	if f.f == nil {
		f.f, err = reopen(pfd, f.path, oflags)
		if err != nil {
			return f.errf("%w", unwrapPathErr(err))
		}
		if f.blockDev && !o.ReadOnly && !o.Private && !o.Write {
			f.roReason = "block devices open read-only unless writing is asked for"
			f.roWhy = "block device"
			f.notice = fmt.Sprintf("%s: block device opened read-only (--write opens it for writing)", f.name)
		}
	}
	f.fd = int(f.f.Fd())
	// The file opened is the one checked (same device and inode).
	checked := st
	if err := unix.Fstat(f.fd, &st); err != nil {
		return f.errf("%w", err)
	}
	if st.Dev != checked.Dev || st.Ino != checked.Ino {
		return f.errf("%w", ErrReplaced)
	}
	if err := f.checkKind(st.Mode); err != nil {
		return err
	}
	f.walHeader(&st)
	switch {
	case o.Private:
		f.mode = Private
		f.prot, f.mflags = unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE
	case f.f != nil && wantWrite && f.roReason == "":
		f.mode = Shared
		f.prot, f.mflags = unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED
	default:
		f.mode = ReadOnly
		f.prot, f.mflags = unix.PROT_READ, unix.MAP_SHARED
	}
	if o.Populate {
		f.mflags |= unix.MAP_POPULATE
	}
	f.winSize = o.Window
	if f.winSize == 0 {
		f.winSize = DefaultWindow
		if o.Populate || o.Lock {
			f.winSize = DefaultLockedWindow
		}
	}
	f.winSize = min(f.winSize, math.MaxInt64-f.page+1) // rounding up must not overflow
	f.winSize = (f.winSize + f.page - 1) &^ (f.page - 1)
	f.resKnown = residencyVisible(&st, f.fd)

	size, err := f.statSize()
	if err != nil {
		return err
	}
	f.size = size
	if size == 0 && !f.blockDev && pseudoFile(f.fd) {
		return f.errf("%w", ErrNoSize)
	}
	if size > 0 {
		if _, err := f.windowFor(0); err != nil {
			return err
		}
	}
	return nil
}

// reopen opens the file that the O_PATH descriptor pfd refers to with
// flags, through /proc/self/fd (the magic link leads to that very inode,
// whatever the name leads to now). Without /proc it opens name; the caller
// then finds a different file by its device and inode.
func reopen(pfd int, name string, flags int) (*os.File, error) {
	fh, err := os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", pfd), flags|unix.O_CLOEXEC, 0)
	if err != nil && errors.Is(err, unix.ENOENT) {
		if _, serr := os.Stat("/proc/self/fd"); serr != nil { // no /proc
			return os.OpenFile(name, flags, 0)
		}
	}
	return fh, err
}

// pseudoFile reports whether a file of size 0 is really a generated file
// (/proc, /sys and the like): its size says nothing about its content.
func pseudoFile(fd int) bool {
	var fs unix.Statfs_t
	if unix.Fstatfs(fd, &fs) == nil {
		switch fs.Type {
		case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.DEBUGFS_MAGIC, unix.TRACEFS_MAGIC,
			unix.CGROUP_SUPER_MAGIC, unix.CGROUP2_SUPER_MAGIC, unix.SECURITYFS_MAGIC, unix.BPF_FS_MAGIC,
			0x62656570 /* configfs */, unix.EFIVARFS_MAGIC, unix.PSTOREFS_MAGIC:
			return true
		}
	}
	var b [1]byte
	n, _ := unix.Pread(fd, b[:], 0)
	return n > 0
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (f *File) checkKind(mode uint32) error {
	switch mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return f.errf("%w", ErrDirectory)
	case unix.S_IFIFO:
		return f.errf("%w", ErrFIFO)
	case unix.S_IFSOCK:
		return f.errf("%w", ErrSocket)
	case unix.S_IFCHR:
		return f.errf("%w", ErrCharDevice)
	case unix.S_IFREG, unix.S_IFBLK:
		return nil
	}
	return f.errf("%w: unknown file type", ErrNotMappable)
}

// statSize returns the current size: fstat for regular files, the
// BLKGETSIZE64 ioctl for block devices.
func (f *File) statSize() (int64, error) {
	if f.blockDev {
		var sz uint64
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(f.fd), unix.BLKGETSIZE64, uintptr(unsafe.Pointer(&sz))); e != 0 {
			return 0, f.errf("BLKGETSIZE64: %w", e)
		}
		return int64(sz), nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return 0, f.errf("fstat: %w", err)
	}
	return st.Size, nil
}

// Detached says, in a few words, why the file's name no longer leads to
// the file that is open, or "" while it does: "replaced by another file"
// (renamed over, the way many editors and package managers save),
// "renamed or replaced" (the name is gone but the file still has a name
// somewhere: its link count is not 0), "removed" (no name left).
// Edits and syncs still go to the open file, which nobody sees by that
// name any more. Two stat calls; any goroutine may call it.
func (f *File) Detached() (string, error) {
	f.busy.RLock() // Close waits; the edit mutex is not held over the syscalls
	defer f.busy.RUnlock()
	fd, _, err := f.snapshot()
	if err != nil {
		return "", err
	}
	var open, named unix.Stat_t
	if err := unix.Fstat(fd, &open); err != nil {
		return "", f.errf("fstat: %w", err)
	}
	if err := unix.Stat(f.path, &named); err != nil {
		if errors.Is(err, unix.ENOENT) {
			if open.Nlink == 0 {
				return "removed", nil
			}
			return "renamed or replaced", nil
		}
		return "", f.errf("stat: %w", err)
	}
	if named.Dev != open.Dev || named.Ino != open.Ino {
		return "replaced by another file", nil
	}
	return "", nil
}

// residencyVisible applies the kernel's mincore/cachestat guard: the page
// cache state of a file is reported only to its owner, to someone who may
// write it, or to a process with CAP_FOWNER (root is assumed to have it).
func residencyVisible(st *unix.Stat_t, fd int) bool {
	euid := uint32(os.Geteuid())
	if euid == 0 || st.Uid == euid {
		return true
	}
	return unix.Faccessat(unix.AT_FDCWD, fmt.Sprintf("/proc/self/fd/%d", fd), unix.W_OK, unix.AT_EACCESS) == nil
}

// Close unmaps every window and closes the file. Unsynced edits of a shared
// mapping stay in the page cache and reach the disk by kernel writeback.
func (f *File) Close() error {
	// Edits undone or reverted back to the synced state: the journal has
	// records but nothing is unsynced. Sync the restored pages (the
	// kernel may have written the edited ones back) so that the journal
	// can go.
	f.lockEdit()
	settle := !f.closed && f.mode == Shared && f.d.w != nil && f.d.w.Records() > 0 && f.j.unsynced() == 0 && !f.j.lostBad
	f.mu.Unlock()
	if settle {
		f.Sync(MSSync)
	}
	f.busy.Lock()
	defer f.busy.Unlock()
	f.lockEdit()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	f.unmapAll()
	f.j.close()
	f.walClose()
	return f.f.Close()
}

func (f *File) unmapAll() {
	if f.cur != nil && f.kept[f.cur.off] != f.cur {
		unix.Munmap(f.cur.data)
	}
	f.cur = nil
	for k, w := range f.kept {
		unix.Munmap(w.data)
		delete(f.kept, k)
	}
}

// Path returns the path as given to Open.
func (f *File) Path() string { return f.path }

// Size returns the file size as last seen (Open, Refresh, or a fault).
func (f *File) Size() int64 {
	if b := f.lockOrBefore(); b != nil {
		return b.size
	}
	defer f.mu.Unlock()
	return f.size
}

// PageSize returns the system page size.
func (f *File) PageSize() int64 { return f.page }

// Mode returns the mapping mode.
func (f *File) Mode() Mode { return f.mode }

// Flags returns the mmap flags in effect, e.g. "PROT_READ|PROT_WRITE
// MAP_SHARED", with " MAP_POPULATE" and " mlock" when selected.
func (f *File) Flags() string {
	s := "PROT_READ"
	if f.prot&unix.PROT_WRITE != 0 {
		s += "|PROT_WRITE"
	}
	if f.mflags&unix.MAP_PRIVATE != 0 {
		s += " MAP_PRIVATE"
	} else {
		s += " MAP_SHARED"
	}
	if f.opts.Populate {
		s += " MAP_POPULATE"
	}
	if f.opts.Lock {
		s += " mlock"
	}
	return s
}

// Notice is non-empty when the file was opened read-only although a
// writable mapping was asked for; it says why.
func (f *File) Notice() string { return f.notice }

// NoticeShort is the reason of Notice in a few words, without the file
// name ("permission denied", "block device"), for a header line; empty
// when Notice is.
func (f *File) NoticeShort() string { return f.roWhy }

// WindowSize returns the configured window size in bytes.
func (f *File) WindowSize() int64 { return f.winSize }

// Window returns the file range of the current window (0, 0 when nothing is
// mapped, e.g. for an empty file).
func (f *File) Window() (off, length int64) {
	if b := f.lockOrBefore(); b != nil {
		return b.winOff, b.winLen
	}
	defer f.mu.Unlock()
	if f.cur == nil {
		return 0, 0
	}
	return f.cur.off, int64(len(f.cur.data))
}

// windowFor returns the window that holds off, mapping it if needed.
// Windows start at multiples of the window size (page-aligned).
// Callers hold f.mu and guarantee 0 <= off < f.size.
func (f *File) windowFor(off int64) (*window, error) {
	if w := f.cur; w != nil && off >= w.off && off < w.end() {
		return w, nil
	}
	start := off / f.winSize * f.winSize
	if w := f.kept[start]; w != nil && off < w.end() {
		f.releaseCur()
		f.cur = w
		return w, nil
	}
	length := min(f.winSize, f.size-start)
	data, err := f.mmap(start, length, f.prot, f.mflags)
	if err != nil {
		return nil, err
	}
	w := &window{off: start, data: data}
	if old := f.kept[start]; old != nil {
		// A private window that must grow (the file grew): carry the
		// private edits over to the new mapping.
		f.carryPrivate(old, w)
		if f.cur == old {
			f.cur = nil
		}
		unix.Munmap(old.data)
		f.kept[start] = w
	}
	f.releaseCur()
	f.cur = w
	return w, nil
}

func (f *File) mmap(off, length int64, prot, flags int) ([]byte, error) {
	data, err := unix.Mmap(f.fd, off, int(length), prot, flags)
	if err != nil {
		if err == unix.ENODEV || err == unix.EACCES || err == unix.EINVAL {
			return nil, f.errf("%w (mmap at %#x: %v)", ErrNotMappable, off, err)
		}
		return nil, f.errf("mmap at %#x, %d bytes: %w", off, length, err)
	}
	if f.opts.Lock && prot == f.prot && flags == f.mflags {
		if err := unix.Mlock(data); err != nil {
			unix.Munmap(data)
			return nil, f.errf("mlock of %d bytes: %w (see ulimit -l, or use a smaller window)", length, err)
		}
	}
	return data, nil
}

// releaseCur unmaps the current window unless it holds private edits.
func (f *File) releaseCur() {
	if f.cur == nil {
		return
	}
	if f.kept[f.cur.off] != f.cur {
		unix.Munmap(f.cur.data)
	}
	f.cur = nil
}

// carryPrivate copies the privately edited pages of old into w.
func (f *File) carryPrivate(old, w *window) {
	first, last := old.off/f.page, (old.end()+f.page-1)/f.page
	for _, r := range f.j.privPages.ranges() {
		a, b := max(r.a, first), min(r.b, last)
		if a >= b {
			continue
		}
		lo, hi := a*f.page-old.off, min(b*f.page-old.off, int64(len(old.data)), int64(len(w.data)))
		if lo < hi {
			safeCopy(w.data[lo:hi], old.data[lo:hi])
		}
	}
}

// ReadAt copies bytes of the file at off into p, with io.ReaderAt
// semantics. It remaps when off is outside the current window. A memory
// fault (the file shrank) becomes an error wrapping ErrFault, after which the
// size is re-read and the windows remapped.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	f.lockRead()
	defer f.mu.Unlock()
	return f.readAtLocked(p, off)
}

// ErrBusy is TryReadAt's answer while an undo, redo or revert step holds
// the file's mutex: the bytes are being restored; ask again later.
var ErrBusy = errors.New("busy restoring bytes")

// TryReadAt is ReadAt for a frame: it does not wait for an undo, redo or
// revert step that holds the mutex (a 1 GiB step holds it for the time to
// copy 1 GiB back) and returns 0, ErrBusy instead. Short holders (a
// ReadAt, a WriteAt of a few bytes, a fill's 4 MiB part) it waits for.
func (f *File) TryReadAt(p []byte, off int64) (int, error) {
	if f.lockOrBefore() != nil {
		return 0, ErrBusy
	}
	defer f.mu.Unlock()
	return f.readAtLocked(p, off)
}

// before is what a frame asks of the file (Size, Window, LastSync,
// UnsyncedEdits, UnsyncedPages) as it was when a long restore step began.
type before struct {
	size           int64
	winOff, winLen int64
	last           SyncResult
	hasLast        bool
	edits, pages   int
	places         int
}

// lockOrBefore locks mu and returns nil; or, while a long restore step
// holds mu, returns the values from before the step without locking
// (short holders it waits for, polling: a restore step may take mu at any
// moment, and a reader queued in Lock would wait for its whole step).
func (f *File) lockOrBefore() *before {
	for pause := time.Microsecond; ; pause = min(2*pause, 100*time.Microsecond) {
		if f.mu.TryLock() {
			return nil
		}
		if b := f.restoring.Load(); b != nil {
			return b
		}
		time.Sleep(pause)
	}
}

// lockRead locks mu for a reader: one that may run between two parts of
// a restore step, and that the step lets in before its next part.
func (f *File) lockRead() {
	f.arrived.Add(1)
	f.mu.Lock()
	f.got.Add(1)
}

// lockEdit locks mu for anything that edits the bytes or the journal,
// syncs, reshapes or closes: it waits for a restore step that let mu go
// between two parts to end, so that every step is whole as the journal
// (and the durable journal's records) see it.
func (f *File) lockEdit() {
	for {
		f.mu.Lock()
		ch := f.stepping
		if ch == nil {
			return
		}
		f.mu.Unlock()
		<-ch
	}
}

// defaultRestorePart is how many bytes a restore step stores per hold of
// the mutex: a few milliseconds of copying.
const defaultRestorePart = 4 << 20

// letGo lets mu go between two parts of a restore step (called with mu
// held; it returns with mu held): the readers that queued meanwhile get
// it first, editors wait for the step's end (lockEdit).
func (f *File) letGo() {
	if f.stepping == nil {
		f.stepping = make(chan struct{})
	}
	want := f.arrived.Load()
	f.mu.Unlock()
	for pause := time.Microsecond; f.got.Load() < want; pause = min(2*pause, 100*time.Microsecond) {
		runtime.Gosched()
		time.Sleep(pause)
	}
	f.mu.Lock()
}

// endStep closes stepping after a restore step that let mu go (with mu
// held): the editors that waited go on.
func (f *File) endStep() {
	if f.stepping != nil {
		close(f.stepping)
		f.stepping = nil
	}
}

// beginRestore records the values from before a restore step of n bytes
// (1 MiB or more) for lockOrBefore; the returned func clears them. Call
// with mu held.
func (f *File) beginRestore(n int64) func() {
	if n < 1<<20 || f.restoring.Load() != nil {
		return func() {}
	}
	b := &before{size: f.size, last: f.last, hasLast: f.hasLast,
		edits: f.inflightEdits + f.j.unsynced(), pages: int(f.unsyncedSet().n),
		places: f.inflightPlaces + f.j.unsyncedPlaces()}
	if f.cur != nil {
		b.winOff, b.winLen = f.cur.off, int64(len(f.cur.data))
	}
	f.restoring.Store(b)
	return func() { f.restoring.Store(nil) }
}

// SetStoreHook sets a function run after each part a store writes, under
// the mutex, with the offset reached (tests across packages hold a long
// undo step with it); nil removes it.
func (f *File) SetStoreHook(fn func(reached int64)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks.store = fn
}

func (f *File) readAtLocked(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, f.errf("%w", ErrClosed)
	}
	if off < 0 {
		return 0, f.errf("%w", ErrOffset)
	}
	if off >= f.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && off+int64(n) < f.size {
		pos := off + int64(n)
		w, err := f.windowFor(pos)
		if err != nil {
			return n, err
		}
		src := w.data[pos-w.off:]
		src = src[:min(int64(len(src)), f.size-pos)] // a kept window may outlive a shrink
		c, ok := copyMapped(p[n:], src, src)
		n += c
		if !ok {
			err := f.faulted(pos+int64(c), false)
			if !errors.Is(err, unix.ENOSPC) || f.mode == Private {
				return n, err
			}
			// A hole read through a shared mapping needs a page on tmpfs,
			// and a full one has none: read(2) gives the same page cache
			// bytes (zeros in a hole) without allocating.
			rest := p[n:min(len(p), n+len(src)-c)]
			r, rerr := unix.Pread(f.fd, rest, pos+int64(c))
			if rerr != nil || r < len(rest) {
				return n, err
			}
			n += r
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// faulted handles a memory fault at off (reading, or storing when store
// is set): re-read the size, drop windows that reach past it, and return
// the error to report, which says what happened: the file shrank (with
// the new size), or a store into a hole found no space on the filesystem
// (the size did not change), or else an I/O error is the likely cause.
func (f *File) faulted(off int64, store bool) error {
	old := f.size
	size, err := f.statSize()
	if err != nil {
		return f.errf("at %#x: %w; %w", off, ErrFault, err)
	}
	f.resize(size)
	verb := "reading"
	if store {
		verb = "storing"
	}
	switch {
	case size < old || off >= size:
		return f.errf("at %#x: %w to %d bytes (%w)", off, ErrShrank, size, ErrFault)
	case f.noSpace():
		return f.errf("%s at %#x: %w (%w); the file size did not change (%d bytes)", verb, off, unix.ENOSPC, ErrFault, size)
	}
	return f.errf("%s at %#x: %w, and the file did not shrink (%d bytes): an I/O error?", verb, off, ErrFault, size)
}

// noSpace reports whether the file's filesystem has no room for another
// page (for this user: root may use the reserved blocks).
func (f *File) noSpace() bool {
	var fs unix.Statfs_t
	if unix.Fstatfs(f.fd, &fs) != nil || fs.Bsize <= 0 {
		return false
	}
	free := fs.Bavail
	if os.Geteuid() == 0 {
		free = fs.Bfree
	}
	return free*uint64(fs.Bsize) < uint64(f.page)
}

// resize records a new size and unmaps windows that no longer match it.
func (f *File) resize(size int64) {
	if size == f.size {
		return
	}
	f.size = size
	if f.cur != nil && f.kept[f.cur.off] != f.cur {
		unix.Munmap(f.cur.data)
	}
	f.cur = nil
	for k, w := range f.kept {
		if w.off >= size {
			unix.Munmap(w.data)
			delete(f.kept, k)
		}
	}
	lastPage := (size + f.page - 1) / f.page
	f.unsync.clip(lastPage)
	f.inflight.clip(lastPage)
	f.unsyncBytes.clip(size)
	f.inflightBytes.clip(size)
	f.j.privPages.clip(lastPage)
}

// Refresh re-reads the size (fstat, or BLKGETSIZE64) and remaps when it
// changed. It reports whether the size changed. While a long undo, redo
// or revert step holds the mutex, or has let it go between two parts, it
// does not wait: it reports no change (the step itself re-reads the size
// first; the next Refresh looks).
func (f *File) Refresh() (bool, error) {
	if f.lockOrBefore() != nil {
		return false, nil
	}
	defer f.mu.Unlock()
	if f.closed {
		return false, f.errf("%w", ErrClosed)
	}
	if f.stepping != nil {
		return false, nil // between two parts of a step: the next Refresh looks
	}
	size, err := f.statSize()
	if err != nil {
		return false, err
	}
	if size == f.size {
		return false, nil
	}
	var at int64
	if f.cur != nil {
		at = f.cur.off
	}
	f.resize(size)
	if size > 0 {
		// Map again where the caller was (or the start, if that is gone).
		if at >= size {
			at = 0
		}
		if _, err := f.windowFor(at); err != nil {
			return true, err
		}
	}
	return true, nil
}

// SyncResult describes one msync (or sync_file_range, fdatasync) of the
// edited pages.
type SyncResult struct {
	Pages int    // pages covered
	Bytes int64  // bytes covered (pages clipped to the file size)
	Flag  string // "MS_SYNC", "MS_ASYNC", "MS_SYNC|MS_INVALIDATE", "SYNC_FILE_RANGE_WRITE", "fdatasync"
	// StillDirty: after MS_ASYNC, how many of the pages given to it are
	// still dirty or under writeback (Unknown when the kernel will not
	// say); 0 after MS_SYNC and fdatasync.
	StillDirty int64
	// Others: SyncAll only, the file's dirty pages not edited here that
	// the fdatasync after the MS_SYNC wrote (Unknown when the kernel did
	// not count them); OthersDuration, its time.
	Others         int
	OthersDuration time.Duration
	Duration       time.Duration // time spent in the system calls
	At             time.Time     // when it finished
}
