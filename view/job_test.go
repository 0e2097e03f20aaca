package view

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// jobRun is an editor running (Run) on a simulation screen, with a job
// hook: the test holds a job and watches frames being drawn meanwhile.
// Every wait on the editor has a deadline and fails when the editor has
// stopped: a test that goes wrong fails with the screen, it never hangs.
type jobRun struct {
	t      *testing.T
	sim    tcell.SimulationScreen
	e      *Editor
	f      *mapping.File
	done   chan struct{} // closed when Run has returned, with runErr
	runErr error
}

func startJobRun(t *testing.T, path string, step func(what, progress string)) *jobRun {
	t.Helper()
	return startJobRunHooks(t, path, &testHooks{jobStep: step})
}

func startJobRunHooks(t *testing.T, path string, hooks *testHooks) *jobRun {
	t.Helper()
	return startJobRunOpts(t, path, 100, Options{test: hooks})
}

// startJobRunOpts runs the editor on path, w×20, with opts (the view
// features unless opts has some; the screen is the run's).
func startJobRunOpts(t *testing.T, path string, w int, opts Options) *jobRun {
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
	sim.SetSize(w, 20)
	if opts.Features == nil {
		opts.Features = viewFeatures()
	}
	opts.Screen = sim
	e, err := New(tview.NewApplication(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := &jobRun{t: t, sim: sim, e: e, f: f}
	r.run()
	return r
}

// run runs the editor; a test that ends without stopping it (it failed)
// stops it before the file is closed.
func (r *jobRun) run() {
	r.done = make(chan struct{})
	go func() {
		r.runErr = r.e.Run()
		close(r.done)
	}()
	r.t.Cleanup(func() {
		select {
		case <-r.done:
			return
		default:
		}
		go r.e.app.QueueUpdate(r.e.Stop)
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			r.t.Error("the editor did not stop at the end of the test")
		}
	})
}

// ui runs fn on the UI goroutine (and draws a frame after it with draw),
// failing instead of waiting for ever when the editor has stopped or its
// UI goroutine does not come to it (tview's QueueUpdate waits for fn to
// have run, for ever once the application has stopped).
func (r *jobRun) ui(draw bool, fn func()) {
	r.t.Helper()
	ran := make(chan struct{})
	go func() {
		if draw {
			r.e.app.QueueUpdateDraw(fn)
		} else {
			r.e.app.QueueUpdate(fn)
		}
		close(ran)
	}()
	select {
	case <-ran:
		return
	case <-r.done:
	case <-time.After(20 * time.Second):
		r.t.Fatalf("the UI goroutine did not run a queued update in 20 s")
	}
	select {
	case <-ran: // fn stopped the editor
	default:
		r.t.Fatalf("the editor stopped (Run returned %v) while the test waited for it", r.runErr)
	}
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
	r.t.Helper()
	var got string
	r.ui(false, func() { got = r.cellText() })
	return got
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

// waitFor waits until a frame shows want and returns the screen. The
// deadline is generous: a -race run on two loaded cores took over 10 s to
// redo an 8 MiB edit (TestJobUndoKeepsDrawing); a passing test never
// waits for it.
func (r *jobRun) waitFor(want string) string {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
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

// waitHeld waits for a job step the test holds (its hook sent on held) and
// returns what the hook sent; it fails with the screen instead of hanging
// when it never comes.
func waitHeld[T any](r *jobRun, held <-chan T) T {
	r.t.Helper()
	select {
	case v := <-held:
		return v
	case <-time.After(20 * time.Second):
		r.t.Fatalf("the job never reached the held step; the screen:\n%s", r.text())
	}
	panic("unreachable")
}

// stopped waits until Run has returned, and fails if it returned an error
// or did not return.
func (r *jobRun) stopped(what string) {
	r.t.Helper()
	select {
	case <-r.done:
		if r.runErr != nil {
			r.t.Fatal(r.runErr)
		}
	case <-time.After(10 * time.Second):
		r.t.Fatalf("the editor did not %s", what)
	}
}

func (r *jobRun) quit() {
	r.t.Helper()
	go r.e.app.QueueUpdate(func() { r.e.Stop() })
	r.stopped("stop")
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
	if w := waitHeld(r, started); w != "syncing" {
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
	waitHeld(r, held)
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
	r.waitFor("cancelling the fill: it stops after the part it is storing")
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
	waitHeld(r, held)
	r.keys("Ctrl-Q")
	r.waitFor("quitting when syncing ends (msync cannot be interrupted)")
	close(release)
	r.stopped("quit after the sync")
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
	waitHeld(r, held)
	r.keys("Ctrl-Q")
	r.waitFor("quitting: filling is cancelled first")
	close(release)
	r.waitFor("[Esc] stay")
	r.keys("q")
	r.stopped("quit")
	got, _ := os.ReadFile(p)
	if got[4<<20-1] != 0x5a || got[4<<20] != 0 {
		t.Fatalf("after the cancelled fill: %#x %#x, want 0x5a 0", got[4<<20-1], got[4<<20])
	}
}

// editorState is everything of the editor a frame could change: what it
// shows and what the next key works from.
func editorState(e *Editor) string {
	shown := ""
	for _, p := range e.panels {
		shown += fmt.Sprintf("%s=%v ", p.Name, p.shown)
	}
	for _, r := range e.shown {
		shown += fmt.Sprintf("bytes@%d=%x ", r.start, r.data)
	}
	return fmt.Sprintf("size %d cursor %d top %d col %v nibble %d bpr %d rows %d msg %q err %v tooSmall %v readFailed %q job %v unsynced %d panels %s",
		e.size, e.cursor, e.top, e.col, e.nibble, e.bpr, e.rows, e.msg, e.msgErr, e.tooSmall, e.readFailed, e.job != nil, e.f.UnsyncedEdits(), shown)
}

// panelState is every field of each feature of the editor, of the open
// overlay and of the open prompt, by name (testenv.Fields): what a frame
// must not change.
func panelState(e *Editor) map[string]string {
	out := map[string]string{"editor": editorState(e)}
	for _, f := range e.features {
		if v := reflect.ValueOf(f); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			testenv.Fields(f.Name(), f, out)
		}
	}
	if e.overlay != nil {
		testenv.Fields(fmt.Sprintf("overlay %T", e.overlay), e.overlay, out)
	}
	if e.prompt != nil {
		testenv.Fields("prompt", e.prompt, out)
	}
	return out
}

// TestDrawOnlyDraws: a frame changes nothing in the editor, whatever
// changed since the last event: a size change seen by someone else (no
// message, no new size, the cursor stays), a new terminal size (row width,
// rows, scroll and "too small" stay until the next event), a file that
// shrank under the shown bytes (the frame posts a refresh; it does not do
// it); the matches of the byte search a frame highlights (found after the
// event for the range it shows; a frame of another range finds its own,
// keeping nothing). The next event adopts each, and says so.
func TestDrawOnlyDraws(t *testing.T) {
	posts := syncPosts(t)
	p := writeFile(t, "grow.bin", knownData())
	h := newHarness(t, p, 100, 20, mapping.Options{}, Options{FitWidth: true})
	// A byte search whose matches are on every screen below: the
	// highlighter's matches are found after each event (prepareMatches,
	// search.shown); a frame of a size no event adopted finds its own and
	// keeps nothing.
	h.press("Tab", "Ctrl-F")
	h.typeText("lazy")
	h.press("Enter")
	posts.drain(t, h.e)
	h.draw()
	if x := h.e.searcher(); len(x.shown) == 0 || len(x.shown[0].in) == 0 {
		t.Fatalf("no matches prepared for the frames: %+v", x.shown)
	}
	frame := func(what string) {
		t.Helper()
		before := panelState(h.e)
		h.app.ForceDraw()
		if d := testenv.Changed(before, panelState(h.e)); d != "" {
			t.Fatalf("%s: a frame changed the editor:\n%s", what, d)
		}
	}
	old := h.e.Size()
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.Write(make([]byte, 4096))
	fh.Close()
	if _, err := h.f.Refresh(); err != nil { // someone else saw the new size
		t.Fatal(err)
	}
	frame("size change")
	h.e.RunTicks()
	if want := fmt.Sprintf("the file changed size: %s, was %d B", sizeNote(old+4096), old); h.e.Size() != old+4096 || h.e.msg != want {
		t.Fatalf("after a tick: size %d, message %q; want %d, %q", h.e.Size(), h.e.msg, old+4096, want)
	}

	// A new terminal size: the frame shows it; the keys get it after the
	// next event.
	h.e.SetCursor(0x500)
	h.draw()
	bpr, rows := h.e.bpr, h.e.rows
	h.sim.SetSize(60, 12)
	frame("resize")
	if h.e.bpr != bpr || h.e.rows != rows {
		t.Fatalf("the frame adopted the new size: %d×%d", h.e.bpr, h.e.rows)
	}
	h.e.adoptLayout() // the resize event (drawScreen.resized)
	if h.e.bpr == bpr || h.e.rows != 12-2-1-1 || h.e.Cursor() != 0x500 {
		t.Fatalf("after the resize event: %d bytes a row, %d rows, cursor %#x", h.e.BytesPerRow(), h.e.rows, h.e.Cursor())
	}
	if s := h.draw(); !strings.Contains(s, fmt.Sprintf("%08x", 0x500/h.e.BytesPerRow()*h.e.BytesPerRow())) {
		t.Fatalf("the cursor's row is not shown:\n%s", s)
	}
	h.sim.SetSize(10, 3)
	frame("too small")
	if h.e.tooSmall {
		t.Fatal("the frame said too small")
	}
	h.e.adoptLayout()
	if !h.e.tooSmall {
		t.Fatal("too small not adopted after the resize event")
	}
	h.sim.SetSize(100, 20)
	h.draw()

	// The file shrinks under the shown bytes: the frame's read faults; it
	// posts the refresh, which the next turn of the UI goroutine runs.
	h.e.SetCursor(0x2f00)
	h.draw()
	if err := os.Truncate(p, 100); err != nil {
		t.Fatal(err)
	}
	frame("fault")
	if len(h.e.posted) != 1 {
		t.Fatalf("the faulting frame posted %d refreshes, want 1", len(h.e.posted))
	}
	h.e.runPosted()
	if h.e.Size() != 100 || h.e.Cursor() != 99 || !strings.HasPrefix(h.e.msg, "the file changed size: 100 B, was ") {
		t.Fatalf("after the posted refresh: size %d cursor %d message %q", h.e.Size(), h.e.Cursor(), h.e.msg)
	}
	frame("after the refresh")
	if len(h.e.posted) != 0 {
		t.Fatalf("a frame after the refresh posted %d more", len(h.e.posted))
	}
	// A read error the refresh did not cure was said once (readFailed):
	// frames do not post refresh after refresh for it.
	eio := errors.New("input/output error")
	h.e.readFailed = readKey(h.e.top, h.e.size, eio)
	h.e.postRefresh(h.e.top, eio)
	if len(h.e.posted) != 0 {
		t.Fatal("a known read error posted a refresh again")
	}
	h.e.postRefresh(h.e.top+16, eio)
	if len(h.e.posted) != 1 {
		t.Fatal("a read error elsewhere posted no refresh")
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
	// The fill's own message: its job has ended (keys typed before its
	// end reached the UI goroutine meet the editor after it as well:
	// TestJobEndMeetsKeys).
	r.waitFor("undoes it)")
	r.waitFor("1 edit unsynced, 3072 pages")
	r.waitFor(" with 0xff (") // the fill job has ended: Ctrl-S is not refused as busy
	r.keys("Esc", "Ctrl-G", "0", "Enter")
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release) // a failed test does not leave the sync held
		}
	})
	r.keys("Ctrl-S")
	waitHeld(r, held)
	r.ui(true, func() {}) // the progress is drawn at most every progressEvery
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

// TestJobEndMeetsKeys: a key typed after a job's work has returned but
// before its end has reached the UI goroutine (the end is posted; under
// load it comes after keys already queued) meets the editor as it is after
// the job. The test holds the 12 MiB fill's end: the status line already
// counts the fill's bytes ("1 edit unsynced, 3072 pages") while it still
// says "filling 100%…". Esc then does not claim to cancel the finished
// fill (it drops the selection, as after the fill's end), and Ctrl-S is not refused as "busy: filling": it syncs those pages
// (held part-way). The fill's end, run late, changes nothing: the sync
// stays the editor's job. This interleaving hung TestJobSyncStillUnsynced
// under load: its Ctrl-S was refused and it waited for the sync for ever.
func TestJobEndMeetsKeys(t *testing.T) {
	release := make(chan struct{})
	held := make(chan string, 1)
	ends := make(chan func(), 1)
	var r *jobRun
	r = startJobRunHooks(t, bigFile(t, 12<<20), &testHooks{
		jobStep: func(what, progress string) {
			if what == "syncing" && progress == "1024/3072 pages" {
				held <- progress
				<-release
			}
		},
		jobEnd: func(what string, end func()) {
			if what == "filling" {
				ends <- end
				return
			}
			go r.e.app.QueueUpdateDraw(end)
		},
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release) // a failed test does not leave the sync held
		}
	})
	r.keys("Alt-s", "Ctrl-G")
	for _, c := range "0xbfffff" {
		r.keys(string(c))
	}
	r.keys("Enter", "Ctrl-K", "f", "f", "Enter")
	fillEnd := waitHeld(r, ends)
	r.ui(true, func() {}) // the progress is drawn at most every progressEvery
	s := r.waitFor("1 edit unsynced, 3072 pages")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if got, want := lines[len(lines)-2], " filling 100%… │ 0xbfffff (12582911) 100.0%  byte 0xff 255  HEX │ 1 edit unsynced, 3072 pages"; got != want {
		t.Fatalf("status line with the fill's end on its way\n%q\nwant\n%q", got, want)
	}
	r.keys("Esc")
	// Esc drops the selection (as after the fill's end), it does not
	// cancel the fill that has ended.
	if s := r.waitFor("selection dropped"); strings.Contains(s, "cancelling") || strings.Contains(s, "filling") {
		t.Fatalf("Esc after the fill's work returned:\n%s", s)
	}
	r.keys("Ctrl-G", "0", "Enter", "Ctrl-S")
	waitHeld(r, held)
	r.ui(true, func() {})
	want := " syncing 1024/3072 pages… │ 0x0 (0) 0.0%  byte 0xff 255  HEX │ 1 edit unsynced, 3072 pages"
	s = r.waitFor("syncing 1024/3072 pages… │")
	if lines = strings.Split(strings.TrimRight(s, "\n"), "\n"); lines[len(lines)-2] != want {
		t.Fatalf("status line during the sync\n%q\nwant\n%q", lines[len(lines)-2], want)
	}
	// The fill's end comes now: the sync is still the job, its progress
	// in the status line, a second sync refused.
	r.ui(true, fillEnd)
	r.keys("Ctrl-S")
	s = r.waitFor("busy: syncing — wait")
	if lines = strings.Split(strings.TrimRight(s, "\n"), "\n"); lines[len(lines)-2] != want {
		t.Fatalf("status line after the fill's late end\n%q\nwant\n%q", lines[len(lines)-2], want)
	}
	close(release)
	s = r.waitFor("MS_SYNC: 3072 pages")
	lines = strings.Split(strings.TrimRight(s, "\n"), "\n")
	if got, want := lines[len(lines)-2], " 0x0 (0) 0.0%  byte 0xff 255  HEX │ no unsynced edits │ last sync: "; !strings.HasPrefix(got, want) {
		t.Fatalf("status line after the sync\n%q\nwant it to start\n%q", got, want)
	}
	r.quit()
	got, _ := os.ReadFile(r.f.Path())
	if !bytes.Equal(got, bytes.Repeat([]byte{0xff}, 12<<20)) {
		t.Fatal("the file does not hold the 12 MiB fill")
	}
}

