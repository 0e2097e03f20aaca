package ksy

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Kind is what a Node holds.
type Kind int

const (
	Scalar Kind = iota
	StructKind
	ArrayKind
)

// Node is one entry of the decoded tree: the top-level structure, a field,
// an instance or an array element. Its children are decoded when asked.
type Node struct {
	d      *Decoder
	name   string
	parent *Node  // nil: the top-level structure
	path   string // "" until Path is asked (or the top level)
	f      *Field // nil: the top-level structure
}

// Info is what the tree shows about a node.
type Info struct {
	Name  string
	Path  string
	Type  string
	Kind  Kind
	Off   int64 // in the file; -1 when not the file's bytes (zlib output, a value instance)
	Size  int64 // -1 unknown
	Value string
	Enum  string
	Err   error
	Count int64 // arrays: elements known so far
	All   bool  // arrays: Count is all of them
	Edit  bool  // the value can be edited (Encode)
}

func (d *Decoder) lock() {
	d.mu.Lock()
	d.work, d.depth = 0, 0
}

// Root is the top-level structure's node.
func (d *Decoder) Root() *Node { return &Node{d: d, name: d.spec.ID} }

// Spec is the spec being decoded.
func (d *Decoder) Spec() *Spec { return d.spec }

// Name is the node's name ("e_entry", "[3]").
func (n *Node) Name() string { return n.name }

// Path is the node's path from the top (header.e_entry, sections[3]).
func (n *Node) Path() string {
	if n.path == "" && n.parent != nil {
		p := n.parent.Path()
		switch {
		case p == "":
			n.path = n.name
		case strings.HasPrefix(n.name, "["):
			n.path = p + n.name
		default:
			n.path = p + "." + n.name
		}
	}
	return n.path
}

func (n *Node) structVal() *Struct {
	if n.f == nil {
		return n.d.root
	}
	s, _ := n.f.Val.(*Struct)
	return s
}

func (n *Node) arrayVal() *Array {
	if n.f == nil {
		return nil
	}
	a, _ := n.f.Val.(*Array)
	return a
}

// Info describes the node (reading what its value needs).
func (n *Node) Info() Info {
	n.d.lock()
	defer n.d.mu.Unlock()
	return n.info()
}

func (n *Node) info() Info { return n.infoOf(true) }

// infoOf is info; without full, Path and Value (texts WriteJSON does not
// print) are left empty.
func (n *Node) infoOf(full bool) Info {
	in := Info{Name: n.name, Off: -1, Size: -1}
	if full {
		in.Path = n.Path()
	}
	if n.f == nil {
		s := n.d.root
		in.Type, in.Kind, in.Off = s.t.Name, StructKind, 0
		if e, err := s.end(); err == nil {
			in.Size = e
		} else {
			in.Err = err
		}
		return in
	}
	n.d.fieldInfo(&in, n.f, full)
	return in
}

// fieldInfo fills in what Info says about f (not the top level).
func (d *Decoder) fieldInfo(in *Info, f *Field, full bool) {
	in.Err = f.Err
	if f.io != nil && f.io.base >= 0 && f.Off >= 0 {
		in.Off = f.io.base + f.Off
	}
	in.Size = f.Size
	in.Type = f.rf().text
	if in.Type == "" {
		in.Type = f.A.Type.text
	}
	if f.A.Value != nil {
		in.Type = "value"
	}
	if f.Absent {
		in.Value = "(absent)"
		return
	}
	switch v := f.Val.(type) {
	case *Struct:
		in.Kind = StructKind
		in.Type = v.t.Name
		if in.Size < 0 && f.Err == nil {
			if e, err := v.end(); err == nil {
				in.Size = e - v.start
			}
		}
	case *Array:
		in.Kind = ArrayKind
		in.Type += "[]"
		in.Count, in.All = v.Known()
		if v.done && in.Size < 0 {
			in.Size = v.end - v.start
		}
		if !full {
		} else if !in.All {
			in.Value = fmt.Sprintf("%d+ elements (read as needed)", in.Count)
		} else {
			in.Value = fmt.Sprintf("%d elements", in.Count)
		}
	default:
		if full {
			in.Value = d.valueText(f)
		}
		if e, ok := f.Val.(EnumVal); ok {
			in.Enum = e.E.ByVal[e.V]
			if in.Enum == "" {
				in.Enum = "?"
			}
		}
		in.Edit = f.Err == nil && in.Off >= 0 && f.A.Value == nil && f.Index >= -1 &&
			(f.rf().kind == kInt || f.rf().kind == kStr || f.rf().kind == kStrz)
	}
}

