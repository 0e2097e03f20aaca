package view

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/compare"
	"mmhex/mapping/display"
	"mmhex/view/hexfmt"
)

// Compare is `mmhex A B`: the second file (Options.Other) shown beside the
// grid (below it when the terminal is too narrow for two grids), the same
// rows as the grid, bytes that differ highlighted in both; next/previous
// difference (mapping/compare on the job runner), copying the differing
// run under the cursor (or the selection) from the other file or into it,
// and "difference k of N" in the status line with N counted in the
// background. Edits go to the active side (the editor's file); switching
// sides (diff-switch) swaps the editor's file with the other, each with its
// own journal; a put into the other file is an edit in its journal. Without
// a second file the actions say so.
func Compare() Feature { return &comparer{} }

const (
	comparePanelRight = "compare"
	comparePanelBelow = "compare-below"
	// maxCopy is the most diff-obtain / diff-put copy at once.
	maxCopy = 16 << 20
	// checkpointEvery: the counter notes a run's index every so many
	// bytes or runs, so "difference k" is counted from the nearest note.
	checkpointBytes = 64 << 20
	checkpointRuns  = 4096
)

type comparer struct {
	e *Editor

	// the bytes shown of this file and of the other, at the same offsets:
	// kept after each event (OnShown), read by the highlighter and the
	// panel in each frame
	frameStart int64
	frameA     []byte
	frameB     []byte
	// While an undo, redo or revert step holds the other file (TryReadAt:
	// ErrBusy), a frame keeps the previous frame's bytes of it when it
	// shows the same place (bFrom, bWant: what the last read asked for),
	// else knows none of them (bKnown false: no difference is marked and
	// the rows show their offsets); bBusy puts the marker in the header.
	bFrom, bWant  int64
	bKnown, bBusy bool

	mu       sync.Mutex
	gen      int    // counting generation: bumped when the files change
	counted  int64  // runs counted so far (common part)
	countEnd bool   // the count of gen is complete
	countErr error  // the count failed
	cps      []ckpt // run indexes noted while counting
	cancel   context.CancelFunc
	sig      [4]int64 // what the count was made for (edits, sizes)

	cur compare.Range // the run last moved to
	k   int64         // its index (1-based), 0 unknown
}

type ckpt struct{ off, k int64 }

func (c *comparer) Name() string { return "compare" }

func (c *comparer) Register(e *Editor) error {
	c.e = e
	e.Handle(keymap.DiffSwitch, func(e *Editor, a Args) { c.switchTo(!e.sideB) })
	e.Handle(keymap.DiffNext, func(e *Editor, a Args) { c.jump(false) })
	e.Handle(keymap.DiffPrev, func(e *Editor, a Args) { c.jump(true) })
	e.Handle(keymap.DiffObtain, func(e *Editor, a Args) { c.copyRun(false) })
	e.Handle(keymap.DiffPut, func(e *Editor, a Args) { c.copyRun(true) })
	if e.other == nil {
		return nil
	}
	e.AddPanel(&Panel{Name: comparePanelRight, Side: Right, SizeFunc: func(int) int { return c.gridWidth() },
		Fits: func(w, h int) bool { return w >= 2*c.gridWidth()+1 }, Draw: c.draw})
	e.AddPanel(&Panel{Name: comparePanelBelow, Side: Bottom, SizeFunc: func(h int) int { return max((h-4)/2, 2) },
		Fits: func(w, h int) bool { return w < 2*c.gridWidth()+1 }, Draw: c.draw})
	e.ShowPanel(comparePanelRight, true)
	e.ShowPanel(comparePanelBelow, true)
	e.OnShown(func(start int64, data []byte) {
		c.frameStart = start
		c.frameA = append(c.frameA[:0], data...)
		// the rows past this file's end show the other's tail
		n := max(len(data), c.e.rows*c.e.bpr)
		if cap(c.frameB) < n {
			c.frameB = make([]byte, n)
			c.bKnown = false
		}
		got, err := c.e.other.TryReadAt(c.frameB[:n], start)
		c.bBusy = errors.Is(err, mapping.ErrBusy)
		if c.bBusy {
			// The buffer still holds the last bytes read (TryReadAt
			// wrote nothing): the previous frame's, when it showed the
			// same place.
			c.bKnown = c.bKnown && c.bFrom == start && c.bWant == int64(n)
			if !c.bKnown {
				c.frameB = c.frameB[:0]
			}
			return
		}
		c.bFrom, c.bWant, c.bKnown = start, int64(n), true
		c.frameB = c.frameB[:max(got, 0)]
	})
	e.AddHighlighter(func(start, end int64) func(int64) Mark {
		if !c.bKnown {
			return nil // the other file's bytes are being restored: not known
		}
		return func(off int64) Mark {
			i := off - c.frameStart
			if i < 0 || i >= int64(len(c.frameA)) {
				return 0
			}
			if i >= int64(len(c.frameB)) || c.frameA[i] != c.frameB[i] {
				return MarkDiffer
			}
			return 0
		}
	})
	e.AddStatus(c.status)
	e.OnQuit(func() {
		c.mu.Lock()
		if c.cancel != nil {
			c.cancel()
		}
		c.mu.Unlock()
	})
	e.Every(500*time.Millisecond, c.recountIfChanged)
	c.startCount()
	return nil
}

