package view

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"mmhex/mapping"
)

// TestYankPut: the copy takes the selection into the register and put
// writes it over the bytes at the cursor (one undo); a register larger
// than memory keeps (2 MiB here: a temporary file) is put back exactly, as
// one undo step; put past the end is refused.
func TestYankPut(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	p := writeFile(t, "reg.bin", data)
	h := newHarness(t, p, 200, 24, mapping.Options{}, Options{})
	sel := func(from, to int64) {
		h.press("Esc", "Ctrl-G")
		h.typeText(fmt.Sprintf("%#x", from))
		h.press("Enter", "Alt-s", "Ctrl-G")
		h.typeText(fmt.Sprintf("%#x", to))
		h.press("Enter")
	}
	goTo := func(off int64) {
		h.press("Esc", "Ctrl-G")
		h.typeText(fmt.Sprintf("%#x", off))
		h.press("Enter")
	}
	h.press("Alt-v")
	if !strings.Contains(h.e.msg, "the register is empty: Alt-c copies the selection into it") {
		t.Fatalf("empty register: %q", h.e.msg)
	}
	sel(0x10, 0x17) // 8 bytes
	h.press("Alt-c")
	goTo(0x1000)
	h.press("Alt-v")
	if h.e.msg != "put 8 bytes at 0x1000 (Ctrl-Z undoes it)" {
		t.Fatalf("put: %q", h.e.msg)
	}
	got := make([]byte, 8)
	h.f.ReadAt(got, 0x1000)
	if !bytes.Equal(got, data[0x10:0x18]) {
		t.Fatalf("put wrote % x, want % x", got, data[0x10:0x18])
	}
	copy(data[0x1000:], data[0x10:0x18]) // the file now
	// large: 2 MiB, past the clipboard's limit and the in-memory register
	sel(0, 2<<20-1)
	h.press("Alt-c")
	if !strings.HasPrefix(h.e.msg, "2097152 bytes in the register (Alt-v puts them at the cursor); too large for the terminal clipboard") {
		t.Fatalf("large copy: %q", h.e.msg)
	}
	if h.e.reg.file == nil {
		t.Fatal("a 2 MiB register is in memory, not in a temporary file")
	}
	if ents, _ := os.ReadDir(os.Getenv("TMPDIR")); len(ents) != 0 {
		t.Fatalf("the register's temporary file has a name: %v", ents)
	}
	goTo(5 << 20)
	before, syncs := h.f.UnsyncedEdits(), h.f.JournalSyncs()
	h.press("Alt-v")
	if got := h.f.JournalSyncs() - syncs; got != 1 {
		t.Errorf("the 2 MiB put took %d fdatasyncs of the durable journal, want 1 (one part)", got)
	}
	big := make([]byte, 2<<20)
	h.f.ReadAt(big, 5<<20)
	if !bytes.Equal(big, data[:2<<20]) {
		k := 0
		for big[k] == data[k] {
			k++
		}
		t.Fatalf("the large put is not the register: first difference at %#x; %q", k, h.e.msg)
	}
	if n := h.f.UnsyncedEdits(); n != before+1 {
		t.Fatalf("the large put is %d edits, want one", n-before)
	}
	h.press("Ctrl-Z")
	h.f.ReadAt(big, 5<<20)
	if !bytes.Equal(big, data[5<<20:7<<20]) {
		t.Fatal("one undo did not put back the bytes the large put overwrote")
	}
	goTo(7 << 20)
	h.press("Alt-v")
	if h.e.msg != "put: 2097152 bytes at 0x700000 would run past the end of the file (8388608 bytes): nothing written; mmhex never grows a file" {
		t.Fatalf("past the end: %q", h.e.msg)
	}
}

