package view

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/mapping"
)

// postQueue runs the background work's UI updates on the test goroutine.
type postQueue chan func()

// syncPosts makes searchPost queue its functions for the test to run (in
// the editor the test makes next).
func syncPosts(t *testing.T) postQueue {
	q := make(postQueue, 1024)
	hooksFor(t).post = func(fn func()) { q <- fn }
	return q
}

// drain runs queued updates until no search or write is pending, at most 10 s.
func (q postQueue) drain(t *testing.T, e *Editor) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case fn := <-q:
			fn()
			// Let a write-selection goroutine (or a cancelled count) post
			// its result too; after such a late post, look again.
			for !e.searchRunning() && len(q) == 0 {
				select {
				case fn := <-q:
					fn()
				case <-time.After(50 * time.Millisecond):
					return
				}
			}
		case <-deadline:
			t.Fatal("background work did not finish")
		}
	}
}

func TestSearchScreen(t *testing.T) {
	q := syncPosts(t)
	h := openKnown(t, 100, 24, Options{})
	// Text search forward (Tab switches the prompt from hex to text).
	h.press("Ctrl-F", "Tab")
	h.typeText("lazy")
	if s := h.draw(); !strings.Contains(s, "search ↓ text: lazy") {
		t.Fatalf("prompt:\n%s", s)
	}
	h.press("Enter")
	q.drain(t, h.e)
	first := int64(256 + strings.Index("Hello, mmhex! The quick brown fox jumps over the lazy dog. ", "lazy"))
	if h.e.Cursor() != first {
		t.Fatalf("cursor %#x, want %#x", h.e.Cursor(), first)
	}
	if off, n, ok := h.e.Selection(); !ok || off != first || n != 4 {
		t.Errorf("the match is not selected: %#x %d %v", off, n, ok)
	}
	s := h.draw()
	if !strings.Contains(s, `found "lazy" at 0x`) {
		t.Errorf("no found message:\n%s", s)
	}
	// Centred: the match's row is the middle one of the 20 grid rows
	// (screen rows 2–21), 10 rows below the top one.
	if rows := strings.Split(s, "\n"); !strings.HasPrefix(rows[12], " 00000130  20 6c 61 7a 79") || !strings.HasPrefix(rows[2], " 00000090  90 91") {
		t.Errorf("the match is not centred:\n%s", s)
	}
	// Next finds the next sentence's; previous comes back.
	h.press("Ctrl-N")
	q.drain(t, h.e)
	if h.e.Cursor() != first+59 {
		t.Errorf("next: cursor %#x, want %#x", h.e.Cursor(), first+59)
	}
	h.press("Alt-n")
	q.drain(t, h.e)
	if h.e.Cursor() != first {
		t.Errorf("previous: cursor %#x, want %#x", h.e.Cursor(), first)
	}
	// Backward from here wraps around the start to the last one.
	h.press("Alt-n")
	q.drain(t, h.e)
	last := int64(256 + 39*59 + strings.Index("Hello, mmhex! The quick brown fox jumps over the lazy dog. ", "lazy"))
	if h.e.Cursor() != last || !strings.Contains(h.draw(), "wrapped around the start") {
		t.Errorf("wrap: cursor %#x, want %#x\n%s", h.e.Cursor(), last, h.draw())
	}
	// Case-insensitive (Ctrl-T), malformed hex refused in the prompt. The
	// cursor is in the hex column: the prompt starts in hex; Tab offers
	// the last text pattern, selected, and typing replaces it.
	h.press("Ctrl-F", "Tab")
	h.typeText("LAZY")
	h.press("Ctrl-T")
	if s := h.draw(); !strings.Contains(s, "search ↓ text, any case: LAZY") {
		t.Errorf("case toggle:\n%s", s)
	}
	h.press("Enter")
	q.drain(t, h.e)
	h.press("Ctrl-F")
	h.typeText("de a")
	h.press("Enter")
	if s := h.draw(); !strings.Contains(s, `search ↓ hex: de a`) || !strings.Contains(s, `malformed hex: column 4: "a" needs a second hex digit`) {
		t.Errorf("malformed hex:\n%s", s)
	}
	h.press("Esc")
	// Not found.
	h.press("Ctrl-F", "Ctrl-U")
	h.typeText("ff ee dd cc")
	h.press("Enter")
	q.drain(t, h.e)
	if s := h.draw(); !strings.Contains(s, "not found: ff ee dd cc") {
		t.Errorf("not found:\n%s", s)
	}
}

