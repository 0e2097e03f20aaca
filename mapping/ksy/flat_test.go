package ksy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mmhex/mapping"
)

// dumpTree is everything the tree says under n: every node's Info (the
// panel's view), up to budget nodes.
func dumpTree(w io.Writer, n *Node, depth int, budget *int) {
	if *budget <= 0 {
		return
	}
	*budget--
	in := n.Info()
	fmt.Fprintf(w, "%s%+v\n", strings.Repeat(" ", depth), in)
	if in.Kind == Scalar {
		return
	}
	for from := int64(0); *budget > 0; from += 64 {
		kids, err := n.Children(from, 64)
		for _, k := range kids {
			dumpTree(w, k, depth+1, budget)
		}
		if err != nil {
			fmt.Fprintf(w, "%s error %v\n", strings.Repeat(" ", depth), err)
		}
		if err != nil || len(kids) < 64 {
			return
		}
	}
}

// views decodes r with spec and returns the JSON, the text tree and the
// Info dump, with the flat path on or off.
func views(t *testing.T, spec *Spec, r io.ReaderAt, size int64, flat bool) string {
	t.Helper()
	noFlat = !flat
	defer func() { noFlat = false }()
	var b strings.Builder
	d := NewDecoder(spec, r, size, DefaultLimits)
	if err := WriteJSON(&b, d.Root()); err != nil {
		t.Fatal(err)
	}
	d = NewDecoder(spec, r, size, DefaultLimits)
	if err := WriteText(&b, d.Root()); err != nil {
		t.Fatal(err)
	}
	d = NewDecoder(spec, r, size, DefaultLimits)
	budget := 200000
	dumpTree(&b, d.Root(), 0, &budget)
	return b.String()
}

// sameBothWays fails unless the flat path and the general path give the
// same JSON, text tree and Infos; flatUsed: the flat path must have been
// taken.
func sameBothWays(t *testing.T, name string, spec *Spec, data []byte, flatUsed bool) {
	t.Helper()
	r := bytes.NewReader(data)
	general := views(t, spec, r, int64(len(data)), false)
	fast := views(t, spec, r, int64(len(data)), true)
	if general != fast {
		g, f := strings.Split(general, "\n"), strings.Split(fast, "\n")
		for i := range min(len(g), len(f)) {
			if g[i] != f[i] {
				k := 0
				for k < min(len(g[i]), len(f[i])) && g[i][k] == f[i][k] {
					k++
				}
				from, to := max(k-200, 0), k+200
				t.Fatalf("%s: line %d differs at byte %d:\ngeneral: …%s…\nflat:    …%s…", name, i+1, k, g[i][from:min(to, len(g[i]))], f[i][from:min(to, len(f[i]))])
			}
		}
		t.Fatalf("%s: %d lines general, %d flat", name, len(g), len(f))
	}
	if flatUsed {
		d := NewDecoder(spec, r, int64(len(data)), DefaultLimits)
		budget := 100000
		walk(d.Root(), &budget)
		if len(d.flats) == 0 {
			t.Errorf("%s: no flat layout was used", name)
		}
		for k, l := range d.flats {
			if l == nil {
				t.Logf("%s: %s is not flat", name, k.t.Name)
			}
		}
	}
}

