package view

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/testenv"
)

// knownData is the known file of the screen tests: every byte value, text,
// a run of zeros and a pattern, 12 KiB in all.
func knownData() []byte {
	b := make([]byte, 3*4096)
	for i := 0; i < 256; i++ {
		b[i] = byte(i)
	}
	copy(b[256:], strings.Repeat("Hello, mmhex! The quick brown fox jumps over the lazy dog. ", 40))
	for i := 0x1000; i < len(b); i++ {
		if i >= 0x1800 {
			b[i] = byte(i*7 + i>>8)
		}
	}
	return b
}

// openKnown writes the known file as "known.bin" in a temporary working
// directory (so the header shows a stable name) and opens it.
func openKnown(t *testing.T, w, h int, opts Options) *harness {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("known.bin", knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	return newHarness(t, "known.bin", w, h, mapping.Options{}, opts)
}

func TestFirstScreen(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	golden(t, "first", h.draw())
	// Colours by class: 0x00 null (palette 8), 'A'-like printable (6),
	// 0x09 whitespace (2), 0x01 control (5), 0x80 high (3).
	x, y, ok := h.find("00000000  00 01")
	if !ok {
		t.Fatal("first row not found")
	}
	hexX := x + 10
	for _, c := range []struct {
		off  int
		ansi int
	}{{0x00, 8}, {0x01, 5}, {0x09, 2}, {0x0a, 2}, {0x0b, 5}, {0x0d, 2}, {0x1b, 5}, {0x20, 2}, {0x41, 6}, {0x7e, 6}, {0x7f, 5}, {0x80, 3}, {0xff, 3}} {
		row, col := c.off/16, c.off%16
		if row*16 > 0x170 {
			continue
		}
		px := hexX + hexPos(col)
		py := y + row
		_, st := h.cell(px+1, py)
		fg, _, _ := st.Decompose()
		if fg != tcell.PaletteColor(c.ansi) {
			t.Errorf("byte 0x%02x: colour %v, want palette %d", c.off, fg, c.ansi)
		}
		// The text column uses the same colour.
		_, st = h.cell(hexX+hexPos(15)+2+3+col, py)
		if fg, _, _ := st.Decompose(); fg != tcell.PaletteColor(c.ansi) {
			t.Errorf("byte 0x%02x in the text column: colour %v, want palette %d", c.off, fg, c.ansi)
		}
	}
	// The cursor: reversed in the active (hex) column, underlined in the text column.
	_, st := h.cell(hexX, y)
	if !reversed(st) {
		t.Errorf("cursor in the hex column is not reversed: %v", st)
	}
	_, st = h.cell(hexX+hexPos(15)+2+3, y)
	if !underlined(st) {
		t.Errorf("cursor in the text column is not underlined: %v", st)
	}
	h.press("Tab")
	h.draw()
	_, st = h.cell(hexX+hexPos(15)+2+3, y)
	if !reversed(st) {
		t.Errorf("after Tab the text column cursor is not reversed")
	}
	_, st = h.cell(hexX, y)
	if !underlined(st) || reversed(st) {
		t.Errorf("after Tab the hex column cursor is not underlined only")
	}
}

func TestMoves(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.press("Down", "Down", "Right", "Right", "Right")
	if h.e.Cursor() != 0x23 {
		t.Fatalf("cursor 0x%x, want 0x23", h.e.Cursor())
	}
	h.press("PgDn")
	if want := int64(0x23 + 20*16); h.e.Cursor() != want {
		t.Fatalf("after PgDn cursor 0x%x, want 0x%x", h.e.Cursor(), want)
	}
	h.press("End")
	golden(t, "moves", h.draw())
	h.press("Home", "Up")
	if want := int64(0x20 + 19*16); h.e.Cursor() != want {
		t.Fatalf("after Home Up cursor 0x%x, want 0x%x", h.e.Cursor(), want)
	}
	h.press("Ctrl-End")
	if h.e.Cursor() != 3*4096-1 {
		t.Fatalf("Ctrl-End: cursor 0x%x", h.e.Cursor())
	}
	h.press("Ctrl-Home")
	if h.e.Cursor() != 0 {
		t.Fatalf("Ctrl-Home: cursor 0x%x", h.e.Cursor())
	}
	h.press("Alt-f", "Alt-f")
	if h.e.Cursor() != 16 {
		t.Fatalf("two word-next: cursor %d, want 16", h.e.Cursor())
	}
	h.press("Left", "Alt-b")
	if h.e.Cursor() != 8 {
		t.Fatalf("word-prev: cursor %d, want 8", h.e.Cursor())
	}
	h.press("Left")
	h.press("Left", "Left", "Left", "Left", "Left", "Left", "Left", "Left", "Left")
	if h.e.Cursor() != 0 {
		t.Fatalf("left past the start: cursor %d", h.e.Cursor())
	}
}

func TestGoto(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	for _, c := range []struct {
		expr string
		want int64
	}{
		{"0x1000", 0x1000}, {"+16", 0x1010}, {"-0x10", 0x1000}, {"4k", 4096}, {"50%", 6144},
		{"end", 3*4096 - 1}, {"100", 100}, {"0", 0}, {"100%", 3*4096 - 1},
	} {
		h.press("Ctrl-G")
		h.typeText(c.expr)
		h.press("Enter")
		if h.e.PromptOpen() {
			t.Fatalf("goto %q: prompt still open: %s", c.expr, h.draw())
		}
		if h.e.Cursor() != c.want {
			t.Errorf("goto %q: cursor 0x%x, want 0x%x", c.expr, h.e.Cursor(), c.want)
		}
	}
	// A bad expression is an error inside the prompt, not a jump.
	h.press("Ctrl-G")
	h.typeText("0x1zz")
	h.press("Enter")
	if !h.e.PromptOpen() || h.e.Cursor() != 3*4096-1 {
		t.Fatalf("bad expression: prompt open %v, cursor %d", h.e.PromptOpen(), h.e.Cursor())
	}
	screen := h.draw()
	last := strings.Split(screen, "\n")[23]
	if !strings.Contains(last, "goto: 0x1zz") || !strings.Contains(last, `✗ bad offset "0x1zz"`) {
		t.Errorf("prompt line %q lacks the error", last)
	}
	h.press("Esc")
	h.press("Ctrl-G")
	h.typeText("1G")
	h.press("Enter")
	if !strings.Contains(h.draw(), "past the end of the file") {
		t.Errorf("goto past the end: no error shown")
	}
}

func TestParseGoto(t *testing.T) {
	t.Parallel()
	const size = 1 << 20
	for _, c := range []struct {
		expr   string
		cursor int64
		want   int64
		err    string
	}{
		{"123", 0, 123, ""},
		{"0x7b", 0, 123, ""},
		{" 4k ", 0, 4096, ""},
		{"1M", 0, 0, "past the end"},
		{"+10", 5, 15, ""},
		{"-5", 5, 0, ""},
		{"-6", 5, 0, "before the start"},
		{"+1M", 0, 0, "past the end"},
		{"12.5%", 0, size / 8, ""},
		{"0%", 9, 0, ""},
		{"101%", 0, 0, "not between 0 and 100"},
		{"x%", 0, 0, "bad percentage"},
		{"end", 0, size - 1, ""},
		{"END", 0, size - 1, ""},
		{"", 0, 0, "empty offset"},
		{"zz", 0, 0, "bad offset"},
		{"0x", 0, 0, "bad offset"},
	} {
		got, err := parseGoto(c.expr, c.cursor, size)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseGoto(%q): err %v, want %q", c.expr, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseGoto(%q) = %d, %v; want %d", c.expr, got, err, c.want)
		}
	}
}

