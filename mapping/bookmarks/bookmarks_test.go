package bookmarks

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

func stateHere(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir, err := StateDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func keyOf(t *testing.T, p string) Key {
	t.Helper()
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, err := KeyOf(f)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSaveLoadPermissions: marks saved for a file come back for it (by
// device, inode and size), sorted a–z then A–Z, in a 0600 file in a 0700
// folder; no marks removes the record.
func TestSaveLoadPermissions(t *testing.T) {
	dir := stateHere(t)
	p := filepath.Join(t.TempDir(), "f.bin")
	os.WriteFile(p, make([]byte, 5000), 0o644)
	k := keyOf(t, p)
	in := []Mark{{"Z", 4999, ""}, {"a", 16, "the header"}, {"b", 0, ""}}
	if err := Save(dir, k, in); err != nil {
		t.Fatal(err)
	}
	ms, st, err := Load(dir, keyOf(t, p))
	if err != nil || st != (Status{}) {
		t.Fatalf("Load: %v %+v", err, st)
	}
	if got := Text(ms); got != "a 0x10 16 the header\nb 0x0 0\nZ 0x1387 4999\n" {
		t.Fatalf("Text:\n%s", got)
	}
	fi, _ := os.Stat(dir)
	ents, _ := os.ReadDir(dir)
	if fi.Mode().Perm() != 0o700 || len(ents) != 1 {
		t.Fatalf("folder %v, %d files", fi.Mode(), len(ents))
	}
	if ei, _ := ents[0].Info(); ei.Mode().Perm() != 0o600 {
		t.Fatalf("marks file %v", ei.Mode())
	}
	// moved: still the file (same inode and size); the old path is told
	q := filepath.Join(filepath.Dir(p), "g.bin")
	os.Rename(p, q)
	if ms, st, _ := Load(dir, keyOf(t, q)); len(ms) != 3 || st.Moved != p {
		t.Fatalf("after a rename: %d marks, %+v", len(ms), st)
	}
	Save(dir, k, nil)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("no marks left %d files", len(ents))
	}
}

// TestReplacedFileNotApplied: a file renamed over the path of marked
// file, the same inode with another size, and an inode number reused by
// a new file at the same path: no marks are applied, and why is said.
func TestReplacedFileNotApplied(t *testing.T) {
	dir := stateHere(t)
	tmp := t.TempDir()
	p := filepath.Join(tmp, "f.bin")
	os.WriteFile(p, make([]byte, 100), 0o644)
	if err := Save(dir, keyOf(t, p), []Mark{{"a", 5, ""}, {"b", 6, ""}}); err != nil {
		t.Fatal(err)
	}
	// renamed over
	n := filepath.Join(tmp, "new.bin")
	os.WriteFile(n, make([]byte, 100), 0o644)
	keep := filepath.Join(tmp, "keep-old-inode")
	os.Link(p, keep) // the old inode stays alive: its number is not reused
	os.Rename(n, p)
	ms, st, err := Load(dir, keyOf(t, p))
	if err != nil || ms != nil || !strings.HasPrefix(st.Replaced, "2 marks were set on another file at this path (inode ") || !strings.HasSuffix(st.Replaced, "): replaced since; not applied") {
		t.Fatalf("renamed over: %v %v %+v", ms, err, st)
	}
	// the same inode, another size (truncated or rewritten)
	if err := os.Truncate(keep, 50); err != nil {
		t.Fatal(err)
	}
	k := keyOf(t, keep)
	ms, st, _ = Load(dir, k)
	if ms != nil || !strings.Contains(st.Replaced, "2 marks were set on a file of 100 bytes with this inode") {
		t.Fatalf("other size: %v %+v", ms, st)
	}
}

// TestUnsafeStateDir: a state folder that is a symbolic link, or that
// belongs to another user, is refused.
func TestUnsafeStateDir(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_STATE_HOME", base)
	elsewhere := t.TempDir()
	os.Symlink(elsewhere, filepath.Join(base, "mmhex"))
	if _, err := StateDir(); !errors.Is(err, ErrUnsafeDir) || !strings.HasSuffix(err.Error(), "unsafe state folder: a symbolic link") {
		t.Fatalf("symlink: %v", err)
	}
	if os.Geteuid() != 0 {
		return
	}
	base2 := t.TempDir()
	t.Setenv("XDG_STATE_HOME", base2)
	os.Mkdir(filepath.Join(base2, "mmhex"), 0o700)
	os.Chown(filepath.Join(base2, "mmhex"), 65534, 65534)
	if _, err := StateDir(); !errors.Is(err, ErrUnsafeDir) || !strings.HasSuffix(err.Error(), "unsafe state folder: owned by uid 65534") {
		t.Fatalf("foreign folder: %v", err)
	}
}

// TestCLIMarks: `mmhex marks FILE` prints the kept marks (and --json),
// exit 1 with none, exit 2 for a replaced file.
func TestCLIMarks(t *testing.T) {
	dir := stateHere(t)
	bin := testenv.MmhexBinary(t)
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return o.String(), e.String(), code
	}
	p := filepath.Join(t.TempDir(), "f.bin")
	os.WriteFile(p, make([]byte, 300), 0o644)
	if out, errs, code := run("marks", p); out != "" || errs != "mmhex: "+p+": no marks (the editor sets them: Alt-m, vim m)\n" || code != 1 {
		t.Fatalf("none: %q %q %d", out, errs, code)
	}
	Save(dir, keyOf(t, p), []Mark{{"q", 0x12c - 1, "last byte"}})
	if out, _, code := run("marks", p); out != "q 0x12b 299 last byte\n" || code != 0 {
		t.Fatalf("one: %q %d", out, code)
	}
	if out, _, code := run("marks", "--json", p); out != "[\n  {\n    \"name\": \"q\",\n    \"offset\": 299,\n    \"note\": \"last byte\"\n  }\n]\n" || code != 0 {
		t.Fatalf("json: %q %d", out, code)
	}
	n := filepath.Join(filepath.Dir(p), "n.bin")
	os.WriteFile(n, make([]byte, 300), 0o644)
	os.Link(p, p+".keep")
	os.Rename(n, p)
	if out, errs, code := run("marks", p); out != "" || !strings.Contains(errs, "1 mark was set on another file at this path") || code != 2 {
		t.Fatalf("replaced: %q %q %d", out, errs, code)
	}
}

// TestCLIMarksReadsOnly: `mmhex marks` only reads: with no state folder it
// says there are no marks and leaves no folder behind (before, it made
// $XDG_STATE_HOME/mmhex); a state folder it refuses is one line naming the
// file, exit 2; a state home it cannot even look into (a regular file in
// the path) holds no marks.
func TestCLIMarksReadsOnly(t *testing.T) {
	bin := testenv.MmhexBinary(t)
	p := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(p, make([]byte, 300), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(state string) (string, string, int) {
		cmd := exec.Command(bin, "marks", p)
		cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return o.String(), e.String(), code
	}
	state := filepath.Join(t.TempDir(), "state")
	if out, errs, code := run(state); out != "" || errs != "mmhex: "+p+": no marks (the editor sets them: Alt-m, vim m)\n" || code != 1 {
		t.Fatalf("no state folder: %q %q %d", out, errs, code)
	}
	if _, err := os.Stat(state); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("mmhex marks made the state home: %v", err)
	}
	// a state folder that is a symbolic link: refused, naming the file
	os.Mkdir(state, 0o700)
	os.Symlink(t.TempDir(), filepath.Join(state, "mmhex"))
	want := "mmhex: " + p + ": marks: " + filepath.Join(state, "mmhex") + ": unsafe state folder: a symbolic link\n"
	if out, errs, code := run(state); out != "" || errs != want || code != 2 {
		t.Fatalf("symlinked state folder: %q %q %d, want %q", out, errs, code, want)
	}
	// a regular file where the state home should be
	file := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(file, nil, 0o600)
	if out, errs, code := run(filepath.Join(file, "state")); out != "" || !strings.HasSuffix(errs, ": no marks (the editor sets them: Alt-m, vim m)\n") || code != 1 {
		t.Fatalf("state home under a file: %q %q %d", out, errs, code)
	}
}

// TestCLIMarksAdopt: marks kept for a file another one replaced are not
// applied (exit 2, the line says how to take them); --adopt applies them
// to the new file (offsets past its end dropped), --forget drops them;
// with nothing replaced both say so (exit 1).
func TestCLIMarksAdopt(t *testing.T) {
	dir := stateHere(t)
	bin := testenv.MmhexBinary(t)
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return o.String(), e.String(), code
	}
	tmp := t.TempDir()
	p := filepath.Join(tmp, "f.bin")
	replaceWith := func(size int) {
		t.Helper()
		n := filepath.Join(tmp, "new.bin")
		if err := os.WriteFile(n, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(n, p); err != nil {
			t.Fatal(err)
		}
	}
	replaceWith(300)
	Save(dir, keyOf(t, p), []Mark{{"a", 10, "kept"}, {"b", 250, "past the new end"}})
	os.Link(p, filepath.Join(tmp, "old.bin")) // the old inode lives on: its number is not reused
	replaceWith(200)
	out, errs, code := run("marks", p)
	if out != "" || code != 2 || !strings.HasSuffix(errs, "): replaced since; not applied (--adopt applies them to this file, --forget drops them)\n") {
		t.Fatalf("replaced: %q %q %d", out, errs, code)
	}
	if out, errs, code := run("marks", p, "--adopt"); out != p+": 1 mark of the file it replaced now applies to it\n" || errs != "" || code != 0 {
		t.Fatalf("--adopt: %q %q %d", out, errs, code)
	}
	if out, _, code := run("marks", p); out != "a 0xa 10 kept\n" || code != 0 {
		t.Fatalf("after --adopt: %q %d", out, code)
	}
	if out, errs, code := run("marks", p, "--adopt"); out != "" || errs != "mmhex: "+p+": no marks of a file it replaced: nothing to adopt or forget\n" || code != 1 {
		t.Fatalf("--adopt again: %q %q %d", out, errs, code)
	}
	// the same inode rewritten to another size, then --forget
	if err := os.Truncate(p, 100); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := run("marks", p); code != 2 || !strings.Contains(errs, "1 mark was set on a file of 200 bytes with this inode") {
		t.Fatalf("resized: %q %d", errs, code)
	}
	if out, errs, code := run("marks", p, "--forget"); out != p+": dropped 1 mark kept for the file it replaced\n" || errs != "" || code != 0 {
		t.Fatalf("--forget: %q %q %d", out, errs, code)
	}
	if out, errs, code := run("marks", p); out != "" || code != 1 || !strings.HasSuffix(errs, ": no marks (the editor sets them: Alt-m, vim m)\n") {
		t.Fatalf("after --forget: %q %q %d", out, errs, code)
	}
	if _, errs, code := run("marks", p, "--adopt", "--forget"); code != 2 || errs != "mmhex: marks: --adopt, --forget and --json go alone\n" {
		t.Fatalf("both: %q %d", errs, code)
	}
}
