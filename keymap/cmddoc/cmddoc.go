// Package cmddoc writes what is generated from mmhex's command table: the
// manual page (docs/mmhex.1) and the shell completion scripts (bash, zsh,
// fish). main.go describes its commands and their flags once (the table
// --help prints); this package only formats that description, so the help,
// the man page and the completions cannot disagree.
//
// It lives beside keymap because it is help text too, and it uses keymap
// for the keys a first session needs (the KEYS section of the man page).
package cmddoc

import (
	"fmt"
	"strings"

	"mmhex/keymap"
)

// Flag is one flag of a command.
type Flag struct {
	Name   string   // without dashes: "format", "s"
	Arg    string   // the argument's name ("FILE", "SIZE"); "" for a boolean flag
	Usage  string   // one line
	Values []string // the argument's choices, completed (--keys, --format, --color)
}

// Dash is the flag as typed: "-s" for a one-letter name, "--format" else.
func (f Flag) Dash() string {
	if len(f.Name) == 1 {
		return "-" + f.Name
	}
	return "--" + f.Name
}

// File: the flag's argument is a file name.
func (f Flag) File() bool { return f.Arg == "FILE" }

// Command is one subcommand; Name "" is the default command (the editor).
type Command struct {
	Name    string
	Usage   string // the arguments, as --help prints them
	Summary string
	Flags   []Flag
	Files   bool     // the positional arguments include file names
	Values  []string // the positional argument's choices (completion: bash, zsh, fish)
}

// names: the subcommand names in order, the default command left out.
func names(cmds []Command) []string {
	var out []string
	for _, c := range cmds {
		if c.Name != "" {
			out = append(out, c.Name)
		}
	}
	return out
}

// dashes: the flags of c as typed, in order.
func dashes(c Command) []string {
	var out []string
	for _, f := range c.Flags {
		out = append(out, f.Dash())
	}
	return out
}

// shellWord quotes s for sh-like shells when it needs it (the names and
// values here are plain words; this keeps a future one safe).
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.=/:+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func words(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = shellWord(s)
	}
	return strings.Join(q, " ")
}

// caseName is the case label of a command in the scripts: the default
// command has none, so it is "_".
func caseName(c Command) string {
	if c.Name == "" {
		return "_"
	}
	return c.Name
}

// Bash is the bash completion script: `source <(mmhex completion bash)`,
// or save it as /usr/share/bash-completion/completions/mmhex.
func Bash(cmds []Command) string {
	var b strings.Builder
	b.WriteString(`# bash completion for mmhex, generated from its command table (mmhex completion bash).
# Load it with: source <(mmhex completion bash)
_mmhex() {
	local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmd=_
	((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD-1]}"
	COMPREPLY=()
	if ((COMP_CWORD > 1)); then
		case "${COMP_WORDS[1]}" in
`)
	fmt.Fprintf(&b, "\t\t%s) cmd=\"${COMP_WORDS[1]}\" ;;\n", strings.Join(names(cmds), "|"))
	b.WriteString("\t\tesac\n\tfi\n")
	// the argument of the flag before the cursor
	b.WriteString("\tcase \"$cmd $prev\" in\n")
	for _, c := range cmds {
		for _, f := range c.Flags {
			switch {
			case f.Arg == "":
				continue
			case len(f.Values) > 0:
				fmt.Fprintf(&b, "\t%s) COMPREPLY=($(compgen -W %s -- \"$cur\")); return ;;\n", shellWord(caseName(c)+" "+f.Dash()), shellWord(words(f.Values)))
			case f.File():
				fmt.Fprintf(&b, "\t%s) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$cur\"); return ;;\n", shellWord(caseName(c)+" "+f.Dash()))
			default:
				fmt.Fprintf(&b, "\t%s) return ;;\n", shellWord(caseName(c)+" "+f.Dash()))
			}
		}
	}
	b.WriteString("\tesac\n")
	b.WriteString("\tlocal flags=\"\" files=0 values=\"\"\n\tcase \"$cmd\" in\n")
	for _, c := range cmds {
		files := 0
		if c.Files {
			files = 1
		}
		fmt.Fprintf(&b, "\t%s) flags=%s files=%d values=%s ;;\n", caseName(c), shellWord(words(dashes(c))), files, shellWord(words(c.Values)))
	}
	b.WriteString("\tesac\n")
	fmt.Fprintf(&b, "\t((COMP_CWORD == 1)) && values=%s\n", shellWord(words(names(cmds))))
	b.WriteString(`	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "$values" -- "$cur"))
	if ((files)); then
		compopt -o filenames 2>/dev/null
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -F _mmhex mmhex
`)
	return b.String()
}

