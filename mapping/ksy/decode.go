package ksy

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits bound what one decode may cost, so a hostile .ksy or file can
// neither exhaust memory nor hang.
type Limits struct {
	MaxBytes int64 // largest byte string held in memory (a bytes/str value, zlib in and out)
	MaxItems int64 // most array elements read one after another (variable-size elements)
	MaxDepth int   // deepest nesting of structures and expressions
	MaxWork  int64 // reads and evaluations one call (a Node method) may do
}

// DefaultLimits are the command line's and the editor's.
var DefaultLimits = Limits{MaxBytes: 16 << 20, MaxItems: 1 << 17, MaxDepth: 100, MaxWork: 50_000_000}

// ErrLimit is wrapped by every error that a Limit caused.
var ErrLimit = errors.New("limit reached")

// stream is a byte range a structure is read from: the file itself, a
// part of it (a sized substream), or bytes in memory (zlib output).
type stream struct {
	r     io.ReaderAt
	base  int64 // offset of byte 0 in the file; -1 when not the file's bytes
	size  int64
	cache *blockCache // the decoder's, for the file's bytes; nil otherwise
}

// cursor is a read position in a stream, with the bit reader's state.
type cursor struct {
	io    *stream
	pos   int64
	bits  uint64
	nbits int
}

// Decoder decodes one Spec over one ReaderAt. Its Nodes are safe for use
// from several goroutines (one mutex).
type Decoder struct {
	prim   [8]byte           // readPrim's bytes (the decoder is used under mu)
	types  map[typeKey]*Type // lookupType's answers
	mu     sync.Mutex
	spec   *Spec
	lim    Limits
	file   *stream
	root   *Struct
	work   int64
	depth  int
	consts map[*Expr]Value // switch cases' literal and enum keys
	memo   map[*Expr]Value // values of rootConst expressions

	flats   map[flatKey]*flatLayout // flat types' layouts (nil: not flat)
	flatBuf [maxFlat]byte           // parseFlat's bytes
	termBuf [256]byte               // readTerminated's bytes
}

// NewDecoder prepares spec over r (size bytes). Nothing is read yet.
func NewDecoder(spec *Spec, r io.ReaderAt, size int64, lim Limits) *Decoder {
	d := &Decoder{spec: spec, lim: lim, file: &stream{r: r, base: 0, size: size, cache: &blockCache{}}}
	d.root = &Struct{d: d, t: spec.Root, io: d.file, start: 0}
	d.root.root = d.root
	return d
}

// Struct is one instance of a user type: its seq fields are read on
// demand, in order; its instances when asked.
type Struct struct {
	d      *Decoder
	t      *Type
	io     *stream
	parent *Struct
	root   *Struct
	args   []Value
	start  int64

	le      int // 0 not yet, 1 le, 2 be, 3 none, 4 resolving
	fields  []*Field
	block   []Field // fields[i] is &block[i]
	cur     cursor
	begun   bool
	done    bool
	parsing bool
	err     error
	tail    *Array   // a trailing variable-size array read only when needed
	inst    []*Field // by index in t.Inst
	busy    []bool
	pend    *flatLayout // flat fields not made yet (fillFlatTo), from pendBuf
	pendBuf []byte
}

// Field is one decoded attribute (or array element).
type Field struct {
	A      *Attr
	Owner  *Struct
	io     *stream
	Off    int64 // in io
	Size   int64 // -1 unknown
	Val    Value
	Err    error
	Index  int64 // array element index, -1 otherwise
	ref    *TypeRef
	Bits   int32 // a bit field's width (0: not a bit field)
	BitPos int32 // a bit field's first bit, counted from the first byte's top bit (be) or bottom bit (le)
	Absent bool
}

// noRef is the type of a field read before its type was known.
var noRef TypeRef

// rf is f's type (noRef when none was resolved).
func (f *Field) rf() *TypeRef {
	if f.ref == nil {
		return &noRef
	}
	return f.ref
}

// Value is what an expression or a field holds: int64, float64, bool,
// string, []byte, *Bytes, *Struct, *Array, EnumVal, IOVal or []Value.
type Value any

// Bytes is a byte range not read into memory until used.
type Bytes struct {
	io  *stream
	off int64
	n   int64
}

// EnumVal is an integer with its enum.
type EnumVal struct {
	E *Enum
	V int64
}

// IOVal is a stream and a position in it (_io).
type IOVal struct {
	s   *stream
	pos int64
}

func (d *Decoder) step() error {
	d.work++
	if d.lim.MaxWork > 0 && d.work > d.lim.MaxWork {
		return fmt.Errorf("more than %d decoding steps in one request: %w", d.lim.MaxWork, ErrLimit)
	}
	return nil
}

func (s *stream) read(off, n int64) ([]byte, error) {
	if n < 0 || off < 0 || off > s.size || n > s.size-off {
		return nil, fmt.Errorf("at %s: %d bytes needed, %d left in the stream", s.where(off), n, max(s.size-off, 0))
	}
	b := make([]byte, n)
	if n == 0 {
		return b, nil
	}
	if err := s.fill(off, b); err != nil {
		return nil, err
	}
	return b, nil
}

// fill reads len(b) bytes at off (in range: the caller checked), through
// the block cache when the stream is the file's bytes.
func (s *stream) fill(off int64, b []byte) error {
	if s.cache != nil && len(b) <= blockSize {
		abs := s.base + off
		for len(b) > 0 {
			blk, err := s.cache.block(s.r, abs/blockSize)
			if err != nil {
				return fmt.Errorf("at %s: %w", s.where(off), err)
			}
			in := int(abs % blockSize)
			if in >= len(blk) {
				return fmt.Errorf("at %s: %w", s.where(off), io.ErrUnexpectedEOF)
			}
			k := copy(b, blk[in:])
			b, abs, off = b[k:], abs+int64(k), off+int64(k)
		}
		return nil
	}
	k, err := s.r.ReadAt(b, s.base0()+off)
	if k < len(b) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("at %s: %w", s.where(off), err)
	}
	return nil
}

