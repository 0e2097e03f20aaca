package view

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"golang.org/x/sys/unix"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// The header names the mode and the mmap flags in effect, exactly, for
// every way of opening the file.
func TestHeaderModes(t *testing.T) {
	for _, c := range []struct {
		name string
		mo   mapping.Options
		want string
	}{
		{"shared", mapping.Options{}, "rw  PROT_READ|PROT_WRITE MAP_SHARED"},
		{"read-only", mapping.Options{ReadOnly: true}, "read-only  PROT_READ MAP_SHARED"},
		{"private", mapping.Options{Private: true}, "private  PROT_READ|PROT_WRITE MAP_PRIVATE"},
		{"populate", mapping.Options{Populate: true}, "rw  PROT_READ|PROT_WRITE MAP_SHARED MAP_POPULATE"},
		{"lock", mapping.Options{Lock: true}, "rw  PROT_READ|PROT_WRITE MAP_SHARED mlock"},
		{"read-only populate lock", mapping.Options{ReadOnly: true, Populate: true, Lock: true}, "read-only  PROT_READ MAP_SHARED MAP_POPULATE mlock"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			if err := os.WriteFile("m.bin", knownData(), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := mapping.Open("m.bin", c.mo)
			if err != nil {
				if c.mo.Lock {
					testenv.SkipOrFail(t, "mlock refused here: %v", err)
				}
				t.Fatal(err)
			}
			f.Close()
			h := newHarness(t, "m.bin", 120, 10, c.mo, Options{})
			got := strings.Split(h.draw(), "\n")[0]
			want := " mmhex  m.bin  12.00 KiB (12288 B)  " + c.want
			if got != want {
				t.Errorf("header\n got %q\nwant %q", got, want)
			}
		})
	}
}

// At the last byte of the file the inspector shows what one byte gives and
// says "past end" for every wider value: exact cells of the panel.
func TestInspectorAtLastByte(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "end.bin", []byte("0123456789abcde\xe9"))
	h := newHarness(t, p, 100, 30, mapping.Options{}, Options{Inspector: true})
	h.press("Ctrl-End")
	lines := strings.Split(h.draw(), "\n")
	x := strings.Index(lines[1], "│ inspector @ ")
	if x < 0 {
		t.Fatalf("no inspector:\n%s", strings.Join(lines, "\n"))
	}
	x = len([]rune(lines[1][:x]))
	var got []string
	for _, l := range lines[1:27] {
		r := []rune(l)
		if len(r) <= x {
			got = append(got, "")
			continue
		}
		got = append(got, strings.TrimRight(string(r[x:]), " "))
	}
	want := []string{
		"│ inspector @ 0xf",
		"│ u8        233",
		"│ i8        -23",
		"│ u16 le    — (past end)",
		"│ u16 be    — (past end)",
		"│ i16 le    — (past end)",
		"│ i16 be    — (past end)",
		"│ u32 le    — (past end)",
		"│ u32 be    — (past end)",
		"│ i32 le    — (past end)",
		"│ i32 be    — (past end)",
		"│ u64 le    — (past end)",
		"│ u64 be    — (past end)",
		"│ i64 le    — (past end)",
		"│ i64 be    — (past end)",
		"│ f32 le    — (past end)",
		"│ f32 be    — (past end)",
		"│ f64 le    — (past end)",
		"│ f64 be    — (past end)",
		"│ binary    11101001",
		"│ utf-8     incomplete sequence",
		"│ time32 le — (past end)",
		"│ time32 be — (past end)",
		"│ time64 le — (past end)",
		"│ time64 be — (past end)",
		"│",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("inspector line %d: got %q, want %q", i, got[i], want[i])
		}
	}
	// Four bytes before the end: the 32-bit values appear, the 64-bit ones do not.
	h.press("Left", "Left", "Left")
	s := h.draw()
	for _, w := range []string{"│ u32 be    1667524073", "│ i32 le    -379231133", "│ f32 be    4.213201e+21", "│ time32 be 2022-11-04 01:07:53 UTC", "│ u64 le    — (past end)", "│ time64 le — (past end)"} {
		if !strings.Contains(s, w) {
			t.Errorf("4 bytes before the end: %q missing:\n%s", w, s)
		}
	}
}