func TestSearchCancel(t *testing.T) {
	q := syncPosts(t)
	h := openKnown(t, 100, 24, Options{})
	h.press("Ctrl-F", "Tab")
	h.typeText("zzzz-not-there")
	h.press("Enter")
	// The result is delivered on the UI goroutine only (here: when the
	// test runs the queue), so the search is still running for the editor.
	if !h.e.searchRunning() {
		t.Fatal("no search running after Enter")
	}
	// The editor answers keys meanwhile.
	h.press("Right", "Right")
	if h.e.Cursor() != 2 {
		t.Errorf("cursor %d while searching", h.e.Cursor())
	}
	h.press("Esc")
	if h.e.searchRunning() {
		t.Fatal("still running after Esc")
	}
	if s := h.draw(); !strings.Contains(s, `search for "zzzz-not-there" cancelled`) {
		t.Errorf("no cancel message:\n%s", s)
	}
	// The late result is dropped: the message stays.
	select {
	case fn := <-q:
		fn()
	case <-time.After(5 * time.Second):
	}
	if s := h.draw(); strings.Contains(s, "not found") {
		t.Errorf("a cancelled search reported:\n%s", s)
	}
}

// TestSearchFileShrank: the file is truncated by another process before a
// search; the search reads only what is left (no fault), says so, and the
// editor keeps working.
func TestSearchFileShrank(t *testing.T) {
	q := syncPosts(t)
	h := openKnown(t, 120, 24, Options{})
	if err := os.Truncate("known.bin", 100); err != nil {
		t.Fatal(err)
	}
	h.press("Ctrl-F", "Tab")
	h.typeText("not-in-the-file")
	h.press("Enter")
	q.drain(t, h.e)
	s := h.draw()
	// mapping.Scan sees the new size (its own fstat): the 100 bytes left
	// are searched, without a fault.
	if !strings.Contains(s, `not found: "not-in-the-file" (the whole file,`) {
		t.Errorf("no not-found message for the shrunk file:\n%s", s)
	}
	h.press("Right")
	if h.e.Cursor() != 1 {
		t.Errorf("editor not answering after the fault: cursor %d", h.e.Cursor())
	}
}

