package replace

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mmhex/mapping/testenv"
)

func TestMain(m *testing.M) {
	cleanState := testenv.IsolateState() // no durable journal in the real home
	code := m.Run()
	cleanState()
	testenv.RemoveMmhexBinary()
	os.Exit(code)
}

type run struct {
	out, err string
	code     int
}

func mmhexRun(t *testing.T, args ...string) run {
	t.Helper()
	r := testenv.RunMmhex(t, args...)
	return run{r.Out, r.Err, r.Code}
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var summaryRe = regexp.MustCompile(`^(\S+): replaced (\d+) (match|matches) of (.*) with (.*); msync\(MS_SYNC\) (\d+) pages?, (\d+) bytes?, \S+\n$`)

// TestCLIAgainstSed: on one-line files (sed works line by line) of a
// small alphabet, `mmhex replace FILE OLD NEW` leaves the bytes
// `LC_ALL=C sed 's/OLD/NEW/g'` prints: the same overlap rule, left to
// right and non-overlapping.
func TestCLIAgainstSed(t *testing.T) {
	sed := testenv.RequireTool(t, "sed")
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 40; iter++ {
		data := make([]byte, 200+rng.IntN(2000))
		for i := range data {
			data[i] = "xyz"[rng.IntN(3)]
		}
		n := 1 + rng.IntN(3)
		old, rep := make([]byte, n), make([]byte, n)
		for i := range old {
			old[i] = "xyz"[rng.IntN(3)]
			rep[i] = "XYZ"[rng.IntN(3)]
		}
		p := writeTemp(t, "line.txt", data)
		cmd := exec.Command(sed, "s/"+string(old)+"/"+string(rep)+"/g", p)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		want, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		r := mmhexRun(t, "replace", p, string(old), string(rep))
		got, _ := os.ReadFile(p)
		if !bytes.Equal(got, want) {
			t.Fatalf("iter %d: %q → %q:\nmmhex %q\n  sed %q", iter, old, rep, got, want)
		}
		wantN := bytes.Count(data, old) // non-overlapping count, as the rule
		if wantN == 0 {
			if r.code != 1 || r.err != "mmhex: "+p+": no match for \""+string(old)+"\": nothing changed\n" {
				t.Fatalf("iter %d: no match: %+v", iter, r)
			}
			continue
		}
		m := summaryRe.FindStringSubmatch(r.out)
		if r.code != 0 || r.err != "" || m == nil || m[2] != itoa(wantN) {
			t.Fatalf("iter %d: %+v; want %d matches replaced", iter, r, wantN)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestCLIDryRunIsSearch: --dry-run prints what `mmhex search` prints when
// the matches do not overlap, changes nothing, and with overlapping
// matches prints only those the rule takes.
func TestCLIDryRunIsSearch(t *testing.T) {
	data := bytes.Repeat([]byte("..MAGIC....\x00\x01"), 5000)
	p := writeTemp(t, "d.bin", data)
	s := mmhexRun(t, "search", p, "MAGIC")
	d := mmhexRun(t, "replace", p, "MAGIC", "magic", "--dry-run")
	if s.code != 0 || d.code != 0 || d.out != s.out || d.err != "" {
		t.Fatalf("dry-run %+v\nsearch %+v", d, s)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
		t.Fatal("--dry-run changed the file")
	}
	p2 := writeTemp(t, "o.bin", []byte("aaaaa"))
	if d := mmhexRun(t, "replace", p2, "aa", "bb", "--dry-run"); d.out != "0\n2\n" || d.code != 0 {
		t.Fatalf("overlapping dry-run: %+v, want 0 and 2", d)
	}
	if s := mmhexRun(t, "search", p2, "aa"); s.out != "0\n1\n2\n3\n" {
		t.Fatalf("search aa: %+v", s)
	}
	// with the range
	if d := mmhexRun(t, "replace", p, "MAGIC", "magic", "--dry-run", "-s", "13", "-n", "26"); d.out != "15\n28\n" || d.code != 0 {
		t.Fatalf("range dry-run: %+v", d)
	}
}

// TestCLIExpectCount: --expect-count refuses (exit 2, nothing changed)
// unless exactly N matches exist; with N it replaces them and syncs the
// pages they are on (MS_SYNC), and only those.
func TestCLIExpectCount(t *testing.T) {
	ps := os.Getpagesize()
	data := make([]byte, 8*ps)
	copy(data[10:], "KEY")
	copy(data[3*ps+5:], "KEY")
	copy(data[7*ps-1:], "KEY") // across pages 6 and 7
	p := writeTemp(t, "e.bin", data)
	r := mmhexRun(t, "replace", p, "KEY", "key", "--expect-count", "2")
	if r.code != 2 || r.out != "" || r.err != "mmhex: "+p+": refused: 3 or more matches of \"KEY\", not 2 (--expect-count): nothing changed\n" {
		t.Fatalf("expect 2 of 3: %+v", r)
	}
	r = mmhexRun(t, "replace", p, "KEY", "key", "--expect-count", "4")
	if r.code != 2 || r.err != "mmhex: "+p+": refused: 3 matches of \"KEY\", not 4 (--expect-count): nothing changed\n" {
		t.Fatalf("expect 4 of 3: %+v", r)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
		t.Fatal("a refused --expect-count changed the file")
	}
	r = mmhexRun(t, "replace", p, "KEY", "key", "--expect-count", "3")
	m := summaryRe.FindStringSubmatch(r.out)
	if r.code != 0 || m == nil || m[2] != "3" || m[6] != "4" || m[7] != itoa(4*ps) {
		t.Fatalf("expect 3 of 3: %+v; want 3 matches, msync of 4 pages", r)
	}
	want := append([]byte(nil), data...)
	copy(want[10:], "key")
	copy(want[3*ps+5:], "key")
	copy(want[7*ps-1:], "key")
	if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
		t.Fatal("file after --expect-count 3 is not the reference")
	}
	if r := mmhexRun(t, "replace", p, "KEY", "key", "--expect-count", "0"); r.code != 2 || r.err != "mmhex: "+p+": --expect-count must be at least 1: 0\n" {
		t.Fatalf("--expect-count 0: %+v", r)
	}
}

// TestCLIRefusals: exact messages and exit statuses for a replacement of
// another length, a bad pattern, a range past the end, and a file that
// cannot be written; nothing changes.
func TestCLIRefusals(t *testing.T) {
	p := writeTemp(t, "x.bin", []byte("abcabc"))
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"abc", "ab"}, 2, `: the replacement must be as long as the pattern: "abc" is 3 bytes, "ab" is 2 bytes; replacing works in place (the file keeps its size, no byte is inserted or removed)`},
		{[]string{"--hex", "61 62", "00 00 00"}, 2, `: the replacement must be as long as the pattern: 61 62 is 2 bytes, 00 00 00 is 3 bytes; replacing works in place (the file keeps its size, no byte is inserted or removed)`},
		{[]string{"--hex", "6g", "00"}, 2, `: OLD: malformed hex: column 2: "g" is not a hex digit`},
		{[]string{"--hex", "61", "0"}, 2, `: NEW: malformed hex: column 1: "0" needs a second hex digit (odd number of digits)`},
		{[]string{"abc", "xyz", "-s", "7"}, 2, `: offset 0x7 is past the end of the file (size 6)`},
		{[]string{"abc", "xyz", "-s", "2", "-n", "5"}, 2, `: 5 bytes from 0x2 reach past the end of the file (size 6)`},
		{[]string{"zzz", "xyz"}, 1, `: no match for "zzz": nothing changed`},
	} {
		r := mmhexRun(t, append([]string{"replace", p}, c.args...)...)
		if r.code != c.code || r.err != "mmhex: "+p+c.err+"\n" || r.out != "" {
			t.Errorf("%q: %+v\nwant %d mmhex: %s%s", c.args, r, c.code, p, c.err)
		}
	}
	if got, _ := os.ReadFile(p); string(got) != "abcabc" {
		t.Fatalf("file changed: %q", got)
	}
	// a file that cannot be opened for writing (immutable for root,
	// read-only for others): refused, nothing changed
	if os.Geteuid() == 0 {
		chattr := testenv.RequireTool(t, "chattr")
		if out, err := exec.Command(chattr, "+i", p).CombinedOutput(); err != nil {
			testenv.SkipOrFail(t, "chattr +i: %v %s", err, out)
		}
		defer exec.Command(chattr, "-i", p).Run()
	} else {
		os.Chmod(p, 0o444)
	}
	r := mmhexRun(t, "replace", p, "abc", "xyz")
	if r.code != 2 || !strings.HasPrefix(r.err, "mmhex: "+p+": file is read-only (") || !strings.HasSuffix(r.err, "): nothing changed\n") {
		t.Fatalf("read-only file: %+v", r)
	}
	if got, _ := os.ReadFile(p); string(got) != "abcabc" {
		t.Fatalf("file changed: %q", got)
	}
}
