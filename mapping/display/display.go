// Package display is the one place where text bound for a terminal is made
// safe and where sizes are written for people. Every file name, every
// piece of file content and every message that carries user input passes
// Rune, Sanitize, Byte, Name or Line before it reaches a terminal; they
// all apply one rule: a control character (C0 0x00-0x1f, DEL 0x7f, C1
// U+0080-U+009F), any other non-printable rune (format characters such as
// the bidi override U+202E, non-ASCII spaces) and invalid UTF-8 become '.',
// as in the text column of a hex dump.
//
// It imports only the standard library, so every package of mmhex may use
// it: mapping (file names in its errors), keymap (config names and values),
// view and main.
package display

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rune is the rune that may reach the terminal for r: r itself when it is
// printable (unicode.IsPrint: letters, marks, numbers, punctuation,
// symbols and the ASCII space), '.' otherwise. utf8.RuneError becomes '.'
// too, since ranging over a string yields it for every invalid byte.
func Rune(r rune) rune {
	if r == utf8.RuneError || !unicode.IsPrint(r) {
		return '.'
	}
	return r
}

// Sanitize returns s with every rune passed through Rune; each byte of
// invalid UTF-8 becomes one '.'. Printable text is returned unchanged
// (and not copied).
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if Rune(r) != r {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(Rune, s)
}

// Byte is the character shown for one byte of file data in a text column:
// b itself for printable ASCII 0x20..0x7e, '.' otherwise (a byte >= 0x80
// on its own is invalid UTF-8). It is Sanitize of the one-byte string.
func Byte(b byte) byte {
	if b >= 0x20 && b <= 0x7e {
		return b
	}
	return '.'
}

// Name returns a file name (or any argument a user typed) as it is shown:
// Sanitize(name), and `""` for the empty name (an error line would start
// with ": " otherwise).
func Name(name string) string {
	if name == "" {
		return `""`
	}
	return Sanitize(name)
}

// Quote returns s between double quotes, through Sanitize: for names and
// values quoted in a message (`unknown modifier "Hyper"`). Unlike %q it
// shows a control character as '.', like everything else on the screen.
func Quote(s string) string { return `"` + Sanitize(s) + `"` }

// Line returns s as one terminal-safe line: newlines and carriage returns
// become spaces, then Sanitize. Every error line main prints goes through
// it (the flag package quotes arguments raw).
func Line(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, s)
	}
	return Sanitize(s)
}

// HumanBytes formats n in binary units: "8.00 GiB", "512 B" below 1 KiB.
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.2f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
