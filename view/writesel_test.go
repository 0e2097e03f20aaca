package view

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// selHarness opens a new file of data (mode perm) on a wide screen and
// selects all of it.
func selHarness(t *testing.T, data []byte, perm os.FileMode) *harness {
	t.Helper()
	p := writeFile(t, "src.bin", data)
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, p, 600, 24, mapping.Options{}, Options{}) // wide: long paths
	h.press("Ctrl-G")
	h.typeText(fmt.Sprintf("%#x", len(data)-1))
	h.press("Enter", "Alt-s", "Ctrl-G")
	h.typeText("0")
	h.press("Enter")
	if off, n, ok := h.e.Selection(); !ok || off != 0 || n != int64(len(data)) {
		t.Fatalf("selection %#x %d %v", off, n, ok)
	}
	return h
}

// writeSel starts write-selection to path (Ctrl-O, the path, Enter).
func (h *harness) writeSel(path string) {
	h.press("Ctrl-O")
	h.typeText(path)
	h.press("Enter")
}

// promptErr is the error shown in the open prompt ("" when none is open).
func (h *harness) promptErr() string {
	if h.e.prompt == nil {
		return ""
	}
	return h.e.prompt.err
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range es {
		ns = append(ns, e.Name())
	}
	slices.Sort(ns)
	return ns
}

// rootOnlyVictim makes a root-only (0600) file and a folder that another
// user (nobody, when this runs as root) controls, holding link, a symbolic
// link to the victim owned by that user.
func rootOnlyVictim(t *testing.T) (victim, evil string) {
	t.Helper()
	victim = filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(victim, []byte("root only\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	evil = t.TempDir()
	if err := os.Symlink(victim, filepath.Join(evil, "link")); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(evil, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(filepath.Join(evil, "link"), 65534, 65534); err != nil {
			t.Fatal(err)
		}
		os.Chmod(evil, 0o777|os.ModeSticky)
	}
	return victim, evil
}

// TestWriteSelectionRefusesSpecialTargets: a symbolic link (to a root-only
// file in a folder another user controls, to /dev/null, to a block
// device), a character or block device, a FIFO and a directory are
// refused when the name is given, each with one exact line in the prompt;
// nothing is opened and the victims' bytes are unchanged. The FIFO does
// not block. Write-selection used to follow links and open with O_TRUNC.
func TestWriteSelectionRefusesSpecialTargets(t *testing.T) {
	h := selHarness(t, []byte("selected bytes\n"), 0o644)
	victim, evil := rootOnlyVictim(t)
	null := filepath.Join(evil, "null")
	if err := os.Symlink("/dev/null", null); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o666); err != nil {
		t.Fatal(err)
	}
	type tc struct{ path, want string }
	cases := []tc{
		{filepath.Join(evil, "link"), evil + "/link is a symbolic link (to " + victim + "): not followed; give the path of the file itself"},
		{null, null + " is a symbolic link (to /dev/null): not followed; give the path of the file itself"},
		{"/dev/null", "/dev/null is a character device: only a regular file can be written"},
		{fifo, fifo + " is a FIFO (named pipe): only a regular file can be written"},
		{dir, dir + " is a directory"},
		{dir + "/", dir + "/ is a directory"},
	}
	devContent := []byte("block device content\n")
	var img string
	if os.Geteuid() == 0 {
		var dev string
		dev, img = loopDevice(t, bytes.Repeat(devContent, 1024))
		blk := filepath.Join(evil, "blk")
		if err := os.Symlink(dev, blk); err != nil {
			t.Fatal(err)
		}
		cases = append(cases,
			tc{blk, blk + " is a symbolic link (to " + dev + "): not followed; give the path of the file itself"},
			tc{dev, dev + " is a block device: only a regular file can be written"})
	}
	for _, c := range cases {
		h.writeSel(c.path)
		if got := h.promptErr(); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.path, got, c.want)
		}
		if s := h.draw(); !strings.Contains(s, "✗ "+c.want) {
			t.Errorf("%s: the refusal is not on the screen:\n%s", c.path, s)
		}
		h.press("Esc")
	}
	if b := mustRead(t, victim); string(b) != "root only\n" {
		t.Errorf("victim is now %q", b)
	}
	if img != "" {
		if b := mustRead(t, img); !bytes.Equal(b, bytes.Repeat(devContent, 1024)) {
			t.Errorf("the block device's image changed: %q…", b[:32])
		}
	}
	if got := names(t, evil); !slices.Equal(got, []string{"blk", "link", "null"}) && !slices.Equal(got, []string{"link", "null"}) {
		t.Errorf("files in the folder: %q", got)
	}
}