// Zsh is the zsh completion script: `source <(mmhex completion zsh)` after
// compinit, or save it as _mmhex in a folder of $fpath.
func Zsh(cmds []Command) string {
	var b strings.Builder
	b.WriteString(`#compdef mmhex
# zsh completion for mmhex, generated from its command table (mmhex completion zsh).
# Load it with: source <(mmhex completion zsh)   (after compinit)
_mmhex() {
	local cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmd=_
	if (( CURRENT > 2 )); then
		case ${words[2]} in
`)
	fmt.Fprintf(&b, "\t\t(%s) cmd=${words[2]} ;;\n", strings.Join(names(cmds), "|"))
	b.WriteString("\t\tesac\n\tfi\n\tcase \"$cmd $prev\" in\n")
	for _, c := range cmds {
		for _, f := range c.Flags {
			switch {
			case f.Arg == "":
				continue
			case len(f.Values) > 0:
				fmt.Fprintf(&b, "\t(%s) compadd -- %s; return ;;\n", shellWord(caseName(c)+" "+f.Dash()), words(f.Values))
			case f.File():
				fmt.Fprintf(&b, "\t(%s) _files; return ;;\n", shellWord(caseName(c)+" "+f.Dash()))
			default:
				fmt.Fprintf(&b, "\t(%s) return ;;\n", shellWord(caseName(c)+" "+f.Dash()))
			}
		}
	}
	b.WriteString("\tesac\n\tlocal -a flags values\n\tlocal files=0\n\tcase $cmd in\n")
	for _, c := range cmds {
		files := 0
		if c.Files {
			files = 1
		}
		fmt.Fprintf(&b, "\t(%s) flags=(%s); values=(%s); files=%d ;;\n", caseName(c), words(dashes(c)), words(c.Values), files)
	}
	b.WriteString("\tesac\n")
	fmt.Fprintf(&b, "\t(( CURRENT == 2 )) && values=(%s)\n", words(names(cmds)))
	b.WriteString(`	if [[ $cur == -* ]]; then
		compadd -- $flags
		return
	fi
	(( ${#values} )) && compadd -- $values
	(( files )) && _files
	return 0
}
if [[ ${funcstack[1]} == _mmhex ]]; then
	_mmhex "$@"
else
	compdef _mmhex mmhex
fi
`)
	return b.String()
}

// Fish is the fish completion script: `mmhex completion fish | source`, or
// save it as ~/.config/fish/completions/mmhex.fish.
func Fish(cmds []Command) string {
	var b strings.Builder
	b.WriteString("# fish completion for mmhex, generated from its command table (mmhex completion fish).\n")
	b.WriteString("# Load it with: mmhex completion fish | source\n")
	b.WriteString("complete -c mmhex -e\n")
	sub := words(names(cmds))
	fmt.Fprintf(&b, "function __mmhex_cmd\n\tset -l w (commandline -opc)\n\tif test (count $w) -ge 2; and contains -- $w[2] %s\n\t\techo $w[2]\n\telse\n\t\techo _\n\tend\nend\n", sub)
	fmt.Fprintf(&b, "function __mmhex_first\n\ttest (count (commandline -opc)) -eq 1\nend\n")
	for _, c := range cmds {
		if c.Name != "" {
			fmt.Fprintf(&b, "complete -c mmhex -n __mmhex_first -a %s -d %s\n", shellWord(c.Name), shellWord(firstClause(c.Summary)))
		}
	}
	for _, c := range cmds {
		cond := shellWord("test (__mmhex_cmd) = " + caseName(c))
		for _, f := range c.Flags {
			fmt.Fprintf(&b, "complete -c mmhex -n %s", cond)
			if len(f.Name) == 1 {
				fmt.Fprintf(&b, " -s %s", f.Name)
			} else {
				fmt.Fprintf(&b, " -l %s", f.Name)
			}
			switch {
			case len(f.Values) > 0:
				fmt.Fprintf(&b, " -x -a %s", shellWord(words(f.Values)))
			case f.File():
				b.WriteString(" -r -F")
			case f.Arg != "":
				b.WriteString(" -x")
			}
			fmt.Fprintf(&b, " -d %s\n", shellWord(firstClause(f.Usage)))
		}
		if len(c.Values) > 0 {
			fmt.Fprintf(&b, "complete -c mmhex -n %s -f -a %s\n", cond, shellWord(words(c.Values)))
		}
		if !c.Files {
			fmt.Fprintf(&b, "complete -c mmhex -n %s -f\n", cond)
		}
	}
	return b.String()
}

