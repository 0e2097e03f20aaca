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

// defaultFeatures is the editor's feature list, built here and nowhere
// else. The order is the order hooks run in: the cancel hooks (Esc) of the
// write-selection, then the search, then the selection; the status parts
// of the live view, then the search.
func defaultFeatures() []Feature {
	return []Feature{
		featureFunc{"core", registerCore},
		featureFunc{"disk view", registerDiskView},
		featureFunc{"inspector", registerInspector},
		featureFunc{"live view", registerLive},
		featureFunc{"marks", registerMarks},
		featureFunc{"page panel", registerPagePanel},
		featureFunc{"paste", registerPaste},
		featureFunc{"search", registerSearch},
		featureFunc{"selection", registerSelection},
		featureFunc{"write-selection", registerWriteSelection},
	}
}

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
