package view

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTmuxEditSyncQuit(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "e2e.bin")
	orig := knownData()
	if err := os.WriteFile(p, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t, 120, 40)
	s.text(fmt.Sprintf("%s %s; echo EXIT=$?", bin, p))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	s.keys("C-g")
	s.waitFor("goto:")
	s.text("0x1800")
	s.keys("Enter")
	s.waitFor("0x1800 (6144)")
	s.text("de")
	s.text("ad")
	s.keys("Tab")
	s.text("OK")
	s.waitFor("4 edits unsynced")
	s.keys("C-s")
	s.waitFor("last sync: MS_SYNC 1 page 4096 B")
	s.keys("C-q")
	s.waitFor("EXIT=0")
	want := append([]byte(nil), orig...)
	copy(want[0x1800:], []byte{0xde, 0xad, 'O', 'K'})
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("byte 0x%x on disk is %#x, want %#x", i, got[i], want[i])
			}
		}
		t.Fatalf("file length %d, want %d", len(got), len(want))
	}
}

func TestTmuxTruncatedWhileShown(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "shrink.bin")
	if err := os.WriteFile(p, bytes.Repeat(knownData(), 8), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t, 100, 30)
	// After the editor: its exit status, then the terminal's line discipline
	// flags, which must be back to canonical mode with echo.
	s.text(fmt.Sprintf(`%s %s; echo EXIT=$?; echo "tty: $(stty -a | tr -s ' ;' '\n\n' | grep -x -e icanon -e echo -e -icanon -e -echo | tr '\n' ' ')"`, bin, p))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	s.keys("C-g")
	s.text("0x17000")
	s.keys("Enter")
	s.waitFor("0x17000 (94208)")
	if out, err := exec.Command("truncate", "-s", "1000", p).CombinedOutput(); err != nil {
		t.Fatalf("truncate: %v %s", err, out)
	}
	// The live view's tick (four times a second) sees the new size and
	// says so; a key would clear that message, so wait for it first, and
	// send a key (which makes the editor draw again) only when no tick
	// came: a key sent at once raced with the tick and erased its message.
	shown := false
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(s.screen(), "the file changed size: 1000 B") {
			shown = true
			break
		}
	}
	if !shown {
		s.keys("Down")
	}
	s.waitFor("the file changed size: 1000 B")
	s.waitFor("0x3e7 (999)")
	s.keys("Up")
	s.waitFor("0x3d7 (983)")
	s.keys("C-q")
	s.waitFor("EXIT=0")
	// Times out (and shows the screen) when the terminal was left raw.
	s.waitFor("tty: icanon echo")
}

// Opening errors are one line on standard error, before any screen is set
// up (no escape sequence reaches the terminal), with a non-zero exit.
func TestOpenErrorsAreOneLine(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.bin")
	os.WriteFile(empty, nil, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(dir, "missing.bin")}, "missing.bin"},
		{[]string{dir}, "is a directory"},
		{[]string{empty}, "empty.bin: the file is empty"},
		{[]string{"/proc/self/status"}, "/proc/self/status"},
		{[]string{filepath.Join(dir, "missing.bin"), "--keys", "emacs"}, "emacs"},
	} {
		cmd := exec.Command(bin, c.args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if err == nil {
			t.Errorf("mmhex %v: exit 0", c.args)
			continue
		}
		out := stderr.String()
		if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "mmhex: ") || !strings.Contains(out, c.want) || strings.ContainsRune(out, 0x1b) || stdout.Len() != 0 {
			t.Errorf("mmhex %v: stderr %q stdout %q, want one line naming %q", c.args, out, stdout.String(), c.want)
		}
	}
}

// --demo says where its temporary folder is while it runs and removes it
// on exit: after a quit (Ctrl-Q) and after SIGTERM.
func TestTmuxDemo(t *testing.T) {
	bin := mmhexBinary(t)
	for _, how := range []string{"quit", "SIGTERM"} {
		t.Run(how, func(t *testing.T) {
			tmp, err := os.MkdirTemp("", "d") // short: the path fits the status line
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(tmp) })
			pidFile := filepath.Join(tmp, "pid")
			s := newTerm(t, 120, 30)
			s.text(fmt.Sprintf(`sh -c 'echo $$ > %s; TMPDIR=%s exec %s --demo'; echo EXIT=$?`, pidFile, tmp, bin))
			s.keys("Enter")
			s.waitFor("demo.bin  4.00 MiB (4194304 B)")
			s.waitFor(".ELF")
			dirs, _ := filepath.Glob(filepath.Join(tmp, "mmhex-demo-*"))
			if len(dirs) != 1 {
				t.Fatalf("demo folders in TMPDIR: %q", dirs)
			}
			dir := dirs[0]
			if st, err := os.Stat(filepath.Join(dir, "demo.bin")); err != nil || st.Size() != demoSize {
				t.Fatalf("demo file while running: %v", err)
			}
			// The message line is the last row a frame writes: wait for it.
			s.waitFor("demo file " + filepath.Join(dir, "demo.bin") + " (a temporary folder, removed on exit)")
			if how == "quit" {
				s.keys("C-q")
				s.waitFor("demo folder " + dir + " removed\nEXIT=0")
			} else {
				b, err := os.ReadFile(pidFile)
				if err != nil {
					t.Fatal(err)
				}
				pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
				if err != nil {
					t.Fatal(err)
				}
				if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
				s.waitFor("EXIT=1")
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatalf("the demo folder %s is still there after %s: %v", dir, how, err)
			}
		})
	}
}

