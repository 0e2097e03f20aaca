package view

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mmhex/mapping"
	"mmhex/mapping/recovery"
	"mmhex/mapping/testenv"
	"mmhex/view/viewtest/simscreen"
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

// replaceFile renames a new file with content over path (as an editor's
// save or a download does): a journal left for the old file is refused.
func replaceFile(t *testing.T, path string, content []byte) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// A journal left by the file that was at this path before another file
// replaced it can never be applied. The editor said nothing of it (and
// mmhex recover refused it for ever); now the dialog names it with what it
// held and offers d: discard it, its bytes NOT put back. Other keys do
// nothing, Esc decides later (Alt-J asks again), d removes the journal
// and changes no byte of the file. Exact cells of the dialog and the
// message line.
func TestRecoverDialogDiscardsRefused(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(8192, 7)
	path := writeFile(t, "rep.bin", orig)
	leaveJournal(t, path, 0x10, []byte("AB"))
	left := journals(t)
	if len(left) != 1 {
		t.Fatalf("journals %v", left)
	}
	fresh := testenv.Pattern(8192, 8)
	replaceFile(t, path, fresh)
	st, err := os.Stat(left[0])
	if err != nil {
		t.Fatal(err)
	}
	ended := st.ModTime().Format("2006-01-02 15:04")
	if y, m, d := st.ModTime().Date(); y == time.Now().Year() && m == time.Now().Month() && d == time.Now().Day() {
		ended = st.ModTime().Format("15:04")
	}
	h := newHarness(t, path, 120, 30, mapping.Options{}, Options{})
	explain := "Journal " + left[0] + " (from the file that was at this path before it was replaced by another file): " +
		"1 edit of 2 bytes from a session that ended at " + ended + ". Its edits can never be applied to this file."
	dialogIs := func(what string) {
		t.Helper()
		s := h.draw()
		rows := strings.Split(s, "\n")
		top := -1
		for i, r := range rows {
			if strings.HasPrefix(strings.TrimLeft(r, " "), "┌─ A journal that cannot be applied ─") {
				top = i
			}
		}
		if top < 0 {
			t.Fatalf("%s: no dialog:\n%s", what, s)
		}
		var text []string
		i := top + 1
		for ; i < len(rows) && !strings.Contains(rows[i], "│ [d]"); i++ {
			text = append(text, strings.TrimSpace(strings.Trim(strings.TrimSpace(rows[i]), "│")))
		}
		if got := strings.Join(text, " "); got != explain {
			t.Fatalf("%s: dialog says\n%q\nwant\n%q", what, got, explain)
		}
		if got := strings.TrimRight(strings.TrimSuffix(strings.TrimSpace(rows[i]), "│"), " "); got != "│ [d] discard it (its bytes are NOT put back)    [Esc] decide later" {
			t.Fatalf("%s: choices row %q", what, got)
		}
		x := len([]rune(rows[i][:strings.Index(rows[i], "[d]")]))
		if r, st := h.cell(x, i); r != '[' || st != styleBoxKey {
			t.Fatalf("%s: cell (%d,%d) %q %v, want [ in styleBoxKey", what, x, i, r, st)
		}
		if r, st := h.cell(x+4, i); r != 'd' || st != styleBox {
			t.Fatalf("%s: cell (%d,%d) %q %v, want d in styleBox", what, x+4, i, r, st)
		}
		if !strings.HasPrefix(strings.TrimSpace(rows[i+1]), "└") {
			t.Fatalf("%s: no bottom border after the choices: %q", what, rows[i+1])
		}
	}
	dialogIs("at open")
	if m := strings.TrimRight(h.messageLine(), " "); m != " 1 journal refused (another file was at this path): Alt-J decides" {
		t.Fatalf("message line %q", m)
	}
	// r, k, l are not offered: nothing happens
	h.typeText("rkl")
	dialogIs("after r k l")
	if n := len(journals(t)); n != 1 {
		t.Fatalf("after r k l: %d journals", n)
	}
	h.diskIs(path, fresh, "after r k l")
	h.press("Esc")
	if m := strings.TrimRight(h.messageLine(), " "); m != " the journal stays: Alt-J decides later" {
		t.Fatalf("after Esc: %q", m)
	}
	h.press("Alt-J")
	dialogIs("after Alt-J")
	h.typeText("d")
	s := h.draw()
	if strings.Contains(s, "A journal that cannot be applied") {
		t.Fatalf("the dialog stays after d:\n%s", s)
	}
	if m := strings.TrimRight(h.messageLine(), " "); m != " discarded the refused journal: 1 edit of 2 bytes; those bytes were NOT put back" {
		t.Fatalf("after d: %q", m)
	}
	if js := journals(t); len(js) != 0 {
		t.Fatalf("journals left after d: %v", js)
	}
	h.diskIs(path, fresh, "after d")
	h.press("Alt-J")
	if m := strings.TrimRight(h.messageLine(), " "); m != " no journal left by an earlier session" {
		t.Fatalf("Alt-J after d: %q", m)
	}
}

