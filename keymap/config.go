package keymap

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/BurntSushi/toml"
	"github.com/gdamore/tcell/v2"
)

// Config holds the settings of the configuration file besides bindings.
// Zero values mean "not set": the view uses its defaults.
type Config struct {
	// Path is the file read ("" when there was none).
	Path string
	// Keys is the preset in effect ("default" or "vim").
	Keys string
	// BytesPerRow is bytes_per_row (1..1024); 0 when not set.
	BytesPerRow int
	// FitWidth is true for bytes_per_row = "auto": the row width follows
	// the terminal width.
	FitWidth bool
	// Window is the mapping window size as written (window = "64M", or
	// "4096" for window = 4096); "" when not set. keymap does not read
	// sizes (it imports nothing from mapping): Map.Window parses it with
	// the parser it is given (mapping.ParseWindow, the one rule for sizes).
	Window string
	// windowLine is the line of the window setting; windowShown its value
	// as a problem shows it (quoted when a string).
	windowLine  int
	windowShown string
	// Colours maps element names (ColourNames) to colours from [colours].
	Colours map[string]tcell.Color
	// Theme is theme (one of Themes); "" when not set.
	Theme string
}

// Themes are the editor's looks the theme setting and --theme accept
// (view draws them): dark (the default), light, accessible.
var Themes = []string{"dark", "light", "accessible"}

// ColourNames are the elements [colours] may set: the byte classes of
// view/hexfmt (text colour of such bytes), the offset column, bytes edited
// and not yet synced, and the header and status bars (their background).
var ColourNames = []string{
	"null", "printable", "whitespace", "control", "high",
	"offset", "edited", "header", "status",
}

func defaultConfig() Config { return Config{Keys: PresetDefault} }

// Problem is one thing wrong in the configuration file. The valid parts of
// the file are used anyway.
type Problem struct {
	File string
	Line int // 0 when the problem is not on one line
	Msg  string
}

// String gives "config.toml:5: unknown action \"no-such-action\"". Like
// every text keymap returns it is raw (the file name, the keys and values
// of the file as written): the caller sanitises it where it reaches the
// terminal (view draws through display.Rune, main prints each problem
// through display.Line), as keymap imports nothing from mapping.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// ProblemsText joins problems one per line; "" when there are none. Raw,
// as Problem.String: for tests and for callers that sanitise each line.
func ProblemsText(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// DefaultPath returns the configuration file looked for when --config is
// not given: $XDG_CONFIG_HOME/mmhex/config.toml, else
// ~/.config/mmhex/config.toml; "" when neither can be known.
func DefaultPath() string {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "mmhex", "config.toml")
	}
	h, err := os.UserHomeDir()
	if err != nil || h == "" {
		return ""
	}
	return filepath.Join(h, ".config", "mmhex", "config.toml")
}

// Load builds the active Map.
//
// preset is the --keys flag: "" means the file's keys setting, else
// "default". configPath is the --config flag: "" means DefaultPath, where
// a file that is missing or that this user may not read (or whose folder
// they may not search) means no configuration and is not reported; a file
// named by --config must exist and be readable (/dev/null means no
// configuration).
//
// Mistakes inside the file are returned as Problems (file:line: reason) and
// the rest of the file is used. The error is for what cannot go on: an
// unknown preset on the command line, a --config file that cannot be read,
// or a file that is not a regular file.
func Load(preset, configPath string) (*Map, []Problem, error) {
	if preset != "" {
		if _, ok := presetByName(preset); !ok {
			return nil, nil, fmt.Errorf("--keys: %w %q (choose %q or %q)", ErrUnknownPreset, preset, PresetDefault, PresetVim)
		}
	}
	path, explicit := configPath, configPath != ""
	if !explicit {
		path = DefaultPath()
	}
	var data []byte
	if path == os.DevNull {
		path = "" // --config /dev/null: no configuration
	}
	if path != "" {
		var err error
		data, err = readConfig(path)
		var bad *badConfig
		switch {
		case err == nil:
		case errors.As(err, &bad):
			return nil, nil, fmt.Errorf("config %s: %s", (path), bad.why)
		case !explicit && absent(err):
			// The default path is only looked at: a file that is not
			// there, or that this user may not even look for (HOME=/root
			// as nobody), means no configuration.
			path, data = "", nil
		default:
			return nil, nil, fmt.Errorf("config %s: %w", (path), bareErr(err))
		}
	}
	m, probs := Parse(path, data, preset)
	return m, probs, nil
}