// The goto expressions with k/M/G suffixes, hex and relative forms, on a
// file large enough for them.
func TestParseGotoSuffixes(t *testing.T) {
	t.Parallel()
	const size = 8 << 30
	for _, c := range []struct {
		expr   string
		cursor int64
		want   int64
		err    string
	}{
		{"1G", 0, 1 << 30, ""},
		{"2M", 0, 2 << 20, ""},
		{"3k", 0, 3 << 10, ""},
		{"+1G", 1, 1<<30 + 1, ""},
		{"-2k", 4096, 2048, ""},
		{"0x1ffffffff", 0, size - 1, ""},
		{"0x200000000", 0, 0, "past the end of the file (last offset 0x1ffffffff)"},
		{"8G", 0, 0, "past the end"},
		{"+8G", 0, 0, "past the end"},
		{"100%", 0, size - 1, ""},
		{"25%", 0, 2 << 30, ""},
		{"1.5k", 0, 0, "bad offset"},
		{"-", 0, 0, "bad offset"},
		{"12 34", 0, 0, "bad offset"},
	} {
		got, err := parseGoto(c.expr, c.cursor, size)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseGoto(%q): %d, %v; want error %q", c.expr, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseGoto(%q) = %d, %v; want %d", c.expr, got, err, c.want)
		}
	}
}

// cachedPages is the number of the file's pages in the page cache
// (cachestat over the whole file: cheap even for 1 TiB).
func cachedPages(t *testing.T, path string) int64 {
	t.Helper()
	fd, err := unix.Open(path, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var cs unix.Cachestat_t
	if err := unix.Cachestat(uint(fd), &unix.CachestatRange{}, &cs, 0); err != nil {
		testenv.SkipOrFail(t, "cachestat: %v (needs Linux 6.5)", err)
	}
	return int64(cs.Cache)
}

// Moving anywhere in a 1 TiB sparse file reads only what each frame shows:
// after jumps to the end, the middle, a data region and back, with the
// inspector shown, the file has only a few more pages in the page cache
// (a frame that read its window would bring in millions).
func TestMovingReadsOnlyVisibleBytes(t *testing.T) {
	p := writeFile(t, "huge.bin", nil)
	if err := os.Truncate(p, 1<<40); err != nil {
		testenv.SkipOrFail(t, "cannot make a 1 TiB sparse file here: %v", err)
	}
	fh, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 1 << 39, 1<<40 - 1<<20} {
		if _, err := fh.WriteAt([]byte(strings.Repeat("data", 1<<18)), off); err != nil {
			t.Fatal(err)
		}
	}
	fh.Close()
	before := cachedPages(t, p)
	h := newHarness(t, p, 120, 40, mapping.Options{}, Options{Inspector: true})
	for _, expr := range []string{"end", "50%", "0x7fffffffff", "+1G", "-3G", "0x1234567890", "0"} {
		h.press("Ctrl-G")
		h.typeText(expr)
		h.press("Enter")
		if h.e.PromptOpen() {
			t.Fatalf("goto %s failed:\n%s", expr, h.draw())
		}
		h.draw()
		h.press("PgDn", "PgDn")
		h.draw()
	}
	h.press("Ctrl-End")
	h.draw()
	h.press("PgUp", "Alt-<")
	h.draw()
	h.press("Alt->")
	s := h.draw()
	if h.e.Cursor() != 1<<40-1 || !strings.Contains(s, "\n ffffffffe0  64 61 74 61") || !strings.Contains(s, "0xffffffffff (1099511627775)") {
		t.Fatalf("not at the end of the 1 TiB file:\n%s", s)
	}
	grown := cachedPages(t, p) - before
	// Each frame touches a page or two, plus the kernel's read-around on a
	// fault (read_ahead_kb: 128 KiB, up to 8 MiB on some disks): about ten
	// places stay below 256 MiB, where a frame that mapped its 8 GiB window
	// in would bring two million pages.
	if grown > 65536 {
		t.Fatalf("moving through a 1 TiB file brought %d pages (%d MiB) into the page cache", grown, grown*4096>>20)
	}
	t.Logf("page cache grew by %d pages", grown)
}