// TestWriteSelectionSwappedAfterQuestion: the file asked about is replaced
// by a symbolic link to a root-only file between the question and "y":
// nothing is written, the message says why, the victim's bytes and the
// link are unchanged and no temporary file is left.
func TestWriteSelectionSwappedAfterQuestion(t *testing.T) {
	t.Parallel()
	h := selHarness(t, []byte("selected bytes\n"), 0o644)
	victim, evil := rootOnlyVictim(t)
	out := filepath.Join(evil, "out")
	if err := os.WriteFile(out, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.writeSel(out)
	if s := h.draw(); !strings.Contains(s, out+" exists (4 B): overwrite it? y/n") {
		t.Fatalf("no question:\n%s", s)
	}
	tmp := filepath.Join(evil, "tmp")
	if err := os.Symlink(victim, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	h.typeText("y")
	want := "write selection: " + out + " was replaced since the question (it is now a symbolic link): nothing written"
	if h.e.msg != want || !h.e.msgErr {
		t.Errorf("message\n got %q\nwant %q", h.e.msg, want)
	}
	if b := mustRead(t, victim); string(b) != "root only\n" {
		t.Errorf("victim is now %q", b)
	}
	if to, err := os.Readlink(out); err != nil || to != victim {
		t.Errorf("the link is now %q, %v", to, err)
	}
	if got := names(t, evil); !slices.Equal(got, []string{"link", "out"}) {
		t.Errorf("files in the folder: %q", got)
	}
}

// TestWriteSelectionNoSpace: on a 64 KiB tmpfs a 256 KiB selection fails
// part-way: the error names the target and says so, an existing target
// keeps its bytes, no new file appears and no temporary file is left.
func TestWriteSelectionNoSpace(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "mounting a small tmpfs needs root")
	}
	testenv.RequireTool(t, "mount")
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.SkipOrFail(t, "mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	h := selHarness(t, bytes.Repeat([]byte("0123456789abcdef"), 16<<10), 0o644)
	out := filepath.Join(dir, "out")
	if err := os.WriteFile(out, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.writeSel(out)
	h.typeText("y")
	if want := "write selection: " + out + ": no space left on device; " + out + " is unchanged"; h.e.msg != want || !h.e.msgErr {
		t.Errorf("message\n got %q\nwant %q", h.e.msg, want)
	}
	if b := mustRead(t, out); string(b) != "keep" {
		t.Errorf("target is now %d bytes: %q…", len(b), b[:min(len(b), 16)])
	}
	if got := names(t, dir); !slices.Equal(got, []string{"out"}) {
		t.Errorf("files on the tmpfs: %q", got)
	}
	h.writeSel(filepath.Join(dir, "new"))
	if want := "write selection: " + dir + "/new: no space left on device; no file was created"; h.e.msg != want || !h.e.msgErr {
		t.Errorf("message\n got %q\nwant %q", h.e.msg, want)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"out"}) {
		t.Errorf("files on the tmpfs: %q", got)
	}
}

// TestWriteSelectionPermissions: the copy gets the source file's
// permission bits (less the umask, as with cp): 0600 stays 0600, also when
// it replaces an existing 0666 file.
func TestWriteSelectionPermissions(t *testing.T) {
	old := unix.Umask(0o022)
	t.Cleanup(func() { unix.Umask(old) })
	for _, perm := range []os.FileMode{0o600, 0o640, 0o644} {
		h := selHarness(t, []byte("private\n"), perm)
		dir := t.TempDir()
		out := filepath.Join(dir, "copy")
		h.writeSel(out)
		st, err := os.Stat(out)
		if err != nil || st.Mode().Perm() != perm {
			t.Errorf("source %#o: copy %v, %v", perm, st.Mode(), err)
		}
		if b := mustRead(t, out); string(b) != "private\n" {
			t.Errorf("copy holds %q", b)
		}
		os.Chmod(out, 0o666)
		h.writeSel(out)
		h.typeText("y")
		if st, err := os.Stat(out); err != nil || st.Mode().Perm() != perm {
			t.Errorf("source %#o: replaced copy %v, %v", perm, st.Mode(), err)
		}
		if got := names(t, dir); !slices.Equal(got, []string{"copy"}) {
			t.Errorf("files: %q", got)
		}
	}
}

// TestSaveAsWholeFile: write-selection without a selection writes the
// whole file (save as), edits included and holes kept, and leaves the
// source alone; after the source was removed it rescues the edits.
func TestSaveAsWholeFile(t *testing.T) {
	const size = 16 << 20
	p := filepath.Join(t.TempDir(), "src.bin")
	if err := os.WriteFile(p, []byte("head"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, p, 250, 24, mapping.Options{}, Options{})
	h.typeText("ab") // 0xab at 0
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rescued.bin")
	h.press("Ctrl-O")
	if s := h.draw(); !strings.Contains(s, "write the whole file (16777216 bytes, 16.00 MiB) to file:") {
		t.Fatalf("prompt:\n%s", s)
	}
	h.typeText(out)
	h.press("Enter")
	if !strings.HasPrefix(h.e.msg, "wrote the whole file (16777216 bytes, 16.00 MiB) to "+out+" in ") || !strings.HasSuffix(h.e.msg, " (holes kept, edits included)") {
		t.Fatalf("message %q", h.e.msg)
	}
	got := mustRead(t, out)
	want := make([]byte, size)
	copy(want, "\xabead")
	if !bytes.Equal(got, want) {
		t.Fatalf("the copy is not the file with its edit: starts %q", got[:8])
	}
	var st unix.Stat_t
	if err := unix.Stat(out, &st); err != nil {
		t.Fatal(err)
	}
	if st.Blocks > 64 {
		t.Fatalf("the copy has %d blocks: the 16 MiB hole was written", st.Blocks)
	}
}