// MaxConfigSize bounds the configuration file: a larger one is refused.
const MaxConfigSize = 1 << 20

// badConfig: the configuration file is not something to read.
type badConfig struct{ why string }

func (b *badConfig) Error() string { return b.why }

// readConfig reads the configuration file: opened without blocking (a FIFO
// does not hang start-up), checked with fstat on what was opened (a
// regular file of at most MaxConfigSize bytes), then read, never more than
// MaxConfigSize+1 bytes (a file that grows meanwhile is refused too).
func readConfig(path string) ([]byte, error) {
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &badConfig{"not a regular file"}
	}
	tooLarge := &badConfig{fmt.Sprintf("larger than %d bytes (1 MiB): not read", MaxConfigSize)}
	if st.Size() > MaxConfigSize {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(fh, MaxConfigSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxConfigSize {
		return nil, tooLarge
	}
	return data, nil
}

// absent reports whether err means the default configuration file is not
// there for this user: missing, a path through a file, or no permission to
// search a folder on the way or to read the file.
func absent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrPermission)
}

// bareErr drops the operation and path of an *fs.PathError: the message
// names the file once ("config x.toml: permission denied").
func bareErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Parse builds the Map from configuration text data (read from file, used
// in problems). preset, when not "", overrides the file's keys setting. It
// never fails: every mistake is a Problem and the valid rest is used.
func Parse(file string, data []byte, preset string) (*Map, []Problem) {
	m, probs, _ := parseConfig(file, data, preset)
	return m, probs
}

// parseConfig is Parse, also returning how many keys' lines were asked of
// the TOML decoder (each question scans the whole text: tests check that
// the one-pass line map answers them).
func parseConfig(file string, data []byte, preset string) (*Map, []Problem, int) {
	cfg := defaultConfig()
	cfg.Path = file
	pr := &parser{file: file}
	ub := userBinds{}
	if len(data) > 0 {
		pr.parse(data, &cfg, ub)
	}
	if preset != "" {
		cfg.Keys = preset
	}
	p, _ := presetByName(cfg.Keys)
	if bs := ub["base"]; len(bs) > 0 {
		base := p.modes[0].name
		ub[base] = append(ub[base], bs...)
		slices.SortStableFunc(ub[base], func(a, b binding) int { return a.line - b.line })
		delete(ub, "base")
	}
	// bindings for modes the preset lacks
	for mode, bs := range ub {
		if !slices.ContainsFunc(p.modes, func(md modeDef) bool { return md.name == mode }) {
			for _, b := range bs {
				pr.add(b.line, "bindings for %s mode, which preset %q does not have", strings.ToLower(mode), p.name)
			}
			delete(ub, mode)
		}
	}
	m, conflicts := build(p, ub, file)
	cfg.Keys = p.name
	m.config = cfg
	probs := append(pr.probs, conflicts...)
	slices.SortStableFunc(probs, func(a, b Problem) int { return a.Line - b.Line })
	return m, probs, pr.probes
}

type parser struct {
	file   string
	md     toml.MetaData
	probs  []Problem
	lines  map[string]int // keyLines of the text as decoded (invalid lines blanked)
	probes int            // keys whose line the decoder was asked for
}

// maxProbes bounds the keys whose line is asked of the decoder (each such
// question scans the whole text); after that a key not found by keyLines
// is reported without a line.
const maxProbes = 100

// keyLines maps the full path of every key in text (its table's parts
// and its own, joined by keySep) to the line that defines it, in one pass:
// the TOML decoder reports a key's line only through an error, and each
// error costs a scan of the whole text (20 000 bindings took 10 s). Lines
// inside multi-line strings are skipped; a key it cannot place is looked up
// through the decoder (value).
func keyLines(text string) map[string]int {
	m := map[string]int{}
	var table []string
	inML := "" // the delimiter closing the multi-line string being skipped
	for n, rest := 1, text; rest != ""; n++ {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		if inML != "" {
			if strings.Count(l, inML)%2 == 1 {
				inML = ""
			}
			continue
		}
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '#' {
			continue
		}
		if t[0] == '[' {
			if parts, _, ok := tomlKey(strings.TrimPrefix(t[1:], "[")); ok {
				table = parts
				if full := strings.Join(parts, keySep); m[full] == 0 {
					m[full] = n
				}
			}
			continue
		}
		parts, after, ok := tomlKey(t)
		if !ok || !strings.HasPrefix(after, "=") {
			continue
		}
		full := strings.Join(append(slices.Clip(table), parts...), keySep)
		if _, seen := m[full]; !seen {
			m[full] = n
		}
		for _, d := range []string{`"""`, "'''"} {
			if strings.Count(after, d)%2 == 1 {
				inML = d
				break
			}
		}
	}
	return m
}

// keySep joins the parts of a key path in keyLines.
const keySep = "\x00"

// tomlKey reads a dotted TOML key (bare, "basic" and 'literal' parts) at
// the start of s and returns its parts and the rest of s after it, spaces
// trimmed.
func tomlKey(s string) (parts []string, rest string, ok bool) {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, "", false
		}
		var part string
		switch s[0] {
		case '"':
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, "", false
			}
			u, err := strconv.Unquote(s[:end+1])
			if err != nil {
				return nil, "", false
			}
			part, s = u, s[end+1:]
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return nil, "", false
			}
			part, s = s[1:1+end], s[end+2:]
		default:
			end := 0
			for end < len(s) && (s[end] >= 'a' && s[end] <= 'z' || s[end] >= 'A' && s[end] <= 'Z' ||
				s[end] >= '0' && s[end] <= '9' || s[end] == '_' || s[end] == '-') {
				end++
			}
			if end == 0 {
				return nil, "", false
			}
			part, s = s[:end], s[end:]
		}
		parts = append(parts, part)
		s = strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(s, ".") {
			return parts, s, true
		}
		s = s[1:]
	}
}

