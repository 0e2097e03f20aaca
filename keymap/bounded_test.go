package keymap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestConfigBounded: a configuration file that is not a regular file or is
// larger than 1 MiB is refused with one line naming it: a symbolic link to
// an 8 TiB sparse file (read whole, it ran out of memory), a FIFO (it hung
// start-up). 1 MiB exactly is read.
func TestConfigBounded(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, []byte("keys = \"vim\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 8<<40); err != nil {
		if !errors.Is(err, syscall.EFBIG) {
			t.Fatal(err)
		}
		os.Truncate(huge, 1<<30) // a file system that cannot hold 8 TiB
	}
	link := filepath.Join(dir, "config.toml")
	if err := os.Symlink("huge", link); err != nil {
		t.Fatal(err)
	}
	over := filepath.Join(dir, "over.toml")
	os.WriteFile(over, []byte("#"+strings.Repeat("x", MaxConfigSize-1)+"\n"), 0o644)
	exact := filepath.Join(dir, "exact.toml")
	os.WriteFile(exact, []byte("keys = \"vim\"\n#"+strings.Repeat("x", MaxConfigSize-15)+"\n"), 0o644)
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{link, "config " + link + ": larger than 1048576 bytes (1 MiB): not read"},
		{over, "config " + over + ": larger than 1048576 bytes (1 MiB): not read"},
		{fifo, "config " + fifo + ": not a regular file"},
		{dir, "config " + dir + ": not a regular file"},
	} {
		if _, _, err := Load("", c.path); err == nil || err.Error() != c.want {
			t.Errorf("Load(%s):\n got %v\nwant %s", c.path, err, c.want)
		}
	}
	// The default path too (XDG_CONFIG_HOME/mmhex/config.toml).
	t.Setenv("XDG_CONFIG_HOME", filepath.Dir(dir))
	os.Rename(dir, filepath.Join(filepath.Dir(dir), "mmhex"))
	def := DefaultPath()
	if _, _, err := Load("", ""); err == nil || err.Error() != "config "+def+": larger than 1048576 bytes (1 MiB): not read" {
		t.Errorf("default path: %v", err)
	}
	exact = filepath.Join(filepath.Dir(def), "exact.toml")
	if st, _ := os.Stat(exact); st.Size() != MaxConfigSize {
		t.Fatalf("exact.toml is %d bytes", st.Size())
	}
	if m, probs, err := Load("", exact); err != nil || len(probs) != 0 || m.Preset() != PresetVim {
		t.Errorf("a 1 MiB file: %v %v", probs, err)
	}
}

// TestConfigFIFOSwapDoesNotHang: while the configuration file's name is
// swapped between a regular file and a FIFO that nobody writes, every Load
// returns (the file is opened without blocking and checked with fstat
// after the open). Load used to stat the name and then read it, blocking
// for good in open(2) on the FIFO.
func TestConfigFIFOSwapDoesNotHang(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "reg.toml")
	os.WriteFile(reg, []byte("keys = \"vim\"\n"), 0o644)
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "config.toml")
	tmp := filepath.Join(dir, "tmp")
	os.Symlink(reg, name)
	stop := make(chan struct{})
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			os.Remove(tmp)
			os.Symlink([]string{reg, fifo}[i%2], tmp)
			os.Rename(tmp, name)
		}
	}()
	done := make(chan error)
	go func() {
		for range 3000 {
			m, _, err := Load("", name)
			switch {
			case err == nil && m.Preset() != PresetVim:
				done <- fmt.Errorf("preset %q", m.Preset())
				return
			case err != nil && err.Error() != "config "+name+": not a regular file":
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(60 * time.Second):
		t.Error("Load blocked on the FIFO")
		// unblock it: a writer opens and closes the FIFO
		for range 10 {
			if fh, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				fh.Close()
			}
		}
	}
	close(stop)
	<-swapped
}

// manyBindings is a [bindings] table of n bindings of unknown actions.
func manyBindings(n int) []byte {
	var b strings.Builder
	b.WriteString("[bindings]\n")
	for i := range n {
		keys := strings.Join(strings.Split(fmt.Sprint(i), ""), " ") // 123: "1 2 3"
		fmt.Fprintf(&b, "\"g %s\" = \"no-action-%d\"\n", keys, i)
	}
	return []byte(b.String())
}

// TestConfigManyBindingsLines: with 20 000 bindings (each a problem) every
// problem has its exact line, and no line is asked of the TOML decoder (each
// such question scans the whole text: 20 000 bindings took 10 s); the lines
// come from one pass over the text. BenchmarkConfigBindings shows the time
// is linear up to 10⁶ bindings.
func TestConfigManyBindingsLines(t *testing.T) {
	const n = 20000
	_, probs, d := parseConfig("c.toml", manyBindings(n), "")
	if d != 0 {
		t.Errorf("the decoder was asked for %d lines", d)
	}
	if len(probs) != n {
		t.Fatalf("%d problems, want %d", len(probs), n)
	}
	for _, p := range probs {
		var i int
		if _, err := fmt.Sscanf(p.Msg, "unknown action \"no-action-%d\"", &i); err != nil || p.Line != i+2 {
			t.Fatalf("problem %s: want line %d", p, i+2)
		}
	}
}

// TestConfigKeyLines: keyLines places bare, quoted, literal and dotted keys
// and keys under table headers, skips multi-line strings, and agrees with
// the TOML decoder.
func TestConfigKeyLines(t *testing.T) {
	const file = `keys = "vim"
x = """
"F1" = "in a string"
"""
[ bindings ]
"F2" = "nope2"
'F3' = "nope3"
F4 = "nope4"
"\u0046\u0035" = "nope5"
normal."F6" = "nope6"
[bindings."visual"]
"F7"="nope7"
`
	_, probs := Parse("c.toml", []byte(file), "")
	want := `c.toml:2: unknown setting "x"
c.toml:6: unknown action "nope2"
c.toml:7: unknown action "nope3"
c.toml:8: unknown action "nope4"
c.toml:9: unknown action "nope5"
c.toml:10: unknown action "nope6"
c.toml:12: unknown action "nope7"
`
	if got := ProblemsText(probs); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}

// BenchmarkConfigBindings parses 10⁴, 10⁵ and 10⁶ bindings: the time per
// binding stays flat (it grew with the count before keyLines).
func BenchmarkConfigBindings(b *testing.B) {
	for _, n := range []int{1e4, 1e5, 1e6} {
		data := manyBindings(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, probs := Parse("c.toml", data, ""); len(probs) != n {
					b.Fatalf("%d problems", len(probs))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/binding")
		})
	}
}
