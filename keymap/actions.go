package keymap

// Action is the name of something the editor does, such as "goto" or "sync".
// The view maps each Action to a handler; keymap maps keys to Actions.
type Action string

// The actions. Their names are part of the configuration file format.
const (
	Left           Action = "left"
	Right          Action = "right"
	Up             Action = "up"
	Down           Action = "down"
	PageUp         Action = "page-up"
	PageDown       Action = "page-down"
	HalfPageUp     Action = "half-page-up"
	HalfPageDown   Action = "half-page-down"
	RowStart       Action = "row-start"
	RowEnd         Action = "row-end"
	Top            Action = "top"
	Bottom         Action = "bottom"
	Goto           Action = "goto"
	WordNext       Action = "word-next"
	WordPrev       Action = "word-prev"
	SwitchColumn   Action = "switch-column"
	Undo           Action = "undo"
	Redo           Action = "redo"
	RevertAll      Action = "revert-all"
	Sync           Action = "sync"
	SyncAsync      Action = "sync-async"
	SyncQuit       Action = "sync-quit"
	Writeback      Action = "writeback"
	Quit           Action = "quit"
	QuitRevert     Action = "quit-revert"
	Help           Action = "help"
	Inspector      Action = "inspector"
	FitWidth       Action = "fit-width"
	SearchForward  Action = "search-forward"
	SearchBackward Action = "search-backward"
	SearchNext     Action = "search-next"
	SearchPrev     Action = "search-prev"
	Select         Action = "select"
	CopyHex        Action = "copy-hex"
	CopyRaw        Action = "copy-raw"
	Fill           Action = "fill"
	Recover        Action = "recover"
	WriteSelection Action = "write-selection"
	PasteHex       Action = "paste-hex"
	MarkSet        Action = "mark-set"
	MarkJump       Action = "mark-jump"
	Marks          Action = "marks"
	Put            Action = "put"
	Replace        Action = "replace"
	SearchList     Action = "search-list"
	JumpBack       Action = "jump-back"
	JumpForward    Action = "jump-forward"
	PagePanel      Action = "page-panel"
	DiskView       Action = "disk-view"
	Structure      Action = "structure"
	EntropyMap     Action = "entropy-map"
	EntropyZoom    Action = "entropy-zoom"
	EntropyNext    Action = "entropy-next"
	EntropyPrev    Action = "entropy-prev"
	Resize         Action = "resize"
	PunchHole      Action = "punch-hole"
	ZeroRange      Action = "zero-range"
	InsertBlocks   Action = "insert-blocks"
	DeleteBlocks   Action = "delete-blocks"
	StringsPanel   Action = "strings-panel"
	Hash           Action = "hash"
	CopyAs         Action = "copy-as"
	Follow         Action = "follow"
	NextData       Action = "next-data"
	PrevData       Action = "prev-data"
	NextHole       Action = "next-hole"
	PrevHole       Action = "prev-hole"
	SqueezeHoles   Action = "squeeze-holes"
	Who            Action = "who"
	ReplaceMode    Action = "replace-mode"
	ReplaceByte    Action = "replace-byte"
	Insert         Action = "insert"
	Delete         Action = "delete"
	Repeat         Action = "repeat"
	NormalMode     Action = "normal-mode"
	CommandLine    Action = "command-line"
	Cancel         Action = "cancel"
	DiffNext       Action = "diff-next"
	DiffPrev       Action = "diff-prev"
	DiffObtain     Action = "diff-obtain"
	DiffPut        Action = "diff-put"
	DiffSwitch     Action = "diff-switch"
)

// Groups of actions, in the order the help screen shows them.
const (
	GroupMove   = "Moving"
	GroupEdit   = "Editing"
	GroupSave   = "Saving and quitting"
	GroupSearch = "Searching"
	GroupSelect = "Selection and marks"
	GroupLab    = "Writeback lab"
	GroupShape  = "Shape of the file"
	GroupDiff   = "Comparing two files (mmhex A B)"
	GroupScreen = "Screen"
	GroupModes  = "Modes and commands"
)

// Groups lists the groups in help order.
var Groups = []string{GroupMove, GroupEdit, GroupSave, GroupSearch, GroupSelect, GroupLab, GroupShape, GroupDiff, GroupScreen, GroupModes}

// Info describes one action.
type Info struct {
	Name  Action
	Desc  string // one line, lower case, no final full stop
	Group string
	// Arg is true for actions that read one more key, a letter, as their
	// argument (mark-set, mark-jump); Outcome.Arg carries it.
	Arg bool
}

