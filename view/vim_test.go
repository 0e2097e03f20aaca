package view

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// vimKeys is a dispatcher of the vim preset without configuration.
func vimKeys(t *testing.T) *keymap.Dispatcher {
	t.Helper()
	m, err := keymap.PresetMap(keymap.PresetVim)
	if err != nil {
		t.Fatal(err)
	}
	return keymap.NewDispatcher(m)
}

// pressSeq feeds space-separated key names ("g g", "1 6 G").
func (h *harness) pressSeq(seq string) {
	h.t.Helper()
	h.press(strings.Fields(seq)...)
}

// messageLine returns the screen's last line.
func (h *harness) messageLine() string {
	lines := strings.Split(strings.TrimRight(h.draw(), "\n"), "\n")
	return lines[len(lines)-1]
}

func TestVimHelpScreen(t *testing.T) {
	h := openKnown(t, 100, 30, Options{Keys: vimKeys(t)})
	h.press("F1")
	golden(t, "vim-help", h.draw())
	// the last page lists the modes and the command line
	for range 10 {
		h.press("PgDn")
	}
	s := h.draw()
	for _, want := range []string{"Counts", "N G", ":wq", ":q!"} {
		if !strings.Contains(s, want) {
			t.Errorf("vim help, last page: no %q\n%s", want, s)
		}
	}
}

func TestVimMovesAndModeIndicator(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	if got := h.messageLine(); !strings.HasSuffix(got, "-- NORMAL --") {
		t.Fatalf("message line %q: no mode indicator", got)
	}
	for _, c := range []struct {
		keys string
		want int64
	}{
		{"l l l", 3}, {"j", 19}, {"h", 18}, {"k", 2}, {"$", 15}, {"0", 0},
		{"5 l", 5}, {"w", 8}, {"w", 16}, {"b", 8},
		{"G", 3*4096 - 1}, {"g g", 0}, {"1 0 0 G", 100}, {"2 j", 132},
		{"Ctrl-D", 132 + 16*int64(max(h.e.visibleRows()/2, 1))}, // half a screen of rows
	} {
		h.pressSeq(c.keys)
		if h.e.Cursor() != c.want {
			t.Fatalf("after %q cursor = %d, want %d", c.keys, h.e.Cursor(), c.want)
		}
	}
}

func TestVimPendingShown(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.pressSeq("1 2")
	if got := h.messageLine(); !strings.HasSuffix(got, "12  -- NORMAL --") {
		t.Fatalf("message line %q: count not shown", got)
	}
	h.press("g")
	if got := h.messageLine(); !strings.HasSuffix(got, "12 g  -- NORMAL --") {
		t.Fatalf("message line %q: pending g not shown", got)
	}
	h.press("x") // "g x" is nothing: dropped, cursor unchanged
	if h.e.Cursor() != 0 || strings.Contains(h.messageLine(), "12 g") {
		t.Fatalf("wrong sequence not dropped: cursor %d, %q", h.e.Cursor(), h.messageLine())
	}
}

func TestVimReplace(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	// r: one byte, then back to normal mode
	h.pressSeq("r")
	if got := h.messageLine(); !strings.HasSuffix(got, "-- REPLACE --") {
		t.Fatalf("after r: %q", got)
	}
	h.typeText("4")
	if h.e.Keys().Mode() != keymap.ModeReplace {
		t.Fatal("r left replace mode after one nibble")
	}
	h.typeText("1")
	if h.e.Keys().Mode() != keymap.ModeNormal {
		t.Fatalf("after r and two hex digits mode is %q", h.e.Keys().Mode())
	}
	if h.e.Cursor() != 0 {
		t.Fatalf("after r41 the cursor moved to %d; it stays on the byte", h.e.Cursor())
	}
	h.typeText("j") // a command again, not data: down one row
	if h.e.Cursor() != 16 {
		t.Fatalf("j after r41: cursor %d", h.e.Cursor())
	}
	disk, _ := os.ReadFile("known.bin")
	if disk[0] != 0x41 || disk[1] != 0x01 {
		t.Fatalf("after r41: % x", disk[:2])
	}
	// R: replace mode until Esc, in the text column too
	h.pressSeq("1 0 0 G R")
	h.typeText("ab")
	h.press("Tab")
	h.typeText("Hi")
	h.press("Esc")
	if h.e.Keys().Mode() != keymap.ModeNormal {
		t.Fatalf("Esc: mode %q", h.e.Keys().Mode())
	}
	h.typeText("x") // unbound in normal mode: types nothing
	disk, _ = os.ReadFile("known.bin")
	if !bytes.Equal(disk[100:103], []byte{0xab, 'H', 'i'}) {
		t.Fatalf("bytes 100..103 = % x, want ab 48 69", disk[100:103])
	}
	// u undoes the last byte
	h.press("u")
	disk, _ = os.ReadFile("known.bin")
	if disk[102] != 102 {
		t.Fatalf("u: byte 102 = %#x", disk[102])
	}
}

