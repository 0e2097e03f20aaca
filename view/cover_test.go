package view

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

// waitKeys waits until the running editor has handled n keys.
func waitKeys(t *testing.T, r *typedRun, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for r.keys.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d keys handled after a minute", r.keys.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// A burst of typed keys (8000 hex digits, then 1000 characters in the
// text column, all injected at once through the real event loop) is
// journaled ahead while keys are queued (mapping.File.Cover): far fewer
// fdatasyncs of the durable journal than typed bytes, and the file holds
// exactly the typed bytes. The covers are no edits: the status line
// counts the typed bytes alone.
func TestTypedBurstFewSyncs(t *testing.T) {
	const n = 8000
	digits, want := randomHexKeys(n, 23)
	text := bytes.Repeat([]byte("mmhex-"), 1000/6+1)[:1000]
	size := len(want) + len(text) + 4096
	p := writeFile(t, "burst.bin", make([]byte, size))
	r := startTyped(t, p, 1<<62)
	for _, d := range digits {
		r.sim.InjectKey(tcell.KeyRune, d, tcell.ModNone)
	}
	waitKeys(t, r, n)
	hexSyncs := r.e.f.JournalSyncs()
	r.sim.InjectKey(tcell.KeyTab, 0, tcell.ModNone)
	waitKeys(t, r, n+1)
	for _, c := range text {
		r.sim.InjectKey(tcell.KeyRune, rune(c), tcell.ModNone)
	}
	waitKeys(t, r, n+1+int64(len(text)))
	textSyncs := r.e.f.JournalSyncs() - hexSyncs
	t.Logf("%d typed bytes in the hex column: %d fdatasyncs of the journal; %d in the text column: %d", len(want), hexSyncs, len(text), textSyncs)
	if hexSyncs > len(want)/10 || textSyncs > len(text)/10 {
		t.Fatalf("%d fdatasyncs for %d bytes typed in a burst in the hex column, %d for %d in the text column: want at most a tenth (one a byte without the cover)",
			hexSyncs, len(want), textSyncs, len(text))
	}
	total := len(want) + len(text)
	waitRow(t, r, 38, " 0x"+hexOff(total)+" ")
	if row := screenRow(t, r, 38); !strings.Contains(row, " │ 5000 edits unsynced, 2 pages") {
		t.Fatalf("status line %q: want … │ 5000 edits unsynced, 2 pages (the typed bytes; the covers are no edits)", row)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	full := append(append(append([]byte(nil), want...), text...), make([]byte, 4096)...)
	if !bytes.Equal(got, full) {
		for i := range full {
			if got[i] != full[i] {
				t.Fatalf("byte %#x is %#02x, want %#02x", i, got[i], full[i])
			}
		}
	}
	if e := r.e.f.UnsyncedEdits(); e != total {
		t.Fatalf("UnsyncedEdits = %d, want %d (one a typed byte; the covers are no edits)", e, total)
	}
	r.stop(t)
}

func hexOff(n int) string {
	const d = "0123456789abcdef"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n >>= 4 {
		b = append([]byte{d[n&15]}, b...)
	}
	return string(b)
}

// Keys typed one at a time (each handled before the next arrives: a
// person typing) cover nothing ahead: each new byte's record is synced on
// its own, one fdatasync a byte, none for its second digit, as before the
// burst covers.
func TestTypedHumanPaceOneSyncEach(t *testing.T) {
	const n = 40
	digits, want := randomHexKeys(n, 29)
	p := writeFile(t, "human.bin", make([]byte, 4096))
	r := startTyped(t, p, 1<<62)
	for i, d := range digits {
		r.sim.InjectKey(tcell.KeyRune, d, tcell.ModNone)
		waitKeys(t, r, int64(i+1))
	}
	if got := r.e.f.JournalSyncs(); got != n/2 {
		t.Fatalf("%d fdatasyncs for %d bytes typed one key at a time, want %d", got, n/2, n/2)
	}
	waitRow(t, r, 38, " 0x"+hexOff(n/2)+" ")
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:n/2], want) || !bytes.Equal(got[n/2:], make([]byte, 4096-n/2)) {
		t.Fatalf("the file starts % x, want % x", got[:n/2], want)
	}
	r.stop(t)
}