// This file's own journal and a refused one: the dialog offers both
// decisions; d removes only the refused journal (its explanation and d go
// from the dialog), k then keeps this file's edits.
func TestRecoverDialogOwnAndRefused(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(8192, 9)
	path := writeFile(t, "both.bin", orig)
	leaveJournal(t, path, 0x10, []byte("AB"))
	refused := journals(t)
	fresh := testenv.Pattern(8192, 10)
	replaceFile(t, path, fresh)
	leaveJournal(t, path, 0x20, []byte("C"))
	h := newHarness(t, path, 160, 30, mapping.Options{}, Options{})
	// the choices rows, from "[r]" to the bottom border, joined
	choicesOf := func(s string) string {
		var out []string
		x := -1 // the box's left column
		for _, r := range strings.Split(s, "\n") {
			if i := strings.Index(r, "│ [r]"); x < 0 && i >= 0 {
				x = len([]rune(r[:i]))
			}
			rs := []rune(r)
			if x < 0 || len(rs) <= x {
				continue
			}
			if rs[x] == '└' {
				break
			}
			out = append(out, strings.TrimSpace(strings.Trim(string(rs[x:]), "│")))
		}
		return strings.Join(out, "    ")
	}
	s := h.draw()
	if got := choicesOf(s); got != "[r] revert them    [k] keep them (drop the journal)    [l] look first    [d] discard the refused journal (its bytes are NOT put back)    [Esc] decide later" ||
		!strings.Contains(s, " Refused: Journal ") {
		t.Fatalf("dialog (choices %q):\n%s", got, s)
	}
	h.typeText("d")
	s = h.draw()
	if got := choicesOf(s); got != "[r] revert them    [k] keep them (drop the journal)    [l] look first    [Esc] decide later" {
		t.Fatalf("choices after d %q:\n%s", got, s)
	}
	if strings.Contains(s, "Refused:") {
		t.Fatalf("the refused journal still named after d:\n%s", s)
	}
	if m := strings.TrimRight(h.messageLine(), " "); m != " discarded the refused journal: 1 edit of 2 bytes; those bytes were NOT put back" {
		t.Fatalf("after d: %q", m)
	}
	if js := journals(t); len(js) != 1 || js[0] == refused[0] {
		t.Fatalf("journals after d: %v (refused %v)", js, refused)
	}
	want := append([]byte(nil), fresh...)
	want[0x20] = 'C'
	h.diskIs(path, want, "after d")
	h.typeText("k")
	if js := journals(t); len(js) != 0 {
		t.Fatalf("journals after k: %v", js)
	}
	if strings.Contains(h.draw(), "Edits left by an earlier session") {
		t.Fatal("the dialog stays after k")
	}
	h.diskIs(path, want, "after k")
}

// The status line counts unsynced edits as mmhex recover counts them after
// the session ends unsynced (the guide promises it): a replace all of 40
// matches is 40 edits (one undo step; the status line said "1 edit" and
// recover "40 edits"), each typed byte one (its two hex digits once).
// Both sides of the same session: the status line's cells, then the
// journal the session leaves, listed by recover.
func TestStatusLineCountsAsRecover(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	posts := syncPosts(t)
	h := openKnown(t, 100, 40, Options{})
	path, err := filepath.Abs("known.bin")
	if err != nil {
		t.Fatal(err)
	}
	h.press("Tab") // the text column: OLD and NEW as text
	h.press("Alt-x")
	h.typeText("%s/lazy/LAZY/g")
	h.press("Enter")
	if h.e.rep != nil {
		posts.drain(t, h.e)
	}
	if got, want := h.e.msg, `replaced 40 matches of "lazy" with "LAZY"; Ctrl-Z undoes them all`; got != want {
		t.Fatalf("replace: %q, want %q", got, want)
	}
	status := func() string {
		t.Helper()
		s := h.draw()
		_, y, ok := simscreen.Find(s, " unsynced")
		if !ok {
			t.Fatalf("no unsynced count:\n%s", s)
		}
		row := strings.Split(s, "\n")[y]
		_, after, _ := strings.Cut(row, "│ ")
		return after
	}
	if got := status(); got != "40 edits unsynced, 1 page" {
		t.Fatalf("status after the replace: %q, want %q", got, "40 edits unsynced, 1 page")
	}
	h.press("Tab") // back to hex: two typed bytes
	h.gotoOff(0x2000)
	h.typeText("abcd")
	if got := status(); got != "42 edits unsynced, 2 pages" {
		t.Fatalf("status after typing: %q, want %q", got, "42 edits unsynced, 2 pages")
	}
	if n := h.f.UnsyncedEdits(); n >= 42 {
		t.Fatalf("undo steps %d: the replace all is one", n)
	}
	// The session ends without a sync (as a kill: the journal stays).
	if err := h.f.Close(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := recovery.Command(path, recovery.List, false, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if want := path + ": 42 edits of 162 bytes from a session that ended at "; !strings.HasPrefix(lines[0], want) || len(lines) != 43 {
		t.Fatalf("recover (%d lines):\n%s\nwant first line %s…", len(lines), out.String(), want)
	}
}
