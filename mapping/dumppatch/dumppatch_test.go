package dumppatch

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// files makes A (random bytes with runs of zeros and of one repeated
// line, so that xxd -a and hexdump -C print "*") and B, A with a few
// changed ranges, and returns their paths and B's bytes.
func files(t *testing.T, seed uint64) (a, b string, bb []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 9))
	size := 20000 + rng.IntN(20000)
	ab := make([]byte, size)
	for i := range ab {
		ab[i] = byte(rng.IntN(256))
	}
	clear(ab[1000:3000])
	for i := 5000; i < 7000; i++ {
		ab[i] = byte(i % 16)
	}
	bb = append([]byte(nil), ab...)
	for k := 0; k < 6; k++ {
		at := rng.IntN(size - 40)
		for i := 0; i < 1+rng.IntN(40); i++ {
			bb[at+i] = byte(rng.IntN(256))
		}
	}
	bb[size-1] ^= 0xff
	bb[1500] = 7 // inside the zeros
	dir := t.TempDir()
	a, b = filepath.Join(dir, "a.bin"), filepath.Join(dir, "b.bin")
	os.WriteFile(a, ab, 0o644)
	os.WriteFile(b, bb, 0o644)
	return a, b, bb
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || name != "diff" {
			t.Fatalf("%s %q: %v", name, args, err)
		}
	}
	return out
}

func apply(t *testing.T, file string, dump []byte) (Result, error) {
	t.Helper()
	p, err := Parse(bytes.NewReader(dump), "dump")
	if err != nil {
		return Result{}, err
	}
	return Apply(file, p, mapping.MSSync)
}

// TestRoundTripXxdHexdump: the text of real xxd (plain, -a with "*",
// other -c and -g) and hexdump -C (with "*") of B, applied to A, leaves
// exactly B's bytes.
func TestRoundTripXxdHexdump(t *testing.T) {
	testenv.RequireTool(t, "xxd")
	testenv.RequireTool(t, "hexdump")
	for k, tool := range [][]string{
		{"xxd"}, {"xxd", "-a"}, {"xxd", "-c", "7", "-g", "3"}, {"xxd", "-g", "1", "-c", "32"}, {"xxd", "-u"},
		{"hexdump", "-C"}, {"hexdump", "-C", "-v"},
	} {
		a, b, bb := files(t, uint64(k))
		dump := run(t, tool[0], append(tool[1:], b)...)
		if k == 1 || k == 5 {
			if !bytes.Contains(dump, []byte("\n*\n")) {
				t.Fatalf("%q printed no \"*\" line: the test does not test it", tool)
			}
		}
		ab, _ := os.ReadFile(a)
		var differs int64
		for i := range ab {
			if ab[i] != bb[i] {
				differs++
			}
		}
		res, err := apply(t, a, dump)
		if err != nil {
			t.Fatalf("%q: %v", tool, err)
		}
		if got, _ := os.ReadFile(a); !bytes.Equal(got, bb) {
			t.Fatalf("%q: after the patch A is not B", tool)
		}
		// only the bytes that differed are written (runs joined across
		// gaps of up to sameGap held bytes)
		if res.Bytes+res.Same != int64(len(bb)) || res.Bytes < differs || res.Bytes > differs*(sameGap+1) || res.Sync.Flag != "MS_SYNC" {
			t.Fatalf("%q: %+v (%d bytes differed)", tool, res, differs)
		}
	}
}

// TestDiffOfDumps: a diff (normal and unified) of the dumps of A and B
// applied to A gives B, writing only the changed lines after checking
// their old side; applied again, it is refused and nothing changes.
func TestDiffOfDumps(t *testing.T) {
	testenv.RequireTool(t, "diff")
	for k, c := range []struct {
		dumper []string
		diff   []string
	}{
		{[]string{"xxd"}, nil}, {[]string{"xxd"}, []string{"-u"}}, {[]string{"hexdump", "-C"}, []string{"-u"}}, {[]string{"hexdump", "-C", "-v"}, nil},
	} {
		a, b, bb := files(t, uint64(10+k))
		testenv.RequireTool(t, c.dumper[0])
		dir := t.TempDir()
		da, db := filepath.Join(dir, "a.dump"), filepath.Join(dir, "b.dump")
		os.WriteFile(da, run(t, c.dumper[0], append(c.dumper[1:], a)...), 0o644)
		os.WriteFile(db, run(t, c.dumper[0], append(c.dumper[1:], b)...), 0o644)
		d := run(t, "diff", append(c.diff, da, db)...)
		res, err := apply(t, a, d)
		if err != nil {
			t.Fatalf("%v %v: %v", c.dumper, c.diff, err)
		}
		if got, _ := os.ReadFile(a); !bytes.Equal(got, bb) {
			t.Fatalf("%v %v: after the diff A is not B", c.dumper, c.diff)
		}
		if res.Checks == 0 || res.Bytes >= int64(len(bb))/2 {
			t.Fatalf("%v %v: checked %d, wrote %d of %d bytes: want the changed lines only", c.dumper, c.diff, res.Checks, res.Bytes, len(bb))
		}
		_, err = apply(t, a, d)
		if !errors.Is(err, ErrOldSide) || !strings.HasSuffix(err.Error(), "; nothing changed") {
			t.Fatalf("%v %v: applied twice: %v", c.dumper, c.diff, err)
		}
		if got, _ := os.ReadFile(a); !bytes.Equal(got, bb) {
			t.Fatal("a refused diff changed the file")
		}
	}
}

