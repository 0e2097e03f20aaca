package recovery

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// typeBurst opens p, covers n bytes at off (mapping.File.Cover, as the
// editor does while keys are queued), types len(typed) bytes there two
// hex digits a byte (the high nibble, then Amend), and closes the file
// with the edits unsynced (the journal stays, as after a kill). It
// returns the journal's path.
func typeBurst(t *testing.T, p string, off, n int64, typed []byte) string {
	t.Helper()
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Cover(off, n); err != nil {
		t.Fatal(err)
	}
	for i, b := range typed {
		var cur [1]byte
		if _, err := f.ReadAt(cur[:], off+int64(i)); err != nil {
			t.Fatal(err)
		}
		hi := b&0xf0 | cur[0]&0x0f
		if _, err := f.WriteAt([]byte{hi}, off+int64(i)); err != nil {
			t.Fatal(err)
		}
		if err := f.Amend([]byte{b}, off+int64(i), []byte{hi}); err != nil {
			t.Fatal(err)
		}
	}
	if s := f.JournalSyncs(); s != 1 {
		t.Fatalf("%d fdatasyncs of the journal for a covered burst, want 1", s)
	}
	jp := f.JournalPath()
	f.Close()
	return jp
}

// pokeFile writes b at off with pwrite: another writer.
func pokeFile(t *testing.T, p string, off int64, b []byte) {
	t.Helper()
	fh, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// A cover record is no edit: mmhex recover --list counts and lists the
// typed bytes alone (not the 64 bytes journaled ahead), and --revert puts
// back exactly the typed bytes. A byte of the covered range that mmhex
// never stored and another writer changed since is left as that writer
// made it, and named; so is a typed byte another writer changed (once,
// by its store's record); one outside every record is not looked at.
func TestRecoverCoverIsNoEdit(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(8192, 4)
	p := testenv.WriteFile(t, "burst", orig)
	typed := []byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06}
	jp := typeBurst(t, p, 0x100, 64, typed)
	pokeFile(t, p, 0x100+30, []byte{^orig[0x100+30]}) // in the cover, never typed
	pokeFile(t, p, 0x1000, []byte{^orig[0x1000]})     // outside every record
	// a typed byte another writer changed since: its store's record
	// judges it (named once, as changed), not the cover
	other := byte(0x77)
	if other == orig[0x109] {
		other++
	}
	pokeFile(t, p, 0x109, []byte{other})
	var out bytes.Buffer
	if err := Command(p, List, false, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if want := fmt.Sprintf("%s: 10 edits of 10 bytes from a session that ended at ", p); !strings.HasPrefix(lines[0], want) || !strings.HasSuffix(lines[0], " without syncing ("+jp+")") {
		t.Fatalf("first line %q\nwant %s… without syncing (%s)", lines[0], want, jp)
	}
	if len(lines) != 1+len(typed) {
		t.Fatalf("--list printed %d edits, want %d (the typed bytes alone):\n%s", len(lines)-1, len(typed), out.String())
	}
	for i, b := range typed {
		if want := fmt.Sprintf("  1 byte at %#x: %02x → %02x", 0x100+i, orig[0x100+i], b); lines[1+i] != want {
			t.Fatalf("edit %d: %q, want %q", i, lines[1+i], want)
		}
	}
	out.Reset()
	if err := Command(p, Revert, false, &out); err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], ": 9 bytes put back and synced; journal removed") ||
		lines[1] != p+": left 1 byte at 0x109 alone: "+WhyChanged || lines[2] != p+": left 1 byte at 0x11e alone: "+WhyAhead {
		t.Fatalf("--revert printed:\n%s", out.String())
	}
	want := append([]byte(nil), orig...)
	want[0x100+30], want[0x1000], want[0x109] = ^orig[0x100+30], ^orig[0x1000], other
	testenv.MustEqual(t, "after --revert", testenv.DiskBytes(t, p), want)
}

// The records of a burst's stores are written and not synced (the cover
// is): after a system crash some may never reach the disk while the
// stored bytes did. Made here by cutting the journal after the records of
// the first two typed bytes: --revert puts those two back (their records
// say how) and leaves the three typed bytes with no record as they are,
// named (they differ from the cover, and nothing says mmhex stored them:
// they could be another writer's); the cover still holds their old bytes.
// With no store record left at all, nothing is counted as an edit.
func TestRecoverCoverRecordsLost(t *testing.T) {
	orig := testenv.Pattern(8192, 6)
	typed := []byte{0x11, 0x22, 0x33, 0x44, 0x55}
	for _, keep := range []int{2, 0} {
		t.Run(fmt.Sprintf("records of %d bytes kept", keep), func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", t.TempDir())
			p := testenv.WriteFile(t, "lost", orig)
			jp := typeBurst(t, p, 0x200, 32, typed)
			// header: magic, u32 length, JSON, u32 crc; the cover: 40 +
			// 32 + 8; a one-byte store: 40 + 2 + 8, two a typed byte.
			var h [12]byte
			jb, err := os.ReadFile(jp)
			if err != nil {
				t.Fatal(err)
			}
			copy(h[:], jb)
			end := 12 + int64(binary.LittleEndian.Uint32(h[8:])) + 4 + 80 + int64(keep)*2*50
			if err := os.Truncate(jp, end); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := Command(p, List, false, &out); err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(out.String(), "\n")
			if want := fmt.Sprintf("%s: %d edits of %d bytes from ", p, keep, keep); !strings.HasPrefix(first, want) {
				t.Fatalf("--list: %q, want %s…", first, want)
			}
			out.Reset()
			if err := Command(p, Revert, false, &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			wantSkip := fmt.Sprintf("%s: left %d bytes at %#x alone: %s", p, len(typed)-keep, 0x200+keep, WhyAhead)
			if len(lines) != 2 || !strings.HasSuffix(lines[0], fmt.Sprintf(": %d bytes put back and synced; journal removed", keep)) || lines[1] != wantSkip {
				t.Fatalf("--revert printed:\n%s\nwant … %d bytes put back …\n%s", out.String(), keep, wantSkip)
			}
			want := append([]byte(nil), orig...)
			copy(want[0x200+keep:], typed[keep:])
			testenv.MustEqual(t, "after --revert", testenv.DiskBytes(t, p), want)
		})
	}
}

// A cover older than a shape change that revert had to leave alone (the
// size is not the one it made: another writer grew the file) is not
// checked: its offsets are not the file's now, and its bytes would be
// named for nothing. The typed bytes' own records still judge them.
func TestRecoverCoverBeforeShapeLeftAlone(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	orig := testenv.Pattern(16384, 8)
	p := filepath.Join(testenv.Ext4Dir(t), "shape")
	if err := os.WriteFile(p, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Cover(0x100, 16); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xaa, 0xbb}, 0x100); err != nil {
		t.Fatal(err)
	}
	if err := f.InsertRange(0, 4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	pokeFile(t, p, 16384+4096, []byte{1}) // another writer: one byte more
	var out bytes.Buffer
	if err := Command(p, Revert, false, &out); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, WhyAhead) {
			t.Fatalf("--revert named a cover's bytes after leaving a shape change alone:\n%s", out.String())
		}
	}
	if !strings.Contains(out.String(), ": left 4096 bytes at 0x0 alone: insert: the size is 20481, not the 20480 it made\n") {
		t.Fatalf("--revert printed:\n%s", out.String())
	}
}
