package shape

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// gnuStrings runs the real `strings -a` with opts on path.
func gnuStrings(t *testing.T, path string, opts ...string) []byte {
	t.Helper()
	tool := testenv.RequireTool(t, "strings")
	out, err := exec.Command(tool, append(append([]string{"-a"}, opts...), path)...).Output()
	if err != nil {
		t.Fatalf("strings -a %v %s: %v", opts, path, err)
	}
	return out
}

func open(t testing.TB, path string) *mapping.File {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// argsOf turns options into strings' command-line arguments.
func argsOf(o StringsOptions) []string {
	a := []string{"-n", fmt.Sprint(max(o.Min, 1))}
	if o.Min == 0 {
		a = a[:0]
	}
	if o.Radix != 0 {
		a = append(a, "-t", string(o.Radix))
	}
	if o.Encoding != 0 {
		a = append(a, "-e", string(o.Encoding))
	}
	return a
}

// mixed makes n bytes that hold strings of every kind: ASCII text with
// tabs, 8-bit text, UTF-16 and UTF-32 text of both byte orders (odd and
// even offsets), zeros, control bytes and random bytes, in runs of random
// length.
func mixed(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, 0, n+300)
	text := func() byte {
		if r.IntN(12) == 0 {
			return '\t'
		}
		return byte(0x20 + r.IntN(0x5f))
	}
	for len(b) < n {
		k := 1 + r.IntN(40)
		if r.IntN(8) == 0 {
			k = 60 + r.IntN(140) // around and past 64 (the word mask) and -n 65
		}
		switch r.IntN(9) {
		case 0, 1:
			for range k {
				b = append(b, text())
			}
		case 2:
			for range k {
				b = append(b, byte(0x80+r.IntN(128)))
			}
		case 3:
			for range k {
				b = append(b, text(), 0)
			}
		case 4:
			for range k {
				b = append(b, 0, text())
			}
		case 5:
			for range k {
				b = append(b, text(), 0, 0, 0)
			}
		case 6:
			for range k {
				b = append(b, 0, 0, 0, text())
			}
		case 7:
			for range k {
				b = append(b, byte(r.IntN(0x20)))
			}
		default:
			for range k {
				b = append(b, byte(r.Uint32()))
			}
		}
	}
	return b[:n]
}

// allOptions is every encoding and offset format with a few minimum
// lengths.
func allOptions(mins []int) []StringsOptions {
	var all []StringsOptions
	for _, e := range []byte("sSblBL") {
		for _, radix := range []byte{0, 'd', 'o', 'x'} {
			for _, n := range mins {
				all = append(all, StringsOptions{Min: n, Radix: radix, Encoding: e})
			}
		}
	}
	return all
}

// stringsOf runs the engine with tuning tu.
func stringsOf(t *testing.T, f *mapping.File, o StringsOptions, tu tuning) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := stringsText(context.Background(), f, 0, f.Size(), o, &out, nil, tu); err != nil {
		t.Fatalf("%v: %v", argsOf(o), err)
	}
	return out.Bytes()
}

// Every option combination on random data, with the default segments and
// with tiny segments and views (4 KiB views, segments of 8191 and 4097
// bytes, so runs cross view and segment borders everywhere).
func TestStringsMatchesGNURandom(t *testing.T) {
	sizes := []int{400 << 10, 100003}
	if raceEnabled {
		sizes = sizes[1:]
	}
	for seed, n := range sizes {
		data := mixed(n, uint64(seed)+1)
		path := testenv.WriteFile(t, fmt.Sprintf("r%d", seed), data)
		f := open(t, path)
		mins := []int{1, 4, 64, 65}
		if raceEnabled {
			mins = []int{1, 65}
		}
		for _, o := range allOptions(mins) {
			want := gnuStrings(t, path, argsOf(o)...)
			if seed == 0 && o.Min == 4 && o.Encoding == 's' && len(want) < 10000 {
				t.Fatalf("the random data has too few strings: %d bytes of output", len(want))
			}
			for _, tu := range []tuning{{}, {seg: 8191, chunk: 4096}, {seg: 4097, chunk: 4096, workers: 3}} {
				testenv.MustEqual(t, fmt.Sprintf("%s strings %v (tuning %+v)", path, argsOf(o), tu), stringsOf(t, f, o, tu), want)
			}
		}
	}
}