// TestYankPutVim: in the vim preset, v … y yanks and p puts (P is the hex
// prompt).
func TestYankPutVim(t *testing.T) {
	p := writeFile(t, "v.bin", []byte("0123456789abcdef"))
	h := newHarness(t, p, 120, 24, mapping.Options{}, Options{Keys: vimKeys(t)})
	h.pressSeq("v l l l y")
	h.pressSeq("8 l p")
	got := make([]byte, 16)
	h.f.ReadAt(got, 0)
	if string(got) != "0123456789a0123f" { // y leaves the cursor at 3; 8 l: 0xb
		t.Fatalf("after v l l l y 8 l p: %q (%s)", got, h.e.msg)
	}
	h.pressSeq("u")
	h.f.ReadAt(got, 0)
	if string(got) != "0123456789abcdef" {
		t.Fatalf("u after p: %q", got)
	}
}

// TestVimReplaceSessionOneUndo: the bytes typed in one R … Esc session
// are one undo step (one u puts them all back), as in vim; two sessions
// are two; r is one byte, one step.
func TestVimReplaceSessionOneUndo(t *testing.T) {
	p := writeFile(t, "r.bin", []byte("0123456789abcdef"))
	h := newHarness(t, p, 120, 24, mapping.Options{}, Options{Keys: vimKeys(t)})
	read := func() string {
		b := make([]byte, 16)
		h.f.ReadAt(b, 0)
		return string(b)
	}
	h.pressSeq("R 4 1 4 2 4 3 Esc") // ABC at 0
	h.pressSeq("l R 5 a 5 a Esc")   // ZZ at 4 (Esc leaves the cursor on the last byte typed)
	if got := read(); got != "ABC3ZZ6789abcdef" {
		t.Fatalf("after two sessions: %q", got)
	}
	if n := h.f.UnsyncedEdits(); n != 2 {
		t.Fatalf("two R sessions are %d unsynced edits, want 2", n)
	}
	h.pressSeq("u")
	if got := read(); got != "ABC3456789abcdef" {
		t.Fatalf("one u: %q, want the second session undone whole", got)
	}
	h.pressSeq("u")
	if got := read(); got != "0123456789abcdef" {
		t.Fatalf("two u: %q", got)
	}
	h.pressSeq("Ctrl-R")
	if got := read(); got != "ABC3456789abcdef" {
		t.Fatalf("redo: %q", got)
	}
}

// TestVimRepeat: vim's . repeats the last R … Esc at the cursor (the same
// bytes), as one undo step; a count writes it that many times back to
// back and is kept; r and p are repeated too; with nothing to repeat, and
// where the change does not fit before the end, . says so and writes
// nothing.
func TestVimRepeat(t *testing.T) {
	p := writeFile(t, "dot.bin", []byte("0123456789abcdef"))
	h := newHarness(t, p, 120, 24, mapping.Options{}, Options{Keys: vimKeys(t)})
	disk := func() string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	h.pressSeq(".")
	if h.e.msg != "nothing to repeat: . repeats the last R … Esc, r or p" {
		t.Fatalf("nothing to repeat: %q", h.e.msg)
	}
	if got := disk(); got != "0123456789abcdef" {
		t.Fatalf(". with nothing to repeat wrote: %q", got)
	}
	h.pressSeq("Tab R a b c Esc") // text column: abc at 0, the cursor at 3
	h.pressSeq("l l .")           // at 5
	if got := disk(); got != "abc34abc89abcdef" {
		t.Fatalf("R abc Esc, l l, .: %q (%s)", got, h.e.msg)
	}
	if h.e.msg != "repeated: 3 bytes at 0x5 (u undoes it)" || h.e.cursor != 8 {
		t.Fatalf("after .: %q, cursor %d", h.e.msg, h.e.cursor)
	}
	edits := h.f.UnsyncedEdits()
	h.pressSeq("2 .") // at 8: abcabc
	if got := disk(); got != "abc34abcabcabcef" {
		t.Fatalf("2.: %q (%s)", got, h.e.msg)
	}
	if n := h.f.UnsyncedEdits(); n != edits+1 {
		t.Fatalf("2. is %d undo steps, want one", n-edits)
	}
	h.pressSeq("u")
	if got := disk(); got != "abc34abc89abcdef" {
		t.Fatalf("one u after 2.: %q, want exactly the 2. undone", got)
	}
	h.pressSeq("G .") // at 15: the count 2 is kept: 6 bytes do not fit
	if h.e.msg != "repeat: 2 × 3 bytes at 0xf would run past the end of the file (16 bytes): nothing written; mmhex never grows a file" {
		t.Fatalf("past the end: %q", h.e.msg)
	}
	if got := disk(); got != "abc34abc89abcdef" {
		t.Fatalf("a refused . wrote: %q", got)
	}
	h.pressSeq("0 r Z 1 2 .") // r: one byte; 12. writes it 12 times from 0
	if got := disk(); got != "ZZZZZZZZZZZZcdef" {
		t.Fatalf("r Z, 12.: %q (%s)", got, h.e.msg)
	}
	if h.e.cursor != 11 {
		t.Fatalf("12. of r: cursor %d, want 11 (the last byte, as vim's 12rZ)", h.e.cursor)
	}
	h.pressSeq("u")
	if got := disk(); got != "Zbc34abc89abcdef" {
		t.Fatalf("u after 12.: %q", got)
	}
	// put: v y yanks, p puts, . puts again at the cursor
	h.pressSeq("0 v l y") // "Zb" in the register; the cursor at 1
	h.pressSeq("4 l p")   // at 5
	h.pressSeq("l l l .") // at 8
	if got := disk(); got != "Zbc34ZbcZbabcdef" {
		t.Fatalf("p, then . at 8: %q (%s)", got, h.e.msg)
	}
	h.pressSeq("u")
	if got := disk(); got != "Zbc34Zbc89abcdef" {
		t.Fatalf("u after the . of p: %q", got)
	}
}