// gridWidth is the width of a grid row of the editor's file.
func (c *comparer) gridWidth() int {
	bpr := c.e.bpr
	if bpr <= 0 {
		bpr = c.e.opts.BytesPerRow
	}
	return makeGeom(offsetDigits(max(c.e.size, c.e.other.Size())), max(bpr, 1)).width
}

// signature is what the count depends on.
func (c *comparer) signature() [4]int64 {
	return [4]int64{int64(c.e.f.UnsyncedEdits()), c.e.f.Size(), c.e.other.Size(), int64(c.e.other.UnsyncedEdits())}
}

func (c *comparer) recountIfChanged() {
	c.mu.Lock()
	changed := c.sig != c.signature()
	c.mu.Unlock()
	if changed {
		c.startCount()
	}
}

// startCount (re)starts the background count of the differences.
func (c *comparer) startCount() {
	c.mu.Lock()
	if c.cancel != nil {
		c.cancel()
	}
	c.gen++
	gen := c.gen
	c.counted, c.countEnd, c.countErr, c.cps = 0, false, nil, nil
	c.sig = c.signature()
	c.k, c.cur = 0, compare.Range{}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.mu.Unlock()
	a, b := c.e.f, c.e.other
	var hold chan struct{}
	if h := c.e.opts.test; h != nil {
		hold = h.compareHold
	}
	c.e.Go(func() {
		if hold != nil {
			<-hold
		}
		var n int64
		var lastOff int64 = -1
		var cps []ckpt
		err := compare.Diff(ctx, a, b, 0, min(a.Size(), b.Size()), compare.Options{
			Progress: func(done, total int64) {
				c.mu.Lock()
				if c.gen == gen {
					c.counted = n
				}
				c.mu.Unlock()
			},
		}, func(r compare.Range) bool {
			n++
			if lastOff < 0 || r.Off-lastOff >= checkpointBytes || n%checkpointRuns == 0 {
				cps = append(cps, ckpt{r.Off, n})
				lastOff = r.Off
			}
			return true
		})
		c.mu.Lock()
		if c.gen == gen {
			c.counted, c.cps = n, cps
			c.countEnd, c.countErr = err == nil, err
		}
		c.mu.Unlock()
		c.e.post(func() {})
	})
}

// total is the number of differences (the tail counts as one) and
// whether the count is complete.
func (c *comparer) total() (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.counted
	if compare.Tail(c.e.f, c.e.other).Len > 0 && c.countEnd {
		n++
	}
	return n, c.countEnd
}

