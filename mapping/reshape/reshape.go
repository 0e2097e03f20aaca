// Package reshape changes a file's shape in place through *mapping.File:
// its size (grow = a hole, truncate), holes (punch, zero range), and whole
// blocks inserted or deleted anywhere with FALLOC_FL_INSERT_RANGE and
// FALLOC_FL_COLLAPSE_RANGE, which move extents instead of copying data, so
// the time does not depend on the file's size. Inserting N bytes at O (N a
// multiple of the block size) is INSERT_RANGE at the block boundary A below
// O plus moving the O-A (< one block) bytes between A and O; delete is
// COLLAPSE_RANGE likewise. Every change is in the durable journal before
// it runs (mapping/recovery reverts it after a crash) and is synced
// (fdatasync) when it returns. Block devices and files another process
// maps shared and writable (mapping/who) are refused.
package reshape

import (
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/who"
)

// Geometry is what the filesystem allows.
type Geometry struct {
	Block int64  // the filesystem's block size (statfs f_bsize)
	FS    string // its type, for messages ("ext4", "tmpfs", ...)
	// NoMoves: a filesystem known to have no FALLOC_FL_INSERT_RANGE
	// and FALLOC_FL_COLLAPSE_RANGE (tmpfs, btrfs): a block move is
	// refused before any size is suggested (no size would work).
	NoMoves bool
}

func fsName(t int64) string {
	switch t {
	case unix.EXT4_SUPER_MAGIC:
		return "ext4"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.F2FS_SUPER_MAGIC:
		return "f2fs"
	}
	return fmt.Sprintf("filesystem type %#x", t)
}

// GeometryOf returns the block size and filesystem of f.
func GeometryOf(f *mapping.File) (Geometry, error) {
	var g Geometry
	err := f.WithDescriptor(func(fd int, _ int64) error {
		var fs unix.Statfs_t
		if err := unix.Fstatfs(fd, &fs); err != nil {
			return err
		}
		g.Block, g.FS = fs.Bsize, fsName(int64(fs.Type))
		g.NoMoves = fs.Type == unix.TMPFS_MAGIC || fs.Type == unix.BTRFS_SUPER_MAGIC
		return nil
	})
	return g, err
}

// ErrSize: a length that is not a multiple of the block size.
var ErrSize = errors.New("is not a multiple of the filesystem's block size")

// ErrOtherWriter: another process maps the file shared and writable.
var ErrOtherWriter = errors.New("another process maps it shared and writable")

func (g Geometry) check(name string, n int64) error {
	if n > 0 && n%g.Block == 0 {
		return nil
	}
	lo, hi := n/g.Block*g.Block, (n/g.Block+1)*g.Block
	would := fmt.Sprintf("%d would work", hi)
	if lo > 0 {
		would = fmt.Sprintf("%d or %d would work", lo, hi)
	}
	return fmt.Errorf("%s: LENGTH %d %w (%d bytes on this %s): %s", name, n, ErrSize, g.Block, g.FS, would)
}

// unsupported turns EOPNOTSUPP from a block move into the reason.
func (g Geometry) unsupported(name string, err error) error {
	if errors.Is(err, unix.EOPNOTSUPP) {
		return fmt.Errorf("%s: this %s cannot move blocks (%w): insert and delete need ext4 or xfs; nothing was changed", name, g.FS, unix.EOPNOTSUPP)
	}
	return err
}

// checkMove refuses n bytes moved at a place that is not the end: on a
// filesystem that cannot move blocks whatever the length (no size would
// work), else when n is not whole blocks.
func (g Geometry) checkMove(name string, n int64, atEnd bool) error {
	if g.NoMoves && !atEnd {
		return g.unsupported(name, unix.EOPNOTSUPP)
	}
	return g.check(name, n)
}

// guard refuses block devices and files another process maps writable.
func guard(f *mapping.File) error {
	name := display.Name(f.Path())
	if f.IsBlockDevice() {
		return fmt.Errorf("%s: %w", name, mapping.ErrBlockDevice)
	}
	r, err := who.Holders(f)
	if err != nil {
		return err
	}
	if sp := r.SharedWritable(); len(sp) > 0 {
		return fmt.Errorf("%s: %w (pid %d; mmhex who lists them): refused, the change would move bytes under it", name, ErrOtherWriter, sp[0].PID)
	}
	return nil
}

// Insert inserts n zero bytes at off: prefix + zeros + suffix. n must be
// a multiple of the block size; off at the end grows the file.
func Insert(f *mapping.File, off, n int64) (moved int64, err error) {
	name := display.Name(f.Path())
	g, err := GeometryOf(f)
	if err != nil {
		return 0, err
	}
	size := f.Size()
	if err := g.checkMove(name, n, off == size); err != nil {
		return 0, err
	}
	if off < 0 || off > size {
		return 0, fmt.Errorf("%s: insert at %#x: %w (size %d)", name, off, mapping.ErrPastEnd, size)
	}
	if err := guard(f); err != nil {
		return 0, err
	}
	if off == size {
		return 0, f.Resize(size + n)
	}
	a := off / g.Block * g.Block
	// One undo step: the block move and the bytes moved by hand.
	grp := f.Group()
	if err := grp.InsertRange(a, n, off); err != nil {
		return 0, g.unsupported(name, err)
	}
	if moved = off - a; moved > 0 {
		// The bytes [a, off) went up with the rest: back to their place,
		// and zeros where they were.
		buf := make([]byte, moved)
		_, err := f.ReadAt(buf, a+n)
		if err == nil {
			_, err = grp.WriteAt(buf, a)
		}
		if err == nil {
			err = grp.Fill(a+n, moved, 0)
		}
		if err != nil {
			return 0, halfway(f, err, fmt.Sprintf("the insert stopped half-way: the blocks were inserted at %#x but the %d bytes below the block boundary were not moved back", a, moved), "taking the blocks out again")
		}
	}
	return moved, nil
}