// TestDiffStarRefused: a diff without context of dumps with "*" lines
// cannot say what the "*" repeats: refused with the way out, nothing
// changed.
func TestDiffStarRefused(t *testing.T) {
	testenv.RequireTool(t, "diff")
	a, b, _ := files(t, 30)
	orig, _ := os.ReadFile(a)
	dir := t.TempDir()
	da, db := filepath.Join(dir, "a.dump"), filepath.Join(dir, "b.dump")
	os.WriteFile(da, run(t, "xxd", "-a", a), 0o644)
	os.WriteFile(db, run(t, "xxd", "-a", b), 0o644)
	_, err := apply(t, a, run(t, "diff", da, db))
	if err == nil || !strings.HasSuffix(err.Error(), `: "*" repeats lines the diff does not show: make the dumps without "*" (xxd without -a, hexdump -C -v) or diff them with context (diff -u)`) {
		t.Fatalf("normal diff of xxd -a: %v", err)
	}
	if got, _ := os.ReadFile(a); !bytes.Equal(got, orig) {
		t.Fatal("file changed")
	}
}

// TestRefusals: a dump of a longer file, a bad line, text that is no dump:
// refused with the reason, the file unchanged.
func TestRefusals(t *testing.T) {
	testenv.RequireTool(t, "xxd")
	dir := t.TempDir()
	f := filepath.Join(dir, "f.bin")
	os.WriteFile(f, []byte("0123456789"), 0o644)
	long := filepath.Join(dir, "long.bin")
	os.WriteFile(long, []byte("0123456789A"), 0o644)
	for _, c := range []struct {
		dump, err string
	}{
		{string(run(t, "xxd", long)), f + ": the dump reaches 0xb, past the end of the file (size 10): mmhex never grows a file; nothing changed"},
		{"00000000: 3031 3233\n00000004: 34zz\n", `dump: line 2: not a line of xxd or hexdump -C: "34zz" is not hex bytes: "00000004: 34zz"`},
		{"hello world\n", `dump: line 1: not a line of xxd or hexdump -C: "hello world"`},
		{"\n\n", "dump: no bytes: not an xxd or hexdump -C dump"},
		{"*\n00000010: 00\n", `dump: line 1: "*" with no line before it`},
	} {
		_, err := apply(t, f, []byte(c.dump))
		if err == nil || err.Error() != c.err {
			t.Errorf("dump %q: %v\nwant %s", c.dump, err, c.err)
		}
	}
	if got, _ := os.ReadFile(f); string(got) != "0123456789" {
		t.Fatalf("file changed: %q", got)
	}
}

// TestDumpKeepsHoles: a dump of a sparse file with one byte changed
// (xxd -a and hexdump -C squeeze its holes into "*" lines) writes that
// byte alone: the holes stay holes (stat blocks as before, as xxd -r
// leaves them), only the changed page is synced, and the line counts the
// bytes the file already held. Before, the "*" lines' zeros were stored
// into every hole (8 blocks -> 16384, 2048 pages synced).
func TestDumpKeepsHoles(t *testing.T) {
	for _, dumper := range [][]string{{"xxd", "-a"}, {"hexdump", "-C"}} {
		testenv.RequireTool(t, dumper[0])
		p := filepath.Join(t.TempDir(), "sparse.bin")
		const size, at = 8 << 20, 4000000
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, size); err != nil {
			t.Fatal(err)
		}
		fh, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fh.WriteAt([]byte("DATA"), at)
		fh.Sync()
		fh.Close()
		dump := run(t, dumper[0], append(dumper[1:], p)...)
		if !bytes.Contains(dump, []byte("\n*\n")) {
			t.Fatalf("%v printed no \"*\": the test does not test it", dumper)
		}
		// DATA -> DATB in the dump's hex
		changed := bytes.Replace(dump, []byte("4441 5441"), []byte("4441 5442"), 1)
		if dumper[0] == "hexdump" {
			changed = bytes.Replace(dump, []byte("44 41 54 41"), []byte("44 41 54 42"), 1)
		}
		if bytes.Equal(changed, dump) {
			t.Fatalf("%v: DATA not found in the dump:\n%s", dumper, dump)
		}
		var before, after syscall.Stat_t
		syscall.Stat(p, &before)
		res, err := apply(t, p, changed)
		if err != nil {
			t.Fatalf("%v: %v", dumper, err)
		}
		syscall.Stat(p, &after)
		if after.Blocks != before.Blocks {
			t.Errorf("%v: %d blocks before, %d after: the holes were filled", dumper, before.Blocks, after.Blocks)
		}
		if res.Bytes != 1 || res.Runs != 1 || res.Same != size-1 || res.Sync.Pages != 1 {
			t.Errorf("%v: wrote %d bytes in %d runs, %d already held, %d pages synced; want 1, 1, %d, 1", dumper, res.Bytes, res.Runs, res.Same, res.Sync.Pages, size-1)
		}
		got, _ := os.ReadFile(p)
		want := make([]byte, size)
		copy(want[at:], "DATB")
		if !bytes.Equal(got, want) {
			t.Fatalf("%v: the file is not the dump", dumper)
		}
	}
}
