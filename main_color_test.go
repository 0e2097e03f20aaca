package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

// onTerminal runs `mmhex ARGS` with env in a tmux pane (standard output
// is a terminal) and returns the pane with its escape sequences (capture
// -e) once the command ended.
func onTerminal(t *testing.T, env []string, args ...string) string {
	t.Helper()
	tmux := testenv.RequireTool(t, "tmux")
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	q := []string{"env"}
	q = append(q, env...)
	q = append(q, bin)
	q = append(q, args...)
	for i, a := range q {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	cmd := strings.Join(q, " ") + "; echo END-OF-RUN; sleep 30"
	if out, err := exec.Command(tmux, "-S", sock, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "20", cmd).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, _ := exec.Command(tmux, "-S", sock, "capture-pane", "-e", "-p").Output()
		if strings.Contains(string(out), "END-OF-RUN") {
			return string(out)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command never ended:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDumpNoColor: on a terminal, dump --color auto colours the bytes,
// and does not when NO_COLOR is set (not empty); --color always still
// does; NO_COLOR empty is as if unset (no-color.org).
func TestDumpNoColor(t *testing.T) {
	f := tempFile(t, "c.bin", []byte("A\x00\x01\x80 "))
	const sgr = "\x1b[36m" // printable: cyan
	for _, c := range []struct {
		env   []string
		args  []string
		color bool
	}{
		{[]string{"NO_COLOR="}, nil, true},
		{[]string{"NO_COLOR=1"}, nil, false},
		{[]string{"NO_COLOR=1"}, []string{"--color", "always"}, true},
		{nil, []string{"--color", "never"}, false},
	} {
		pane := onTerminal(t, append([]string{"TERM=xterm-256color"}, c.env...), append([]string{"dump", f}, c.args...)...)
		if !strings.Contains(pane, "00000000") {
			t.Fatalf("%v %q: no dump:\n%s", c.env, c.args, pane)
		}
		if got := strings.Contains(pane, sgr); got != c.color {
			t.Errorf("%v %q: coloured %v, want %v:\n%q", c.env, c.args, got, c.color, pane)
		}
	}
}

// TestThemeFlag: --theme takes dark, light or accessible; anything else is
// one line and exit 2, before the terminal is touched.
func TestThemeFlag(t *testing.T) {
	f := tempFile(t, "t.bin", []byte("x"))
	if r := mmhex(t, f, "--theme", "neon"); r.code != 2 || r.stderr != "mmhex: --theme: unknown theme \"neon\" (dark, light or accessible)\n" {
		t.Errorf("--theme neon: %+v", r)
	}
}

// TestDumpColorLessR: coloured output is what `less -R` shows as colour:
// only SGR sequences (ESC [ digits m), each line closed with a reset
// before its newline (a colour never runs into the next line), and the
// text without them is byte for byte the uncoloured dump; for every
// format.
func TestDumpColorLessR(t *testing.T) {
	data := append([]byte("AB\x00\x01\x80 \ntext "), pattern(1000)...)
	f := tempFile(t, "c.bin", data)
	sgr := regexp.MustCompile("\x1b\\[[0-9;]*m")
	for _, format := range []string{"canonical", "xxd", "plain"} {
		col := mmhex(t, "dump", f, "--format", format, "--color", "always")
		plain := mmhex(t, "dump", f, "--format", format, "--color", "never")
		if col.code != 0 || plain.code != 0 {
			t.Fatalf("%s: %+v %+v", format, col, plain)
		}
		if got := sgr.ReplaceAllString(col.stdout, ""); got != plain.stdout {
			t.Errorf("%s: the coloured dump without its SGR sequences differs from --color never", format)
		}
		if strings.Count(sgr.ReplaceAllString(col.stdout, ""), "\x1b") != 0 {
			t.Errorf("%s: an escape sequence that is not SGR", format)
		}
		for i, line := range strings.Split(strings.TrimSuffix(col.stdout, "\n"), "\n") {
			seqs := sgr.FindAllString(line, -1)
			if len(seqs) > 0 && seqs[len(seqs)-1] != "\x1b[0m" {
				t.Errorf("%s: line %d leaves colour %q open: %q", format, i, seqs[len(seqs)-1], line)
				break
			}
		}
	}
}
