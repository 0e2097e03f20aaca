package pagecache

import "errors"

// Errors of the page-cache figures. Every error returned by this package
// wraps one of these, a mapping error (ErrClosed, ErrOffset, ...) or a
// syscall errno, with the file's name in front.
var (
	// ErrResidencyUnknown: the kernel hides mincore's answer for a file the
	// caller neither owns nor may write (it claims every page resident).
	ErrResidencyUnknown = errors.New("page residency unknown: the kernel hides it for files you neither own nor can write")
	// ErrMincoreSkipped says the range was too large to measure with mincore.
	ErrMincoreSkipped = errors.New("mincore skipped: range too large")

	// Disk reads.
	ErrNoDirect = errors.New("the filesystem refuses O_DIRECT (tmpfs?)")
	// ErrNoRawDisk: the file's blocks cannot be read from its block device
	// (no permission to open the device, no single block device behind the
	// filesystem, or extents that are inline, compressed or encrypted).
	ErrNoRawDisk = errors.New("cannot read the file's blocks from the block device")
	// errNotRaw: ReadDisk's raw path does not apply; it falls back to
	// O_DIRECT on the file.
	errNotRaw = errors.New("not readable raw")
)
