package search

import "errors"

// Sentinel errors of the search package. Errors returned by the parser and
// the engine wrap one of these, so callers can test with errors.Is.
var (
	// ErrEmptyPattern: the pattern has no bytes.
	ErrEmptyPattern = errors.New("empty pattern")
	// ErrMalformedHex: a hex pattern has a character that is not a hex digit,
	// whitespace or "??", or a byte with only one digit.
	ErrMalformedHex = errors.New("malformed hex")
	// ErrInvalidUTF8: a text pattern is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrNotFound: the search ended without a match.
	ErrNotFound = errors.New("not found")
)