// peek returns 1 to n bytes at off (in range: the caller checked) from
// the block cache, without a copy; nil when the stream has no cache or
// the block cannot be read (fill says why). They are valid until the
// next read.
func (s *stream) peek(off, n int64) []byte {
	if s.cache == nil || n <= 0 {
		return nil
	}
	abs := s.base + off
	blk, err := s.cache.block(s.r, abs/blockSize)
	if err != nil {
		return nil
	}
	in := int(abs % blockSize)
	if in >= len(blk) {
		return nil
	}
	return blk[in:min(len(blk), in+int(n))]
}

// blockSize is the block cache's unit: small reads (a field) come from a
// block read once, instead of one ReadAt each.
const blockSize = 16 << 10

// blockCache keeps the last few blocks of the file read by one decoder.
type blockCache struct {
	idx  [8]int64
	data [8][]byte
	next int
}

func (bc *blockCache) block(r io.ReaderAt, i int64) ([]byte, error) {
	for k := range bc.data {
		if bc.data[k] != nil && bc.idx[k] == i {
			return bc.data[k], nil
		}
	}
	k := bc.next
	bc.next = (bc.next + 1) % len(bc.data)
	buf := bc.data[k]
	if buf == nil {
		buf = make([]byte, blockSize)
	}
	buf = buf[:blockSize]
	n, err := r.ReadAt(buf, i*blockSize)
	if n == 0 && err != nil {
		bc.data[k] = nil
		return nil, err
	}
	bc.idx[k], bc.data[k] = i, buf[:n]
	return buf[:n], nil
}

// base0 is where byte 0 of the stream is in its ReaderAt.
func (s *stream) base0() int64 {
	if s.base < 0 {
		return 0
	}
	return s.base
}

func (s *stream) where(off int64) string {
	if s.base < 0 {
		return fmt.Sprintf("%#x of unpacked data", off)
	}
	return fmt.Sprintf("%#x", s.base+off)
}

func (s *stream) sub(off, n int64) *stream {
	if s.base < 0 {
		return &stream{r: io.NewSectionReader(s.r, off, n), base: -1, size: n}
	}
	return &stream{r: s.r, base: s.base + off, size: n, cache: s.cache}
}

func (d *Decoder) readBytes(c *cursor, n int64) ([]byte, error) {
	if err := d.step(); err != nil {
		return nil, err
	}
	if d.lim.MaxBytes > 0 && n > d.lim.MaxBytes {
		return nil, fmt.Errorf("at %s: %d bytes is more than the %d held in memory: %w", c.io.where(c.pos), n, d.lim.MaxBytes, ErrLimit)
	}
	b, err := c.io.read(c.pos, n)
	if err != nil {
		return nil, err
	}
	c.pos += n
	return b, nil
}

// Materialise reads a Bytes value.
func (d *Decoder) bytesOf(b *Bytes) ([]byte, error) {
	c := cursor{io: b.io, pos: b.off}
	return d.readBytes(&c, b.n)
}

// --- structures -----------------------------------------------------------

func (d *Decoder) newStruct(t *Type, io *stream, start int64, parent *Struct, args []Value) *Struct {
	return &Struct{d: d, t: t, io: io, start: start, parent: parent, root: d.root, args: args}
}

// endian resolves the struct's byte order: 1 le, 2 be, 3 none given.
func (s *Struct) endian() (int, error) {
	if s.le != 0 && s.le != 4 {
		return s.le, nil
	}
	if s.le == 4 {
		return 0, fmt.Errorf("%s: the endian switch depends on itself", s.t.Name)
	}
	for t := s.t; t != nil; t = t.Parent {
		switch t.endian {
		case 1, 2:
			s.le = t.endian
			return s.le, nil
		case 3:
			if t == s.t {
				s.le = 4
				le, err := s.switchEndian()
				if err != nil {
					s.le = 0
					return 0, err
				}
				s.le = le
				return le, nil
			}
			// a switched enclosing type: the byte order comes with the parent
			t = nil
		}
		if t == nil {
			break
		}
	}
	if s.parent != nil {
		le, err := s.parent.endian()
		if err != nil {
			return 0, err
		}
		s.le = le
		return le, nil
	}
	s.le = 3
	return 3, nil
}

func (s *Struct) switchEndian() (int, error) {
	t := s.t
	v, err := s.d.eval(t.endianOn, &ctx{s: s})
	if err != nil {
		return 0, &SpecError{File: t.Spec.File, Line: t.Line, Msg: "endian switch-on: " + err.Error()}
	}
	for _, c := range t.endianCase {
		if c.key == nil {
			return pick(c.le), nil
		}
		k, err := s.d.eval(c.key, &ctx{s: s})
		if err != nil {
			return 0, err
		}
		if eq, _ := equal(v, k); eq {
			return pick(c.le), nil
		}
	}
	return 0, fmt.Errorf("%s: no endian case for %s", t.Name, show(v))
}

func pick(le bool) int {
	if le {
		return 1
	}
	return 2
}

