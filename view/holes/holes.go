// Package holes shows a sparse file's holes in the editor: the bytes of
// a hole (no block behind them: they read as zeros) are drawn grey on dark
// (view.MarkHole), not as ordinary zero bytes, and four actions jump to
// the next or previous data range or hole (next-data Alt-., prev-data
// Alt-,, next-hole Alt-/, prev-hole Alt-?; vim ] d, [ d, ] h, [ h), so a
// 1 TiB file with three data extents goes from the first to the last with
// two keys. A run of at least two whole rows in one hole is squeezed into
// one line "hole 0xSTART–0xEND (SIZE)" (view.SetSqueeze), as hexdump's "*";
// squeeze-holes (Alt-*, vim z h) shows them row by row and back. The
// ranges come from lseek SEEK_DATA/SEEK_HOLE on the open
// file (mapping/extents), asked for the visible range after each event
// (view.Editor.OnLayout), never by a frame that an event prepared.
//
// It uses only the editor's exported API (view.Editor).
package holes

import (
	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/extents"
	"mmhex/view"
)

type feature struct {
	e         *view.Editor
	noSqueeze bool // squeezing turned off (squeeze-holes)

	// The holes of the range the grid shows, asked after each event
	// (OnLayout) for the frames' highlighter: [from, to), known when the
	// lseeks succeeded.
	from, to int64
	holes    []extents.Range
	known    bool

	// ranges is extents.Ranges (tests count the calls).
	ranges func(f *mapping.File, off, end int64, fn func(extents.Range) error) error
}

// Holes is the feature.
func Holes() view.Feature { return &feature{} }

func (h *feature) Name() string { return "holes" }

func (h *feature) Register(e *view.Editor) error {
	h.e = e
	e.AddHighlighter(h.highlight)
	e.OnLayout(h.prepare)
	e.Handle(keymap.NextData, func(e *view.Editor, a view.Args) { h.jump(false, true) })
	e.Handle(keymap.PrevData, func(e *view.Editor, a view.Args) { h.jump(false, false) })
	e.Handle(keymap.NextHole, func(e *view.Editor, a view.Args) { h.jump(true, true) })
	e.Handle(keymap.PrevHole, func(e *view.Editor, a view.Args) { h.jump(true, false) })
	e.Handle(keymap.SqueezeHoles, func(e *view.Editor, a view.Args) { h.toggleSqueeze() })
	e.SetSqueeze(h.holeAt)
	return nil
}

// holeAt is the hole holding off, for the grid's squeezing; for data,
// the run of data around off that one walk found (the editor answers its
// other rows from it). The walk starts up to holeBack bytes before off, so
// that the rows above off (the grid walks back from the end of the file)
// are answered too.
func (h *feature) holeAt(off int64) (start, end int64, ok bool) {
	from := max(0, off-holeBack) &^ 4095
	var at extents.Range
	got := false
	if err := extents.Ranges(h.e.File(), from, -1, func(r extents.Range) error {
		if r.End > off {
			at, got = r, true
			return extents.ErrStop
		}
		return nil
	}); err != nil || !got || at.Off > off {
		return 0, 0, false
	}
	if !at.Hole {
		return at.Off, at.End, false
	}
	if at.Off > from || from == 0 {
		return at.Off, at.End, true // the range before it is data: its start
	}
	s, e, ok, err := extents.HoleAt(h.e.File(), off)
	return s, e, ok && err == nil
}

// holeBack is how far before the offset asked holeAt's walk starts.
const holeBack = 64 << 10

// toggleSqueeze turns squeezing the holes' rows off or on again.
func (h *feature) toggleSqueeze() {
	h.noSqueeze = !h.noSqueeze
	if h.noSqueeze {
		h.e.SetSqueeze(nil)
		h.e.Message("holes shown row by row")
		return
	}
	h.e.SetSqueeze(h.holeAt)
	h.e.Message("holes squeezed: a run of hole rows is one line")
}

// holesIn is the holes of [start, end) (lseek SEEK_DATA/SEEK_HOLE).
func (h *feature) holesIn(start, end int64) ([]extents.Range, error) {
	ranges := h.ranges
	if ranges == nil {
		ranges = extents.Ranges
	}
	var holes []extents.Range
	err := ranges(h.e.File(), start, end, func(r extents.Range) error {
		if r.Hole {
			holes = append(holes, r)
		}
		return nil
	})
	return holes, err
}

// prepare asks the holes of the range the grid shows, after each event
// (OnLayout): the frames' highlighter reads them.
func (h *feature) prepare(start, end int64) {
	holes, err := h.holesIn(start, end)
	h.from, h.to, h.holes, h.known = start, end, holes, err == nil
}

// highlight marks the visible bytes that lie in holes, from the holes
// prepare asked after the last event; a frame outside that range (a size
// no event adopted yet: a resize before its event) asks for itself and
// keeps nothing.
func (h *feature) highlight(start, end int64) func(off int64) view.Mark {
	var holes []extents.Range
	if h.known && start >= h.from && end <= h.to {
		for _, r := range h.holes {
			if r.Off < end && r.End > start {
				holes = append(holes, r)
			}
		}
	} else {
		var err error
		if holes, err = h.holesIn(start, end); err != nil {
			return nil
		}
	}
	if len(holes) == 0 {
		return nil
	}
	return func(off int64) view.Mark {
		for _, r := range holes {
			if off >= r.Off && off < r.End {
				return view.MarkHole
			}
		}
		return 0
	}
}

// jump moves to the start of the next (forward) or previous range of the
// kind asked (hole or data) that starts after (before) the cursor.
func (h *feature) jump(hole, forward bool) {
	e := h.e
	cur := e.Cursor()
	kind := map[bool]string{true: "hole", false: "data"}[hole]
	target := int64(-1)
	var err error
	if forward {
		first := true // the range the cursor is in: not a "next" one
		err = extents.Ranges(e.File(), cur, -1, func(r extents.Range) error {
			if first {
				first = false
				return nil
			}
			if r.Hole == hole {
				target = r.Off
				return extents.ErrStop
			}
			return nil
		})
	} else {
		err = extents.Ranges(e.File(), 0, cur, func(r extents.Range) error {
			if r.Hole == hole {
				target = r.Off
			}
			return nil
		})
	}
	switch {
	case err != nil:
		e.ShowError(err)
	case target < 0 && forward:
		e.Message("no %s after 0x%x", kind, cur)
	case target < 0:
		e.Message("no %s before 0x%x", kind, cur)
	default:
		e.SetCursor(target)
		e.Message("%s at 0x%x", kind, target)
	}
}