// halfway undoes the part of an insert (one undo step, a Group) done
// before err stopped it, and says so: nothing changed when the undo
// worked; else what is left and that the journal has it (mmhex recover
// --revert puts the file back).
func halfway(f *mapping.File, err error, what, undoing string) error {
	name := display.Name(f.Path())
	if _, uerr := f.Undo(); uerr != nil {
		return fmt.Errorf("%s: %s (%w), and %s failed too (%v); the journal has the change: mmhex recover --revert puts the file back", name, what, err, undoing, uerr)
	}
	return fmt.Errorf("%s: %s (%w); undone: nothing was changed", name, what, err)
}

// Delete removes the n bytes at off: prefix + suffix. n must be a
// multiple of the block size; a range that reaches the end truncates.
func Delete(f *mapping.File, off, n int64) (moved int64, err error) {
	name := display.Name(f.Path())
	g, err := GeometryOf(f)
	if err != nil {
		return 0, err
	}
	size := f.Size()
	if err := g.checkMove(name, n, off+n == size); err != nil {
		return 0, err
	}
	if off < 0 || off+n > size {
		return 0, fmt.Errorf("%s: delete of %d bytes at %#x: %w (size %d)", name, n, off, mapping.ErrPastEnd, size)
	}
	if err := guard(f); err != nil {
		return 0, err
	}
	if off+n == size {
		return 0, f.Resize(off)
	}
	a := off / g.Block * g.Block
	grp := f.Group() // one undo step
	if moved = off - a; moved > 0 {
		// The bytes [a, off) stay: copy them over the last ones that go,
		// which the collapse then brings down to a.
		buf := make([]byte, moved)
		if _, err := f.ReadAt(buf, a); err != nil {
			return 0, err
		}
		if _, err := grp.WriteAt(buf, a+n); err != nil {
			return 0, err // a store that failed stored nothing
		}
	}
	if err := grp.CollapseRange(a, n, off); err != nil {
		err = g.unsupported(name, err)
		if moved > 0 {
			// The copy of [a, off) goes too: then nothing was changed.
			if _, uerr := f.Undo(); uerr != nil {
				return 0, fmt.Errorf("%s: the delete stopped before its block move (%w): the %d bytes below the block boundary were copied to %#x, and putting back the bytes they were copied over failed too (%v); the journal has the change: mmhex recover --revert puts the file back", name, err, moved, a+n, uerr)
			}
		}
		return 0, err
	}
	return moved, nil
}

// Resize sets the size (growing adds a hole; a truncate journals the
// bytes cut, refused above mapping.MaxCut).
func Resize(f *mapping.File, size int64) error {
	if err := guard(f); err != nil {
		return err
	}
	return f.Resize(size)
}

// Punch frees the blocks of [off, off+n) (the range reads as zeros), or
// with zero makes it zeros keeping the blocks (FALLOC_FL_ZERO_RANGE).
func Punch(f *mapping.File, off, n int64, zero bool) error {
	if err := guard(f); err != nil {
		return err
	}
	return f.PunchHole(off, n, zero)
}

// Command runs `mmhex resize|punch|insert|delete` on path: the change,
// then fdatasync, then one line on w.
func Command(op, path string, args []int64, zero bool, w io.Writer) error {
	name := display.Name(path)
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		return err
	}
	defer f.Close()
	if f.IsBlockDevice() {
		return fmt.Errorf("%s: %w", name, mapping.ErrBlockDevice)
	}
	if err := f.Writable(); err != nil {
		return err
	}
	old := f.Size()
	var what string
	var moved int64
	switch {
	case op == "resize" && args[0] == old:
		_, err := fmt.Fprintf(w, "%s: already %d bytes; nothing was changed\n", name, old)
		return err
	case op == "punch" && args[1] == 0:
		return fmt.Errorf("%s: LENGTH 0: nothing to punch; nothing was changed", name)
	}
	switch op {
	case "resize":
		err = Resize(f, args[0])
		what = fmt.Sprintf("resized from %d to %d bytes", old, args[0])
		if args[0] > old {
			what += fmt.Sprintf(" (%d bytes of hole added)", args[0]-old)
		}
	case "punch":
		err = Punch(f, args[0], args[1], zero)
		how := "punched a hole of"
		if zero {
			how = "zeroed"
		}
		what = fmt.Sprintf("%s %d bytes at %#x", how, args[1], args[0])
	case "insert":
		moved, err = Insert(f, args[0], args[1])
		what = fmt.Sprintf("inserted %d zero bytes at %#x, size %d → %d", args[1], args[0], old, old+args[1])
	case "delete":
		moved, err = Delete(f, args[0], args[1])
		what = fmt.Sprintf("deleted %d bytes at %#x, size %d → %d", args[1], args[0], old, old-args[1])
	default:
		return fmt.Errorf("reshape: unknown operation %q", op)
	}
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := f.SyncFile(); err != nil {
		return fmt.Errorf("%s: %s, but the sync failed: %w", name, what, err)
	}
	if moved > 0 {
		what += fmt.Sprintf(" (%d bytes below the block boundary moved)", moved)
	}
	_, err = fmt.Fprintf(w, "%s: %s; fdatasync in %s\n", name, what, time.Since(start).Round(10*time.Microsecond))
	return err
}