// TestFlatMatchesGeneral: structures of fixed-size numbers are read by
// offset arithmetic (parseFlat) and arrays of them written to JSON from
// their bytes (writeFlatItem); both give exactly what the general
// interpreter gives: the same JSON, text tree and Info of every node, for
// real ELF files, a 2000-section ELF, an ELF32 big-endian file, PNG and ZIP
// files, and a .ksy made to reach the edges (signed values, enums with
// unknown values, explicit byte orders, floats, elements larger than their
// type, a truncated last element, a switched byte order).
func TestFlatMatchesGeneral(t *testing.T) {
	var l Loader
	load := func(name string) *Spec {
		s, err := l.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	elfSpec := load("elf")
	n := 0
	for _, dir := range []string{"/usr/bin", "/usr/lib/x86_64-linux-gnu"} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if n == 12 {
				break
			}
			p := filepath.Join(dir, e.Name())
			data, err := os.ReadFile(p)
			if err != nil || len(data) < 64 || len(data) > 4<<20 || string(data[:4]) != "\x7fELF" {
				continue
			}
			sameBothWays(t, p, elfSpec, data, true)
			n++
		}
	}
	if n == 0 {
		t.Fatal("no ELF file found in /usr/bin")
	}
	// a 2000-section ELF through the mapping (the bench file's twin)
	p := sparseELF(t, 2000)
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if g, fl := views(t, elfSpec, f, f.Size(), false), views(t, elfSpec, f, f.Size(), true); g != fl {
		t.Fatalf("the 2000-section ELF differs (%d and %d bytes)", len(g), len(fl))
	}
	sameBothWays(t, "be32.elf", elfSpec, elf32BE(), true)
	// the section names are written by the strz plan
	d := NewDecoder(elfSpec, f, f.Size(), DefaultLimits)
	sh, err := d.Root().Lookup("section_headers")
	if err != nil {
		t.Fatal(err)
	}
	if fa := d.flatItems(sh.arrayVal()); fa == nil || len(fa.strz) != 1 || fa.strz[0] == nil {
		t.Fatalf("section headers: no flat path or no strz plan for name (%v)", fa)
	}

	var buf bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 31)
	}
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	sameBothWays(t, "a.png", load("png"), buf.Bytes(), false)
	buf.Reset()
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"a", "b/c"} {
		w, _ := zw.Create(name)
		w.Write([]byte(strings.Repeat(name, 50)))
	}
	zw.Close()
	sameBothWays(t, "a.zip", load("zip"), buf.Bytes(), false)

	edges, err := Parse("edges.ksy", []byte(`meta:
  id: edges
  endian:
    switch-on: order
    cases:
      0: le
      _: be
seq:
  - id: order
    type: u1
  - id: n
    type: u1
  - id: recs
    type: rec
    repeat: expr
    repeat-expr: n
  - id: wide
    size: 12
    type: rec
    repeat: expr
    repeat-expr: 2
  - id: fl
    type: flt
  - id: plains
    type: plain
    repeat: expr
    repeat-expr: 2
  - id: rest
    type: plain
    repeat: expr
    repeat-expr: 5
  - id: tail
    type: plain
  - id: strtab
    size-eos: true
instances:
  signed_total:
    value: recs[0].s2 + recs[1].s2
  strtab_at:
    value: _root.n * 0 + 137
types:
  rec:
    seq:
      - id: k
        type: u1
        enum: kind
      - id: s2
        type: s2
      - id: be4
        type: u4be
      - id: s1
        type: s1
      - id: w
        type:
          switch-on: _root.order
          cases:
            0: u2
            _: s2
    instances:
      twice:
        value: s2 * 2
  plain:
    seq:
      - id: k
        type: u1
      - id: e
        type: u1
        enum: kind
      - id: s2
        type: s2
      - id: be4
        type: u4be
      - id: ""
        type: s1
    instances:
      label:
        io: _root._io
        pos: _root.strtab_at + k
        type: strz
        encoding: ASCII
      label2:
        pos: k
        type: strz
      label4:
        pos: e
        type: strz
      label3:
        io: _root._io
        pos: k + _root.strtab_at - 3
        type: strz
        encoding: UTF-8
  flt:
    seq:
      - id: a
        type: f4
      - id: b
        type: f8le
enums:
  kind:
    1: one
    2: two
`))
	if err != nil {
		t.Fatal(err)
	}
	var e bytes.Buffer
	rec := func(k byte, s2 int16, be4 uint32, s1 int8, w uint16, order binary.ByteOrder) {
		e.WriteByte(k)
		binary.Write(&e, order, s2)
		binary.Write(&e, binary.BigEndian, be4)
		e.WriteByte(byte(s1))
		binary.Write(&e, order, w)
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		e.Reset()
		e.WriteByte(map[bool]byte{true: 0, false: 1}[order == binary.LittleEndian])
		e.WriteByte(3)
		rec(1, -2, 0xdeadbeef, -128, 0xfffe, order)
		rec(7, 300, 1, 127, 0x8000, order) // 7: no such kind
		rec(2, -32768, 0, 0, 0, order)
		for range 2 {
			rec(2, 5, 6, 7, 8, order)
			e.Write([]byte{0xaa, 0xbb, 0xcc}) // the elements are 12 bytes, rec 9
		}
		binary.Write(&e, order, float32(1.5))
		binary.Write(&e, binary.LittleEndian, -2.25)
		plain := func(k byte, s2 int16, be4 uint32, s1 int8) {
			e.WriteByte(k)
			e.WriteByte(k % 3)
			binary.Write(&e, order, s2)
			binary.Write(&e, binary.BigEndian, be4)
			e.WriteByte(byte(s1))
		}
		plain(1, -1, 0xffffffff, -1)
		plain(9, 1000, 2, 3)
		plain(0, 2, 2, 2)
		plain(5, 2, 2, 2)
		plain(2, 2, 2, 2)
		plain(12, 2, 2, 2)
		plain(200, 2, 2, 2)
		e.Write([]byte{1, 2, 3, 4}) // a cut-short element (tail)
		if e.Len() != 137 {
			t.Fatalf("the string table is at %d", e.Len())
		}
		e.Write([]byte("a\x00bc\x00\xe9t\x00q\"\x00zz")) // the string table: plain, plain, not ASCII, a quote, no terminator
		sameBothWays(t, fmt.Sprint("edges ", order), edges, e.Bytes(), true)
	}
}