func TestEdit(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.press("Down", "Down") // 0x20
	h.typeText("4")         // high nibble: 0x20 -> 0x40
	if h.e.Cursor() != 0x20 {
		t.Fatalf("cursor moved after the high nibble")
	}
	h.typeText("1") // low nibble: 0x41, cursor to 0x21
	if n := h.f.UnsyncedEdits(); n != 1 {
		t.Fatalf("one byte typed as two nibbles: %d journal edits, want 1", n)
	}
	h.typeText("zz")
	if !strings.Contains(h.draw(), `'z' is not a hex digit`) {
		t.Errorf("no message for a non-hex key in the hex column")
	}
	h.press("Tab")
	h.typeText("Hi")
	golden(t, "edit", h.draw())
	disk, _ := os.ReadFile("known.bin")
	if !bytes.Equal(disk[0x20:0x23], []byte("AHi")) {
		t.Fatalf("bytes 0x20..0x23 = %q, want AHi (MAP_SHARED: visible to read at once)", disk[0x20:0x23])
	}
	// Edited bytes carry the unsynced colour; their neighbours do not.
	x, y, _ := h.find("00000020  41 48 69")
	_, st := h.cell(x+10, y)
	if fg, _, _ := st.Decompose(); fg != colourUnsynced {
		t.Errorf("edited byte colour %v, want %v", fg, colourUnsynced)
	}
	_, st = h.cell(x+10+hexPos(3), y)
	if fg, _, _ := st.Decompose(); fg == colourUnsynced {
		t.Errorf("unedited byte 0x23 has the unsynced colour")
	}
	// Undo, redo.
	h.press("Ctrl-Z")
	disk, _ = os.ReadFile("known.bin")
	if disk[0x22] != 0x22 {
		t.Fatalf("after undo byte 0x22 = %#x", disk[0x22])
	}
	h.press("Ctrl-Y")
	disk, _ = os.ReadFile("known.bin")
	if disk[0x22] != 'i' {
		t.Fatalf("after redo byte 0x22 = %#x", disk[0x22])
	}
	// Sync: the status reports it and the highlight goes.
	h.press("Ctrl-S")
	screen := h.draw()
	// The status line drops the synced bytes before the duration when the
	// line is too long: a slow sync (a loaded machine) has a longer
	// duration, so either form is the right one.
	if !syncStatus.MatchString(screen) || !strings.Contains(screen, "no unsynced edits") {
		t.Errorf("status after sync:\n%s", screen)
	}
	_, st = h.cell(x+10, y)
	if fg, _, _ := st.Decompose(); fg == colourUnsynced {
		t.Errorf("edited byte still highlighted after sync")
	}
	h.typeText("!")
	h.press("Ctrl-W")
	// MS_ASYNC writes nothing: the edit stays unsynced and highlighted.
	if s := h.draw(); !asyncMsg.MatchString(s) || !strings.Contains(s, "1 edit unsynced, 1 page") {
		t.Errorf("after MS_ASYNC:\n%s", s)
	}
	if _, st = h.cell(x+10+hexPos(2), y); !unsyncedStyle(st) { // the '!' at 0x22
		t.Errorf("edited byte not highlighted after MS_ASYNC")
	}
}

