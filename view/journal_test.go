package view

import (
	"os"
	"strings"
	"testing"

	"mmhex/mapping"
)

// pwriteByte stores b at off with pwrite(2), as another program would.
func pwriteByte(t *testing.T, path string, off int64, b byte) {
	t.Helper()
	o, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := o.WriteAt([]byte{b}, off); err != nil {
		t.Fatal(err)
	}
}

func byteAt(t *testing.T, f *mapping.File, off int64) byte {
	t.Helper()
	var b [1]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		t.Fatal(err)
	}
	return b[0]
}

// TestHalfTypedByteOtherWriter: A types 3, another writer stores ff, A
// types c. The second digit is never combined with the other writer's
// byte (today: fc); it is refused with a message, and the byte stays ff.
// Without another writer the byte is one store and one journal entry.
func TestHalfTypedByteOtherWriter(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "half.bin", make([]byte, 64))
	h := newHarness(t, p, 140, 20, mapping.Options{}, Options{})
	h.typeText("3")
	pwriteByte(t, p, 0, 0xff)
	h.typeText("c")
	if b := byteAt(t, h.f, 0); b != 0xff {
		t.Fatalf("byte 0 is %#x, want the other writer's 0xff", b)
	}
	want := "the byte at 0x0 changed to ff under the half-typed 30 (another writer): the digit c was not stored; type the byte again"
	if got := strings.TrimSpace(h.messageLine()); got != want {
		t.Fatalf("message %q\nwant    %q", got, want)
	}
	// The next digit starts a new byte at the same place.
	h.typeText("4")
	if b := byteAt(t, h.f, 0); b != 0x4f {
		t.Fatalf("byte 0 is %#x after a new high nibble, want 0x4f", b)
	}

	q := writeFile(t, "half2.bin", make([]byte, 64))
	h = newHarness(t, q, 100, 20, mapping.Options{}, Options{})
	h.typeText("3c")
	if b := byteAt(t, h.f, 0); b != 0x3c {
		t.Fatalf("byte 0 is %#x, want 0x3c", b)
	}
	if n := h.f.UnsyncedEdits(); n != 1 {
		t.Fatalf("one typed byte is %d edits", n)
	}
	h.press("Ctrl-Z")
	if b := byteAt(t, h.f, 0); b != 0 {
		t.Fatalf("byte 0 is %#x after one undo, want 0", b)
	}
	if _, err := h.f.Undo(); err == nil {
		t.Fatal("a second journal entry for one typed byte")
	}
}

// TestUndoMessageOtherWriter: the message line says what an undo left
// alone and why, and that an undo that restored nothing dropped the edit.
func TestUndoMessageOtherWriter(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "undo.bin", make([]byte, 64))
	h := newHarness(t, p, 140, 20, mapping.Options{}, Options{})
	h.typeText("1122")
	pwriteByte(t, p, 1, 0x99)
	h.press("Ctrl-Z")
	want := "undid nothing: left 1 byte at 0x1 alone: changed by another writer since the edit; the edit of 1 byte at 0x1 is dropped from the journal"
	if got := strings.TrimSpace(h.messageLine()); got != want {
		t.Fatalf("message %q\nwant    %q", got, want)
	}
	h.press("Ctrl-Z")
	if got, want := strings.TrimSpace(h.messageLine()), "undid the edit of 1 byte at 0x0"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
	if b := byteAt(t, h.f, 1); b != 0x99 {
		t.Fatalf("byte 1 is %#x, want 0x99", b)
	}
}

// TestRevertAllMessageOtherWriter: revert all (Alt-z) leaves the other
// writer's byte and says so.
func TestRevertAllMessageOtherWriter(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "revert.bin", make([]byte, 64))
	h := newHarness(t, p, 140, 20, mapping.Options{}, Options{})
	h.typeText("1122")
	pwriteByte(t, p, 1, 0x99)
	h.press("Alt-z")
	want := "reverted 1 edit; left 1 byte at 0x1 alone: changed by another writer since the edit"
	if got := strings.TrimSpace(h.messageLine()); got != want {
		t.Fatalf("message %q\nwant    %q", got, want)
	}
	if b0, b1 := byteAt(t, h.f, 0), byteAt(t, h.f, 1); b0 != 0 || b1 != 0x99 {
		t.Fatalf("bytes %#x %#x, want 0 and the other writer's 0x99", b0, b1)
	}
}
