package hexfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// corpusFile is a named test input.
type corpusFile struct {
	name string
	data []byte
}

// makeCorpus builds the inputs the identity tests compare on.
func makeCorpus(t testing.TB) []corpusFile {
	r := rand.New(rand.NewSource(6))
	rnd := func(n int) []byte { b := make([]byte, n); r.Read(b); return b }
	var c []corpusFile
	c = append(c, corpusFile{"empty", nil}, corpusFile{"one", []byte{0x41}})
	for _, n := range []int{15, 16, 17, 31, 32, 33} {
		c = append(c, corpusFile{fmt.Sprintf("rand%d", n), rnd(n)})
	}
	c = append(c, corpusFile{"zeros100", make([]byte, 100)})
	c = append(c, corpusFile{"zeros4096", make([]byte, 4096)})
	// runs of identical rows, with and without a differing row between,
	// a repeat run ending in a partial row equal to the repeated prefix
	var runs []byte
	row := rnd(16)
	for i := 0; i < 5; i++ {
		runs = append(runs, row...)
	}
	runs = append(runs, rnd(16)...)
	runs = append(runs, row...)
	runs = append(runs, row...)
	runs = append(runs, make([]byte, 16*7)...)
	runs = append(runs, row[:9]...)
	c = append(c, corpusFile{"runs", runs})
	// text with control bytes and escape sequences
	c = append(c, corpusFile{"text", []byte("hello world\n\tfoo\x1b[31mred\x1b]0;title\x07\r\n\x7f\x80\xff \v\f")})
	// larger than several formatting segments: repeats across segment
	// borders, a lone repeat exactly at a border, random tail
	big := make([]byte, 0, 3*segBytes+1000)
	big = append(big, rnd(segBytes-32)...)
	big = append(big, make([]byte, 64)...) // zero rows straddle the first border
	big = append(big, rnd(segBytes-48)...)
	big = append(big, row...) // row, row across the second border
	big = append(big, row...)
	big = append(big, rnd(segBytes)...)
	big = append(big, rnd(1000-8)...)
	c = append(c, corpusFile{"big", big})
	c = append(c, corpusFile{"random", rnd(100000 + 7)})
	// real binaries, bounded in size
	n := 0
	for _, p := range []string{"/usr/bin/xxd", "/usr/bin/hexdump", "/usr/bin/env", "/usr/bin/true", "/usr/bin/tmux"} {
		b, err := os.ReadFile(p)
		if err != nil || n == 3 {
			continue
		}
		if len(b) > 2<<20 {
			b = b[:2<<20]
		}
		c = append(c, corpusFile{filepath.Base(p), b})
		n++
	}
	return c
}