func TestVimCommandLine(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.press(":")
	h.typeText("0x20")
	h.press("Enter")
	if h.e.Cursor() != 0x20 {
		t.Fatalf(":0x20: cursor %#x", h.e.Cursor())
	}
	h.pressSeq("r")
	h.typeText("ff")
	h.press(":")
	h.typeText("w")
	h.press("Enter")
	if n := h.f.UnsyncedEdits(); n != 0 {
		t.Fatalf(":w left %d unsynced edits", n)
	}
	if r, ok := h.f.LastSync(); !ok || !strings.Contains(r.Flag, "MS_SYNC") {
		t.Fatalf(":w: last sync %+v %v", r, ok)
	}
	h.press(":")
	h.typeText("nonsense")
	h.press("Enter")
	if !strings.Contains(h.draw(), `unknown command "nonsense"`) {
		t.Fatalf("no error for an unknown command:\n%s", h.draw())
	}
	h.press("Esc")
	h.press(":")
	h.typeText("q")
	h.press("Enter")
	if !h.e.stopped() {
		t.Fatal(":q with everything synced did not quit")
	}
	disk, _ := os.ReadFile("known.bin")
	if disk[0x20] != 0xff {
		t.Fatalf("byte 0x20 = %#x", disk[0x20])
	}
}

func TestVimQuitRevert(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.pressSeq("R")
	h.typeText("0000")
	h.press("Esc")
	h.pressSeq("Z Q")
	if !h.e.stopped() {
		t.Fatal("ZQ did not quit")
	}
	disk, _ := os.ReadFile("known.bin")
	if !bytes.Equal(disk[:2], []byte{0, 1}) {
		t.Fatalf("ZQ did not revert: % x", disk[:2])
	}
}

func TestVimVisualAndMarks(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.pressSeq("1 6 G m a G")
	if h.e.Cursor() != 3*4096-1 {
		t.Fatalf("G: %d", h.e.Cursor())
	}
	h.pressSeq("' a")
	if h.e.Cursor() != 16 {
		t.Fatalf("'a: cursor %d, want 16", h.e.Cursor())
	}
	h.press("v")
	if got := h.messageLine(); !strings.HasSuffix(got, "-- VISUAL --") {
		t.Fatalf("after v: %q", got)
	}
	h.press("Esc")
	if h.e.Keys().Mode() != keymap.ModeNormal {
		t.Fatalf("Esc in visual: %q", h.e.Keys().Mode())
	}
	if _, _, ok := h.e.Selection(); ok {
		t.Fatal("Esc in visual mode kept the selection")
	}
	// v, 3 l, r: fill the 4 selected bytes (16..19) with a byte
	h.pressSeq("v 3 l r")
	if h.e.Keys().Mode() != keymap.ModeNormal {
		t.Fatalf("r in visual mode: mode %q", h.e.Keys().Mode())
	}
	h.typeText("ee")
	h.press("Enter")
	disk, _ := os.ReadFile("known.bin")
	if !bytes.Equal(disk[15:21], []byte{15, 0xee, 0xee, 0xee, 0xee, 20}) {
		t.Fatalf("visual fill: bytes 15..21 = % x\n%s", disk[15:21], h.draw())
	}
	if _, _, ok := h.e.Selection(); ok {
		t.Fatal("the selection stayed after the fill (visual mode ended)")
	}
}

