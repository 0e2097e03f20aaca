package view

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTmuxTwoWritersQuitRevert: two mmhex on one file. A types 11 at 0, B
// types 22 at 0 and syncs (Ctrl-S), A quits with r (revert the unsynced
// edits). A's revert leaves B's synced byte alone: byte 0 of the file stays
// 0x22 (today it became the original byte again), and A says on exit what
// it left alone and why.
func TestTmuxTwoWritersQuitRevert(t *testing.T) {
	bin := mmhexBinary(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "two.bin")
	orig := knownData()
	if err := os.WriteFile(p, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	a := startTmux(t, dir, bin, p)
	b := startTmux(t, dir, bin, p)
	a.waitFor("0x0 (0)")
	b.waitFor("0x0 (0)")
	a.typeText("11")
	a.waitFor("1 edit unsynced")
	b.typeText("22")
	b.waitFor("1 edit unsynced")
	b.send("C-s")
	b.waitFor("MS_SYNC: 1 page")
	a.send("C-q")
	a.waitFor("[r] revert it and quit")
	a.send("r")
	scr := a.waitFor("EXITED")
	want := "mmhex: " + p + ": nothing reverted; left 1 byte at 0x0 alone: changed by another writer since the edit"
	if !strings.Contains(strings.ReplaceAll(scr, "\n", ""), want) {
		t.Fatalf("A's exit message is not %q:\n%s", want, scr)
	}
	if !strings.Contains(scr, "EXITED 0") {
		t.Fatalf("A did not exit 0:\n%s", scr)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 0x22 {
		t.Fatalf("byte 0 of the file is %#x, want B's synced 0x22", got[0])
	}
	if string(got[1:]) != string(orig[1:]) {
		t.Fatal("other bytes changed")
	}
	b.send("C-q")
	b.waitFor("EXITED 0")
}
