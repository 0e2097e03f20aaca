package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

// extentRow is one extent in bytes, with filefrag's flag list.
type extentRow struct {
	Logical, Physical, Length int64
	Flags                     string
}

// filefragRows runs `filefrag -v -b1 path` and parses its extent rows.
func filefragRows(t *testing.T, path string) []extentRow {
	t.Helper()
	tool := testenv.RequireTool(t, "filefrag")
	out, err := exec.Command(tool, "-v", "-b1", path).CombinedOutput()
	if err != nil {
		t.Fatalf("filefrag: %v\n%s", err, out)
	}
	row := regexp.MustCompile(`^\s*\d+:\s*(\d+)\.\.\s*\d+:\s*(\d+)\.\.\s*\d+:\s*(\d+):(?:\s*\d+:)?\s*(\S*)\s*$`)
	var rows []extentRow
	for _, line := range strings.Split(string(out), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		l, _ := strconv.ParseInt(m[1], 10, 64)
		p, _ := strconv.ParseInt(m[2], 10, 64)
		n, _ := strconv.ParseInt(m[3], 10, 64)
		rows = append(rows, extentRow{l, p, n, m[4]})
	}
	if len(rows) == 0 {
		t.Fatalf("no extent rows in filefrag's output:\n%s", out)
	}
	return rows
}

// TestExtentsCLI: `mmhex extents` and `--json` print the data and hole
// ranges of an ext4 file made with writes, truncate and fallocate, and
// exactly the extents `filefrag -v` prints for it.
func TestExtentsCLI(t *testing.T) {
	dir := testenv.Ext4Dir(t)
	p := filepath.Join(dir, "mixed.bin")
	g, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	g.WriteAt(pattern(4096), 0)
	g.Truncate(64 << 20)
	unix.Fallocate(int(g.Fd()), 0, 8<<20, 1<<20)
	g.WriteAt(pattern(12288), 16<<20)
	unix.Fallocate(int(g.Fd()), unix.FALLOC_FL_KEEP_SIZE, 128<<20, 8192)
	if err := g.Sync(); err != nil {
		t.Fatal(err)
	}
	g.Close()
	want := filefragRows(t, p)
	if len(want) != 4 {
		t.Fatalf("the test file has %d extents, not 4: %v", len(want), want)
	}

	r := mmhex(t, "extents", p)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("extents: %d %q", r.code, r.stderr)
	}
	head := "file     " + p + "\nsize     67108864 (64 MiB)\ndata and holes (SEEK_DATA/SEEK_HOLE):\n" +
		"  data               0x0 – 0x1000                   4096 (4 KiB)\n" +
		"  hole            0x1000 – 0x1000000            16773120 (15.99 MiB)\n" +
		"  data         0x1000000 – 0x1003000               12288 (12 KiB)\n" +
		"  hole         0x1003000 – 0x4000000            50319360 (47.98 MiB)\n" +
		"  2 data ranges (16 KiB), 2 holes (63.98 MiB)\n" +
		"extents (FIEMAP, bytes):\n" +
		"         #           logical          physical        length  flags\n"
	if !strings.HasPrefix(r.stdout, head) {
		t.Fatalf("extents:\n%s\nwant it to start with:\n%s", r.stdout, head)
	}
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(r.stdout, head), "\n"), "\n")
	if len(lines) != len(want)+1 || lines[len(lines)-1] != "  4 extents" {
		t.Fatalf("extent lines: %q", lines)
	}
	var got []extentRow
	for i, line := range lines[:len(want)] {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != strconv.Itoa(i) {
			t.Fatalf("extent line %q", line)
		}
		l, _ := strconv.ParseInt(f[1], 0, 64)
		ph, _ := strconv.ParseInt(f[2], 0, 64)
		n, _ := strconv.ParseInt(f[3], 10, 64)
		fl := ""
		if len(f) == 5 {
			fl = f[4]
		}
		got = append(got, extentRow{l, ph, n, fl})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("text extents:\n got %v\nwant %v (filefrag)", got, want)
	}

	r = mmhex(t, "extents", "--json", p)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("extents --json: %d %q", r.code, r.stderr)
	}
	var j struct {
		File   string
		Size   int64
		Ranges []struct {
			Kind       string
			Start, End int64
		}
		DataRanges  int   `json:"data_ranges"`
		DataBytes   int64 `json:"data_bytes"`
		Holes       int
		HoleBytes   int64 `json:"hole_bytes"`
		ExtentCount int   `json:"extent_count"`
		Extents     []struct {
			Logical, Physical, Length int64
			Flags                     []string
		}
		NoExtents *string `json:"no_extents"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	got = got[:0]
	for _, x := range j.Extents {
		got = append(got, extentRow{x.Logical, x.Physical, x.Length, strings.Join(x.Flags, ",")})
	}
	if !slices.Equal(got, want) || j.ExtentCount != 4 || j.NoExtents != nil {
		t.Fatalf("json extents:\n got %v\nwant %v (filefrag)\n%s", got, want, r.stdout)
	}
	if j.File != p || j.Size != 64<<20 || len(j.Ranges) != 4 || j.DataRanges != 2 || j.Holes != 2 ||
		j.DataBytes != 16384 || j.HoleBytes != 64<<20-16384 || j.Ranges[2].Kind != "data" || j.Ranges[2].Start != 16<<20 || j.Ranges[2].End != 16<<20+12288 {
		t.Fatalf("json: %s", r.stdout)
	}
}

// TestExtentsBadInput: a FIFO, a folder, a /proc file, a missing file:
// one line naming the file, exit 1, nothing on standard output.
func TestExtentsBadInput(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"extents", fifo}, 1, fifo + ": is a FIFO (named pipe); it cannot be mapped"},
		{[]string{"extents", dir}, 1, dir + ": is a directory"},
		{[]string{"extents", "/proc/self/status"}, 1, "/proc/self/status: has size 0 but has content (a /proc or /sys file?); it cannot be mapped"},
		{[]string{"extents", "--json", "/proc/self/maps"}, 1, "/proc/self/maps: has size 0 but has content (a /proc or /sys file?); it cannot be mapped"},
		{[]string{"extents", filepath.Join(dir, "missing")}, 1, filepath.Join(dir, "missing") + ": no such file or directory"},
		{[]string{"extents"}, 2, "usage: mmhex extents FILE [--json] (mmhex --help for more)"},
		{[]string{"extents", fifo, "--xml"}, 2, fifo + ": extents: flag provided but not defined: -xml"},
	}
	for _, c := range cases {
		r := mmhex(t, c.args...)
		if r.code != c.code || r.stderr != "mmhex: "+c.err+"\n" || r.stdout != "" {
			t.Errorf("%q:\n got code %d stderr %q\nwant code %d stderr %q", c.args, r.code, r.stderr, c.code, "mmhex: "+c.err+"\n")
		}
	}
}
