package lab

// diskview.go: the disk view (action disk-view, Ctrl-D). For the cursor's
// page it shows the bytes in memory (the page cache, through the mapping)
// beside the bytes on disk and highlights the bytes that differ: in
// memory, not yet on disk. After an MS_SYNC save they agree.
//
// The disk bytes are the file's blocks read from the block device with
// O_DIRECT (mapping.File.ReadDiskRaw: FIEMAP finds them), which leaves dirty
// pages dirty. O_DIRECT on the file itself is used only when the page is
// clean: before a direct read the kernel writes the range's dirty pages
// back, so reading a dirty page that way would sync it (and always agree).
// When the page is dirty and the device cannot be read, the view shows
// memory only and says why. On tmpfs there is no disk at all. The reads run
// off the UI goroutine about 4 times a second while shown (ReadAt is
// fault-safe on any goroutine).

import (
	"errors"
	"fmt"
	"time"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/pagecache"
	"mmhex/view"
)

const diskViewName = "disk"

// diskProbe is one comparison of a page.
type diskProbe struct {
	page    int64  // offset of the page
	mem     []byte // the page through the mapping
	disk    []byte // the page from the disk (O_DIRECT)
	method  string // pagecache.DiskRaw or pagecache.DiskFile; "" when not read
	rawErr  error  // why the block device could not be read
	dirty   int64  // dirty pages of the page's range (cachestat), when not read raw
	memfs   string // "tmpfs" when there is no disk
	memErr  error
	diskErr error
	differ  int   // bytes that differ
	first   int64 // offset of the first difference, -1 when none
	at      time.Time
}

type diskView struct {
	e      *view.Editor
	inline bool // read on the calling goroutine (tests)

	probeState[diskProbe]
}

var (
	styleDiffMem  = tcell.StyleDefault.Background(tcell.PaletteColor(1)).Foreground(tcell.PaletteColor(15)).Bold(true)
	styleDiffDisk = tcell.StyleDefault.Background(tcell.PaletteColor(4)).Foreground(tcell.PaletteColor(15)).Bold(true)
	styleSame     = tcell.StyleDefault
	styleDiffNote = tcell.StyleDefault.Foreground(tcell.PaletteColor(9)).Bold(true)
	styleAgree    = tcell.StyleDefault.Foreground(tcell.PaletteColor(2))
)

// DiskView is the disk view feature (the disk-view action), a new value
// for each editor.
func DiskView() view.Feature { return &diskView{} }

func (dv *diskView) Name() string { return "disk view" }

func (dv *diskView) Register(e *view.Editor) error {
	dv.e = e
	addProbedPanel(e, &view.Panel{Name: diskViewName, Side: view.Bottom, SizeFunc: dv.height, Draw: dv.draw}, keymap.DiskView, dv.request)
	e.OnMove(func(from, to int64) {
		ps := e.File().PageSize()
		if from/ps != to/ps && e.PanelShown(diskViewName) {
			dv.request()
		}
	})
	return nil
}

// diskRows is the number of byte rows shown for a screen of height h.
func diskRows(h int) int {
	if h >= 40 {
		return 8
	}
	return 4
}

func (dv *diskView) height(h int) int { return diskRows(h) + 2 }