// parseUpTo reads seq fields until n are read (or the seq ends, or an
// error stops it).
func (s *Struct) parseUpTo(n int) {
	if !s.begun {
		s.begun = true
		s.cur = cursor{io: s.io, pos: s.start}
	}
	if s.pend != nil {
		s.fillFlatTo(n)
		return
	}
	if s.parsing {
		return
	}
	s.parsing = true
	defer func() { s.parsing = false }()
	s.d.depth++
	defer func() { s.d.depth-- }()
	if s.d.lim.MaxDepth > 0 && s.d.depth > s.d.lim.MaxDepth {
		if s.err == nil {
			s.err = fmt.Errorf("%s: structures nested more than %d deep: %w", s.t.Name, s.d.lim.MaxDepth, ErrLimit)
		}
		s.done = true
		return
	}
	if len(s.fields) == 0 && !s.done && n > 0 {
		if l := s.flat(); l != nil && s.parseFlat(l) {
			return
		}
	}
	for len(s.fields) < n && !s.done {
		i := len(s.fields)
		if i == len(s.t.Seq) {
			s.done = true
			break
		}
		a := s.t.Seq[i]
		if s.fields == nil {
			s.fields = make([]*Field, 0, len(s.t.Seq))
			s.block = make([]Field, len(s.t.Seq)) // the fields, allocated together
		}
		f := &s.block[i]
		s.d.readAttrTo(f, a, s, &s.cur, i == len(s.t.Seq)-1)
		s.fields = append(s.fields, f)
		if arr, ok := f.Val.(*Array); ok && arr.deferred {
			s.tail = arr
		}
		if _, skipped := f.Val.(*unsupportedVal); f.Err != nil && !skipped {
			s.err = f.Err
			s.done = true
		}
		if len(s.fields) == len(s.t.Seq) {
			s.done = true
		}
	}
}

// parseAll reads every seq field (not a deferred trailing array).
func (s *Struct) parseAll() { s.parseUpTo(len(s.t.Seq)) }

// end is where the struct's seq ends in its stream.
func (s *Struct) end() (int64, error) {
	s.parseAll()
	if s.err != nil {
		return 0, s.err
	}
	if s.tail != nil {
		if err := s.tail.parseTo(-1); err != nil {
			return 0, err
		}
		s.cur.pos = s.tail.end
		s.cur.nbits = 0
		s.tail = nil
	}
	return s.cur.pos, nil
}

// field returns the seq field or instance called name.
func (s *Struct) field(name string) (*Field, error) {
	if k, ok := s.t.seqBy[name]; ok {
		if k >= len(s.fields) && s.parsing {
			return nil, fmt.Errorf("%s is used before it is read", name)
		}
		s.parseUpTo(k + 1)
		if k >= len(s.fields) {
			if s.err != nil {
				return nil, s.err
			}
			return nil, fmt.Errorf("%s was not read", name)
		}
		return s.fields[k], nil
	}
	if a, ok := s.t.instBy[name]; ok {
		return s.instance(a), nil
	}
	return nil, nil
}

func (s *Struct) instance(a *Attr) *Field {
	i := slices.Index(s.t.Inst, a)
	if i < 0 { // not one of s.t's (no caller does this)
		return s.d.readInstance(a, s)
	}
	if s.inst == nil {
		s.inst = make([]*Field, len(s.t.Inst))
		s.busy = make([]bool, len(s.t.Inst))
	}
	if f := s.inst[i]; f != nil {
		return f
	}
	if s.busy[i] {
		return &Field{A: a, Owner: s, Err: attrErr(a, fmt.Errorf("depends on itself")), Size: -1, Index: -1}
	}
	s.busy[i] = true
	f := s.d.readInstance(a, s)
	s.busy[i] = false
	if !errors.Is(f.Err, ErrLimit) { // a limit may pass on another request
		s.inst[i] = f
	}
	return f
}

func (d *Decoder) readInstance(a *Attr, s *Struct) *Field {
	field := func() *Field { // the answer when it is not readAttr's
		return &Field{A: a, Owner: s, Size: -1, Index: -1, Off: -1}
	}
	fail := func(err error) *Field {
		f := field()
		f.Err = attrErr(a, err)
		return f
	}
	if a.unsupported != nil {
		return fail(a.unsupported)
	}
	if a.If != nil {
		ok, err := d.evalBool(a.If, &ctx{s: s})
		if err != nil {
			return fail(err)
		}
		if !ok {
			f := field()
			f.Absent = true
			return f
		}
	}
	if a.Value != nil {
		v, err := d.eval(a.Value, &ctx{s: s})
		if err != nil {
			return fail(err)
		}
		if a.Enum != "" {
			if iv, ok := v.(int64); ok {
				v, err = d.enumOf(a, s, iv)
				if err != nil {
					return fail(err)
				}
			}
		}
		f := field()
		f.Val = v
		return f
	}
	io := s.io
	if a.IO != nil {
		v, err := d.eval(a.IO, &ctx{s: s})
		if err != nil {
			return fail(err)
		}
		iv, ok := v.(IOVal)
		if !ok {
			return fail(fmt.Errorf("io: %s is not a stream", a.IO))
		}
		io = iv.s
	}
	var pos int64
	if a.Pos != nil {
		v, err := d.eval(a.Pos, &ctx{s: s})
		if err != nil {
			return fail(err)
		}
		p, ok := v.(int64)
		if !ok {
			return fail(fmt.Errorf("pos: %s is not an integer", a.Pos))
		}
		pos = p
	} else {
		e, err := s.end()
		if err != nil {
			return fail(err)
		}
		pos = e
	}
	fc := &struct { // one allocation
		f Field
		c cursor
	}{c: cursor{io: io, pos: pos}}
	d.readAttrTo(&fc.f, a, s, &fc.c, true)
	return &fc.f
}

func attrErr(a *Attr, err error) error {
	var se *SpecError
	if errors.As(err, &se) {
		return err
	}
	return &SpecError{File: a.Spec.File, Line: a.Line, Msg: a.ID + ": " + err.Error()}
}

