package shape

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"mmhex/mapping"
)

// StringsOptions are GNU strings' -n, -t and -e.
type StringsOptions struct {
	Min      int  // -n: the shortest string printed; 0 = 4
	Radix    byte // -t: 'd', 'o' or 'x' prints each string's offset; 0 = none
	Encoding byte // -e: 's' (7-bit, the default when 0), 'S' (8-bit), 'b'/'l' (16-bit big/little endian), 'B'/'L' (32-bit)
}

// ErrStringsOption is a bad StringsOptions value.
var ErrStringsOption = errors.New("invalid strings option")

func (o StringsOptions) norm() (StringsOptions, error) {
	if o.Min == 0 {
		o.Min = 4
	}
	if o.Encoding == 0 {
		o.Encoding = 's'
	}
	if o.Min < 1 {
		return o, fmt.Errorf("%w: minimum string length %d (must be at least 1)", ErrStringsOption, o.Min)
	}
	switch o.Radix {
	case 0, 'd', 'o', 'x':
	default:
		return o, fmt.Errorf("%w: offset format %q (d, o or x)", ErrStringsOption, o.Radix)
	}
	switch o.Encoding {
	case 's', 'S', 'b', 'l', 'B', 'L':
	default:
		return o, fmt.Errorf("%w: encoding %q (s, S, b, l, B or L)", ErrStringsOption, o.Encoding)
	}
	return o, nil
}

// Check says whether o is valid (ErrStringsOption).
func (o StringsOptions) Check() error { _, err := o.norm(); return err }

// unitBytes is the size of one character: 1, 2 or 4.
func (o StringsOptions) unitBytes() int {
	switch o.Encoding {
	case 'b', 'l':
		return 2
	case 'B', 'L':
		return 4
	}
	return 1
}

// graphic is GNU strings' STRING_ISGRAPHIC for a character c <= 255:
// tab, ' '..'~', and with -e S every byte above 127.
func graphicTable(enc byte) *[256]bool {
	var g [256]bool
	g['\t'] = true
	for c := 0x20; c <= 0x7e; c++ {
		g[c] = true
	}
	if enc == 'S' {
		for c := 128; c < 256; c++ {
			g[c] = true
		}
	}
	return &g
}

// sink receives the strings found: start(off) when a string of at least
// Min characters starts at byte offset off, then its characters (one byte
// each) in one or more chars calls, then end.
type sink interface {
	start(off int64)
	chars(b []byte)
	end()
}

// extractor is GNU strings' print_strings as a state machine fed chunk by
// chunk (strings.c, binutils 2.40): it reads characters of 1, 2 or 4
// bytes; a run of Min graphic characters starts a string, which goes on
// up to the next non-graphic character. While looking for a run, a
// non-graphic character makes it start again after that character; after
// a string, the bytes of the character that ended it but its first are
// read again (unget_part_char), so a 16/32-bit scan may change alignment
// after each string.
type extractor struct {
	min  int
	enc  byte
	e    int // bytes per character
	g    *[256]bool
	out  sink
	addr int64 // offset of the next byte fed

	// 1-byte characters: the current run of graphic bytes
	runStart int64
	runLen   int    // 0: not in a run
	inStr    bool   // the run is a string: start was called
	pend     []byte // the run's bytes in earlier views, while it is not a string yet
	vbase    int64  // offset of the view being fed

	// 2 and 4-byte characters
	unit      [4]byte
	ul        int   // bytes of unit held
	unitStart int64 // offset of unit[0]
	in        bool  // printing a string
	i         int   // graphic characters found so far (looking for a run)
	start     int64
	buf       []byte // the characters found so far
	one       []byte // chars to hand out while in a string
}

func newExtractor(o StringsOptions, out sink, addr int64) *extractor {
	x := &extractor{min: o.Min, enc: o.Encoding, e: o.unitBytes(), g: graphicTable(o.Encoding), out: out, addr: addr}
	if x.e == 1 {
		x.pend = make([]byte, 0, min(o.Min, 4096))
	} else {
		x.buf = make([]byte, 0, min(o.Min, 4096))
	}
	return x
}

// feed hands the next bytes of the stream to x.
func (x *extractor) feed(b []byte) {
	if x.e == 1 {
		x.feed1(b)
	} else {
		x.feedN(b)
	}
}

