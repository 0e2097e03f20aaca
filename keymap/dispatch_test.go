package keymap

import (
	"fmt"
	"strings"
	"testing"
)

// feed types the space-separated key names and describes each outcome.
func feed(d *Dispatcher, keys string) []string {
	var out []string
	for _, n := range strings.Fields(keys) {
		o := d.Feed(MustKey(n))
		s := o.Result.String()
		if o.Result == Found {
			s += " " + string(o.Action)
		}
		if o.Count != 0 {
			s += fmt.Sprintf(" count=%d", o.Count)
		}
		if o.Arg != 0 {
			s += fmt.Sprintf(" arg=%c", o.Arg)
		}
		if o.Type {
			s += " type"
		}
		if o.Dropped {
			s += " dropped"
		}
		if d.Mode() != "" {
			s += " [" + d.Mode() + "]"
		}
		if p := d.Pending(); p != "" {
			s += " pending=" + p
		}
		out = append(out, s)
	}
	return out
}

func TestSequenceLookup(t *testing.T) {
	tests := []struct {
		preset, keys string
		want         []string
	}{
		{"default", "Ctrl-G", []string{"found goto"}},
		{"default", "a 1 Space", []string{"not found type", "not found type", "not found type"}},
		{"default", "Enter", []string{"not found"}},
		{"default", "Tab F1 Alt-h Ctrl-_", []string{"found switch-column", "found help", "found help", "found help"}},
		{"default", "Ctrl-S Ctrl-W Ctrl-Z Ctrl-Y Ctrl-Q", []string{"found sync", "found sync-async", "found undo", "found redo", "found quit"}},
		{"default", "Ctrl-F Ctrl-R Ctrl-P Ctrl-D", []string{"found search-forward", "found search-backward", "found page-panel", "found disk-view"}},
		{"default", "Alt-m a", []string{"incomplete pending=Alt-m", "found mark-set arg=a"}},
		{"default", "Alt-j Z", []string{"incomplete pending=Alt-j", "found mark-jump arg=Z"}},
		// a wrong argument is dropped, not typed
		{"default", "Alt-m 1 b", []string{"incomplete pending=Alt-m", "not found", "not found type"}},
		{"default", "Alt-m Esc Esc", []string{"incomplete pending=Alt-m", "not found dropped", "found cancel"}},
		// Ctrl-C is quit in the default preset: it does not cancel "Alt-m"
		{"default", "Alt-m Ctrl-C", []string{"incomplete pending=Alt-m", "not found"}},
		{"vim", "h j k l", []string{"found left [NORMAL]", "found down [NORMAL]", "found up [NORMAL]", "found right [NORMAL]"}},
		{"vim", "g g", []string{"incomplete [NORMAL] pending=g", "found top [NORMAL]"}},
		// a wrong sequence is dropped cleanly: "g x" does nothing, then x is fresh
		{"vim", "g x g g", []string{"incomplete [NORMAL] pending=g", "not found [NORMAL]", "incomplete [NORMAL] pending=g", "found top [NORMAL]"}},
		{"vim", "1 2 G", []string{"incomplete [NORMAL] pending=1", "incomplete [NORMAL] pending=12", "found bottom count=12 [NORMAL]"}},
		// a count is exact up to 19 digits (an offset in a file over 1 TB)
		{"vim", "1 7 0 0 0 0 0 0 0 0 0 0 0 1 G", []string{"incomplete [NORMAL] pending=1", "incomplete [NORMAL] pending=17", "incomplete [NORMAL] pending=170", "incomplete [NORMAL] pending=1700", "incomplete [NORMAL] pending=17000", "incomplete [NORMAL] pending=170000", "incomplete [NORMAL] pending=1700000", "incomplete [NORMAL] pending=17000000", "incomplete [NORMAL] pending=170000000", "incomplete [NORMAL] pending=1700000000", "incomplete [NORMAL] pending=17000000000", "incomplete [NORMAL] pending=170000000000", "incomplete [NORMAL] pending=1700000000000", "incomplete [NORMAL] pending=17000000000001", "found bottom count=17000000000001 [NORMAL]"}},
		{"vim", "1 0 j", []string{"incomplete [NORMAL] pending=1", "incomplete [NORMAL] pending=10", "found down count=10 [NORMAL]"}},
		{"vim", "0", []string{"found row-start [NORMAL]"}},
		{"vim", "3 g g", []string{"incomplete [NORMAL] pending=3", "incomplete [NORMAL] pending=3 g", "found top count=3 [NORMAL]"}},
		{"vim", "5 Esc j", []string{"incomplete [NORMAL] pending=5", "not found dropped [NORMAL]", "found down [NORMAL]"}},
		// Ctrl-C is cancel in the vim preset: it drops what is pending too
		{"vim", "g Ctrl-C g Esc Z Ctrl-C", []string{"incomplete [NORMAL] pending=g", "not found dropped [NORMAL]", "incomplete [NORMAL] pending=g", "not found dropped [NORMAL]", "incomplete [NORMAL] pending=Z", "not found dropped [NORMAL]"}},
		{"vim", "m Esc ' Ctrl-C 3 m Esc", []string{"incomplete [NORMAL] pending=m", "not found dropped [NORMAL]", "incomplete [NORMAL] pending='", "not found dropped [NORMAL]", "incomplete [NORMAL] pending=3", "incomplete [NORMAL] pending=3 m", "not found dropped [NORMAL]"}},
		{"vim", "m a ' a ` b", []string{"incomplete [NORMAL] pending=m", "found mark-set arg=a [NORMAL]", "incomplete [NORMAL] pending='", "found mark-jump arg=a [NORMAL]", "incomplete [NORMAL] pending=`", "found mark-jump arg=b [NORMAL]"}},
		{"vim", "X q", []string{"not found [NORMAL]", "not found [NORMAL]"}},
		// i, a, Insert and x are actions that say typing overwrites in place
		{"vim", "i a Insert x 3 x", []string{"found insert [NORMAL]", "found insert [NORMAL]", "found insert [NORMAL]", "found delete [NORMAL]", "incomplete [NORMAL] pending=3", "found delete count=3 [NORMAL]"}},
		{"vim", "R a b Left Esc a", []string{"found replace-mode [REPLACE]", "not found type [REPLACE]", "not found type [REPLACE]", "found left [REPLACE]", "found normal-mode [NORMAL]", "found insert [NORMAL]"}},
		// Esc typed fast before a key arrives as Alt-key: in replace mode
		// that is Esc, then the key in normal mode
		{"vim", "R a Alt-: Alt-j", []string{"found replace-mode [REPLACE]", "not found type [REPLACE]", "found command-line [NORMAL]", "not found [NORMAL]"}},
		{"vim", "R Alt-j", []string{"found replace-mode [REPLACE]", "found down [NORMAL]"}},
		{"vim", "R Alt-x x", []string{"found replace-mode [REPLACE]", "found delete [NORMAL]", "found delete [NORMAL]"}},
		{"vim", "R Alt-g g", []string{"found replace-mode [REPLACE]", "incomplete [NORMAL] pending=g", "found top [NORMAL]"}},
		{"vim", "R Alt-Left", []string{"found replace-mode [REPLACE]", "found left [NORMAL]"}},
		{"vim", "r Alt-1 G", []string{"found replace-byte [REPLACE]", "incomplete [NORMAL] pending=1", "found bottom count=1 [NORMAL]"}},
		{"vim", "v l y", []string{"found select [VISUAL]", "found right [VISUAL]", "found copy-hex [NORMAL]"}},
		{"vim", "v r", []string{"found select [VISUAL]", "found fill [NORMAL]"}},
		{"vim", "v v", []string{"found select [VISUAL]", "found select [NORMAL]"}},
		{"vim", "v Esc", []string{"found select [VISUAL]", "found cancel [NORMAL]"}},
		{"vim", "Z Z", []string{"incomplete [NORMAL] pending=Z", "found sync-quit [NORMAL]"}},
		{"vim", ": Ctrl-R u", []string{"found command-line [NORMAL]", "found redo [NORMAL]", "found undo [NORMAL]"}},
		{"vim", "Ctrl-D Ctrl-U / ? n N Tab", []string{"found half-page-down [NORMAL]", "found half-page-up [NORMAL]", "found search-forward [NORMAL]", "found search-backward [NORMAL]", "found search-next [NORMAL]", "found search-prev [NORMAL]", "found switch-column [NORMAL]"}},
	}
	for _, tc := range tests {
		t.Run(tc.preset+" "+tc.keys, func(t *testing.T) {
			m, err := PresetMap(tc.preset)
			if err != nil {
				t.Fatal(err)
			}
			got := feed(NewDispatcher(m), tc.keys)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("keys %q\n got: %q\nwant: %q", tc.keys, got, tc.want)
			}
		})
	}
}

