package view

import (
	"bytes"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/mapping"
)

// randomHexKeys returns n random hex digits (n even) and the bytes they type.
func randomHexKeys(n int, seed uint64) (digits []rune, want []byte) {
	r := rand.New(rand.NewPCG(seed, 1))
	const hexd = "0123456789abcdef"
	want = make([]byte, n/2)
	for i := range want {
		want[i] = byte(r.Uint32())
		digits = append(digits, rune(hexd[want[i]>>4]), rune(hexd[want[i]&15]))
	}
	return digits, want
}

// typedRun is an editor running app.Run (the real event loop and drawing)
// on the terminal screen over a simulation screen of 120×40, counting the keys it has handled and
// the frames it has shown.
type typedRun struct {
	sim    tcell.SimulationScreen
	e      *Editor
	done   chan error
	keys   atomic.Int64 // keys that reached the editor
	frames atomic.Int64 // frames drawn
	// drawnAll is closed after the first frame drawn once keys reached want.
	want     int64
	drawnAll chan struct{}
	closed   bool
}

func startTyped(tb testing.TB, path string, want int64) *typedRun {
	tb.Helper()
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	r := &typedRun{sim: tcell.NewSimulationScreen("UTF-8"), done: make(chan error, 1), want: want, drawnAll: make(chan struct{})}
	// as Launch does: the terminal screen (term.go) over tcell's screen,
	// initialised, passed as Options.Screen (draw coalescing)
	ts := newTermScreen(r.sim, nil)
	if err := ts.Init(); err != nil {
		tb.Fatal(err)
	}
	r.sim.SetSize(120, 40)
	app := tview.NewApplication()
	if r.e, err = New(app, f, Options{Features: viewFeatures(), Screen: ts, test: hooksFor(tb)}); err != nil {
		tb.Fatal(err)
	}
	r.e.AddKeyHook(func(*tcell.EventKey) bool { r.keys.Add(1); return false })
	app.SetAfterDrawFunc(func(tcell.Screen) {
		r.frames.Add(1)
		if !r.closed && r.keys.Load() >= r.want {
			r.closed = true
			close(r.drawnAll)
		}
	})
	ended := make(chan struct{})
	go func() {
		err := r.e.Run()
		close(ended)
		r.done <- err
	}()
	stopOnCleanup(tb, r.e, ended)
	return r
}

// wait waits until every key was handled and a frame was drawn after the
// last one; false after the timeout.
func (r *typedRun) wait(timeout time.Duration) bool {
	select {
	case <-r.drawnAll:
		return true
	case <-time.After(timeout):
		return false
	}
}

func (r *typedRun) stop(tb testing.TB) {
	tb.Helper()
	go r.e.App().QueueUpdate(r.e.Stop)
	select {
	case err := <-r.done:
		if err != nil {
			tb.Fatal(err)
		}
	case <-time.After(uiWait):
		tb.Fatalf("the editor did not stop in %v", uiWait)
	}
}

// BenchmarkTypedKeys types b.N hex digits into a running editor (app.Run
// on a 120×40 simulation screen: the real event loop, key path and
// drawing) and reports keys handled per second, from the first key
// injected until the frame drawn after the last one. The file must then
// hold exactly the typed bytes.
func BenchmarkTypedKeys(b *testing.B) {
	n := max(b.N+b.N%2, 2)
	digits, want := randomHexKeys(n, 42)
	p := writeFile(b, "typed.bin", make([]byte, len(want)+4096))
	r := startTyped(b, p, int64(n))
	b.ResetTimer()
	start := time.Now()
	for _, d := range digits {
		r.sim.InjectKey(tcell.KeyRune, d, tcell.ModNone)
	}
	if !r.wait(5 * time.Minute) {
		b.Fatalf("%d of %d keys handled", r.keys.Load(), n)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(n)/el.Seconds(), "keys/s")
	b.ReportMetric(float64(r.frames.Load())/float64(n), "frames/key")
	r.stop(b)
	got, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Equal(got[:len(want)], want) {
		b.Fatalf("the file does not hold the %d typed bytes", len(want))
	}
}