func (x *extractor) feed1(b []byte) {
	base := x.addr
	x.addr += int64(len(b))
	x.vbase = base
	i := 0
	if x.min <= 64 {
		eight := x.enc == 'S'
		for ; i+64 <= len(b); i += 64 {
			m := mask64((*[64]byte)(b[i:i+64]), eight)
			if m == 0 {
				if x.runLen > 0 {
					x.endRun()
				}
				continue
			}
			if m == ^uint64(0) {
				x.extend(b, i, 64)
				continue
			}
			lead := bits.TrailingZeros64(^m)
			if lead > 0 || x.runLen > 0 {
				x.extend(b, i, lead)
				x.endRun()
			}
			trail := bits.LeadingZeros64(^m)
			mid := m &^ (1<<(lead+1) - 1)
			if trail > 0 {
				mid &= 1<<(64-trail) - 1
			}
			if mid != 0 {
				for l := longRuns(mid, x.min); l != 0; {
					p := bits.TrailingZeros64(l)
					e := p + bits.TrailingZeros64(^(mid >> p))
					x.out.start(base + int64(i+p))
					x.out.chars(b[i+p : i+e])
					x.out.end()
					l &^= 1<<e - 1
				}
			}
			if trail > 0 {
				x.extend(b, i+64-trail, trail)
			}
		}
	}
	g := x.g
	for ; i < len(b); i++ {
		if g[b[i]] {
			j := i + 1
			for j < len(b) && g[b[j]] {
				j++
			}
			x.extend(b, i, j-i)
			i = j
			if i == len(b) {
				break
			}
		}
		if x.runLen > 0 {
			x.endRun()
		}
	}
	if x.runLen > 0 && !x.inStr {
		x.pend = append(x.pend, b[max(int(x.runStart-base), 0):]...)
	}
}

// extend adds b[j:j+k] (graphic bytes of the view that starts at x.vbase)
// to the current run, starting one when there is none.
func (x *extractor) extend(b []byte, j, k int) {
	if k == 0 {
		return
	}
	if x.runLen == 0 {
		x.runStart = x.vbase + int64(j)
	}
	switch {
	case x.inStr:
		x.out.chars(b[j : j+k])
	case x.runLen+k >= x.min:
		x.out.start(x.runStart)
		if len(x.pend) > 0 {
			x.out.chars(x.pend)
			x.pend = x.pend[:0]
		}
		x.out.chars(b[max(int(x.runStart-x.vbase), 0) : j+k])
		x.inStr = true
	}
	x.runLen = satAdd(x.runLen, k)
}

// endRun: the current run ended (a non-graphic byte, a hole, the end).
func (x *extractor) endRun() {
	if x.inStr {
		x.out.end()
	}
	x.runLen, x.inStr = 0, false
	x.pend = x.pend[:0]
}

// longRuns: bit p is set when bits p..p+min-1 of m are all set.
func longRuns(m uint64, min int) uint64 {
	for have := 1; have < min; {
		s := min - have
		if s > have {
			s = have
		}
		m &= m >> s
		have += s
	}
	return m
}

// mask64 has bit k set when b[k] is graphic (7-bit: tab and ' '..'~';
// eight: also every byte above 127), eight bytes at a time.
func mask64(b *[64]byte, eight bool) uint64 {
	const (
		lo7  = 0x7f7f7f7f7f7f7f7f
		hi   = 0x8080808080808080
		ones = 0x0101010101010101
		tabs = 0x0909090909090909
	)
	var m uint64
	for k := 0; k < 8; k++ {
		w := binary.LittleEndian.Uint64(b[8*k:])
		low := w & lo7
		ge20 := (low + 0x6060606060606060) & hi
		ge7f := (low + ones) & hi
		t := low ^ tabs
		tab := ^((t + lo7) | t) & hi
		h := w & hi
		g := (ge20&^ge7f | tab) &^ h
		if eight {
			g |= h
		}
		m |= ((g >> 7) * 0x0102040810204080 >> 56) << (8 * k)
	}
	return m
}

func satAdd(a, b int) int {
	if a > 1<<40 {
		return a
	}
	return a + b
}

func (x *extractor) feedN(b []byte) {
	for _, c := range b {
		x.byteN(c)
	}
	x.flushOne()
}

func (x *extractor) flushOne() {
	if len(x.one) > 0 {
		x.out.chars(x.one)
		x.one = x.one[:0]
	}
}

