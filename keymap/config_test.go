package keymap

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

func TestConfigProblems(t *testing.T) {
	const file = `# mmhex configuration
keys = "vim"
bytes_per_row = 16
[bindings]
"Ctrl-G" = "goto"
"X" = "no-such-action"
"g g" = "top"
"Hyper-q" = "quit"
"Ctrl-T" = 5
"q" = "quit"
"q q" = "sync"
"Ctrl-l" = "inspector"
"C-L" = "help"
"F5" = "none"
[bindings.replace]
"F2" = "normal-mode"
[bindings.insert]
"F3" = "quit"
[colours]
offset = "red"
edited = "#ff8000"
nope = "blue"
high = "mauvish"
[extra]
a = 1
`
	m, probs := Parse("config.toml", []byte(file), "")
	want := `config.toml:6: unknown action "no-such-action"
config.toml:8: bad key "Hyper-q": unknown modifier "Hyper"
config.toml:9: "Ctrl-T": the action must be a string, not 5
config.toml:11: "q q" conflicts with "q" (line 10); the later one is used
config.toml:13: "C-L" conflicts with "Ctrl-l" (line 12); the later one is used
config.toml:17: bindings.insert: not a mode (normal, visual, replace) and not an action name
config.toml:22: colours: unknown element "nope" (one of null, printable, whitespace, control, high, offset, edited, header, status)
config.toml:23: colours.high: unknown colour "mauvish" (a name like "red" or "#rrggbb")
config.toml:24: unknown setting "extra"
`
	if got := ProblemsText(probs); got != want {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
	}
	if m.Preset() != PresetVim || m.Config().BytesPerRow != 16 {
		t.Fatalf("preset %q bytes %d", m.Preset(), m.Config().BytesPerRow)
	}
	c := m.Config()
	if c.Colours["offset"] != tcell.ColorRed || c.Colours["edited"] != tcell.NewHexColor(0xff8000) || len(c.Colours) != 2 {
		t.Fatalf("colours %v", c.Colours)
	}
	d := NewDispatcher(m)
	check := func(keys string, want ...string) {
		t.Helper()
		got := feed(d, keys)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%q: got %q want %q", keys, got, want)
		}
	}
	check("q q", "incomplete [NORMAL] pending=q", "found sync [NORMAL]") // the later binding won
	check("Ctrl-L", "found help [NORMAL]")
	check("g g", "incomplete [NORMAL] pending=g", "found top [NORMAL]")
	check("F5 X", "not found [NORMAL]", "not found [NORMAL]")
	check("R F2", "found replace-mode [REPLACE]", "found normal-mode [NORMAL]")
	// the visual mode inherits [bindings]
	check("v q q", "found select [VISUAL]", "incomplete [VISUAL] pending=q", "found sync [VISUAL]")
}

func TestConfigValues(t *testing.T) {
	tests := []struct {
		text, probs string
		check       func(Config) bool
	}{
		{`bytes_per_row = "auto"`, "", func(c Config) bool { return c.FitWidth && c.BytesPerRow == 0 }},
		{`bytes_per_row = 0`, `c.toml:1: bytes_per_row: 0 is out of range (1 to 1024, or "auto")` + "\n", nil},
		{`bytes_per_row = "wide"`, `c.toml:1: bytes_per_row: "wide" is not a number or "auto"` + "\n", nil},
		// The size is read by Map.Window with mapping.ParseWindow
		// (TestConfigWindow in view); here only the text and the type.
		{`window = "64M"`, "", func(c Config) bool { return c.Window == "64M" }},
		{`window = "lots"`, "", func(c Config) bool { return c.Window == "lots" }},
		{`window = 1.5`, `c.toml:1: window: 1.5: not a size (a size such as 64M or 1G)` + "\n", func(c Config) bool { return c.Window == "" }},
		{`window = 4096`, "", func(c Config) bool { return c.Window == "4096" }},
		{`window = -1`, `c.toml:1: window: -1: must be positive (a size such as 64M or 1G)` + "\n", func(c Config) bool { return c.Window == "" }},
		{`window = 0`, `c.toml:1: window: 0: must be positive (a size such as 64M or 1G)` + "\n", nil},
		{`keys = "emacs"`, `c.toml:1: keys: unknown preset "emacs" (choose "default" or "vim")` + "\n", func(c Config) bool { return c.Keys == "default" }},
		{"\n\nkeys = vim", "c.toml:3: expected value but found \"vim\" instead\n", func(c Config) bool { return c.Keys == "default" }},
		{"[bindings]\n\"g g\" = \"top\"", "", nil},
		{"bindings = 3", "c.toml:1: [bindings] must be a table\n", nil},
		{"[colors]\nnull = \"default\"", "", func(c Config) bool { return c.Colours["null"] == tcell.ColorDefault }},
		{"[bindings.replace]\nF2 = \"help\"", "c.toml:2: bindings for replace mode, which preset \"default\" does not have\n", nil},
		{"[bindings]\n\"\\u001b[2J\" = \"top\"\n\"g\" = \"\\u001b]0;x\\u0007\"", "c.toml:2: bad key \"\x1b[2J\": not a key name\nc.toml:3: unknown action \"\x1b]0;x\a\"\n", nil},
		{"a = \"\x1b\"", "c.toml:1: TOML files cannot contain control characters: '0x1b'\n", nil},
	}
	for _, tc := range tests {
		m, probs := Parse("c.toml", []byte(tc.text), "")
		if got := ProblemsText(probs); got != tc.probs {
			t.Errorf("%q: problems %q, want %q", tc.text, got, tc.probs)
		}
		if tc.check != nil && !tc.check(m.Config()) {
			t.Errorf("%q: config %+v", tc.text, m.Config())
		}
	}
}

