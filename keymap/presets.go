package keymap

// Mode names, as Dispatcher.Mode returns them for the status line. The
// default preset has one mode, ModeNone.
const (
	ModeNone    = ""
	ModeNormal  = "NORMAL"
	ModeVisual  = "VISUAL"
	ModeReplace = "REPLACE"
)

// Preset names.
const (
	PresetDefault = "default"
	PresetVim     = "vim"
)

// Presets lists the preset names.
var Presets = []string{PresetDefault, PresetVim}

type presetBind struct {
	keys   string
	action Action
}

type modeDef struct {
	name     string
	title    string // help section title for a secondary mode
	inherits string // bindings of this mode come first (VISUAL inherits NORMAL)
	types    bool   // unbound printable keys type bytes
	counts   bool   // a number before a key is a count
	binds    []presetBind
}

type presetDef struct {
	name  string
	modes []modeDef // the first is the base mode; [bindings] applies to it
}

var defaultPreset = presetDef{name: PresetDefault, modes: []modeDef{{
	name:  ModeNone,
	types: true,
	binds: []presetBind{
		{"Left", Left}, {"Backspace", Left},
		{"Right", Right},
		{"Up", Up},
		{"Down", Down},
		{"PgUp", PageUp},
		{"PgDn", PageDown},
		{"Alt-u", HalfPageUp},
		{"Alt-d", HalfPageDown},
		{"Home", RowStart}, {"Ctrl-A", RowStart},
		{"End", RowEnd}, {"Ctrl-E", RowEnd},
		{"Alt-<", Top}, {"Ctrl-Home", Top},
		{"Alt->", Bottom}, {"Ctrl-End", Bottom},
		{"Ctrl-G", Goto},
		{"Alt-Left", JumpBack}, {"Alt-o", JumpBack},
		{"Alt-Right", JumpForward}, {"Alt-p", JumpForward},
		{"Alt-f", WordNext}, {"Ctrl-Right", WordNext},
		{"Alt-b", WordPrev}, {"Ctrl-Left", WordPrev},
		{"Ctrl-T", Follow},
		{"Alt-.", NextData}, {"Alt-,", PrevData},
		{"Alt-/", NextHole}, {"Alt-?", PrevHole},
		{"Alt-*", SqueezeHoles},

		{"Tab", SwitchColumn}, {"Backtab", SwitchColumn},
		{"Ctrl-Z", Undo},
		{"Ctrl-Y", Redo},
		{"Alt-z", RevertAll},
		{"Ctrl-V", PasteHex},
		{"Alt-v", Put},

		{"Ctrl-S", Sync},
		{"Ctrl-W", SyncAsync},
		{"Ctrl-X", SyncQuit},
		{"Ctrl-Q", Quit}, {"Ctrl-C", Quit},
		{"Alt-q", QuitRevert},
		{"Alt-J", Recover},

		{"Ctrl-F", SearchForward},
		{"Ctrl-R", SearchBackward},
		{"Ctrl-N", SearchNext}, {"F3", SearchNext},
		{"Alt-n", SearchPrev}, {"Shift-F3", SearchPrev},
		{"Alt-%", Replace},
		{"Alt-=", SearchList},

		{"Ctrl-Space", Select}, {"Alt-s", Select},
		{"Alt-c", CopyHex},
		{"Alt-r", CopyRaw},
		{"Ctrl-K", Fill},
		{"Ctrl-O", WriteSelection},
		{"Alt-m", MarkSet},
		{"Alt-j", MarkJump},
		{"Alt-'", Marks},

		{"Ctrl-P", PagePanel},
		{"Ctrl-D", DiskView},
		{"Alt-w", Writeback},
		{"Alt-W", Who},

		{"Alt-e", EntropyMap},
		{"Alt-E", EntropyZoom},
		{"Alt-}", EntropyNext},
		{"Alt-{", EntropyPrev},
		{"Alt-l", StringsPanel},
		{"Alt-k", Hash},
		{"Alt-a", CopyAs},
		{"Alt-S", Resize},
		{"Alt-H", PunchHole},
		{"Alt-Z", ZeroRange},
		{"Alt-I", InsertBlocks},
		{"Alt-D", DeleteBlocks},

		{"F8", DiffNext}, {"Alt-Down", DiffNext},
		{"F7", DiffPrev}, {"Alt-Up", DiffPrev},
		{"Alt-g", DiffObtain},
		{"Alt-y", DiffPut},
		{"F6", DiffSwitch},

		{"F1", Help}, {"Alt-h", Help}, {"Ctrl-_", Help},
		{"Alt-i", Inspector},
		{"Alt-t", Structure},
		{"Ctrl-L", FitWidth},

		{"Alt-x", CommandLine},
		{"Esc", Cancel},
	},
}}}