// The help screen is generated from the active bindings: a user binding
// shows up in it, and the key it replaced does not.
func TestHelpFollowsBindings(t *testing.T) {
	m, probs := keymap.Parse("config.toml", []byte("[bindings]\n\"Alt-j\" = \"goto\"\n\"Ctrl-G\" = \"none\"\n"), "default")
	if len(probs) > 0 {
		t.Fatalf("configuration problems: %v", probs)
	}
	h := openKnown(t, 100, 40, Options{Keys: keymap.NewDispatcher(m)})
	h.press("F1")
	s := h.draw()
	var line string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "go to an offset") {
			line = l
		}
	}
	if !strings.Contains(line, "Alt-j") || strings.Contains(line, "Ctrl-G") {
		t.Fatalf("help line for goto %q, want Alt-j and not Ctrl-G:\n%s", line, s)
	}
	h.press("Esc", "Alt-j")
	if !h.e.PromptOpen() {
		t.Fatal("Alt-j did not open the goto prompt")
	}
}

// consoleKey reports whether a key name is delivered the same way by tmux,
// xterm-likes and the Linux console: plain characters, Ctrl-letter (other
// than the ones that are Tab, Enter, Backspace and Esc), Alt-character,
// F1..F12 and the unmodified editing and arrow keys. Ctrl- and Shift-
// combinations of special keys are not (the console sends nothing for them).
func consoleKey(k string) bool {
	switch k {
	case "{a-z}", // the letter argument of mark-set and mark-jump
		"Tab", "Enter", "Esc", "Backspace", "Delete", "Insert", "Home", "End", "PgUp", "PgDn",
		"Up", "Down", "Left", "Right", "Space":
		return true
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(k, "F")); err == nil && k[0] == 'F' && n >= 1 && n <= 12 {
		return true
	}
	if r := []rune(k); len(r) == 1 {
		return r[0] > 0x20 && r[0] < 0x7f
	}
	if rest, ok := strings.CutPrefix(k, "Ctrl-"); ok {
		return len(rest) == 1 && rest[0] >= 'A' && rest[0] <= 'Z' && !strings.Contains("IMH", rest)
	}
	if rest, ok := strings.CutPrefix(k, "Alt-"); ok {
		return len([]rune(rest)) == 1
	}
	return false
}

// Every action of the default preset has at least one key (or sequence)
// that works inside tmux and on the Linux console.
func TestEveryActionHasAConsoleKey(t *testing.T) {
	m, err := keymap.PresetMap("default")
	if err != nil {
		t.Fatal(err)
	}
	ok := map[keymap.Action]bool{}
	listed := map[keymap.Action]bool{}
	for _, sec := range m.Help() {
		for _, en := range sec.Entries {
			listed[en.Action] = true
			for _, seq := range en.Keys {
				all := true
				for _, k := range strings.Fields(seq) {
					all = all && consoleKey(k)
				}
				if all {
					ok[en.Action] = true
				}
			}
		}
	}
	for _, a := range keymap.All() {
		if keymap.VimOnly(a.Name) {
			continue
		}
		if !ok[a.Name] {
			t.Errorf("action %s has no key that works in tmux and the Linux console (listed: %v)", a.Name, listed[a.Name])
		}
	}
}

// The status line, exactly: cursor in hex, decimal and percent, the byte
// there, the column, unsynced edits and pages, then the last sync with its
// flag, pages, bytes and duration.
func TestStatusLine(t *testing.T) {
	h := openKnown(t, 120, 24, Options{})
	status := func() string {
		t.Helper()
		lines := strings.Split(h.draw(), "\n")
		return lines[len(lines)-3]
	}
	if got, want := status(), " 0x0 (0) 0.0%  byte 0x00 0  HEX │ no unsynced edits"; got != want {
		t.Errorf("status\n got %q\nwant %q", got, want)
	}
	h.typeText("4")
	if got, want := status(), " 0x0 (0) 0.0%  byte 0x40 64  HEX (low nibble) │ 1 edit unsynced, 1 page"; got != want {
		t.Errorf("status\n got %q\nwant %q", got, want)
	}
	h.typeText("1")
	h.press("Ctrl-G")
	h.typeText("0x2000")
	h.press("Enter", "Tab")
	h.typeText("xy")
	if got, want := status(), " 0x2002 (8194) 66.7%  byte 0x"; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "  TEXT │ 3 edits unsynced, 2 pages") {
		t.Errorf("status %q, want %q… TEXT │ 3 edits unsynced, 2 pages", got, want)
	}
	h.press("Ctrl-S")
	got := status()
	re := regexp.MustCompile(` │ no unsynced edits │ last sync: MS_SYNC 2 pages 8192 B [0-9.]+ (µs|ms|s)$`)
	if !re.MatchString(got) {
		t.Errorf("status after sync %q, want it to match %s", got, re)
	}
}