// TestMapWindow: Map.Window reads the setting with the parser it is given
// and adds what it refuses as a problem on the setting's line, among the
// others in line order; without a window setting it is 0 and no problem.
func TestMapWindow(t *testing.T) {
	parse := func(s string) (int64, error) {
		if s == "4k" {
			return 4096, nil
		}
		return 0, errors.New("not a size")
	}
	m, probs := Parse("c.toml", []byte("keys = \"emacs\"\nwindow = \"zz\\\"\\u001b\"\n[bindings]\nQ = \"nope\"\n"), "")
	n, got := m.Window(probs, parse)
	want := "c.toml:1: keys: unknown preset \"emacs\" (choose \"default\" or \"vim\")\n" +
		"c.toml:2: window: \"zz\\\"\x1b\": not a size (a size such as 64M or 1G)\n" +
		"c.toml:4: unknown action \"nope\"\n"
	if n != 0 || ProblemsText(got) != want || len(probs) != 2 {
		t.Errorf("Window = %d, problems\n%s\nwant\n%s(the given problems: %d)", n, ProblemsText(got), want, len(probs))
	}
	m, probs = Parse("c.toml", []byte("window = \"4k\"\n"), "")
	if n, got := m.Window(probs, parse); n != 4096 || len(got) != 0 {
		t.Errorf("window 4k: %d %v", n, got)
	}
	m, probs = Parse("c.toml", nil, "")
	if n, got := m.Window(probs, parse); n != 0 || len(got) != 0 {
		t.Errorf("no window: %d %v", n, got)
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", filepath.Join(dir, "home"))
	// $XDG_CONFIG_HOME/mmhex is a file, not a folder: no configuration
	os.WriteFile(filepath.Join(dir, "mmhex"), nil, 0o644)
	if m, probs, err := Load("", ""); err != nil || len(probs) != 0 || m.Preset() != "default" {
		t.Fatalf("mmhex is a file: %v %v", probs, err)
	}
	os.Remove(filepath.Join(dir, "mmhex"))
	// no file: defaults, no problems
	m, probs, err := Load("", "")
	if err != nil || len(probs) != 0 || m.Preset() != "default" || m.Config().Path != "" {
		t.Fatalf("no file: %v %v %v", m.Preset(), probs, err)
	}
	p := filepath.Join(dir, "mmhex", "config.toml")
	if DefaultPath() != p {
		t.Fatalf("DefaultPath %q", DefaultPath())
	}
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("keys = \"vim\"\n[bindings]\nQ = \"nope\"\n"), 0o644)
	m, probs, err = Load("", "")
	if err != nil || m.Preset() != "vim" || ProblemsText(probs) != p+":3: unknown action \"nope\"\n" {
		t.Fatalf("xdg file: %v %q %v", m.Preset(), ProblemsText(probs), err)
	}
	// --keys wins over the file
	m, _, _ = Load("default", "")
	if m.Preset() != "default" {
		t.Fatalf("--keys default: %s", m.Preset())
	}
	if _, _, err := Load("emacs", ""); err == nil || err.Error() != `--keys: unknown key preset "emacs" (choose "default" or "vim")` {
		t.Fatalf("bad preset: %v", err)
	}
	missing := filepath.Join(dir, "missing.toml")
	if _, _, err := Load("", missing); err == nil || err.Error() != "config "+missing+": no such file or directory" {
		t.Fatalf("missing --config: %v", err)
	}
	// --config wins over the file at the default path
	other := filepath.Join(dir, "other.toml")
	os.WriteFile(other, []byte("bytes_per_row = 8\n"), 0o644)
	if m, probs, err := Load("", other); err != nil || len(probs) != 0 || m.Preset() != "default" || m.Config().BytesPerRow != 8 || m.Config().Path != other {
		t.Fatalf("--config other.toml: %v %v %v %+v", m.Preset(), probs, err, m.Config())
	}
	if _, _, err := Load("", dir); err == nil || err.Error() != "config "+dir+": not a regular file" {
		t.Fatalf("dir --config: %v", err)
	}
	if m, probs, err := Load("", os.DevNull); err != nil || len(probs) != 0 || m.Preset() != "default" {
		t.Fatalf("--config /dev/null: %v %v %v", m.Preset(), probs, err)
	}
	// without XDG_CONFIG_HOME: ~/.config
	t.Setenv("XDG_CONFIG_HOME", "")
	hp := filepath.Join(dir, "home", ".config", "mmhex", "config.toml")
	if DefaultPath() != hp {
		t.Fatalf("DefaultPath %q", DefaultPath())
	}
	os.MkdirAll(filepath.Dir(hp), 0o755)
	os.WriteFile(hp, []byte("bytes_per_row = 4\n"), 0o644)
	if m, probs, err := Load("", ""); err != nil || len(probs) != 0 || m.Config().Path != hp || m.Config().BytesPerRow != 4 {
		t.Fatalf("~/.config file: %v %v %+v", probs, err, m.Config())
	}
	// a relative $XDG_CONFIG_HOME is ignored, as the XDG specification says
	t.Setenv("XDG_CONFIG_HOME", "relative")
	if DefaultPath() != hp {
		t.Fatalf("relative XDG_CONFIG_HOME: DefaultPath %q", DefaultPath())
	}
}