// TestConfigProblemsShownAtStart: an unknown action, a bad key name and a
// conflict are one message, shown at start, that one key dismisses; then
// the valid bindings and the preset's defaults work.
func TestConfigProblemsShownAtStart(t *testing.T) {
	conf := "keys = \"vim\"\n[bindings]\n\"X\" = \"no-such-action\"\n\"g g\" = \"bottom\"\n\"Hyper-x\" = \"top\"\n\"Ctrl-G\" = \"help\"\n\"C-g\" = \"goto\"\n"
	m, probs := keymap.Parse("config.toml", []byte(conf), "")
	h := openKnown(t, 100, 24, Options{Keys: keymap.NewDispatcher(m), StartupMessage: keymap.ProblemsText(probs)})
	s := h.draw()
	for _, want := range []string{
		`config.toml:3: unknown action "no-such-action"`,
		`config.toml:5: bad key "Hyper-x": unknown modifier "Hyper"`,
		`config.toml:7: "C-g" conflicts with "Ctrl-G" (line 6); the later one is used`,
	} {
		if !strings.Contains(s, want) {
			t.Fatalf("no %q in the start-up message:\n%s", want, s)
		}
	}
	h.press("j") // dismisses the message, does nothing else
	if h.e.OverlayOpen() || h.e.Cursor() != 0 || strings.Contains(h.draw(), "no-such-action") {
		t.Fatalf("message not dismissed by one key (cursor %d):\n%s", h.e.Cursor(), h.draw())
	}
	h.press("j") // a default of the preset
	if h.e.Cursor() != 16 {
		t.Fatalf("j after the message: cursor %d", h.e.Cursor())
	}
	h.pressSeq("g g") // the valid binding works
	if h.e.Cursor() != 3*4096-1 {
		t.Fatalf("g g bound to bottom: cursor %d", h.e.Cursor())
	}
	h.press("Ctrl-G") // the later of the conflicting bindings: goto
	h.typeText("0x10")
	h.press("Enter")
	if h.e.OverlayOpen() || h.e.Cursor() != 0x10 {
		t.Fatalf("Ctrl-G (C-g = goto): cursor %#x, overlay %v\n%s", h.e.Cursor(), h.e.OverlayOpen(), h.draw())
	}
}

