package ksy

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
)

// A flat type is a structure of fixed-size numbers only: every seq
// attribute an integer or a float (or a switch on an expression of _root
// alone whose case is one), with no if, repeat, size, contents, valid or
// process. Its fields sit at fixed offsets, so a structure of it is read
// with one read and offset arithmetic (Struct.parseFlat) instead of one
// interpreted read per field. The result is the same Fields the general
// path makes (TestFlatMatchesGeneral).

// flatLayout is a flat type's fields, for one byte order.
type flatLayout struct {
	fields []flatField
	size   int64
}

type flatField struct {
	a     *Attr
	ref   *TypeRef
	off   int64
	le    bool
	enum  *Enum
	width int
}

type flatKey struct {
	t  *Type
	le int
}

// maxFlat is the largest flat structure read at once (into Decoder.flatBuf).
const maxFlat = 512

// noFlat turns the flat path off (tests compare both paths).
var noFlat = false

// flatCandidate: t's seq could be flat (what does not depend on the
// decoder: the attributes' keys).
func flatCandidate(t *Type) bool {
	if len(t.Seq) == 0 {
		return false
	}
	for _, a := range t.Seq {
		if a.unsupported != nil || a.If != nil || a.Repeat != repNone || a.Size != nil || a.SizeEOS ||
			a.Contents != nil || a.Process != "" || a.Valid != nil || a.Value != nil || a.Pos != nil || a.IO != nil {
			return false
		}
		switch a.Type.kind {
		case kInt, kFloat:
		case kSwitch:
			if a.SwitchOn == nil || !a.SwitchOn.rootConst {
				return false
			}
			for _, c := range a.Cases {
				if c.key != nil && c.key.kind != eInt && c.key.kind != eStr && c.key.kind != eBool && c.key.kind != eEnum {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// flat returns s's layout, or nil when s's type is not flat here (or it
// cannot be told yet: an error on the way, which the general path reports).
func (s *Struct) flat() *flatLayout {
	d := s.d
	if noFlat || !s.t.flatOK() {
		return nil
	}
	le, err := s.endian()
	if err != nil {
		return nil
	}
	k := flatKey{s.t, le}
	if l, ok := d.flats[k]; ok {
		return l
	}
	l, final := s.makeFlat(le)
	if final {
		if d.flats == nil {
			d.flats = map[flatKey]*flatLayout{}
		}
		d.flats[k] = l
	}
	return l
}

// flatOK caches flatCandidate on the type.
func (t *Type) flatOK() bool {
	staticMu.Lock()
	defer staticMu.Unlock()
	if t.flatState == 0 {
		t.flatState = 2
		if flatCandidate(t) {
			t.flatState = 1
		}
	}
	return t.flatState == 1
}

// makeFlat builds the layout; final: the answer holds for the whole
// decoder (no error stopped it).
func (s *Struct) makeFlat(le int) (*flatLayout, bool) {
	d := s.d
	l := &flatLayout{}
	for _, a := range s.t.Seq {
		ref := &a.Type
		if ref.kind == kSwitch {
			r, err := d.switchCase(a, &ctx{s: s})
			if err != nil {
				return nil, false
			}
			ref = r
		}
		if ref.kind != kInt && ref.kind != kFloat {
			return nil, true
		}
		f := flatField{a: a, ref: ref, off: l.size, width: ref.width}
		switch e := ref.endian; {
		case ref.width == 1:
		case e == 1 || e == 2:
			f.le = e == 1
		case le == 1 || le == 2:
			f.le = le == 1
		default:
			return nil, true // no byte order: the general path says so
		}
		if a.Enum != "" {
			if ref.kind != kInt {
				return nil, true
			}
			if f.enum = s.t.lookupEnum(a.enumPath); f.enum == nil {
				return nil, true
			}
		}
		l.fields = append(l.fields, f)
		l.size += int64(ref.width)
	}
	if l.size > maxFlat {
		return nil, true
	}
	return l, true
}

// parseFlat reads all of s's fields with layout l; false: it did not (the
// bytes run past the stream, a limit), and the general path goes on.
func (s *Struct) parseFlat(l *flatLayout) bool {
	d := s.d
	n := int64(len(l.fields))
	if s.start < 0 || s.start > s.io.size || l.size > s.io.size-s.start {
		return false
	}
	if d.lim.MaxWork > 0 && d.work+2*n > d.lim.MaxWork {
		return false
	}
	buf := d.flatBuf[:l.size]
	if err := s.io.fill(s.start, buf); err != nil {
		return false
	}
	d.work += 2 * n // what readOne and readPrim count
	s.fillFlat(l, buf, make([]*Field, len(l.fields)), make([]Field, len(l.fields)))
	return true
}

// uint is the field's bytes in buf (the structure's) as a number.
func (ff *flatField) uint(buf []byte) uint64 {
	b := buf[ff.off : ff.off+int64(ff.width)]
	switch ff.width {
	case 1:
		return uint64(b[0])
	case 2:
		if ff.le {
			return uint64(binary.LittleEndian.Uint16(b))
		}
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		if ff.le {
			return uint64(binary.LittleEndian.Uint32(b))
		}
		return uint64(binary.BigEndian.Uint32(b))
	}
	if ff.le {
		return binary.LittleEndian.Uint64(b)
	}
	return binary.BigEndian.Uint64(b)
}

// int is the field's integer value (what readPrim makes of its bytes).
func (ff *flatField) int(buf []byte) int64 {
	u := ff.uint(buf)
	if ff.ref.signed {
		shift := 64 - 8*uint(ff.width)
		return int64(u<<shift) >> shift
	}
	return int64(u)
}

// fillFlat sets s's fields from buf, the bytes of layout l.
func (s *Struct) fillFlat(l *flatLayout, buf []byte, fields []*Field, block []Field) {
	s.fields, s.block = fields[:0], block
	s.pend, s.pendBuf = l, buf
	s.fillFlatTo(len(l.fields))
}

// fillFlatTo makes the pending flat fields up to n (all of them: the
// structure is done).
func (s *Struct) fillFlatTo(n int) {
	l, buf := s.pend, s.pendBuf
	for i := len(s.fields); i < n && i < len(l.fields); i++ {
		ff := &l.fields[i]
		var v Value
		switch {
		case ff.ref.kind == kFloat && ff.width == 4:
			v = float64(math.Float32frombits(uint32(ff.uint(buf))))
		case ff.ref.kind == kFloat:
			v = math.Float64frombits(ff.uint(buf))
		case ff.enum != nil:
			v = EnumVal{E: ff.enum, V: ff.int(buf)}
		default:
			v = ff.int(buf)
		}
		f := &s.block[i]
		*f = Field{A: ff.a, Owner: s, io: s.io, Off: s.start + ff.off, Size: int64(ff.width), Val: v, Index: -1, ref: ff.ref}
		s.fields = append(s.fields, f)
	}
	if len(s.fields) == len(l.fields) {
		s.cur = cursor{io: s.io, pos: s.start + l.size}
		s.done = true
		s.pend, s.pendBuf = nil, nil
	}
}

// flatArray is what writing the elements of an array of a flat type
// needs: the layout with each field's JSON text around its numbers, and
// a scratch structure the elements' instances are evaluated in.
type flatArray struct {
	l       *flatLayout
	t       *Type
	keys    []string    // `},"name":{"type":"u4","offset":` (the first: `,"size":64,"fields":{"name"…`)
	mids    []string    // `,"size":4,"value":`
	head    string      // `{"type":"name","offset":`
	sized   bool        // the elements are read in substreams of stride bytes
	buf     []byte      // the element's bytes
	strz    []*strzPlan // by instance: a string read at a field's value (nil: the general path)
	scratch Struct
	sub     stream
}

// flatItems returns arr's flatArray, nil when its elements are not all of
// one flat type of integers read at a fixed stride from the file's bytes.
func (d *Decoder) flatItems(arr *Array) *flatArray {
	a := arr.a
	if noFlat || arr.stride <= 0 || !arr.done || arr.err != nil || arr.io.base < 0 ||
		a.Type.kind != kUser || len(a.Type.args) > 0 || a.Process != "" || a.Contents != nil || a.Valid != nil ||
		a.Size.uses("_io") || a.Size.uses("_index") || a.Size.uses("_") {
		return nil
	}
	t := d.lookupType(arr.owner.t, a.Type.user)
	if t == nil || len(t.Params) > 0 {
		return nil
	}
	fa := &flatArray{t: t, sized: a.Size != nil}
	fa.scratch = Struct{d: d, t: t, io: arr.io, parent: arr.owner, root: d.root}
	if fa.sized {
		fa.sub = stream{r: arr.io.r, base: arr.io.base + arr.start, size: arr.stride, cache: arr.io.cache}
		fa.scratch.io = &fa.sub
	} else {
		fa.scratch.start = arr.start
	}
	fa.l = fa.scratch.flat()
	if fa.l == nil || fa.l.size > arr.stride || (!fa.sized && fa.l.size != arr.stride) {
		return nil
	}
	fa.buf = make([]byte, fa.l.size)
	for i, ff := range fa.l.fields {
		if ff.ref.kind != kInt {
			return nil
		}
		name := ff.a.ID
		if name == "" {
			name = fmt.Sprintf("_unnamed%d", i)
		}
		typ := ff.ref.text
		if typ == "" {
			typ = ff.a.Type.text
		}
		glue := `},` // the end of the field before
		if i == 0 {
			glue = `,"size":` + strconv.FormatInt(arr.stride, 10) + `,"fields":{`
		}
		fa.keys = append(fa.keys, glue+jsonString(name)+`:{"type":`+jsonString(typ)+`,"offset":`)
		fa.mids = append(fa.mids, `,"size":`+strconv.Itoa(ff.width)+`,"value":`)
	}
	fa.head = `{"type":` + jsonString(t.Name) + `,"offset":`
	fa.strz = make([]*strzPlan, len(t.Inst))
	for k, a := range t.Inst {
		fa.strz[k] = fa.planStrz(a)
	}
	return fa
}

// strzPlan is an instance of a flat type that is a strz read at a
// constant plus one of the structure's integer fields, in a constant
// stream (a string table entry, as an ELF section's name): written
// straight from the bytes, without evaluating its expressions per element.
type strzPlan struct {
	k    int64      // the constant
	ff   *flatField // the field
	io   *stream    // nil: the element's own stream
	head string     // `"name":{"type":"strz","offset":`
}

// planStrz returns a's plan, nil when a is not of that form (or its if is
// not true for every element: the general path writes it).
func (fa *flatArray) planStrz(a *Attr) *strzPlan {
	s := &fa.scratch
	d := s.d
	if a.unsupported != nil || a.Value != nil || a.Repeat != repNone || a.Size != nil || a.SizeEOS ||
		a.Contents != nil || a.Process != "" || a.Valid != nil || a.Enum != "" || a.Type.kind != kStrz ||
		a.Terminator < 0 || a.Pos == nil {
		return nil
	}
	if enc := d.encoding(a); enc != "UTF-8" && enc != "ASCII" {
		return nil
	}
	p := &strzPlan{}
	if a.If != nil {
		if !a.If.rootConst {
			return nil
		}
		if ok, err := d.evalBool(a.If, &ctx{s: s}); err != nil || !ok {
			return nil
		}
	}
	if a.IO != nil {
		if !a.IO.rootConst {
			return nil
		}
		v, err := d.eval(a.IO, &ctx{s: s})
		iv, ok := v.(IOVal)
		if err != nil || !ok {
			return nil
		}
		p.io = iv.s
	}
	field := func(e *Expr) *flatField { // e names an integer field of the layout
		if e.kind != eName || slices.Contains(fa.t.Params, e.s) {
			return nil
		}
		if i, ok := fa.t.seqBy[e.s]; ok && fa.l.fields[i].ref.kind == kInt && fa.l.fields[i].enum == nil {
			return &fa.l.fields[i]
		}
		return nil
	}
	switch e := a.Pos; {
	case field(e) != nil:
		p.ff = field(e)
	case e.kind == eBinary && e.op == "+":
		for i, x := range e.args {
			y := e.args[1-i]
			if f := field(x); f != nil && y.rootConst {
				v, err := d.eval(y, &ctx{s: s})
				k, ok := v.(int64)
				if err != nil || !ok {
					return nil
				}
				p.ff, p.k = f, k
				break
			}
		}
	}
	if p.ff == nil {
		return nil
	}
	typ := a.Type.text
	p.head = jsonString(a.ID) + `:{"type":` + jsonString(typ) + `,"offset":`
	return p
}

// writeStrz writes instance a of the current element with plan p, as
// writeJSON writes it; false: it did not (the string is not plain
// printable ASCII, or reading it failed: the general path says why).
func (fa *flatArray) writeStrz(w *jsonOut, p *strzPlan, a *Attr) bool {
	s := &fa.scratch
	io := p.io
	if io == nil {
		io = s.io
	}
	pos := p.k + p.ff.int(fa.buf)
	if pos < 0 || pos > io.size || a.ID == "" {
		return false
	}
	c := cursor{io: io, pos: pos}
	b, err := s.d.readTerminated(a, &c, true)
	if err != nil {
		return false
	}
	for _, x := range b {
		if x < 0x20 || x >= 0x7f || x == '"' || x == '\\' {
			return false
		}
	}
	out := append(w.b, ',')
	out = append(out, p.head...)
	if io.base >= 0 {
		out = appendInt(out, io.base+pos)
	} else {
		out = append(out, "null"...)
	}
	out = append(out, `,"size":`...)
	out = appendInt(out, c.pos-pos)
	out = append(out, `,"value":"`...)
	out = append(out, b...)
	out = append(out, `"}`...)
	w.b = out
	w.more()
	return true
}

// writeFlatItem writes element i of arr as writeJSON does (after a comma
// if asked); false: it did not (its bytes could not be read), the general
// path writes it.
func (fa *flatArray) writeFlatItem(w *jsonOut, arr *Array, i int64, comma bool) bool {
	d := arr.d
	s := &fa.scratch
	start := arr.start + i*arr.stride
	if fa.sized {
		fa.sub.base = arr.io.base + start
		s.start = 0
	} else {
		s.start = start
	}
	if s.start < 0 || s.start > s.io.size || fa.l.size > s.io.size-s.start {
		return false
	}
	if err := s.io.fill(s.start, fa.buf); err != nil {
		return false
	}
	d.work += 2 * int64(len(fa.l.fields))
	// a fresh structure in the reused memory: nothing outside this call
	// keeps a pointer to it (instances of it are written and dropped);
	// its fields are made when an instance reads them
	fields, block, inst, busy := s.fields, s.block, s.inst, s.busy
	*s = Struct{d: d, t: fa.t, io: s.io, parent: arr.owner, root: d.root, start: s.start, begun: true}
	if block == nil {
		fields, block = make([]*Field, 0, len(fa.l.fields)), make([]Field, len(fa.l.fields))
	}
	s.fields, s.block = fields[:0], block
	s.pend, s.pendBuf = fa.l, fa.buf
	clear(inst)
	clear(busy)
	s.inst, s.busy = inst, busy
	b := w.b
	if comma {
		b = append(b, ',')
	}
	b = append(b, fa.head...)
	b = appendInt(b, arr.io.base+start)
	fabs := s.io.base + s.start
	for k := range fa.l.fields {
		ff := &fa.l.fields[k]
		b = append(b, fa.keys[k]...)
		b = appendInt(b, fabs+ff.off)
		b = append(b, fa.mids[k]...)
		v := ff.int(fa.buf)
		if ff.ref.signed {
			b = appendInt(b, v)
		} else {
			b = appendUint(b, uint64(v))
		}
		if ff.enum != nil {
			name := ff.enum.ByVal[v]
			if name == "" {
				name = "?"
			}
			b = append(b, `,"enum":`...)
			b = appendJSONString(b, name)
		}
	}
	b = append(b, '}')
	w.b = b
	w.more()
	for k, a := range fa.t.Inst {
		d.work, d.depth = 0, 0
		if p := fa.strz[k]; p != nil && fa.writeStrz(w, p, a) {
			continue
		}
		f := s.instance(a)
		name := a.ID
		if name == "" {
			name = fmt.Sprintf("_unnamed%d", len(fa.l.fields)+k)
		}
		w.Byte(',')
		writeJSONString(w, name)
		w.Byte(':')
		writeJSON(w, d, f)
	}
	w.WriteString(`}}`)
	return true
}

// pow10[i] is 10^i.
var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// digits2 is "00" to "99".
const digits2 = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"4041424344454647484950515253545556575859606162636465666768697071727374757677787980818283848586878889" +
	"90919293949596979899"

// appendUint is strconv.AppendUint(b, u, 10) written in place, two digits
// at a time (no temporary buffer to copy from: the JSON of a large array
// is mostly numbers).
func appendUint(b []byte, u uint64) []byte {
	if u < 10 {
		return append(b, byte('0'+u))
	}
	n := bits.Len64(u) * 1233 >> 12 // digits - 1 or digits
	if n < len(pow10) && u >= pow10[n] {
		n++
	}
	if cap(b)-len(b) < n {
		b = slices.Grow(b, n)
	}
	out := b[len(b) : len(b)+n]
	i := n
	for u >= 100 {
		q := u / 100
		r := (u - q*100) * 2
		out[i-1], out[i-2] = digits2[r+1], digits2[r]
		i -= 2
		u = q
	}
	if u >= 10 {
		out[i-1], out[i-2] = digits2[2*u+1], digits2[2*u]
	} else {
		out[i-1] = byte('0' + u)
	}
	return b[:len(b)+n]
}

// appendInt is strconv.AppendInt(b, v, 10) as appendUint writes it.
func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendUint(append(b, '-'), uint64(-v))
	}
	return appendUint(b, uint64(v))
}
