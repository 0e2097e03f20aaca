package lab

import (
	"os"
	"os/exec"
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

// harness is an editor on a simulation screen, driven without Run through
// view's exported API only (HandleKey, RunTicks, ForceDraw), as any
// feature package's tests can: keys go straight to HandleKey and frames
// are drawn with ForceDraw.
type harness struct {
	t   testing.TB
	sim tcell.SimulationScreen
	app *tview.Application
	e   *view.Editor
	f   *mapping.File
	pp  *pagePanel
	dv  *diskView
}

// newHarness makes an editor with the program's features, in the order of
// features.Default (which this package's tests cannot import: it imports
// lab; TestDefaultOrder in view/features checks the two agree).
func newHarness(t testing.TB, path string, w, ht int, mo mapping.Options, opts view.Options) *harness {
	return makeHarness(t, path, w, ht, mo, opts, false)
}

// newInlineHarness is newHarness with panels that measure on the calling
// goroutine, so a frame right after a key shows the new figures.
func newInlineHarness(t testing.TB, path string, w, ht int, mo mapping.Options, opts view.Options) *harness {
	return makeHarness(t, path, w, ht, mo, opts, true)
}

// testFeatures is features.Default with the lab's panels given.
func testFeatures(pp *pagePanel, dv *diskView) []view.Feature {
	return []view.Feature{
		view.Core(), view.Compare(), dv, view.Inspector(), view.Live(), view.Marks(), pp,
		view.Paste(), view.Search(), view.Selection(), view.WriteSelection(),
	}
}

func makeHarness(t testing.TB, path string, w, ht int, mo mapping.Options, opts view.Options, inline bool) *harness {
	t.Helper()
	f, err := mapping.Open(path, mo)
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
	pp, dv := &pagePanel{inline: inline}, &diskView{inline: inline}
	opts.Features = testFeatures(pp, dv)
	e, err := view.New(app, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sim: sim, app: app, e: e, f: f, pp: pp, dv: dv}
	h.draw() // as on the terminal: a frame before the first key
	return h
}

// writeFile writes data to a new file in a temporary directory.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// loopDevice attaches a loop device to a new image that starts with
// content and returns the device and the image (root only: skipped, or
// failed under CI, elsewhere).
func loopDevice(t *testing.T, content []byte) (dev, img string) {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "loop devices need root")
	}
	img = writeFile(t, "dev.img", content)
	out, err := exec.Command("losetup", "-f", "--show", img).CombinedOutput()
	if err != nil {
		testenv.SkipOrFail(t, "losetup: %v %s: no loop devices here", err, out)
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	return dev, img
}

// shmFile writes data to a new file on tmpfs (/dev/shm).
func shmFile(t *testing.T, data []byte) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "mmhex-test")
	if err != nil {
		testenv.SkipOrFail(t, "no /dev/shm: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := filepath.Join(dir, "t.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// press feeds keys by name ("Ctrl-G", "Down", "a") to the editor.
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

// typeText feeds each rune of s as a key.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.e.HandleKey(tcell.NewEventKey(tcell.KeyRune, r, tcell.ModNone))
	}
}

// draw draws a frame and returns the screen as text, one line per row,
// trailing spaces trimmed.
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

// cell returns the rune and style at (x, y) of the last frame.
func (h *harness) cell(x, y int) (rune, tcell.Style) {
	cells, w, _ := h.sim.GetContents()
	c := cells[y*w+x]
	r := ' '
	if len(c.Runes) > 0 {
		r = c.Runes[0]
	}
	return r, c.Style
}

// find returns the position of the first occurrence of s on the screen.
func (h *harness) find(s string) (x, y int, ok bool) {
	for y, line := range strings.Split(h.draw(), "\n") {
		if i := strings.Index(line, s); i >= 0 {
			return len([]rune(line[:i])), y, true
		}
	}
	return 0, 0, false
}

// TestHarnessFeatures: the harness's list is in features.Default's order
// (TestDefault in view/features checks the names there).
func TestHarnessFeatures(t *testing.T) {
	t.Parallel()
	want := []string{"core", "compare", "disk view", "inspector", "live view", "marks", "page panel",
		"paste", "search", "selection", "write-selection"}
	var got []string
	for _, f := range testFeatures(&pagePanel{}, &diskView{}) {
		got = append(got, f.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("testFeatures: %q\nwant %q", got, want)
	}
}