var vimNormal = []presetBind{
	{"h", Left}, {"Left", Left}, {"Backspace", Left},
	{"l", Right}, {"Right", Right}, {"Space", Right},
	{"k", Up}, {"Up", Up},
	{"j", Down}, {"Down", Down}, {"Enter", Down},
	{"Ctrl-B", PageUp}, {"PgUp", PageUp},
	{"Ctrl-F", PageDown}, {"PgDn", PageDown},
	{"Ctrl-U", HalfPageUp},
	{"Ctrl-D", HalfPageDown},
	{"0", RowStart}, {"^", RowStart}, {"Home", RowStart},
	{"$", RowEnd}, {"End", RowEnd},
	{"g g", Top},
	{"G", Bottom},
	{"Ctrl-G", Goto},
	{"Ctrl-O", JumpBack},
	{"Ctrl-P", JumpForward}, // vim's Ctrl-I is Tab to a terminal, which switches the column here
	{"w", WordNext},
	{"b", WordPrev},
	{"F", Follow},
	{"] d", NextData}, {"[ d", PrevData},
	{"] h", NextHole}, {"[ h", PrevHole},
	{"z h", SqueezeHoles},

	{"Tab", SwitchColumn},
	{"u", Undo},
	{"Ctrl-R", Redo},
	{"r", ReplaceByte},
	{"p", Put},
	{"P", PasteHex},
	{"i", Insert}, {"a", Insert}, {"Insert", Insert},
	{"x", Delete},
	{".", Repeat},

	{"Z Z", SyncQuit},
	{"Z Q", QuitRevert},
	{"g J", Recover},

	{"/", SearchForward},
	{"?", SearchBackward},
	{"n", SearchNext},
	{"N", SearchPrev},
	{"g r", Replace},
	{"g n", SearchList},

	{"v", Select},
	{"y", CopyHex},
	{"Y", CopyRaw},
	{"m", MarkSet},
	{"'", MarkJump}, {"`", MarkJump},
	{"g m", Marks},

	{"g p", PagePanel},
	{"g d", DiskView},
	{"g W", Writeback},
	{"g o", Who},

	{"g e", EntropyMap},
	{"g E", EntropyZoom},
	{"] e", EntropyNext},
	{"[ e", EntropyPrev},
	{"g t", StringsPanel},
	{"g h", Hash},
	{"g y", CopyAs},
	{"g S", Resize},
	{"g H", PunchHole},
	{"g Z", ZeroRange},
	{"g I", InsertBlocks},
	{"g X", DeleteBlocks},

	{"] c", DiffNext},
	{"[ c", DiffPrev},
	{"d o", DiffObtain},
	{"d p", DiffPut},
	{"Ctrl-W w", DiffSwitch}, {"Ctrl-W p", DiffSwitch},

	{"F1", Help},
	{"g i", Inspector},
	{"g s", Structure},
	{"g w", FitWidth},

	{"R", ReplaceMode},
	{":", CommandLine},
	{"Esc", Cancel}, {"Ctrl-C", Cancel},
}

var vimPreset = presetDef{name: PresetVim, modes: []modeDef{
	{name: ModeNormal, counts: true, binds: vimNormal},
	{name: ModeVisual, title: "Visual mode (v): other keys as in normal mode", inherits: ModeNormal, counts: true, binds: []presetBind{
		{"y", CopyHex},
		{"Y", CopyRaw},
		{"r", Fill},
		{"W", WriteSelection},
	}},
	{name: ModeReplace, title: "Replace mode (R, and r for one byte): other keys type bytes", types: true, binds: []presetBind{
		{"Esc", NormalMode}, {"Ctrl-C", NormalMode},
		{"Left", Left}, {"Backspace", Left},
		{"Right", Right},
		{"Up", Up},
		{"Down", Down},
		{"PgUp", PageUp},
		{"PgDn", PageDown},
		{"Home", RowStart},
		{"End", RowEnd},
		{"Tab", SwitchColumn},
		{"F1", Help},
	}},
}}

func presetByName(name string) (*presetDef, bool) {
	switch name {
	case PresetDefault, "":
		return &defaultPreset, true
	case PresetVim:
		return &vimPreset, true
	}
	return nil, false
}