// TestIssueExample: the configuration shown in the issue, comment and all,
// parses without a problem and means what it says.
func TestIssueExample(t *testing.T) {
	const text = `keys = "vim"            # the preset
bytes_per_row = 16
[bindings]
"Ctrl-G" = "goto"
"g g" = "top"
`
	m, probs := Parse("config.toml", []byte(text), "")
	if len(probs) != 0 {
		t.Fatalf("problems:\n%s", ProblemsText(probs))
	}
	if m.Preset() != PresetVim || m.Config().BytesPerRow != 16 || m.Config().Keys != PresetVim {
		t.Fatalf("preset %q, bytes_per_row %d", m.Preset(), m.Config().BytesPerRow)
	}
	d := NewDispatcher(m)
	if o := d.Feed(MustKey("Ctrl-G")); o.Result != Found || o.Action != Goto {
		t.Fatalf("Ctrl-G: %+v", o)
	}
	if o := d.Feed(MustKey("g")); o.Result != Incomplete || d.Pending() != "g" {
		t.Fatalf("g: %+v pending %q", o, d.Pending())
	}
	if o := d.Feed(MustKey("g")); o.Result != Found || o.Action != Top {
		t.Fatalf("g g: %+v", o)
	}
}

func FuzzConfig(f *testing.F) {
	seeds := []string{
		"keys = \"vim\"\nbytes_per_row = 16\n[bindings]\n\"Ctrl-G\" = \"goto\"\n\"g g\" = \"top\"\n",
		"[bindings]\n\"g\" = \"top\"\n\"g g\" = \"bottom\"\n[bindings.visual]\ny = \"copy-raw\"\n",
		"window = \"1G\"\n[colours]\ncursor = \"#ff0000\"\n",
		"bytes_per_row = \"auto\"\n[bindings]\n\"Alt-m\" = \"none\"\n",
		"keys = [1, 2]\n[bindings]\nx = {a = 1}\n",
		"= = =\n",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, probs := Parse("f.toml", []byte(text), "")
		if m == nil {
			t.Fatal("nil map")
		}
		for _, p := range probs {
			s := p.String()
			// Raw text (controls included): view and main sanitise each
			// problem where it is shown (TestConfigProblemsSanitised in
			// view, TestKeysCommandSanitised in main).
			if !strings.HasPrefix(s, "f.toml:") {
				t.Fatalf("bad problem text %q", s)
			}
		}
		d := NewDispatcher(m)
		for _, b := range m.Bindings("") {
			var o Outcome
			for _, k := range b.Seq {
				o = d.Feed(k)
			}
			if o.Result == Incomplete { // an argument action
				o = d.Feed(MustKey("a"))
			}
			if o.Result != Found || o.Action != b.Action {
				t.Fatalf("binding %q -> %s: outcome %+v", b.Seq, b.Action, o)
			}
			d.SetMode(m.modes[0].def.name)
		}
		_ = m.Text()
	})
}

