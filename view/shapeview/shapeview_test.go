package shapeview

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/shape"
	"mmhex/mapping/testenv"
	"mmhex/view"
	"mmhex/view/hexfmt"
	"mmhex/view/viewtest"
	"mmhex/view/viewtest/simscreen"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testdata is the absolute path of testdata/ (the tests change directory).
var testdata = func() string {
	p, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return p
}()

// harness is viewtest's editor on a simulation screen with the program's
// features (features.Default's list, which this package's tests cannot
// import: it imports this package), this package's running their scans
// inline.
type harness struct {
	*viewtest.Harness
	em *entropyMap
	sp *stringsPanel
	hp *hashPanel
}

func newHarness(t testing.TB, path string, w, ht int) *harness {
	t.Helper()
	return makeHarness(t, path, w, ht, true)
}

// makeHarness: inline false runs the scans on their goroutines, as in the
// program.
func makeHarness(t testing.TB, path string, w, ht int, inline bool) *harness {
	t.Helper()
	em := &entropyMap{zoom: 1, inline: inline}
	sp, hp := &stringsPanel{inline: inline}, &hashPanel{inline: inline}
	feats := []view.Feature{
		view.Core(), view.Inspector(), view.Live(), view.Marks(), view.Paste(), view.Search(),
		view.Selection(), view.WriteSelection(),
		em, sp, hp, &copyAs{inline: inline},
	}
	m, err := keymap.PresetMap("default")
	if err != nil {
		t.Fatal(err)
	}
	h := viewtest.New(t, path, w, ht, mapping.Options{}, view.Options{Features: feats, Keys: keymap.NewDispatcher(m)})
	return &harness{Harness: h, em: em, sp: sp, hp: hp}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	simscreen.Golden(t, testdata, name, got, *update, "./view/shapeview")
}