func (p *parser) add(line int, format string, args ...any) {
	p.probs = append(p.probs, Problem{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// probe captures a value and, through the error it returns, the line of
// its key: BurntSushi/toml reports an Unmarshaler's error at the key.
type probe struct{ v any }

var errProbe = errors.New("probe")

func (pb *probe) UnmarshalTOML(v any) error { pb.v = v; return errProbe }

// value returns the value of a primitive and the line of its key, whose
// full path is path.
func (p *parser) value(prim toml.Primitive, path ...string) (any, int) {
	if line, ok := p.lines[strings.Join(path, keySep)]; ok {
		var v any
		if err := p.md.PrimitiveDecode(prim, &v); err == nil {
			return v, line
		}
	}
	if p.probes >= maxProbes {
		var v any
		p.md.PrimitiveDecode(prim, &v)
		return v, 0
	}
	p.probes++
	var pb probe
	err := p.md.PrimitiveDecode(prim, &pb)
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return pb.v, pe.Position.Line
	}
	return pb.v, 0
}

func (p *parser) parse(data []byte, cfg *Config, ub userBinds) {
	// A line that is not valid TOML (a duplicate key, a missing quote) is
	// reported and left out, and the rest of the file is read again: one
	// mistake does not cost the whole configuration.
	var top map[string]toml.Primitive
	var md toml.MetaData
	text := string(data)
	var prev toml.Position
	var prevMsg string
	back := 0 // lines blanked above the reported one for the same error
	for tries := 0; ; tries++ {
		top = nil
		var err error
		md, err = toml.Decode(text, &top)
		if err == nil {
			break
		}
		var pe toml.ParseError
		if !errors.As(err, &pe) {
			p.add(0, "%s", err.Error())
			return
		}
		line := pe.Position.Line
		if line == prev.Line && pe.Message == prevMsg {
			// the same error again: it is reported at the start of the
			// next line (a missing "]" before the newline); try above
			back++
		} else {
			back = 0
			p.add(line, "%s", pe.Message)
		}
		prev, prevMsg = pe.Position, pe.Message
		var ok bool
		if back > 1 {
			ok = false
		} else {
			text, ok = blankLine(text, line-back)
		}
		if !ok {
			p.add(0, "not used: the TOML error below cannot be skipped")
			return
		}
		if tries == maxTOMLErrors-1 {
			p.add(0, "not used: more than %d TOML errors", maxTOMLErrors)
			return
		}
	}
	p.md = md
	p.lines = keyLines(text)
	names := make([]string, 0, len(top))
	for k := range top {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v, line := p.value(top[k], k)
		switch k {
		case "keys":
			s, ok := v.(string)
			if _, known := presetByName(s); !ok || !known || s == "" {
				p.add(line, "keys: unknown preset %s (choose %q or %q)", show(v), PresetDefault, PresetVim)
				continue
			}
			cfg.Keys = s
		case "bytes_per_row":
			switch x := v.(type) {
			case int64:
				if x < 1 || x > 1024 {
					p.add(line, "bytes_per_row: %d is out of range (1 to 1024, or \"auto\")", x)
					continue
				}
				cfg.BytesPerRow = int(x)
			case string:
				if x != "auto" {
					p.add(line, "bytes_per_row: %s is not a number or \"auto\"", show(v))
					continue
				}
				cfg.FitWidth = true
			default:
				p.add(line, "bytes_per_row: %s is not a number or \"auto\"", show(v))
			}
		case "window":
			// The size is read by Map.Window (mapping.ParseWindow): here
			// only its type, and the sign of a number.
			switch x := v.(type) {
			case int64:
				if x <= 0 {
					p.add(line, "window: %s: must be positive (a size such as 64M or 1G)", show(v))
					continue
				}
				cfg.Window = strconv.FormatInt(x, 10)
			case string:
				cfg.Window = x
			default:
				p.add(line, "window: %s: not a size (a size such as 64M or 1G)", show(v))
				continue
			}
			cfg.windowLine, cfg.windowShown = line, show(v)
		case "theme":
			s, ok := v.(string)
			if !ok || !slices.Contains(Themes, s) {
				p.add(line, "theme: unknown theme %s (choose %q, %q or %q)", show(v), Themes[0], Themes[1], Themes[2])
				continue
			}
			cfg.Theme = s
		case "colours", "colors":
			p.colours(k, top[k], line, cfg)
		case "bindings":
			p.bindings(top[k], line, ub)
		default:
			p.add(line, "unknown setting %s", quote(k))
		}
	}
}

// Window is the configuration's mapping window size in bytes, read from
// Config.Window by parse (mapping.ParseWindow: the one rule for sizes,
// which keymap does not import; its error is the reason shown), 0 when not
// set. A size parse refuses is a problem on the setting's line, added to
// probs in line order (the problems of Load or Parse).
func (m *Map) Window(probs []Problem, parse func(string) (int64, error)) (int64, []Problem) {
	c := m.config
	if c.Window == "" {
		return 0, probs
	}
	n, err := parse(c.Window)
	if err == nil {
		return n, probs
	}
	probs = append(slices.Clone(probs), Problem{File: c.Path, Line: c.windowLine,
		Msg: fmt.Sprintf("window: %s: %v (a size such as 64M or 1G)", c.windowShown, err)})
	slices.SortStableFunc(probs, func(a, b Problem) int { return a.Line - b.Line })
	return 0, probs
}

// quote is s between double quotes, '"' and '\\' escaped as strconv.Quote
// escapes them and every other rune as it is (strconv.Quote would turn a
// control into a Go escape: a third way to show it). The caller's output
// (display.Line, view's drawText) shows a control as '.'.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ { // bytes: invalid UTF-8 stays as it is too
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// maxTOMLErrors is how many invalid lines are left out before the whole
// file is given up.
const maxTOMLErrors = 20

// blankLine returns text with line n (1-based) emptied, its newline kept so
// that the lines after keep their numbers. When line n is empty (an error
// at the end of the file) the nearest line above that is not is emptied.
// False when there is none.
func blankLine(text string, n int) (string, bool) {
	lines := strings.SplitAfter(text, "\n")
	for n = min(n, len(lines)); n >= 1; n-- {
		l := lines[n-1]
		if strings.TrimSpace(l) != "" {
			lines[n-1] = l[len(strings.TrimRight(l, "\r\n")):]
			return strings.Join(lines, ""), true
		}
	}
	return text, false
}

func (p *parser) table(prim toml.Primitive, what string, line int) (map[string]toml.Primitive, bool) {
	var t map[string]toml.Primitive
	var v any
	if p.md.PrimitiveDecode(prim, &v); !isTable(v) {
		p.add(line, "%s must be a table", what)
		return nil, false
	}
	if err := p.md.PrimitiveDecode(prim, &t); err != nil {
		p.add(line, "%s must be a table", what)
		return nil, false
	}
	return t, true
}

func isTable(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (p *parser) colours(name string, prim toml.Primitive, line int, cfg *Config) {
	t, ok := p.table(prim, "["+name+"]", line)
	if !ok {
		return
	}
	for _, k := range sortedKeys(t) {
		v, l := p.value(t[k], name, k)
		if !slices.Contains(ColourNames, k) {
			p.add(l, "%s: unknown element %s (one of %s)", name, quote(k), strings.Join(ColourNames, ", "))
			continue
		}
		s, isStr := v.(string)
		c := tcell.GetColor(strings.ToLower(s))
		if !isStr || c == tcell.ColorDefault && !strings.EqualFold(s, "default") {
			p.add(l, "%s.%s: unknown colour %s (a name like \"red\" or \"#rrggbb\")", name, k, show(v))
			continue
		}
		if cfg.Colours == nil {
			cfg.Colours = map[string]tcell.Color{}
		}
		cfg.Colours[k] = c
	}
}

// modeTables are the [bindings.MODE] sub-tables.
var modeTables = map[string]string{"normal": ModeNormal, "visual": ModeVisual, "replace": ModeReplace}

func (p *parser) bindings(prim toml.Primitive, line int, ub userBinds) {
	t, ok := p.table(prim, "[bindings]", line)
	if !ok {
		return
	}
	type entry struct {
		mode, keys string
		v          any
		line       int
	}
	var es []entry
	for _, k := range sortedKeys(t) {
		v, l := p.value(t[k], "bindings", k)
		if _, isTable := v.(map[string]any); isTable {
			mode, known := modeTables[k]
			if !known {
				p.add(l, "bindings.%s: not a mode (normal, visual, replace) and not an action name", (k))
				continue
			}
			sub, ok := p.table(t[k], "[bindings."+k+"]", l)
			if !ok {
				continue
			}
			for _, sk := range sortedKeys(sub) {
				sv, sl := p.value(sub[sk], "bindings", k, sk)
				es = append(es, entry{mode, sk, sv, sl})
			}
			continue
		}
		es = append(es, entry{"", k, v, l})
	}
	slices.SortStableFunc(es, func(a, b entry) int { return a.line - b.line })
	for _, e := range es {
		name, isStr := e.v.(string)
		if !isStr {
			p.add(e.line, "%s: the action must be a string, not %s", quote(e.keys), show(e.v))
			continue
		}
		seq, err := ParseSeq(e.keys)
		if err != nil {
			p.add(e.line, "bad key %s: %s", quote(e.keys), keyErrReason(err))
			continue
		}
		var a Action
		if name != "" && name != "none" {
			inf, known := Lookup(name)
			if !known {
				p.add(e.line, "unknown action %s", quote(name))
				continue
			}
			a = inf.Name
		}
		mode := e.mode
		if mode == "" {
			mode = "base"
		}
		ub[mode] = append(ub[mode], binding{seq: seq, action: a, user: true, line: e.line, text: e.keys})
	}
}

func keyErrReason(err error) string {
	var ke *KeyError
	if errors.As(err, &ke) && ke.Reason != "" {
		return ke.Reason
	}
	return "not a key name"
}

// show prints a TOML value for a problem message.
func show(v any) string {
	switch x := v.(type) {
	case string:
		return quote(x)
	case nil:
		return "nothing"
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "an array"
	}
	return fmt.Sprint(v)
}