// TestConfigTOMLErrorsSkipped: a line that is not valid TOML (a key
// defined twice, a value without quotes) is reported and left out; the
// rest of the file is used. A file that cannot be read past an error, or
// with too many, is not used, and says so.
func TestConfigTOMLErrorsSkipped(t *testing.T) {
	tests := []struct {
		text, probs, preset string
	}{
		{"keys = \"vim\"\n[bindings]\n\"Ctrl-G\" = \"goto\"\n\"Ctrl-G\" = \"help\"\n\"X\" = \"nope\"\n",
			"c.toml:4: Key 'bindings.Ctrl-G' has already been defined.\nc.toml:5: unknown action \"nope\"\n", "vim"},
		{"bytes_per_row = oops\nkeys = \"vim\"\n", "c.toml:1: expected value but found \"oops\" instead\n", "vim"},
		{"keys = \"vim\"\nx = \"\"\"\nabc\n", "c.toml:3: unexpected EOF; expected '\"\"\"'\n", "vim"},
		{"keys = \"vim\"\n[bindings\n\"g g\" = \"bottom\"\n", "c.toml:3: expected '.' or ']' to end table name, but got '\\n' instead\n", "vim"},
		{"keys = \"vim\"\nx = \"\"\"\n", "c.toml:2: unexpected EOF; expected '\"\"\"'\n", "vim"},
		{"keys = \"vim\"\nx = \"\"\"\n\n\n", "c.toml:4: unexpected EOF; expected '\"\"\"'\n", "vim"},
		{"keys = \"vim\"\nx = \"\"\"\nabc\ndef\n", "c.toml: not used: the TOML error below cannot be skipped\nc.toml:4: unexpected EOF; expected '\"\"\"'\n", "default"},
		{"keys = \"vim\"\n" + strings.Repeat("a = \n", 25), "", "default"},
	}
	for _, tc := range tests {
		m, probs := Parse("c.toml", []byte(tc.text), "")
		got := ProblemsText(probs)
		if tc.probs == "" {
			if !strings.HasPrefix(got, "c.toml: not used: more than 20 TOML errors\nc.toml:2: ") || len(probs) != 21 {
				t.Errorf("%q: problems %q", tc.text, got)
			}
		} else if got != tc.probs {
			t.Errorf("%q: problems %q, want %q", tc.text, got, tc.probs)
		}
		if m.Preset() != tc.preset {
			t.Errorf("%q: preset %q, want %q", tc.text, m.Preset(), tc.preset)
		}
	}
	m, _ := Parse("c.toml", []byte(tests[0].text), "")
	if o := NewDispatcher(m).Feed(MustKey("Ctrl-G")); o.Action != Goto {
		t.Errorf("the first of two Ctrl-G is used: %+v", o)
	}
}

// The empty key, for which the TOML decoder gives no position, is still
// reported with its line, in [bindings] and in a mode's table.
func TestConfigEmptyKeyHasLine(t *testing.T) {
	const file = `keys = "vim"
[bindings]
"F2" = "top"
"" = "help"
[bindings.visual]
'' = "fill"
`
	_, probs := Parse("config.toml", []byte(file), "")
	want := `config.toml:4: bad key "": empty key sequence
config.toml:6: bad key "": empty key sequence
`
	if got := ProblemsText(probs); got != want {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
	}
}