// readAttrTo reads attribute a of s at c (seq field or instance) into f,
// with its if, repeat, and validation. last: nothing after it needs its
// end.
func (d *Decoder) readAttrTo(f *Field, a *Attr, s *Struct, c *cursor, last bool) {
	*f = Field{A: a, Owner: s, io: c.io, Off: c.pos, Size: -1, Index: -1}
	if a.unsupported != nil {
		f.Err = a.unsupported
		// go past it when its size is known, so the rest can be read
		if a.Size != nil && a.Repeat == repNone {
			if v, err := d.eval(a.Size, &ctx{s: s, c: c}); err == nil {
				if n, ok := v.(int64); ok && n >= 0 && c.pos+n <= c.io.size {
					c.pos += n
					f.Size = n
					f.Val = &unsupportedVal{a.unsupported}
				}
			}
		}
		return
	}
	if a.If != nil {
		ok, err := d.evalBool(a.If, &ctx{s: s, c: c})
		if err != nil {
			f.Err = attrErr(a, err)
			return
		}
		if !ok {
			f.Absent = true
			f.Size = 0
			return
		}
	}
	if a.Repeat != repNone {
		arr, err := d.newArray(a, s, c, last)
		f.Val = arr
		if err != nil {
			f.Err = attrErr(a, err)
		}
		if arr != nil {
			f.Off = arr.start
			if arr.done {
				f.Size = arr.end - arr.start
			}
		}
		return
	}
	d.readOne(a, s, c, -1, f)
	if f.Err != nil {
		f.Err = attrErr(a, f.Err)
	}
}

// unsupportedVal stands for bytes skipped because their attribute uses a
// construct outside the subset.
type unsupportedVal struct{ err error }

// readOne reads one value of a's type at c into f.
func (d *Decoder) readOne(a *Attr, s *Struct, c *cursor, idx int64, f *Field) {
	if err := d.step(); err != nil {
		f.Err = err
		return
	}
	cx := &ctx{s: s, c: c, idx: idx, inRep: idx >= 0}
	ref := &a.Type
	if ref.kind == kSwitch {
		var err error
		ref, err = d.switchCase(a, cx)
		if err != nil {
			f.Err = err
			return
		}
	}
	f.ref = ref
	if ref.kind != kBits {
		c.nbits = 0 // byte-aligned from here
	}
	f.io, f.Off = c.io, c.pos
	d.readValue(a, s, c, cx, ref, f)
	if f.Size < 0 && ref.kind != kBits && (f.Err == nil || c.pos > f.Off) {
		f.Size = c.pos - f.Off // what was read, also when it was wrong
	}
}

// readValue is readOne's read of the value, its type resolved.
func (d *Decoder) readValue(a *Attr, s *Struct, c *cursor, cx *ctx, ref *TypeRef, f *Field) {
	if a.Size != nil || a.SizeEOS {
		var n int64
		if a.SizeEOS {
			n = c.io.size - c.pos
		} else {
			v, err := d.eval(a.Size, cx)
			if err != nil {
				f.Err = fmt.Errorf("size: %w", err)
				return
			}
			iv, ok := v.(int64)
			if !ok {
				f.Err = fmt.Errorf("size: %s is not an integer", a.Size)
				return
			}
			n = iv
		}
		if n < 0 || n > c.io.size-c.pos {
			f.Err = fmt.Errorf("at %s: size %d, but %d bytes are left in the stream", c.io.where(c.pos), n, max(c.io.size-c.pos, 0))
			return
		}
		sub := c.io.sub(c.pos, n)
		c.pos += n
		f.Size = n
		if a.Process == "zlib" {
			in, err := d.readBytes(&cursor{io: sub}, n)
			if err != nil {
				f.Err = err
				return
			}
			zr, err := zlib.NewReader(bytes.NewReader(in))
			if err != nil {
				f.Err = fmt.Errorf("process: zlib: %s", strings.TrimPrefix(err.Error(), "zlib: "))
				return
			}
			out, err := io.ReadAll(io.LimitReader(zr, d.lim.MaxBytes+1))
			if err != nil {
				f.Err = fmt.Errorf("process: zlib: %s", strings.TrimPrefix(err.Error(), "zlib: "))
				return
			}
			if int64(len(out)) > d.lim.MaxBytes {
				f.Err = fmt.Errorf("process: zlib: more than %d bytes unpacked: %w", d.lim.MaxBytes, ErrLimit)
				return
			}
			sub = &stream{r: bytes.NewReader(out), base: -1, size: int64(len(out))}
		}
		sc := cursor{io: sub}
		switch ref.kind {
		case kBytes:
			if a.Terminator >= 0 || a.PadRight >= 0 {
				b, err := d.readBytes(&sc, sub.size)
				if err != nil {
					f.Err = err
					return
				}
				f.Val = trimBytes(b, a, "")
				return
			}
			f.Val = &Bytes{io: sub, off: 0, n: sub.size}
		case kStr, kStrz:
			b, err := d.readBytes(&sc, sub.size)
			if err != nil {
				f.Err = err
				return
			}
			str, err := decodeStr(trimBytes(b, a, d.encoding(a)), d.encoding(a))
			f.Val, f.Err = str, err
		case kUser:
			st, err := d.userStruct(a, ref, s, sub, 0, cx)
			if err != nil {
				f.Err = err
				return
			}
			f.Val = st
		default:
			v, err := d.readPrim(a, ref, s, &sc)
			f.Val, f.Err = v, err
		}
		return
	}
	if a.Contents != nil {
		b, err := d.readBytes(c, int64(len(a.Contents)))
		if err != nil {
			f.Err = err
			return
		}
		f.Val = b
		if !bytes.Equal(b, a.Contents) {
			f.Err = fmt.Errorf("contents: expected % x, found % x", a.Contents, b)
		}
		return
	}
	switch ref.kind {
	case kBytes, kStr, kStrz:
		if a.Terminator < 0 {
			f.Err = fmt.Errorf("no size and no terminator")
			return
		}
		b, err := d.readTerminated(a, c, ref.kind != kBytes)
		if err != nil {
			f.Err = err
			return
		}
		if ref.kind == kBytes {
			f.Val = b
			return
		}
		str, err := decodeStr(b, d.encoding(a))
		f.Val, f.Err = str, err
	case kUser:
		st, err := d.userStruct(a, ref, s, c.io, c.pos, cx)
		if err != nil {
			f.Err = err
			return
		}
		f.Val = st
		if n := d.staticSize(st.t); n >= 0 && len(st.t.Params) == 0 {
			if n > c.io.size-c.pos {
				f.Err = fmt.Errorf("at %s: %s needs %d bytes, %d are left", c.io.where(c.pos), st.t.Name, n, c.io.size-c.pos)
				return
			}
			c.pos += n
			return
		}
		e, err := st.end()
		if err != nil {
			f.Err = err
			f.Size = max(st.cur.pos-f.Off, 0)
			return
		}
		c.pos = e
	case kBits:
		if c.nbits > 0 {
			f.Off = c.pos - 1
		}
		v, bitPos, err := d.readBits(c, ref)
		f.Bits, f.BitPos = int32(ref.width), int32(bitPos)
		f.Size = int64((bitPos + ref.width + 7) / 8)
		if err != nil {
			f.Err = err
			return
		}
		if ref.width == 1 && a.Enum == "" {
			f.Val = v == 1 // b1 is a boolean, as in Kaitai
			return
		}
		f.Val, f.Err = d.withEnum(a, s, v)
	default:
		v, err := d.readPrim(a, ref, s, c)
		if err != nil {
			f.Err = err
			return
		}
		f.Val, f.Err = d.withEnum(a, s, v)
	}
	if f.Err == nil && a.Valid != nil {
		f.Err = d.validate(a, s, f.Val)
	}
}