// TestSearchProgressStatus: a running search shows its direction and
// progress at the start of the status line (the reverse-video line above
// the message line), and nothing once it is over.
func TestSearchProgressStatus(t *testing.T) {
	q := syncPosts(t)
	h := openKnown(t, 100, 24, Options{})
	statusRow := func() string { return strings.Split(h.draw(), "\n")[22] }
	if s := statusRow(); strings.Contains(s, "searching") {
		t.Fatalf("status line before a search: %q", s)
	}
	h.press("Ctrl-R", "Tab")
	h.typeText("zzzz-not-there")
	h.press("Enter")
	r := h.e.searcher().srch.run
	if r == nil {
		t.Fatal("no search running after Enter")
	}
	// The worker has searched the whole file (wrapping) before it posts the
	// result, which the test has not run yet: the search is still running
	// for the editor, at 100%.
	deadline := time.Now().Add(10 * time.Second)
	for r.total.Load() == 0 || r.done.Load() < r.total.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("progress %d of %d after 10 s", r.done.Load(), r.total.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if s := statusRow(); !strings.HasPrefix(s, " searching ↑ 100.0% │ 0x0 (0) 0.0%") {
		t.Errorf("status line while searching: %q", s)
	}
	if _, y, ok := h.find(`searching backward for "zzzz-not-there"… (Esc cancels)`); !ok || y != 23 {
		t.Errorf("message line while searching (row %d, found %v):\n%s", y, ok, h.draw())
	}
	q.drain(t, h.e)
	if s := statusRow(); !strings.HasPrefix(s, " 0x0 (0) 0.0%") {
		t.Errorf("status line after the search: %q", s)
	}
	if _, y, ok := h.find(`not found: "zzzz-not-there"`); !ok || y != 23 {
		t.Errorf("no not-found message on the message line:\n%s", h.draw())
	}
}

// promptCells returns the message line's runes and styles from x on.
func (h *harness) promptCells(x int) ([]rune, []tcell.Style) {
	h.draw()
	_, w, ht := h.sim.GetContents()
	var rs []rune
	var st []tcell.Style
	for ; x < w; x++ {
		r, s := h.cell(x, ht-1)
		rs, st = append(rs, r), append(st, s)
	}
	return rs, st
}

// checkPrompt checks the message line: exactly label, then text (selected
// or not) with the cursor after it, then the hint.
func checkPrompt(t *testing.T, h *harness, label, text string, selected bool) {
	t.Helper()
	want := " " + label + " " + text + "  " + searchHint
	if got := strings.TrimRight(h.messageLine(), " "); got != want {
		t.Fatalf("message line\n got %q\nwant %q", got, want)
	}
	x0 := len([]rune(" " + label + " "))
	rs, st := h.promptCells(x0)
	wantSt := tcell.StyleDefault
	if selected {
		wantSt = tcell.StyleDefault.Reverse(true)
	}
	for i, r := range []rune(text) {
		if rs[i] != r || st[i] != wantSt {
			t.Fatalf("cell %d of the text: %q %v, want %q %v (selected %v)", x0+i, rs[i], st[i], r, wantSt, selected)
		}
	}
	if x, y, shown := h.sim.GetCursor(); !shown || y != 23 || x != x0+len([]rune(text)) {
		t.Fatalf("cursor at (%d, %d) shown %v, want (%d, 23) after the text", x, y, shown, x0+len([]rune(text)))
	}
}

// The search prompt starts in the column the cursor is in (hex or text),
// and offers the last pattern of that kind selected: typing replaces it,
// Enter searches it again, Backspace clears it, a cursor key keeps it.
func TestSearchPromptColumnAndLastPattern(t *testing.T) {
	q := syncPosts(t)
	h := openKnown(t, 100, 24, Options{})
	h.press("Ctrl-F")
	checkPrompt(t, h, "search ↓ hex:", "", false)
	h.typeText("6c 61 7a 79") // "lazy"
	h.press("Enter")
	q.drain(t, h.e)
	lazy := int64(256 + 49)
	if h.e.Cursor() != lazy {
		t.Fatalf("hex search: cursor %#x, want %#x", h.e.Cursor(), lazy)
	}
	// In the text column the prompt starts in text, with no text pattern yet.
	h.press("Tab")
	h.press("Ctrl-F")
	checkPrompt(t, h, "search ↓ text:", "", false)
	h.typeText("dog")
	h.press("Enter")
	q.drain(t, h.e)
	dog := int64(256 + 54)
	if h.e.Cursor() != dog || h.e.Column() != TextColumn {
		t.Fatalf("text search: cursor %#x in %v, want %#x in TEXT", h.e.Cursor(), h.e.Column(), dog)
	}
	// Back in the hex column: the last hex pattern, selected.
	h.press("Tab", "Ctrl-F")
	checkPrompt(t, h, "search ↓ hex:", "6c 61 7a 79", true)
	h.typeText("64") // replaces it
	checkPrompt(t, h, "search ↓ hex:", "64", false)
	h.press("Esc")
	// In the text column: "dog" selected; Tab offers the hex one instead.
	h.press("Tab", "Ctrl-F")
	checkPrompt(t, h, "search ↓ text:", "dog", true)
	h.press("Tab")
	checkPrompt(t, h, "search ↓ hex:", "6c 61 7a 79", true)
	// A cursor key keeps the text and ends the selection: typing adds.
	h.press("End")
	h.typeText(" 20")
	checkPrompt(t, h, "search ↓ hex:", "6c 61 7a 79 20", false)
	h.press("Esc")
	// Backspace clears a selected pattern.
	h.press("Ctrl-F")
	checkPrompt(t, h, "search ↓ text:", "dog", true)
	h.press("Backspace")
	checkPrompt(t, h, "search ↓ text:", "", false)
	h.press("Esc")
	// Enter searches the selected pattern again: the next "dog".
	h.press("Ctrl-F", "Enter")
	q.drain(t, h.e)
	if h.e.Cursor() != dog+59 {
		t.Fatalf("Enter on the offered pattern: cursor %#x, want %#x", h.e.Cursor(), dog+59)
	}
}

// A search during which the file is truncated (by another process: here
// from the search goroutine, through searchProgressHook) says it was
// stopped by the size change, with both sizes, instead of "not found" or a
// fault: between two chunks of the scan (the scan sees the new size and
// ends early: was "not found … (the whole file, …)") and inside one (the
// rest of the chunk faults: was "search: … memory fault").
func TestSearchStoppedBySizeChange(t *testing.T) {
	const size = 24 << 20 // a 16 MiB chunk, then 8 MiB
	for _, c := range []struct {
		name    string
		at      int64 // progress (bytes) at which the file is truncated
		refresh bool  // the new size is seen before the next chunk (the live view's tick)
	}{
		{"between chunks", mapping.DefaultChunk, true},
		{"inside a chunk", 4 << 20, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := syncPosts(t)
			p := writeFile(t, "big.bin", bytes.Repeat([]byte("abcdefgh"), size/8))
			h := newHarness(t, p, 120, 24, mapping.Options{}, Options{})
			var once sync.Once
			h.e.opts.test.searchProgress = func(done, total int64) {
				if done < c.at {
					return
				}
				once.Do(func() {
					if err := os.Truncate(p, 1000); err != nil {
						t.Error(err)
					}
					if c.refresh {
						h.f.Refresh()
					}
				})
			}
			h.press("Tab", "Ctrl-F")
			h.typeText("not-in-the-file")
			h.press("Enter")
			q.drain(t, h.e)
			want := ` search for "not-in-the-file" stopped: the file changed size during the search (now 1000 B, was 24.00 MiB)`
			if got := strings.TrimRight(h.messageLine(), " "); !strings.HasPrefix(got, want) {
				t.Fatalf("message line\n got %q\nwant %q", got, want)
			}
			if _, st := h.cell(1, 23); st != styleError {
				t.Errorf("the message is not shown as an error")
			}
			if h.e.Size() != 1000 {
				t.Errorf("the editor did not adopt the new size: %d", h.e.Size())
			}
		})
	}
}