// TestVimRemainingKeys: the keys of the vim preset the other tests do not
// press: Ctrl-U, ? with n and N, Ctrl-R, Tab and Esc in normal mode, :N in
// decimal, :wasync (MS_ASYNC), :w! (MS_SYNC), :wq and :q!.
func TestVimRemainingKeys(t *testing.T) {
	q := syncPosts(t)
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	half := 16 * int64(max(h.e.visibleRows()/2, 1))
	h.pressSeq("Ctrl-D Ctrl-D Ctrl-U")
	if h.e.Cursor() != half {
		t.Fatalf("Ctrl-D Ctrl-D Ctrl-U: cursor %d, want %d", h.e.Cursor(), half)
	}
	h.press(":")
	h.typeText("1000")
	h.press("Enter")
	if h.e.Cursor() != 1000 {
		t.Fatalf(":1000: cursor %d", h.e.Cursor())
	}
	// ? searches backward; n goes on backward, N comes back forward
	text := string(knownData())
	h.press("?", "Tab")
	h.typeText("lazy")
	if s := h.draw(); !strings.Contains(s, "search ↑ text: lazy") {
		t.Fatalf("? prompt:\n%s", s)
	}
	h.press("Enter")
	q.drain(t, h.e)
	prev := int64(strings.LastIndex(text[:1000], "lazy"))
	if h.e.Cursor() != prev {
		t.Fatalf("?lazy from 1000: cursor %d, want %d", h.e.Cursor(), prev)
	}
	h.press("n")
	q.drain(t, h.e)
	if want := int64(strings.LastIndex(text[:prev], "lazy")); h.e.Cursor() != want {
		t.Fatalf("n after ?: cursor %d, want %d", h.e.Cursor(), want)
	}
	h.press("N")
	q.drain(t, h.e)
	if h.e.Cursor() != prev {
		t.Fatalf("N after ?: cursor %d, want %d", h.e.Cursor(), prev)
	}
	h.press("Esc") // leaves the visual selection of the match
	if _, _, ok := h.e.Selection(); ok || h.e.Keys().Mode() != keymap.ModeNormal {
		t.Fatalf("Esc after a search: selection kept or mode %q", h.e.Keys().Mode())
	}
	// Tab in normal mode: the text column, where R types characters
	if !strings.Contains(h.draw(), "  HEX │") {
		t.Fatalf("not in the hex column at first:\n%s", h.draw())
	}
	h.press("Tab")
	if !strings.Contains(h.draw(), "  TEXT │") {
		t.Fatalf("Tab: not in the text column:\n%s", h.draw())
	}
	h.pressSeq("g g R")
	h.typeText("XY")
	h.press("Esc")
	disk, _ := os.ReadFile("known.bin")
	if disk[0] != 'X' || disk[1] != 'Y' {
		t.Fatalf("R in the text column: % x", disk[:2])
	}
	// one R … Esc session is one undo step: u undoes both bytes, Ctrl-R
	// redoes both
	h.pressSeq("u")
	disk, _ = os.ReadFile("known.bin")
	if disk[0] != 0 || disk[1] != 1 {
		t.Fatalf("u: % x", disk[:2])
	}
	h.press("Ctrl-R")
	disk, _ = os.ReadFile("known.bin")
	if disk[0] != 'X' || disk[1] != 'Y' {
		t.Fatalf("Ctrl-R: % x", disk[:2])
	}
	// :wasync is MS_ASYNC: the edit stays unsynced; :w! is vim's forced
	// write, MS_SYNC: then nothing is unsynced.
	h.press(":")
	h.typeText("wasync")
	h.press("Enter")
	if r, ok := h.f.LastSync(); !ok || r.Flag != "MS_ASYNC" || h.f.UnsyncedEdits() != 1 {
		t.Fatalf(":wasync: last sync %+v %v, %d unsynced edits", r, ok, h.f.UnsyncedEdits())
	}
	if l := lastLine(h); !strings.HasPrefix(l, "MS_ASYNC: 1 page queued (a no-op on Linux), ") || !strings.HasSuffix(l, " still dirty; still unsynced until :w    -- NORMAL --") {
		t.Fatalf(":wasync message %q", l)
	}
	h.press(":")
	h.typeText("w!")
	h.press("Enter")
	if r, ok := h.f.LastSync(); !ok || r.Flag != "MS_SYNC" || r.Pages != 1 || h.f.UnsyncedEdits() != 0 || h.f.UnsyncedPages() != 0 {
		t.Fatalf(":w!: last sync %+v %v, %d unsynced edits", r, ok, h.f.UnsyncedEdits())
	}
	// :q! reverts and quits
	h.pressSeq("G r")
	h.typeText("z") // the text column: r types one character
	if disk, _ = os.ReadFile("known.bin"); disk[len(disk)-1] != 'z' {
		t.Fatalf("G r z: last byte %#x", disk[len(disk)-1])
	}
	h.press(":")
	h.typeText("q!")
	h.press("Enter")
	if !h.e.stopped() {
		t.Fatal(":q! did not quit")
	}
	disk, _ = os.ReadFile("known.bin")
	if want := knownData()[len(disk)-1]; disk[len(disk)-1] != want {
		t.Fatalf(":q!: last byte %#x, want %#x", disk[len(disk)-1], want)
	}
}

// TestVimWriteQuit: :wq syncs with MS_SYNC and quits without asking.
func TestVimWriteQuit(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.pressSeq("r")
	h.typeText("5a")
	h.press(":")
	h.typeText("wq")
	h.press("Enter")
	if !h.e.stopped() {
		t.Fatalf(":wq did not quit:\n%s", h.draw())
	}
	if r, ok := h.f.LastSync(); !ok || !strings.Contains(r.Flag, "MS_SYNC") || h.f.UnsyncedEdits() != 0 {
		t.Fatalf(":wq: last sync %+v %v, %d unsynced", r, ok, h.f.UnsyncedEdits())
	}
	if disk, _ := os.ReadFile("known.bin"); disk[0] != 0x5a {
		t.Fatalf(":wq: byte 0 = %#x", disk[0])
	}
}

// Every action of keymap but the subpackages' (view/lab's panels,
// view/structure's, view/follow's, view/holders', view/holes', and the shape group's in view/shapeview; the whole list is checked by
// TestEveryActionHandled in view/features) has a handler in
// package view's features, and the help screen of each preset lists every
// action the preset has.
func TestEveryActionHandledAndInHelp(t *testing.T) {
	for _, preset := range keymap.Presets {
		m, err := keymap.PresetMap(preset)
		if err != nil {
			t.Fatal(err)
		}
		h := openKnown(t, 100, 24, Options{Keys: keymap.NewDispatcher(m)})
		listed := map[keymap.Action]bool{}
		for _, sec := range m.Help() {
			for _, en := range sec.Entries {
				listed[en.Action] = true
			}
		}
		for _, a := range keymap.All() {
			lab := a.Name == keymap.PagePanel || a.Name == keymap.DiskView || a.Name == keymap.Writeback || a.Name == keymap.Structure || a.Group == keymap.GroupShape || a.Name == keymap.Follow || a.Name == keymap.Who || a.Name == keymap.NextData || a.Name == keymap.PrevData || a.Name == keymap.NextHole || a.Name == keymap.PrevHole || a.Name == keymap.SqueezeHoles
			if _, ok := h.e.handlers[string(a.Name)]; !ok && !lab {
				t.Errorf("preset %s: action %s has no handler", preset, a.Name)
			}
			if !listed[a.Name] && !(preset == keymap.PresetDefault && keymap.VimOnly(a.Name)) {
				t.Errorf("preset %s: action %s is not in the help", preset, a.Name)
			}
		}
	}
}