// firstClause: a summary up to its first ';' or ':' followed by a space,
// for the one-line descriptions of fish.
func firstClause(s string) string {
	if i := strings.IndexAny(s, ";("); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// Shells are the shells Completion knows.
var Shells = []string{"bash", "fish", "zsh"}

// Completion is the script for shell, or false for a shell it does not know.
func Completion(shell string, cmds []Command) (string, bool) {
	switch shell {
	case "bash":
		return Bash(cmds), true
	case "zsh":
		return Zsh(cmds), true
	case "fish":
		return Fish(cmds), true
	}
	return "", false
}

// Page is what the man page says beside the commands.
type Page struct {
	Description []string // paragraphs (README's opening)
	Notes       []string // paragraphs after the commands (--help's notes)
}

// roff escapes text for a man page: backslashes, dashes typed as options,
// and a line that would start with a control character.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	s = strings.ReplaceAll(s, "·", `\(md`)
	s = strings.ReplaceAll(s, "–", `\(en`)
	s = strings.ReplaceAll(s, "—", `\(em`)
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			b.WriteString(`\&`)
		}
		b.WriteString(line)
	}
	return b.String()
}

// Man is docs/mmhex.1: NAME, SYNOPSIS, DESCRIPTION, COMMANDS with their
// flags, FIRST KEYS of both presets (keymap.FirstKeys), ENVIRONMENT, FILES
// and SEE ALSO. It carries no date, so it changes only when the table does.
func Man(cmds []Command, p Page) string {
	var b strings.Builder
	b.WriteString(".\\\" Generated from mmhex's command table: go test -run TestManPage -update . (do not edit)\n")
	b.WriteString(".TH MMHEX 1 \"\" \"mmhex\" \"User Commands\"\n")
	b.WriteString(".SH NAME\nmmhex \\- a hex viewer and editor that memory-maps the file it shows\n")
	b.WriteString(".SH SYNOPSIS\n")
	for i, c := range cmds {
		if i > 0 {
			b.WriteString(".br\n")
		}
		fmt.Fprintf(&b, ".B mmhex%s\n", roff(prefixSpace(c.Name)))
		if c.Usage != "" {
			fmt.Fprintf(&b, "%s\n", roff(c.Usage))
		}
	}
	b.WriteString(".SH DESCRIPTION\n")
	for i, para := range p.Description {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		b.WriteString(roff(para) + "\n")
	}
	b.WriteString(".SH COMMANDS\n")
	for _, c := range cmds {
		b.WriteString(".TP\n")
		fmt.Fprintf(&b, ".B mmhex%s\n", roff(prefixSpace(c.Name)))
		b.WriteString(roff(c.Summary) + "\n")
		for _, f := range c.Flags {
			b.WriteString(".RS\n.TP\n")
			if f.Arg != "" {
				fmt.Fprintf(&b, ".BI %s \" %s\"\n", roff(f.Dash()), roff(f.Arg))
			} else {
				fmt.Fprintf(&b, ".B %s\n", roff(f.Dash()))
			}
			b.WriteString(roff(f.Usage) + "\n.RE\n")
		}
	}
	for _, para := range p.Notes {
		b.WriteString(".PP\n" + roff(para) + "\n")
	}
	b.WriteString(".SH FIRST KEYS\nThe keys a first session needs, for each preset (\\fB\\-\\-keys\\fR); F1 lists every key.\n")
	for _, preset := range keymap.Presets {
		m, err := keymap.PresetMap(preset)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, ".SS %s\n", roff(preset))
		for _, k := range m.FirstKeys() {
			fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", roff(k.What), roff(k.Keys))
		}
	}
	b.WriteString(`.SH ENVIRONMENT
.TP
.B NO_COLOR
when set and not empty, nothing is coloured: neither the editor nor
.BR "mmhex dump" " (unless " "\-\-color always" ).
.TP
.B XDG_CONFIG_HOME
the folder of the configuration file (default
.IR ~/.config ).
.SH FILES
.TP
.I $XDG_CONFIG_HOME/mmhex/config.toml
key preset, bindings, colours, row width and mapping window.
.SH SEE ALSO
.BR xxd (1),
.BR hexdump (1),
.BR mmap (2),
.BR msync (2),
.BR cachestat (2);
the guide, docs/guide.md, and every key, docs/keys.md, in the source.
`)
	return b.String()
}

func prefixSpace(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}