// Real programs of /usr/bin, every encoding and offset format.
func TestStringsMatchesGNUPrograms(t *testing.T) {
	var progs []string
	for _, p := range []string{"/usr/bin/ls", "/usr/bin/bash", "/usr/bin/xxd"} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			progs = append(progs, p)
		}
	}
	if len(progs) < 2 {
		testenv.SkipOrFail(t, "fewer than two of the test programs in /usr/bin: %v", progs)
	}
	mins := []int{0, 1, 6, 20}
	if raceEnabled {
		progs, mins = progs[:1], mins[:1]
	}
	for _, p := range progs {
		f := open(t, p)
		for _, o := range allOptions(mins) {
			want := gnuStrings(t, p, argsOf(o)...)
			testenv.MustEqual(t, fmt.Sprintf("%s strings %v", p, argsOf(o)), stringsOf(t, f, o, tuning{}), want)
			if o.Radix == 'x' {
				testenv.MustEqual(t, fmt.Sprintf("%s strings %v (small segments)", p, argsOf(o)), stringsOf(t, f, o, tuning{seg: 65537, chunk: 8192}), want)
			}
		}
	}
}

// A sparse file: strings end at a hole, start right after one, and 16/32-bit
// strings run into one; the holes are not read (their zeros are known).
func TestStringsSparse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sparse")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const size = 5 << 20
	if err := fh.Truncate(size); err != nil {
		t.Fatal(err)
	}
	put := func(off int64, b []byte) {
		if _, err := fh.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	blk := int64(128 << 10)
	put(0, []byte("at the start"))
	put(blk-5, []byte("ends at the hole"))
	put(8*blk-3, []byte("xyzzy\x00w\x00i\x00d\x00e")) // crosses into the next block's data
	put(16*blk, []byte("starts after a hole"))
	put(24*blk-6, []byte("a\x00b\x00c\x00d\x00e\x00f\x00")) // UTF-16LE up to a block's end
	put(32*blk-4, []byte("\x00\x00\x00Q\x00\x00\x00R"))
	put(size-7, []byte("the end"))
	fh.Close()
	f := open(t, path)
	for _, o := range allOptions([]int{3}) {
		if raceEnabled && o.Radix != 'x' {
			continue
		}
		want := gnuStrings(t, path, argsOf(o)...)
		for _, tu := range []tuning{{}, {seg: 1 << 20, chunk: 4096}, {seg: 3 << 20}} {
			testenv.MustEqual(t, fmt.Sprintf("strings %v (tuning %+v)", argsOf(o), tu), stringsOf(t, f, o, tu), want)
		}
	}
}

// The stream form, written in pieces of random sizes, prints the same.
func TestStringsWriter(t *testing.T) {
	data := mixed(200003, 7)
	path := testenv.WriteFile(t, "w", data)
	r := rand.New(rand.NewPCG(3, 4))
	mins := []int{1, 4, 70}
	if raceEnabled {
		mins = mins[1:2]
	}
	for _, o := range allOptions(mins) {
		var out bytes.Buffer
		sw, err := NewStringsWriter(&out, o)
		if err != nil {
			t.Fatal(err)
		}
		for rest := data; len(rest) > 0; {
			k := min(len(rest), 1+r.IntN(3000))
			if r.IntN(4) == 0 {
				k = min(len(rest), 1+r.IntN(5))
			}
			sw.Write(rest[:k])
			rest = rest[k:]
		}
		if err := sw.Close(); err != nil {
			t.Fatal(err)
		}
		testenv.MustEqual(t, fmt.Sprintf("StringsWriter %v", argsOf(o)), out.Bytes(), gnuStrings(t, path, argsOf(o)...))
	}
}