// asyncMsg is the message after MS_ASYNC of one page (the page may have
// been written back by the kernel in between: 0 still dirty).
var asyncMsg = regexp.MustCompile(`(?m)^ MS_ASYNC: 1 page queued \(a no-op on Linux\), [01] still dirty; still unsynced until Ctrl-S *$`)

func unsyncedStyle(st tcell.Style) bool {
	fg, _, _ := st.Decompose()
	return fg == colourUnsynced
}

func TestSyncWithNothingToSync(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	fdatasync(t, "known.bin") // the file's own dirty pages are not left
	h.press("Ctrl-S")
	if s := h.draw(); !strings.Contains(s, "\n nothing to sync: no page was written here since the last sync, and the file has no dirty page") {
		t.Errorf("sync without edits:\n%s", s)
	}
	if _, ok := h.f.LastSync(); ok {
		t.Errorf("a sync ran without edits")
	}
}

func TestEditAtEndAndUTF8(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "small.bin", []byte("abcd"))
	h := newHarness(t, p, 80, 12, mapping.Options{}, Options{})
	h.press("Tab", "Ctrl-End")
	h.typeText("é") // two bytes, one left
	if !strings.Contains(h.draw(), "needs 2 bytes") {
		t.Errorf("no message for a character that does not fit")
	}
	h.typeText("Z")
	h.typeText("Y") // the cursor stays on the last byte
	got, _ := os.ReadFile(p)
	if string(got) != "abcY" {
		t.Fatalf("file %q, want abcY", got)
	}
	h.press("Home")
	h.typeText("é")
	got, _ = os.ReadFile(p)
	if string(got) != "écY" {
		t.Fatalf("file %q, want écY", got)
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "ro.bin", []byte("0123456789"))
	h := newHarness(t, p, 80, 12, mapping.Options{ReadOnly: true}, Options{})
	h.typeText("ff")
	h.press("Tab")
	h.typeText("x")
	screen := h.draw()
	if !strings.Contains(screen, "the file is open read-only: nothing was changed") {
		t.Errorf("no read-only message:\n%s", screen)
	}
	if !strings.Contains(screen, "read-only") {
		t.Errorf("header does not say read-only")
	}
	got, _ := os.ReadFile(p)
	if string(got) != "0123456789" {
		t.Fatalf("read-only file changed: %q", got)
	}
	// Overwrite-from-hex and fill refuse at once: no prompt to type into.
	for _, keys := range [][]string{{"Ctrl-V"}, {"Ctrl-Space", "Right", "Ctrl-K"}} {
		h.press("Esc")
		h.press(keys...)
		screen := h.draw()
		if h.e.prompt != nil || !strings.Contains(screen, "the file is open read-only: nothing was changed") {
			t.Errorf("%v on a read-only file: prompt %v\n%s", keys, h.e.prompt != nil, screen)
		}
	}
	h.press("Esc")
	h.press("Ctrl-Q")
	if !h.e.stopped() {
		t.Fatalf("read-only: quit asked")
	}
}

