package keymap

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

// TestMain: with MMHEX_KEYPROBE=FILE this test binary is the key probe of
// TestTmuxKeysArrive instead of running the tests.
func TestMain(m *testing.M) {
	if out := os.Getenv("MMHEX_KEYPROBE"); out != "" {
		if err := keyProbe(out); err != nil {
			fmt.Fprintln(os.Stderr, "key probe:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// The binary's durable journals go to a folder of this run, not the
	// real home (keymap's tests import nothing from mapping: no testenv).
	state, err := os.MkdirTemp("", "mmhex-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", state)
	code := m.Run()
	os.RemoveAll(state)
	os.Exit(code)
}

// keyProbe, run inside a terminal, writes the normalised name of every key
// it reads to the file out, one a line, until F12.
func keyProbe(out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	s, err := tcell.NewScreen()
	if err != nil {
		return err
	}
	if err := s.Init(); err != nil {
		return err
	}
	defer s.Fini()
	fmt.Fprintln(f, "READY")
	for {
		if ev, ok := s.PollEvent().(*tcell.EventKey); ok {
			k := FromEvent(ev)
			if k == MustKey("F12") {
				return nil
			}
			fmt.Fprintln(f, k)
		}
	}
}

// tmuxKeyName is the tmux send-keys name of k; "" when it must be sent as
// a literal character.
func tmuxKeyName(k Key) string {
	names := map[string]string{
		"PgUp": "PPage", "PgDn": "NPage", "Backspace": "BSpace", "Backtab": "BTab",
		"Esc": "Escape", "Space": "Space", "Enter": "Enter", "Tab": "Tab",
	}
	s := k.String()
	if n, ok := names[s]; ok {
		return n
	}
	if _, ok := k.Rune(); ok {
		return ""
	}
	s = strings.NewReplacer("Ctrl-", "C-", "Alt-", "M-", "Shift-", "S-").Replace(s)
	if strings.HasPrefix(s, "C-") && len(s) == 3 {
		s = "C-" + strings.ToLower(s[2:])
	}
	return s
}

// TestTmuxKeysArrive sends every key of both presets through tmux to a
// tcell screen and checks that each arrives as the key it is bound as: the
// presets use no key that tmux or the terminal eats or changes. (Ctrl-B,
// vim's page-up, is tmux's default prefix when typed by a person; PgUp does
// the same.)
func TestTmuxKeysArrive(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test (-short)")
	}
	requireTool(t, "tmux")
	seen := map[Key]bool{}
	var keys []Key
	for _, p := range Presets {
		m, _ := PresetMap(p)
		for _, t := range m.modes {
			for _, b := range m.Bindings(t.def.name) {
				for _, k := range b.Seq {
					if !seen[k] {
						seen[k] = true
						keys = append(keys, k)
					}
				}
			}
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "keys.txt")
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) {
		t.Helper()
		if b, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, b)
		}
	}
	cmd := fmt.Sprintf("env MMHEX_KEYPROBE='%s' '%s'", out, os.Args[0])
	tmux("-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", cmd)
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	read := func() []string {
		b, _ := os.ReadFile(out)
		return strings.Fields(strings.ReplaceAll(string(b), " ", "_"))
	}
	for deadline := time.Now().Add(10 * time.Second); len(read()) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the key probe did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, k := range keys {
		if n := tmuxKeyName(k); n != "" {
			tmux("send-keys", n)
		} else {
			tmux("send-keys", "-l", k.String())
		}
		// Esc then a key within tcell's 50 ms would be read as Alt-key, so
		// after an Esc the next key waits until the probe has written the
		// Esc down (a fixed pause was too short on a loaded machine).
		if k != keyEsc {
			time.Sleep(30 * time.Millisecond)
			continue
		}
		for deadline := time.Now().Add(10 * time.Second); len(read()) < i+2; {
			if time.Now().After(deadline) {
				t.Fatalf("key %d (Esc) did not arrive in 10 s (arrived: %v)", i, read()[1:])
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	tmux("send-keys", "F12")
	var got []string
	for deadline := time.Now().Add(10 * time.Second); ; {
		got = read()[1:]
		if len(got) >= len(keys) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, k := range keys {
		if i >= len(got) {
			t.Fatalf("only %d of %d keys arrived; missing from %s on", len(got), len(keys), k)
		}
		if got[i] != strings.ReplaceAll(k.String(), " ", "_") {
			t.Fatalf("key %d: sent %s, arrived %s (arrived so far: %v)", i, k, got[i], got[:i+1])
		}
	}
}
