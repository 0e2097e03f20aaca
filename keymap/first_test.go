package keymap

import (
	"strings"
	"testing"
)

// TestFirstKeys: the exact first-session keys of both presets, and a
// configuration that rebinds save changes them.
func TestFirstKeys(t *testing.T) {
	for _, c := range []struct {
		preset string
		want   string
		hint   string
	}{
		{PresetDefault, "move=Left Down Up Right|edit=type hex digits over the bytes; Tab: type text in the text column|save=Ctrl-S|help=F1|quit=Ctrl-Q", "F1 help · Ctrl-S save · Ctrl-Q quit"},
		{PresetVim, "move=h j k l|edit=R (or r for one byte), then hex digits; Tab: the text column; Esc: back to normal mode|save=:w|help=F1|quit=:q", "F1 help · :w save · :q quit"},
	} {
		m, err := PresetMap(c.preset)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range m.FirstKeys() {
			got = append(got, k.What+"="+k.Keys)
		}
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.preset, g, c.want)
		}
		if h := m.FirstHint(); h != c.hint {
			t.Errorf("%s hint: %q, want %q", c.preset, h, c.hint)
		}
	}
	m, problems := Parse("config.toml", []byte("[bindings]\n\"F2\" = \"sync\"\n\"F9\" = \"help\"\n\"Ctrl-S\" = \"none\"\n\"F1\" = \"none\"\n\"Alt-h\" = \"none\"\n\"Ctrl-_\" = \"none\"\n"), PresetDefault)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if h := m.FirstHint(); h != "F9 help · F2 save · Ctrl-Q quit" {
		t.Errorf("rebound: %q", h)
	}
}

// TestThemeSetting: theme takes dark, light or accessible; anything else is
// a problem on its line and leaves the theme unset.
func TestThemeSetting(t *testing.T) {
	for _, th := range Themes {
		m, probs := Parse("c.toml", []byte("theme = \""+th+"\"\n"), "")
		if len(probs) > 0 || m.Config().Theme != th {
			t.Errorf("theme %s: %v %q", th, probs, m.Config().Theme)
		}
	}
	m, probs := Parse("c.toml", []byte("\ntheme = \"neon\"\n"), "")
	if len(probs) != 1 || probs[0].String() != `c.toml:2: theme: unknown theme "neon" (choose "dark", "light" or "accessible")` || m.Config().Theme != "" {
		t.Errorf("theme neon: %v %q", probs, m.Config().Theme)
	}
	if _, probs := Parse("c.toml", []byte("theme = 3\n"), ""); len(probs) != 1 || probs[0].String() != `c.toml:1: theme: unknown theme 3 (choose "dark", "light" or "accessible")` {
		t.Errorf("theme 3: %v", probs)
	}
}