// TestAutoReadOnlyNotice: a file that cannot be opened for writing says
// why in the header in a few words and, whole, in the message line at start
// (a long notice used to be cut off at the end of the header).
func TestAutoReadOnlyNotice(t *testing.T) {
	p := writeFile(t, "ro.bin", []byte("0123456789"))
	reason := "permission denied"
	if os.Geteuid() == 0 {
		// root ignores permission bits; the immutable attribute stops it.
		if out, err := exec.Command("chattr", "+i", p).CombinedOutput(); err != nil {
			testenv.SkipOrFail(t, "chattr +i not available here (%v: %s)", err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", p).Run() })
		reason = "operation not permitted"
	} else if err := os.Chmod(p, 0o444); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, p, 120, 12, mapping.Options{}, Options{})
	lines := strings.Split(h.draw(), "\n")
	if want := "  10 B  read-only (" + reason + ")  PROT_READ MAP_SHARED"; !strings.HasSuffix(strings.TrimRight(lines[0], " "), want) {
		t.Errorf("header %q\nwant it to end in %q", lines[0], want)
	}
	if want := " " + p + ": " + reason + "; opened read-only"; !strings.HasPrefix(lines[11], want) {
		t.Errorf("message line %q\nwant %q", lines[11], want)
	}
	h.press("Right") // the notice goes with the next key, like any message
	if lines = strings.Split(h.draw(), "\n"); strings.Contains(lines[11], "opened read-only") {
		t.Errorf("message line after a key: %q", lines[11])
	}
}

func TestInspector(t *testing.T) {
	h := openKnown(t, 120, 36, Options{})
	h.press("Alt-i")
	h.press("Ctrl-G")
	h.typeText("0xfc")
	h.press("Enter")
	golden(t, "inspector", h.draw())
	// Near the end only the shorter values are shown.
	h.press("Ctrl-End", "Left")
	s := h.draw()
	if !strings.Contains(s, "u16 le    ") || !strings.Contains(s, "u32 le    — (past end)") {
		t.Errorf("inspector at the end:\n%s", s)
	}
}

func TestInspectValues(t *testing.T) {
	t.Parallel()
	b := []byte{0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00}
	got := map[string]string{}
	for _, l := range inspect(b) {
		got[l.label] = l.value
	}
	for k, v := range map[string]string{
		"u8": "0", "i8": "0", "u16 le": "61696", "u16 be": "241", "i16 le": "-3840",
		"u32 le": "1700000000", "time32 le": "2023-11-14 22:13:20 UTC",
		"u64 be": "67927162644070400", "binary": "00000000", "utf-8": "U+0000",
	} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	pi := inspect([]byte{0x18, 0x2d, 0x44, 0x54, 0xfb, 0x21, 0x09, 0x40})
	for _, l := range pi {
		if l.label == "f64 le" && l.value != "3.141592653589793" {
			t.Errorf("f64 le = %s", l.value)
		}
	}
	short := inspect([]byte{0xe2, 0x82})
	for _, l := range short {
		if l.label == "utf-8" && l.value != "incomplete sequence" {
			t.Errorf("utf-8 of a cut sequence: %q", l.value)
		}
		if l.label == "u32 le" && l.value != naValue {
			t.Errorf("u32 le of 2 bytes: %q", l.value)
		}
	}
	euro := inspect([]byte("€x"))
	for _, l := range euro {
		if l.label == "utf-8" && l.value != "U+20AC (3 bytes) '€'" {
			t.Errorf("utf-8 of €: %q", l.value)
		}
	}
}

func TestHelpScreen(t *testing.T) {
	h := openKnown(t, 100, 30, Options{})
	h.press("F1")
	golden(t, "help", h.draw())
	h.press("PgDn")
	if !strings.Contains(h.draw(), "Ctrl-Q") {
		t.Errorf("help page 2 lacks the quit key")
	}
	h.press("Esc")
	if h.e.OverlayOpen() {
		t.Fatal("Esc did not close help")
	}
	h.press("Alt-h")
	if !h.e.OverlayOpen() {
		t.Fatal("Alt-h did not open help")
	}
}

func TestQuitDialog(t *testing.T) {
	for _, c := range []struct {
		key      string
		want     string // bytes 0..3 on disk after
		quitting bool
		synced   bool
	}{
		{"Esc", "\xab\x01\x02\x03", false, false},
		{"s", "\xab\x01\x02\x03", true, true},
		{"r", "\x00\x01\x02\x03", true, true}, // the restored page is msynced
		{"q", "\xab\x01\x02\x03", true, false},
	} {
		t.Run(c.key, func(t *testing.T) {
			h := openKnown(t, 100, 24, Options{})
			h.typeText("ab")
			h.press("Ctrl-Q")
			if !h.e.OverlayOpen() {
				t.Fatal("quit with an unsynced edit did not ask")
			}
			if c.key == "Esc" {
				golden(t, "quit", h.draw())
			}
			h.press(c.key)
			if h.e.stopped() != c.quitting {
				t.Fatalf("quitting = %v", h.e.stopped())
			}
			disk, _ := os.ReadFile("known.bin")
			if string(disk[:4]) != c.want {
				t.Fatalf("disk % x, want % x", disk[:4], c.want)
			}
			if _, ok := h.f.LastSync(); ok != c.synced {
				t.Fatalf("synced = %v", ok)
			}
			if c.synced {
				// On the disk itself, read from the block device past
				// the page cache.
				raw, err := pagecache.ReadDiskRaw(h.f, 0, 4)
				if err != nil {
					t.Logf("no raw disk read here (%v): the page cache bytes above must do", err)
				} else if string(raw) != c.want {
					t.Fatalf("after s the disk holds % x, want % x", raw, c.want)
				}
			}
		})
	}
}

// TestQuitRevertKeepsSyncedEdits: "revert and quit" (the dialog's r, vim's
// :q! and ZQ) puts back the bytes of the last sync: edits saved before stay
// on disk, only the later ones go.
func TestQuitRevertKeepsSyncedEdits(t *testing.T) {
	for _, c := range []struct {
		name  string
		keys  Options
		edits func(h *harness) // type ab, sync, type cd
		quit  func(h *harness)
	}{
		{"dialog r", Options{},
			func(h *harness) { h.typeText("ab"); h.press("Ctrl-S"); h.typeText("cd") },
			func(h *harness) { h.press("Ctrl-Q"); h.press("r") }},
		{"vim :q!", Options{Keys: vimKeys(t)},
			func(h *harness) {
				h.pressSeq("R")
				h.typeText("ab")
				h.press("Esc")
				h.pressSeq(":")
				h.typeText("w")
				h.press("Enter")
				h.pressSeq("R")
				h.typeText("cd")
				h.press("Esc")
			},
			func(h *harness) { h.pressSeq(":"); h.typeText("q!"); h.press("Enter") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := openKnown(t, 100, 24, c.keys)
			c.edits(h)
			if _, ok := h.f.LastSync(); !ok || h.f.UnsyncedEdits() != 1 {
				t.Fatalf("synced %v, unsynced edits %d; want a sync and 1 edit after it", ok, h.f.UnsyncedEdits())
			}
			c.quit(h)
			if !h.e.stopped() {
				t.Fatal("did not quit")
			}
			disk, _ := os.ReadFile("known.bin")
			if want := "\xab\x01\x02\x03"; string(disk[:4]) != want {
				t.Fatalf("disk % x, want % x (the synced edit stays, the later one goes)", disk[:4], want)
			}
		})
	}
}

func TestQuitDialogNarrow(t *testing.T) {
	h := openKnown(t, 60, 20, Options{})
	h.typeText("ab")
	h.press("Ctrl-C")
	s := h.draw()
	for _, want := range []string{"[s] sync now (MS_SYNC)", "[r] revert it and quit", "[q] quit, leave it to writeback", "page cache"} {
		if !strings.Contains(s, want) {
			t.Errorf("60 columns: %q missing:\n%s", want, s)
		}
	}
}

// noControls fails when any cell holds a control character.
func noControls(t *testing.T, h *harness) {
	t.Helper()
	cells, _, _ := h.sim.GetContents()
	for i, c := range cells {
		for _, r := range c.Runes {
			if r < 0x20 || (r >= 0x7f && r < 0xa0) {
				t.Fatalf("cell %d holds control character %U", i, r)
			}
		}
	}
}

func TestControlBytes(t *testing.T) {
	t.Chdir(t.TempDir())
	var data []byte
	for i := 0; i < 0x20; i++ {
		data = append(data, byte(i))
	}
	data = append(data, 0x7f)
	for i := 0x80; i < 0x100; i++ {
		data = append(data, byte(i))
	}
	data = append(data, "\x1b[2J\x1b]0;pwned\x07\x9b31m\x1bP+q\x1b\\"...)
	os.WriteFile("ctl.bin", data, 0o644)
	h := newHarness(t, "ctl.bin", 100, 24, mapping.Options{}, Options{})
	s := h.draw()
	golden(t, "control", s)
	noControls(t, h)
	// The text column of the first 160 bytes (controls and high bytes) is only dots.
	lines := strings.Split(s, "\n")
	for r := 0; r < 10; r++ {
		line := lines[2+r]
		text := line[len(line)-16:]
		if text != strings.Repeat(".", 16) {
			t.Errorf("row %d text column %q, want only dots", r, text)
		}
	}
}

func TestEscapeInFileName(t *testing.T) {
	t.Chdir(t.TempDir())
	name := "evil\x1b[31mred\x07\x1b]0;pwn\x07.bin"
	if err := os.WriteFile(name, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, name, 100, 10, mapping.Options{}, Options{})
	s := h.draw()
	golden(t, "filename", s)
	noControls(t, h)
	if !strings.Contains(s, "  evil.[31mred..]0;pwn..bin  ") { // every control byte shown as '.'
		t.Errorf("header does not show the sanitised name:\n%s", s)
	}
}

func TestMouse(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.draw()
	x, y, _ := h.find("00000030  ")
	mouse := func(action tview.MouseAction, px, py int, btn tcell.ButtonMask) {
		ev := tcell.NewEventMouse(px, py, btn, tcell.ModNone)
		h.e.root.MouseHandler()(action, ev, func(tview.Primitive) {})
	}
	// Click byte 5 of row 0x30 in the hex column.
	mouse(tview.MouseLeftDown, x+10+hexPos(5)+1, y, tcell.Button1)
	if h.e.Cursor() != 0x35 || h.e.Column() != HexColumn {
		t.Fatalf("hex click: cursor 0x%x col %v", h.e.Cursor(), h.e.Column())
	}
	// Click byte 9 in the text column.
	textX := x + 10 + hexPos(15) + 2 + 3
	mouse(tview.MouseLeftDown, textX+9, y+1, tcell.Button1)
	if h.e.Cursor() != 0x49 || h.e.Column() != TextColumn {
		t.Fatalf("text click: cursor 0x%x col %v", h.e.Cursor(), h.e.Column())
	}
	mouse(tview.MouseScrollDown, x, y, tcell.WheelDown)
	if h.e.Cursor() != 0x49+3*16 {
		t.Fatalf("wheel: cursor 0x%x", h.e.Cursor())
	}
	if !strings.Contains(strings.Split(h.draw(), "\n")[2], "00000030") {
		t.Errorf("wheel did not scroll three rows:\n%s", h.draw())
	}
}

func TestResizeKeepsCursor(t *testing.T) {
	h := openKnown(t, 100, 24, Options{FitWidth: true})
	h.draw()
	h.press("Ctrl-G")
	h.typeText("0x1234")
	h.press("Enter")
	h.draw()
	if h.e.BytesPerRow() != 16 {
		t.Fatalf("fit at 100 columns: %d bytes per row", h.e.BytesPerRow())
	}
	for _, size := range [][3]int{{200, 60, 40}, {60, 10, 8}, {80, 24, 16}} {
		h.sim.SetSize(size[0], size[1])
		s := h.draw()
		if h.e.BytesPerRow() != size[2] {
			t.Fatalf("fit at %d columns: %d bytes per row, want %d", size[0], h.e.BytesPerRow(), size[2])
		}
		if h.e.Cursor() != 0x1234 {
			t.Fatalf("resize %v moved the cursor to 0x%x", size, h.e.Cursor())
		}
		start, end := h.e.VisibleRange()
		if 0x1234 < start || 0x1234 >= end {
			t.Fatalf("resize %v: cursor off screen [0x%x, 0x%x):\n%s", size, start, end, s)
		}
	}
	h.press("Ctrl-L") // fit off: 16 bytes a row again
	h.draw()
	if h.e.BytesPerRow() != 16 {
		t.Fatalf("fit-width off: %d bytes per row", h.e.BytesPerRow())
	}
}

func TestNarrowWithInspector(t *testing.T) {
	h := openKnown(t, 80, 24, Options{Inspector: true})
	s := h.draw()
	if h.e.BytesPerRow() != 8 {
		t.Fatalf("80 columns with the inspector: %d bytes a row, want 8", h.e.BytesPerRow())
	}
	golden(t, "narrow", s)
	h.sim.SetSize(60, 24)
	s = h.draw()
	if strings.Contains(s, "inspector @") || !strings.Contains(s, "no room for inspector") {
		t.Fatalf("60 columns: the inspector should give way:\n%s", s)
	}
	if h.e.BytesPerRow() != 8 {
		t.Fatalf("60 columns: %d bytes a row", h.e.BytesPerRow())
	}
	h.sim.SetSize(30, 10) // narrower than any row: cut, never wrapped over
	s = h.draw()
	for i, line := range strings.Split(s, "\n") {
		if len([]rune(line)) > 30 {
			t.Fatalf("line %d wider than the screen: %q", i, line)
		}
	}
}

func TestHugeSparseFile(t *testing.T) {
	p := writeFile(t, "huge.bin", nil)
	if err := os.Truncate(p, 1<<40); err != nil {
		testenv.SkipOrFail(t, "cannot make a 1 TiB sparse file here: %v", err)
	}
	h := newHarness(t, p, 100, 24, mapping.Options{}, Options{})
	h.press("Ctrl-G")
	h.typeText("end")
	h.press("Enter")
	s := h.draw()
	// 1 TiB - 1 = 0xffffffffff: a 10-digit offset column.
	if !strings.Contains(s, "\n fffffffff0  00 00") || !strings.Contains(s, "\n offset      00 01") || !strings.Contains(s, "1.00 TiB (1099511627776 B)") {
		t.Fatalf("end of a 1 TiB file:\n%s", s)
	}
	h.press("Ctrl-G")
	h.typeText("50%")
	h.press("Enter")
	if !strings.Contains(h.draw(), "\n 8000000000  00") {
		t.Fatalf("50%% of 1 TiB not shown")
	}
}

func TestTruncatedWhileShown(t *testing.T) {
	p := writeFile(t, "shrink.bin", knownData())
	h := newHarness(t, p, 120, 24, mapping.Options{}, Options{Inspector: true})
	h.press("Ctrl-G")
	h.typeText("0x2f00")
	h.press("Enter")
	h.draw()
	if err := os.Truncate(p, 100); err != nil {
		t.Fatal(err)
	}
	s := h.draw()
	if h.e.Size() != 100 || h.e.Cursor() != 99 {
		t.Fatalf("after truncation: size %d cursor %d", h.e.Size(), h.e.Cursor())
	}
	if !strings.Contains(s, fmt.Sprintf("the file changed size: 100 B, was %d B", len(knownData()))) {
		t.Errorf("no size message:\n%s", s)
	}
	h.press("Up")
	h.typeText("ff")
	got, _ := os.ReadFile(p)
	if len(got) != 100 || got[83] != 0xff {
		t.Fatalf("edit after truncation: len %d byte %#x", len(got), got[83])
	}
	// Growing again is seen too.
	if err := os.Truncate(p, 8192); err != nil {
		t.Fatal(err)
	}
	h.e.Refresh()
	h.press("Ctrl-End")
	if h.e.Cursor() != 8191 {
		t.Fatalf("after growth cursor %d", h.e.Cursor())
	}
}

func reversed(st tcell.Style) bool {
	_, _, a := st.Decompose()
	return a&tcell.AttrReverse != 0
}

func underlined(st tcell.Style) bool {
	return st.GetUnderlineStyle() != tcell.UnderlineStyleNone
}

func TestPrivateMode(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "priv.bin", []byte("0123456789abcdef"))
	h := newHarness(t, p, 100, 16, mapping.Options{Private: true}, Options{})
	h.typeText("41")
	h.press("Ctrl-S")
	s := h.draw()
	if !strings.Contains(s, "MAP_PRIVATE") || !strings.Contains(s, "private") {
		t.Errorf("private mode not shown or sync not refused:\n%s", s)
	}
	h.press("Ctrl-Q")
	s = h.draw()
	if !strings.Contains(s, "[q] quit and discard it") || strings.Contains(s, "[s] sync") {
		t.Fatalf("private quit dialog:\n%s", s)
	}
	h.press("s") // not a choice here
	if h.e.stopped() {
		t.Fatal("s quit a private editor")
	}
	h.press("q")
	if !h.e.stopped() {
		t.Fatal("q did not quit")
	}
	got, _ := os.ReadFile(p)
	if string(got) != "0123456789abcdef" {
		t.Fatalf("private edit reached the file: %q", got)
	}
}