// TestVimRepeatHex: in the hex column . repeats the bytes R … Esc made
// from pairs of digits (not the key presses), a byte retyped after a move
// back counting with its last value.
func TestVimRepeatHex(t *testing.T) {
	p := writeFile(t, "doth.bin", []byte("0123456789abcdef"))
	h := newHarness(t, p, 120, 24, mapping.Options{}, Options{Keys: vimKeys(t)})
	h.pressSeq("R 4 1 4 2 4 3 Left 5 a Esc") // ABC, then C retyped as Z: ABZ at 0, the cursor at 3
	h.pressSeq("l l .")                      // at 5
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "ABZ34ABZ89abcdef" {
		t.Fatalf("R 41 42 43 Left 5a Esc, l l .: %q (%s)", b, h.e.msg)
	}
}

// TestJobPutCancelled: a put of a register larger than one part (18 MiB:
// parts of 8 MiB) runs as the editor's job, as a fill does: the
// percentage in the status line, the editor drawing meanwhile, undo
// refused, Esc stopping it after the part being stored; the parts stored
// are one edit, one undo puts them back. Before, it stored every part on
// the UI goroutine: a 1 GiB put froze the screen until it ended.
func TestJobPutCancelled(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	const size, n, at = 40 << 20, 18 << 20, 20 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>13)
	}
	p := writeFile(t, "put.bin", data)
	release := make(chan struct{})
	held := make(chan struct{}, 1)
	r := startJobRun(t, p, func(what, progress string) {
		if what == "putting" && progress == "44%" {
			held <- struct{}{}
			<-release
		}
	})
	goTo := func(off string) {
		r.keys("Ctrl-G")
		for _, c := range off {
			r.keys(string(c))
		}
		r.keys("Enter")
	}
	r.keys("Alt-s")
	goTo("0x11fffff")
	r.keys("Alt-c")
	r.waitFor("18874368 bytes in the register")
	r.keys("Esc")
	goTo("0x1400000")
	r.keys("Alt-v")
	waitHeld(r, held)
	r.waitFor("putting 44%… │ 0x1400000")
	r.keys("Ctrl-Z")
	r.waitFor("busy: putting — wait or Esc")
	r.keys("Esc")
	r.waitFor("cancelling the put: it stops after the part it is storing")
	close(release)
	r.waitFor("put stopped after 8388608 of 18874368 bytes at 0x1400000 (Ctrl-Z undoes them)")
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got[at:at+8<<20], data[:8<<20]) || !bytes.Equal(got[at+8<<20:], data[at+8<<20:]) {
		t.Fatal("the file does not hold exactly the first part put")
	}
	r.keys("Ctrl-Z")
	r.waitFor("undid the edit of 8388608 bytes at 0x1400000")
	if got, _ = os.ReadFile(p); !bytes.Equal(got, data) {
		t.Fatal("undo did not restore the bytes")
	}
	// uncancelled: the whole register, one message
	r.keys("Alt-v")
	r.waitFor("put 18874368 bytes at 0x1400000 (Ctrl-Z undoes it)")
	got, _ = os.ReadFile(p)
	if !bytes.Equal(got[at:at+n], data[:n]) {
		t.Fatal("the whole put is not in the file")
	}
	r.quit()
}

