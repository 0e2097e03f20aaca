package keymap

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

	out, errOut, code = run("keys", "--keys", "vim")
	vm, _ := PresetMap(PresetVim)
	if code != 0 || errOut != "" || out != "preset vim, no configuration file\n\n"+vm.Text() {
		t.Fatalf("mmhex keys --keys vim: code %d stderr %q stdout:\n%s", code, errOut, out)
	}

	conf := "keys = \"vim\"\n[bindings]\n\"Q\" = \"quit\"\n\"X\" = \"no-such-action\"\n"
	os.WriteFile(filepath.Join(dir, "config.toml"), []byte(conf), 0o644)
	out, errOut, code = run("keys", "--config", "config.toml")
	if code != 1 || errOut != "config.toml:4: unknown action \"no-such-action\"\nmmhex: config.toml: 1 problem in the configuration\n" {
		t.Fatalf("problems: code %d stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, "preset vim, configuration config.toml\n") || !strings.Contains(out, "\n  Q, :q               quit (asks when edits are not synced)\n") {
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
	if _, errOut, code = run("keys", "--config", "missing.toml"); code != 1 || errOut != "mmhex: config missing.toml: no such file or directory\n" {
		t.Errorf("missing config: %d %q", code, errOut)
	}
	if out, _, code = run("keys", "--markdown"); code != 0 || out != Markdown() {
		t.Errorf("--markdown differs from Markdown()")
	}
	t.Run("unreadable", func(t *testing.T) { testUnreadableConfig(t, bin) })
}

// testUnreadableConfig: a default configuration path this user may not
// look at (HOME=/root as nobody) or a default file they may not read means
// no configuration, said nowhere; the same file named by --config is an
// error of one line naming it. As root the binary runs as nobody; as
// another user, permissions are taken away with chmod.
func testUnreadableConfig(t *testing.T, bin string) {
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	base := t.TempDir()
	// the binary and the folders must be reachable by nobody
	for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)), base, filepath.Dir(base)} {
		os.Chmod(d, 0o755)
	}
	// home: a home folder nobody may not enter, with a valid configuration
	home := filepath.Join(base, "home")
	conf := filepath.Join(home, ".config", "mmhex", "config.toml")
	os.MkdirAll(filepath.Dir(conf), 0o755)
	os.WriteFile(conf, []byte("keys = \"vim\"\n"), 0o644)
	// home2: the configuration file is there but not readable
	home2 := filepath.Join(base, "home2")
	conf2 := filepath.Join(home2, ".config", "mmhex", "config.toml")
	os.MkdirAll(filepath.Dir(conf2), 0o755)
	os.WriteFile(conf2, []byte("keys = \"vim\"\n"), 0o600)
	if cred == nil {
		os.Chmod(home, 0)
		os.Chmod(conf2, 0)
		t.Cleanup(func() { os.Chmod(home, 0o755) })
	} else {
		os.Chmod(home, 0o700)
	}
	run := func(env []string, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = base
		cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
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
	m, _ := PresetMap(PresetDefault)
	want := "preset default, no configuration file\n\n" + m.Text()
	for _, env := range [][]string{
		{"HOME=" + home},
		{"HOME=" + home2},
		{"HOME=/nonexistent"},
		{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")},
	} {
		if out, errOut, code := run(env, "keys"); code != 0 || errOut != "" || out != want {
			t.Errorf("%v mmhex keys: code %d stderr %q stdout %.60q", env, code, errOut, out)
		}
	}
	for _, c := range []string{conf, conf2} {
		_, errOut, code := run([]string{"HOME=/nonexistent"}, "keys", "--config", c)
		if code != 1 || errOut != "mmhex: config "+c+": permission denied\n" {
			t.Errorf("--config %s: code %d stderr %q", c, code, errOut)
		}
	}
}