func writeCorpus(t testing.TB, dir string, c corpusFile) string {
	p := filepath.Join(dir, c.name)
	if err := os.WriteFile(p, c.data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// dumpBytes runs data (the bytes at file offset start) through a Dumper in
// chunks of the given sizes (cycled).
func dumpBytes(t testing.TB, data []byte, start int64, o Options, chunks []int) []byte {
	var out bytes.Buffer
	d := NewDumper(&out, start, o)
	for i := 0; len(data) > 0; i++ {
		n := min(chunks[i%len(chunks)], len(data))
		// a copy that is scribbled over after Write, like a released mapping
		chunk := append([]byte(nil), data[:n]...)
		if _, err := d.Write(chunk); err != nil {
			t.Fatal(err)
		}
		for k := range chunk {
			chunk[k] = 0xa5
		}
		data = data[n:]
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func tool(t testing.TB, name string, args ...string) []byte {
	testenv.RequireTool(t, name)
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v %s", name, args, err, stderr.Bytes())
	}
	return out
}

// ranges returns (offset, length) pairs to test on a file of n bytes;
// length -1 is "to the end".
func ranges(n int) [][2]int {
	rs := [][2]int{{0, -1}}
	for _, s := range []int{1, 5, 8, 15, 16, 17, n / 2, n - 1, n} {
		if s > 0 && s <= n {
			rs = append(rs, [2]int{s, -1})
		}
	}
	for _, l := range []int{1, 7, 8, 9, 16, 24, 33, n / 3} {
		if l > 0 && l <= n {
			rs = append(rs, [2]int{0, l}, [2]int{min(3, n-l), l})
			if s := n/2 + 5; s+l <= n {
				rs = append(rs, [2]int{s, l})
			}
		}
	}
	return rs
}

var chunkings = [][]int{{1 << 30}, {1}, {7, 16, 1, 40, 4096}, {segBytes + 5, 3}}

func TestIdentity(t *testing.T) {
	dir := t.TempDir()
	for _, c := range makeCorpus(t) {
		path := writeCorpus(t, dir, c)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rs := ranges(len(c.data))
			if len(c.data) > 64<<10 {
				// hexdump needs ~0.3 s a MiB here: a few ranges on big
				// inputs, crossing the formatting segments' borders
				rs = [][2]int{{0, -1}, {segBytes - 40, 200}, {17, 2*segBytes + 3}}
			}
			for _, rg := range rs {
				identity(t, c, path, rg[0], rg[1])
			}
		})
	}
}

// identity compares the three formats of c[s:s+l] (l < 0: to the end) with
// hexdump -C, xxd and xxd -p, feeding the Dumper in several chunkings.
func identity(t *testing.T, c corpusFile, path string, s, l int) {
	if s > len(c.data) || (l >= 0 && s+l > len(c.data)) {
		return
	}
	end := len(c.data)
	if l >= 0 {
		end = s + l
	}
	data := c.data[s:end]
	hdArgs, xArgs := []string{"-C"}, []string{}
	if s > 0 {
		hdArgs = append(hdArgs, "-s", strconv.Itoa(s))
		xArgs = append(xArgs, "-s", strconv.Itoa(s))
	}
	if l >= 0 {
		hdArgs = append(hdArgs, "-n", strconv.Itoa(l))
		xArgs = append(xArgs, "-l", strconv.Itoa(l))
	}
	want := map[Format][]byte{
		Canonical: tool(t, "hexdump", append(hdArgs, path)...),
		XXD:       tool(t, "xxd", append(xArgs, path)...),
		Plain:     tool(t, "xxd", append(append([]string{"-p"}, xArgs...), path)...),
	}
	chs := chunkings
	if len(data) > 4096 {
		// small chunks cost a round of goroutine hand-offs each:
		// on big inputs try them once per file
		chs = [][]int{chunkings[0], chunkings[3]}
		if s == 0 && l < 0 {
			chs = append(chs, chunkings[2])
		}
	}
	for f := Canonical; f <= Plain; f++ {
		for _, ch := range chs {
			for _, workers := range []int{1, 2} {
				got := dumpBytes(t, data, int64(s), Options{Format: f, Workers: workers}, ch)
				if !bytes.Equal(got, want[f]) {
					t.Fatalf("%s -s %d -n %d --format %v (chunks %v, %d workers):\n%s",
						c.name, s, l, f, ch, workers, firstDiff(got, want[f]))
				}
			}
		}
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := bytes.SplitAfter(got, []byte("\n")), bytes.SplitAfter(want, []byte("\n"))
	for i := 0; i < max(len(g), len(w)); i++ {
		var a, b []byte
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("line %d:\n got  %q\n want %q", i+1, a, b)
		}
	}
	return "(equal)"
}

// The final offset line when nothing is dumped past offset 0: hexdump
// prints the offset (for -s at the end of the file), not for an empty file.
func TestCanonicalEndLine(t *testing.T) {
	for _, tc := range []struct {
		start int64
		want  string
	}{{0, ""}, {200, "000000c8\n"}, {0x123456789, "123456789\n"}} {
		got := dumpBytes(t, nil, tc.start, Options{}, []int{1})
		if string(got) != tc.want {
			t.Errorf("start %#x: %q, want %q", tc.start, got, tc.want)
		}
	}
}

// Offsets past 32 bits widen the offset column, as both tools do.
func TestWideOffsets(t *testing.T) {
	data := []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	off := int64(0xfffffff8)
	want := "fffffff8  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|\n" +
		"100000008  51 52 53 54 55 56 57 58  59 5a                    |QRSTUVWXYZ|\n" +
		"100000012\n"
	if got := dumpBytes(t, data, off, Options{}, []int{5}); string(got) != want {
		t.Errorf("canonical:\n%s", firstDiff(got, []byte(want)))
	}
	want = "fffffff8: 4142 4344 4546 4748 494a 4b4c 4d4e 4f50  ABCDEFGHIJKLMNOP\n" +
		"100000008: 5152 5354 5556 5758 595a                 QRSTUVWXYZ\n"
	if got := dumpBytes(t, data, off, Options{Format: XXD}, []int{5}); string(got) != want {
		t.Errorf("xxd:\n%s", firstDiff(got, []byte(want)))
	}
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// Colour adds only SGR sequences: stripped, the output is the plain one,
// and every byte's class colour precedes it.
func TestColor(t *testing.T) {
	data := []byte("\x00\x00A B\t\x01\x0b\x7f\x80\xffzz\r\n\x00hello")
	for f := Canonical; f <= Plain; f++ {
		plain := dumpBytes(t, data, 3, Options{Format: f}, []int{4})
		col := dumpBytes(t, data, 3, Options{Format: f, Color: true}, []int{4})
		if bytes.Contains(plain, []byte("\x1b")) {
			t.Errorf("%v: uncoloured output has an escape: %q", f, plain)
		}
		if stripped := sgr.ReplaceAll(col, nil); !bytes.Equal(stripped, plain) {
			t.Errorf("%v: stripped colour output differs:\n%s", f, firstDiff(stripped, plain))
		}
		for c := Class(0); c < NumClasses; c++ {
			if !bytes.Contains(col, []byte(c.SGR())) {
				t.Errorf("%v: no %v colour %q in %q", f, c, c.SGR(), col)
			}
		}
	}
	// the exact first row
	got := dumpBytes(t, data[:4], 0, Options{Color: true}, []int{4})
	want := "00000000  \x1b[90m00 00 \x1b[36m41 \x1b[32m20                                      \x1b[0m |" +
		"\x1b[90m..\x1b[36mA\x1b[32m \x1b[0m|\n00000004\n"
	if string(got) != want {
		t.Errorf("coloured row:\n got  %q\n want %q", got, want)
	}
}

// Raw control bytes never reach the output, in any format.
func TestNoControlBytes(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for f := Canonical; f <= Plain; f++ {
		for _, color := range []bool{false, true} {
			out := dumpBytes(t, all, 0, Options{Format: f, Color: color}, []int{100})
			out = sgr.ReplaceAll(out, nil)
			for _, b := range out {
				if (b < 0x20 && b != '\n') || b >= 0x7f {
					t.Fatalf("%v colour=%v: byte %#02x in output", f, color, b)
				}
			}
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, os.ErrClosed
}

// A write error stops the dump and is returned, once, without hanging.
func TestWriteError(t *testing.T) {
	w := &failWriter{}
	d := NewDumper(w, 0, Options{Workers: 2})
	data := make([]byte, 4*segBytes)
	rand.New(rand.NewSource(1)).Read(data)
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		_, err = d.Write(data)
	}
	if err != os.ErrClosed {
		t.Fatalf("Write: %v, want %v", err, os.ErrClosed)
	}
	if err := d.Close(); err != os.ErrClosed {
		t.Fatalf("Close: %v", err)
	}
	if w.n != 1 {
		t.Errorf("%d writes after the first failure, want none", w.n-1)
	}
}

// Bytes of a mapping whose file shrank fault in the formatting goroutines:
// the dump ends with an error wrapping mapping.ErrFault, the process lives.
func TestFault(t *testing.T) {
	p := filepath.Join(t.TempDir(), "shrinks")
	if err := os.WriteFile(p, bytes.Repeat([]byte("x"), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(p, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	m, err := unix.Mmap(fd, 0, 1<<20, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	if err := os.Truncate(p, 4096); err != nil {
		t.Fatal(err)
	}
	// canonical faults in Write too (row comparisons at segment borders);
	// xxd only in the formatting goroutines, inside xxdRowsAVX
	for f, start := range map[Format]string{Canonical: "00000000  78 78", XXD: "00000000: 7878", Plain: "78787878"} {
		var out bytes.Buffer
		d := NewDumper(&out, 0, Options{Format: f, Workers: 2})
		_, werr := d.Write(m)
		cerr := d.Close()
		if !errors.Is(werr, mapping.ErrFault) && !errors.Is(cerr, mapping.ErrFault) {
			t.Fatalf("%v: Write: %v, Close: %v; want mapping.ErrFault", f, werr, cerr)
		}
		if !bytes.HasPrefix(out.Bytes(), []byte(start)) && out.Len() != 0 {
			t.Errorf("%v: output before the fault is not the dump's start: %q", f, out.Bytes()[:min(80, out.Len())])
		}
	}
}

// Offsets crossing 1<<32 and 1<<36 widen the offset column mid-dump: the
// same as the tools, on sparse files with data around the borders.
func TestIdentityWideOffsets(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewSource(36))
	for _, border := range []int64{1 << 32, 1 << 36} {
		p := filepath.Join(dir, fmt.Sprintf("wide%d", border))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, 20000)
		r.Read(data)
		copy(data[9000:], make([]byte, 700)) // a run of repeats across the border
		start := border - 9003
		if _, err := f.WriteAt(data, start); err != nil {
			t.Fatal(err)
		}
		f.Close()
		for _, rg := range [][2]int64{{start, 20000}, {start + 8000, 3001}, {border - 16, 32}, {border - 1, 17}} {
			s, l := rg[0], rg[1]
			got := data[s-start : s-start+l]
			ss, ls := strconv.FormatInt(s, 10), strconv.FormatInt(l, 10)
			want := map[Format][]byte{
				Canonical: tool(t, "hexdump", "-C", "-s", ss, "-n", ls, p),
				XXD:       tool(t, "xxd", "-s", ss, "-l", ls, p),
			}
			for f, w := range want {
				for _, ch := range [][]int{{1 << 30}, {4096, 7}} {
					out := dumpBytes(t, got, s, Options{Format: f, Workers: 2}, ch)
					if !bytes.Equal(out, w) {
						t.Fatalf("%#x +%d --format %v (chunks %v):\n%s", s, l, f, ch, firstDiff(out, w))
					}
				}
			}
		}
	}
}

// No allocation per byte or per line: a dump of 256 KiB (16384 rows,
// random, so nothing folds) in writes of 40000 bytes (rows cut between
// writes) allocates a bounded number of
// times (the job buffers, made once per dump), in every format, coloured
// or not.
func TestAllocsDoNotGrow(t *testing.T) {
	data := make([]byte, 256<<10)
	rand.New(rand.NewSource(16)).Read(data)
	for f := Canonical; f <= Plain; f++ {
		for _, color := range []bool{false, true} {
			allocs := testing.AllocsPerRun(1, func() {
				d := NewDumper(io.Discard, 5, Options{Format: f, Color: color, Workers: 2})
				for p := data; len(p) > 0; p = p[min(len(p), 40000):] {
					if _, err := d.Write(p[:min(len(p), 40000)]); err != nil {
						t.Fatal(err)
					}
				}
				if err := d.Close(); err != nil {
					t.Fatal(err)
				}
			})
			if allocs > 200 {
				t.Errorf("%v color=%v: %.0f allocations for 256 KiB (%d rows)", f, color, allocs, len(data)/16)
			}
			t.Logf("%v color=%v: %.0f allocations", f, color, allocs)
		}
	}
}

// The AVX xxd rows are the Go ones, byte for byte: every byte value in
// every column, offsets up to the last row below 1<<32.
func TestXXDRowsAVX(t *testing.T) {
	if !hasXXDAVX {
		t.Skip("no AVX on this CPU: the Go rows are used")
	}
	r := rand.New(rand.NewSource(68))
	data := make([]byte, 16*300)
	for i := range data[:256] {
		data[i] = byte(i)
	}
	r.Read(data[256:])
	for _, off := range []int64{0, 0x1234567, 0xfffffff0 - 16*299, 5} {
		for _, n := range []int{1, 2, 17, 300} {
			want := xxdRowsGo([]byte("x"), data[:16*n], off, 8)
			// exactly the room needed, then guard bytes that must stay
			buf := bytes.Repeat([]byte{0xee}, 1+68*n+32)
			buf[0] = 'x'
			got := xxdRowsW(buf[:1:1+68*n], data[:16*n], off, 8)
			if !bytes.Equal(got, want) {
				t.Fatalf("off %#x, %d rows:\n%s", off, n, firstDiff(got, want))
			}
			if &got[0] != &buf[0] || !bytes.Equal(buf[1+68*n:], bytes.Repeat([]byte{0xee}, 32)) {
				t.Fatalf("off %#x, %d rows: wrote outside the room reserved", off, n)
			}
		}
	}
}

// truncWriter truncates a file on its first Write, then fails or not.
type truncWriter struct {
	path string
	size int64
	err  error
	done bool
}

func (w *truncWriter) Write(p []byte) (int, error) {
	if !w.done {
		w.done = true
		if err := os.Truncate(w.path, w.size); err != nil {
			return 0, err
		}
	}
	if w.err != nil {
		return 0, w.err
	}
	return len(p), nil
}

// DumpFile's errors name the file: a fault when the file shrinks under the
// dump (the segments formatted after the first write fault), and a write
// error (wrapped: errors.Is finds it).
func TestDumpFileErrorsNameTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "shrinks")
	reopen := func() *mapping.File {
		if err := os.WriteFile(p, bytes.Repeat([]byte("0123456789abcdef0123456789abcdefX"), 4<<20/33), 0o644); err != nil {
			t.Fatal(err)
		}
		mf, err := mapping.Open(p, mapping.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { mf.Close() })
		return mf
	}
	for _, f := range []Format{Canonical, XXD, Plain} {
		err := DumpFile(&truncWriter{path: p, size: 4096}, reopen(), 0, -1, Options{Format: f, Workers: 2})
		if !errors.Is(err, mapping.ErrFault) || !strings.HasPrefix(err.Error(), p+": dump at 0x") {
			t.Errorf("%v: shrinking file: %v", f, err)
		}
		err = DumpFile(&truncWriter{done: true, err: unix.ENOSPC}, reopen(), 0, -1, Options{Format: f, Workers: 2})
		if want := p + ": writing: " + unix.ENOSPC.Error(); !errors.Is(err, unix.ENOSPC) || err.Error() != want {
			t.Errorf("%v: write error: %v, want %q", f, err, want)
		}
	}
}

// TestZerosLikeWrite: Zeros(n) prints exactly what Write of n zero bytes
// prints, in every format, whatever came before (a partial row, a row of
// zeros or not, a starred run or not) and after: random data with zero
// runs of random lengths, the runs given to Zeros and the rest to Write.
func TestZerosLikeWrite(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	for iter := 0; iter < 300; iter++ {
		var data []byte
		type piece struct {
			zeros bool
			n     int
		}
		var pieces []piece
		for len(data) < 6000 {
			if rng.Intn(2) == 0 {
				n := rng.Intn(200) + 1
				if rng.Intn(4) == 0 {
					n = rng.Intn(3000) + 1
				}
				data = append(data, make([]byte, n)...)
				pieces = append(pieces, piece{true, n})
			} else {
				n := rng.Intn(70) + 1
				b := make([]byte, n)
				for i := range b {
					if rng.Intn(3) > 0 {
						b[i] = byte(rng.Intn(256))
					}
				}
				if rng.Intn(3) == 0 { // a repeated row of its own
					b = bytes.Repeat([]byte("0123456789abcdef"), rng.Intn(4)+1)
				}
				data = append(data, b...)
				pieces = append(pieces, piece{false, len(b)})
			}
		}
		start := int64(rng.Intn(40))
		for _, f := range []Format{Canonical, XXD, Plain} {
			o := Options{Format: f, Workers: 1 + iter%3}
			want := dumpBytes(t, data, start, o, []int{len(data)})
			var out bytes.Buffer
			d := NewDumper(&out, start, o)
			at := 0
			for _, p := range pieces {
				var err error
				if p.zeros {
					err = d.Zeros(int64(p.n))
				} else {
					_, err = d.Write(append([]byte(nil), data[at:at+p.n]...))
				}
				if err != nil {
					t.Fatal(err)
				}
				at += p.n
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("iteration %d, %v, start %d: Zeros differs from Write of zeros\n%s", iter, f, start, firstDiff(out.Bytes(), want))
			}
		}
	}
}

// TestDumpOpenedFile: DumpFile reads the file that was opened (through
// mapping.File's descriptor), not whatever its path names now: after
// another file is renamed over the path the dump is still the opened
// file's, byte for byte.
func TestDumpOpenedFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.bin")
	if err := os.WriteFile(p, bytes.Repeat([]byte("AB"), 20), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(filepath.Join(dir, "other"), bytes.Repeat([]byte("z"), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "other"), p); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := DumpFile(&out, f, 0, -1, Options{}); err != nil {
		t.Fatal(err)
	}
	const want = "00000000  41 42 41 42 41 42 41 42  41 42 41 42 41 42 41 42  |ABABABABABABABAB|\n" +
		"*\n" +
		"00000020  41 42 41 42 41 42 41 42                           |ABABABAB|\n" +
		"00000028\n"
	if out.String() != want {
		t.Errorf("dump after the path was renamed over:\n%s\nwant\n%s", out.String(), want)
	}
}
