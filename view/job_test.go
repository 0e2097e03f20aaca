package view

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
)

// jobRun is an editor running (Run) on a simulation screen, with a job
// hook: the test holds a job and watches frames being drawn meanwhile.
type jobRun struct {
	t    *testing.T
	sim  tcell.SimulationScreen
	e    *Editor
	f    *mapping.File
	done chan error
}

func startJobRun(t *testing.T, path string, step func(what, progress string)) *jobRun {
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
	sim.SetSize(100, 20)
	e, err := New(tview.NewApplication(), f, Options{Features: viewFeatures(), Screen: sim, test: &testHooks{jobStep: step}})
	if err != nil {
		t.Fatal(err)
	}
	r := &jobRun{t: t, sim: sim, e: e, f: f, done: make(chan error, 1)}
	go func() { r.done <- e.Run() }()
	return r
}

// keys injects keys by name ("Ctrl-S", "Down", "a").
func (r *jobRun) keys(names ...string) {
	r.t.Helper()
	for _, n := range names {
		k, err := keymap.ParseKey(n)
		if err != nil {
			r.t.Fatal(err)
		}
		ev := k.Event()
		r.sim.InjectKey(ev.Key(), ev.Rune(), ev.Modifiers())
	}
}

// text is the screen, read on the UI goroutine (tcell's simulation screen
// hands out the cells it draws into).
func (r *jobRun) text() string {
	got := make(chan string, 1)
	r.e.app.QueueUpdate(func() { got <- r.cellText() })
	return <-got
}

