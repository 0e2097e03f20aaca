package view

import (
	"errors"
	"fmt"

	"mmhex/keymap"
)

// A Feature is one part of the editor: the core's moving and editing, the
// selection, search, marks, the panels. New calls Register once on each, in
// the order of the list it is given, before the first frame; Register adds
// the feature's actions (Handle), panels (AddPanel) and hooks (OnMove,
// OnCancel, AddHighlighter, Every, ...) to the editor. A feature keeps its
// state in its own value, not in the editor and not in a package variable.
type Feature interface {
	// Name names the feature in construction errors ("search").
	Name() string
	// Register adds the feature to e. Handle refuses an action that
	// already has a handler: New then returns that error.
	Register(e *Editor) error
}

// The features that are part of this package, one constructor each: the
// list that orders them with the subpackages' features (view/lab) is
// features.Default (mmhex/view/features), the one place every feature is
// named. Each call makes a new value: one per editor, holding its state.

// Core is moving, editing, undo, sync, quit, help and the command line.
func Core() Feature { return featureFunc{"core", registerCore} }

// Inspector is the data inspector panel.
func Inspector() Feature { return featureFunc{"inspector", registerInspector} }

// Live is the live view of other writers (a tick that follows the file's
// size and name, and the highlight of bytes others changed).
func Live() Feature { return newLive() }

// Marks are the letter marks (mark-set, mark-jump).
func Marks() Feature { return newMarks() }

// Paste is bracketed paste into the grid.
func Paste() Feature { return featureFunc{"paste", registerPaste} }

// Search is the search prompt and engine; it shows its match in the
// list's Selection feature (New fails without one).
func Search() Feature { return &searcher{} }

// Selection is the selection and its operations (copy, fill, paste-hex).
func Selection() Feature { return &selection{} }

// WriteSelection is write-selection (the selection, or the whole file, to
// a new file). The write is the editor's job: no state of its own.
func WriteSelection() Feature { return featureFunc{"write-selection", registerWriteSelection} }

// Recovery offers, at start, the edits an earlier session left unsynced
// in its journal (revert, keep, look first), and the recover action.
func Recovery() Feature { return &recoveryFeature{} }

// featureFunc is a feature that is one registering function.
type featureFunc struct {
	name string
	fn   func(e *Editor)
}

func (f featureFunc) Name() string { return f.name }

func (f featureFunc) Register(e *Editor) error { f.fn(e); return nil }

// register runs each feature's Register on e, in order, and stops at the
// first error (a duplicate handler, or the feature's own).
func (e *Editor) register(feats []Feature) error {
	e.features = feats
	e.handledBy = make(map[keymap.Action]string)
	for _, ft := range feats {
		e.registering, e.regErr = ft.Name(), nil
		err := errors.Join(ft.Register(e), e.regErr)
		if err != nil {
			return fmt.Errorf("feature %q: %w", ft.Name(), err)
		}
	}
	e.registering = ""
	return nil
}

// Handle registers h as the handler of action. An action has one handler:
// a second one is refused, and New returns the error naming both features.
func (e *Editor) Handle(action keymap.Action, h Handler) {
	if prev, ok := e.handledBy[action]; ok {
		e.regErr = errors.Join(e.regErr, fmt.Errorf("action %q already has a handler (from feature %q)", action, prev))
		return
	}
	if e.handledBy != nil {
		e.handledBy[action] = e.registering
	}
	e.handlers[string(action)] = h
}

// featureOf is the editor's feature of type T, the zero T when it has none:
// how one feature's code finds its state from the editor (the selection
// for fill and copy, the search's running search).
func featureOf[T Feature](e *Editor) T {
	for _, f := range e.features {
		if t, ok := f.(T); ok {
			return t
		}
	}
	var zero T
	return zero
}
