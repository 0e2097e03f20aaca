package keymap

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
)

// Key is one normalised key press. It is comparable and usable as a map key.
//
// Normal forms:
//   - a character: code tcell.KeyRune, the rune, and ModAlt if Alt was held
//     (Shift is dropped: it is already in the rune);
//   - a Ctrl character: code tcell.KeyRune, the lower-case rune, ModCtrl
//     (plus ModAlt). Ctrl-G is one Key whether tcell reported KeyCtrlG (71,
//     tcell >= 2.10), KeyBEL (7, older tcell), or KeyRune 'g' with ModCtrl;
//     Ctrl-Space, Ctrl-\, Ctrl-], Ctrl-^ and Ctrl-_ (also Ctrl-/) likewise;
//   - a named key (arrows, F-keys, Tab, Enter, Esc, Backspace, ...): its
//     tcell code and the Shift, Ctrl and Alt modifiers. The terminal sends
//     the same bytes for Ctrl-I and Tab, Ctrl-M and Enter, Ctrl-[ and Esc,
//     Ctrl-H and Backspace, so those are always Tab, Enter, Esc, Backspace.
//     Backspace2 (DEL) is Backspace.
type Key struct {
	code tcell.Key
	r    rune
	mod  tcell.ModMask
}

const keyMods = tcell.ModShift | tcell.ModCtrl | tcell.ModAlt

// FromEvent normalises a tcell key event.
func FromEvent(ev *tcell.EventKey) Key {
	return NewKey(ev.Key(), ev.Rune(), ev.Modifiers())
}

// NewKey normalises a tcell key code, rune and modifiers (as in
// tcell.NewEventKey and SimulationScreen.InjectKey).
func NewKey(k tcell.Key, r rune, mod tcell.ModMask) Key {
	if mod&tcell.ModMeta != 0 {
		mod |= tcell.ModAlt
	}
	mod &= keyMods
	switch {
	case k == tcell.KeyRune && (r < ' ' || r == 0x7f):
		return control(int(r), mod)
	case k == tcell.KeyRune:
		if mod&(tcell.ModCtrl|tcell.ModAlt) == tcell.ModCtrl|tcell.ModAlt && !isASCIILetter(r) {
			mod &^= tcell.ModCtrl | tcell.ModAlt // AltGr
		}
		if mod&tcell.ModCtrl != 0 {
			switch r {
			case '@', ' ', '2':
				return control(0, mod)
			case '[', '3':
				return control(27, mod)
			case '\\', '4':
				return control(28, mod)
			case ']', '5':
				return control(29, mod)
			case '^', '6', '~':
				return control(30, mod)
			case '_', '/', '7', '-':
				return control(31, mod)
			case '?', '8':
				return control(0x7f, mod)
			}
			if isASCIILetter(r) {
				return control(int(unicode.ToLower(r)-'a'+1), mod)
			}
		}
		return Key{code: tcell.KeyRune, r: r, mod: mod &^ tcell.ModShift}
	case k >= 0 && k < 32:
		return control(int(k), mod)
	case k == tcell.KeyDEL:
		return control(0x7f, mod)
	case k >= tcell.KeyCtrlSpace && k <= tcell.KeyCtrlUnderscore:
		return control(int(k-tcell.KeyCtrlSpace), mod)
	}
	return Key{code: k, mod: mod}
}

