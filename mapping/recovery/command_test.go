package recovery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// TestRecoverRevertReadOnly: mmhex recover --revert on a file the user
// may not write says so in one line naming the file once, as mmhex patch
// does (it said "f: cannot revert: f: permission denied; opened
// read-only"), and changes nothing.
func TestRecoverRevertReadOnly(t *testing.T) {
	if testenv.AsNobody(t) {
		return
	}
	orig := testenv.Pattern(5000, 2)
	p := testenv.WriteFile(t, "ro", orig)
	if err := os.Chmod(p, 0o444); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := Command(p, Revert, false, &out)
	want := p + ": file is read-only (cannot open for writing: permission denied); nothing was changed"
	if err == nil || err.Error() != want || !errors.Is(err, mapping.ErrReadOnly) || out.Len() != 0 {
		t.Fatalf("err = %v, printed %q\nwant %s", err, out.String(), want)
	}
	testenv.MustEqual(t, "after the refusal", testenv.DiskBytes(t, p), orig)
}

// Two sessions' journals left for one file: the summary counts them in
// plain words ("from 2 sessions that ended by", not "from a 2 sessions that ended at").
func TestRecoverSummaryTwoSessions(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(8192, 3)
	p := testenv.WriteFile(t, "two", orig)
	for i, off := range []int64{0x10, 0x20} {
		f, err := mapping.Open(p, mapping.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte{byte('A' + i)}, off); err != nil {
			t.Fatal(err)
		}
		f.Close() // unsynced: the journal stays, as after the quit dialog's q
	}
	var out bytes.Buffer
	if err := Command(p, List, false, &out); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if want := p + ": 2 edits of 2 bytes from 2 sessions that ended by "; !strings.HasPrefix(first, want) {
		t.Fatalf("first line %q\nwant %s…", first, want)
	}
	var rev bytes.Buffer
	if err := Command(p, Revert, false, &rev); err != nil {
		t.Fatal(err)
	}
	testenv.MustEqual(t, "after --revert", testenv.DiskBytes(t, p), orig)
}

// A file in the journal folder that is not a journal (a stray file, or
// a journal whose session was killed before it wrote the header: empty)
// does not stop the recovery of other files (mmhex recover failed for
// every file, and the editor showed the error on every open): a stray
// file of another file is skipped, an empty one is no edit; a
// damaged journal named for this very file is named and not applied.
func TestRecoverStrayJournalFiles(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	orig := testenv.Pattern(8192, 8)
	p := testenv.WriteFile(t, "a", orig)
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("XY"), 0x10); err != nil {
		t.Fatal(err)
	}
	h := f.JournalHeader()
	f.Close() // unsynced: the journal stays
	dir := filepath.Join(state, "mmhex")
	own := fmt.Sprintf("%x-%x-", h.Dev, h.Ino)
	for name, body := range map[string]string{
		"junk.mmj":           "not a journal\n",
		"fe00-1-4242-1.mmj":  "",                // another file's, killed before its header
		own + "999999-1.mmj": "",                // this file's, killed before its header
		own + "999999-2.mmj": "garbage garbage", // this file's, damaged
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := Command(p, List, false, &out); err != nil {
		t.Fatalf("recover: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	damaged := filepath.Join(dir, own+"999999-2.mmj")
	if len(lines) != 3 || lines[0] != p+": journal "+damaged+": not an mmhex journal: not applied" ||
		!strings.HasPrefix(lines[1], p+": 1 edit of 2 bytes from a session that ended at ") || lines[2] != "  2 bytes at 0x10: "+fmt.Sprintf("% x", orig[0x10:0x12])+" → 58 59" {
		t.Fatalf("recover printed:\n%s", out.String())
	}
	out.Reset()
	if err := Command(p, Revert, false, &out); err != nil {
		t.Fatalf("recover --revert: %v\n%s", err, out.String())
	}
	testenv.MustEqual(t, "after --revert", testenv.DiskBytes(t, p), orig)

	// Another file, nothing left for it: the stray files are not its.
	q := testenv.WriteFile(t, "b", orig)
	out.Reset()
	if err := Command(q, List, false, &out); err != nil || out.String() != q+": no journal left to recover\n" {
		t.Fatalf("recover of another file: %v %q", err, out.String())
	}
}

// A journal a running mmhex holds (its session's unsynced edits) is not
// recovered, and mmhex recover says so rather than "no journal left to
// recover", which read as "nothing unsynced".
func TestRecoverHeldJournal(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(8192, 1)
	p := testenv.WriteFile(t, "held", orig)
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte("XY"), 0x10); err != nil {
		t.Fatal(err)
	}
	for _, act := range []Action{List, Keep, Revert} {
		var out bytes.Buffer
		err := Command(p, act, false, &out)
		want := fmt.Sprintf("%s: no journal left to recover; 1 is held by a running mmhex (pid %d): its edits are that session's to sync or revert\n", p, os.Getpid())
		if err != nil || out.String() != want {
			t.Fatalf("%s: %v %q\nwant %q", act, err, out.String(), want)
		}
	}
	var out bytes.Buffer
	if err := Command(p, List, true, &out); err != nil || !strings.Contains(out.String(), fmt.Sprintf("\"held\": [\n    %d\n  ]", os.Getpid())) {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(f.JournalPath()); err != nil {
		t.Fatalf("the running session's journal: %v", err)
	}
}

// A fill is one edit to the editor (its status line, one undo step) but
// is journaled 4 MiB part by part: recover lists it as the one edit it
// was ("1 edit of 9437184 bytes", "9437184 bytes at 0x0: filled with
// ee"), not as 3 edits (a 90 MiB fill was "23 edits"), and --revert
// puts every part back.
func TestRecoverFillIsOneEdit(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(10<<20, 4)
	p := testenv.WriteFile(t, "fill", orig)
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.FillContext(context.Background(), 0, 9<<20, 0xee, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xee}, 9<<20); err != nil { // the byte after, filled alike: another edit
		t.Fatal(err)
	}
	if n := f.UnsyncedEdits(); n != 2 {
		t.Fatalf("the editor's count: %d edits, want 2", n)
	}
	f.Close() // unsynced: the journal stays
	var out bytes.Buffer
	if err := Command(p, List, false, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], p+": 2 edits of 9437185 bytes from a session that ended at ") ||
		lines[1] != "  9437184 bytes at 0x0: filled with ee" || lines[2] != fmt.Sprintf("  1 byte at 0x900000: %02x → ee", orig[9<<20]) {
		t.Fatalf("recover printed:\n%s", out.String())
	}
	out.Reset()
	if err := Command(p, Revert, false, &out); err != nil {
		t.Fatalf("--revert: %v\n%s", err, out.String())
	}
	testenv.MustEqual(t, "after --revert", testenv.DiskBytes(t, p), orig)
}