func TestReplaceByteReturnsToNormal(t *testing.T) {
	m, _ := PresetMap("vim")
	d := NewDispatcher(m)
	got := feed(d, "r 4")
	want := []string{"found replace-byte [REPLACE]", "not found type [REPLACE]"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q want %q", got, want)
	}
	if d.Mode() != ModeReplace {
		t.Fatalf("mode %q before the byte is whole", d.Mode())
	}
	if !d.ByteWritten() {
		t.Fatal("ByteWritten after r: the cursor should stay")
	}
	if d.Mode() != ModeNormal {
		t.Fatalf("mode %q after ByteWritten, want NORMAL", d.Mode())
	}
	// in R mode ByteWritten keeps replacing and the cursor moves on
	feed(d, "R")
	if d.ByteWritten() || d.Mode() != ModeReplace {
		t.Fatalf("mode %q after ByteWritten in R mode", d.Mode())
	}
	d.SetMode(ModeNormal)
	if d.Mode() != ModeNormal {
		t.Fatal("SetMode")
	}
	d.SetMode("BOGUS")
	if d.Mode() != ModeNormal {
		t.Fatal("SetMode accepted an unknown mode")
	}
}

func TestDispatcherParseExMode(t *testing.T) {
	m, _ := PresetMap(PresetVim)
	d := NewDispatcher(m)
	feed(d, "v")
	if d.Mode() != ModeVisual {
		t.Fatal("v")
	}
	if o, err := d.ParseEx(":w out.bin"); err != nil || o.Action != WriteSelection || o.Expr != "out.bin" {
		t.Fatalf("ParseEx: %+v %v", o, err)
	}
	if d.Mode() != ModeNormal {
		t.Fatalf(":w FILE in visual mode left mode %q", d.Mode())
	}
	if o, _ := d.ParseEx(":replace-mode"); o.Action != ReplaceMode || d.Mode() != ModeReplace {
		t.Fatalf(":replace-mode: %+v mode %q", o, d.Mode())
	}
}

