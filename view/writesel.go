package view

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"
	"golang.org/x/sys/unix"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/saveas"
)

// Write-selection (Ctrl-O, vim ":w FILE") writes the selection to a file
// without ever writing through a name it did not check:
//
//   - the folder is opened once (O_PATH) when the name is given and every
//     later step works relative to that descriptor, so a folder swapped
//     afterwards changes nothing;
//   - the name itself is looked at without following a link (fstatat
//     AT_SYMLINK_NOFOLLOW): a symbolic link, a directory, a device, a FIFO
//     or a socket is refused, saying what it is;
//   - the bytes go to a new temporary file in that folder (O_EXCL, the
//     source file's permission bits less the umask, like cp), which is
//     fsynced and then renamed over the name. rename(2) replaces the name,
//     never writes into what the name leads to, so the file that was asked
//     about is replaced whole or not at all, and a link put there after the
//     question is replaced, not followed;
//   - just before the rename the name must still be the regular file that
//     was asked about (same device and inode), or still be free for a new
//     file (RENAME_NOREPLACE); otherwise nothing is written;
//   - a failure (no space, Esc) removes the temporary file: the target is
//     unchanged and the error is shown.

// writeChunk bounds each write(2), so Esc stops a long write soon.
const writeChunk = 1 << 20

// errWriteCancelled: Esc during a write-selection.
var errWriteCancelled = errors.New("cancelled")

// registerWriteSelection adds the write-selection action. The write is the
// editor's job (job.go): one at a time, its progress in the status line,
// Esc cancels it, edits wait until it ends, and quitting cancels it first
// (no temporary file is left behind); the feature keeps no state.
func registerWriteSelection(e *Editor) {
	e.Handle(keymap.WriteSelection, func(e *Editor, a Args) { e.writeSelection(a.Expr) })
}

// writeTarget is the file a selection is to be written to, as checked
// when its name was given.
type writeTarget struct {
	name   string // display.Name of the path as typed
	dirfd  int    // the folder, O_PATH
	base   string // the last element of the path
	exists bool   // a regular file was there (the question was asked)
	dev    uint64
	ino    uint64
	size   int64
}

func (t *writeTarget) close() { unix.Close(t.dirfd) }

// unchanged says what became of the target after a failure.
func (t *writeTarget) unchanged() string {
	if t.exists {
		return t.name + " is unchanged"
	}
	return "no file was created"
}

// fileKind names what a non-regular file is.
func fileKind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFIFO:
		return "a FIFO (named pipe)"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFLNK:
		return "a symbolic link"
	case unix.S_IFREG:
		return "a regular file"
	}
	return "not a regular file"
}

// checkTarget opens the folder of path and looks at the name in it
// without following a link. The caller closes the target.
func checkTarget(path string, srcDev, srcIno uint64) (*writeTarget, error) {
	name := display.Name(path)
	dir, base := filepath.Split(path)
	if base == "" || base == "." || base == ".." {
		return nil, fmt.Errorf("%s is a directory", name)
	}
	if dir == "" {
		dir = "."
	}
	dirfd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: folder %s: %v", name, display.Name(dir), err)
	}
	t := &writeTarget{name: name, dirfd: dirfd, base: base}
	var st unix.Stat_t
	err = unix.Fstatat(dirfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case errors.Is(err, unix.ENOENT):
		return t, nil
	case err != nil:
		t.close()
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		t.close()
		return nil, fmt.Errorf("%s is a directory", name)
	case unix.S_IFLNK:
		to := "?"
		buf := make([]byte, 4096)
		if n, err := unix.Readlinkat(dirfd, base, buf); err == nil {
			to = display.Name(string(buf[:n]))
		}
		t.close()
		return nil, fmt.Errorf("%s is a symbolic link (to %s): not followed; give the path of the file itself", name, to)
	default:
		t.close()
		return nil, fmt.Errorf("%s is %s: only a regular file can be written", name, fileKind(st.Mode))
	}
	if st.Dev == srcDev && st.Ino == srcIno {
		t.close()
		return nil, errors.New("that is the file being edited")
	}
	t.exists, t.dev, t.ino, t.size = true, st.Dev, st.Ino, st.Size
	return t, nil
}

