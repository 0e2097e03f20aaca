package keymap

import (
	"fmt"
	"strings"
)

// Section is one part of the help screen.
type Section struct {
	Title   string
	Entries []Entry
}

// Entry is one line of help: the keys (sequence names, "m {a-z}" for an
// action that reads a letter, ":w" for a command) and what they do.
type Entry struct {
	Keys   []string
	Action Action // "" for notes and commands without an action
	Desc   string
}

// Help returns the help screen's sections, generated from the active
// bindings and the action descriptions: one section per action group for
// the base mode, then (vim) one per other mode for the keys that differ,
// then the command line.
func (m *Map) Help() []Section {
	var out []Section
	base := m.modes[0]
	byAction := map[Action][]string{}
	for _, b := range m.Bindings(base.def.name) {
		byAction[b.Action] = append(byAction[b.Action], keyLabel(b))
	}
	if m.Modal() {
		// the ex commands are how vim users save and quit: list them too
		for _, c := range exCommands {
			if c.desc != "" && c.action != "" && !strings.ContainsAny(c.cmd, " N") {
				byAction[c.action] = append(byAction[c.action], ":"+c.cmd)
			}
		}
	}
	for _, g := range Groups {
		sec := Section{Title: g}
		for _, inf := range actions {
			if inf.Group != g || len(byAction[inf.Name]) == 0 {
				continue
			}
			sec.Entries = append(sec.Entries, Entry{Keys: byAction[inf.Name], Action: inf.Name, Desc: inf.Desc})
		}
		if len(sec.Entries) > 0 {
			out = append(out, sec)
		}
	}
	for _, t := range m.modes[1:] {
		sec := Section{Title: t.def.title}
		inherited := map[string]Action{}
		if t.def.inherits != "" {
			for _, b := range m.Bindings(t.def.inherits) {
				inherited[b.Seq.String()] = b.Action
			}
		}
		keys := map[Action][]string{}
		var acts []Action
		for _, b := range m.Bindings(t.def.name) {
			if a, ok := inherited[b.Seq.String()]; ok && a == b.Action {
				continue
			}
			if _, seen := keys[b.Action]; !seen {
				acts = append(acts, b.Action)
			}
			keys[b.Action] = append(keys[b.Action], keyLabel(b))
		}
		for _, a := range acts {
			sec.Entries = append(sec.Entries, Entry{Keys: keys[a], Action: a, Desc: a.Desc()})
		}
		out = append(out, sec)
	}
	if m.Modal() {
		out = append(out, Section{Title: "Counts", Entries: []Entry{
			{Keys: []string{"N move"}, Desc: "a number before a move repeats it (5 j, 3 w)"},
			{Keys: []string{"N G", "N g g"}, Desc: "go to offset N (decimal)"},
		}})
	}
	cl := Section{Title: "Command line (" + strings.Join(labels(m.KeysFor(CommandLine)), ", ") + ")"}
	for _, c := range exCommands {
		if c.desc == "" {
			continue
		}
		cl.Entries = append(cl.Entries, Entry{Keys: []string{":" + c.cmd}, Action: c.action, Desc: c.desc})
	}
	out = append(out, cl)
	return out
}

func labels(ss []Seq) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return out
}

func keyLabel(b Binding) string {
	s := b.Seq.String()
	if inf, _ := b.Action.Info(); inf.Arg {
		s += " {a-z}"
	}
	return s
}

// Text renders the help as plain text, one entry a line: the keys padded to
// a column, then the description.
func (m *Map) Text() string {
	var b strings.Builder
	secs := m.Help()
	w := 0
	for _, s := range secs {
		for _, e := range s.Entries {
			w = max(w, len(strings.Join(e.Keys, ", ")))
		}
	}
	w = min(w, 28)
	for i, s := range secs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s.Title)
		b.WriteByte('\n')
		for _, e := range s.Entries {
			k := strings.Join(e.Keys, ", ")
			if len(k) > w {
				fmt.Fprintf(&b, "  %s\n  %-*s  %s\n", k, w, "", e.Desc)
			} else {
				fmt.Fprintf(&b, "  %-*s  %s\n", w, k, e.Desc)
			}
		}
	}
	return b.String()
}
