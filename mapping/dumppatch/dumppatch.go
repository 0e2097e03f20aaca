// Package dumppatch reads a hex dump as text — `xxd` (also `xxd -a`, any
// -c, -g) or `hexdump -C` — or a diff of two such dumps (`diff` normal or
// unified output), and applies it to a file in place: `mmhex patch FILE
// --from-dump DUMP`.
//
// A dump line writes its bytes at its offset, as `xxd -r` does; a `*`
// line (both tools print it for lines equal to the one before) repeats
// the line before it up to the next line's offset. Only the bytes that
// differ from the file's are stored: the zeros of a sparse file's holes
// stay holes. A diff's old lines
// ("<", "-") and context lines (" ") are the bytes the file must hold
// (the --expect of `mmhex patch`), its new lines (">", "+") and context
// lines the bytes to write. Nothing grows the file: a dump reaching past
// its end is refused, and so is any bad line (with its number), before
// anything is written.
package dumppatch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// ErrBadDump: a line is neither an xxd nor a hexdump -C line.
var ErrBadDump = errors.New("not a line of xxd or hexdump -C")

// ErrOldSide: the file does not hold the bytes of a diff's old side.
var ErrOldSide = errors.New("the file does not hold the diff's old side")

// Run is n bytes at an offset.
type Run struct {
	Off  int64
	Data []byte
}

// Patch is a parsed dump: the bytes to write and, from a diff, the bytes
// the file must hold first.
type Patch struct {
	Write  []Run
	Expect []Run
	Diff   bool // read as a diff
}

// side is where a line of a diff goes.
type side int

const (
	both side = iota // a plain dump line, or a diff's context line
	old
	new
)

type dumpLine struct {
	off  int64
	data []byte
	star bool // "*": the line before repeats
}

// parseLine reads one dump line; ok false for lines that carry no bytes
// (an empty line, hexdump -C's final offset-only line).
func parseLine(s string) (dumpLine, bool, error) {
	t := strings.TrimRight(s, " \t\r")
	if t == "" {
		return dumpLine{}, false, nil
	}
	if t == "*" {
		return dumpLine{star: true}, true, nil
	}
	// xxd: "00000010: 4142 4344  ABCD"
	if i := strings.IndexByte(t, ':'); i > 0 && isHex(t[:i]) {
		off, err := strconv.ParseInt(t[:i], 16, 64)
		if err != nil {
			return dumpLine{}, false, err
		}
		rest := t[i+1:]
		if j := strings.Index(rest, "  "); j >= 0 {
			rest = rest[:j] // the text column follows two spaces
		}
		data, err := hexBytes(rest)
		return dumpLine{off: off, data: data}, true, err
	}
	// hexdump -C: "00000010  41 42 43 44  |ABCD|", or the last line,
	// the offset alone (the end of a "*" before it)
	i := strings.IndexByte(t, ' ')
	if i < 0 {
		if isHex(t) {
			off, err := strconv.ParseInt(t, 16, 64)
			return dumpLine{off: off}, err == nil, err
		}
		return dumpLine{}, false, ErrBadDump
	}
	if !isHex(t[:i]) {
		return dumpLine{}, false, ErrBadDump
	}
	off, err := strconv.ParseInt(t[:i], 16, 64)
	if err != nil {
		return dumpLine{}, false, err
	}
	rest := t[i:]
	if j := strings.IndexByte(rest, '|'); j >= 0 {
		rest = rest[:j]
	}
	data, err := hexBytes(rest)
	return dumpLine{off: off, data: data}, true, err
}