func (x *extractor) byteN(c byte) {
	if x.ul == 0 {
		x.unitStart = x.addr
	}
	x.addr++
	x.unit[x.ul] = c
	x.ul++
	if x.ul < x.e {
		return
	}
	x.ul = 0
	var v uint32
	switch x.enc {
	case 'b':
		v = uint32(x.unit[0])<<8 | uint32(x.unit[1])
	case 'l':
		v = uint32(x.unit[1])<<8 | uint32(x.unit[0])
	case 'B':
		v = uint32(x.unit[0])<<24 | uint32(x.unit[1])<<16 | uint32(x.unit[2])<<8 | uint32(x.unit[3])
	case 'L':
		v = uint32(x.unit[3])<<24 | uint32(x.unit[2])<<16 | uint32(x.unit[1])<<8 | uint32(x.unit[0])
	}
	graphic := v <= 255 && x.g[v]
	if !x.in {
		if x.i == 0 {
			x.start = x.unitStart
		}
		if !graphic {
			x.i = 0
			x.buf = x.buf[:0]
			x.unget()
			return
		}
		x.i++
		x.buf = append(x.buf, byte(v))
		if x.i < x.min {
			return
		}
		x.out.start(x.start)
		x.out.chars(x.buf)
		x.in, x.i, x.buf = true, 0, x.buf[:0]
		return
	}
	if graphic {
		x.one = append(x.one, byte(v))
		if len(x.one) >= 4096 {
			x.flushOne()
		}
		return
	}
	x.flushOne()
	x.out.end()
	x.in = false
	x.unget()
}

// unget is unget_part_char after a non-graphic character: the bytes of
// the character after its first are read again.
func (x *extractor) unget() {
	copy(x.unit[:], x.unit[1:x.e])
	x.ul = x.e - 1
	x.unitStart++
}

// steady: not in a string, no character found, and the bytes held are
// zeros: more zeros change nothing but the offsets.
func (x *extractor) steady() bool {
	if x.in || x.i != 0 || x.ul != x.e-1 {
		return false
	}
	for _, c := range x.unit[:x.ul] {
		if c != 0 {
			return false
		}
	}
	return true
}

// gap feeds n zero bytes (a hole) without reading them.
func (x *extractor) gap(n int64) {
	if n <= 0 {
		return
	}
	if x.e == 1 {
		x.endRun()
		x.addr += n
		return
	}
	// Zeros are never graphic: once steady, more zeros only move the
	// offsets.
	for n > 0 && !x.steady() {
		x.byteN(0)
		n--
	}
	x.flushOne()
	x.addr += n
	x.unitStart += n
}

// close is the end of the input: a string being printed ends; a run
// shorter than Min, or a partial character, is dropped.
func (x *extractor) close() {
	if x.e == 1 {
		x.endRun()
		return
	}
	x.flushOne()
	if x.in {
		x.out.end()
		x.in = false
	}
	x.i, x.ul, x.buf = 0, 0, x.buf[:0]
}

// textSink formats strings as GNU strings prints them.
type textSink struct {
	radix byte
	buf   []byte
	flush func([]byte) bool // hands a full buffer out; false: stop
	stop  bool
	free  chan []byte // buffers given back by the consumer
}

func (t *textSink) grow() {
	if t.buf != nil {
		return
	}
	select {
	case t.buf = <-t.free:
		t.buf = t.buf[:0]
	default:
		t.buf = make([]byte, 0, textFlush+textFlush/2)
	}
}

func (t *textSink) start(off int64) {
	t.grow()
	if t.radix != 0 {
		t.buf = appendOffset(t.buf, off, t.radix)
	}
}

func (t *textSink) chars(b []byte) {
	t.grow()
	t.buf = append(t.buf, b...)
	if len(t.buf) >= textFlush {
		t.send()
	}
}

func (t *textSink) end() {
	t.grow()
	t.buf = append(t.buf, '\n')
	if len(t.buf) >= textFlush {
		t.send()
	}
}

func (t *textSink) send() {
	if len(t.buf) == 0 || t.stop {
		t.buf = t.buf[:0]
		return
	}
	if !t.flush(t.buf) {
		t.stop = true
	}
	t.buf = nil
}

const textFlush = 256 << 10

// appendOffset is print_filename_and_address: "%7lo ", "%7lu " or "%7lx ".
func appendOffset(dst []byte, off int64, radix byte) []byte {
	var tmp [24]byte
	u := uint64(off)
	k := len(tmp)
	switch radix {
	case 'x':
		for {
			k--
			tmp[k] = "0123456789abcdef"[u&15]
			if u >>= 4; u == 0 {
				break
			}
		}
	case 'o':
		for {
			k--
			tmp[k] = byte('0' + u&7)
			if u >>= 3; u == 0 {
				break
			}
		}
	default:
		for {
			k--
			tmp[k] = byte('0' + u%10)
			if u /= 10; u == 0 {
				break
			}
		}
	}
	for k > len(tmp)-7 {
		k--
		tmp[k] = ' '
	}
	dst = append(dst, tmp[k:]...)
	return append(dst, ' ')
}

