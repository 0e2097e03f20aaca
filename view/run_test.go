package view

import (
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
)

// finiScreen records whether the screen was finalised (terminal restored).
type finiScreen struct {
	tcell.SimulationScreen
	finis atomic.Int32
}

func (s *finiScreen) Fini() {
	s.finis.Add(1)
	s.SimulationScreen.Fini()
}

// runEditor starts e.Run on its own goroutine and returns its result channel.
func runEditor(t *testing.T, path string, setup func(e *Editor)) (*finiScreen, *Editor, chan error) {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sim := &finiScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	sim.SetSize(100, 30)
	// as Launch does: the editor wraps the screen (frames after queued keys)
	e, err := New(tview.NewApplication(), f, Options{Features: viewFeatures(), Screen: sim, test: hooksFor(t)})
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(e)
	}
	done, ended := make(chan error, 1), make(chan struct{})
	go func() {
		err := e.Run()
		close(ended)
		done <- err
	}()
	stopOnCleanup(t, e, ended)
	return sim, e, done
}

// waitRun waits for Run's result, at most uiWait.
func waitRun(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(uiWait):
		t.Fatalf("the editor did not stop in %v", uiWait)
		return nil
	}
}

func TestRunQuitRestoresScreen(t *testing.T) {
	p := writeFile(t, "run.bin", knownData())
	sim, _, done := runEditor(t, p, nil)
	sim.InjectKey(tcell.KeyCtrlQ, 0, tcell.ModCtrl)
	if err := waitRun(t, done); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sim.finis.Load() == 0 {
		t.Fatal("the screen was not finalised on quit")
	}
}

func TestRunCtrlCAsksInsteadOfQuitting(t *testing.T) {
	p := writeFile(t, "run.bin", knownData())
	sim, e, done := runEditor(t, p, nil)
	sim.InjectKey(tcell.KeyRune, 'a', tcell.ModNone)
	sim.InjectKey(tcell.KeyRune, 'b', tcell.ModNone)
	sim.InjectKey(tcell.KeyCtrlC, 0, tcell.ModCtrl)
	// Wait until the dialog is up, on the UI goroutine.
	deadline := time.Now().Add(uiWait)
	for {
		var open bool
		onUI(t, e, func() { open = e.OverlayOpen() })
		if open {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Ctrl-C with an unsynced edit did not ask")
		}
		time.Sleep(10 * time.Millisecond)
	}
	sim.InjectKey(tcell.KeyRune, 'r', tcell.ModNone)
	if err := waitRun(t, done); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if got[0] != 0 {
		t.Fatalf("revert and quit left byte 0 = %#x", got[0])
	}
}

func TestRunPanicRestoresScreen(t *testing.T) {
	quietPanics(t)
	p := writeFile(t, "run.bin", knownData())
	sim, _, done := runEditor(t, p, func(e *Editor) {
		e.handlers[string(keymap.Marks)] = func(e *Editor, a Args) { panic("boom") }
	})
	k, _ := keymap.ParseKey("Alt-'")
	ev := k.Event()
	sim.InjectKey(ev.Key(), ev.Rune(), ev.Modifiers())
	err := waitRun(t, done)
	if err == nil || !strings.Contains(err.Error(), "internal error: boom") {
		t.Fatalf("Run after a panic: %v", err)
	}
	if sim.finis.Load() == 0 {
		t.Fatal("the screen was not finalised after a panic")
	}
}

func TestRunTicks(t *testing.T) {
	p := writeFile(t, "run.bin", knownData())
	var n atomic.Int32
	sim, _, done := runEditor(t, p, func(e *Editor) {
		e.Every(5*time.Millisecond, func() { n.Add(1) })
	})
	deadline := time.Now().Add(uiWait)
	for n.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("tick did not run")
		}
		time.Sleep(5 * time.Millisecond)
	}
	sim.InjectKey(tcell.KeyCtrlQ, 0, tcell.ModCtrl)
	if err := waitRun(t, done); err != nil {
		t.Fatal(err)
	}
}

func TestRunPanicInBackgroundRestoresScreen(t *testing.T) {
	quietPanics(t)
	p := writeFile(t, "run.bin", knownData())
	sim, e, done := runEditor(t, p, nil)
	e.Go(func() { panic("background boom") })
	err := waitRun(t, done)
	if err == nil || !strings.Contains(err.Error(), "background boom") {
		t.Fatalf("Run after a background panic: %v", err)
	}
	if sim.finis.Load() == 0 {
		t.Fatal("the screen was not finalised after a background panic")
	}
}

// quietPanics keeps the expected panic stacks out of the test output.
func quietPanics(t *testing.T) {
	var buf strings.Builder
	hooksFor(t).panicOut = &buf
	t.Cleanup(func() {
		if !strings.Contains(buf.String(), "goroutine") {
			t.Errorf("no stack printed after the panic: %q", buf.String())
		}
	})
}