var actions = []Info{
	{Left, "move left one byte", GroupMove, false},
	{Right, "move right one byte", GroupMove, false},
	{Up, "move up one row", GroupMove, false},
	{Down, "move down one row", GroupMove, false},
	{PageUp, "move up one screen", GroupMove, false},
	{PageDown, "move down one screen", GroupMove, false},
	{HalfPageUp, "move up half a screen", GroupMove, false},
	{HalfPageDown, "move down half a screen", GroupMove, false},
	{RowStart, "move to the start of the row", GroupMove, false},
	{RowEnd, "move to the end of the row", GroupMove, false},
	{Top, "move to the first byte of the file", GroupMove, false},
	{Bottom, "move to the last byte of the file", GroupMove, false},
	{Goto, "go to an offset: 1234, 0x4d2, +N, -N, N%, 4k, 1M, 2G, end, end-16, $-0x10", GroupMove, false},
	{WordNext, "move to the start of the next 8-byte group", GroupMove, false},
	{WordPrev, "move to the start of this or the previous 8-byte group", GroupMove, false},
	{NextData, "jump to the start of the next data range of a sparse file (past the hole)", GroupMove, false},
	{PrevData, "jump to the start of this or the previous data range", GroupMove, false},
	{NextHole, "jump to the start of the next hole (bytes with no block behind them)", GroupMove, false},
	{PrevHole, "jump to the start of this or the previous hole", GroupMove, false},
	{SqueezeHoles, "squeeze or show the rows of a sparse file's holes: on (the default, as hexdump's *), a run of hole rows is one line \"hole 0xSTART–0xEND (SIZE)\"", GroupScreen, false},
	{Follow, "follow the end of a growing file (tail -f, less +F): the view stays at the end, new bytes light up; any move stops it, this key resumes", GroupMove, false},

	{SwitchColumn, "switch between the hex and the text column", GroupEdit, false},
	{Undo, "undo the last edit", GroupEdit, false},
	{Redo, "redo the last undone edit", GroupEdit, false},
	{RevertAll, "revert every byte changed since the file was opened", GroupEdit, false},
	{ReplaceByte, "replace the byte under the cursor, then back to normal mode", GroupEdit, false},
	{PasteHex, "overwrite bytes at the cursor from a hex string", GroupEdit, false},
	{Insert, "say that typing overwrites in place, and which key inserts whole blocks", GroupEdit, false},
	{Delete, "say that typing overwrites in place, and which key deletes whole blocks", GroupEdit, false},
	{Repeat, "repeat the last change at the cursor (vim's .): the bytes of the last R … Esc, the r byte, or a put; a count repeats it that many times back to back; one undo step", GroupEdit, false},

	{Sync, "save: msync MS_SYNC, fdatasync if others dirtied pages; waits for the disk", GroupSave, false},
	{SyncAsync, "msync with MS_ASYNC, a no-op on Linux: the edits stay unsynced until a sync", GroupSave, false},
	{SyncQuit, "save with MS_SYNC, then quit", GroupSave, false},
	{Quit, "quit (asks when edits are not synced)", GroupSave, false},
	{QuitRevert, "revert all unsynced edits, then quit", GroupSave, false},
	{Recover, "the edits an earlier session left unsynced (killed, crashed): revert, keep or look", GroupSave, false},

	{SearchForward, "search forward from the cursor (hex or text)", GroupSearch, false},
	{SearchBackward, "search backward from the cursor (hex or text)", GroupSearch, false},
	{SearchNext, "repeat the last search in its direction", GroupSearch, false},
	{SearchPrev, "repeat the last search in the other direction", GroupSearch, false},

	{Select, "start or end a selection at the cursor", GroupSelect, false},
	{CopyHex, "copy the selection to the clipboard as hex text, and into the register", GroupSelect, false},
	{CopyRaw, "copy the selection to the clipboard as raw bytes, and into the register", GroupSelect, false},
	{Fill, "fill the selection with one byte", GroupSelect, false},
	{WriteSelection, "write the selection to a new file; without one, the whole file (save as: holes kept, edits included)", GroupSelect, false},
	{MarkSet, "set mark {letter} (a–z or A–Z) at the cursor", GroupSelect, true},
	{MarkJump, "jump to mark {letter}", GroupSelect, true},
	{Marks, "list the marks", GroupSelect, false},
	{SearchList, "list the matches of the last search in a panel", GroupSearch, false},
	{Replace, "replace matches of the same length: each asked (y/n/a/q/l, as vim :s///c) or all; one undo step", GroupSearch, false},
	{Put, "put: write the register (the last copy) over the bytes at the cursor", GroupEdit, false},
	{JumpBack, "back to where the last jump (goto, search, mark) came from", GroupMove, false},
	{JumpForward, "forward again in the jump list", GroupMove, false},

	{PagePanel, "show or hide the page panel (resident, dirty, writeback pages)", GroupLab, false},
	{DiskView, "show or hide the disk view (cursor's page in memory and on disk)", GroupLab, false},
	{Who, "show or hide the who panel: the other processes that map, open or lock the file, refreshed every second; what they map shared and writable is underlined", GroupLab, false},
	{Writeback, "start writeback of dirty pages now (sync_file_range), without waiting", GroupLab, false},

	{EntropyMap, "show or hide the entropy map: a column of entropy and byte class beside the grid", GroupShape, false},
	{EntropyZoom, "zoom the entropy map: the whole file, then 1/4, 1/16, 1/64 of it around the cursor", GroupShape, false},
	{EntropyNext, "jump to the next span of the entropy map (the cell below the cursor's)", GroupShape, false},
	{EntropyPrev, "jump to the start of the cursor's span of the entropy map, or to the span before", GroupShape, false},
	{StringsPanel, "show or hide the strings panel (type to filter, Tab: visible rows or whole file, Enter: jump)", GroupShape, false},
	{Hash, "CRC-32, MD5, SHA-1, SHA-256, SHA-512 of the selection or the whole file (digits copy one)", GroupShape, false},
	{Resize, "resize the file: growing adds a hole at the end, truncating asks first and journals the bytes cut", GroupShape, false},
	{PunchHole, "punch a hole in the selection: it reads as zeros and its blocks are freed", GroupShape, false},
	{ZeroRange, "zero the selection keeping its blocks (fallocate zero range)", GroupShape, false},
	{InsertBlocks, "insert zero bytes at the cursor, a multiple of the block size (ext4, xfs); what follows moves up", GroupShape, false},
	{DeleteBlocks, "delete the selection, a multiple of the block size (ext4, xfs); what follows moves down", GroupShape, false},
	{CopyAs, "copy the selection as hex, C, Go, Python, Rust, base64, escaped text or xxd -i (clipboard or file)", GroupShape, false},

	{DiffNext, "move to the start of the next difference from the other file", GroupDiff, false},
	{DiffPrev, "move to the start of this or the previous difference from the other file", GroupDiff, false},
	{DiffObtain, "copy the differing run under the cursor (or the selection) from the other file into this one", GroupDiff, false},
	{DiffPut, "copy the differing run under the cursor (or the selection) from this file into the other (an edit of the other file: undo and sync it there)", GroupDiff, false},
	{DiffSwitch, "switch the active side: edits, undo, sync, goto, search, marks and panels act on the other file", GroupDiff, false},

	{Help, "show this help", GroupScreen, false},
	{Inspector, "show or hide the data inspector", GroupScreen, false},
	{Structure, "structure panel: the file decoded with a Kaitai .ksy format; shows it and goes into it, again hides it (in it: arrows move, Enter edits or opens, Esc back to the grid)", GroupScreen, false},
	{FitWidth, "fit the row width to the terminal, or back to the configured width", GroupScreen, false},

	{ReplaceMode, "enter replace mode: typed keys overwrite bytes", GroupModes, false},
	{NormalMode, "leave replace or visual mode", GroupModes, false},
	{CommandLine, "open the command line (:w, :q, :123, any action name)", GroupModes, false},
	{Cancel, "cancel: close a prompt or panel, stop a search, drop the selection", GroupModes, false},
}

// VimOnly reports whether only the vim preset binds a: its mode switches,
// and the insert and delete keys that say typing overwrites in place
// (the default preset types over bytes and has no such keys), and vim's
// repeat (.), whose changes (R … Esc, r) only the vim preset has.
func VimOnly(a Action) bool {
	switch a {
	case ReplaceMode, ReplaceByte, NormalMode, Insert, Delete, Repeat:
		return true
	}
	return false
}

var actionIndex = func() map[Action]int {
	m := make(map[Action]int, len(actions))
	for i, a := range actions {
		m[a.Name] = i
	}
	return m
}()

// All returns every action in help order. The slice is a copy.
func All() []Info {
	return append([]Info(nil), actions...)
}

// Lookup returns the description of the action named name.
func Lookup(name string) (Info, bool) {
	i, ok := actionIndex[Action(name)]
	if !ok {
		return Info{}, false
	}
	return actions[i], true
}

// Info returns the description of a; ok is false for an unknown action.
func (a Action) Info() (Info, bool) { return Lookup(string(a)) }

// Desc returns the one-line description of a, or "" for an unknown action.
func (a Action) Desc() string {
	i, _ := Lookup(string(a))
	return i.Desc
}