func (c *comparer) status() string {
	if c.e.other == nil {
		return ""
	}
	n, done := c.total()
	c.mu.Lock()
	err := c.countErr
	k, cur := c.k, c.cur
	c.mu.Unlock()
	var of string
	switch {
	case err != nil && !errors.Is(err, context.Canceled):
		of = "? (" + display.Line(err.Error()) + ")"
	case done:
		of = fmt.Sprint(n)
	default:
		of = fmt.Sprintf("≥ %d, counting…", n)
	}
	side := "side " + c.sideName(false) + " · "
	cursor := c.e.cursor
	if cur.Len > 0 && cursor >= cur.Off && cursor < cur.End() {
		ks := "?"
		if k > 0 {
			ks = fmt.Sprint(k)
		}
		return side + fmt.Sprintf("difference %s of %s, %s", ks, of, runSize(cur))
	}
	if n == 0 && done {
		return side + "no differences"
	}
	return side + fmt.Sprintf("differences: %s", of)
}

func runSize(r compare.Range) string {
	s := fmt.Sprintf("%d B", r.Len)
	if r.Len == 1 {
		s = "1 byte"
	}
	switch r.Side {
	case compare.OnlyA:
		s += " only in this file"
	case compare.OnlyB:
		s += " only in the other file"
	}
	return s
}

// index is the 1-based index of the run starting at r.Off, counted from
// the nearest checkpoint; 0 when the count has not passed it yet.
func (c *comparer) index(ctx context.Context, a, b *mapping.File, r compare.Range) int64 {
	c.mu.Lock()
	gen, done, counted, cps := c.gen, c.countEnd, c.counted, c.cps
	c.mu.Unlock()
	if r.Side != compare.Both {
		if done {
			return counted + 1
		}
		return 0
	}
	if !done {
		return 0
	}
	from, before := int64(0), int64(0)
	for _, cp := range cps {
		if cp.off > r.Off {
			break
		}
		from, before = cp.off, cp.k-1
	}
	var cnt int64
	if err := compare.Diff(ctx, a, b, from, r.Off+1, compare.Options{}, func(compare.Range) bool {
		cnt++
		return true
	}); err != nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return 0
	}
	return before + cnt
}

// noOther says why a compare action does nothing.
func (c *comparer) noOther() bool {
	if c.e.other == nil {
		c.e.Message("no second file: mmhex A B compares two files")
		return true
	}
	return false
}

// jump moves to the next (or previous) difference, on the job runner:
// Esc stops it, the status line shows how far it got.
func (c *comparer) jump(back bool) {
	e := c.e
	if c.noOther() || e.busy() {
		return
	}
	from := e.cursor
	a, b := e.f, e.other
	what := "next difference"
	if back {
		what = "previous difference"
	}
	e.runJob(what, "", func(ctx context.Context, progress func(string)) func() {
		o := compare.Options{Progress: func(done, total int64) { progress(percent(done, total)) }}
		var r compare.Range
		var ok bool
		var err error
		if back {
			r, ok, err = compare.Prev(ctx, a, b, from, o)
		} else {
			r, ok, err = compare.Next(ctx, a, b, from, o)
		}
		var k int64
		if err == nil && ok {
			k = c.index(ctx, a, b, r)
		}
		return func() {
			switch {
			case errors.Is(err, context.Canceled) || jobCancelled(ctx):
				e.Message("%s: stopped", what)
			case err != nil:
				e.ShowError(err)
			case !ok && back:
				e.Message("no difference before 0x%x", from)
			case !ok:
				e.Message("no difference after 0x%x", from)
			case e.f != a:
				e.Message("%s: the active side switched meanwhile: not moved", what)
			default:
				c.mu.Lock()
				c.cur, c.k = r, k
				c.mu.Unlock()
				e.PushJump() // a difference jump: the jump list returns here
				e.SetCursor(r.Off)
				if r.Off >= e.size { // the other file's tail: past this file's end
					e.Message("only in %s from 0x%x: %d bytes past the end of this file", display.Name(b.Path()), r.Off, r.Len)
				}
			}
		}
	}).stops("the search for the " + what + ": the cursor stays")
}