// writeSelection writes the selection to a file, streamed through mapping
// (CopyTo: chunk by chunk, never the whole selection in memory), in the
// background. An existing file is replaced only when confirmed.
func (e *Editor) writeSelection(expr string) {
	off, n, ok := e.Selection()
	whole := !ok // save as: the whole file, holes kept (mapping/saveas)
	what := describeRange(off, n)
	if whole {
		if e.size == 0 {
			e.Errorf("the file is empty: nothing to write")
			return
		}
		off, n = 0, e.size
		what = fmt.Sprintf("the whole file (%d bytes, %s)", n, display.HumanBytes(n))
	}
	start := func(t *writeTarget) {
		_, _, perm, err := e.f.Ident()
		if err != nil {
			t.close()
			e.ShowError(err)
			return
		}
		if e.busy() { // a job started while the question was open
			t.close()
			return
		}
		if !whole {
			e.afterSelectionAction()
		}
		e.Message("writing %s to %s… (%s cancels)", what, t.name, orDefault(keyName(e, keymap.Cancel), "Esc"))
		f := e.f
		e.runJob("writing", "", func(ctx context.Context, progress func(string)) func() {
			t0 := time.Now()
			err := writeRange(ctx, f, t, off, n, whole, perm, func(done int64) { progress(percent(done, n)) })
			d := time.Since(t0)
			return func() {
				switch {
				case errors.Is(err, errWriteCancelled):
					e.Message("write to %s cancelled: %s", t.name, t.unchanged())
				case err != nil && whole:
					e.Errorf("write file: %v", err)
				case err != nil:
					e.Errorf("write selection: %v", err)
				case whole:
					e.Message("wrote %s to %s in %s (holes kept, edits included)", what, t.name, formatDuration(d))
				default:
					e.Message("wrote %s to %s in %s", what, t.name, formatDuration(d))
				}
			}
		}).stops("the write: it stops after the block it is writing")
	}
	do := func(text string) error {
		path := strings.TrimSpace(text)
		if path == "" {
			return errors.New("no file name")
		}
		if strings.HasPrefix(path, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				path = filepath.Join(home, path[2:])
			}
		}
		dev, ino, _, err := e.f.Ident()
		if err != nil {
			return err
		}
		t, err := checkTarget(path, dev, ino)
		if err != nil {
			return err
		}
		if !t.exists {
			start(t)
			return nil
		}
		e.prompt = nil
		e.OpenPrompt(&Prompt{
			Label: fmt.Sprintf("%s exists (%s): overwrite it? y/n", t.name, display.HumanBytes(t.size)),
			Key: func(p *Prompt, ev *tcell.EventKey) bool {
				if ev.Key() == tcell.KeyEsc || ev.Key() == tcell.KeyEnter || ev.Key() == tcell.KeyCtrlC {
					return false
				}
				e.prompt = nil
				if r, ok := keymap.FromEvent(ev).Rune(); ok && (r == 'y' || r == 'Y') {
					start(t)
				} else {
					t.close()
					e.Message("not written: %s exists", t.name)
				}
				return true
			},
			Cancel: t.close,
			Done: func(string) error {
				t.close()
				e.Message("not written: %s exists", t.name)
				return nil
			},
		})
		return nil
	}
	e.promptOrRun(expr, &Prompt{
		Label: fmt.Sprintf("write %s to file:", what),
		Hint:  "a new file (an existing one only if you confirm)",
		Done:  do,
	})
}

// cancelWriter writes in pieces of at most writeChunk, reports the bytes
// written so far (progress) and stops when ctx is cancelled; err keeps the
// first error of the underlying writer.
type cancelWriter struct {
	w        io.Writer
	ctx      context.Context
	progress func(written int64)
	written  int64
	err      error
}

func (c *cancelWriter) Write(b []byte) (int, error) {
	done := 0
	for done < len(b) {
		if c.ctx.Err() != nil {
			c.err = errWriteCancelled
			return done, c.err
		}
		k, err := c.w.Write(b[done:min(len(b), done+writeChunk)])
		done += k
		c.written += int64(k)
		c.progress(c.written)
		if err != nil {
			c.err = err
			return done, err
		}
	}
	return done, nil
}

// tempName is a fresh name for the temporary file next to base.
func tempName(base string) string {
	var r [6]byte
	rand.Read(r[:])
	if len(base) > 200 {
		base = ""
	}
	return "." + base + ".mmhex-" + hex.EncodeToString(r[:])
}