func (d *Decoder) encoding(a *Attr) string {
	e := a.Encoding
	if e == "" {
		e = a.Spec.Encoding
	}
	if e == "" {
		e = "UTF-8"
	}
	n, _ := normEncoding(e)
	return n
}

func (d *Decoder) withEnum(a *Attr, s *Struct, v Value) (Value, error) {
	if a.Enum == "" {
		return v, nil
	}
	iv, ok := v.(int64)
	if !ok {
		return v, fmt.Errorf("enum %s on a value that is not an integer", a.Enum)
	}
	return d.enumOf(a, s, iv)
}

func (d *Decoder) enumOf(a *Attr, s *Struct, v int64) (Value, error) {
	e := s.t.lookupEnum(a.enumPath)
	if e == nil {
		return v, fmt.Errorf("enum %s is not defined", a.Enum)
	}
	return EnumVal{E: e, V: v}, nil
}

func (d *Decoder) validate(a *Attr, s *Struct, v Value) error {
	vd := a.Valid
	cx := &ctx{s: s, cur: v, hasCur: true}
	check := func(what string, e *Expr, ok func(Value) (bool, error)) error {
		if e == nil {
			return nil
		}
		want, err := d.eval(e, cx)
		if err != nil {
			return fmt.Errorf("valid/%s: %w", what, err)
		}
		good, err := ok(want)
		if err != nil {
			return fmt.Errorf("valid/%s: %w", what, err)
		}
		if !good {
			return fmt.Errorf("valid/%s: %s is not %s %s", what, show(v), map[string]string{"eq": "==", "min": ">=", "max": "<="}[what], show(want))
		}
		return nil
	}
	if err := check("eq", vd.Eq, func(w Value) (bool, error) { return equal(v, w) }); err != nil {
		return err
	}
	if err := check("min", vd.Min, func(w Value) (bool, error) { c, err := compare(v, w); return c >= 0, err }); err != nil {
		return err
	}
	if err := check("max", vd.Max, func(w Value) (bool, error) { c, err := compare(v, w); return c <= 0, err }); err != nil {
		return err
	}
	if len(vd.AnyOf) > 0 {
		found := false
		for _, e := range vd.AnyOf {
			w, err := d.eval(e, cx)
			if err != nil {
				return fmt.Errorf("valid/any-of: %w", err)
			}
			if eq, _ := equal(v, w); eq {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("valid/any-of: %s is none of them", show(v))
		}
	}
	if vd.Expr != nil {
		ok, err := d.evalBool(vd.Expr, cx)
		if err != nil {
			return fmt.Errorf("valid/expr: %w", err)
		}
		if !ok {
			return fmt.Errorf("valid/expr: %s is false for %s", vd.Expr, show(v))
		}
	}
	return nil
}

// bytesRef is the type of a switch with no case for its value, when the
// attribute has a size.
var bytesRef = TypeRef{kind: kBytes, text: "bytes"}

func (d *Decoder) switchCase(a *Attr, cx *ctx) (*TypeRef, error) {
	v, err := d.eval(a.SwitchOn, cx)
	if err != nil {
		return nil, fmt.Errorf("switch-on: %w", err)
	}
	var dflt *TypeRef
	for i := range a.Cases {
		c := &a.Cases[i]
		if c.key == nil {
			dflt = &c.ref
			continue
		}
		k, err := d.constant(c.key, cx)
		if err != nil {
			return nil, fmt.Errorf("switch case %s: %w", c.key, err)
		}
		if eq, _ := equal(v, k); eq {
			return &c.ref, nil
		}
	}
	if dflt != nil {
		return dflt, nil
	}
	if a.Size != nil || a.SizeEOS {
		return &bytesRef, nil
	}
	return nil, fmt.Errorf("no switch case for %s", show(v))
}

// constant evaluates a switch case's key: literals and enum members are
// the same every time, so they are evaluated once per decoder.
func (d *Decoder) constant(e *Expr, cx *ctx) (Value, error) {
	if e.kind != eInt && e.kind != eStr && e.kind != eBool && e.kind != eEnum {
		return d.eval(e, cx)
	}
	if v, ok := d.consts[e]; ok {
		return v, nil
	}
	v, err := d.eval(e, cx)
	if err == nil {
		if d.consts == nil {
			d.consts = map[*Expr]Value{}
		}
		d.consts[e] = v
	}
	return v, err
}

func (d *Decoder) userStruct(a *Attr, ref *TypeRef, s *Struct, io *stream, pos int64, cx *ctx) (*Struct, error) {
	t := d.lookupType(s.t, ref.user)
	if t == nil {
		return nil, fmt.Errorf("type %s is not defined", ref.user)
	}
	if len(ref.args) != len(t.Params) {
		return nil, fmt.Errorf("type %s takes %d parameters, %d given", t.Name, len(t.Params), len(ref.args))
	}
	var args []Value
	for _, e := range ref.args {
		v, err := d.eval(e, cx)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", e, err)
		}
		args = append(args, v)
	}
	return d.newStruct(t, io, pos, s, args), nil
}