// request reads the cursor's page in memory and on disk, unless a read is
// running.
func (dv *diskView) request() {
	e := dv.e
	if e.Size() == 0 {
		return
	}
	dv.mu.Lock()
	if dv.busy {
		dv.mu.Unlock()
		return
	}
	dv.busy = true
	dv.mu.Unlock()
	f := e.File()
	ps := f.PageSize()
	page := cursorPage(e, ps)
	n := int(min(ps, e.Size()-page))
	run := func() {
		p := &diskProbe{page: page, first: -1, at: time.Now()}
		mem := make([]byte, n)
		got, err := f.ReadAt(mem, page)
		p.mem = mem[:got]
		if err != nil && got < n {
			p.memErr = err
		}
		if p.memfs = pagecache.MemoryFS(f); p.memfs == "" {
			p.disk, p.rawErr = pagecache.ReadDiskRaw(f, page, n)
			if p.rawErr == nil {
				p.method = pagecache.DiskRaw
			} else {
				// O_DIRECT on the file would write a dirty page back
				// first: only when the page is clean.
				st, err := pagecache.Stats(f, page, int64(n))
				switch {
				case err != nil:
					p.diskErr = err
				case st.Dirty != 0 || st.Writeback != 0:
					p.dirty = max(st.Dirty, st.Writeback)
				default:
					p.disk, p.method, p.diskErr = pagecache.ReadDiskMethod(f, page, n)
				}
			}
		}
		if p.memErr == nil && p.diskErr == nil {
			for i := range min(len(p.mem), len(p.disk)) {
				if p.mem[i] != p.disk[i] {
					if p.first < 0 {
						p.first = page + int64(i)
					}
					p.differ++
				}
			}
		}
		dv.finish(p)
	}
	startProbe(e, dv.inline, run)
}

// Summary is the line under the bytes.
func (p *diskProbe) summary(f *mapping.File, syncKey string) (string, tcell.Style) {
	switch {
	case p.memfs != "":
		return fmt.Sprintf("%s keeps files in memory only: there is no disk behind these pages (O_DIRECT would read the same memory)", p.memfs), styleDiffNote
	case p.method == "" && p.diskErr == nil && p.dirty < 0:
		return "the page's dirty state is unknown and the block device cannot be read: the disk side is not shown", styleDiffNote
	case p.method == "" && p.diskErr == nil && f.IsBlockDevice():
		return "dirty, not yet on the device; not read: O_DIRECT on the device would write it first", styleDiffNote
	case p.method == "" && p.diskErr == nil:
		return "dirty, not yet on disk; not read: no access to the block device, and O_DIRECT on the file would write it first", styleDiffNote
	case errors.Is(p.diskErr, pagecache.ErrNoDirect):
		return "the filesystem refuses O_DIRECT (tmpfs?): there is no way to read its disk around the page cache", styleDiffNote
	case p.diskErr != nil:
		return fmt.Sprintf("disk: %v", p.diskErr), styleError
	case p.memErr != nil:
		return fmt.Sprintf("memory: %v", p.memErr), styleError
	case len(p.mem) != len(p.disk):
		return fmt.Sprintf("memory has %d B of this page, the disk %d B (the file changed size)", len(p.mem), len(p.disk)), styleDiffNote
	case p.differ > 0 && f.Mode() == mapping.Private:
		return fmt.Sprintf("MAP_PRIVATE: %s (first at 0x%x): your copy of the page, in this process only; it never reaches the disk", differ(p.differ), p.first), styleDiffNote
	case p.differ > 0 && f.Mode() == mapping.ReadOnly:
		return fmt.Sprintf("in memory, not yet on disk (%s, first at 0x%x): kernel writeback writes the page (read-only: no sync here)", differ(p.differ), p.first), styleDiffNote
	case p.differ > 0:
		return fmt.Sprintf("in memory, not yet on disk (%s, first at 0x%x): %s writes the page (msync MS_SYNC, fdatasync)", differ(p.differ), p.first, syncKey), styleDiffNote
	}
	if p.method == pagecache.DiskFile && f.IsBlockDevice() {
		return fmt.Sprintf("memory and disk agree (%d B): the page is clean (read from the device with O_DIRECT)", len(p.mem)), styleAgree
	}
	if p.method == pagecache.DiskFile {
		return fmt.Sprintf("memory and disk agree (%d B): the page is clean (read with O_DIRECT on the file: the block device cannot be read)", len(p.mem)), styleAgree
	}
	return fmt.Sprintf("memory and disk agree (%d B)", len(p.mem)), styleAgree
}