// valueText is a scalar's value as the tree shows it.
func (d *Decoder) valueText(f *Field) string {
	switch v := f.Val.(type) {
	case nil:
		return ""
	case int64:
		u := uintOf(f, v)
		if f.rf().kind == kInt && f.rf().signed && v < 0 {
			return strconv.FormatInt(v, 10)
		}
		if u < 10 {
			return strconv.FormatUint(u, 10)
		}
		return strconv.FormatUint(u, 10) + " (0x" + strconv.FormatUint(u, 16) + ")"
	case EnumVal:
		return strconv.FormatUint(uintOf(f, v.V), 10)
	case []byte:
		if len(v) > 64 {
			return fmt.Sprintf("% x … (%d bytes)", v[:32], len(v))
		}
		return fmt.Sprintf("% x", v)
	case *unsupportedVal:
		return fmt.Sprintf("%d bytes (not decoded)", f.Size)
	case *Bytes:
		if v.n > 64 {
			b, err := d.bytesOf(&Bytes{io: v.io, off: v.off, n: 32})
			if err != nil {
				return err.Error()
			}
			return fmt.Sprintf("% x … (%d bytes)", b, v.n)
		}
		b, err := d.bytesOf(v)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("% x", b)
	case string:
		return strconv.Quote(v)
	}
	return show(f.Val)
}

// uintOf is v as the unsigned number an unsigned field holds (u8 values
// over 2^63 are kept in an int64).
func uintOf(f *Field, v int64) uint64 {
	if f.rf().kind == kInt && f.rf().signed {
		return uint64(v)
	}
	return uint64(v)
}

// Len is the number of children: seq fields read and instances of a
// structure, elements of an array (all of them read, when their size
// varies), 0 for a scalar.
func (n *Node) Len() (int64, error) {
	n.d.lock()
	defer n.d.mu.Unlock()
	if s := n.structVal(); s != nil {
		s.parseAll()
		return int64(len(s.fields) + len(s.t.Inst)), nil
	}
	if a := n.arrayVal(); a != nil {
		return a.Len()
	}
	return 0, nil
}

// Children returns up to count children from index from. For an array of
// variable-size elements only the elements up to from+count are read.
func (n *Node) Children(from, count int64) ([]*Node, error) {
	n.d.lock()
	defer n.d.mu.Unlock()
	return n.children(from, count)
}

func (n *Node) children(from, count int64) ([]*Node, error) {
	var out []*Node
	var block []Node // the nodes, allocated together
	blockLen := int64(16)
	node := func(name string, f *Field) *Node {
		if len(block) == 0 {
			block = make([]Node, blockLen)
		}
		k := &block[0]
		block = block[1:]
		*k = Node{d: n.d, name: name, parent: n, f: f}
		return k
	}
	if s := n.structVal(); s != nil {
		s.parseAll()
		total := int64(len(s.fields) + len(s.t.Inst))
		if c := min(total-from, count); c > 0 {
			out = make([]*Node, 0, c)
			blockLen = c
		}
		for i := from; i < total && i < from+count; i++ {
			var f *Field
			if i < int64(len(s.fields)) {
				f = s.fields[i]
			} else {
				f = s.instance(s.t.Inst[i-int64(len(s.fields))])
			}
			name := f.A.ID
			if name == "" {
				name = fmt.Sprintf("_unnamed%d", i)
			}
			out = append(out, node(name, f))
		}
		return out, nil
	}
	if a := n.arrayVal(); a != nil {
		if k, all := a.Known(); all && k-from > 0 {
			blockLen = min(k-from, count)
			out = make([]*Node, 0, blockLen)
		}
		for i := from; i < from+count; i++ {
			if k, all := a.Known(); all && i >= k {
				break
			}
			f, err := a.At(i)
			if err != nil {
				if k, all := a.Known(); all && i >= k {
					break
				}
				return out, err
			}
			name := "[" + strconv.FormatInt(i, 10) + "]"
			out = append(out, node(name, f))
		}
		return out, nil
	}
	return nil, nil
}