// writeRange copies [off, off+n) of f to the target t through a temporary
// file renamed into place, and closes t. perm is the source file's
// permission bits (the umask applies, as with cp). whole writes the whole
// file with its holes (mapping/saveas). progress gets the bytes written so
// far (not for whole); cancelling ctx stops it (the temporary file is
// removed).
func writeRange(ctx context.Context, f *mapping.File, t *writeTarget, off, n int64, whole bool, perm os.FileMode, progress func(int64)) (err error) {
	defer t.close()
	var tmp string
	var fd int
	for range 100 {
		tmp = tempName(t.base)
		fd, err = unix.Openat(t.dirfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(perm&0o777))
		if !errors.Is(err, unix.EEXIST) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("%s: temporary file in its folder: %v; %s", t.name, err, t.unchanged())
	}
	fh := os.NewFile(uintptr(fd), tmp)
	renamed := false
	defer func() {
		if !renamed {
			fh.Close()
			unix.Unlinkat(t.dirfd, tmp, 0)
		}
	}()
	cw := &cancelWriter{w: fh, ctx: ctx, progress: progress}
	if whole {
		var cancel atomic.Bool // saveas's stop flag, set when ctx is cancelled
		defer context.AfterFunc(ctx, func() { cancel.Store(true) })()
		if _, err := saveas.Copy(f, fh, &cancel); err != nil {
			if errors.Is(err, saveas.ErrCancelled) {
				return errWriteCancelled
			}
			return fmt.Errorf("%s: %v; %s", t.name, bareErr(err), t.unchanged())
		}
	} else if _, err := f.CopyTo(cw, off, n); err != nil {
		switch {
		case errors.Is(cw.err, errWriteCancelled):
			return errWriteCancelled
		case cw.err != nil && !errors.Is(cw.err, unix.EFAULT): // the target's side: name the target
			// (EFAULT: write(2) from mapped pages past a new end of the
			// source; CopyTo's error says the source shrank)
			return fmt.Errorf("%s: %v; %s", t.name, bareErr(cw.err), t.unchanged())
		}
		return fmt.Errorf("%v; %s", err, t.unchanged()) // the source's side
	}
	if err := fh.Sync(); err != nil {
		return fmt.Errorf("%s: fsync: %v; %s", t.name, bareErr(err), t.unchanged())
	}
	if err := fh.Close(); err != nil {
		renamed = true // closed; only remove it
		unix.Unlinkat(t.dirfd, tmp, 0)
		return fmt.Errorf("%s: %v; %s", t.name, bareErr(err), t.unchanged())
	}
	if ctx.Err() != nil {
		renamed = true
		unix.Unlinkat(t.dirfd, tmp, 0)
		return errWriteCancelled
	}
	// The name must still be what the question was about.
	var st unix.Stat_t
	serr := unix.Fstatat(t.dirfd, t.base, &st, unix.AT_SYMLINK_NOFOLLOW)
	var moved error
	switch {
	case t.exists && serr != nil:
		moved = fmt.Errorf("%s is gone since the question (%v): nothing written", t.name, serr)
	case t.exists && (st.Mode&unix.S_IFMT != unix.S_IFREG || st.Dev != t.dev || st.Ino != t.ino):
		moved = fmt.Errorf("%s was replaced since the question (it is now %s): nothing written", t.name, fileKind(st.Mode))
	case !t.exists && serr == nil:
		moved = fmt.Errorf("%s was created meanwhile (%s): nothing written", t.name, fileKind(st.Mode))
	}
	if moved != nil {
		renamed = true
		unix.Unlinkat(t.dirfd, tmp, 0)
		return moved
	}
	if t.exists {
		err = unix.Renameat(t.dirfd, tmp, t.dirfd, t.base)
	} else {
		err = unix.Renameat2(t.dirfd, tmp, t.dirfd, t.base, unix.RENAME_NOREPLACE)
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) { // no RENAME_NOREPLACE here
			if err = unix.Linkat(t.dirfd, tmp, t.dirfd, t.base, 0); err == nil {
				unix.Unlinkat(t.dirfd, tmp, 0)
			}
		}
	}
	renamed = true
	if err != nil {
		unix.Unlinkat(t.dirfd, tmp, 0)
		if errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("%s was created meanwhile: nothing written", t.name)
		}
		return fmt.Errorf("%s: rename into place: %v; %s", t.name, err, t.unchanged())
	}
	return nil
}

// bareErr drops the operation and path of an *os.PathError.
func bareErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