// The help screen is made from the active bindings: a binding of the
// configuration file is listed, and a key bound to "none" is gone.
func TestHelpShowsConfigBindings(t *testing.T) {
	m, probs := keymap.Parse("config.toml", []byte("[bindings]\n\"Ctrl-T\" = \"goto\"\n\"Alt-h\" = \"none\"\n"), "")
	if len(probs) != 0 {
		t.Fatal(keymap.ProblemsText(probs))
	}
	h := openKnown(t, 100, 40, Options{Keys: keymap.NewDispatcher(m)})
	h.press("F1")
	var all strings.Builder // every page of the help
	for range 8 {
		all.WriteString(h.draw())
		h.press("PgDn")
	}
	s := all.String()
	if !strings.Contains(s, "  Ctrl-G, Ctrl-T     go to an offset") || !strings.Contains(s, "  F1, Ctrl-_         show this help") {
		t.Fatalf("help without the configured bindings:\n%s", s)
	}
	if strings.Contains(s, "Alt-h") {
		t.Fatalf("Alt-h is unbound but in the help:\n%s", s)
	}
}

// TestVimEscThenKeyAsAlt: Esc typed just before ":" reaches the editor as
// Alt-: (tmux's escape-time). In replace mode that is Esc then ":": the
// command line opens and "w" is a command, not a byte typed into the file.
func TestVimEscThenKeyAsAlt(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.press("R", "Tab")
	h.typeText("Z")
	h.press("Alt-:")
	if h.e.Keys().Mode() != keymap.ModeNormal {
		t.Fatalf("Alt-: in replace mode: mode %q", h.e.Keys().Mode())
	}
	h.typeText("w")
	h.press("Enter")
	disk, _ := os.ReadFile("known.bin")
	if disk[0] != 'Z' || disk[1] != 1 || disk[2] != 2 {
		t.Fatalf("bytes 0..3 = % x, want 5a 01 02", disk[:3])
	}
	if r, ok := h.f.LastSync(); !ok || !strings.Contains(r.Flag, "MS_SYNC") {
		t.Fatalf(":w after Alt-: did not sync: %+v %v\n%s", r, ok, h.draw())
	}
}

// In the default preset too, a pending sequence (Alt-m waits for a mark
// letter) is shown in the status line, and a wrong key drops it whole:
// nothing runs, nothing is typed, and the next keys work as usual.
func TestDefaultPendingShownAndDropped(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.press("Alt-m")
	if got := h.messageLine(); !strings.HasSuffix(got, " Alt-m") {
		t.Fatalf("pending Alt-m not shown: %q", got)
	}
	h.press("Ctrl-G")
	if got := h.messageLine(); !strings.HasPrefix(got, " Alt-m Ctrl-G is not bound to anything") || h.e.OverlayOpen() {
		t.Fatalf("wrong sequence: %q, overlay %v", got, h.e.OverlayOpen())
	}
	if disk, _ := os.ReadFile("known.bin"); !bytes.Equal(disk, knownData()) {
		t.Fatal("the dropped sequence changed the file")
	}
	h.typeText("ab") // typed as usual
	if disk, _ := os.ReadFile("known.bin"); disk[0] != 0xab || h.e.Cursor() != 1 {
		t.Fatalf("typing after the dropped sequence: byte %#x, cursor %d", disk[0], h.e.Cursor())
	}
}

