// Package hexfmt holds what the editor's grid and `mmhex dump` share: the
// byte classes and their colours, and the dump formatters (canonical =
// `hexdump -C`, xxd, plain = `xxd -p`). It imports no UI package: the view
// maps Class.ANSI() to a tcell palette colour itself.
package hexfmt

import "mmhex/mapping/display"

// Class is the category of a byte, after hexyl's ByteCategory.
//
// hexyl classifies with Rust's u8 methods: 0x00 is Null; is_ascii_graphic
// (0x21..0x7e) is Printable; is_ascii_whitespace (space, \t, \n, \f, \r — the
// WHATWG set, which does NOT include \v 0x0b) is Whitespace; any other ASCII
// byte (0x01..0x1f, 0x7f, and \v) is Control; 0x80..0xff is High. mmhex keeps
// hexyl's sets exactly, so \v is Control and space is Whitespace.
type Class uint8

const (
	Null       Class = iota // 0x00
	Printable               // 0x21..0x7e
	Whitespace              // 0x20, \t, \n, \f, \r
	Control                 // 0x01..0x1f except the whitespace above, and 0x7f (\v included)
	High                    // 0x80..0xff

	NumClasses = 5
)

var classNames = [NumClasses]string{"null", "printable", "whitespace", "control", "high"}

// String names the class ("null", "printable", ...).
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "invalid"
}

// classTable is ClassOf for every byte value.
var classTable = func() (t [256]Class) {
	for i := range t {
		b := byte(i)
		switch {
		case b == 0:
			t[i] = Null
		case b >= 0x21 && b <= 0x7e:
			t[i] = Printable
		case b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r':
			t[i] = Whitespace
		case b < 0x80:
			t[i] = Control
		default:
			t[i] = High
		}
	}
	return
}()

// ClassOf returns the class of b (a table lookup).
func ClassOf(b byte) Class { return classTable[b] }

// textTable is TextChar for every byte value.
var textTable = func() (t [256]byte) {
	for i := range t {
		t[i] = display.Byte(byte(i))
	}
	return
}()

// TextChar is the character the text column shows for b: display.Byte,
// b itself for 0x20..0x7e (space stays a space, as in hexdump -C and xxd),
// '.' for everything else. No control byte and no byte >= 0x80 ever reaches the
// terminal through it.
func TextChar(b byte) byte { return textTable[b] }

// Colours (hexyl's): Null bright black (dim), Printable cyan, Whitespace
// green, Control magenta, High yellow. ANSI() is the index in the 16-colour
// terminal palette (tcell.PaletteColor(int(c.ANSI())) in the view); SGR() the
// escape sequence `mmhex dump` writes; RGB() a true-colour equivalent (xterm's
// default palette) for callers that want one.
var (
	ansiTable = [NumClasses]uint8{8, 6, 2, 5, 3}
	sgrTable  = [NumClasses]string{"\x1b[90m", "\x1b[36m", "\x1b[32m", "\x1b[35m", "\x1b[33m"}
	rgbTable  = [NumClasses]uint32{0x7f7f7f, 0x00cdcd, 0x00cd00, 0xcd00cd, 0xcdcd00}
)

// SGRReset ends a coloured run.
const SGRReset = "\x1b[0m"

// ANSI returns the 16-colour palette index of the class's colour (0..15).
func (c Class) ANSI() uint8 { return ansiTable[c%NumClasses] }

// SGR returns the escape sequence that selects the class's foreground colour.
func (c Class) SGR() string { return sgrTable[c%NumClasses] }

// RGB returns the class's colour as 0xRRGGBB.
func (c Class) RGB() uint32 { return rgbTable[c%NumClasses] }
