package keymap

import "errors"

// Sentinel errors of the keymap package. Functions wrap them with context.
var (
	// ErrUnknownPreset: a preset name that is neither "default" nor "vim".
	ErrUnknownPreset = errors.New("unknown key preset")
	// ErrBadKey: a key name ParseKey does not understand.
	ErrBadKey = errors.New("bad key name")
	// ErrUnknownAction: an action name that All does not list.
	ErrUnknownAction = errors.New("unknown action")
	// ErrUnknownCommand: an ex command ParseEx does not understand.
	ErrUnknownCommand = errors.New("unknown command")
)