type typeKey struct {
	t    *Type
	name string
}

// lookupType is t.lookupType(name), remembered by the decoder.
func (d *Decoder) lookupType(t *Type, name string) *Type {
	k := typeKey{t, name}
	if r, ok := d.types[k]; ok {
		return r
	}
	r := t.lookupType(name)
	if d.types == nil {
		d.types = map[typeKey]*Type{}
	}
	d.types[k] = r
	return r
}

// staticMu guards Type.static: decoders of one Spec may run on several
// goroutines (the editor's panel and its locate request).
var staticMu sync.Mutex

// staticSize is t's size when it is the same for every instance, else -1.
func (d *Decoder) staticSize(t *Type) int64 {
	staticMu.Lock()
	defer staticMu.Unlock()
	return d.staticSizeLocked(t)
}

func (d *Decoder) staticSizeLocked(t *Type) int64 {
	if t.static != -2 {
		return t.static
	}
	t.static = -1 // while computing: recursive types are not static
	var n int64
	for _, a := range t.Seq {
		k := attrStatic(d, t, a)
		if k < 0 {
			return -1
		}
		n += k
	}
	t.static = n
	return n
}

func attrStatic(d *Decoder, t *Type, a *Attr) int64 {
	if a.If != nil || a.unsupported != nil || a.Process != "" || a.SizeEOS {
		return -1
	}
	count := int64(1)
	switch a.Repeat {
	case repNone:
	case repExpr:
		if a.RepeatExpr.kind != eInt || a.RepeatExpr.i < 0 {
			return -1
		}
		count = a.RepeatExpr.i
	default:
		return -1
	}
	var one int64 = -1
	switch {
	case a.Size != nil:
		if a.Size.kind == eInt && a.Size.i >= 0 {
			one = a.Size.i
		}
	case a.Contents != nil:
		one = int64(len(a.Contents))
	case a.Type.kind == kInt || a.Type.kind == kFloat:
		one = int64(a.Type.width)
	case a.Type.kind == kUser && len(a.Type.args) == 0:
		if u := t.lookupType(a.Type.user); u != nil && len(u.Params) == 0 {
			one = d.staticSizeLocked(u)
		}
	}
	if one < 0 || (one > 0 && count > math.MaxInt64/one) {
		return -1
	}
	return one * count
}

// trimBytes applies terminator and pad-right to a sized value. In UTF-16
// strings both work on 2-byte units (a terminator 0 is 00 00).
func trimBytes(b []byte, a *Attr, enc string) []byte {
	w := 1
	if strings.HasPrefix(enc, "UTF-16") {
		w = 2
	}
	if a.Terminator >= 0 {
		for i := 0; i+w <= len(b); i += w {
			if b[i] == byte(a.Terminator) && (w == 1 || b[i+1] == byte(a.Terminator)) {
				if a.Include {
					i += w
				}
				b = b[:i]
				break
			}
		}
	}
	if a.PadRight >= 0 {
		p := byte(a.PadRight)
		for len(b) >= w && b[len(b)-1] == p && (w == 1 || b[len(b)-2] == p) {
			b = b[:len(b)-w]
		}
	}
	return b
}

// readTerminated reads up to a terminator (strz, terminator without size).
//
// borrow: the bytes may be the decoder's scratch or its block cache's
// (the caller copies them before the next read).
func (d *Decoder) readTerminated(a *Attr, c *cursor, borrow bool) ([]byte, error) {
	term := byte(a.Terminator)
	wide := a.Type.kind == kStrz && strings.HasPrefix(d.encoding(a), "UTF-16")
	var out []byte
	pos := c.pos
	const chunk = len(d.termBuf)
	for {
		if err := d.step(); err != nil {
			return nil, err
		}
		if pos >= c.io.size {
			if a.EOSError {
				return nil, fmt.Errorf("at %s: no terminator before the end of the stream", c.io.where(c.pos))
			}
			c.pos = pos
			return out, nil
		}
		n := min(int64(chunk), c.io.size-pos)
		b := c.io.peek(pos, n)
		if b == nil {
			b = d.termBuf[:n]
			if err := c.io.fill(pos, b); err != nil {
				return nil, err
			}
		}
		for i := 0; i < len(b); i++ {
			hit := b[i] == term
			if wide {
				at := int(pos-c.pos) + i
				hit = at%2 == 0 && i+1 < len(b) && b[i] == 0 && b[i+1] == 0
			}
			if hit {
				w := 1
				if wide {
					w = 2
				}
				end := i
				if a.Include {
					end += w
				}
				if borrow && out == nil {
					out = b[:end]
				} else {
					out = append(out, b[:end]...)
				}
				c.pos = pos + int64(i)
				if a.Consume {
					c.pos += int64(w)
				}
				return out, nil
			}
		}
		keep := len(b)
		if wide && keep > 1 && keep%2 == 1 {
			keep-- // re-read an odd byte with its pair
		}
		out = append(out, b[:keep]...)
		pos += int64(keep)
		if int64(len(out)) > d.lim.MaxBytes {
			return nil, fmt.Errorf("at %s: no terminator in %d bytes: %w", c.io.where(c.pos), d.lim.MaxBytes, ErrLimit)
		}
	}
}