// StringsWriter is the strings engine on a byte stream: write the input
// to it, then Close; the text goes to w as GNU `strings -a` prints it for
// that input (offsets count from 0).
type StringsWriter struct {
	x   *extractor
	t   *textSink
	w   io.Writer
	err error
}

// NewStringsWriter returns a StringsWriter writing to w.
func NewStringsWriter(w io.Writer, o StringsOptions) (*StringsWriter, error) {
	o, err := o.norm()
	if err != nil {
		return nil, err
	}
	sw := &StringsWriter{w: w}
	sw.t = &textSink{radix: o.Radix, flush: func(b []byte) bool {
		if sw.err == nil {
			_, sw.err = w.Write(b)
		}
		return sw.err == nil
	}}
	sw.x = newExtractor(o, sw.t, 0)
	return sw, nil
}

// Write feeds p; it fails only when writing the text failed.
func (sw *StringsWriter) Write(p []byte) (int, error) {
	if sw.err != nil {
		return 0, sw.err
	}
	sw.x.feed(p)
	return len(p), sw.err
}

// Close ends the input and writes what is left.
func (sw *StringsWriter) Close() error {
	sw.x.close()
	sw.t.send()
	return sw.err
}

// StringsSegment is the unit of work of Strings on 1-byte encodings.
const StringsSegment = 16 << 20

// Strings writes to w what `strings -a` with o prints for the bytes
// [off, end) of src (offsets are the file's). For the 7 and 8-bit
// encodings every core works on its own segments (a string is a maximal
// run of graphic bytes, so a segment's strings do not depend on what came
// before it but for the run it starts in); 16 and 32-bit scans are
// sequential (a string's end moves the alignment). Holes are not read.
func Strings(ctx context.Context, src Source, off, end int64, o StringsOptions, w io.Writer, prog Progress) error {
	return stringsText(ctx, src, off, end, o, w, prog, tuning{})
}

// tuning is the segment and view sizes (tests make them small); 0 =
// the defaults.
type tuning struct {
	seg, chunk int64
	workers    int
}

func (t tuning) segment(def int64) int64 {
	if t.seg > 0 {
		return t.seg
	}
	return def
}

func stringsText(ctx context.Context, src Source, off, end int64, o StringsOptions, w io.Writer, prog Progress, tu tuning) error {
	o, err := o.norm()
	if err != nil {
		return err
	}
	off, end = max(off, 0), min(end, src.Size())
	if off >= end {
		return nil
	}
	var werr error
	free := make(chan []byte, 32)
	consume := func(b []byte) bool {
		_, werr = w.Write(b)
		select {
		case free <- b:
		default:
		}
		return werr == nil
	}
	done := func(a, b int64) {
		if prog != nil {
			prog(b-off, end-off)
		}
	}
	if o.unitBytes() > 1 {
		t := &textSink{radix: o.Radix, flush: consume, free: free}
		err = stringsSeq(ctx, src, off, end, o, t, done, tu)
		t.send()
	} else {
		err = ordered(ctx, off, end, tu.segment(StringsSegment), tu.workers, func(ctx context.Context, a, b int64, send func([]byte) bool) error {
			t := &textSink{radix: o.Radix, flush: send, free: free}
			err := stringsSegment(ctx, src, a, b, end, o, t, tu)
			t.send()
			return err
		}, consume, done)
	}
	if werr != nil {
		return werr
	}
	return err
}