// TestWriteSelectionCancel: write-selection is the editor's job: while a
// 64 MiB selection is being written (held by the test after its first
// part) the screen keeps drawing with the progress in the status line, the
// cursor moves, an edit and a second write are refused, Esc stops it: the
// message says so, no file is created, no temporary file is left, and the
// selection stays.
func TestWriteSelectionCancel(t *testing.T) {
	const size = 64 << 20
	release := make(chan struct{})
	held := make(chan string, 1)
	r := startJobRun(t, bigFile(t, size), func(what, progress string) {
		if what == "writing" && progress != "" {
			select {
			case held <- progress:
				<-release
			default:
			}
		}
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	r.keys("Alt-s", "Ctrl-G")
	for _, c := range fmt.Sprintf("%#x", size-1) {
		r.keys(string(c))
	}
	r.keys("Enter")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	r.keys("Ctrl-O")
	for _, c := range out {
		r.keys(string(c))
	}
	r.keys("Enter")
	waitHeld(r, held)
	r.ui(true, func() {}) // the progress is drawn at most every progressEvery
	r.waitFor("writing 1%… │")
	r.keys("Ctrl-G", "0", "x", "1", "0", "Enter")
	r.waitFor("writing 1%… │ 0x10 (16)")
	r.keys("a")
	r.waitFor("busy: writing — wait or Esc")
	r.keys("Ctrl-O")
	r.waitFor("busy: writing — wait or Esc")
	r.keys("Esc")
	r.waitFor("cancelling the write: it stops after the block it is writing")
	close(release)
	r.waitFor("write to " + out + " cancelled: no file was created")
	var sel bool
	r.ui(false, func() { _, _, sel = r.e.Selection() })
	if !sel {
		t.Error("Esc dropped the selection instead of (only) cancelling the write")
	}
	if got, _ := os.ReadDir(dir); len(got) != 0 {
		t.Errorf("files: %v", got)
	}
	r.quit()
}

// TestJobUndoKeepsDrawing: the undo of an 8 MiB fill (its old bytes come
// back from the spill file) is the editor's job, not the UI goroutine's:
// held by the test before its work, the status line says "undoing…", the
// cursor moves and the grid follows, an edit waits, Esc says the step is
// not stopped halfway; the result comes when it ends. The redo likewise.
// (While the step itself stores, frames go on: TestJobUndoFramesWhileStoring.)
func TestJobUndoKeepsDrawing(t *testing.T) {
	release := make(chan struct{}, 2)
	started := make(chan string, 2)
	r := startJobRun(t, bigFile(t, 16<<20), func(what, progress string) {
		if (what == "undoing" || what == "redoing") && progress == "" {
			started <- what
			<-release
		}
	})
	r.keys("Alt-s", "Ctrl-G")
	for _, c := range "0x7fffff" {
		r.keys(string(c))
	}
	r.keys("Enter", "Ctrl-K", "5", "a", "Enter")
	r.waitFor("filled 0x0–0x7fffff (8388608 bytes, 8.00 MiB) with 0x5a (Ctrl-Z undoes it)")
	for _, c := range []struct{ key, what, done string }{
		{"Ctrl-Z", "undoing", "undid the edit of 8388608 bytes at 0x0"},
		{"Ctrl-Y", "redoing", "redid the edit of 8388608 bytes at 0x0"},
	} {
		r.keys("Ctrl-G", "0", "x", "2", "0", "Enter", c.key)
		waitHeld(r, started)
		r.waitFor(c.what + "… │ 0x20 (32)")
		r.keys("Ctrl-G", "0", "x", "1", "0", "Enter")
		if s := r.waitFor(c.what + "… │ 0x10 (16)"); !strings.Contains(s, "00000010  ") {
			t.Fatalf("%s: the grid does not follow the cursor:\n%s", c.what, s)
		}
		r.keys("b")
		r.waitFor("busy: " + c.what + " — wait")
		r.keys("Esc")
		r.waitFor(c.what + ": an undo step is not stopped halfway — wait for it")
		release <- struct{}{}
		r.waitFor(c.done)
	}
	got, _ := os.ReadFile(r.f.Path())
	if !bytes.Equal(got[:8<<20], bytes.Repeat([]byte{0x5a}, 8<<20)) || got[8<<20] != 0 {
		t.Fatal("after the redo the file does not hold the 8 MiB fill")
	}
	r.quit()
}

// TestJobUndoFramesWhileStoring: while the undo of an 8 MiB fill stores
// its bytes (held by the test in mapping's store hook, the file's mutex
// held by the step), frames are still drawn: the status line says
// "undoing…" and follows the cursor, the grid shows the bytes of the
// previous frame (the fill's); the periodic ticks run too. A frame or tick that waited for the mutex would stop the UI goroutine
// (r.ui fails after 20 s). When the step ends the grid shows the restored
// bytes and the file holds them.
func TestJobUndoFramesWhileStoring(t *testing.T) {
	r := startJobRun(t, bigFile(t, 16<<20), nil)
	r.keys("Alt-s", "Ctrl-G")
	for _, c := range "0x7fffff" {
		r.keys(string(c))
	}
	r.keys("Enter", "Ctrl-K", "5", "a", "Enter")
	r.waitFor("filled 0x0–0x7fffff (8388608 bytes, 8.00 MiB) with 0x5a (Ctrl-Z undoes it)")
	r.keys("Ctrl-G", "0", "x", "2", "0", "Enter")
	r.waitFor("0x20 (32) 0.0002%  byte 0x5a 90")
	held, release := make(chan int64, 1), make(chan struct{})
	var once sync.Once
	r.f.SetStoreHook(func(reached int64) {
		if reached >= 4<<20 {
			once.Do(func() {
				held <- reached
				<-release
			})
		}
	})
	var let sync.Once
	free := func() { let.Do(func() { close(release) }) }
	t.Cleanup(free) // a failed test does not leave the step held
	r.keys("Ctrl-Z")
	waitHeld(r, held)
	r.ui(true, r.e.RunTicks) // the ticks too (the live view's fstat) go on
	r.keys("Ctrl-G", "0", "x", "1", "0", "Enter")
	s := r.waitFor("undoing… │ 0x10 (16) <0.0001%  HEX │ 1 edit unsynced, 2048 pages")
	if !strings.Contains(s, "00000010  5a 5a 5a 5a 5a 5a 5a 5a  5a 5a 5a 5a 5a 5a 5a 5a   ZZZZZZZZZZZZZZZZ") {
		t.Fatalf("while the step stores, the grid does not show the previous frame's bytes:\n%s", s)
	}
	free()
	s = r.waitFor("undid the edit of 8388608 bytes at 0x0")
	if !strings.Contains(s, "00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00   ................") {
		t.Fatalf("after the step the grid does not show the restored bytes:\n%s", s)
	}
	got, _ := os.ReadFile(r.f.Path())
	want := make([]byte, 16<<20)
	copy(want, "start")
	if !bytes.Equal(got, want) {
		t.Fatal("after the undo the file does not hold its bytes from before the fill")
	}
	r.quit()
}
