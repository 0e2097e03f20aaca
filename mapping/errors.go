package mapping

import (
	"errors"

	"mmhex/mapping/numparse"
)

// Sentinel errors. Every error returned by this package wraps one of these
// (or a syscall errno) with context that names the file, so callers can test
// with errors.Is and print err.Error() as one line.
var (
	// Opening.
	ErrDirectory   = errors.New("is a directory")
	ErrFIFO        = errors.New("is a FIFO (named pipe); it cannot be mapped")
	ErrSocket      = errors.New("is a socket; it cannot be mapped")
	ErrCharDevice  = errors.New("is a character device; only regular files and block devices can be mapped")
	ErrNotMappable = errors.New("cannot be mapped")
	ErrNoSize      = errors.New("has size 0 but has content (a /proc or /sys file?); it cannot be mapped")
	ErrBadOptions  = errors.New("bad options")
	// ErrReplaced: the name led to another file by the time it was opened.
	ErrReplaced = errors.New("was replaced by another file while it was being opened; try again")

	// Access.
	ErrClosed   = errors.New("file is closed")
	ErrReadOnly = errors.New("file is read-only")
	ErrPastEnd  = errors.New("offset is past end of file")
	ErrOffset   = errors.New("negative offset")
	// ErrFault: a memory fault (SIGBUS) reading or storing through the
	// mapping. The error says why when it can tell: ErrShrank, or
	// unix.ENOSPC for a store into a hole of a file on a full filesystem.
	ErrFault = errors.New("memory fault")
	// ErrShrank: the file shrank under the mapping (with ErrFault).
	ErrShrank = errors.New("the file shrank")

	// Journal.
	ErrNothingToUndo = errors.New("nothing to undo")
	ErrNothingToRedo = errors.New("nothing to redo")
	// ErrChanged: Amend found other bytes than the caller saw (another
	// writer changed them).
	ErrChanged = errors.New("changed by another writer")
	// ErrSyncStateUnknown: a failed Sync left the journal unable to tell
	// which bytes were synced; revert-all still works.
	ErrSyncStateUnknown = errors.New("the last synced state is unknown after a failed sync")

	// Sync.
	ErrPrivate = errors.New("private mapping (MAP_PRIVATE): edits never reach the file")

	// Parsing.
	ErrBadNumber = numparse.ErrBadNumber
	ErrBadHex    = errors.New("bad hex bytes")
)

// Unknown marks a figure the kernel did not give (never read it as zero).
const Unknown int64 = -1