func TestParseEx(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{":w", "sync"}, {"w", "sync"}, {" :w ", "sync"}, {":w!", "sync"}, {":wa", "sync"}, {":write!", "sync"}, {":wasync", "sync-async"},
		{":q", "quit"}, {":q!", "quit-revert"}, {":wq", "sync-quit"}, {":x", "sync-quit"},
		{":e!", "revert-all"}, {":$", "bottom"}, {":h", "help"},
		{":123", "goto 123"}, {":0x7b", "goto 0x7b"}, {":+16", "goto +16"}, {":-1k", "goto -1k"},
		{":50%", "goto 50%"}, {":end", "goto end"}, {":goto 4k", "goto 4k"},
		{":w out.bin", "write-selection out.bin"}, {":fill ff", "fill ff"}, {":inspector", "inspector"},
		{":sync-async", "sync-async"},
		{":%s/a/b/g", "replace %s/a/b/g"}, {":'<,'>s/a/b/c", "replace '<,'>s/a/b/c"}, {":s#a#b#", "replace s#a#b#"},
		{":substitute/a/b/", "replace substitute/a/b/"}, {":%s/a b/c d/", "replace %s/a b/c d/"},
		{":search-list", "search-list"}, {":sync", "sync"}, {":select", "select"},
	}
	for _, tc := range tests {
		o, err := ParseEx(tc.in)
		if err != nil {
			t.Errorf("ParseEx(%q): %v", tc.in, err)
			continue
		}
		got := string(o.Action)
		if o.Expr != "" {
			got += " " + o.Expr
		}
		if o.Result != Found || got != tc.want {
			t.Errorf("ParseEx(%q) = %v %q, want found %q", tc.in, o.Result, got, tc.want)
		}
	}
	if o, err := ParseEx(":"); err != nil || o.Result != NotFound {
		t.Errorf("ParseEx(\":\") = %v, %v", o, err)
	}
	_, err := ParseEx(":frobnicate now")
	if err == nil || err.Error() != `unknown command "frobnicate"` {
		t.Errorf("ParseEx unknown: %v", err)
	}
	_, err = ParseEx(":\x1b[2J")
	if err == nil || err.Error() != "unknown command \"\x1b[2J\"" { // raw: view draws it through display.Rune
		t.Errorf("ParseEx escape: %v", err)
	}
}

// Every action has a binding in the default preset (except the vim-only
// mode actions), and every action is reachable in the vim preset by a key
// or a command.
func TestEveryActionHasAKey(t *testing.T) {
	for _, preset := range Presets {
		m, _ := PresetMap(preset)
		bound := map[Action]bool{}
		for _, t := range m.modes {
			for _, b := range m.Bindings(t.def.name) {
				bound[b.Action] = true
			}
		}
		for _, c := range exCommands {
			if preset == PresetVim && c.action != "" {
				bound[c.action] = true
			}
		}
		for _, a := range All() {
			if !bound[a.Name] && !(preset == PresetDefault && VimOnly(a.Name)) {
				t.Errorf("preset %s: action %s has no key", preset, a.Name)
			}
		}
	}
}

func TestActionsDescribed(t *testing.T) {
	seen := map[Action]bool{}
	for _, a := range All() {
		if seen[a.Name] {
			t.Errorf("action %s listed twice", a.Name)
		}
		seen[a.Name] = true
		if a.Desc == "" || strings.HasSuffix(a.Desc, ".") || a.Group == "" {
			t.Errorf("action %s: desc %q group %q", a.Name, a.Desc, a.Group)
		}
	}
	if len(seen) != 82 {
		t.Errorf("%d actions", len(seen))
	}
}
