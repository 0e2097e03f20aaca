package mapping

import "errors"

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

	// Access.
	ErrClosed   = errors.New("file is closed")
	ErrReadOnly = errors.New("file is read-only")
	ErrPastEnd  = errors.New("offset is past end of file")
	ErrOffset   = errors.New("negative offset")
	ErrFault    = errors.New("memory fault reading the mapping (the file shrank?)")

	// Journal.
	ErrNothingToUndo = errors.New("nothing to undo")
	ErrNothingToRedo = errors.New("nothing to redo")

	// Sync.
	ErrPrivate = errors.New("private mapping (MAP_PRIVATE): edits never reach the file")

	// Page-cache figures and disk reads.
	ErrResidencyUnknown = errors.New("page residency unknown: the kernel hides it for files you neither own nor can write")
	ErrNoDirect         = errors.New("the filesystem refuses O_DIRECT (tmpfs?)")

	// Parsing.
	ErrBadNumber = errors.New("bad number")
	ErrBadHex    = errors.New("bad hex bytes")
)
