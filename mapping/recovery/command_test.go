package recovery

import (
	"bytes"
	"errors"
	"os"
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