// Esc (and the vim preset's Ctrl-C, also bound to cancel) after a count, a
// sequence's first key or a mark command cancels it quietly: the message
// line does not call Esc, which is bound, "not bound to anything".
func TestEscCancelsPendingQuietly(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		keys string
	}{
		{"vim count", Options{Keys: vimKeys(t)}, "5 Esc"},
		{"vim sequence", Options{Keys: vimKeys(t)}, "Z Esc"},
		{"vim sequence Ctrl-C", Options{Keys: vimKeys(t)}, "g Ctrl-C"},
		{"vim mark", Options{Keys: vimKeys(t)}, "m Esc"},
		{"vim count and mark", Options{Keys: vimKeys(t)}, "3 ' Ctrl-C"},
		{"default mark", Options{}, "Alt-m Esc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := openKnown(t, 100, 24, c.opts)
			h.pressSeq(c.keys)
			got := h.messageLine()
			if strings.Contains(got, "not bound") {
				t.Errorf("after %q: %q", c.keys, got)
			}
			if rest := strings.TrimSpace(got); rest != "-- NORMAL --" && rest != "F1 help" {
				t.Errorf("after %q the message line should be empty: %q", c.keys, got)
			}
			if h.e.Cursor() != 0 || h.e.OverlayOpen() || h.e.PromptOpen() {
				t.Errorf("after %q: cursor %d, overlay %v, prompt %v", c.keys, h.e.Cursor(), h.e.OverlayOpen(), h.e.PromptOpen())
			}
			h.pressSeq("Right") // the next key works as usual
			if h.e.Cursor() != 1 {
				t.Errorf("Right after %q: cursor %d", c.keys, h.e.Cursor())
			}
		})
	}
	// In visual mode a dropped count leaves the selection and its message.
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.pressSeq("v l l l 5 Esc")
	if got := h.messageLine(); !strings.HasPrefix(got, " selection 0x0–0x3 (4 bytes)") || !strings.HasSuffix(got, "-- VISUAL --") {
		t.Errorf("v l l l 5 Esc: %q", got)
	}
}

// A count larger than the rows above or below goes to the first or last
// row, in the same column (vim's "100k"), instead of doing nothing.
func TestVimCountPastFirstOrLastRow(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)}) // 3*4096 bytes, 768 rows
	for _, c := range []struct {
		keys string
		want int64
	}{
		{"5 j 3 l", 5*16 + 3},
		{"1 0 0 k", 3},                 // row 0, same column
		{"k", 3},                       // nothing above
		{"1 0 0 0 j", 3*4096 - 16 + 3}, // last row, same column
		{"j", 3*4096 - 16 + 3},         // nothing below
		{"9 9 9 9 9 9 9 9 9 9 9 9 k", 3},
	} {
		h.pressSeq(c.keys)
		if h.e.Cursor() != c.want {
			t.Fatalf("after %q cursor = %d, want %d", c.keys, h.e.Cursor(), c.want)
		}
	}
}

// A huge count on undo or redo stops at the end of the journal at once;
// it used to run a trillion failed undos with the editor frozen.
func TestVimCountUndoStopsAtJournalEnd(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	// three edits (one R … Esc session would be one undo step)
	h.pressSeq("r")
	h.typeText("11")
	h.pressSeq("l r")
	h.typeText("22")
	h.pressSeq("l r")
	h.typeText("33")
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.pressSeq("9 9 9 9 9 9 9 9 9 9 9 9 u")
		h.pressSeq("9 9 9 9 9 9 9 9 9 9 9 9 Ctrl-R")
		h.pressSeq("2 u")
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second): // generous: the fixed editor takes microseconds
		t.Fatal("a count of 999999999999 on undo/redo did not return")
	}
	disk, _ := os.ReadFile("known.bin")
	if want := []byte{0x11, 1, 2}; !bytes.Equal(disk[:3], want) {
		t.Fatalf("after undo all, redo all, undo 2: % x, want % x", disk[:3], want)
	}
	if got := h.messageLine(); !strings.HasPrefix(got, " undid the edit of 1 byte at 0x1") {
		t.Fatalf("message line: %q", got)
	}
}

// On a read-only file R and r say so at once and stay in normal mode, like
// every other edit key, instead of entering replace mode silently.
func TestVimReplaceReadOnlySaysSo(t *testing.T) {
	for _, key := range []string{"R", "r"} {
		t.Run(key, func(t *testing.T) {
			t.Chdir(t.TempDir())
			if err := os.WriteFile("known.bin", knownData(), 0o644); err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, "known.bin", 100, 24, mapping.Options{ReadOnly: true}, Options{Keys: vimKeys(t)})
			h.press(key)
			got := h.messageLine()
			if !strings.HasPrefix(got, " the file is open read-only: nothing was changed") || !strings.HasSuffix(got, "-- NORMAL --") {
				t.Fatalf("after %s on a read-only file: %q", key, got)
			}
			h.typeText("j") // a normal-mode key again: down, not a byte
			if h.e.Cursor() != 16 {
				t.Fatalf("j after %s: cursor %d", key, h.e.Cursor())
			}
		})
	}
}

