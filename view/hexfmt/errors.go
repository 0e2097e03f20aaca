package hexfmt

import "errors"

var (
	// ErrBadFormat: --format is not canonical, xxd or plain.
	ErrBadFormat = errors.New("unknown dump format")
	// ErrBadColor: --color is not auto, always or never.
	ErrBadColor = errors.New("unknown colour mode")
	// ErrClosed: Write or Close on a closed Dumper.
	ErrClosed = errors.New("dumper closed")
)
