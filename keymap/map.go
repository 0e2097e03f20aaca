package keymap

import (
	"fmt"
	"slices"
	"strconv"
)

// Map is the set of active bindings: a preset with the user's bindings
// applied, plus the rest of the user's configuration. A Map is read-only
// once built and may be shared; each editor uses its own Dispatcher.
type Map struct {
	preset string
	config Config
	modes  []*modeTable // modes[0] is the base mode
}

type modeTable struct {
	def   modeDef
	root  *node
	order int
}

type node struct {
	action Action
	order  int // insertion order, for help listings
	src    *binding
	next   map[Key]*node
}

type binding struct {
	seq    Seq
	action Action
	user   bool
	line   int
	text   string // as written in the file
}

// Preset returns the preset name ("default" or "vim").
func (m *Map) Preset() string { return m.preset }

// Config returns the settings read from the configuration file (defaults
// where the file said nothing).
func (m *Map) Config() Config { return m.config }

// Modal reports whether the preset has modes (vim).
func (m *Map) Modal() bool { return m.modes[0].def.name != ModeNone }

func (m *Map) mode(name string) *modeTable {
	for _, t := range m.modes {
		if t.def.name == name {
			return t
		}
	}
	return m.modes[0]
}

// PresetMap returns the Map of a preset without any configuration.
func PresetMap(name string) (*Map, error) {
	p, ok := presetByName(name)
	if !ok {
		return nil, fmt.Errorf("%w %q (choose %q or %q)", ErrUnknownPreset, name, PresetDefault, PresetVim)
	}
	m, _ := build(p, nil, "")
	m.config = defaultConfig()
	m.config.Keys = p.name
	return m, nil
}

// userBinds holds the configuration's bindings per mode name.
type userBinds map[string][]binding

// build makes the tries of preset p with user bindings ub; it reports
// conflicts between user bindings of one mode.
func build(p *presetDef, ub userBinds, file string) (*Map, []Problem) {
	m := &Map{preset: p.name}
	var probs []Problem
	for _, md := range p.modes {
		t := &modeTable{def: md, root: &node{}}
		var list []*binding
		add := func(bs []presetBind) {
			for _, b := range bs {
				seq, err := ParseSeq(b.keys)
				if err != nil {
					panic(fmt.Sprintf("keymap: preset %s: %v", p.name, err))
				}
				list = append(list, &binding{seq: seq, action: b.action})
			}
		}
		if md.inherits != "" {
			for _, pm := range p.modes {
				if pm.name == md.inherits {
					add(pm.binds)
				}
			}
		}
		add(md.binds)
		for _, b := range list {
			t.insert(b, nil)
		}
		// user bindings: the inherited mode's first (reported there), then
		// this mode's own
		var users []*binding
		var own []bool
		if md.inherits != "" {
			for i := range ub[md.inherits] {
				users, own = append(users, &ub[md.inherits][i]), append(own, false)
			}
		}
		for i := range ub[md.name] {
			users, own = append(users, &ub[md.name][i]), append(own, true)
		}
		for i, b := range users {
			report := own[i]
			t.insert(b, func(old *binding) {
				if report && old.user {
					probs = append(probs, Problem{File: file, Line: b.line,
						Msg: fmt.Sprintf("%s conflicts with %s (line %d); the later one is used", strconv.Quote(b.text), strconv.Quote(old.text), old.line)})
				}
			})
		}
		m.modes = append(m.modes, t)
	}
	return m, probs
}

// insert binds b.seq to b.action, replacing any binding that is the same
// sequence, a prefix of it, or has it as a prefix; conflict is called for
// each binding so replaced (except an identical rebinding of the same
// sequence by the preset).
func (t *modeTable) insert(b *binding, conflict func(old *binding)) {
	t.order++
	n := t.root
	for i, k := range b.seq {
		if n.action != "" && n.src != nil {
			if conflict != nil {
				conflict(n.src)
			}
			n.action, n.src = "", nil
		}
		c := n.next[k]
		if c == nil {
			if n.next == nil {
				n.next = map[Key]*node{}
			}
			c = &node{}
			n.next[k] = c
		}
		n = c
		if i == len(b.seq)-1 {
			if n.src != nil && conflict != nil && n.src.user {
				conflict(n.src)
			}
			if len(n.next) > 0 {
				if conflict != nil {
					walk(n, func(o *binding) { conflict(o) })
				}
				n.next = nil
			}
			n.action, n.src, n.order = b.action, b, t.order
		}
	}
}

func walk(n *node, fn func(*binding)) {
	if n.src != nil {
		fn(n.src)
	}
	for _, c := range n.next {
		walk(c, fn)
	}
}

// Binding is one active key sequence and its action.
type Binding struct {
	Seq    Seq
	Action Action
}

// Bindings returns the active bindings of a mode (ModeNone or ModeNormal
// for the base mode; "" means the base mode), in preset order then
// configuration order.
func (m *Map) Bindings(mode string) []Binding {
	t := m.modes[0]
	if mode != "" {
		t = m.mode(mode)
	}
	type ob struct {
		b     Binding
		order int
	}
	var all []ob
	var rec func(n *node, prefix Seq)
	rec = func(n *node, prefix Seq) {
		if n.action != "" {
			all = append(all, ob{Binding{append(Seq(nil), prefix...), n.action}, n.order})
		}
		for k, c := range n.next {
			rec(c, append(prefix, k))
		}
	}
	rec(t.root, nil)
	slices.SortFunc(all, func(a, b ob) int { return a.order - b.order })
	out := make([]Binding, len(all))
	for i, o := range all {
		out[i] = o.b
	}
	return out
}

// KeysFor returns the sequences bound to action a in the base mode, in
// order (for the help screen and hints like "F1 help").
func (m *Map) KeysFor(a Action) []Seq {
	var out []Seq
	for _, b := range m.Bindings("") {
		if b.Action == a {
			out = append(out, b.Seq)
		}
	}
	return out
}