func TestUnboundKeyAndNotYet(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.press("F12")
	if s := h.draw(); !strings.Contains(s, "F12 is not bound to anything (F1 help)") {
		t.Errorf("unbound key message missing:\n%s", s)
	}
	h.e.handlers = map[string]Handler{} // as before any feature filled them in
	h.press("Ctrl-F")
	if s := h.draw(); !strings.Contains(s, "search-forward: not available yet") {
		t.Errorf("an action without a handler should say so:\n%s", s)
	}
}

func TestMakeDemo(t *testing.T) {
	t.Parallel()
	p, err := makeDemo(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if len(b) != demoSize || string(b[:4]) != "\x7fELF" || !bytes.Contains(b[demoTextAt:demoZerosAt], []byte("mmhex demo file")) {
		t.Fatalf("demo file: %d bytes, starts % x", len(b), b[:8])
	}
	if !bytes.Equal(b[demoZerosAt:demoRandomAt], make([]byte, demoRandomAt-demoZerosAt)) {
		t.Fatal("demo file: the zero run is not zero")
	}
	if bytes.Count(b[demoRandomAt:demoRandomAt+4096], []byte{0}) > 64 {
		t.Fatal("demo file: the random part does not look random")
	}
}

func TestRevertAllAfterSync(t *testing.T) {
	h := openKnown(t, 100, 24, Options{})
	h.typeText("ff")
	h.press("Ctrl-S", "Alt-z")
	disk, _ := os.ReadFile("known.bin")
	if disk[0] != 0 {
		t.Fatalf("revert-all after a sync: byte 0 = %#x", disk[0])
	}
	h.draw()
	x, y, _ := h.find("00000000  00 01")
	_, st := h.cell(x+10, y)
	if fg, _, _ := st.Decompose(); fg != colourUnsynced {
		t.Errorf("the restored byte is not marked unsynced")
	}
	_, st = h.cell(x+10+hexPos(1), y)
	if fg, _, _ := st.Decompose(); fg == colourUnsynced {
		t.Errorf("an untouched byte is marked unsynced")
	}
}

func TestStartupMessage(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("m.bin", knownData(), 0o644)
	h := newHarness(t, "m.bin", 100, 24, mapping.Options{}, Options{StartupMessage: "config.toml:5: unknown action \"no-such-action\"\n"})
	s := h.draw()
	if !strings.Contains(s, `config.toml:5: unknown action "no-such-action"`) || !strings.Contains(s, "press any key") {
		t.Fatalf("start-up message not shown:\n%s", s)
	}
	h.typeText("f") // dismisses the box; types nothing
	if h.e.OverlayOpen() || h.f.UnsyncedEdits() != 0 {
		t.Fatalf("the dismissing key was not just a dismissal")
	}
}

// TestStatusRevertedPagesUnsynced: an edit reverted before any sync leaves
// no unsynced edit, but its page was written twice since the last sync
// (and writeback may have taken the edit to the disk): the status line says
// the page is unsynced until Ctrl-S.
func TestStatusRevertedPagesUnsynced(t *testing.T) {
	p := writeFile(t, "rv.bin", []byte("0123456789"))
	h := newHarness(t, p, 120, 12, mapping.Options{}, Options{})
	h.typeText("41")
	if s := h.draw(); !strings.Contains(s, " │ 1 edit unsynced, 1 page") {
		t.Fatalf("after an edit:\n%s", s)
	}
	h.press("Alt-z")
	if s := h.draw(); !strings.Contains(s, " │ no unsynced edits, 1 page unsynced") {
		t.Errorf("after revert-all:\n%s", s)
	}
	h.press("Ctrl-S")
	if s := h.draw(); !strings.Contains(s, " │ no unsynced edits │ last sync") {
		t.Errorf("after Ctrl-S:\n%s", s)
	}
	if b, _ := os.ReadFile(p); string(b) != "0123456789" {
		t.Errorf("file %q", b)
	}
}

// syncStatus is the status line's last sync of one page: with its bytes, or
// (when the line is too long for them) with its duration.
var syncStatus = regexp.MustCompile(`last sync: MS_SYNC 1 page (4096 B|[0-9.]+ [mµn]?s)`)
