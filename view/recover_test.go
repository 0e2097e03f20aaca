package view

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// leaveJournal stores p at off in path and closes it without syncing, as
// the quit dialog's q does: the journal stays for the next session.
func leaveJournal(t *testing.T, path string, off int64, p []byte) {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(p, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func journals(t *testing.T) []string {
	t.Helper()
	js, err := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "mmhex", "*.mmj"))
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// The recovery dialog's r ends with a sync of the whole file: with edits
// of this session unsynced (typed after Esc, "decide later") it would save
// them too, without a word, and the quit dialog could no longer revert
// them. It refuses instead, saying why and what to do, and changes
// nothing; after this session's edit is undone, r reverts and the message
// says what it did in a line that fits the screen.
func TestRecoverRevertRefusedWithOwnEdits(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(8192, 5)
	path := writeFile(t, "rec.bin", orig)
	leaveJournal(t, path, 0x10, []byte("AB"))
	if n := len(journals(t)); n != 1 {
		t.Fatalf("%d journals left by the first session, want 1", n)
	}
	h := newHarness(t, path, 120, 30, mapping.Options{}, Options{})
	if s := h.draw(); !strings.Contains(s, "Edits left by an earlier session") {
		t.Fatalf("no recovery dialog:\n%s", s)
	}
	h.press("Esc")
	h.gotoOff(0x100)
	h.typeText("77")
	if n := h.f.UnsyncedEdits(); n != 1 {
		t.Fatalf("%d edits unsynced, want 1", n)
	}
	h.press("Alt-J")
	if s := h.draw(); !strings.Contains(s, "Edits left by an earlier session") {
		t.Fatalf("no recovery dialog after Alt-J:\n%s", s)
	}
	h.press("r")
	s := h.draw()
	for _, want := range []string{
		"│ this session has 1 edit unsynced: the revert ends with a sync, which would save it too;     │",
		"│ sync it (Ctrl-S) or undo it (Ctrl-Z) first                                                  │",
	} {
		if !strings.Contains(s, want) {
			t.Fatalf("refusal %q missing:\n%s", want, s)
		}
	}
	if n := h.f.UnsyncedEdits(); n != 1 {
		t.Fatalf("after the refused r: %d edits unsynced, want 1 (this session's edit synced)", n)
	}
	got := make([]byte, 3)
	h.f.ReadAt(got[:2], 0x10)
	h.f.ReadAt(got[2:], 0x100)
	if string(got) != "AB\x77" {
		t.Fatalf("after the refused r: % x at 0x10 and 0x100, want 41 42 77", got)
	}
	if n := len(journals(t)); n != 2 {
		t.Fatalf("after the refused r: %d journals, want 2 (the earlier session's and this one's)", n)
	}
	// k (keep) syncs the file too: refused alike.
	h.press("k")
	if s := h.draw(); !strings.Contains(s, "│ this session has 1 edit unsynced: keeping them ends with a sync, which would save it too;") {
		t.Fatalf("k not refused:\n%s", s)
	}
	if n := len(journals(t)); n != 2 || h.f.UnsyncedEdits() != 1 {
		t.Fatalf("after the refused k: %d journals, %d edits unsynced", n, h.f.UnsyncedEdits())
	}

	h.press("Esc")
	h.press("Ctrl-Z")
	h.press("Alt-J")
	h.press("r")
	s = h.draw()
	if l := line(s, " reverted"); strings.TrimRight(l, " ") != " reverted 1 edit of 2 bytes: 2 bytes put back and synced; journal removed" {
		t.Fatalf("message line %q:\n%s", l, s)
	}
	h.diskIs(path, orig, "after r")
}

// A byte another writer changed since the journaled edit is left alone by
// the dialog's r, and the message says so first (it came last, past the
// edge of a 120-column screen: "…; journal…"); the other bytes go back.
func TestRecoverRevertSaysSkipFirst(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(8192, 6)
	path := writeFile(t, "rec.bin", orig)
	leaveJournal(t, path, 0x10, []byte("AB"))
	left := journals(t)
	h := newHarness(t, path, 120, 30, mapping.Options{}, Options{})
	other, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.WriteAt([]byte{'x'}, 0x11); err != nil {
		t.Fatal(err)
	}
	other.Close()
	h.press("r")
	s := h.draw()
	want := " left 1 byte at 0x11 alone (changed by another writer since the journaled edit); reverted 1 edit of 2 bytes: 1 byte p…"
	if l := line(s, " left"); strings.TrimRight(l, " ") != want {
		t.Fatalf("message line %q, want %q:\n%s", l, want, s)
	}
	ref := append([]byte(nil), orig...)
	ref[0x11] = 'x'
	h.diskIs(path, ref, "after r")
	if _, err := os.Stat(left[0]); !os.IsNotExist(err) {
		t.Fatalf("the earlier session's journal is still there (%v)", err)
	}
}