// control returns the Key for ASCII control code c (0..31, 127).
func control(c int, mod tcell.ModMask) Key {
	switch c {
	case 8, 0x7f:
		return Key{code: tcell.KeyBackspace, mod: mod &^ tcell.ModCtrl}
	case 9:
		if mod&tcell.ModShift != 0 {
			return Key{code: tcell.KeyBacktab, mod: mod &^ (tcell.ModCtrl | tcell.ModShift)}
		}
		return Key{code: tcell.KeyTab, mod: mod &^ tcell.ModCtrl}
	case 13:
		return Key{code: tcell.KeyEnter, mod: mod &^ tcell.ModCtrl}
	case 27:
		return Key{code: tcell.KeyEsc, mod: mod &^ tcell.ModCtrl}
	}
	mod = mod&tcell.ModAlt | tcell.ModCtrl
	switch {
	case c == 0:
		return Key{code: tcell.KeyRune, r: ' ', mod: mod}
	case c >= 1 && c <= 26:
		return Key{code: tcell.KeyRune, r: rune('a' + c - 1), mod: mod}
	default: // 28..31
		return Key{code: tcell.KeyRune, r: rune('@' + c), mod: mod}
	}
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// Rune returns the character a plain key types: ok is false for named keys
// and keys with Ctrl or Alt.
func (k Key) Rune() (r rune, ok bool) {
	if k.code == tcell.KeyRune && k.mod == 0 {
		return k.r, true
	}
	return 0, false
}

// Printable reports whether k is a plain character key (no Ctrl, no Alt)
// whose character is printable.
func (k Key) Printable() bool {
	r, ok := k.Rune()
	return ok && unicode.IsPrint(r)
}

// IsZero reports whether k is the zero Key (no key).
func (k Key) IsZero() bool { return k == Key{} }

// Event returns a tcell event that normalises back to k (for tests and
// simulation screens).
func (k Key) Event() *tcell.EventKey {
	if k.code == tcell.KeyRune && k.mod&tcell.ModCtrl != 0 {
		if k.r >= 'a' && k.r <= 'z' {
			return tcell.NewEventKey(tcell.KeyCtrlA+tcell.Key(k.r-'a'), 0, k.mod)
		}
		var c tcell.Key
		switch k.r {
		case ' ':
			c = tcell.KeyCtrlSpace
		default:
			c = tcell.KeyCtrlSpace + tcell.Key(k.r-'@')
		}
		return tcell.NewEventKey(c, 0, k.mod)
	}
	return tcell.NewEventKey(k.code, k.r, k.mod)
}

var namedKeys = map[tcell.Key]string{
	tcell.KeyEnter:     "Enter",
	tcell.KeyTab:       "Tab",
	tcell.KeyBacktab:   "Backtab",
	tcell.KeyEsc:       "Esc",
	tcell.KeyBackspace: "Backspace",
	tcell.KeyDelete:    "Delete",
	tcell.KeyInsert:    "Insert",
	tcell.KeyUp:        "Up",
	tcell.KeyDown:      "Down",
	tcell.KeyLeft:      "Left",
	tcell.KeyRight:     "Right",
	tcell.KeyHome:      "Home",
	tcell.KeyEnd:       "End",
	tcell.KeyPgUp:      "PgUp",
	tcell.KeyPgDn:      "PgDn",
	tcell.KeyUpLeft:    "UpLeft",
	tcell.KeyUpRight:   "UpRight",
	tcell.KeyDownLeft:  "DownLeft",
	tcell.KeyDownRight: "DownRight",
	tcell.KeyCenter:    "Center",
	tcell.KeyClear:     "Clear",
	tcell.KeyExit:      "Exit",
	tcell.KeyCancel:    "Cancel",
	tcell.KeyPause:     "Pause",
	tcell.KeyPrint:     "Print",
	tcell.KeyHelp:      "Help",
	tcell.KeyMenu:      "Menu",
}

// keyByName: lower-case name → code, with aliases.
var keyByName = func() map[string]tcell.Key {
	m := map[string]tcell.Key{
		"escape": tcell.KeyEsc, "return": tcell.KeyEnter, "cr": tcell.KeyEnter,
		"pagedown": tcell.KeyPgDn, "pageup": tcell.KeyPgUp, "pgdown": tcell.KeyPgDn,
		"del": tcell.KeyDelete, "ins": tcell.KeyInsert, "bs": tcell.KeyBackspace,
		"backspace2": tcell.KeyBackspace,
	}
	for c, n := range namedKeys {
		m[strings.ToLower(n)] = c
	}
	for i := 1; i <= 64; i++ {
		m[fmt.Sprintf("f%d", i)] = tcell.KeyF1 + tcell.Key(i-1)
	}
	return m
}()

// String returns the key's name in the form ParseKey reads: "g", "G",
// "Space", "Ctrl-G", "Ctrl-_", "Alt-x", "F1", "PgDn", "Shift-Up".
func (k Key) String() string {
	var b strings.Builder
	if k.mod&tcell.ModCtrl != 0 {
		b.WriteString("Ctrl-")
	}
	if k.mod&tcell.ModAlt != 0 {
		b.WriteString("Alt-")
	}
	if k.mod&tcell.ModShift != 0 {
		b.WriteString("Shift-")
	}
	switch {
	case k.code == tcell.KeyRune && k.r == ' ':
		b.WriteString("Space")
	case k.code == tcell.KeyRune && k.mod&tcell.ModCtrl != 0 && k.r >= 'a' && k.r <= 'z':
		b.WriteRune(unicode.ToUpper(k.r))
	case k.code == tcell.KeyRune && unicode.IsPrint(k.r):
		b.WriteRune(k.r)
	case k.code == tcell.KeyRune:
		fmt.Fprintf(&b, "U+%04X", k.r)
	case k.code >= tcell.KeyF1 && k.code <= tcell.KeyF64:
		fmt.Fprintf(&b, "F%d", k.code-tcell.KeyF1+1)
	default:
		if n, ok := namedKeys[k.code]; ok {
			b.WriteString(n)
		} else {
			fmt.Fprintf(&b, "Key%d", int(k.code))
		}
	}
	return b.String()
}

// ParseKey reads one key name: a single character ("g", "G", "$", "é"),
// "Space", a named key ("Enter", "Tab", "Esc", "Backspace", "Delete",
// "Insert", "Home", "End", "PgUp", "PgDn", "Up", "Down", "Left", "Right",
// "F1".."F64", aliases "Escape", "Return", "PageUp", "PageDown", "Del"),
// with modifiers "Ctrl-" (or "C-", "^" before one character), "Alt-"
// (or "M-", "Meta-") and "Shift-" (or "S-") in any order. Names and
// modifiers are case-insensitive; a single character is not, except after
// Ctrl ("Ctrl-g" is "Ctrl-G").
func ParseKey(s string) (Key, error) {
	orig := s
	var mod tcell.ModMask
	for {
		if len(s) >= 2 && s[0] == '^' && utf8.RuneCountInString(s) == 2 {
			mod |= tcell.ModCtrl
			s = s[1:]
			break
		}
		i := strings.IndexAny(s, "-+")
		if i <= 0 || i == len(s)-1 {
			break
		}
		var m tcell.ModMask
		switch strings.ToLower(s[:i]) {
		case "ctrl", "c", "control":
			m = tcell.ModCtrl
		case "alt", "m", "meta":
			m = tcell.ModAlt
		case "shift", "s":
			m = tcell.ModShift
		default:
			return Key{}, &KeyError{orig, "unknown modifier " + quote(s[:i])}
		}
		mod |= m
		s = s[i+1:]
	}
	if s == "" {
		return Key{}, &KeyError{orig, "empty key name"}
	}
	if utf8.RuneCountInString(s) == 1 {
		r, _ := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError || !unicode.IsPrint(r) || r == ' ' {
			return Key{}, &KeyError{orig, ""}
		}
		if mod&tcell.ModShift != 0 && mod&tcell.ModCtrl == 0 {
			mod &^= tcell.ModShift
			r = unicode.ToUpper(r)
		}
		return NewKey(tcell.KeyRune, r, mod), nil
	}
	name := strings.ToLower(s)
	if name == "space" {
		return NewKey(tcell.KeyRune, ' ', mod), nil
	}
	c, ok := keyByName[name]
	if !ok {
		return Key{}, &KeyError{orig, ""}
	}
	return NewKey(c, 0, mod), nil
}

// KeyError is a key name that ParseKey or ParseSeq cannot read. It wraps
// ErrBadKey.
type KeyError struct {
	Name   string // as written
	Reason string // "" when the name is simply not a key
}

func (e *KeyError) Error() string {
	switch {
	case e.Name == "" || strings.TrimSpace(e.Name) == "":
		return fmt.Sprintf("%v: %s", ErrBadKey, e.Reason)
	case e.Reason == "":
		return fmt.Sprintf("%v %s", ErrBadKey, quote(e.Name))
	}
	return fmt.Sprintf("%v %s: %s", ErrBadKey, quote(e.Name), e.Reason)
}

func (e *KeyError) Unwrap() error { return ErrBadKey }

// MustKey is ParseKey for names known to be good; it panics otherwise.
func MustKey(s string) Key {
	k, err := ParseKey(s)
	if err != nil {
		panic(err)
	}
	return k
}

// Seq is a key sequence such as "g g".
type Seq []Key

// ParseSeq reads a sequence of key names separated by spaces: "g g",
// "Ctrl-X Ctrl-S", "Z Z".
func ParseSeq(s string) (Seq, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil, &KeyError{s, "empty key sequence"}
	}
	seq := make(Seq, 0, len(f))
	for _, n := range f {
		k, err := ParseKey(n)
		if err != nil {
			return nil, err
		}
		seq = append(seq, k)
	}
	return seq, nil
}

// String returns the sequence as ParseSeq reads it: key names joined by
// spaces.
func (s Seq) String() string {
	var b strings.Builder
	for i, k := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k.String())
	}
	return b.String()
}