// writeHere writes name in a new temporary folder made the working one:
// the header shows the name, so golden screens need a fixed one.
func writeHere(t *testing.T, name string, data []byte) string {
	t.Helper()
	t.Chdir(t.TempDir())
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// shapeFile is a 2 MiB sparse file: text, zeros, random bytes, high bytes,
// and holes between.
func shapeFile(t *testing.T) string {
	t.Helper()
	t.Chdir(t.TempDir()) // the header shows the name: a fixed one
	p := "shape.bin"
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	fh.Truncate(2 << 20)
	text := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. "), 3000)
	fh.WriteAt(text[:128<<10], 0)
	fh.WriteAt(make([]byte, 64<<10), 128<<10) // written zeros, not a hole
	fh.WriteAt(testenv.Pattern(256<<10, 7), 512<<10)
	hi := make([]byte, 128<<10)
	for i := range hi {
		hi[i] = 0x80 | byte(i*7)
	}
	fh.WriteAt(hi, 1<<20)
	fh.WriteAt([]byte("\x00last words here\x00"), 2<<20-64)
	fh.Close()
	return p
}

// Keys jump over the map's spans as a click does: entropy-next (Alt-})
// to the first byte of the span after the cursor's, entropy-prev (Alt-{)
// to the span's first byte, or the one before when already there; at the
// ends they stay and say so.
func TestEntropyMapKeys(t *testing.T) {
	p := shapeFile(t)
	h := newHarness(t, p, 80, 24)
	h.Press("Alt-e")
	h.Draw()
	h.E.RunTicks()
	h.Draw()
	em := h.em
	if len(em.blocks) < 3 {
		t.Fatalf("map of %d blocks", len(em.blocks))
	}
	h.Press("Alt-}")
	if got := h.E.Cursor(); got != em.blocks[1].Off {
		t.Fatalf("Alt-}: cursor %#x, want %#x", got, em.blocks[1].Off)
	}
	h.Press("Alt-}")
	if got := h.E.Cursor(); got != em.blocks[2].Off {
		t.Fatalf("Alt-} twice: cursor %#x, want %#x", got, em.blocks[2].Off)
	}
	h.E.SetCursor(em.blocks[2].Off + 5)
	h.Press("Alt-{")
	if got := h.E.Cursor(); got != em.blocks[2].Off {
		t.Fatalf("Alt-{ inside a span: cursor %#x, want its start %#x", got, em.blocks[2].Off)
	}
	h.Press("Alt-{")
	if got := h.E.Cursor(); got != em.blocks[1].Off {
		t.Fatalf("Alt-{ at a span's start: cursor %#x, want %#x", got, em.blocks[1].Off)
	}
	last := em.blocks[len(em.blocks)-1]
	h.E.SetCursor(last.Off)
	h.Press("Alt-}")
	if got := h.E.Cursor(); got != last.Off || !strings.Contains(h.Draw(), "entropy map: the last span") {
		t.Errorf("Alt-} on the last span: cursor %#x\n%s", got, h.Draw())
	}
	h.E.SetCursor(0)
	h.Press("Alt-{")
	if got := h.E.Cursor(); got != 0 || !strings.Contains(h.Draw(), "entropy map: the first span") {
		t.Errorf("Alt-{ at 0: cursor %#x\n%s", got, h.Draw())
	}
}

// The entropy map at 80 and 160 columns: one cell a span, the class letter
// and the colour of its entropy, holes as holes, the visible spans marked;
// every cell agrees with shape.Entropy for its span.
func TestEntropyMapGolden(t *testing.T) {
	p := shapeFile(t)
	for _, size := range [][2]int{{80, 24}, {160, 40}} {
		h := newHarness(t, p, size[0], size[1])
		h.Press("Alt-e")
		h.Draw()       // the map's height is known after a frame
		h.E.RunTicks() // a tick computes the map for it
		screen := h.Draw()
		golden(t, fmt.Sprintf("entropy_map_%d", size[0]), screen)
		em := h.em
		if len(em.blocks) == 0 || em.have.span*int64(len(em.blocks)) < h.F.Size() {
			t.Fatalf("%d columns: map of %d blocks of %d bytes", size[0], len(em.blocks), em.have.span)
		}
		// the map's column: find the bar of the first row
		x := -1
		for cx := size[0] - 1; cx >= 0; cx-- {
			if r, _ := h.Cell(cx, 1); r == '▐' {
				x = cx
				break
			}
		}
		if x < 0 {
			t.Fatalf("%d columns: no visible-range bar in row 1:\n%s", size[0], screen)
		}
		var want []shape.Block
		shape.Entropy(context.Background(), h.F, 0, h.F.Size(), em.have.span, func(b []shape.Block) bool { want = append(want, b...); return true }, nil)
		for i, b := range want {
			r, st := h.Cell(x+1, 1+i)
			_, bg, _ := st.Decompose()
			switch {
			case b.Hole:
				if r != '░' {
					t.Errorf("row %d (hole at 0x%x): %q", i, b.Off, r)
				}
			case r != classGlyph[b.Class] || bg != entropyBg[min(int(b.Entropy), 7)]:
				t.Errorf("row %d at 0x%x: %q on %v, want %q (entropy %.2f, %s)", i, b.Off, r, bg, classGlyph[b.Class], b.Entropy, b.Class)
			}
		}
		// a click on a span's row jumps to its first byte
		root := h.App.GetFocus()
		for _, r := range []int{5, len(want) - 1} {
			root.MouseHandler()(tview.MouseLeftClick, tcell.NewEventMouse(x+1, 1+r, tcell.Button1, tcell.ModNone), func(tview.Primitive) {})
			if h.E.Cursor() != want[r].Off {
				t.Errorf("click on row %d: cursor %#x, want %#x", r, h.E.Cursor(), want[r].Off)
			}
		}
		h.E.SetCursor(0)
		h.Press("Alt-E")
		if em.zoom != 4 || em.have.end-em.have.start != h.F.Size()/4 {
			t.Errorf("zoom: %d, range [%d, %d)", em.zoom, em.have.start, em.have.end)
		}
	}
}

// The strings panel at 80 and 160 columns; typing filters; Enter jumps to
// the string; Tab scans the visible rows only; Esc closes it.
func TestStringsPanelGolden(t *testing.T) {
	data := make([]byte, 64<<10)
	copy(data[0x100:], "alpha beta gamma\x00")
	copy(data[0x2345:], "\x01second string here\x02")
	copy(data[0x8000:], "GAMMA ray burst\x00")
	copy(data[0xfff0:], "tail")
	p := writeHere(t, "strings.bin", data)
	for _, size := range [][2]int{{80, 24}, {160, 40}} {
		h := newHarness(t, p, size[0], size[1])
		h.Press("Alt-l")
		golden(t, fmt.Sprintf("strings_panel_%d", size[0]), h.Draw())
		h.Type("gam")
		golden(t, fmt.Sprintf("strings_panel_filter_%d", size[0]), h.Draw())
		h.Press("Down", "Enter")
		if h.E.Cursor() != 0x8000 {
			t.Errorf("Enter: cursor at %#x, want 0x8000", h.E.Cursor())
		}
		h.Press("Esc")
		if h.E.PanelShown(stringsPanelName) {
			t.Errorf("Esc: the panel is still shown")
		}
	}
}

// The filter finds the strings of the whole file, also those past the
// first maxStrings the list keeps (it scans again for them); narrowing a
// complete list filters it without a scan.
func TestStringsPanelFilterPastTheList(t *testing.T) {
	var data []byte
	for i := 0; i <= maxStrings; i++ {
		data = append(data, "abcd\x00"...)
	}
	far := int64(len(data))
	data = append(data, "a Needle here\x00tail needle\x00"...)
	p := writeHere(t, "many.bin", data)
	h := newHarness(t, p, 120, 30)
	h.Press("Alt-l")
	if h.sp.found != maxStrings+3 || len(h.sp.items) != maxStrings {
		t.Fatalf("found %d listed %d, want %d and %d", h.sp.found, len(h.sp.items), maxStrings+3, maxStrings)
	}
	h.Type("needle")
	var offs []int64
	for _, i := range h.sp.match {
		offs = append(offs, h.sp.items[i].Off)
	}
	if len(offs) != 2 || offs[0] != far || offs[1] != far+14 {
		t.Fatalf("filter needle: offsets %v, want [%#x %#x]", offs, far, far+14)
	}
	if screen := h.Draw(); !strings.Contains(screen, fmt.Sprintf("strings of the whole file: %d, 2 with \"needle\"", maxStrings+3)) {
		t.Errorf("head:\n%s", screen)
	}
	h.Type(" h") // narrows a complete list: no scan
	if len(h.sp.match) != 1 || h.sp.items[h.sp.match[0]].Off != far {
		t.Errorf("filter \"needle h\": %d matches", len(h.sp.match))
	}
	h.Press("Enter")
	if h.E.Cursor() != far {
		t.Errorf("Enter: cursor %#x, want %#x", h.E.Cursor(), far)
	}
	for range "needle h" {
		h.Press("Backspace")
	}
	if len(h.sp.items) != maxStrings || len(h.sp.match) != maxStrings {
		t.Errorf("no filter: %d listed, %d shown, want %d", len(h.sp.items), len(h.sp.match), maxStrings)
	}
}

// The hash panel: the five values of the whole file, as shape.Hash and
// sha256sum say; a digit copies one (OSC 52); a selection is hashed alone.
func TestHashPanelGolden(t *testing.T) {
	data := testenv.Pattern(100000, 3)
	p := writeHere(t, "hash.bin", data)
	for _, size := range [][2]int{{80, 24}, {160, 40}} {
		h := newHarness(t, p, size[0], size[1])
		h.Press("Alt-k")
		golden(t, fmt.Sprintf("hash_panel_%d", size[0]), h.Draw())
		out, err := exec.Command(testenv.RequireTool(t, "sha256sum"), p).Output()
		if err != nil {
			t.Fatal(err)
		}
		h.Type("4")
		if got := string(h.Clipboard()); got != strings.Fields(string(out))[0] {
			t.Errorf("4: clipboard %q, want sha256sum's %q", got, out)
		}
	}
	h := newHarness(t, p, 80, 24)
	h.E.StartSelection(16)
	h.E.SetCursor(16 + 255)
	off, n, _ := h.E.Selection()
	h.Press("Alt-k")
	sums, _ := shape.Hash(context.Background(), h.F, off, off+n, shape.Algos, nil)
	if !strings.Contains(h.Draw(), "hashes of 0x10–0x110 (256 B)") {
		t.Errorf("selection: %s", h.Draw())
	}
	h.Type("1")
	if got := string(h.Clipboard()); got != sums[0].Hex {
		t.Errorf("crc32 of the selection: %q, want %q", got, sums[0].Hex)
	}
}

// Copy-as without a selection says so, and the digit typed next (Alt-a 3
// out of habit) is taken by copy-as, never typed into the file; a key
// after it works as usual.
func TestCopyAsNoSelection(t *testing.T) {
	data := testenv.Pattern(4096, 5)
	p := writeHere(t, "nosel.bin", data)
	h := newHarness(t, p, 200, 30)
	h.Press("Alt-a")
	if screen := h.Draw(); !strings.Contains(screen, "copy-as: no selection (select with Ctrl-Space first)") {
		t.Fatalf("no selection:\n%s", screen)
	}
	h.Type("3")
	if h.F.UnsyncedEdits() != 0 || h.E.PromptOpen() {
		t.Fatalf("after the digit: %d edits, prompt open %v", h.F.UnsyncedEdits(), h.E.PromptOpen())
	}
	got := make([]byte, len(data))
	h.F.ReadAt(got, 0)
	if !bytes.Equal(got, data) {
		t.Fatal("the digit changed the file")
	}
	h.Press("Right")
	if h.E.Cursor() != 1 {
		t.Errorf("Right after: cursor %d", h.E.Cursor())
	}
}

// Copy-as: each format of a selection to the clipboard is hexfmt.CopyAs of
// its bytes; past 64 KiB of text it says so and copies nothing; f writes a
// new file and refuses an existing one.
func TestCopyAs(t *testing.T) {
	data := testenv.Pattern(200000, 5)
	p := writeHere(t, "copy.bin", data)
	h := newHarness(t, p, 200, 30)
	h.E.StartSelection(100)
	h.E.SetCursor(100 + 999)
	for i, f := range hexfmt.CopyFormats {
		h.Press("Alt-a")
		h.Type(fmt.Sprint(i + 1))
		want := hexfmt.CopyAs(data[100:1100], f.Format, h.E.FileName())
		if got := h.Clipboard(); !bytes.Equal(got, want) {
			t.Errorf("%s: clipboard %d bytes, want %d", f.Format, len(got), len(want))
		}
	}
	// 30 000 bytes as C: about 180 KB of text
	h.E.ClearSelection()
	h.E.StartSelection(0)
	h.E.SetCursor(29999)
	before := h.Clipboard()
	h.Press("Alt-a")
	h.Type("3")
	screen := h.Draw()
	if !strings.Contains(screen, "as c the selection is") || !strings.Contains(screen, "takes at most 65536 bytes (64 KiB)") || !bytes.Equal(h.Clipboard(), before) {
		t.Errorf("over the limit:\n%s", screen)
	}
	// just over the limit: the sizes in bytes, not both rounded to the
	// same "64.00 KiB" (which would read as no reason at all)
	h.E.ClearSelection()
	h.E.StartSelection(0)
	h.E.SetCursor(0x8000) // 0x8001 bytes: 65538 bytes of hex
	h.Press("Alt-a")
	h.Type("1")
	if screen := h.Draw(); !strings.Contains(screen, "as hex the selection is 65538 bytes of text: the terminal clipboard (OSC 52) takes at most 65536 bytes (64 KiB)") || !bytes.Equal(h.Clipboard(), before) {
		t.Errorf("just over the limit:\n%s", screen)
	}
	h.E.ClearSelection()
	h.E.StartSelection(0)
	h.E.SetCursor(0x10000) // 65537 bytes: too many whatever the format
	h.Press("Alt-a")
	h.Type("7")
	if screen := h.Draw(); !strings.Contains(screen, "the selection is 65537 bytes: as base64 it is more than the 65536 bytes (64 KiB) the terminal clipboard (OSC 52) takes") || !bytes.Equal(h.Clipboard(), before) {
		t.Errorf("bytes over the limit:\n%s", screen)
	}
	// at the limit: copied
	h.E.ClearSelection()
	h.E.StartSelection(0)
	h.E.SetCursor(0x7fff) // 65536 bytes of hex
	h.Press("Alt-a")
	h.Type("1")
	if got := h.Clipboard(); len(got) != 65536 || !bytes.Equal(got, hexfmt.CopyAs(data[:0x8000], hexfmt.CopyFormats[0].Format, h.E.FileName())) {
		t.Errorf("at the limit: clipboard %d bytes, want the 65536 of the hex text", len(got))
	}
	h.E.ClearSelection()
	h.E.StartSelection(0)
	h.E.SetCursor(29999)
	out := filepath.Join(t.TempDir(), "out.c")
	h.Press("Alt-a")
	h.Type("f3")
	h.Type(out)
	h.Press("Enter")
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "the file", got, hexfmt.CopyAs(data[:30000], hexfmt.AsC, h.E.FileName()))
	h.Press("Alt-a")
	h.Type("f3")
	h.Type(out)
	h.Press("Enter")
	if screen := h.Draw(); !strings.Contains(screen, "exists: copy-as writes only a new file") {
		t.Errorf("existing file:\n%s", screen)
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(again, got) {
		t.Errorf("the existing file changed")
	}
}

// The hash of a 64 GiB sparse file runs in the background: the status line
// shows its progress, Esc stops it (the status line then says so and no
// panel opens), and the editor keeps taking keys meanwhile.
func TestHashProgressAndEsc(t *testing.T) {
	t.Chdir(t.TempDir())
	fh, err := os.Create("big.bin")
	if err != nil {
		t.Fatal(err)
	}
	fh.Truncate(64 << 30)
	fh.Close()
	h := makeHarness(t, "big.bin", 100, 24, false)
	h.Press("Alt-k")
	var screen string
	for deadline := time.Now().Add(20 * time.Second); ; {
		screen = h.Draw()
		if strings.Contains(screen, "% (Esc stops)") || strings.Contains(screen, "%… (Esc stops)") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress in the status line:\n%s", screen)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(screen, "hashing ") {
		t.Fatalf("status line:\n%s", screen)
	}
	h.Press("Right") // keys still work while it runs
	if h.E.Cursor() != 1 {
		t.Errorf("cursor %d after Right", h.E.Cursor())
	}
	h.Press("Esc")
	screen = h.Draw()
	if !strings.Contains(screen, "hash stopped") || strings.Contains(screen, "(Esc stops)") {
		t.Fatalf("after Esc:\n%s", screen)
	}
	if h.E.PanelShown(hashPanelName) {
		t.Fatalf("the hash panel opened after Esc")
	}
}
