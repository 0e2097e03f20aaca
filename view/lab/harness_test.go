package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
	"mmhex/view"
	"mmhex/view/viewtest"
)

// harness is viewtest's editor on a simulation screen (driven without
// Run through view's exported API only) with the lab's two panels.
type harness struct {
	*viewtest.Harness
	pp *pagePanel
	dv *diskView
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
	pp, dv := &pagePanel{inline: inline}, &diskView{inline: inline}
	opts.Features = testFeatures(pp, dv)
	return &harness{Harness: viewtest.New(t, path, w, ht, mo, opts), pp: pp, dv: dv}
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