func isHex(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// hexBytes reads hex digit pairs; spaces separate groups (a group holds
// whole bytes).
func hexBytes(s string) ([]byte, error) {
	var out []byte
	for _, g := range strings.Fields(s) {
		if len(g)%2 != 0 || !isHexAny(g) {
			return nil, fmt.Errorf("%w: %s is not hex bytes", ErrBadDump, display.Quote(g))
		}
		for k := 0; k < len(g); k += 2 {
			v, _ := strconv.ParseUint(g[k:k+2], 16, 8)
			out = append(out, byte(v))
		}
	}
	return out, nil
}

func isHexAny(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Parse reads a dump (or a diff of dumps) from r; name is for messages.
func Parse(r io.Reader, name string) (*Patch, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", display.Name(name), err)
	}
	// A diff: "<"/">" lines (normal) or "---"/"+++"/"@@" headers (unified).
	diff, unified := false, false
	for _, l := range lines {
		if strings.HasPrefix(l, "< ") || strings.HasPrefix(l, "> ") || strings.HasPrefix(l, "@@ ") {
			diff = true
		}
		unified = unified || strings.HasPrefix(l, "@@ ")
	}
	starErr := func(i int) error {
		return fmt.Errorf("%s: line %d: \"*\" repeats lines the diff does not show: make the dumps without \"*\" (xxd without -a, hexdump -C -v) or diff them with context (diff -u)", display.Name(name), i+1)
	}
	pending := func(prev [3]*dumpLine) bool {
		return prev[old] != nil && prev[old].star || prev[new] != nil && prev[new].star
	}
	p := &Patch{Diff: diff}
	var prev [3]*dumpLine // the last line of the old and the new side, for "*"
	for i, l := range lines {
		sd := both
		if diff {
			switch {
			case strings.HasPrefix(l, "@@"), l != "" && l[0] >= '0' && l[0] <= '9':
				if pending(prev) {
					return nil, starErr(i - 1)
				}
				prev = [3]*dumpLine{} // a new hunk: the lines before it are not in the diff
				continue
			case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"),
				strings.HasPrefix(l, "\\"), l == "" || (l[0] >= '0' && l[0] <= '9'): // hunk headers "3c3", "5,6d4"
				continue
			case strings.HasPrefix(l, "< "):
				sd, l = old, l[2:]
			case strings.HasPrefix(l, "> "):
				sd, l = new, l[2:]
			case l[0] == '-':
				sd, l = old, l[1:]
			case l[0] == '+':
				sd, l = new, l[1:]
			case l[0] == ' ':
				sd, l = both, l[1:]
			default:
				return nil, fmt.Errorf("%s: line %d: not a line of a diff of dumps: %s", display.Name(name), i+1, display.Quote(l))
			}
		}
		d, ok, err := parseLine(l)
		if err != nil {
			if !errors.Is(err, ErrBadDump) {
				err = fmt.Errorf("%w: %v", ErrBadDump, err)
			}
			return nil, fmt.Errorf("%s: line %d: %w: %s", display.Name(name), i+1, err, display.Quote(l))
		}
		if !ok {
			continue
		}
		sides := []side{sd}
		if sd == both {
			sides = []side{old, new}
		}
		for _, x := range sides {
			pl := prev[x]
			if d.star {
				if diff && (pl == nil || !unified) {
					return nil, starErr(i)
				}
				if pl == nil {
					return nil, fmt.Errorf("%s: line %d: \"*\" with no line before it", display.Name(name), i+1)
				}
				pl.star = true // repeat pl until the next line of this side
				continue
			}
			if pl != nil && pl.star {
				n := int64(len(pl.data))
				if n == 0 || d.off < pl.off || (d.off-pl.off)%n != 0 {
					return nil, fmt.Errorf("%s: line %d: after \"*\", offset %#x is not a whole number of %d-byte lines from %#x", display.Name(name), i+1, d.off, n, pl.off)
				}
				for o := pl.off + n; o < d.off; o += n {
					p.add(x, o, pl.data)
				}
			}
			p.add(x, d.off, d.data)
			dd := d
			prev[x] = &dd
		}
	}
	if pending(prev) {
		return nil, starErr(len(lines) - 1)
	}
	if len(p.Write) == 0 {
		return nil, fmt.Errorf("%s: no bytes: not an xxd or hexdump -C dump", display.Name(name))
	}
	return p, nil
}

func (p *Patch) add(x side, off int64, data []byte) {
	switch {
	case x == new:
		p.Write = append(p.Write, Run{off, data})
	case p.Diff:
		p.Expect = append(p.Expect, Run{off, data})
	}
}

// Result is what Apply did.
type Result struct {
	Bytes  int64 // bytes written: those that differed from the file's
	Runs   int   // runs of consecutive bytes written
	Same   int64 // bytes of the dump the file already held (not written)
	Sync   mapping.SyncResult
	Checks int64 // bytes checked against the diff's old side
}

// merge sorts runs and joins adjacent ones; later runs win where they overlap.
func merge(rs []Run) []Run {
	slices.SortStableFunc(rs, func(a, b Run) int {
		switch {
		case a.Off < b.Off:
			return -1
		case a.Off > b.Off:
			return 1
		}
		return 0
	})
	var out []Run
	for _, r := range rs {
		if len(r.Data) == 0 {
			continue
		}
		if k := len(out) - 1; k >= 0 && r.Off <= out[k].Off+int64(len(out[k].Data)) {
			last := &out[k]
			end := r.Off + int64(len(r.Data))
			if lend := last.Off + int64(len(last.Data)); end > lend {
				last.Data = append(last.Data[:r.Off-last.Off], r.Data...)
			} else {
				copy(last.Data[r.Off-last.Off:], r.Data)
			}
			continue
		}
		out = append(out, Run{r.Off, append([]byte(nil), r.Data...)})
	}
	return out
}

// Apply writes p to path in place: it checks every expected byte and the
// file's size first (nothing is written when one fails), stores the bytes
// through a shared mapping and syncs the changed pages with mode.
func Apply(path string, p *Patch, mode mapping.SyncMode) (Result, error) {
	var res Result
	name := display.Name(path)
	f, err := mapping.Open(path, mapping.Options{Write: true})
	if err != nil {
		return res, err
	}
	defer f.Close()
	if f.Mode() == mapping.ReadOnly {
		return res, fmt.Errorf("%s: %w (%s): nothing changed", name, mapping.ErrReadOnly, f.NoticeShort())
	}
	w := merge(p.Write)
	last := w[len(w)-1]
	if end := last.Off + int64(len(last.Data)); end > f.Size() {
		return res, fmt.Errorf("%s: the dump reaches %#x, past the end of the file (size %d): mmhex never grows a file; nothing changed", name, end, f.Size())
	}
	for _, e := range merge(p.Expect) {
		if e.Off+int64(len(e.Data)) > f.Size() {
			return res, fmt.Errorf("%s: the diff's old side reaches %#x, past the end of the file (size %d); nothing changed", name, e.Off+int64(len(e.Data)), f.Size())
		}
		cur := make([]byte, len(e.Data))
		if _, err := f.ReadAt(cur, e.Off); err != nil {
			return res, err
		}
		if !bytes.Equal(cur, e.Data) {
			k := 0
			for cur[k] == e.Data[k] {
				k++
			}
			return res, fmt.Errorf("%s: %w: at %#x the file holds %02x, the diff's old side %02x; nothing changed", name, ErrOldSide, e.Off+int64(k), cur[k], e.Data[k])
		}
		res.Checks += int64(len(e.Data))
	}
	// Only the bytes that differ are written: a dump of the whole file
	// with one byte changed stores that byte, and the "*" lines' zeros
	// over holes stay holes (as xxd -r, which writes no "*" line).
	var all int64
	for _, r := range w {
		all += int64(len(r.Data))
	}
	if w, err = differing(f, w); err != nil {
		return res, err
	}
	for _, r := range w {
		all -= int64(len(r.Data))
	}
	res.Same = all
	// In batches: one fdatasync of the durable journal a batch of runs
	// (a dump of scattered changes is many runs), one undo step for all.
	g := f.Group()
	for len(w) > 0 {
		batch := make([]mapping.Span, 0, min(len(w), 1<<16))
		for _, r := range w[:cap(batch)] {
			batch = append(batch, mapping.Span{Off: r.Off, Data: r.Data})
		}
		k, err := g.WriteSpans(batch)
		for _, r := range batch[:k] {
			res.Bytes += int64(len(r.Data))
		}
		res.Runs += k
		if err != nil {
			return res, err
		}
		w = w[len(batch):]
	}
	res.Sync, err = f.Sync(mode)
	return res, err
}

// sameGap is the longest run of bytes the file already holds that
// differing leaves inside a written run (between two bytes that differ):
// shorter gaps cost less as part of one run than as two.
const sameGap = 16

// differing returns the parts of the runs w whose bytes differ from the
// file's (sub-slices of w's data), reading the file a MiB at a time.
func differing(f *mapping.File, w []Run) ([]Run, error) {
	var out []Run
	cur := make([]byte, 1<<20)
	for _, r := range w {
		start, last := -1, -1 // the open run's first and last differing byte
		flush := func() {
			if start >= 0 {
				out = append(out, Run{r.Off + int64(start), r.Data[start : last+1]})
			}
			start, last = -1, -1
		}
		for base := 0; base < len(r.Data); base += len(cur) {
			n := min(len(cur), len(r.Data)-base)
			if _, err := f.ReadAt(cur[:n], r.Off+int64(base)); err != nil {
				return nil, err
			}
			for i, c := range cur[:n] {
				if c == r.Data[base+i] {
					continue
				}
				j := base + i
				if start >= 0 && j-last > sameGap {
					flush()
				}
				if start < 0 {
					start = j
				}
				last = j
			}
		}
		flush()
	}
	return out, nil
}