// Counts are exact up to 19 digits: "NG" reaches any offset of a file over
// 1 TB (a 14-digit count used to lose its last digit and land elsewhere
// without a word), and huge counts on moves stop at the file's ends.
func TestVimHugeCounts(t *testing.T) {
	t.Parallel()
	const size = 17_000_000_000_100 // 15.5 TiB, sparse
	p := writeFile(t, "huge.bin", nil)
	if err := os.Truncate(p, size); err != nil {
		testenv.SkipOrFail(t, "no %d-byte sparse file here: %v", size, err)
	}
	h := newHarness(t, p, 100, 24, mapping.Options{}, Options{Keys: vimKeys(t)})
	seq := func(count string, key string) {
		t.Helper()
		h.pressSeq(strings.Join(strings.Split(count, ""), " ") + " " + key)
	}
	seq("17000000000001", "G")
	if got := h.e.Cursor(); got != 17_000_000_000_001 {
		t.Fatalf("17000000000001G: cursor %d", got)
	}
	for _, c := range []struct {
		key  string
		want int64
	}{
		{"l", size - 1}, {"h", 0}, {"j", size - 4}, {"k", 0}, // the last row starts at size-4
		{"Ctrl-D", size - 1}, {"Ctrl-U", 3}, {"Ctrl-F", size - 1}, {"Ctrl-B", 3}, // the column stays
		{"w", size - 1}, {"b", 0},
	} {
		seq("999999999999999999", c.key)
		if got := h.e.Cursor(); got != c.want {
			t.Errorf("999999999999999999 %s: cursor %d, want %d", c.key, got, c.want)
		}
	}
}

// "N g g" goes to offset N like "N G", as vim's [count]gg does.
func TestVimCountGG(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	h.pressSeq("1 0 0 g g")
	if got := h.e.Cursor(); got != 100 {
		t.Fatalf("100gg: cursor %d, want 100", got)
	}
	h.pressSeq("g g")
	if got := h.e.Cursor(); got != 0 {
		t.Fatalf("gg: cursor %d, want 0", got)
	}
	h.pressSeq("9 9 9 9 9 g g")
	if got, msg := h.e.Cursor(), h.messageLine(); got != 0 || !strings.Contains(msg, "past the end of the file") {
		t.Fatalf("99999gg: cursor %d, message %q", got, msg)
	}
}

// In the vim preset the insert and delete keys say that mmhex overwrites
// in place and which keys insert or delete whole blocks (they said mmhex
// "cannot insert", "cannot delete", untrue since g I and g X), and change
// nothing (exact message line).
func TestVimInsertKeysSayWhy(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Keys: vimKeys(t)})
	for _, c := range []struct{ key, want string }{
		{"i", " mmhex overwrites in place: R from the cursor, r one byte; g I inserts zero blocks"},
		{"a", " mmhex overwrites in place: R from the cursor, r one byte; g I inserts zero blocks"},
		{"Insert", " mmhex overwrites in place: R from the cursor, r one byte; g I inserts zero blocks"},
		{"x", " mmhex overwrites in place: R from the cursor, r one byte; g X deletes whole blocks"},
	} {
		h.press(c.key)
		if got := strings.TrimSuffix(strings.TrimRight(h.messageLine(), " "), "-- NORMAL --"); strings.TrimRight(got, " ") != c.want {
			t.Errorf("%s: message line %q, want %q", c.key, h.messageLine(), c.want)
		}
		if _, st := h.cell(1, 23); st != styleError {
			t.Errorf("%s: the message is not shown as an error", c.key)
		}
		if h.e.Keys().Mode() != keymap.ModeNormal || h.e.Cursor() != 0 {
			t.Errorf("%s: mode %q cursor %d", c.key, h.e.Keys().Mode(), h.e.Cursor())
		}
	}
	if disk, _ := os.ReadFile("known.bin"); !bytes.Equal(disk, knownData()) {
		t.Fatal("the file changed")
	}
}
