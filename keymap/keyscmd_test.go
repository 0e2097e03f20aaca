package keymap

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeysCommand runs the built `mmhex keys`: the bindings on standard
// output, configuration problems on standard error with exit status 1, a
// bad --keys with status 2.
func TestKeysCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary (-short)")
	}
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "mmhex")
	build := exec.Command("go", "build", "-o", bin, "mmhex")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) (stdout, stderr string, code int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+dir, "HOME="+dir)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return o.String(), e.String(), code
	}

	out, errOut, code := run("keys")
	m, _ := PresetMap(PresetDefault)
	if code != 0 || errOut != "" || out != "preset default, no configuration file\n\n"+m.Text() {
		t.Fatalf("mmhex keys: code %d stderr %q stdout:\n%s", code, errOut, out)
	}

	conf := "keys = \"vim\"\n[bindings]\n\"Q\" = \"quit\"\n\"X\" = \"no-such-action\"\n"
	os.WriteFile(filepath.Join(dir, "config.toml"), []byte(conf), 0o644)
	out, errOut, code = run("keys", "--config", "config.toml")
	if code != 1 || errOut != "config.toml:4: unknown action \"no-such-action\"\nmmhex: config.toml: 1 problem in the configuration\n" {
		t.Fatalf("problems: code %d stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, "preset vim, configuration config.toml\n") || !strings.Contains(out, "  Q, :q ") && !strings.Contains(out, "Q, :q") {
		t.Fatalf("bindings with the config:\n%s", out)
	}
	// the --keys flag wins over the file
	out, _, _ = run("keys", "--keys", "default", "--config", "config.toml")
	if !strings.HasPrefix(out, "preset default,") {
		t.Errorf("--keys default: %.60q", out)
	}
	if _, errOut, code = run("keys", "--keys", "emacs"); code != 2 || errOut != "mmhex: --keys: unknown key preset \"emacs\" (choose \"default\" or \"vim\")\n" {
		t.Errorf("bad preset: %d %q", code, errOut)
	}
	if _, errOut, code = run("keys", "--config", "missing.toml"); code != 1 || errOut != "mmhex: config stat missing.toml: no such file or directory\n" {
		t.Errorf("missing config: %d %q", code, errOut)
	}
	if out, _, code = run("keys", "--markdown"); code != 0 || out != Markdown() {
		t.Errorf("--markdown differs from Markdown()")
	}
}