func (d *Decoder) readPrim(a *Attr, ref *TypeRef, s *Struct, c *cursor) (Value, error) {
	if err := d.step(); err != nil {
		return nil, err
	}
	if c.pos < 0 || c.pos > c.io.size || int64(ref.width) > c.io.size-c.pos {
		return nil, fmt.Errorf("at %s: %d bytes needed, %d left in the stream", c.io.where(c.pos), ref.width, max(c.io.size-c.pos, 0))
	}
	le := ref.endian
	if le == 0 && ref.width > 1 { // before the read: resolving it may read (into d.prim)
		e, err := s.endian()
		if err != nil {
			c.pos += int64(ref.width)
			return nil, err
		}
		if e == 3 {
			c.pos += int64(ref.width)
			return nil, fmt.Errorf("%s has no byte order (meta/endian is missing)", ref.text)
		}
		le = e
	}
	b := d.prim[:ref.width]
	if err := c.io.fill(c.pos, b); err != nil {
		return nil, err
	}
	c.pos += int64(ref.width)
	var u uint64
	switch ref.width {
	case 1:
		u = uint64(b[0])
	case 2:
		if le == 1 {
			u = uint64(binary.LittleEndian.Uint16(b))
		} else {
			u = uint64(binary.BigEndian.Uint16(b))
		}
	case 4:
		if le == 1 {
			u = uint64(binary.LittleEndian.Uint32(b))
		} else {
			u = uint64(binary.BigEndian.Uint32(b))
		}
	case 8:
		if le == 1 {
			u = binary.LittleEndian.Uint64(b)
		} else {
			u = binary.BigEndian.Uint64(b)
		}
	}
	if ref.kind == kFloat {
		if ref.width == 4 {
			return float64(math.Float32frombits(uint32(u))), nil
		}
		return math.Float64frombits(u), nil
	}
	if ref.signed {
		shift := 64 - 8*uint(ref.width)
		return int64(u<<shift) >> shift, nil
	}
	return int64(u), nil
}

// readBits reads a bN field (Kaitai's readBitsIntBe / readBitsIntLe). It
// returns the value and the number of bits of the first byte already used.
func (d *Decoder) readBits(c *cursor, ref *TypeRef) (int64, int, error) {
	n := ref.width
	used := (8 - c.nbits) % 8
	need := n - c.nbits
	var res uint64
	if !ref.bitLE {
		left := (-need) & 7
		if need > 0 {
			b, err := d.readBytes(c, int64((need-1)/8+1))
			if err != nil {
				return 0, 0, err
			}
			for _, x := range b {
				res = res<<8 | uint64(x)
			}
			newBits := res
			res = res >> uint(left)
			if need < 64 {
				res |= c.bits << uint(need)
			}
			c.bits = newBits
		} else {
			res = c.bits >> uint(-need)
		}
		c.bits &= (1 << uint(left)) - 1
		c.nbits = left
	} else {
		if need > 0 {
			b, err := d.readBytes(c, int64((need-1)/8+1))
			if err != nil {
				return 0, 0, err
			}
			for i, x := range b {
				res |= uint64(x) << (8 * uint(i))
			}
			var newBits uint64
			if need < 64 {
				newBits = res >> uint(need)
			}
			res = res<<uint(c.nbits) | c.bits
			c.bits = newBits
		} else {
			res = c.bits
			c.bits >>= uint(n)
		}
		c.nbits = (-need) & 7
	}
	if n < 64 {
		res &= (1 << uint(n)) - 1
	}
	return int64(res), used, nil
}

func decodeStr(b []byte, enc string) (string, error) {
	switch enc {
	case "ASCII":
		for _, x := range b {
			if x >= 0x80 {
				return string(b), fmt.Errorf("byte %#02x is not ASCII", x)
			}
		}
		return string(b), nil
	case "ISO-8859-1":
		r := make([]rune, len(b))
		for i, x := range b {
			r[i] = rune(x)
		}
		return string(r), nil
	case "UTF-16LE", "UTF-16BE":
		u := make([]uint16, len(b)/2)
		for i := range u {
			if enc == "UTF-16LE" {
				u[i] = binary.LittleEndian.Uint16(b[2*i:])
			} else {
				u[i] = binary.BigEndian.Uint16(b[2*i:])
			}
		}
		return string(utf16.Decode(u)), nil
	default:
		if !utf8.Valid(b) {
			return strings.ToValidUTF8(string(b), "\uFFFD"), nil
		}
		return string(b), nil
	}
}

// encodeStr is decodeStr's inverse (for edits).
func encodeStr(s, enc string) ([]byte, error) {
	switch enc {
	case "ASCII":
		for _, r := range s {
			if r >= 0x80 {
				return nil, fmt.Errorf("%q is not ASCII", r)
			}
		}
		return []byte(s), nil
	case "ISO-8859-1":
		var out []byte
		for _, r := range s {
			if r > 0xff {
				return nil, fmt.Errorf("%q is not in ISO-8859-1", r)
			}
			out = append(out, byte(r))
		}
		return out, nil
	case "UTF-16LE", "UTF-16BE":
		u := utf16.Encode([]rune(s))
		out := make([]byte, 2*len(u))
		for i, x := range u {
			if enc == "UTF-16LE" {
				binary.LittleEndian.PutUint16(out[2*i:], x)
			} else {
				binary.BigEndian.PutUint16(out[2*i:], x)
			}
		}
		return out, nil
	}
	return []byte(s), nil
}

// --- arrays ----------------------------------------------------------------

// Array is a repeated attribute. With a fixed element size (stride) any
// element is read on its own; otherwise elements are read in order, only
// as far as asked.
type Array struct {
	d        *Decoder
	a        *Attr
	owner    *Struct
	io       *stream
	start    int64
	stride   int64 // -1: variable
	n        int64 // -1: not known yet
	items    []*Field
	cache    map[int64]*Field
	cur      cursor
	done     bool
	deferred bool
	end      int64
	err      error
}