// stringsSeq runs one extractor over [off, end).
func stringsSeq(ctx context.Context, src Source, off, end int64, o StringsOptions, out sink, done func(a, b int64), tu tuning) error {
	x := newExtractor(o, out, off)
	var cerr error
	err := src.Sweep(off, end, mapping.ScanOptions{SkipHoles: true, Chunk: tu.chunk}, func(base int64, b []byte) bool {
		x.gap(base - x.addr)
		x.feed(b)
		if done != nil {
			done(off, base+int64(len(b)))
		}
		if cerr = ctx.Err(); cerr != nil {
			return false
		}
		return !stopped(out)
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	x.gap(end - x.addr)
	x.close()
	return nil
}

func stopped(s sink) bool {
	if t, ok := s.(*textSink); ok {
		return t.stop
	}
	if l, ok := s.(*listSink); ok {
		return l.stop
	}
	return false
}

// stringsSegment finds the strings (1-byte characters) that start in
// [a, b): a run that started before a is left to the segment before, and
// the last run is followed past b up to its end (at most limit).
func stringsSegment(ctx context.Context, src Source, a, b, limit int64, o StringsOptions, out sink, tu tuning) error {
	x := newExtractor(o, out, a)
	g := x.g
	from := a
	skipping := false // in the run that began before a
	if a > 0 {
		from = a - 1
		skipping = true
	}
	var cerr error
	next := from // the offset the next view should start at
	err := src.Sweep(from, b, mapping.ScanOptions{SkipHoles: true, Chunk: tu.chunk}, func(base int64, v []byte) bool {
		if base != next {
			skipping = false // a hole: the run before a ended
			x.gap(base - x.addr)
		}
		next = base + int64(len(v))
		if skipping {
			i := 0
			if base == a-1 {
				if !g[v[0]] {
					skipping = false
				}
				i = 1
			}
			for skipping && i < len(v) {
				if !g[v[i]] {
					skipping = false
				}
				i++
			}
			if skipping {
				x.addr = next
				return true
			}
			// the byte at i-1 ended the run: the segment's own bytes
			// start after it
			x.addr = base + int64(i)
			v = v[i:]
		} else if base == a-1 {
			x.addr = a
			v = v[1:]
		}
		x.feed(v)
		if cerr = ctx.Err(); cerr != nil {
			return false
		}
		return !stopped(out)
	})
	if err == nil {
		err = cerr
	}
	if err != nil || stopped(out) {
		return err
	}
	// the run open at b goes on in the next segment's bytes
	if x.runLen > 0 && next == b && b < limit {
		err = src.Sweep(b, limit, mapping.ScanOptions{SkipHoles: true, Chunk: tu.chunk}, func(base int64, v []byte) bool {
			if base != x.addr {
				return false // a hole ends it
			}
			j := 0
			for j < len(v) && g[v[j]] {
				j++
			}
			x.feed(v[:j])
			if j < len(v) {
				return false
			}
			if cerr = ctx.Err(); cerr != nil {
				return false
			}
			return !stopped(out)
		})
		if err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	x.close()
	return nil
}

// Found is one string: the offset of its first byte, its length in
// characters and its first characters (up to the limit StringsList was
// given).
type Found struct {
	Off  int64
	Len  int64
	Text []byte
}

// listSink collects Found values and hands them out in batches.
type listSink struct {
	max   int
	cur   Found
	items []Found
	flush func([]Found) bool
	stop  bool
}

func (l *listSink) start(off int64) { l.cur = Found{Off: off} }

func (l *listSink) chars(b []byte) {
	if room := l.max - len(l.cur.Text); room > 0 {
		l.cur.Text = append(l.cur.Text, b[:min(room, len(b))]...)
	}
	l.cur.Len += int64(len(b))
}

func (l *listSink) end() {
	l.items = append(l.items, l.cur)
	l.cur = Found{}
	if len(l.items) >= 1024 {
		l.send()
	}
}

func (l *listSink) send() {
	if len(l.items) == 0 || l.stop {
		return
	}
	if !l.flush(l.items) {
		l.stop = true
	}
	l.items = nil
}

// StringsList finds the same strings as Strings and hands them to fn in
// batches, in order, each with at most maxText characters of its text,
// until fn returns false (then it returns nil).
func StringsList(ctx context.Context, src Source, off, end int64, o StringsOptions, maxText int, fn func([]Found) bool, prog Progress) error {
	return stringsList(ctx, src, off, end, o, maxText, fn, prog, tuning{})
}

func stringsList(ctx context.Context, src Source, off, end int64, o StringsOptions, maxText int, fn func([]Found) bool, prog Progress, tu tuning) error {
	o, err := o.norm()
	if err != nil {
		return err
	}
	off, end = max(off, 0), min(end, src.Size())
	if off >= end {
		return nil
	}
	done := func(a, b int64) {
		if prog != nil {
			prog(b-off, end-off)
		}
	}
	if o.unitBytes() > 1 {
		l := &listSink{max: maxText, flush: fn}
		err = stringsSeq(ctx, src, off, end, o, l, done, tu)
		l.send()
		return err
	}
	return ordered(ctx, off, end, tu.segment(StringsSegment), tu.workers, func(ctx context.Context, a, b int64, send func([]Found) bool) error {
		l := &listSink{max: maxText, flush: send}
		err := stringsSegment(ctx, src, a, b, end, o, l, tu)
		l.send()
		return err
	}, fn, done)
}