func (dv *diskView) draw(s tcell.Screen, x, y, w, h int) {
	e := dv.e
	if e.Size() == 0 {
		view.DrawText(s, x+1, y, w-1, "disk view: empty file", stylePanelHead)
		return
	}
	ps := e.File().PageSize()
	p := dv.result()
	if p == nil || p.page != cursorPage(e, ps) {
		view.DrawText(s, x+1, y, w-1, fmt.Sprintf("page 0x%x: reading…", cursorPage(e, ps)), stylePanelHead)
		return
	}
	digits := offsetDigits(e.Size())
	bpr := 16
	// offset, 2, hex, 3, hex
	if 1+digits+2+2*(hexPos(15)+2)+3 > w {
		bpr = 8
	}
	hexW := hexPos(bpr-1) + 2
	memX := x + 1 + digits + 2
	diskX := memX + hexW + 3
	name := display.Name(e.FileName()) // the header has the path
	title := fmt.Sprintf("page 0x%x of %s", p.page, name)
	view.DrawText(s, x+1, y, memX-x-1+hexW, title, stylePanelHead)
	hx := memX + max(0, view.TextWidth(title)-(memX-x-1)+2)
	memSrc := "memory (page cache)"
	if e.File().Mode() == mapping.Private {
		memSrc = "memory (this mapping)" // an edited page is a private copy
	}
	if view.TextWidth(memSrc) > diskX-hx-1 {
		memSrc = "memory" // 8 bytes a row: keep a gap before the disk side's title
	}
	view.DrawText(s, hx, y, diskX-hx-1, memSrc, stylePanelHead)
	src := "disk (block device, O_DIRECT)"
	switch {
	case p.memfs != "":
		src = "disk: none (" + p.memfs + ")"
	case p.method == pagecache.DiskFile:
		src = "disk (O_DIRECT on the file)"
	case p.method == "":
		src = "disk: not read"
	}
	view.DrawText(s, diskX, y, x+w-diskX, src, stylePanelHead)

	rows := max(h-2, 1)
	pageRows := (len(p.mem) + bpr - 1) / bpr
	curRow := int(e.Cursor()-p.page) / bpr
	first := min(max(curRow-rows/2, 0), max(pageRows-rows, 0))
	for r := 0; r < rows && first+r < pageRows; r++ {
		py := y + 1 + r
		rowOff := p.page + int64((first+r)*bpr)
		ost := e.OffsetStyle(false)
		if first+r == curRow {
			ost = e.OffsetStyle(true)
		}
		drawHex(s, x+1, py, rowOff, digits, ost)
		for i := 0; i < bpr; i++ {
			idx := (first+r)*bpr + i
			if idx >= len(p.mem) {
				break
			}
			b := p.mem[idx]
			diff := idx < len(p.disk) && p.disk[idx] != b
			st := styleSame
			if diff {
				st = styleDiffMem
			}
			if p.page+int64(idx) == e.Cursor() {
				st = st.Underline(true)
			}
			px := memX + hexPos(i)
			s.SetContent(px, py, rune(hexDigits[b>>4]), nil, st)
			s.SetContent(px+1, py, rune(hexDigits[b&0xf]), nil, st)
			if idx < len(p.disk) && p.diskErr == nil && p.method != "" {
				d := p.disk[idx]
				dst := styleSame
				if diff {
					dst = styleDiffDisk
				}
				px = diskX + hexPos(i)
				s.SetContent(px, py, rune(hexDigits[d>>4]), nil, dst)
				s.SetContent(px+1, py, rune(hexDigits[d&0xf]), nil, dst)
			}
		}
	}
	if h >= 2 {
		text, st := p.summary(e.File(), e.SyncKey())
		view.DrawText(s, x+1, y+h-1, w-1, text, st)
	}
}

// differ is "1 byte differs" or "3 bytes differ".
func differ(n int) string {
	if n == 1 {
		return "1 byte differs"
	}
	return fmt.Sprintf("%d bytes differ", n)
}

// cursorPage is the page of the cursor byte; in mmhex A B the cursor may
// be in the other file's longer tail: then the file's last page.
func cursorPage(e *view.Editor, ps int64) int64 {
	return min(e.Cursor(), max(e.Size()-1, 0)) / ps * ps
}