// elf32BE is a small ELF32 big-endian file: two program headers, three
// sections.
func elf32BE() []byte {
	be := binary.BigEndian
	var b bytes.Buffer
	h := make([]byte, 52)
	copy(h, "\x7fELF\x01\x02\x01")
	for off, v := range map[int]uint16{16: 2, 18: 8, 40: 52, 42: 32, 44: 2, 46: 40, 48: 3, 50: 2} {
		be.PutUint16(h[off:], v)
	}
	for off, v := range map[int]uint32{20: 1, 24: 0x80001234, 28: 52, 32: 0x200, 36: 0x70001000} {
		be.PutUint32(h[off:], v)
	}
	b.Write(h)
	for _, ph := range [][8]uint32{{1, 0, 0x80000000, 0x80000000, 0x180, 0x200, 5, 0x1000}, {0x6474e551, 0, 0, 0, 0, 0, 6, 16}} {
		for _, v := range ph {
			binary.Write(&b, be, v)
		}
	}
	b.Write(make([]byte, 0x180-b.Len()))
	b.WriteString("\x00.text\x00.shstrtab\x00")
	b.Write(make([]byte, 0x200-b.Len()))
	for _, sh := range [][10]uint32{{}, {1, 1, 6, 0x80000100, 0x100, 4, 0, 0, 4, 0}, {7, 3, 0, 0, 0x180, 17, 0, 0, 1, 0}} {
		for _, v := range sh {
			binary.Write(&b, be, v)
		}
	}
	return b.Bytes()
}

// jsonTree is a node of WriteJSON's output.
type jsonTree struct {
	Type   string              `json:"type"`
	Offset *int64              `json:"offset"`
	Size   *int64              `json:"size"`
	Enum   string              `json:"enum"`
	Error  string              `json:"error"`
	Absent bool                `json:"absent"`
	Fields map[string]jsonTree `json:"fields"`
	Items  []jsonTree          `json:"items"`
}

// sameAsTree fails unless the JSON of d's tree says, node by node, what
// a walk of the tree (Info, then Children page by page, as the panel
// reads it) says: type, offset, size, enum, error, children.
func sameAsTree(t *testing.T, name string, j jsonTree, n *Node, path string) {
	t.Helper()
	in := n.Info()
	num := func(p *int64) int64 {
		if p == nil {
			return -1
		}
		return *p
	}
	errText := ""
	if in.Err != nil {
		errText = in.Err.Error()
	}
	if j.Type != in.Type || num(j.Offset) != in.Off || num(j.Size) != in.Size || j.Enum != in.Enum || (errText != "" && j.Error != errText) {
		t.Fatalf("%s %s: JSON type %q offset %d size %d enum %q error %q; tree %q %d %d %q %q",
			name, path, j.Type, num(j.Offset), num(j.Size), j.Enum, j.Error, in.Type, in.Off, in.Size, in.Enum, errText)
	}
	if in.Kind == Scalar {
		return
	}
	k := 0
	for from := int64(0); ; from += 256 {
		kids, err := n.Children(from, 256)
		for _, c := range kids {
			var cj jsonTree
			if in.Kind == StructKind {
				var ok bool
				if cj, ok = j.Fields[c.Name()]; !ok {
					t.Fatalf("%s %s: no %s in the JSON", name, path, c.Name())
				}
			} else {
				if k >= len(j.Items) {
					t.Fatalf("%s %s: the JSON has %d items, the tree more", name, path, len(j.Items))
				}
				cj = j.Items[k]
			}
			k++
			sameAsTree(t, name, cj, c, path+"/"+c.Name())
		}
		if err != nil || len(kids) < 256 {
			break
		}
	}
	if in.Kind == StructKind && k != len(j.Fields) || in.Kind == ArrayKind && k != len(j.Items) {
		t.Fatalf("%s %s: %d children in the tree, JSON %d fields %d items", name, path, k, len(j.Fields), len(j.Items))
	}
}

// TestJSONMatchesTree: what WriteJSON prints equals what the tree shows
// when walked as the panel walks it, for the built-in formats (the ZIP's
// end_search array has its size only once the instances after it are
// read: JSON, like Children, reads a page of children before writing
// any).
func TestJSONMatchesTree(t *testing.T) {
	var l Loader
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"a", "b/c", "d"} {
		w, _ := zw.Create(name)
		w.Write([]byte(strings.Repeat(name, 70)))
	}
	zw.SetComment("comment")
	zw.Close()
	var pb bytes.Buffer
	if err := png.Encode(&pb, image.NewGray(image.Rect(0, 0, 9, 9))); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"zip": buf.Bytes(), "png": pb.Bytes(), "elf": elf32BE()}
	if b, err := os.ReadFile("/usr/bin/ls"); err == nil {
		files["elf "] = b
	}
	for format, data := range files {
		s, err := l.Load(strings.TrimSpace(format))
		if err != nil {
			t.Fatal(err)
		}
		r := bytes.NewReader(data)
		var out bytes.Buffer
		if err := WriteJSON(&out, NewDecoder(s, r, int64(len(data)), DefaultLimits).Root()); err != nil {
			t.Fatal(err)
		}
		var j jsonTree
		if err := json.Unmarshal(out.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		sameAsTree(t, format, j, NewDecoder(s, r, int64(len(data)), DefaultLimits).Root(), "")
	}
}
