package structure

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
)

// harness is an editor on a simulation screen with the structure panel
// decoding on the calling goroutine (inline), driven through view's
// exported API only.
type harness struct {
	t   testing.TB
	sim tcell.SimulationScreen
	app *tview.Application
	e   *view.Editor
	f   *mapping.File
	p   *panel
}

func newHarness(t testing.TB, path string, w, ht int, opts view.Options) *harness {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sim := tcell.NewSimulationScreen("UTF-8")
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	app := tview.NewApplication()
	app.SetScreen(sim)
	sim.SetSize(w, ht)
	p := &panel{inline: true}
	opts.Features = []view.Feature{view.Core(), view.Inspector(), view.Selection(), p}
	e, err := view.New(app, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sim: sim, app: app, e: e, f: f, p: p}
	h.draw()
	return h
}

func (h *harness) press(names ...string) {
	h.t.Helper()
	for _, n := range names {
		k, err := keymap.ParseKey(n)
		if err != nil {
			h.t.Fatalf("key %q: %v", n, err)
		}
		h.e.HandleKey(k.Event())
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.e.HandleKey(tcell.NewEventKey(tcell.KeyRune, r, tcell.ModNone))
	}
}

func (h *harness) draw() string {
	h.app.ForceDraw()
	cells, w, ht := h.sim.GetContents()
	var b strings.Builder
	for y := 0; y < ht; y++ {
		var line strings.Builder
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				if x > 0 && len(cells[y*w+x-1].Runes) > 0 && uniseg.StringWidth(string(cells[y*w+x-1].Runes[0])) == 2 {
					continue
				}
				line.WriteByte(' ')
				continue
			}
			line.WriteString(string(c.Runes))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// selectPath moves the tree's selection down (opening branches on the
// way) until the selected row is path.
func (h *harness) selectPath(path string) {
	h.t.Helper()
	h.press("Home")
	for i := 0; i < 500; i++ {
		r, ok := h.p.current()
		if ok && r.in.Path == path {
			return
		}
		if ok && r.in.Kind != 0 && strings.HasPrefix(path, r.in.Path+".") && !h.p.open[r.in.Path] {
			h.press("Right")
			continue
		}
		h.press("Down")
	}
	h.t.Fatalf("no row %s", path)
}

func elfCopy(t *testing.T) (string, *elf.File) {
	t.Helper()
	src, err := os.Executable() // the test binary: an ELF file of this platform
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "prog")
	testenv.CopyFile(t, src, p, 0o644)
	ef, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ef.Close() })
	return p, ef
}

// TestPanelTree: Alt-t opens the panel on the decoded tree; moving to a
// field moves the grid's cursor to it, highlights its bytes and names it
// in the status line; Esc gives the keys back to the grid, where the
// status line names the field under the cursor.
func TestPanelTree(t *testing.T) {
	p, ef := elfCopy(t)
	h := newHarness(t, p, 120, 40, view.Options{})
	h.press("Alt-t")
	screen := h.draw()
	if !strings.Contains(screen, "structure: elf (ELF object file)") || !strings.Contains(screen, "▸ header") || !strings.Contains(screen, "▸ section_headers") {
		t.Fatalf("panel:\n%s", screen)
	}
	h.selectPath("header.e_entry")
	if h.e.Cursor() != 0x18 {
		t.Fatalf("cursor %#x, want 0x18 (e_entry)", h.e.Cursor())
	}
	screen = h.draw()
	want := "e_entry"
	if !strings.Contains(screen, want) || !strings.Contains(screen, "field header.e_entry") {
		t.Fatalf("no e_entry row / status:\n%s", screen)
	}
	// the 8 bytes of e_entry are highlighted in the grid, the byte after is not
	const row = 3 // the screen row of offset 0x10 (after the header, the column line and 0x00)
	cells, w, _ := h.sim.GetContents()
	found := 0
	for x := 0; x < w; x++ {
		c := cells[row*w+x] // e_entry is 0x18..0x1f
		if _, bg, _ := c.Style.Decompose(); bg == tcell.PaletteColor(6) {
			found++
		}
	}
	if found < 8*3 { // two hex digits a byte and the text column
		t.Errorf("%d highlighted cells on the 0x10 row, want the 8 bytes of e_entry", found)
	}
	for x := 0; x < w; x++ {
		if _, bg, _ := cells[(row+1)*w+x].Style.Decompose(); bg == tcell.PaletteColor(6) {
			t.Fatalf("a cell of the 0x20 row is highlighted (x %d): e_entry ends at 0x1f", x)
		}
	}
	h.press("Esc")
	h.press("Ctrl-G")
	h.typeText("0x3c")
	h.press("Enter")
	if s := h.draw(); !strings.Contains(s, "field header.e_shnum") {
		t.Fatalf("status after moving the grid to 0x3c:\n%s", s)
	}
	_ = ef
}