// StringsList finds the same strings: formatted as strings prints them,
// they are its text; the text is cut at maxText characters, Len is whole.
func TestStringsList(t *testing.T) {
	data := mixed(500000, 11)
	path := testenv.WriteFile(t, "l", data)
	f := open(t, path)
	for _, o := range []StringsOptions{{Radix: 'd'}, {Radix: 'x', Encoding: 'l', Min: 3}, {Radix: 'o', Encoding: 'S', Min: 9}} {
		var text []byte
		var short []Found
		err := stringsList(context.Background(), f, 0, f.Size(), o, 1<<20, func(b []Found) bool {
			for _, s := range b {
				text = appendOffset(text, s.Off, o.Radix)
				text = append(append(text, s.Text...), '\n')
			}
			return true
		}, nil, tuning{seg: 10007, chunk: 4096})
		if err != nil {
			t.Fatal(err)
		}
		testenv.MustEqual(t, fmt.Sprintf("StringsList %v", argsOf(o)), text, gnuStrings(t, path, argsOf(o)...))
		err = StringsList(context.Background(), f, 0, f.Size(), o, 5, func(b []Found) bool {
			short = append(short, b...)
			return true
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		long := 0
		for _, s := range short {
			if want := min(s.Len, 5); int64(len(s.Text)) != want {
				t.Fatalf("%v: string at %d of %d characters: text %q, want %d characters", argsOf(o), s.Off, s.Len, s.Text, want)
			}
			if s.Len > 5 {
				long++
			}
		}
		if long == 0 {
			t.Fatalf("%v: no string longer than 5 characters to cut", argsOf(o))
		}
	}
}

// Bad options are refused with the reason; a cancelled context stops the
// scan with its error; a writer that fails stops it with that error.
func TestStringsErrors(t *testing.T) {
	path := testenv.WriteFile(t, "e", mixed(1<<20, 5))
	f := open(t, path)
	for o, want := range map[StringsOptions]string{
		{Min: -1}:       "invalid strings option: minimum string length -1 (must be at least 1)",
		{Radix: 'q'}:    `invalid strings option: offset format 'q' (d, o or x)`,
		{Encoding: 'u'}: `invalid strings option: encoding 'u' (s, S, b, l, B or L)`,
	} {
		err := Strings(context.Background(), f, 0, f.Size(), o, &bytes.Buffer{}, nil)
		if err == nil || err.Error() != want || !errors.Is(err, ErrStringsOption) {
			t.Errorf("%+v: error %v, want %q", o, err, want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Strings(ctx, f, 0, f.Size(), StringsOptions{}, &bytes.Buffer{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
	if err := Strings(ctx, f, 0, f.Size(), StringsOptions{Encoding: 'l'}, &bytes.Buffer{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled (16-bit): error %v", err)
	}
	boom := errors.New("boom")
	if err := stringsText(context.Background(), f, 0, f.Size(), StringsOptions{}, failWriter{boom}, nil, tuning{seg: 4096, chunk: 4096}); err != boom {
		t.Errorf("failing writer: error %v, want %v", err, boom)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// mask64 agrees with the table for every byte value at every position.
func TestMask64(t *testing.T) {
	for _, enc := range []byte("sS") {
		g := graphicTable(enc)
		var b [64]byte
		for v := range 256 {
			for pos := range 64 {
				for k := range b {
					b[k] = byte(v + k*37)
				}
				b[pos] = byte(v)
				m := mask64(&b, enc == 'S')
				for k := range b {
					if (m>>k&1 == 1) != g[b[k]] {
						t.Fatalf("-e %c: byte %#x at %d: mask says %v", enc, b[k], k, m>>k&1 == 1)
					}
				}
			}
		}
	}
}