func (d *Decoder) newArray(a *Attr, s *Struct, c *cursor, last bool) (*Array, error) {
	c.nbits = 0
	arr := &Array{d: d, a: a, owner: s, io: c.io, start: c.pos, stride: -1, n: -1}
	arr.cur = cursor{io: c.io, pos: c.pos}
	if a.Type.kind != kBits && (a.Type.kind != kSwitch || a.Size != nil) && a.Process == "" && !a.RepeatExpr.uses("_") && (a.Repeat != repUntil) {
		arr.stride = d.elemStride(a, s, c)
	}
	if a.Repeat == repExpr {
		v, err := d.eval(a.RepeatExpr, &ctx{s: s, c: c})
		if err != nil {
			return nil, fmt.Errorf("repeat-expr: %w", err)
		}
		n, ok := v.(int64)
		if !ok || n < 0 {
			return nil, fmt.Errorf("repeat-expr: %s is not a count", show(v))
		}
		arr.n = n
	}
	if arr.stride > 0 {
		left := c.io.size - c.pos
		if a.Repeat == repEOS {
			arr.n = (left + arr.stride - 1) / arr.stride
		}
		if arr.n >= 0 {
			arr.done = true
			if arr.n > 0 && arr.n > left/arr.stride {
				arr.end = c.io.size
				c.pos = c.io.size
				if a.Repeat == repEOS {
					return arr, fmt.Errorf("at %s: the last element is cut short by the end of the stream", c.io.where(c.io.size))
				}
				return arr, fmt.Errorf("at %s: %d elements of %d bytes run past the end of the stream (%d bytes left)", c.io.where(arr.start), arr.n, arr.stride, left)
			}
			arr.end = arr.start + arr.n*arr.stride
			c.pos = arr.end
			return arr, nil
		}
	}
	if arr.n == 0 {
		arr.done, arr.end = true, c.pos
		return arr, nil
	}
	if last && a.Pos == nil {
		arr.deferred = true
		return arr, nil
	}
	if err := arr.parseTo(-1); err != nil {
		c.pos = arr.cur.pos
		return arr, err
	}
	c.pos = arr.end
	return arr, nil
}

// elemStride is the size of every element when it is fixed, else -1.
func (d *Decoder) elemStride(a *Attr, s *Struct, c *cursor) int64 {
	if a.Size != nil {
		if a.Size.uses("_index") || a.Size.uses("_") {
			return -1
		}
		v, err := d.eval(a.Size, &ctx{s: s, c: c})
		if n, ok := v.(int64); err == nil && ok && n > 0 {
			return n
		}
		return -1
	}
	if a.Contents != nil {
		return int64(len(a.Contents))
	}
	switch a.Type.kind {
	case kInt, kFloat:
		return int64(a.Type.width)
	case kUser:
		if len(a.Type.args) > 0 {
			return -1
		}
		t := d.lookupType(s.t, a.Type.user)
		if t == nil || len(t.Params) > 0 {
			return -1
		}
		if n := d.staticSize(t); n > 0 {
			return n
		}
	}
	return -1
}

// parseTo reads elements in order until element i is read (i < 0: all).
func (arr *Array) parseTo(i int64) error {
	if arr.stride > 0 || arr.done {
		return arr.err
	}
	d := arr.d
	for !arr.done && (i < 0 || int64(len(arr.items)) <= i) {
		k := int64(len(arr.items))
		if arr.n >= 0 && k >= arr.n {
			arr.finish()
			break
		}
		if arr.a.Repeat == repEOS && arr.cur.pos >= arr.io.size {
			arr.finish()
			break
		}
		if d.lim.MaxItems > 0 && k >= d.lim.MaxItems {
			arr.err = fmt.Errorf("more than %d elements read one by one: %w", d.lim.MaxItems, ErrLimit)
			return arr.err
		}
		f := &Field{A: arr.a, Owner: arr.owner, Size: -1, Index: k}
		d.readOne(arr.a, arr.owner, &arr.cur, k, f)
		arr.items = append(arr.items, f)
		if f.Err != nil {
			arr.err = attrErr(arr.a, fmt.Errorf("[%d]: %w", k, f.Err))
			arr.done = true
			arr.end = arr.cur.pos
			return arr.err
		}
		if arr.a.Repeat == repUntil {
			stop, err := d.evalBool(arr.a.RepeatExpr, &ctx{s: arr.owner, cur: f.Val, hasCur: true, idx: k, inRep: true, c: &arr.cur})
			if err != nil {
				arr.err = attrErr(arr.a, fmt.Errorf("repeat-until: %w", err))
				arr.done = true
				return arr.err
			}
			if stop {
				arr.finish()
			}
		}
	}
	return arr.err
}

func (arr *Array) finish() {
	arr.done = true
	arr.end = arr.cur.pos
	arr.n = int64(len(arr.items))
}

// Len is the number of elements (reading them all when their size varies).
func (arr *Array) Len() (int64, error) {
	if arr.stride > 0 {
		return arr.n, nil
	}
	err := arr.parseTo(-1)
	return int64(len(arr.items)), err
}

// Known is how many elements are known to exist without reading more, and
// whether that is all of them.
func (arr *Array) Known() (int64, bool) {
	if arr.stride > 0 {
		return arr.n, true
	}
	return int64(len(arr.items)), arr.done
}

// At returns element i.
func (arr *Array) At(i int64) (*Field, error) {
	if i < 0 {
		return nil, fmt.Errorf("index %d is negative", i)
	}
	if arr.stride > 0 {
		if i >= arr.n {
			return nil, fmt.Errorf("index %d is out of range (%d elements)", i, arr.n)
		}
		if f := arr.cache[i]; f != nil {
			return f, nil
		}
		c := cursor{io: arr.io, pos: arr.start + i*arr.stride}
		f := &Field{A: arr.a, Owner: arr.owner, Size: -1, Index: i}
		arr.d.readOne(arr.a, arr.owner, &c, i, f)
		if arr.cache == nil || len(arr.cache) > 4096 {
			arr.cache = map[int64]*Field{}
		}
		arr.cache[i] = f
		return f, nil
	}
	if err := arr.parseTo(i); err != nil && i >= int64(len(arr.items)) {
		return nil, err
	}
	if i >= int64(len(arr.items)) {
		return nil, fmt.Errorf("index %d is out of range (%d elements)", i, len(arr.items))
	}
	return arr.items[i], nil
}
