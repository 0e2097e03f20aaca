package keymap

import (
	"fmt"
	"slices"
	"strings"
)

// FirstKey is one of the five things a first session needs (move, edit,
// save, help, quit) and the keys of the active map that do it.
type FirstKey struct {
	What string // "move", "edit", "save", "help", "quit"
	Keys string // e.g. "Left Down Up Right", "Ctrl-S", ":w"
}

// firstKeys: the keys the help screen lists for each action of the base
// mode (for vim, the ex commands :w and :q too), in help order.
func (m *Map) firstKeys() map[Action][]string {
	keys := map[Action][]string{}
	for _, s := range m.Help() {
		if !slices.Contains(Groups, s.Title) {
			continue // the other modes' sections and the command line
		}
		for _, e := range s.Entries {
			keys[e.Action] = append(keys[e.Action], e.Keys...)
		}
	}
	return keys
}

// FirstKeys lists the five first-session keys of the active bindings, in
// the order move, edit, save, help, quit (README, the man page, the
// first-run hint). A rebound action shows its new first key; an action
// with no key shows "(unbound)".
func (m *Map) FirstKeys() []FirstKey {
	keys := m.firstKeys()
	first := func(a Action) string {
		if k := keys[a]; len(k) > 0 {
			return k[0]
		}
		return "(unbound)"
	}
	move := strings.Join([]string{first(Left), first(Down), first(Up), first(Right)}, " ")
	edit := fmt.Sprintf("type hex digits over the bytes; %s: type text in the text column", first(SwitchColumn))
	if m.Modal() {
		edit = fmt.Sprintf("%s (or %s for one byte), then hex digits; %s: the text column; Esc: back to normal mode", first(ReplaceMode), first(ReplaceByte), first(SwitchColumn))
	}
	return []FirstKey{
		{"move", move},
		{"edit", edit},
		{"save", first(Sync)},
		{"help", first(Help)},
		{"quit", first(Quit)},
	}
}

// FirstHint is the one-line hint shown on the first start of the editor:
// "F1 help · Ctrl-S save · Ctrl-Q quit" for the default preset.
func (m *Map) FirstHint() string {
	var parts []string
	for _, k := range m.FirstKeys() {
		if k.What == "help" || k.What == "save" || k.What == "quit" {
			parts = append(parts, k.Keys+" "+k.What)
		}
	}
	// help first: the order of the hint users know from other editors
	parts[0], parts[1] = parts[1], parts[0]
	return strings.Join(parts, " · ")
}