// Lookup finds a node by path: a.b[3].c (the top-level structure is "").
func (n *Node) Lookup(path string) (*Node, error) {
	n.d.lock()
	defer n.d.mu.Unlock()
	cur := n
	rest := strings.TrimSpace(path)
	for rest != "" {
		if rest[0] == '.' {
			rest = rest[1:]
		}
		if rest == "" {
			break
		}
		if rest[0] == '[' {
			j := strings.IndexByte(rest, ']')
			if j < 0 {
				return nil, fmt.Errorf("%s: missing ]", path)
			}
			i, err := strconv.ParseInt(strings.TrimSpace(rest[1:j]), 0, 64)
			if err != nil || i < 0 {
				return nil, fmt.Errorf("%s: [%s] is not an index", path, rest[1:j])
			}
			if cur.arrayVal() == nil {
				return nil, fmt.Errorf("%s: %s is not an array", path, orTop(cur.Path()))
			}
			kids, err := cur.children(i, 1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if len(kids) == 0 {
				return nil, fmt.Errorf("%s: %s has no element %d", path, orTop(cur.Path()), i)
			}
			cur = kids[0]
			rest = rest[j+1:]
			continue
		}
		j := strings.IndexAny(rest, ".[")
		if j < 0 {
			j = len(rest)
		}
		name := rest[:j]
		rest = rest[j:]
		s := cur.structVal()
		if s == nil {
			return nil, fmt.Errorf("%s: %s is not a structure", path, orTop(cur.Path()))
		}
		f, err := s.field(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if f == nil {
			return nil, fmt.Errorf("%s: %s has no field %s", path, orTop(cur.Path()), name)
		}
		cur = &Node{d: n.d, name: name, parent: cur, f: f}
	}
	return cur, nil
}

func orTop(p string) string {
	if p == "" {
		return "the top level"
	}
	return p
}

// Encode turns text into the bytes an edit of this field writes, with the
// field's width, signedness, byte order or encoding: the offset in the
// file and the bytes. Values that do not fit are refused.
func (n *Node) Encode(text string) (int64, []byte, error) {
	n.d.lock()
	defer n.d.mu.Unlock()
	in := n.info()
	f := n.f
	if f == nil || !in.Edit {
		return 0, nil, fmt.Errorf("%s cannot be edited", orTop(n.Path()))
	}
	switch f.rf().kind {
	case kInt:
		v, err := n.parseInt(strings.TrimSpace(text))
		if err != nil {
			return 0, nil, err
		}
		w := f.rf().width
		if f.rf().signed {
			lo, hi := int64(math.MinInt64)>>(64-8*w), int64(math.MaxInt64)>>(64-8*w)
			if v.neg && v.i < lo || !v.neg && (v.u > uint64(hi)) {
				return 0, nil, fmt.Errorf("%s does not fit in %s (%d to %d)", text, f.rf().text, lo, hi)
			}
		} else {
			hi := uint64(math.MaxUint64) >> (64 - 8*w)
			if v.neg || v.u > hi {
				return 0, nil, fmt.Errorf("%s does not fit in %s (0 to %d)", text, f.rf().text, hi)
			}
		}
		le := f.rf().endian
		if le == 0 {
			e, err := f.Owner.endian()
			if err != nil {
				return 0, nil, err
			}
			le = e
		}
		b := make([]byte, 8)
		if le == 1 {
			binary.LittleEndian.PutUint64(b, v.u)
			b = b[:w]
		} else {
			binary.BigEndian.PutUint64(b, v.u)
			b = b[8-w:]
		}
		return in.Off, b, nil
	case kStr, kStrz:
		b, err := encodeStr(text, n.d.encoding(f.A))
		if err != nil {
			return 0, nil, err
		}
		size := f.Size
		a := f.A
		if a.Size == nil && !a.SizeEOS { // terminated: keep the terminator inside the span
			if int64(len(b)) >= size {
				return 0, nil, fmt.Errorf("%s: %d bytes do not fit (the field has %d and a terminator)", strconv.Quote(text), len(b), size)
			}
			out := make([]byte, size)
			copy(out, b)
			for i := len(b); i < len(out); i++ {
				out[i] = byte(a.Terminator)
			}
			return in.Off, out, nil
		}
		if int64(len(b)) > size {
			return 0, nil, fmt.Errorf("%s: %d bytes do not fit in %d", strconv.Quote(text), len(b), size)
		}
		if int64(len(b)) < size {
			pad := a.PadRight
			if pad < 0 {
				pad = a.Terminator
			}
			if pad < 0 {
				return 0, nil, fmt.Errorf("%s: the field holds exactly %d bytes (no terminator or pad-right to fill it)", strconv.Quote(text), size)
			}
			out := make([]byte, size)
			copy(out, b)
			for i := len(b); i < len(out); i++ {
				out[i] = byte(pad)
			}
			if a.Terminator >= 0 {
				out[len(b)] = byte(a.Terminator)
			}
			b = out
		}
		return in.Off, b, nil
	}
	return 0, nil, fmt.Errorf("%s cannot be edited", n.Path())
}

type parsedInt struct {
	u   uint64
	i   int64
	neg bool
}

func (n *Node) parseInt(s string) (parsedInt, error) {
	if e, ok := n.f.Val.(EnumVal); ok {
		if v, ok := e.E.ByName[s]; ok {
			return parsedInt{u: uint64(v), i: v, neg: v < 0}, nil
		}
	}
	t := strings.ReplaceAll(s, "_", "")
	if strings.HasPrefix(t, "-") {
		i, err := strconv.ParseInt(t, 0, 64)
		if err != nil {
			return parsedInt{}, fmt.Errorf("%s is not a number", strconv.Quote(s))
		}
		return parsedInt{u: uint64(i), i: i, neg: true}, nil
	}
	u, err := strconv.ParseUint(t, 0, 64)
	if err != nil {
		if e, ok := n.f.Val.(EnumVal); ok {
			return parsedInt{}, fmt.Errorf("%s is not a number or a member of enum %s", strconv.Quote(s), e.E.Name)
		}
		if errors.Is(err, strconv.ErrRange) {
			return parsedInt{}, fmt.Errorf("%s does not fit in %s", s, n.f.rf().text)
		}
		return parsedInt{}, fmt.Errorf("%s is not a number", strconv.Quote(s))
	}
	return parsedInt{u: u, i: int64(u)}, nil
}

// appendJSONValue appends the scalar f as JSON to b.
func (d *Decoder) appendJSONValue(b []byte, f *Field) []byte {
	switch v := f.Val.(type) {
	case int64:
		if f.rf().kind == kInt && f.rf().signed || f.rf().kind == kUser || f.A.Value != nil {
			return strconv.AppendInt(b, v, 10)
		}
		return strconv.AppendUint(b, uint64(v), 10)
	case EnumVal:
		if f.rf().kind == kInt && !f.rf().signed {
			return strconv.AppendUint(b, uint64(v.V), 10)
		}
		return strconv.AppendInt(b, v.V, 10)
	case string:
		return appendJSONString(b, v)
	}
	return append(b, d.jsonValueSlow(f)...)
}

func (d *Decoder) jsonValueSlow(f *Field) string {
	switch v := f.Val.(type) {
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return strconv.Quote(strconv.FormatFloat(v, 'g', -1, 64))
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return jsonString(v)
	case []byte:
		return jsonString(hex.EncodeToString(v))
	case *Bytes:
		if v.n > 4096 {
			return "null"
		}
		b, err := d.bytesOf(v)
		if err != nil {
			return "null"
		}
		return jsonString(hex.EncodeToString(b))
	}
	return "null"
}

func jsonString(s string) string {
	if plainJSON(s) {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainJSON: s needs no escaping in a JSON string (printable ASCII but
// " and \).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendJSONString appends jsonString(s) to b.
func appendJSONString(b []byte, s string) []byte {
	if plainJSON(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return append(b, jsonString(s)...)
}

// writeJSONString writes jsonString(s) to w.
func writeJSONString(w *jsonOut, s string) {
	w.b = appendJSONString(w.b, s)
	w.more()
}