func TestTmuxKilledRestoresTerminal(t *testing.T) {
	bin := mmhexBinary(t)
	p := filepath.Join(t.TempDir(), "killme.bin")
	if err := os.WriteFile(p, knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(filepath.Dir(p), "pid")
	s := newTerm(t, 100, 30)
	// The shell writes its pid, then becomes mmhex (exec keeps the pid).
	s.text(fmt.Sprintf(`sh -c 'echo $$ > %s; exec %s %s'; echo EXIT=$?; echo "tty: $(stty -a | tr -s ' ;' '\n\n' | grep -x -e icanon -e echo -e -icanon -e -echo | tr '\n' ' ')"`, pidFile, bin, p))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s.waitFor("mmhex: " + p + ": stopped by SIGTERM\nEXIT=1")
	s.waitFor("EXIT=1")
	s.waitFor("tty: icanon echo")
}

// --fit makes the row width follow the terminal: 40 bytes a row at 200
// columns, 16 after Ctrl-L (fit off), 40 again after a second Ctrl-L; a
// resize of the terminal keeps the cursor on its byte.
func TestTmuxFitWidth(t *testing.T) {
	bin := mmhexBinary(t)
	p := filepath.Join(t.TempDir(), "fit.bin")
	if err := os.WriteFile(p, knownData(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t, 200, 30)
	s.text(fmt.Sprintf("%s --fit %s; echo EXIT=$?", bin, p))
	s.keys("Enter")
	s.waitFor(" 00000028  ") // the second row starts at 40
	s.keys("C-l")
	s.waitFor(" 00000010  ")
	s.keys("C-l")
	s.waitFor(" 00000028  ")
	s.keys("C-g")
	s.text("0x1234")
	s.keys("Enter")
	s.waitFor("0x1234 (4660)")
	s.run("resize-window", "-t", "0", "-x", "100", "-y", "20")
	scr := s.waitFor(" 00001230  ") // 16 bytes a row at 100 columns
	if !strings.Contains(scr, "0x1234 (4660)") {
		t.Fatalf("the resize moved the cursor:\n%s", scr)
	}
	s.keys("C-q")
	s.waitFor("EXIT=0")
}

// The mouse in a real terminal: a click on a hex byte, a click in the text
// column, the wheel (xterm SGR mouse reports, typed into the pane as the
// terminal would send them).
func TestTmuxMouse(t *testing.T) {
	bin := mmhexBinary(t)
	p := filepath.Join(t.TempDir(), "m.bin")
	if err := os.WriteFile(p, []byte("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t, 100, 20)
	s.text(fmt.Sprintf("%s %s; echo EXIT=$?", bin, p))
	s.keys("Enter")
	s.waitFor("0x0 (0)")
	// Column 20, row 4 (1-based): the third byte of the second data row.
	s.text("\x1b[<0;20;4M\x1b[<0;20;4m")
	s.waitFor("0x12 (18) 35.3%  byte 0x73 115  HEX")
	// Column 65, row 3: the third character of the first row's text.
	s.text("\x1b[<0;65;3M\x1b[<0;65;3m")
	s.waitFor("0x2 (2) 3.9%  byte 0x63 99  TEXT")
	// Wheel down: three rows.
	s.text("\x1b[<65;20;4M")
	s.waitFor("0x32 (50) 98.0%  byte 0x4f 79  TEXT")
	s.keys("C-q")
	s.waitFor("EXIT=0")
}

// Escape sequences in a file's name and in its bytes never reach the
// terminal: tmux's pane title (OSC 0/2) stays as it was, the screen is not
// cleared, and the name is shown with '.' for each control byte.
func TestTmuxEscapesNeverReachTerminal(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	name := "evil\x1b]2;pwned-name\x07\x1b[2J.bin"
	data := []byte("\x1b]2;pwned-data\x07\x1b[2J\x1b[31mred\x9b2J\x1bP+q\x1b\\ tail")
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t, 120, 20)
	title := strings.TrimSpace(s.run("display-message", "-p", "-t", "0", "#{pane_title}"))
	s.text(fmt.Sprintf("echo BEFORE; cd %s && %s evil*.bin; echo EXIT=$?", dir, bin))
	s.keys("Enter")
	s.waitFor("  evil.]2;pwned-name..[2J.bin  ")
	scr := s.waitFor("no unsynced edits") // the whole frame, not a capture taken while it is drawn
	if !strings.Contains(scr, ".]2;pwned-data..\n") || !strings.Contains(scr, "[2J.[31mred.2J.P\n") || !strings.Contains(scr, "+q.\\ tail\n") {
		t.Errorf("text column:\n%s", scr)
	}
	if got := strings.TrimSpace(s.run("display-message", "-p", "-t", "0", "#{pane_title}")); got != title {
		t.Errorf("the pane title changed from %q to %q: an escape sequence reached the terminal", title, got)
	}
	s.keys("C-q")
	scr = s.waitFor("EXIT=0")
	if !strings.Contains(scr, "BEFORE") {
		t.Errorf("the screen was cleared by an escape sequence:\n%s", scr)
	}
	if got := strings.TrimSpace(s.run("display-message", "-p", "-t", "0", "#{pane_title}")); got != title {
		t.Errorf("after quit the pane title is %q, was %q", got, title)
	}
}

// Without a terminal the editor says so in one line and exits non-zero.
func TestNoTerminalIsOneLine(t *testing.T) {
	bin := mmhexBinary(t)
	p := filepath.Join(t.TempDir(), "n.bin")
	if err := os.WriteFile(p, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, p)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := stderr.String()
	if err == nil || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "mmhex: cannot use the terminal: ") || strings.ContainsRune(out, 0x1b) || stdout.Len() != 0 {
		t.Fatalf("without a terminal: %v, stderr %q, stdout %q", err, out, stdout.String())
	}
	if b, _ := os.ReadFile(p); string(b) != "data" {
		t.Fatalf("the file changed: %q", b)
	}
}
