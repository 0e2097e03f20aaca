package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"mmhex/keymap"
	"mmhex/keymap/cmddoc"
	"mmhex/mapping/testenv"
)

var updateMan = flag.Bool("update", false, "rewrite docs/mmhex.1 from the command table")

func manPage() string {
	return cmddoc.Man(describe(), cmddoc.Page{Description: about, Notes: helpNotes})
}

// TestManPage: docs/mmhex.1 is what the command table generates (after a
// change to the table: go test -run TestManPage -update .); groff reads it
// without a warning (-ww -z), and the page as man shows it lists every
// command of --help with its usage, every flag, and the first keys of both
// presets.
func TestManPage(t *testing.T) {
	want := manPage()
	if *updateMan {
		if err := os.WriteFile("docs/mmhex.1", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("docs/mmhex.1")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("docs/mmhex.1 is stale: go test -run TestManPage -update .")
	}
	groff := testenv.RequireTool(t, "groff")
	out, err := exec.Command(groff, "-ww", "-z", "-man", "docs/mmhex.1").CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("groff -ww -z -man docs/mmhex.1: %v\n%s", err, out)
	}
	cmd := exec.Command(groff, "-ww", "-man", "-Tutf8", "-rLL=200n", "-rHY=0", "docs/mmhex.1")
	cmd.Env = append(os.Environ(), "GROFF_NO_SGR=1")
	text, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("groff -Tutf8: %v\n%s", err, text)
	}
	page := strings.Join(strings.Fields(unoverstrike(string(text))), " ")
	for _, c := range commands {
		line := strings.Join(strings.Fields("mmhex "+c.name+" "+c.usage), " ")
		if !strings.Contains(page, line) {
			t.Errorf("man page lacks the synopsis %q", line)
		}
	}
	for _, d := range describe() {
		for _, f := range d.Flags {
			if !strings.Contains(page, f.Dash()+" "+strings.Join(strings.Fields(f.Arg+" "+f.Usage), " ")) {
				t.Errorf("man page lacks %s of %q", f.Dash(), d.Name)
			}
		}
	}
	for _, s := range []string{"save Ctrl-S help F1 quit Ctrl-Q", "save :w help F1 quit :q", "NO_COLOR when set"} {
		if !strings.Contains(page, s) {
			t.Errorf("man page lacks %q", s)
		}
	}
	if r := mmhex(t, "--help"); r.code != 0 {
		t.Fatal(r)
	} else {
		for _, n := range helpNotes {
			if !strings.Contains(r.stdout, n) {
				t.Errorf("--help lacks %q", n)
			}
		}
	}
}

// unoverstrike removes groff's overstriking (x\bx bold, _\bx underline).
func unoverstrike(s string) string {
	r := []rune(s)
	var out []rune
	for i := 0; i < len(r); i++ {
		if i+2 < len(r) && r[i+1] == '\b' {
			out = append(out, r[i+2])
			i += 2
			continue
		}
		out = append(out, r[i])
	}
	return string(out)
}

// firstKeysTable is README's "First session" table body, from
// keymap.FirstKeys of both presets.
func firstKeysTable(t *testing.T) string {
	def, err := keymap.PresetMap(keymap.PresetDefault)
	if err != nil {
		t.Fatal(err)
	}
	vim, err := keymap.PresetMap(keymap.PresetVim)
	if err != nil {
		t.Fatal(err)
	}
	d, v := def.FirstKeys(), vim.FirstKeys()
	var b strings.Builder
	for i := range d {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", d[i].What, d[i].Keys, v[i].Keys)
	}
	return b.String()
}

// TestReadmeFirstKeys: README's first-session table is the keys the
// presets really have (go test -run TestReadmeFirstKeys -update . rewrites it).
func TestReadmeFirstKeys(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	head := "| to | default preset | vim preset (`--keys vim`) |\n|---|---|---|\n"
	i := strings.Index(string(readme), head)
	if i < 0 {
		t.Fatal("README.md has no first-session table")
	}
	start := i + len(head)
	end := start // the table's rows: the lines that start with |
	for end < len(readme) && readme[end] == '|' {
		end += strings.IndexByte(string(readme[end:]), '\n') + 1
	}
	want := firstKeysTable(t)
	if *updateMan {
		readme = []byte(string(readme[:start]) + want + string(readme[end:]))
		if err := os.WriteFile("README.md", readme, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := string(readme[start:end]); got != want {
		t.Errorf("README's first-session table:\n%s\nwant (go test -run TestReadmeFirstKeys -update .):\n%s", got, want)
	}
}