// TestPanelEdit: Enter on e_entry edits it as one journaled edit of 8
// bytes in the file's byte order; a value that does not fit a u2 is
// refused with the range and nothing changes; an enum takes its member's
// name.
func TestPanelEdit(t *testing.T) {
	p, ef := elfCopy(t)
	h := newHarness(t, p, 120, 40, view.Options{})
	h.press("Alt-t")
	h.selectPath("header.e_entry")
	h.press("Enter")
	h.press("Ctrl-U")
	h.typeText("0x1122334455")
	h.press("Enter")
	got := make([]byte, 8)
	h.f.ReadAt(got, 0x18)
	if v := ef.ByteOrder.Uint64(got); v != 0x1122334455 {
		t.Fatalf("e_entry bytes % x", got)
	}
	if s := h.draw(); !strings.Contains(s, "header.e_entry = 0x1122334455: 8 bytes at 0x18") || !strings.Contains(s, "73588229205 (0x1122334455)") {
		t.Fatalf("after the edit:\n%s", s)
	}
	h.press("Esc") // back to the grid: Ctrl-Z undoes the edit at once
	h.press("Ctrl-Z")
	h.f.ReadAt(got, 0x18)
	if v := ef.ByteOrder.Uint64(got); v != ef.Entry {
		t.Fatalf("after one undo e_entry = %#x, want %#x", v, ef.Entry)
	}
	h.press("Alt-t")
	h.selectPath("header.e_phnum")
	h.press("Enter", "Ctrl-U")
	h.typeText("70000")
	h.press("Enter")
	if s := h.draw(); !strings.Contains(s, "70000 does not fit in u2 (0 to 65535)") {
		t.Fatalf("refusal:\n%s", s)
	}
	h.press("Esc")
	b := make([]byte, 2)
	h.f.ReadAt(b, 0x38)
	var phnum uint16
	if ef.Data == elf.ELFDATA2LSB {
		phnum = binary.LittleEndian.Uint16(b)
	} else {
		phnum = binary.BigEndian.Uint16(b)
	}
	if int(phnum) != len(ef.Progs) {
		t.Fatalf("e_phnum changed to %d", phnum)
	}
	h.selectPath("header.e_type")
	h.press("Enter", "Ctrl-U")
	h.typeText("rel")
	h.press("Enter")
	h.f.ReadAt(b, 0x10)
	if b[0]|b[1] != 1 {
		t.Fatalf("e_type = rel wrote % x", b)
	}
}

// TestPanelNoFormat: a file no format fits: the panel says so (the
// command line's line), and the editor goes on.
func TestPanelNoFormat(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(p, []byte("just some text\n"), 0o644)
	h := newHarness(t, p, 120, 30, view.Options{})
	h.press("Alt-t")
	s := h.draw()
	if !strings.Contains(strings.Join(strings.Fields(s), " "), "notes.txt: no format recognised (give one with --format NAME or --format FILE.ksy; built in: elf, gpt, gzip, mbr, png, tar, zip) 0x0 (0)") {
		t.Fatalf("panel:\n%s", s)
	}
	h.press("Esc", "Right")
	if h.e.Cursor() != 1 {
		t.Fatalf("the grid does not take keys after Esc: cursor %d", h.e.Cursor())
	}
}
