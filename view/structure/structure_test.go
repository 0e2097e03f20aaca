package structure

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
	"mmhex/view/viewtest"
)

// harness is viewtest's editor on a simulation screen with the structure
// panel decoding on the calling goroutine (inline), driven through view's
// exported API only.
type harness struct {
	*viewtest.Harness
	p *panel
}

func newHarness(t testing.TB, path string, w, ht int, opts view.Options) *harness {
	t.Helper()
	p := &panel{inline: true}
	opts.Features = []view.Feature{view.Core(), view.Inspector(), view.Selection(), p}
	return &harness{Harness: viewtest.New(t, path, w, ht, mapping.Options{}, opts), p: p}
}

// selectPath moves the tree's selection down (opening branches on the
// way) until the selected row is path.
func (h *harness) selectPath(path string) {
	h.T.Helper()
	h.Press("Home")
	for i := 0; i < 500; i++ {
		r, ok := h.p.current()
		if ok && r.in.Path == path {
			return
		}
		if ok && r.in.Kind != 0 && strings.HasPrefix(path, r.in.Path+".") && !h.p.open[r.in.Path] {
			h.Press("Right")
			continue
		}
		h.Press("Down")
	}
	h.T.Fatalf("no row %s", path)
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
	h.Press("Alt-t")
	screen := h.Draw()
	if !strings.Contains(screen, "structure: elf (ELF object file)") || !strings.Contains(screen, "▸ header") || !strings.Contains(screen, "▸ section_headers") {
		t.Fatalf("panel:\n%s", screen)
	}
	h.selectPath("header.e_entry")
	if h.E.Cursor() != 0x18 {
		t.Fatalf("cursor %#x, want 0x18 (e_entry)", h.E.Cursor())
	}
	screen = h.Draw()
	want := "e_entry"
	if !strings.Contains(screen, want) || !strings.Contains(screen, "field header.e_entry") {
		t.Fatalf("no e_entry row / status:\n%s", screen)
	}
	// the 8 bytes of e_entry are highlighted in the grid, the byte after is not
	const row = 3 // the screen row of offset 0x10 (after the header, the column line and 0x00)
	cells, w, _ := h.Screen.GetContents()
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
	h.Press("Esc")
	h.Press("Ctrl-G")
	h.Type("0x3c")
	h.Press("Enter")
	if s := h.Draw(); !strings.Contains(s, "field header.e_shnum") {
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
	h.Press("Alt-t")
	h.selectPath("header.e_entry")
	h.Press("Enter")
	h.Press("Ctrl-U")
	h.Type("0x1122334455")
	h.Press("Enter")
	got := make([]byte, 8)
	h.F.ReadAt(got, 0x18)
	if v := ef.ByteOrder.Uint64(got); v != 0x1122334455 {
		t.Fatalf("e_entry bytes % x", got)
	}
	if s := h.Draw(); !strings.Contains(s, "header.e_entry = 0x1122334455: 8 bytes at 0x18") || !strings.Contains(s, "73588229205 (0x1122334455)") {
		t.Fatalf("after the edit:\n%s", s)
	}
	h.Press("Esc") // back to the grid: Ctrl-Z undoes the edit at once
	h.Press("Ctrl-Z")
	h.F.ReadAt(got, 0x18)
	if v := ef.ByteOrder.Uint64(got); v != ef.Entry {
		t.Fatalf("after one undo e_entry = %#x, want %#x", v, ef.Entry)
	}
	h.Press("Alt-t")
	h.selectPath("header.e_phnum")
	h.Press("Enter", "Ctrl-U")
	h.Type("70000")
	h.Press("Enter")
	if s := h.Draw(); !strings.Contains(s, "70000 does not fit in u2 (0 to 65535)") {
		t.Fatalf("refusal:\n%s", s)
	}
	h.Press("Esc")
	b := make([]byte, 2)
	h.F.ReadAt(b, 0x38)
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
	h.Press("Enter", "Ctrl-U")
	h.Type("rel")
	h.Press("Enter")
	h.F.ReadAt(b, 0x10)
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
	h.Press("Alt-t")
	s := h.Draw()
	if !strings.Contains(strings.Join(strings.Fields(s), " "), "notes.txt: no format recognised (give one with --format NAME or --format FILE.ksy; built in: elf, gpt, gzip, mbr, png, tar, zip) 0x0 (0)") {
		t.Fatalf("panel:\n%s", s)
	}
	h.Press("Esc", "Right")
	if h.E.Cursor() != 1 {
		t.Fatalf("the grid does not take keys after Esc: cursor %d", h.E.Cursor())
	}
}

// TestPanelJumpList: browsing the structure panel is a jump, as the issue
// asks of structure jumps: the place the grid's cursor had when the panel
// took the focus goes on the jump list once (not one place per row moved),
// so Alt-Left after browsing comes back there and Alt-Right returns to the
// field; a later visit pushes the field it starts from.
func TestPanelJumpList(t *testing.T) {
	p, _ := elfCopy(t)
	h := newHarness(t, p, 120, 40, view.Options{})
	h.Press("Ctrl-G")
	h.Type("0x100")
	h.Press("Enter")
	h.Press("Alt-t")
	h.selectPath("header.e_entry")
	if h.E.Cursor() != 0x18 {
		t.Fatalf("cursor %#x, want 0x18 (e_entry)", h.E.Cursor())
	}
	h.Press("Esc")
	h.Press("Alt-Left")
	if c := h.E.Cursor(); c != 0x100 {
		t.Fatalf("Alt-Left after browsing the structure: cursor %#x, want 0x100 (where the browse began)", c)
	}
	h.Press("Alt-Right")
	if c := h.E.Cursor(); c != 0x18 {
		t.Fatalf("Alt-Right: cursor %#x, want 0x18", c)
	}
	h.Press("Alt-t")
	h.selectPath("header.e_shnum")
	if c := h.E.Cursor(); c != 0x3c {
		t.Fatalf("cursor %#x, want 0x3c (e_shnum)", c)
	}
	h.Press("Esc")
	h.Press("Alt-Left")
	if c := h.E.Cursor(); c != 0x18 {
		t.Fatalf("Alt-Left after the second visit: cursor %#x, want 0x18", c)
	}
	h.Press("Alt-Left")
	if c := h.E.Cursor(); c != 0x100 {
		t.Fatalf("second Alt-Left: cursor %#x, want 0x100", c)
	}
	if s := h.Draw(); !strings.Contains(s, "jump 2 of 4: 0x100 (256)") {
		t.Fatalf("jump list after two visits:\n%s", s)
	}
	// inside the panel, Alt-Left and Alt-Right are the jump keys, not the
	// tree's close and open (before: the panel took every Left and Right)
	h.Press("Alt-t")
	h.selectPath("header.e_entry")
	sel := h.p.sel
	h.Press("Alt-Left")
	if s := h.Draw(); h.p.sel != sel || !strings.Contains(s, " jump ") {
		t.Fatalf("Alt-Left in the panel: row %d (was %d), no jump said: the tree took it:\n%s", h.p.sel, sel, s)
	}
}
