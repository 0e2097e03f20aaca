package keymap

import (
	"fmt"
	"strings"
)

//go:generate go run ./gendoc ../docs/keys.md

// Markdown returns docs/keys.md: both presets' bindings, the command line,
// the configuration file and every action, generated from the keymap.
func Markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# mmhex keys\n\n")
	w("<!-- Generated from the keymap package by `go generate ./keymap` (or `mmhex keys --markdown`). Do not edit. -->\n\n")
	w("mmhex has two key presets. **default** is modeless, like hexedit: printable keys type bytes\n")
	w("(hex digits in the hex column, characters in the text column) and commands are on Ctrl, Alt and\n")
	w("function keys. **vim** is modal, like vim and bvi: keys are commands in normal mode, and bytes are\n")
	w("typed in replace mode (`R`, or `r` for one byte). Choose with `mmhex --keys vim FILE` or `keys = \"vim\"`\n")
	w("in the configuration file. Inside the editor the help screen (`F1`) lists the active bindings;\n")
	w("`mmhex keys [--keys PRESET] [--config FILE]` prints them.\n\n")
	w("Every action has a key that works inside tmux (tested: every key of both presets is sent\n")
	w("through tmux and must arrive unchanged) and on the Linux console; the extra keys `Ctrl-Home`,\n")
	w("`Ctrl-End`, `Ctrl-Left`, `Ctrl-Right` and `Shift-F3` need a terminal that reports modifiers (xterm\n")
	w("and most emulators; not the Linux console). `Alt-x` is Esc then x (the console and tmux send Alt\n")
	w("that way), so Esc typed quickly before a key arrives as Alt and that key: in the vim preset's\n")
	w("replace mode an Alt-key that is not bound is read as Esc and then the key (`R` `ff` Esc `:wq` works\n")
	w("however fast it is typed). In tmux, `Ctrl-B` is the prefix: use `PgUp` in the vim preset.\n")
	w("Terminals send the same byte for `Ctrl-I` and `Tab`, `Ctrl-M` and `Enter`, `Ctrl-[` and `Esc`,\n")
	w("`Ctrl-H` and `Backspace`, `Ctrl-/` and `Ctrl-_`, so those are one key each.\n")
	w("`w` and `b` (`Alt-f` and `Alt-b`) move by 8-byte groups, not by words: a word boundary could be\n")
	w("gigabytes away in a large file, a group is always one step.\n\n")

	for _, name := range Presets {
		m, _ := PresetMap(name)
		w("## The %s preset\n\n", name)
		for _, s := range m.Help() {
			w("### %s\n\n| keys | action | what it does |\n|---|---|---|\n", s.Title)
			for _, e := range s.Entries {
				ks := make([]string, len(e.Keys))
				for i, k := range e.Keys {
					ks[i] = code(k)
				}
				a := ""
				if e.Action != "" {
					a = code(string(e.Action))
				}
				w("| %s | %s | %s |\n", strings.Join(ks, " "), a, cell(e.Desc))
			}
			w("\n")
		}
	}

	w("## The configuration file\n\n")
	w("`$XDG_CONFIG_HOME/mmhex/config.toml`, else `~/.config/mmhex/config.toml`; `--config FILE` reads\n")
	w("another file instead. When the default file is missing, or this user may not read it or look\n")
	w("into its folder (say, HOME=/root as nobody), there is no configuration and nothing is said; a\n")
	w("`--config` file that cannot be read is an error of one line naming it (`--config /dev/null`\n")
	w("means no configuration). A file that is not a regular file (a FIFO, a device) or is larger than\n")
	w("1 MiB is refused the same way, also at the default path. It is TOML:\n\n")
	w("```toml\n%s```\n\n", exampleConfig)
	w("| setting | meaning |\n|---|---|\n")
	w("| `keys` | the preset: `\"default\"` or `\"vim\"` (`--keys` on the command line wins) |\n")
	w("| `bytes_per_row` | bytes a row, 1 to 1024, or `\"auto\"` to follow the terminal width |\n")
	w("| `window` | size of the mapped window, like `--window` (the same rule: `\"010\"` is 10): `\"64M\"`, `\"1G\"`, `4096` |\n")
	w("| `theme` | the editor's look: `\"dark\"` (the default, for a dark background), `\"light\"` (for a light one) or `\"accessible\"` (classes told apart by underline, bold and italic as well as colour, no red/green pair); `--theme` wins. With `NO_COLOR` set (not empty) nothing is coloured |\n")
	w("| `[colours]` (or `[colors]`) | colours of %s: a name (`\"red\"`, `\"darkcyan\"`) or `\"#rrggbb\"`. The byte classes (%s) colour the bytes of that class, `edited` the bytes not yet synced, `header` and `status` the bars |\n", cell(codes(ColourNames)), cell(codes(ColourNames[:5])))
	w("| `[bindings]` | `\"KEYS\" = \"ACTION\"`: key sequences (key names separated by spaces) to action names; `\"none\"` unbinds. In the vim preset these are normal-mode keys, also used in visual mode |\n")
	w("| `[bindings.visual]`, `[bindings.replace]` | vim preset: keys for visual and replace mode only |\n\n")
	w("Key names: a character (`g`, `G`, `$`), `Space`, `Enter`, `Tab`, `Backtab`, `Esc`, `Backspace`,\n")
	w("`Delete`, `Insert`, `Home`, `End`, `PgUp`, `PgDn`, `Up`, `Down`, `Left`, `Right`, `F1`..`F64`, with\n")
	w("`Ctrl-`, `Alt-` and `Shift-` in front (`Ctrl-G`, `Alt-x`, `Shift-F3`, `Ctrl-Space`, `Ctrl-_`). A binding\n")
	w("replaces the preset's binding of the same keys, and of keys it is a prefix of (binding `g` in the\n")
	w("vim preset removes `g g`); a digit bound in the vim preset is no longer a count.\n\n")
	w("Mistakes are reported as `FILE:LINE: reason` in one message when the editor starts (any key\n")
	w("dismisses it) and by `mmhex keys` on standard error; the editor then uses the valid bindings and the\n")
	w("preset for the rest. A line that is not valid TOML (a key defined twice, a value without quotes)\n")
	w("is reported and left out; only when the rest cannot be read past it (a string that never ends),\n")
	w("or after 20 such lines, is the whole file not used, and the message says so.\n\n")

	w("## All actions\n\nThe names used in `[bindings]` and on the command line (`:NAME` or `Alt-x NAME`).\n\n")
	w("| action | group | what it does |\n|---|---|---|\n")
	for _, a := range actions {
		w("| %s | %s | %s |\n", code(string(a.Name)), a.Group, cell(a.Desc))
	}
	return b.String()
}

const exampleConfig = `keys = "vim"            # the preset
bytes_per_row = 16
window = "1G"
[colours]
offset = "yellow"
edited = "#ff8000"
[bindings]
"Ctrl-G" = "goto"
"g g" = "top"
"Q" = "quit-revert"
"F5" = "none"
`

// code renders s as a Markdown code span that is safe inside a table cell.
func code(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

func codes(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}

// cell escapes a table cell's pipes.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
