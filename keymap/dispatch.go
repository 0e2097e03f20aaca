package keymap

import (
	"fmt"
	"math"
	"strings"

	"github.com/gdamore/tcell/v2"
)

// Result says what a key did to the pending sequence.
type Result int

const (
	// NotFound: the key (with whatever was pending) is bound to nothing.
	// The pending sequence is dropped. Outcome.Type says whether the view
	// should write the key as data.
	NotFound Result = iota
	// Incomplete: the key started or continued a sequence, a count or an
	// argument; wait for more keys (Dispatcher.Pending shows what is pending).
	Incomplete
	// Found: a whole binding was typed; run Outcome.Action.
	Found
)

func (r Result) String() string {
	switch r {
	case Found:
		return "found"
	case Incomplete:
		return "incomplete"
	}
	return "not found"
}

// Outcome is what one key (or one ex command) means.
type Outcome struct {
	Result Result
	Action Action // when Found
	// Count is the number typed before the key in the vim preset ("12G",
	// "5j"); 0 when none was typed. A count never starts with 0.
	Count int
	// Arg is the letter after an action that takes one (mark-set "m a",
	// mark-jump "' a"); 0 otherwise.
	Arg rune
	// Expr is the argument of an ex command (":123" and ":goto 0x10" give
	// goto with Expr "123" and "0x10"; ":fill ff" gives fill with "ff";
	// ":w FILE" gives write-selection with "FILE"); "" when none: the view
	// prompts for what it needs.
	Expr string
	// Type is true when the key is bound to nothing, nothing was pending,
	// and the current mode types: the view writes the key as data (a hex
	// digit in the hex column, a character in the text column). Always true
	// for an unbound printable key in the default preset; in the vim preset
	// only in replace mode.
	Type bool
	// Key is the key that was fed (zero for ParseEx).
	Key Key
	// Dropped is true for a NotFound that only dropped what was pending (a
	// count, a sequence, the letter a mark waits for): Esc, or a key bound
	// on its own to cancel or normal-mode ("5 Esc", "g Ctrl-C" in the vim
	// preset, "Alt-m Esc"). The view says nothing: the keys were cancelled,
	// not mistyped.
	Dropped bool
}

var keyEsc = MustKey("Esc")

// Dispatcher turns a stream of keys into Outcomes. It holds the pending
// sequence, the count and the mode; use one per editor, from the goroutine
// that handles input.
type Dispatcher struct {
	m      *Map
	mode   string
	once   bool // replace mode entered with replace-byte: one byte only
	seq    Seq
	count  int
	digits string
	argFor Action
}

// NewDispatcher returns a Dispatcher in the map's base mode.
func NewDispatcher(m *Map) *Dispatcher {
	return &Dispatcher{m: m, mode: m.modes[0].def.name}
}

// Map returns the map the dispatcher uses.
func (d *Dispatcher) Map() *Map { return d.m }

// Mode returns the mode for the status line: "" in the default preset;
// "NORMAL", "VISUAL" or "REPLACE" in the vim preset.
func (d *Dispatcher) Mode() string { return d.mode }

// SetMode switches to a mode of the preset ("NORMAL", "VISUAL",
// "REPLACE"); the view calls it when its own state changes the mode (for
// example when a selection ends without a key). Unknown modes and modes
// the preset lacks are ignored. It drops any pending sequence.
func (d *Dispatcher) SetMode(mode string) {
	for _, t := range d.m.modes {
		if t.def.name == mode {
			d.mode = mode
			d.once = false
		}
	}
	d.reset()
}

// ByteWritten tells the dispatcher that the view finished writing one whole
// byte from typed keys (two hex digits, or one character). After
// replace-byte ("r" in the vim preset) it returns to normal mode and
// reports true: as in vim, the cursor stays on the replaced byte; otherwise
// the view moves the cursor past the byte.
func (d *Dispatcher) ByteWritten() (stay bool) {
	if d.once && d.mode == ModeReplace {
		d.once = false
		d.mode = ModeNormal
		return true
	}
	return false
}

// Pending returns the keys typed so far of an incomplete sequence, count
// or argument, for the status line ("12", "g", "m", "Alt-m"); "" when
// nothing is pending.
func (d *Dispatcher) Pending() string {
	s := d.digits
	if len(d.seq) > 0 {
		if s != "" {
			s += " "
		}
		s += d.seq.String()
	}
	return s
}

// Reset drops anything pending (the mode stays).
func (d *Dispatcher) Reset() { d.reset() }

func (d *Dispatcher) reset() {
	d.seq, d.count, d.digits, d.argFor = nil, 0, "", ""
}