// A long path is shortened in the middle so the header still shows the
// file name's end, the size, the mode and the flags.
func TestHeaderLongPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/" + strings.Repeat("a-rather-long-folder-name/", 4)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"data.bin", knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, dir+"data.bin", 100, 10, mapping.Options{}, Options{})
	got := strings.Split(h.draw(), "\n")[0]
	if !strings.HasSuffix(got, "-name/data.bin  12.00 KiB (12288 B)  rw  PROT_READ|PROT_WRITE MAP_SHARED") || len([]rune(got)) != 100 {
		t.Errorf("header %q (%d cells)", got, len([]rune(got)))
	}
	if !strings.HasPrefix(got, " mmhex  /") || !strings.Contains(got, "…") {
		t.Errorf("header %q does not start with the path's beginning", got)
	}
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"short", 20, "short"},
		{"/abcdefghijklmnopqrstuvwxyz/file.bin", 20, "/abcde…wxyz/file.bin"},
		{"/abcdefghijklmnopqrstuvwxyz/file.bin", 5, "/abcdefghijklmnopqrstuvwxyz/file.bin"},
	} {
		if got := elideMiddle(c.in, c.w); got != c.want {
			t.Errorf("elideMiddle(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

// Ctrl-G opens the goto prompt however the terminal layer reports it:
// KeyCtrlG, KeyCtrlG with ModCtrl, or the letter with ModCtrl.
func TestCtrlKeyForms(t *testing.T) {
	for i, ev := range []*tcell.EventKey{
		tcell.NewEventKey(tcell.KeyCtrlG, 0, tcell.ModNone),
		tcell.NewEventKey(tcell.KeyCtrlG, 0, tcell.ModCtrl),
		tcell.NewEventKey(tcell.KeyRune, 'g', tcell.ModCtrl),
		tcell.NewEventKey(tcell.KeyRune, 'G', tcell.ModCtrl),
	} {
		h := openKnown(t, 100, 24, Options{})
		h.e.HandleKey(ev)
		if !h.e.PromptOpen() || h.f.UnsyncedEdits() != 0 {
			t.Errorf("form %d (%v): prompt open %v, edits %d", i, ev.Name(), h.e.PromptOpen(), h.f.UnsyncedEdits())
		}
	}
}

// Tiny terminals never crash the editor or draw outside the screen, with
// the inspector, a prompt, the help screen or the quit dialog open.
func TestTinyTerminals(t *testing.T) {
	h := openKnown(t, 100, 24, Options{Inspector: true})
	h.typeText("ab")
	for _, open := range [][]string{nil, {"Ctrl-G"}, {"F1"}, {"Ctrl-Q"}} {
		h.press(open...)
		for _, sz := range [][2]int{{1, 1}, {2, 2}, {10, 3}, {20, 4}, {5, 30}, {40, 5}} {
			h.sim.SetSize(sz[0], sz[1])
			s := h.draw()
			for i, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
				if len([]rune(line)) > sz[0] || i >= sz[1] {
					t.Fatalf("%v at %dx%d: line %d %q outside the screen", open, sz[0], sz[1], i, line)
				}
			}
			noControls(t, h)
		}
		h.sim.SetSize(100, 24)
		h.draw()
		h.press("Esc")
	}
	if h.e.stopped() || h.e.Cursor() != 1 {
		t.Fatalf("after the tiny sizes: quitting %v, cursor %d", h.e.stopped(), h.e.Cursor())
	}
}
