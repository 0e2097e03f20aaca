package view

import (
	"flag"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view/viewtest/simscreen"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testdata is the absolute path of testdata/ (tests change directory).
var testdata = func() string {
	p, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return p
}()

// harness is an editor on a simulation screen, driven without app.Run:
// keys go straight to HandleKey and frames are drawn with ForceDraw.
type harness struct {
	t   testing.TB
	sim tcell.SimulationScreen
	app *tview.Application
	e   *Editor
	f   *mapping.File
}

func newHarness(t testing.TB, path string, w, ht int, mo mapping.Options, opts Options) *harness {
	t.Helper()
	f, err := mapping.Open(path, mo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sim := tcell.NewSimulationScreen("UTF-8")
	app := tview.NewApplication()
	// Frames go through the termScreen, as on the terminal (term.go):
	// the cells a test reads are the ones it gives tcell.
	ts := newTermScreen(sim, nil)
	ts.mono = opts.NoColor
	app.SetScreen(ts)
	sim.SetSize(w, ht)
	opts.test = hooksFor(t) // syncPosts and the like may come after
	if opts.Features == nil {
		opts.Features = viewFeatures()
	}
	e, err := New(app, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sim: sim, app: app, e: e, f: f}
	h.draw() // as on the terminal: a frame before the first key
	return h
}

// viewFeatures is features.Default without the subpackages' features
// (view/lab), which this package's tests cannot import: the features of
// package view, in the same order. The lab's panels are tested in view/lab.
func viewFeatures() []Feature {
	return []Feature{Core(), Compare(), Inspector(), Live(), Marks(), Paste(), Search(), Selection(), WriteSelection(), Recovery(), Reshape()}
}

// hooksByTest holds the test hooks (testHooks) a test asked for before
// making its editor (measureInline, syncPosts, quietPanics): newHarness and
// runEditor give them to the editor in Options.
var hooksByTest sync.Map // testing.TB -> *testHooks

// hooksFor is t's test hooks, made on first use.
func hooksFor(t testing.TB) *testHooks {
	h, loaded := hooksByTest.LoadOrStore(t, &testHooks{})
	if !loaded {
		t.Cleanup(func() { hooksByTest.Delete(t) })
	}
	return h.(*testHooks)
}

// writeFile writes data to a new file in a temporary directory.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	return testenv.WriteFile(t, name, data)
}

// loopDevice attaches a loop device to a new image that holds content and
// returns the device and the image (root only: skipped, or failed under
// CI, elsewhere).
func loopDevice(t *testing.T, content []byte) (dev, img string) {
	t.Helper()
	return testenv.LoopDevice(t, int64(len(content)), content)
}

// press feeds keys by name ("Ctrl-G", "Down", "a") to the editor.
func (h *harness) press(names ...string) {
	h.t.Helper()
	simscreen.Press(h.t, h.e.HandleKey, names...)
}

// typeText feeds each rune of s as a key.
func (h *harness) typeText(s string) { simscreen.Type(h.e.HandleKey, s) }

// draw draws a frame and returns the screen as text, one line per row,
// trailing spaces trimmed.
func (h *harness) draw() string {
	// As Run: a frame, then what it posted to the UI goroutine (a refresh
	// after a failed read) and the adoption of a new screen size (a resize
	// is an event: drawScreen.resized), each followed by a frame.
	h.app.ForceDraw()
	h.e.runPosted()
	h.e.adoptLayout()
	h.app.ForceDraw()
	return simscreen.Text(h.sim)
}

// cell returns the rune and style at (x, y) of the last frame.
func (h *harness) cell(x, y int) (rune, tcell.Style) { return simscreen.Cell(h.sim, x, y) }

// find returns the position of the first occurrence of s on the screen.
func (h *harness) find(s string) (x, y int, ok bool) { return simscreen.Find(h.draw(), s) }

// golden compares got with testdata/name.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	simscreen.Golden(t, testdata, name, got, *update, "./view")
}