// Feed takes one key and says what it means.
func (d *Dispatcher) Feed(k Key) Outcome {
	t := d.m.mode(d.mode)
	if d.argFor != "" {
		a, c := d.argFor, d.count
		d.reset()
		if r, ok := k.Rune(); ok && isASCIILetter(r) {
			return Outcome{Result: Found, Action: a, Count: c, Arg: r, Key: k}
		}
		return Outcome{Result: NotFound, Key: k, Dropped: d.cancels(t, k)}
	}
	if plain, ok := d.escThen(t, k); ok {
		// Esc typed just before a key arrives as Alt-key (tmux waits
		// escape-time for it, the console sends Alt as Esc): in replace
		// mode, where Alt-keys mean nothing, it is Esc then the key, as in
		// vim. Otherwise the mode would stay and the next keys be typed
		// into the file.
		d.mode, d.once = ModeNormal, false
		d.reset()
		return d.Feed(plain)
	}
	if t.def.counts && len(d.seq) == 0 {
		// a digit is a count unless the user bound a sequence to it
		if r, ok := k.Rune(); ok && (r >= '1' && r <= '9' && t.root.next[k] == nil || r >= '0' && r <= '9' && d.digits != "") {
			if d.count <= (math.MaxInt-9)/10 { // exact up to 19 digits: any offset
				d.count = d.count*10 + int(r-'0')
			}
			d.digits += string(r)
			return Outcome{Result: Incomplete, Key: k}
		}
	}
	if (len(d.seq) > 0 || d.digits != "") && d.cancels(t, k) {
		d.reset() // Esc drops a pending count or sequence
		return Outcome{Result: NotFound, Key: k, Dropped: true}
	}
	n := t.root
	for _, p := range d.seq {
		n = n.next[p]
	}
	n = n.next[k]
	if n == nil || n.action == "" && len(n.next) == 0 {
		pending := len(d.seq) > 0 || d.digits != ""
		d.reset()
		return Outcome{Result: NotFound, Type: !pending && t.def.types && k.Printable(), Key: k}
	}
	if n.action == "" {
		d.seq = append(d.seq, k)
		return Outcome{Result: Incomplete, Key: k}
	}
	if inf, _ := n.action.Info(); inf.Arg {
		d.seq = append(d.seq, k)
		d.argFor = n.action
		return Outcome{Result: Incomplete, Key: k}
	}
	o := Outcome{Result: Found, Action: n.action, Count: d.count, Key: k}
	d.reset()
	d.after(o.Action)
	return o
}

// escThen reports whether k is an Alt-key that must be read as Esc and
// then the key without Alt: in the vim preset's replace mode, with nothing
// pending, when the Alt-key is bound to nothing there and Esc is bound to
// normal-mode.
func (d *Dispatcher) escThen(t *modeTable, k Key) (Key, bool) {
	if !d.m.Modal() || d.mode != ModeReplace || k.mod&tcell.ModAlt == 0 || len(d.seq) > 0 || d.argFor != "" {
		return Key{}, false
	}
	if t.root.next[k] != nil {
		return Key{}, false
	}
	if n := t.root.next[keyEsc]; n == nil || n.action != NormalMode {
		return Key{}, false
	}
	plain := k
	plain.mod &^= tcell.ModAlt
	return plain, true
}

// cancels reports whether k, typed while something is pending, cancels it:
// Esc, or a key bound on its own to cancel or normal-mode in mode t.
func (d *Dispatcher) cancels(t *modeTable, k Key) bool {
	if k == keyEsc {
		return true
	}
	n := t.root.next[k]
	return n != nil && (n.action == Cancel || n.action == NormalMode)
}

// after switches modes after a found action (vim preset).
func (d *Dispatcher) after(a Action) {
	if !d.m.Modal() {
		return
	}
	switch a {
	case ReplaceMode:
		d.mode, d.once = ModeReplace, false
	case ReplaceByte:
		d.mode, d.once = ModeReplace, true
	case NormalMode, Cancel:
		d.mode, d.once = ModeNormal, false
	case Select:
		if d.mode == ModeVisual {
			d.mode = ModeNormal
		} else if d.mode == ModeNormal {
			d.mode = ModeVisual
		}
	case CopyHex, CopyRaw, Fill, WriteSelection, PunchHole, ZeroRange, DeleteBlocks:
		if d.mode == ModeVisual {
			d.mode = ModeNormal
		}
	}
}

// ParseEx is the package's ParseEx for the editor's command line; a found
// command also changes the mode as the same action typed as a key would
// (":w FILE" in visual mode ends visual mode).
func (d *Dispatcher) ParseEx(line string) (Outcome, error) {
	o, err := ParseEx(line)
	if err == nil && o.Result == Found {
		d.reset()
		d.after(o.Action)
	}
	return o, err
}