func (r *jobRun) cellText() string {
	cells, w, h := r.sim.GetContents()
	var b strings.Builder
	for y := 0; y < h; y++ {
		var line strings.Builder
		for x := 0; x < w; x++ {
			if c := cells[y*w+x]; len(c.Runes) > 0 {
				line.WriteString(string(c.Runes))
			} else {
				line.WriteByte(' ')
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}

// waitFor waits until a frame shows want and returns the screen.
func (r *jobRun) waitFor(want string) string {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := r.text()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no frame shows %q; the screen:\n%s", want, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *jobRun) quit() {
	r.t.Helper()
	r.e.app.QueueUpdate(func() { r.e.Stop() })
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		r.t.Fatal("the editor did not stop")
	}
}

func bigFile(t *testing.T, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(p, []byte("start"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestJobSyncKeepsDrawing: while an MS_SYNC runs (held by the test) the
// screen keeps drawing: the status line says "syncing…", the cursor moves
// and the grid follows; an edit is refused, Esc says the msync cannot be
// interrupted; the sync's result comes when it ends.
func TestJobSyncKeepsDrawing(t *testing.T) {
	release := make(chan struct{})
	started := make(chan string, 8)
	r := startJobRun(t, bigFile(t, 1<<20), func(what, progress string) {
		if progress == "" {
			started <- what
			<-release
		}
	})
	r.keys("4", "1")
	r.waitFor("1 edit unsynced, 1 page")
	r.keys("Ctrl-S")
	if w := <-started; w != "syncing" {
		t.Fatalf("job %q, want syncing", w)
	}
	r.waitFor("syncing… │ 0x1 (1) <0.0001%")
	r.keys("Down", "Down")
	s := r.waitFor("syncing… │ 0x21 (33) 0.0031%")
	if !strings.Contains(s, "00000000  41 74 61 72") {
		t.Fatalf("the grid is not drawn during the sync:\n%s", s)
	}
	r.keys("c")
	r.waitFor("busy: syncing — wait")
	r.keys("Ctrl-Z")
	r.waitFor("busy: syncing — wait")
	r.keys("Esc")
	r.waitFor("syncing: msync cannot be interrupted — wait for it")
	close(release)
	r.waitFor("MS_SYNC: 1 page, 4096 B in ")
	if s := r.waitFor("0x21 (33) 0.0031%"); strings.Contains(s, "syncing") || !strings.Contains(s, "│ no unsynced edits │") {
		t.Fatalf("after the sync the status line still says syncing or unsynced:\n%s", s)
	}
	r.quit()
	got, _ := os.ReadFile(r.f.Path())
	if !bytes.HasPrefix(got, []byte("Atart")) {
		t.Fatalf("file starts %q", got[:5])
	}
}

// TestJobFillCancelled: a 10 MiB fill held after its first part (40%):
// frames are drawn with the progress, undo is refused, Esc cancels; the
// first 4 MiB are filled, the rest untouched, and one undo puts them back.
func TestJobFillCancelled(t *testing.T) {
	const size, n = 12 << 20, 10 << 20
	release := make(chan struct{})
	held := make(chan struct{}, 1)
	p := bigFile(t, size)
	r := startJobRun(t, p, func(what, progress string) {
		if what == "filling" && progress == "40%" {
			held <- struct{}{}
			<-release
		}
	})
	r.keys("Alt-s", "Ctrl-G")
	for _, c := range "0x9fffff" {
		r.keys(string(c))
	}
	r.keys("Enter", "Ctrl-K", "5", "a", "Enter")
	<-held
	r.waitFor("filling 40%… │ 0x9fffff")
	r.keys("Ctrl-G")
	for _, c := range "0x10" {
		r.keys(string(c))
	}
	r.keys("Enter")
	s := r.waitFor("filling 40%… │ 0x10 (16)")
	if !strings.Contains(s, "00000010  5a 5a 5a 5a") {
		t.Fatalf("the grid does not show the filled part during the fill:\n%s", s)
	}
	r.keys("Ctrl-Z")
	r.waitFor("busy: filling — wait or Esc")
	r.keys("Esc")
	r.waitFor("cancelling: filling stops after the part it is storing")
	close(release)
	r.waitFor("fill cancelled: filled 0x0–0x3fffff (4194304 bytes, 4.00 MiB) with 0x5a (Ctrl-Z undoes it)")
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got[:4<<20], bytes.Repeat([]byte{0x5a}, 4<<20)) || got[4<<20] != 0 || got[n-1] != 0 {
		t.Fatal("the file does not hold exactly the first 4 MiB filled")
	}
	r.keys("Ctrl-Z")
	r.waitFor("undid the edit of 4194304 bytes at 0x0")
	got, _ = os.ReadFile(p)
	if string(got[:5]) != "start" || got[5] != 0 || got[4<<20-1] != 0 {
		t.Fatalf("undo did not restore the bytes: %q", got[:8])
	}
	r.quit()
}

// TestJobQuitWaitsOrCancels: Ctrl-Q during a sync waits for it, then
// quits (nothing left unsynced); during a fill it cancels the fill, then
// asks about the part filled.
func TestJobQuitWaitsOrCancels(t *testing.T) {
	release := make(chan struct{})
	held := make(chan struct{}, 1)
	hold := func(what, progress string) {
		if progress == "" {
			held <- struct{}{}
			<-release
		}
	}
	r := startJobRun(t, bigFile(t, 1<<20), hold)
	r.keys("4", "1", "Ctrl-S")
	<-held
	r.keys("Ctrl-Q")
	r.waitFor("quitting when syncing ends (msync cannot be interrupted)")
	close(release)
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the editor did not quit after the sync")
	}
	if got, _ := os.ReadFile(r.f.Path()); string(got[:5]) != "Atart" {
		t.Fatalf("file starts %q", got[:5])
	}

	release = make(chan struct{})
	p := bigFile(t, 12<<20)
	r = startJobRun(t, p, func(what, progress string) {
		if progress == "40%" {
			held <- struct{}{}
			<-release
		}
	})
	r.keys("Alt-s", "Ctrl-G")
	for _, c := range "0x9fffff" {
		r.keys(string(c))
	}
	r.keys("Enter", "Ctrl-K", "5", "a", "Enter")
	<-held
	r.keys("Ctrl-Q")
	r.waitFor("quitting: filling is cancelled first")
	close(release)
	r.waitFor("[Esc] stay")
	r.keys("q")
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the editor did not quit")
	}
	got, _ := os.ReadFile(p)
	if got[4<<20-1] != 0x5a || got[4<<20] != 0 {
		t.Fatalf("after the cancelled fill: %#x %#x, want 0x5a 0", got[4<<20-1], got[4<<20])
	}
}

// TestDrawOnlyDraws: a frame does not adopt a size change (no message, no
// new size, the cursor stays); the next event does (here a tick, as the
// live refresh), and says so.
func TestDrawOnlyDraws(t *testing.T) {
	p := writeFile(t, "grow.bin", knownData())
	h := newHarness(t, p, 100, 20, mapping.Options{}, Options{})
	old := h.e.Size()
	if _, err := h.f.Refresh(); err != nil {
		t.Fatal(err)
	}
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.Write(make([]byte, 4096))
	fh.Close()
	if _, err := h.f.Refresh(); err != nil { // someone else saw the new size
		t.Fatal(err)
	}
	first := h.draw()
	if h.e.Size() != old || h.e.msg != "" || h.draw() != first {
		t.Fatalf("a frame changed the editor: size %d (was %d), message %q", h.e.Size(), old, h.e.msg)
	}
	h.e.RunTicks()
	if want := fmt.Sprintf("the file changed size: %d B (%s), was %d B", old+4096, display.HumanBytes(old+4096), old); h.e.Size() != old+4096 || h.e.msg != want {
		t.Fatalf("after a tick: size %d, message %q; want %d, %q", h.e.Size(), h.e.msg, old+4096, want)
	}
}

// TestJobSyncStillUnsynced: "unsynced" means "not known to be on disk".
// While a Ctrl-S is held part-way (its first msync returned, the rest
// not), the status line still counts the edit and its pages as unsynced
// (a SIGTERM then says the edits are left to writeback); once the sync
// has returned it says "no unsynced edits".
func TestJobSyncStillUnsynced(t *testing.T) {
	release := make(chan struct{})
	held := make(chan string, 1)
	r := startJobRun(t, bigFile(t, 12<<20), func(what, progress string) {
		if what == "syncing" && progress == "1024/3072 pages" {
			held <- progress
			<-release
		}
	})
	r.keys("Alt-s", "Ctrl-G")
	for _, c := range "0xbfffff" {
		r.keys(string(c))
	}
	r.keys("Enter", "Ctrl-K", "f", "f", "Enter")
	r.waitFor("1 edit unsynced, 3072 pages")
	r.keys("Esc", "Ctrl-G", "0", "Enter")
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release) // a failed test does not leave the sync held
		}
	})
	r.keys("Ctrl-S")
	<-held
	r.e.app.QueueUpdateDraw(func() {}) // the progress is drawn at most every progressEvery
	s := r.waitFor("syncing 1024/3072 pages… │")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if got, want := lines[len(lines)-2], " syncing 1024/3072 pages… │ 0x0 (0) 0.0%  byte 0xff 255  HEX │ 1 edit unsynced, 3072 pages"; got != want {
		t.Fatalf("status line during the sync\n%q\nwant\n%q", got, want)
	}
	if n := r.f.UnsyncedEdits(); n != 1 {
		t.Fatalf("unsynced edits during the sync: %d, want 1", n)
	}
	close(release)
	s = r.waitFor("MS_SYNC: 3072 pages")
	lines = strings.Split(strings.TrimRight(s, "\n"), "\n")
	if got, want := lines[len(lines)-2], " 0x0 (0) 0.0%  byte 0xff 255  HEX │ no unsynced edits │ last sync: "; !strings.HasPrefix(got, want) {
		t.Fatalf("status line after the sync\n%q\nwant it to start\n%q", got, want)
	}
	r.quit()
}
