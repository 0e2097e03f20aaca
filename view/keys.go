package view

import (
	"strings"

	"github.com/gdamore/tcell/v2"

	"mmhex/keymap"
)

// defaultDispatcher is the default preset without configuration.
func defaultDispatcher() *keymap.Dispatcher {
	m, err := keymap.PresetMap(keymap.PresetDefault)
	if err != nil {
		panic(err) // the default preset always exists
	}
	return keymap.NewDispatcher(m)
}

// HandleKey handles one key event: the open overlay or prompt takes it;
// otherwise key hooks, shown panels, then the keymap. Found actions run
// their handler; unbound printable keys type bytes where the mode types.
func (e *Editor) HandleKey(ev *tcell.EventKey) {
	e.endFinishedJob() // a job whose work returned: the key meets the editor after it
	e.syncSize()       // a size change seen since the last event
	defer e.syncSize()
	e.firstHint = "" // the first-session hint goes with the first key
	e.cancelsBefore, e.idleCancels = e.idleCancels, 0
	if e.overlay != nil {
		e.overlay.key(e, ev)
		return
	}
	if e.prompt != nil {
		e.promptKey(ev)
		return
	}
	for _, h := range e.keyHooks {
		if h(ev) {
			return
		}
	}
	for _, p := range e.panels {
		if p.shown && p.Key != nil && p.Key(ev) {
			return
		}
	}
	k := keymap.FromEvent(ev)
	pending := e.keys.Pending()
	o := e.keys.Feed(k)
	switch o.Result {
	case keymap.Found:
		e.msg = ""
		e.runOutcome(o)
	case keymap.Incomplete:
		// The message line shows Dispatcher.Pending.
	case keymap.NotFound:
		if o.Type {
			if r, ok := k.Rune(); ok {
				e.msg = ""
				if e.refuseTooSmall("") {
					return
				}
				e.typeRune(r)
				return
			}
		}
		if o.Dropped { // Esc after "5", "g", "m": cancelled, not mistyped;
			return // the message shown before stays (a selection's range)
		}
		typed := k.String()
		// The keys of the dropped sequence, without its count ("12 g" -> "g").
		if seq := strings.TrimLeft(pending, "0123456789 "); seq != "" {
			typed = seq + " " + typed
		}
		if hint := e.helpHint(); hint != "" {
			e.Message("%s is not bound to anything (%s)", typed, hint)
		} else { // the configuration unbound every help key
			e.Message("%s is not bound to anything", typed)
		}
	}
}

// runOutcome runs a found action.
func (e *Editor) runOutcome(o keymap.Outcome) {
	if e.refuseTooSmall(o.Action) {
		return
	}
	a := Args{Count: o.Count, Arg: o.Arg, Expr: o.Expr}
	if !e.RunAction(o.Action, a) {
		e.Message("%s: not available yet", o.Action)
	}
}
