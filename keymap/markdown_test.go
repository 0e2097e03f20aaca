package keymap

import (
	"os"
	"strings"
	"testing"
)

// TestKeysDocUpToDate fails when docs/keys.md differs from Markdown():
// run `go generate ./keymap` after changing actions or presets.
func TestKeysDocUpToDate(t *testing.T) {
	got, err := os.ReadFile("../docs/keys.md")
	if err != nil {
		t.Fatalf("%v (run go generate ./keymap)", err)
	}
	want := Markdown()
	if string(got) != want {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(want, "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("docs/keys.md is out of date (run go generate ./keymap); first difference at line %d:\n have: %q\n want: %q", i+1, g, w)
			}
		}
	}
}

// The example in docs/keys.md is a valid configuration.
func TestExampleConfigValid(t *testing.T) {
	m, probs := Parse("example.toml", []byte(exampleConfig), "")
	if len(probs) != 0 {
		t.Fatalf("example config: %s", ProblemsText(probs))
	}
	if m.Preset() != PresetVim || m.Config().Window != "1G" {
		t.Fatalf("example: %s %q", m.Preset(), m.Config().Window)
	}
}
