// Package follow is the editor's follow mode (`--follow`, the follow
// action): like `tail -f` or `less +F` for a binary file, the view stays
// at the end while the file grows; the bytes that appear light up for a
// moment (the live view's highlight of changed bytes); the status line
// says "following" with the growth rate; any move stops following and the
// key resumes it. A file truncated and written again (a log rotated by
// copy-truncate) is said ("truncated to N bytes") and followed on.
//
// Changes are noticed by inotify (IN_MODIFY, IN_ATTRIB, IN_MOVE_SELF,
// IN_DELETE_SELF on the open file): a goroutine blocks in poll(2) on the
// inotify descriptor, so while following an idle file nothing wakes up;
// the editor's polling (the live view's re-read, Editor.EveryPolling) is
// turned off meanwhile. Where inotify cannot be used or does not see every
// write (NFS, CIFS, FUSE, 9p: other hosts' writes make no event here) the
// polling stays on and follow rides on it.
//
// It uses only the editor's exported API (view.Editor).
package follow

import (
	"fmt"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"mmhex/keymap"
	"mmhex/mapping/display"
	"mmhex/view"
)

const (
	// pollEvery is the fallback's pace (the live view's).
	pollEvery = 250 * time.Millisecond
	// rateWindow is how far back the growth rate looks.
	rateWindow = 2 * time.Second
	// settle is when, after the last change, one more frame is drawn:
	// the highlight of the new bytes (one second) is gone and the rate
	// reads 0 B/s. One timer after a change, none while idle.
	settle = rateWindow + 100*time.Millisecond
)

// Feature is the follow feature. Start is --follow: follow from the start.
type Feature struct {
	Start bool
	// NoInotify makes it poll as on NFS (tests of the fallback).
	NoInotify bool

	e        *view.Editor
	on       bool
	self     bool   // our own SetCursor: not a move that stops following
	how      string // "inotify", or why polling: "polling (nfs)"
	watching atomic.Bool
	lastSize int64
	samples  []sample
	lit      []grown
	trunc    truncation
	pending  atomic.Bool // an update is queued
	settleT  *time.Timer
	now      func() time.Time
}

// grown is a range that appeared at the end of the file, and when.
type grown struct {
	off, end int64
	t        time.Time
}

// litFor is how long appended bytes stay lit (the live view's changedFor).
const litFor = time.Second

// truncation is the last time the file shrank: to n bytes from was.
type truncation struct {
	n, was int64
	at     time.Time
}

// truncNoteFor is how long after a truncation growth keeps its note.
const truncNoteFor = 3 * time.Second

func (t truncation) note() string {
	return fmt.Sprintf("truncated to %d bytes (was %d); following on", t.n, t.was)
}

type sample struct {
	t    time.Time
	size int64
}

// New is the follow feature; start: follow from the start (--follow).
func New(start bool) *Feature { return &Feature{Start: start} }

func (f *Feature) Name() string { return "follow" }

func (f *Feature) Register(e *view.Editor) error {
	f.e = e
	if f.now == nil {
		f.now = time.Now
	}
	f.lastSize = e.Size()
	f.samples = []sample{{f.now(), f.lastSize}}
	f.how = "polling"
	e.Handle(keymap.Follow, func(e *view.Editor, a view.Args) {
		if f.on {
			f.stop("stopped following")
			return
		}
		f.begin()
	})
	e.OnMove(func(from, to int64) {
		if f.on && !f.self && from != to {
			f.stop("stopped following (a move)")
		}
	})
	e.AddStatus(f.status)
	e.AddHighlighter(f.highlight)
	e.EveryPolling(pollEvery, f.update)
	e.OnRun(f.watch)
	if f.Start {
		f.begin()
	}
	return nil
}

// Following reports whether the view follows the end.
func (f *Feature) Following() bool { return f.on }

// How is "inotify" while changes come by inotify, else "polling" with
// the reason in brackets when there is one.
func (f *Feature) How() string { return f.how }