// TestVimRepeatLargeIsAJob: a repeat of more than one part (vim's
// 5000000. after R a b Esc: 10 MB) runs as the editor's job, its progress
// reported part by part; the bytes are the change repeated, one undo step.
func TestVimRepeatLargeIsAJob(t *testing.T) {
	p := writeFile(t, "rep.bin", make([]byte, 16<<20))
	var steps []string
	hooksFor(t).jobStep = func(what, progress string) {
		if progress != "" {
			steps = append(steps, what+" "+progress)
		}
	}
	h := newHarness(t, p, 120, 24, mapping.Options{}, Options{Keys: vimKeys(t)})
	h.pressSeq("Tab R a b Esc") // the text column: a and b are bytes
	h.typeText("5000000.")
	if got, want := h.messageLine(), "repeated: 10000000 bytes at 0x2 (u undoes it)"; !strings.Contains(got, want) {
		t.Fatalf("message %q, want %q", got, want)
	}
	if len(steps) != 2 || steps[0] != "repeating 83%" || steps[1] != "repeating 100%" {
		t.Fatalf("job steps %q, want [repeating 83%% repeating 100%%]", steps)
	}
	got := make([]byte, 10000004)
	h.f.ReadAt(got, 0)
	if !bytes.Equal(got[:10000002], bytes.Repeat([]byte("ab"), 5000001)) || got[10000002] != 0 {
		t.Fatalf("the file is not ab repeated: % x … % x", got[:8], got[10000000:])
	}
	h.pressSeq("u")
	h.f.ReadAt(got, 0)
	if !bytes.Equal(got[:2], []byte("ab")) || got[2] != 0 || got[10000001] != 0 {
		t.Fatal("u did not undo the whole repeat")
	}
}

// TestJobRefusesRepeat: vim's . while a job runs (here a sync) is refused
// as every other edit is ("busy: syncing — wait"); before, repeat was not
// among the job's conflicts and wrote beside the running msync.
func TestJobRefusesRepeat(t *testing.T) {
	release := make(chan struct{})
	started := make(chan string, 8)
	p := bigFile(t, 1<<20)
	r := startJobRunOpts(t, p, 100, Options{Keys: vimKeys(t), test: &testHooks{jobStep: func(what, progress string) {
		if progress == "" {
			started <- what
			<-release
		}
	}}})
	r.keys("Tab", "R", "a", "b", "Esc")
	r.waitFor("edits unsynced, 1 page")
	r.keys(":", "w", "Enter")
	if w := waitHeld(r, started); w != "syncing" {
		t.Fatalf("job %q, want syncing", w)
	}
	r.keys(".")
	r.waitFor("busy: syncing — wait")
	close(release)
	r.waitFor("MS_SYNC")
	got, _ := os.ReadFile(p)
	if string(got[:5]) != "abart" {
		t.Fatalf("the file starts %q, want \"abart\" (the repeat refused)", got[:5])
	}
	r.quit()
}
