package recovery

import (
	"bytes"
	"errors"
	"os"
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
