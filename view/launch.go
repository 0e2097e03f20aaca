package view

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rivo/tview"
	"golang.org/x/sys/unix"

	"mmhex/keymap"
	"mmhex/mapping"
	"mmhex/mapping/display"
)

// LaunchOptions are the editor's command-line settings.
type LaunchOptions struct {
	Path    string          // the file to open (ignored with Demo)
	Other   string          // mmhex A B: the file to compare it with ("": none)
	Demo    bool            // make a demo file in a temporary folder and open it
	Keys    string          // --keys preset ("" = the configuration's, else default)
	Config  string          // --config file ("" = the default path, if it exists)
	Mapping mapping.Options // --read-only --private --populate --lock --window --invalidate
	Fit     bool            // --fit: the row width follows the terminal width
	Theme   string          // --theme ("" = the configuration's, else dark)
	// BytesPerRow is --bytes-per-row (0 = the configuration's, else 16).
	BytesPerRow int
	Stdout      io.Writer // where the removal of the demo folder is reported on exit
	Stderr      io.Writer // where a note on exit goes (what a revert left alone); nil: os.Stderr
	// Features are the editor's features: main passes features.Default()
	// (mmhex/view/features, the one list).
	Features []Feature
}

// Launch opens the file and runs the editor on the terminal. Everything that
// can fail before the screen is set up (bad key configuration file, the
// file cannot be opened) is returned as an error before the terminal is
// touched; problems inside the configuration are shown in the editor.
func Launch(o LaunchOptions) (err error) {
	m, probs, err := keymap.Load(o.Keys, o.Config)
	if err != nil {
		return err
	}
	path := o.Path
	demoNote := ""
	if o.Demo {
		// The folder is removed on every way out of Launch: a quit, an
		// error, and SIGTERM/SIGHUP/SIGINT (they stop the editor below).
		dir, derr := os.MkdirTemp("", "mmhex-demo-")
		if derr != nil {
			return fmt.Errorf("demo: %w", derr)
		}
		defer func() {
			rerr := os.RemoveAll(dir)
			switch {
			case rerr != nil:
				err = errors.Join(err, fmt.Errorf("demo: %w", rerr))
			case o.Stdout != nil:
				fmt.Fprintf(o.Stdout, "demo folder %s removed\n", display.Name(dir))
			}
		}()
		if path, derr = makeDemo(dir); derr != nil {
			return derr
		}
		demoNote = fmt.Sprintf("demo file %s (a temporary folder, removed on exit)", display.Name(path))
	}
	cfg := m.Config()
	bytesPerRow := cfg.BytesPerRow
	if o.BytesPerRow > 0 {
		bytesPerRow = o.BytesPerRow
	}
	theme := o.Theme
	if theme == "" {
		theme = cfg.Theme
	}
	mo := o.Mapping
	// The configuration's window, read by the one rule for sizes; a bad
	// one is a problem among the others (shown in the editor).
	win, probs := m.Window(probs, mapping.ParseWindow)
	if mo.Window == 0 && win > 0 {
		mo.Window = win
	}
	f, err := mapping.Open(path, mo)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Size() == 0 {
		return fmt.Errorf("%s: the file is empty: nothing to show or overwrite (mmhex never changes a file's size)", display.Name(path))
	}
	var other *mapping.File
	sameNote := ""
	if o.Other != "" {
		if other, err = mapping.Open(o.Other, mo); err != nil {
			return err
		}
		defer other.Close()
		if sameFile(f, other) {
			sameNote = fmt.Sprintf("%s and %s are the same file: one grid", display.Name(path), display.Name(o.Other))
			other.Close()
			other = nil
		}
	}
	// The terminal is set up here, not in Run: the screen is the
	// termScreen (term.go: quitting never hangs, idle writes nothing).
	ts, err := openTerminal()
	if err != nil {
		// No terminal, or an unknown $TERM.
		return fmt.Errorf("cannot use the terminal: %w", err)
	}
	e, err := New(tview.NewApplication(), f, Options{
		BytesPerRow:     bytesPerRow,
		FitWidth:        o.Fit || cfg.FitWidth,
		Keys:            keymap.NewDispatcher(m),
		StartupMessage:  problemsText(probs),
		Screen:          ts,
		Colours:         cfg.Colours,
		Features:        o.Features,
		FirstHint:       true,
		InspectorIfFits: true,
		Theme:           theme,
		NoColor:         os.Getenv("NO_COLOR") != "", // no-color.org: set and not empty
		Other:           other,
	})
	if err != nil {
		ts.Fini()
		return err
	}
	if demoNote != "" {
		e.Message("%s", demoNote)
	}
	if sameNote != "" {
		e.Message("%s", sameNote)
	}
	// Signals (signals.go): SIGTERM, SIGHUP or SIGINT (kill, a closed
	// terminal window) stop the editor like a quit that leaves the edits
	// to writeback, with the terminal restored; SIGTSTP suspends; SIGQUIT
	// restores the terminal before Go's goroutine dump.
	// If the editor has not stopped a second after such a signal (its
	// goroutine is stuck), the terminal is restored and mmhex exits here.
	stderr := o.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	stoppedBy, cancel := e.watchSignals(ts, func(sig os.Signal) {
		ts.Fini()
		fmt.Fprintf(stderr, "mmhex: %s: stopped by %s; the editor did not stop within %v, so mmhex exits without it: edits not yet synced are left to kernel writeback\n", display.Name(path), signalName(sig), stopWait)
		os.Exit(1)
	})
	defer cancel()
	runErr := e.Run()
	if errors.Is(runErr, errTerminalLost) {
		// A closed terminal also sends SIGHUP; the read that failed may
		// come first. Give the signal a moment, so that the one event is
		// reported one way: "stopped by SIGHUP".
		for i := 0; i < 20 && stoppedBy() == nil; i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if sig := stoppedBy(); sig != nil {
		msg := fmt.Sprintf("%s: stopped by %s", display.Name(path), signalName(sig))
		if f.UnsyncedEdits() > 0 {
			msg += "; unsynced edits are left to kernel writeback"
		}
		return errors.New(msg)
	}
	if note := e.ExitNote(); note != "" {
		fmt.Fprintf(stderr, "mmhex: %s: %s\n", display.Name(path), note)
	}
	if errors.Is(runErr, errTerminalLost) {
		msg := fmt.Sprintf("%s: %v", display.Name(path), runErr)
		if f.UnsyncedEdits() > 0 {
			msg += "; unsynced edits are left to kernel writeback"
		}
		return errors.New(msg)
	}
	return runErr
}

// problemsText is the configuration's problems, one line each through
// display.Line: keymap's text is raw (file names, keys and values as
// written), and this is where it reaches the terminal.
func problemsText(probs []keymap.Problem) string {
	var b strings.Builder
	for _, p := range probs {
		p.File = display.Name(p.File) // as everywhere: a newline in it is '.'
		b.WriteString(display.Line(p.String()))
		b.WriteByte('\n')
	}
	return b.String()
}

// sameFile reports whether a and b are one file (device and inode).
func sameFile(a, b *mapping.File) bool {
	var sa, sb unix.Stat_t
	if a.WithDescriptor(func(fd int, _ int64) error { return unix.Fstat(fd, &sa) }) != nil ||
		b.WithDescriptor(func(fd int, _ int64) error { return unix.Fstat(fd, &sb) }) != nil {
		return false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino && sa.Rdev == sb.Rdev
}