// copyRun copies the differing run under the cursor (or the selection)
// from the other file into the editor's (obtain), or into the other file
// (put, then MS_SYNC of it).
func (c *comparer) copyRun(put bool) {
	e := c.e
	if c.noOther() || e.busy() {
		return
	}
	a, b := e.f, c.e.other
	selOff, selN, sel := e.Selection()
	cursor := e.cursor
	what := "copying from the other file"
	if put {
		what = "copying into the other file"
	}
	// work finds the run off the UI goroutine; its finish copies, unless
	// Esc came first: then nothing is copied, as Esc said.
	work := func(ctx context.Context) func() {
		var r compare.Range
		if sel {
			r = compare.Range{Off: selOff, Len: selN}
		} else {
			var x, y [1]byte
			na, _ := a.ReadAt(x[:], cursor)
			nb, _ := b.ReadAt(y[:], cursor)
			if na == 1 && nb == 1 && x[0] == y[0] {
				return func() { e.Message("no difference under the cursor") }
			}
			if nb == 0 {
				return func() {
					e.Message("only in this file from 0x%x: mmhex never changes a file's size", b.Size())
				}
			}
			rr, ok, err := compare.Prev(ctx, a, b, cursor+1, compare.Options{})
			if err != nil || !ok || rr.End() <= cursor {
				return func() {
					if err != nil {
						e.ShowError(err)
					} else {
						e.Message("no difference under the cursor")
					}
				}
			}
			r = rr
		}
		common := min(a.Size(), b.Size())
		if r.Off >= common {
			return func() { e.Message("past the end of the other file: mmhex never changes a file's size") }
		}
		r.Len = min(r.End(), common) - r.Off
		if r.Len > maxCopy {
			return func() {
				e.Message("the run is %d bytes: at most %s are copied at once (select a part)", r.Len, display.HumanBytes(maxCopy))
			}
		}
		src, dst := b, a
		if put {
			src, dst = a, b
		}
		buf := make([]byte, r.Len)
		if _, err := src.ReadAt(buf, r.Off); err != nil {
			return func() { e.ShowError(err) }
		}
		return func() {
			g := dst.Group() // one undo step in dst's own journal
			if _, err := g.WriteAt(buf, r.Off); err != nil {
				if put && errors.Is(err, mapping.ErrReadOnly) {
					err = fmt.Errorf("%s is read-only: nothing copied", display.Name(dst.Path()))
				} else {
					err = e.editError(err)
				}
				e.ShowError(err)
				return
			}
			if put {
				e.Message("copied %d bytes at 0x%x into %s (side %s): unsynced there; %s switches to it (undo, %s)",
					r.Len, r.Off, display.Name(dst.Path()), c.sideName(true), keyName(e, keymap.DiffSwitch), e.SyncKey())
			} else {
				e.Message("copied %d bytes at 0x%x from %s (one undo step)", r.Len, r.Off, display.Name(src.Path()))
			}
			c.startCount()
		}
	}
	target := "from"
	if put {
		target = "into"
	}
	e.runJob(what, "", func(ctx context.Context, _ func(string)) func() {
		finish := work(ctx)
		return func() {
			if jobCancelled(ctx) {
				e.Message("%s: stopped: nothing copied", what)
				return
			}
			finish()
		}
	}).stops("the copy " + target + " the other file: nothing is copied")
}

// sideName is "A" or "B": the active side's letter, or the other's.
func (c *comparer) sideName(other bool) string {
	if c.e.sideB != other {
		return "B"
	}
	return "A"
}