// --keep makes the kept bytes durable (fdatasync) before it removes the
// journal: without the sync, a power loss before the kernel's writeback
// left some kept edits on disk and some not, with no journal to tell
// (the file had dirty pages after "kept …; journal removed").
func TestRecoverKeepSyncs(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(1<<20, 6)
	p := testenv.WriteFile(t, "keep", orig)
	if _, err := os.ReadFile(p); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < 1<<20; off += 64 << 10 {
		if _, err := f.WriteAt([]byte("KEPT"), off); err != nil {
			t.Fatal(err)
		}
	}
	f.Close() // unsynced: the journal stays, the pages dirty
	ro, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	t.Logf("dirty pages before --keep: %d", ro.DirtyPages())
	var out bytes.Buffer
	if err := Command(p, Keep, false, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), p+": kept 16 edits of 64 bytes from a session that ended at ") || !strings.HasSuffix(out.String(), " as they are, synced; journal removed\n") {
		t.Fatalf("printed %q", out.String())
	}
	if n := ro.DirtyPages(); n != 0 {
		t.Fatalf("%d dirty pages after --keep: the kept bytes are not on disk", n)
	}
}

// TestRecoverDiscard: the journal of a file since replaced at the path is
// refused for ever; --discard removes it, naming it with what it held
// (edits, bytes, session end) and saying nothing was put back. It keeps
// the replaced file's journal a running mmhex holds (its session's) and
// the new file's own journal, and changes no byte of the file.
func TestRecoverDiscard(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(8192, 5)
	p := testenv.WriteFile(t, "d", orig)
	// a session that ended unsynced, on the old file
	a, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.WriteAt([]byte("AB"), 0x10); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WriteAt([]byte("C"), 0x100); err != nil {
		t.Fatal(err)
	}
	ja := a.JournalPath()
	a.Close()
	// a session still running on the old file
	h, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.WriteAt([]byte("XY"), 0x20); err != nil {
		t.Fatal(err)
	}
	jh := h.JournalPath()
	// the file replaced (renamed over), then edited and left unsynced
	fresh := testenv.Pattern(8192, 6)
	tmp := p + ".new"
	if err := os.WriteFile(tmp, fresh, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	c, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteAt([]byte("Z"), 0x30); err != nil {
		t.Fatal(err)
	}
	jc := c.JournalPath()
	c.Close()
	edited := testenv.DiskBytes(t, p)
	st, err := os.Stat(ja)
	if err != nil {
		t.Fatal(err)
	}
	ended := stamp(st.ModTime())

	var out bytes.Buffer
	if err := Command(p, Discard, false, &out); err != nil {
		t.Fatalf("discard: %v\n%s", err, out.String())
	}
	want := p + ": discarded journal " + ja + " (from the file that was at this path before it was replaced by another file): 2 edits of 3 bytes from a session that ended at " + ended + "; those bytes were NOT put back\n" +
		p + ": this file's own journal stays (1 edit of 1 byte from a session that ended at " + stamp(mustStat(t, jc).ModTime()) + " without syncing): mmhex recover " + p + " --revert or --keep decides it\n"
	if out.String() != want {
		t.Fatalf("discard printed\n%q\nwant\n%q", out.String(), want)
	}
	if _, err := os.Stat(ja); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the refused journal is still there: %v", err)
	}
	for _, j := range []string{jh, jc} {
		if _, err := os.Stat(j); err != nil {
			t.Fatalf("journal %s removed: %v", j, err)
		}
	}
	testenv.MustEqual(t, "the file after --discard", testenv.DiskBytes(t, p), edited)

	// nothing left to discard; --json says what was removed
	out.Reset()
	if err := Command(p, Discard, true, &out); err != nil || !strings.Contains(out.String(), `"discarded": []`) || !strings.Contains(out.String(), `"action": "discard"`) {
		t.Fatalf("discard --json, nothing refused: %v\n%s", err, out.String())
	}
}

func mustStat(t *testing.T, p string) os.FileInfo {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
