package saveas

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"mmhex/mapping"
)

// sparse makes a 64 MiB file with data in three places and holes between.
func sparse(t *testing.T) (string, []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "src.bin")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	const size = 64 << 20
	fh.Truncate(size)
	want := make([]byte, size)
	for _, o := range []int64{0, 20 << 20, size - 5000} {
		b := bytes.Repeat([]byte("data!"), 1000)
		fh.WriteAt(b, o)
		copy(want[o:], b)
	}
	fh.Close()
	return p, want
}

func blocks(t *testing.T, p string) int64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks
}

func copyTo(t *testing.T, f *mapping.File) (string, Result) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.bin")
	fh, err := os.OpenFile(out, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	res, err := Copy(f, fh, nil)
	if err != nil {
		t.Fatal(err)
	}
	fh.Sync()
	return out, res
}

// TestCopyKeepsHolesAndEdits: the copy holds the file's bytes with the
// edits (MAP_SHARED: in the page cache), its holes stay holes (stat
// blocks no more than the source's), and only the data was copied.
func TestCopyKeepsHolesAndEdits(t *testing.T) {
	p, want := sparse(t)
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteAt([]byte("EDIT"), 7)
	copy(want[7:], "EDIT")
	out, res := copyTo(t, f)
	got, _ := os.ReadFile(out)
	if !bytes.Equal(got, want) {
		t.Fatal("the copy is not the file with its edits")
	}
	if sb, ob := blocks(t, p), blocks(t, out); ob > sb || ob > 200 {
		t.Fatalf("the copy has %d blocks, the source %d: holes were filled", ob, sb)
	}
	if res.Size != int64(len(want)) || res.Data >= 1<<20 || res.Data < 15000 {
		t.Fatalf("result %+v: want the data ranges only", res)
	}
}

// TestCopyRescuesRemovedFile: after the file is removed (or another is
// renamed over its name), the copy still holds its bytes and the edits.
func TestCopyRescuesRemovedFile(t *testing.T) {
	p, want := sparse(t)
	f, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteAt([]byte("late edit"), 20<<20+3)
	copy(want[20<<20+3:], "late edit")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, []byte("another file"), 0o644)
	out, _ := copyTo(t, f)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Fatal("the rescued copy is not the removed file with its edits")
	}
}

// TestCopyPrivateEdits: in private mode the edits are not in the file:
// their pages are written from the mapping; the source is unchanged.
func TestCopyPrivateEdits(t *testing.T) {
	p, want := sparse(t)
	orig, _ := os.ReadFile(p)
	f, err := mapping.Open(p, mapping.Options{Private: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteAt([]byte("PRIV"), 30<<20) // in a hole
	copy(want[30<<20:], "PRIV")
	out, res := copyTo(t, f)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Fatal("the copy lacks the private edit")
	}
	if res.Private != int64(os.Getpagesize()) {
		t.Fatalf("private bytes written %d, want a page", res.Private)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, orig) {
		t.Fatal("the source changed")
	}
}