// switchTo makes B (toB) or A the active side: the editor's file and the
// compared one swap, so edits, undo, sync, goto, search, marks, the
// inspector and the panels act on it, with its own journal. The cursor
// offset stays (clamped into the file).
func (c *comparer) switchTo(toB bool) {
	e := c.e
	if c.noOther() {
		return
	}
	if e.sideB == toB {
		e.Message("side %s (%s) is already the active side", c.sideName(false), display.Name(e.f.Path()))
		return
	}
	if e.busy() {
		e.Errorf("%s runs: the active side switches after it", e.job.what)
		return
	}
	e.f, e.other = e.other, e.f
	e.sideB = toB
	e.size = e.f.Size()
	e.nibble = 0
	if off, n, ok := e.Selection(); ok && off+n > e.size {
		e.ClearSelection()
	}
	from := e.cursor
	e.cursor = min(e.cursor, max(e.limit()-1, 0)) // the tail of the longer file stays reachable
	for _, h := range e.switchHooks {
		h()
	}
	e.scrollToCursor()
	if from != e.cursor {
		for _, h := range e.moveHooks {
			h(from, e.cursor)
		}
	}
	c.startCount()
	e.Message("editing side %s: %s (%s switches back)", c.sideName(false), display.Name(e.f.Path()), keyName(e, keymap.DiffSwitch))
}

var (
	styleDiffer   = tcell.StyleDefault.Background(tcell.PaletteColor(6)).Foreground(tcell.PaletteColor(0))
	styleOnlyHere = tcell.StyleDefault.Foreground(tcell.PaletteColor(8)).Italic(true)
)

// draw draws the other file's rows for the grid's offsets: a header line
// (name, size, mode), then a row per grid row.
func (c *comparer) draw(s tcell.Screen, x, y, w, h int) {
	e := c.e
	if h <= 0 || w <= 0 {
		return
	}
	s = clipScreen{Screen: s, x0: x, x1: x + w}
	b := c.e.other
	fill(s, x, y, w, ' ', e.pal.header)
	mode := "rw"
	switch b.Mode() {
	case mapping.ReadOnly:
		mode = "read-only"
		if why := b.NoticeShort(); why != "" {
			mode += " (" + why + ")"
		}
	case mapping.Private:
		mode = "private"
	}
	size := display.HumanBytes(b.Size())
	if b.Size() >= 1024 {
		size += fmt.Sprintf(" (%d B)", b.Size())
	}
	cx := x + 1
	if c.bBusy {
		// first, whatever the name's length: the rows below may be the
		// previous frame's bytes
		cx = drawText(s, cx, y, x+w-cx, restoringNote, e.pal.headerKey) + 2
	}
	cx = drawText(s, cx, y, x+w-cx, display.Name(b.Path()), e.pal.headerKey)
	info := size + "  " + mode
	if n := b.UnsyncedEdits(); n > 0 && b.Mode() != mapping.ReadOnly {
		info += "  " + plural(n, "unsynced edit")
	}

	drawText(s, cx+2, y, x+w-cx-2, info, e.pal.header)
	bpr := e.bpr
	if bpr <= 0 {
		return
	}
	g := makeGeom(offsetDigits(max(e.size, b.Size())), bpr)
	data := c.frameB
	start := c.frameStart
	bsize := b.Size()
	for r := 0; r < h-1; r++ {
		rowOff := e.top + int64(r*bpr)
		py := y + 1 + r
		if rowOff >= bsize {
			drawText(s, x+1, py, w-1, fmt.Sprintf("only in %s from 0x%x", display.Name(e.FileName()), bsize), styleOnlyHere)
			break
		}
		ost := e.pal.offset
		if e.cursor >= rowOff && e.cursor < rowOff+int64(bpr) {
			ost = e.pal.offsetCur
		}
		drawHex(s, x+1, py, rowOff, g.digits, ost)
		for i := 0; i < bpr; i++ {
			off := rowOff + int64(i)
			idx := off - start
			if off >= bsize || idx < 0 || idx >= int64(len(data)) {
				break
			}
			v := data[idx]
			st := e.pal.class[hexfmt.ClassOf(v)]
			if off >= e.size || idx >= int64(len(c.frameA)) || c.frameA[idx] != v {
				st = styleDiffer
			}
			tst := st
			if off == e.cursor {
				st = st.Reverse(true)
				tst = tst.Underline(true)
			}
			px := x + g.hexX + hexPos(i)
			s.Put(px, py, cellText[hexDigits[v>>4]], st)
			s.Put(px+1, py, cellText[hexDigits[v&0xf]], st)
			s.Put(x+g.textX+i, py, cellText[hexfmt.TextChar(v)], tst)
		}
	}
}