func (f *Feature) begin() {
	f.on = true
	f.toEnd()
	if f.watching.Load() {
		f.e.SetPolling(false)
	}
	f.e.Message("following the end of %s; any move stops, %s resumes", display.Name(f.e.File().Path()), f.key())
}

func (f *Feature) stop(why string) {
	f.on = false
	f.e.SetPolling(true)
	f.e.Message("%s; %s follows again", why, f.key())
}

// key names the follow action's first key ("Ctrl-T", "F").
func (f *Feature) key() string {
	if ks := f.e.Keys().Map().KeysFor(keymap.Follow); len(ks) > 0 {
		return ks[0].String()
	}
	return "the follow action"
}

func (f *Feature) toEnd() {
	f.self = true
	f.e.SetCursor(f.e.Size() - 1)
	f.self = false
}

// update runs on the UI goroutine after a change notice (or a polling
// tick): adopt the new size, say a truncation, keep the view at the end.
func (f *Feature) update() {
	e := f.e
	e.Refresh()
	n := e.Size()
	now := f.now()
	// What is of no more use goes here, never in Draw (highlight, rate):
	// the lit ranges whose second is over, the samples before the rate's.
	i := 0
	for i < len(f.lit) && now.Sub(f.lit[i].t) >= litFor {
		i++
	}
	f.lit = f.lit[i:]
	f.samples = f.samples[f.firstSample(now):]
	if n != f.lastSize {
		// (not following, the editor's own size-change message says it)
		switch {
		case n < f.lastSize:
			f.trunc = truncation{n, f.lastSize, now}
			if f.on {
				e.Message("%s", f.trunc.note())
			}
			f.samples = f.samples[:0] // the rate starts again
		case f.on && now.Sub(f.trunc.at) < truncNoteFor:
			// written again soon after: the note stays (not the size
			// change message Refresh put in its place)
			e.Message("%s: now %d bytes", f.trunc.note(), n)
		}
		if n > f.lastSize {
			f.lit = append(f.lit, grown{f.lastSize, n, now})
		}
		f.lastSize = n
		f.samples = append(f.samples, sample{now, n})
	}
	if f.on {
		f.toEnd()
	}
}

// highlight lights the bytes that appeared at the end within litFor
// (MarkChanged, as the live view lights bytes another writer changed).
func (f *Feature) highlight(start, end int64) func(off int64) view.Mark {
	now := f.now()
	var in []grown
	for _, g := range f.lit { // the expired ones are dropped by update, not here (Draw asks)
		if now.Sub(g.t) < litFor && g.off < end && g.end > start {
			in = append(in, g)
		}
	}
	if len(in) == 0 {
		return nil
	}
	return func(off int64) view.Mark {
		for _, g := range in {
			if off >= g.off && off < g.end {
				return view.MarkChanged
			}
		}
		return 0
	}
}

// firstSample is the index of the newest size sample at least rateWindow
// old at now (or the oldest there is): the samples before it are of no
// more use (update drops them; rate, asked by Draw, only skips them).
func (f *Feature) firstSample(now time.Time) int {
	i := 0
	for i+1 < len(f.samples) && now.Sub(f.samples[i+1].t) >= rateWindow {
		i++
	}
	return i
}

// rate is the growth in bytes a second over the last rateWindow: from the
// newest size sample at least rateWindow old (or the oldest there is) to
// now. An idle file's rate falls to 0 once that sample is its last size.
func (f *Feature) rate() float64 {
	now := f.now()
	i := f.firstSample(now)
	if i >= len(f.samples) {
		return 0
	}
	base := f.samples[i]
	span := now.Sub(base.t)
	grown := f.lastSize - base.size
	if grown <= 0 || span <= 0 {
		return 0
	}
	return float64(grown) / max(span, 100*time.Millisecond).Seconds()
}

func (f *Feature) status() string {
	if !f.on {
		return ""
	}
	return fmt.Sprintf("following %s/s (%s)", human(f.rate()), f.how)
}

