package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

// completionCases: a command line typed so far (the last word is being
// completed) and the candidates every shell must offer, sorted; "FILES"
// stands for the files of the folder (a.bin and the folder "b dir").
var completionCases = []struct {
	line string
	want string
}{
	{"mmhex ", "FILES " + subcommands("")},
	{"mmhex du", subcommands("du")},
	{"mmhex c", subcommands("c")},
	{"mmhex dump --f", "--format"},
	{"mmhex dump --format ", "canonical plain xxd"},
	{"mmhex dump --color a", "always auto"},
	{"mmhex dump a.bin -s ", ""},
	{"mmhex dump ", "FILES"},
	{"mmhex --keys ", "default vim"},
	{"mmhex a.bin --keys v", "vim"},
	{"mmhex keys --", "--config --keys --markdown"},
	{"mmhex keys --config ", "FILES"},
	{"mmhex completion ", "bash fish zsh"},
	{"mmhex stat ", "FILES"},
	{"mmhex stat --", "--json --watch"},
	{"mmhex search --", "--count --hex --max --max-len --regex"},
	{"mmhex version ", ""},
	{"mmhex --re", "--read-only"},
	{"mmhex decode --format ", ""}, // a format name or a .ksy file: not dump's formats
}

// subcommands: the names in the command table starting with prefix,
// sorted, space-separated.
func subcommands(prefix string) string {
	var out []string
	for _, c := range commands {
		if c.name != "" && strings.HasPrefix(c.name, prefix) {
			out = append(out, c.name)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// completionDir is a folder holding a.bin and the folder "b dir".
func completionDir(t *testing.T) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.bin"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "b dir"), 0o755)
	return dir
}

func script(t *testing.T, shell string) string {
	r := mmhex(t, "completion", shell)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("completion %s: %+v", shell, r)
	}
	p := filepath.Join(t.TempDir(), "mmhex."+shell)
	if err := os.WriteFile(p, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkCandidates compares what a shell offered (files replaced by FILES)
// with the case's want.
func checkCandidates(t *testing.T, shell, line string, got []string, want string) {
	t.Helper()
	var norm []string
	files := false
	for _, g := range got {
		switch strings.TrimSuffix(g, "/") {
		case "":
		case "a.bin", "b dir":
			files = true
		default:
			norm = append(norm, g)
		}
	}
	slices.Sort(norm)
	if files {
		norm = append([]string{"FILES"}, norm...)
	}
	if g := strings.Join(norm, " "); g != want {
		t.Errorf("%s: %q offers %q, want %q", shell, line, g, want)
	}
}

// words splits a typed line as the shells do (no quoting in the cases); a
// trailing space starts an empty word.
func lineWords(line string) []string {
	w := strings.Fields(line)
	if strings.HasSuffix(line, " ") {
		w = append(w, "")
	}
	return w
}

// TestCompletionBash: the generated script, sourced by bash, registers
// itself with `complete` and offers subcommands, flags, file names and the
// values of --keys/--format/--color (its completion function run as
// bash's programmable completion runs it, compgen inside).
func TestCompletionBash(t *testing.T) {
	bash := testenv.RequireTool(t, "bash")
	sc := script(t, "bash")
	dir := completionDir(t)
	out, err := exec.Command(bash, "-c", "source "+sc+" && complete -p mmhex").CombinedOutput()
	if err != nil || string(out) != "complete -F _mmhex mmhex\n" {
		t.Fatalf("complete -p mmhex: %v %q", err, out)
	}
	for _, c := range completionCases {
		w := lineWords(c.line)
		var q []string
		for _, x := range w {
			q = append(q, "'"+x+"'")
		}
		prog := "source " + sc + "\nCOMP_WORDS=(" + strings.Join(q, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(w)-1) +
			"\nCOMP_LINE='" + c.line + "'\nCOMP_POINT=${#COMP_LINE}\n_mmhex mmhex \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		cmd := exec.Command(bash, "-c", prog)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.line, err, out)
		}
		checkCandidates(t, "bash", c.line, strings.Split(string(out), "\n"), c.want)
	}
}

// TestCompletionZsh: the zsh script parses (zsh -n) and its completion
// function, with compadd and _files standing in for zsh's completion
// system, offers the same candidates.
func TestCompletionZsh(t *testing.T) {
	zsh := testenv.RequireTool(t, "zsh")
	sc := script(t, "zsh")
	if out, err := exec.Command(zsh, "-n", sc).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	dir := completionDir(t)
	for _, c := range completionCases {
		w := lineWords(c.line)
		var q []string
		for _, x := range w {
			q = append(q, "'"+x+"'")
		}
		prog := `compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
_files() { print -l -- *(N); }
compdef() { :; }
source ` + sc + `
words=(` + strings.Join(q, " ") + `)
CURRENT=` + strconv.Itoa(len(w)) + `
_mmhex
`
		cmd := exec.Command(zsh, "-f", "-c", prog)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.line, err, out)
		}
		// zsh's compadd and _files keep what matches the typed prefix:
		// the stand-ins print everything, so filter as they would.
		prefix := w[len(w)-1]
		var kept []string
		for _, g := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(g, prefix) {
				kept = append(kept, g)
			}
		}
		checkCandidates(t, "zsh", c.line, kept, c.want)
	}
}

// TestCompletionFish: the fish script parses (fish -n) and fish's own
// completion (complete -C) offers the same candidates.
func TestCompletionFish(t *testing.T) {
	fish := testenv.RequireTool(t, "fish")
	sc := script(t, "fish")
	if out, err := exec.Command(fish, "-n", sc).CombinedOutput(); err != nil {
		t.Fatalf("fish -n: %v\n%s", err, out)
	}
	dir := completionDir(t)
	for _, c := range completionCases {
		cmd := exec.Command(fish, "--no-config", "-c", "source "+sc+"; complete -C'"+c.line+"'")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.line, err, out)
		}
		var got []string
		for _, l := range strings.Split(string(out), "\n") {
			got = append(got, strings.SplitN(l, "\t", 2)[0])
		}
		checkCandidates(t, "fish", c.line, got, c.want)
	}
	if r := mmhex(t, "completion", "tcsh"); r.code != 2 || r.stderr != "mmhex: completion: unknown shell \"tcsh\" (bash, zsh or fish)\n" {
		t.Errorf("completion tcsh: %+v", r)
	}
}

// TestDescribe: every command of the table is described, in order, with
// its flags named as typed and their arguments in capitals (from the
// usage's backquotes or the usage line).
func TestDescribe(t *testing.T) {
	d := describe()
	if len(d) != len(commands) {
		t.Fatalf("%d described, %d commands", len(d), len(commands))
	}
	for i, c := range d {
		if c.Name != commands[i].name {
			t.Errorf("command %d: %q, want %q", i, c.Name, commands[i].name)
		}
		for _, f := range c.Flags {
			if f.Arg != strings.ToUpper(f.Arg) {
				t.Errorf("%s %s: argument %q", c.Name, f.Dash(), f.Arg)
			}
		}
	}
	if got := flagArg("FILE [-s OFFSET]", "s", "string"); got != "OFFSET" {
		t.Errorf("flagArg from the usage line: %q", got)
	}
	if got := flagArg("FILE", "max", "int"); got != "N" {
		t.Errorf("flagArg of an int: %q", got)
	}
	if got := flagArg("FILE", "x", ""); got != "" {
		t.Errorf("flagArg of a bool: %q", got)
	}
}
