// Package features is the one place the editor's features are listed:
// those that are part of package view and those in its subpackages
// (view/lab). It imports both; view imports neither this package nor the
// subpackages, so a subpackage feature can use view's exported API without
// an import cycle. main passes Default() to view.Launch.
package features

import (
	"mmhex/view"
	"mmhex/view/follow"
	"mmhex/view/holders"
	"mmhex/view/holes"
	"mmhex/view/lab"
	"mmhex/view/shapeview"
	"mmhex/view/structure"
)

// Default is the editor's feature list, built here and nowhere else, new
// values for each editor. The order is the order hooks run in and panels
// are laid out in: the cancel hooks (Esc) of the search, then the
// selection (a running job, such as a write-selection, takes Esc before
// any hook); the status parts of the live view, then the
// search; the bottom panels disk view, then page panel.
func Default() []view.Feature { return With(Options{}) }

// Options are the command line's choices that features take.
type Options struct {
	Follow bool // --follow: follow the end of the file from the start
}

// With is Default with the command line's choices.
func With(o Options) []view.Feature {
	return []view.Feature{
		view.Core(),
		view.Compare(),
		lab.DiskView(),
		view.Inspector(),
		view.Live(),
		view.Marks(),
		lab.PagePanel(),
		view.Paste(),
		view.Search(),
		view.Selection(),
		view.WriteSelection(),
		structure.Structure(),
		shapeview.EntropyMap(),
		shapeview.StringsPanel(),
		shapeview.HashPanel(),
		shapeview.CopyAs(),
		follow.New(o.Follow),
		holders.Panel(),
		holes.Holes(),
		view.Recovery(),
		view.Reshape(),
	}
}