// exCommands are the vim-style command-line words besides action names.
var exCommands = []struct {
	cmd    string
	action Action
	desc   string
}{
	{"w", Sync, "sync with MS_SYNC (also :w! and :wa)"},
	{"w!", Sync, ""},
	{"wa", Sync, ""},
	{"wasync", SyncAsync, "msync with MS_ASYNC, a no-op on Linux: the edits stay unsynced (also :sync-async)"},
	{"w FILE", WriteSelection, "write the selection to FILE; without one, the whole file (save as)"},
	{"q", Quit, "quit (asks when edits are not synced)"},
	{"q!", QuitRevert, "revert unsynced edits and quit"},
	{"wq", SyncQuit, "sync with MS_SYNC and quit (also :x)"},
	{"x", SyncQuit, ""},
	{"e!", RevertAll, "revert every edit since the file was opened"},
	{"N", Goto, "go to offset N (any goto expression: :0x100, :+16, :50%, :end, :end-16, :$-0x10)"},
	{"$", Bottom, "go to the last byte"},
	{"%s/OLD/NEW/[gci]", Replace, "replace OLD with NEW (same length) in the whole file, '<,'>s (or s with a selection) in the selection; c asks each (y/n/a/q/l), i ignores ASCII case"},
	{"h", Help, "help (also :help)"},
	{"ACTION [ARG]", "", "run any action by name, e.g. :inspector, :fill ff, :goto 4k"},
}

// ParseEx reads a command-line command (the text after ":" in the vim
// preset, or after the command-line key in the default preset):
//
//	:w :w! :wa    sync (MS_SYNC; :w! is vim's forced write, never "don't wait")
//	:wasync       sync-async (MS_ASYNC)
//	:w FILE       write-selection to FILE (Expr)
//	:q            quit
//	:q!           quit-revert
//	:wq :x        sync-quit
//	:e!           revert-all
//	:N            goto, Expr "N": any goto expression (123, 0x7b, +16, -1k, 50%, end)
//	:$            bottom
//	:h            help
//	:%s/A/B/gc    replace (Expr: the whole command, "%s/A/B/gc"; also
//	              :'<,'>s and :s, which view refuses: no lines)
//	:ACTION [ARG] any action by name, ARG in Expr (":goto 0x10", ":fill 00")
//
// An empty line gives a NotFound outcome and no error; an unknown command
// gives ErrUnknownCommand.
func ParseEx(line string) (Outcome, error) {
	s := strings.TrimSpace(line)
	s = strings.TrimSpace(strings.TrimPrefix(s, ":"))
	if s == "" {
		return Outcome{}, nil
	}
	found := func(a Action, expr string) (Outcome, error) {
		return Outcome{Result: Found, Action: a, Expr: expr}, nil
	}
	if IsSubstitute(s) {
		return found(Replace, s)
	}
	cmd, arg, _ := strings.Cut(s, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "w", "write":
		if arg != "" {
			return found(WriteSelection, arg)
		}
		return found(Sync, "")
	case "w!", "wa", "write!", "wall":
		return found(Sync, "")
	case "wasync":
		return found(SyncAsync, "")
	case "q", "quit":
		return found(Quit, "")
	case "q!", "quit!", "cq":
		return found(QuitRevert, "")
	case "wq", "x", "wq!", "xit", "exit":
		return found(SyncQuit, "")
	case "e!", "edit!":
		return found(RevertAll, "")
	case "$":
		return found(Bottom, "")
	case "h", "help":
		return found(Help, "")
	}
	if c := s[0]; c >= '0' && c <= '9' || c == '+' || c == '-' || strings.EqualFold(s, "end") ||
		strings.HasPrefix(strings.ToLower(s), "end-") || strings.HasPrefix(s, "$-") {
		return found(Goto, s)
	}
	if inf, ok := Lookup(cmd); ok {
		return found(inf.Name, arg)
	}
	return Outcome{}, fmt.Errorf("%w %s", ErrUnknownCommand, quote(cmd))
}

// IsSubstitute reports whether s (a command line without its ":") is a
// vim substitute: an optional range ("%" or "'<,'>"), "s" or
// "substitute", then the delimiter, a punctuation character other than
// backslash, '"' and '|' (":%s/a/b/g", ":s#a#b#").
func IsSubstitute(s string) bool {
	for _, r := range []string{"%", "'<,'>"} {
		if strings.HasPrefix(s, r) {
			s = s[len(r):]
			break
		}
	}
	for _, w := range []string{"substitute", "s"} {
		if rest, ok := strings.CutPrefix(s, w); ok && rest != "" {
			c := rest[0]
			return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && c != '\\' && c != '"' && c != '|'
		}
	}
	return false
}