// human is a rate in binary units: "0 B", "512 B", "12.5 KiB".
func human(v float64) string {
	const unit = 1024
	if v < unit {
		return fmt.Sprintf("%.0f B", v)
	}
	exp := 0
	for v >= unit && exp < 5 {
		v /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", v, " KMGTP"[exp])
}

// networkFS names the filesystems where a write by another host makes no
// inotify event here: follow polls on them.
var networkFS = map[int64]string{
	unix.NFS_SUPER_MAGIC:  "nfs",
	unix.SMB_SUPER_MAGIC:  "smb",
	unix.SMB2_SUPER_MAGIC: "smb2",
	unix.CIFS_SUPER_MAGIC: "cifs",
	unix.FUSE_SUPER_MAGIC: "fuse",
	unix.V9FS_MAGIC:       "9p",
	unix.CEPH_SUPER_MAGIC: "ceph",
	unix.AFS_SUPER_MAGIC:  "afs",
	0x6b414653:            "afs", // kAFS
}

// watch runs on its own goroutine while the editor runs: an inotify watch
// on the open file (through /proc/self/fd, so the file opened, whatever
// its name leads to now), a poll(2) on it and on an eventfd that the stop
// signal writes to. Each batch of events queues one update.
func (f *Feature) watch(stop <-chan struct{}) {
	fallback := func(why string) {
		f.e.Post(func() {
			f.how = "polling (" + why + ")"
			f.e.SetPolling(true)
		})
	}
	if f.NoInotify {
		fallback("inotify not used")
		return
	}
	ifd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		fallback("inotify: " + err.Error())
		return
	}
	defer unix.Close(ifd)
	var fsName string
	err = f.e.File().WithDescriptor(func(fd int, _ int64) error {
		var fs unix.Statfs_t
		if unix.Fstatfs(fd, &fs) == nil {
			fsName = networkFS[int64(fs.Type)]
		}
		_, err := unix.InotifyAddWatch(ifd, fmt.Sprintf("/proc/self/fd/%d", fd),
			unix.IN_MODIFY|unix.IN_ATTRIB|unix.IN_MOVE_SELF|unix.IN_DELETE_SELF)
		return err
	})
	if fsName != "" {
		fallback(fsName + ": other hosts' writes make no inotify event")
		return
	}
	if err != nil {
		fallback("inotify: " + err.Error())
		return
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		fallback("eventfd: " + err.Error())
		return
	}
	defer unix.Close(efd)
	go func() {
		<-stop
		unix.Write(efd, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}()
	f.watching.Store(true)
	f.e.Post(func() {
		f.how = "inotify"
		if f.on {
			f.e.SetPolling(false)
		}
	})
	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	fds := []unix.PollFd{{Fd: int32(ifd), Events: unix.POLLIN}, {Fd: int32(efd), Events: unix.POLLIN}}
	for {
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Poll(fds, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			f.watching.Store(false)
			fallback("poll: " + err.Error())
			return
		}
		if fds[1].Revents != 0 {
			return
		}
		ignored := false
		for {
			n, err := unix.Read(ifd, buf)
			if err != nil || n <= 0 {
				break
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				if ev.Mask&unix.IN_IGNORED != 0 {
					ignored = true
				}
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
		f.changed()
		if ignored { // the watch is gone (the file's last link and descriptor elsewhere)
			f.watching.Store(false)
			fallback("the inotify watch ended")
			return
		}
	}
}

// changed queues one update for any number of notices, and a settle frame
// after the last.
func (f *Feature) changed() {
	if f.pending.Swap(true) {
		return
	}
	f.e.Post(func() {
		f.pending.Store(false)
		f.e.RunTicks() // what the ticks would do, once: the live view, shown panels, update
		if f.settleT == nil {
			f.settleT = time.AfterFunc(settle, func() { f.e.Post(func() {}) })
		} else {
			f.settleT.Reset(settle)
		}
	})
}
