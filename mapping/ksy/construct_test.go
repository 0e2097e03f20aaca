package ksy

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodeText decodes data with the .ksy text and returns the value at path
// as show() prints it, or "error: " and the error.
func decodeText(t *testing.T, ksy string, data []byte, path string) string {
	t.Helper()
	s, err := Parse("t.ksy", []byte(ksy))
	if err != nil {
		return "error: " + err.Error()
	}
	d := NewDecoder(s, bytes.NewReader(data), int64(len(data)), DefaultLimits)
	n, err := d.Root().Lookup(path)
	if err != nil {
		return "error: " + err.Error()
	}
	if n.f == nil {
		return "root"
	}
	if n.f.Err != nil {
		return "error: " + n.f.Err.Error()
	}
	if n.f.Absent {
		return "absent"
	}
	v, err := d.concrete(n.f.Val)
	if err != nil {
		return "error: " + err.Error()
	}
	if a, ok := v.(*Array); ok {
		k, err := a.Len()
		if err != nil {
			return "error: " + err.Error()
		}
		var parts []string
		for i := int64(0); i < k; i++ {
			e, err := d.index(a, i)
			if err == nil {
				e, err = d.concrete(e)
			}
			if err != nil {
				return "error: " + err.Error()
			}
			if s, ok := e.(*Struct); ok {
				parts = append(parts, s.t.Name)
				continue
			}
			parts = append(parts, show(e))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return show(v)
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// TestConstructs: each construct of the supported subset, one row or more.
func TestConstructs(t *testing.T) {
	le := "meta: {id: t, endian: le}\n"
	be := "meta: {id: t, endian: be}\n"
	z := zlibOf([]byte("\x07\x00hello"))
	tests := []struct {
		name, ksy, data, path, want string
	}{
		{"u1", le + "seq: [{id: a, type: u1}]", "ff", "a", "255"},
		{"s1", le + "seq: [{id: a, type: s1}]", "ff", "a", "-1"},
		{"u2 le", le + "seq: [{id: a, type: u2}]", "0102", "a", "513"},
		{"u2 be", be + "seq: [{id: a, type: u2}]", "0102", "a", "258"},
		{"u2be override", le + "seq: [{id: a, type: u2be}]", "0102", "a", "258"},
		{"u4le override", be + "seq: [{id: a, type: u4le}]", "01020304", "a", "67305985"},
		{"s2", be + "seq: [{id: a, type: s2}]", "fffe", "a", "-2"},
		{"s4", le + "seq: [{id: a, type: s4}]", "feffffff", "a", "-2"},
		{"u8", le + "seq: [{id: a, type: u8}]", "0100000000000080", "a", "-9223372036854775807"},
		{"s8", be + "seq: [{id: a, type: s8}]", "ffffffffffffffff", "a", "-1"},
		{"f4", be + "seq: [{id: a, type: f4}]", "3fc00000", "a", "1.5"},
		{"f8", le + "seq: [{id: a, type: f8}]", "000000000000f03f", "a", "1"},
		{"no endian", "meta: {id: t}\nseq: [{id: a, type: u2}]", "0102", "a", "error: t.ksy:2: a: u2 has no byte order (meta/endian is missing)"},
		{"switched endian le", "meta:\n  id: t\n  endian:\n    switch-on: m\n    cases:\n      1: le\n      2: be\nseq: [{id: m, type: u1}, {id: a, type: u2}]", "010102", "a", "513"},
		{"switched endian be", "meta:\n  id: t\n  endian:\n    switch-on: m\n    cases:\n      1: le\n      2: be\nseq: [{id: m, type: u1}, {id: a, type: u2}]", "020102", "a", "258"},
		{"switched endian inherited", "meta:\n  id: t\n  endian:\n    switch-on: m\n    cases:\n      1: le\n      2: be\nseq: [{id: m, type: u1}, {id: b, type: x}]\ntypes:\n  x:\n    seq: [{id: a, type: u2}]", "020102", "b.a", "258"},
		{"str ascii", le + "seq: [{id: a, type: str, size: 3, encoding: ASCII}]", "616263", "a", `"abc"`},
		{"str ascii bad", le + "seq: [{id: a, type: str, size: 1, encoding: ASCII}]", "e9", "a", "error: t.ksy:2: a: byte 0xe9 is not ASCII"},
		{"str latin1", le + "seq: [{id: a, type: str, size: 2, encoding: ISO-8859-1}]", "e9ff", "a", `"éÿ"`},
		{"str utf8", le + "seq: [{id: a, type: str, size: 2, encoding: UTF-8}]", "c3a9", "a", `"é"`},
		{"str utf16le", le + "seq: [{id: a, type: str, size: 4, encoding: UTF-16LE}]", "6100e900", "a", `"aé"`},
		{"str utf16be", le + "seq: [{id: a, type: str, size: 4, encoding: UTF-16BE}]", "006100e9", "a", `"aé"`},
		{"str meta encoding", "meta: {id: t, encoding: ISO-8859-1}\nseq: [{id: a, type: str, size: 1}]", "e9", "a", `"é"`},
		{"strz", le + "seq: [{id: a, type: strz, encoding: ASCII}, {id: b, type: u1}]", "6162000a", "b", "10"},
		{"strz value", le + "seq: [{id: a, type: strz, encoding: ASCII}]", "616200", "a", `"ab"`},
		{"strz utf16le", le + "seq: [{id: a, type: strz, encoding: UTF-16LE}, {id: b, type: u1}]", "610000010000" + "07", "b", "7"},
		{"strz sized", le + "seq: [{id: a, type: strz, size: 4, encoding: ASCII}, {id: b, type: u1}]", "6100626309", "a", `"a"`},
		{"strz no terminator", le + "seq: [{id: a, type: strz, encoding: ASCII}]", "6162", "a", "error: t.ksy:2: a: at 0x0: no terminator before the end of the stream"},
		{"strz eos-error false", le + "seq: [{id: a, type: strz, encoding: ASCII, eos-error: false}]", "6162", "a", `"ab"`},
		{"terminator include", le + "seq: [{id: a, type: str, terminator: 0x2c, include: true, encoding: ASCII}]", "61622c", "a", `"ab,"`},
		{"terminator consume false", le + "seq: [{id: a, type: str, terminator: 0x2c, consume: false, encoding: ASCII}, {id: b, type: u1}]", "61622c", "b", "44"},
		{"pad-right", le + "seq: [{id: a, type: str, size: 4, pad-right: 0x20, encoding: ASCII}]", "61622020", "a", `"ab"`},
		{"bytes size", le + "seq: [{id: a, size: 2}]", "0102", "a", "[01 02]"},
		{"bytes size expr", le + "seq: [{id: n, type: u1}, {id: a, size: n * 2}]", "0201020304", "a", "[01 02 03 04]"},
		{"bytes size past end", le + "seq: [{id: a, size: 3}]", "0102", "a", "error: t.ksy:2: a: at 0x0: size 3, but 2 bytes are left in the stream"},
		{"size-eos", le + "seq: [{id: a, type: u1}, {id: b, size-eos: true}]", "010203", "b", "[02 03]"},
		{"contents ok", le + "seq: [{id: m, contents: [0x7f, ELF]}]", "7f454c46", "m", "[7f 45 4c 46]"},
		{"contents string", le + "seq: [{id: m, contents: PK}]", "504b", "m", "[50 4b]"},
		{"contents bad", le + "seq: [{id: m, contents: [1, 2]}]", "0103", "m", "error: t.ksy:2: m: contents: expected 01 02, found 01 03"},
		{"if true", le + "seq: [{id: f, type: u1}, {id: a, type: u1, if: f == 1}]", "0109", "a", "9"},
		{"if false", le + "seq: [{id: f, type: u1}, {id: a, type: u1, if: f == 1}, {id: b, type: u1}]", "0209", "b", "9"},
		{"if false absent", le + "seq: [{id: f, type: u1}, {id: a, type: u1, if: f == 1}]", "0209", "a", "absent"},
		{"repeat expr", le + "seq: [{id: n, type: u1}, {id: a, type: u1, repeat: expr, repeat-expr: n}]", "03010203", "a", "[1 2 3]"},
		{"repeat expr empty", le + "seq: [{id: a, type: u2, repeat: expr, repeat-expr: 0}]", "", "a", "[]"},
		{"repeat eos", le + "seq: [{id: a, type: u2, repeat: eos}]", "010002000300", "a", "[1 2 3]"},
		{"repeat eos cut", le + "seq: [{id: a, type: u2, repeat: eos}]", "01000200ff", "a", "error: t.ksy:2: a: at 0x5: the last element is cut short by the end of the stream"},
		{"repeat eos variable", le + "seq: [{id: a, type: strz, encoding: ASCII, repeat: eos}]", "610062630064656600", "a", `["a" "bc" "def"]`},
		{"repeat until", le + "seq: [{id: a, type: u1, repeat: until, repeat-until: _ == 0}, {id: b, type: u1}]", "0102000a", "b", "10"},
		{"repeat until items", le + "seq: [{id: a, type: u1, repeat: until, repeat-until: _ == 0}]", "01020003", "a", "[1 2 0]"},
		{"repeat _index", le + "seq: [{id: l, type: u1, repeat: expr, repeat-expr: 2}, {id: a, size: 'l[_index]', repeat: expr, repeat-expr: 2}]", "0102aabbcc", "a", "[[aa] [bb cc]]"},
		{"nested types", le + "seq: [{id: h, type: hdr}]\ntypes:\n  hdr:\n    seq: [{id: x, type: u1}, {id: y, type: inner}]\n    types:\n      inner:\n        seq: [{id: z, type: u2}]", "010203", "h.y.z", "770"},
		{"type path a::b", le + "seq: [{id: h, type: hdr::inner}]\ntypes:\n  hdr:\n    types:\n      inner:\n        seq: [{id: z, type: u1}]", "05", "h.z", "5"},
		{"params", le + "seq: [{id: n, type: u1}, {id: p, type: 'blob(n, 7)'}]\ntypes:\n  blob:\n    params: [{id: len, type: u1}, {id: k, type: u1}]\n    seq: [{id: d, size: len}]\n    instances:\n      kk: {value: k}", "02aabb", "p.d", "[aa bb]"},
		{"params value", le + "seq: [{id: n, type: u1}, {id: p, type: 'blob(n, 7)'}]\ntypes:\n  blob:\n    params: [{id: len, type: u1}, {id: k, type: u1}]\n    seq: [{id: d, size: len}]\n    instances:\n      kk: {value: k + len}", "02aabb", "p.kk", "9"},
		{"sized substream", le + "seq: [{id: a, type: x, size: 3}, {id: b, type: u1}]\ntypes:\n  x:\n    seq: [{id: v, type: u1}]", "01020304", "b", "4"},
		{"substream eos", le + "seq: [{id: a, type: x, size: 3}]\ntypes:\n  x:\n    seq: [{id: v, type: u1, repeat: eos}]", "01020304", "a.v", "[1 2 3]"},
		{"instance pos", le + "seq: [{id: o, type: u1}]\ninstances:\n  at: {pos: o, type: u2}", "030000ff01", "at", "511"},
		{"instance io", le + "seq: [{id: a, type: x, size: 2}, {id: b, type: u1}]\ntypes:\n  x:\n    instances:\n      fromroot: {io: _root._io, pos: 2, type: u1}\n      local: {pos: 1, type: u1}", "0a0b0c", "a.fromroot", "12"},
		{"instance local io", le + "seq: [{id: a, type: x, size: 2}, {id: b, type: u1}]\ntypes:\n  x:\n    instances:\n      local: {pos: 1, type: u1}", "0a0b0c", "a.local", "11"},
		{"instance value", le + "seq: [{id: a, type: u1}]\ninstances:\n  twice: {value: a * 2}", "15", "twice", "42"},
		{"instance pos past end", le + "seq: [{id: a, type: u1}]\ninstances:\n  x: {pos: 100, type: u1}", "15", "x", "error: t.ksy:4: x: at 0x64: 1 bytes needed, 0 left in the stream"},
		{"instance self", le + "instances:\n  x: {value: x + 1}", "", "x", "error: t.ksy:3: x: depends on itself"},
		{"enum", le + "seq: [{id: a, type: u1, enum: e}]\nenums:\n  e: {1: one, 2: two}", "02", "a", "e::two"},
		{"enum unknown value", le + "seq: [{id: a, type: u1, enum: e}]\nenums:\n  e: {1: one}", "05", "a", "e(5)"},
		{"enum in expr", le + "seq: [{id: a, type: u1, enum: e}, {id: b, type: u1, if: a == e::two}]\nenums:\n  e: {1: one, 2: two}", "0209", "b", "9"},
		{"enum to_i", le + "seq: [{id: a, type: u1, enum: e}]\ninstances:\n  i: {value: a.to_i + 1}\nenums:\n  e: {1: one, 2: two}", "02", "i", "3"},
		{"enum of another type", le + "seq: [{id: h, type: x}]\ntypes:\n  x:\n    seq: [{id: a, type: u1, enum: k}]\n    enums:\n      k: {3: three}\ninstances:\n  is3: {value: h.a == x::k::three}", "03", "is3", "true"},
		{"enum id form", le + "seq: [{id: a, type: u1, enum: e}]\nenums:\n  e:\n    1:\n      id: one\n      doc: the first", "01", "a", "e::one"},
		{"switch", le + "seq: [{id: k, type: u1}, {id: v, type: {switch-on: k, cases: {1: u1, 2: u2}}}]", "020102", "v", "513"},
		{"switch default", le + "seq: [{id: k, type: u1}, {id: v, type: {switch-on: k, cases: {1: u1, _: u2be}}}]", "090102", "v", "258"},
		{"switch enum", le + "seq: [{id: k, type: u1, enum: e}, {id: v, type: {switch-on: k, cases: {'e::b': u2}}}]\nenums:\n  e: {1: a, 2: b}", "020102", "v", "513"},
		{"switch no case sized", le + "seq: [{id: k, type: u1}, {id: v, size: 1, type: {switch-on: k, cases: {1: u1}}}]", "0507", "v", "[07]"},
		{"switch no case", le + "seq: [{id: k, type: u1}, {id: v, type: {switch-on: k, cases: {1: u1}}}]", "0507", "v", "error: t.ksy:2: v: no switch case for 5"},
		{"valid eq ok", le + "seq: [{id: a, type: u1, valid: 5}]", "05", "a", "5"},
		{"valid eq", le + "seq: [{id: a, type: u1, valid: {eq: 5}}]", "06", "a", "error: t.ksy:2: a: valid/eq: 6 is not == 5"},
		{"valid min", le + "seq: [{id: a, type: u1, valid: {min: 5}}]", "04", "a", "error: t.ksy:2: a: valid/min: 4 is not >= 5"},
		{"valid max", le + "seq: [{id: a, type: u1, valid: {max: 5}}]", "06", "a", "error: t.ksy:2: a: valid/max: 6 is not <= 5"},
		{"valid min max ok", le + "seq: [{id: a, type: u1, valid: {min: 5, max: 6}}]", "06", "a", "6"},
		{"valid any-of", le + "seq: [{id: a, type: u1, valid: {any-of: [1, 3]}}]", "02", "a", "error: t.ksy:2: a: valid/any-of: 2 is none of them"},
		{"valid any-of ok", le + "seq: [{id: a, type: u1, valid: {any-of: [1, 3]}}]", "03", "a", "3"},
		{"valid expr", le + "seq: [{id: a, type: u1, valid: {expr: _ % 2 == 0}}]", "03", "a", "error: t.ksy:2: a: valid/expr: _ % 2 == 0 is false for 3"},
		{"valid expr ok", le + "seq: [{id: a, type: u1, valid: {expr: _ % 2 == 0}}]", "04", "a", "4"},
		{"valid stops the rest", le + "seq: [{id: a, type: u1, valid: 1}, {id: b, type: u1}]", "0203", "b", "error: b: t.ksy:2: a: valid/eq: 2 is not == 1"},
		{"process zlib", le + "seq: [{id: n, type: u1}, {id: c, size: n, process: zlib, type: x}]\ntypes:\n  x:\n    seq: [{id: v, type: u2}, {id: s, type: str, size-eos: true, encoding: ASCII}]", fmt.Sprintf("%02x", len(z)) + hex.EncodeToString(z), "c.s", `"hello"`},
		{"process zlib bytes", le + "seq: [{id: c, size-eos: true, process: zlib}]", hex.EncodeToString(z), "c", "[07 00 68 65 6c 6c 6f]"},
		{"process zlib bad", le + "seq: [{id: c, size-eos: true, process: zlib}]", "0102", "c", "error: t.ksy:2: c: process: zlib: invalid header"},
		{"process xor", le + "seq:\n  - id: c\n    size: 1\n    process: xor(1)\n  - id: d\n    type: u1", "0102", "d", "2"},
		{"process xor field", le + "seq:\n  - id: c\n    size: 1\n    process: xor(1)", "0102", "c", "error: t.ksy:5: process: xor(1) is not supported"},
		{"b1 b3 b4", be + "seq: [{id: a, type: b1}, {id: b, type: b3}, {id: c, type: b4}]", "b5", "c", "5"},
		{"b1 is a boolean", be + "seq: [{id: a, type: b1}, {id: b, type: b1}]", "80", "a", "true"},
		{"b1 false", be + "seq: [{id: a, type: b1}, {id: b, type: b1}]", "80", "b", "false"},
		{"b3 value", be + "seq: [{id: a, type: b1}, {id: b, type: b3}, {id: c, type: b4}]", "b5", "b", "3"},
		{"b12 across bytes", be + "seq: [{id: a, type: b4}, {id: b, type: b12}]", "abcd", "b", "3021"},
		{"bits then byte aligned", be + "seq: [{id: a, type: b3}, {id: b, type: u1}]", "ff07", "b", "7"},
		{"b64", be + "seq: [{id: a, type: b64}]", "8000000000000001", "a", "-9223372036854775807"},
		{"b4 + b64", be + "seq: [{id: a, type: b4}, {id: b, type: b64}]", "f80000000000000010", "b", "-9223372036854775807"},
		{"bits le", "meta: {id: t, endian: le, bit-endian: le}\nseq: [{id: a, type: b3}, {id: b, type: b5}]", "b5", "a", "5"},
		{"bits le 2", "meta: {id: t, endian: le, bit-endian: le}\nseq: [{id: a, type: b3}, {id: b, type: b5}]", "b5", "b", "22"},
		{"b12le", le + "seq: [{id: a, type: b4le}, {id: b, type: b12le}]", "abcd", "b", "3290"},
		{"bits enum", be + "seq: [{id: a, type: b2, enum: e}]\nenums:\n  e: {2: two}", "80", "a", "e::two"},
		{"unknown key", le + "seq:\n  - id: a\n    type: u1\n    frobnicate: 3", "01", "a", "error: t.ksy:5: frobnicate is not supported"},
		{"unknown type", le + "seq: [{id: a, type: nope}]", "01", "a", "error: t.ksy:2: a: type nope is not defined"},
		{"bad expression", le + "seq: [{id: a, type: u1, if: '1 +'}]", "01", "a", "error: t.ksy:2: \"1 +\": unexpected end of expression"},
		{"sizeof", le + "seq: [{id: a, type: u1, if: 'sizeof<u4> == 4'}]", "01", "a", "error: t.ksy:2: \"sizeof<u4> == 4\": sizeof is not supported"},
		{"unsupported encoding", le + "seq: [{id: a, type: str, size: 1, encoding: SJIS}]", "01", "a", "error: t.ksy:2: encoding: SJIS is not supported"},
		{"missing id", "seq: [{id: a, type: u1}]", "01", "a", "error: t.ksy:1: meta/id is missing"},
		{"not yaml", "meta: [", "", "a", "error: t.ksy: line 1: did not find expected node content"},
		{"recursive type", le + "seq: [{id: a, type: t2}]\ntypes:\n  t2:\n    seq: [{id: x, type: u1}, {id: n, type: t2}]", "0102", "a.x", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeText(t, tt.ksy, unhex(tt.data), tt.path); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestImports: meta/imports beside the importing file, under a gallery-like
// formats root (absolute /common/x), and under the user's formats folder.
func TestImports(t *testing.T) {
	root := t.TempDir()
	user := t.TempDir()
	write := func(p, s string) string {
		full := filepath.Join(p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(s), 0o644)
		return full
	}
	write(filepath.Join(root, "common", "u16.ksy"), "meta: {id: u16, endian: be}\nseq: [{id: v, type: u2}]\n")
	write(filepath.Join(root, "image", "pair.ksy"), "meta: {id: pair, endian: le}\nseq: [{id: x, type: u1}]\n")
	write(filepath.Join(user, "usertype.ksy"), "meta: {id: usertype}\nseq: [{id: w, type: u1}]\nenums:\n  colour: {1: red}\n")
	main := write(filepath.Join(root, "image", "top.ksy"), `meta:
  id: top
  endian: le
  imports:
    - /common/u16
    - pair
    - usertype
seq:
  - id: a
    type: u16
  - id: b
    type: pair
  - id: c
    type: usertype
  - id: d
    type: u1
    enum: colour
`)
	l := &Loader{UserDir: user}
	s, err := l.LoadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte{1, 2, 3, 4, 1}
	d := NewDecoder(s, bytes.NewReader(data), int64(len(data)), DefaultLimits)
	for path, want := range map[string]string{"a.v": "258", "b.x": "3", "c.w": "4", "d": "colour::red"} {
		n, err := d.Root().Lookup(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(n.f.Val); got != want {
			t.Errorf("%s = %s, want %s", path, got, want)
		}
	}
	// a missing import is named
	bad := write(filepath.Join(root, "bad.ksy"), "meta: {id: bad, imports: [/common/nothere]}\n")
	if _, err := (&Loader{}).LoadFile(bad); err == nil || err.Error() != "bad.ksy: meta/imports: /common/nothere not found beside it or under a formats folder" {
		t.Errorf("missing import: %v", err)
	}
}

// TestDetect: user formats (first contents, then meta/file-extension)
// before the built-in magic bytes, then the built-in extensions.
func TestDetect(t *testing.T) {
	user := t.TempDir()
	os.WriteFile(filepath.Join(user, "mine.ksy"), []byte("meta: {id: mine, file-extension: myx}\nseq: [{id: m, contents: MYFT}]\n"), 0o644)
	os.WriteFile(filepath.Join(user, "elfish.ksy"), []byte("meta: {id: elfish}\nseq: [{id: m, contents: [0x7f, ELF]}]\n"), 0o644)
	l := &Loader{UserDir: user}
	for _, c := range []struct{ data, name, want string }{
		{"MYFT....", "f.bin", filepath.Join(user, "mine.ksy")},
		{"\x7fELF", "f.bin", filepath.Join(user, "elfish.ksy")}, // the user's wins over the built-in
		{"????", "f.myx", filepath.Join(user, "mine.ksy")},
		{"\x89PNG\r\n\x1a\n", "f", "png"},
		{"????", "photo.PNG", "png"},
		{"????", "a.tgz", "gzip"},
		{"????", "notes.txt", ""},
	} {
		if got := l.Detect(bytes.NewReader([]byte(c.data)), int64(len(c.data)), c.name); got != c.want {
			t.Errorf("%q %s: %q, want %q", c.data, c.name, got, c.want)
		}
	}
	if got := (&Loader{}).Detect(bytes.NewReader([]byte("\x7fELF")), 4, "x"); got != "elf" {
		t.Errorf("without user formats: %q", got)
	}
	want := []string{"elf", "gpt", "gzip", "mbr", "png", "tar", "zip"}
	if got := Builtin(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("built in: %v", got)
	}
	for _, id := range want { // every built-in format compiles with no construct outside the subset
		s, err := (&Loader{}).Load(id)
		if err != nil || len(s.Problems) > 0 {
			t.Errorf("%s: %v %v", id, err, s.Problems)
		}
	}
}

// TestEncode: the bytes an edit writes: the field's width, sign, byte
// order, enum names, string encodings and sizes; what does not fit is
// refused with the range or the sizes.
func TestEncode(t *testing.T) {
	const spec = `meta: {id: t, endian: le}
seq:
  - {id: a, type: u1}
  - {id: b, type: s2}
  - {id: c, type: u4be}
  - {id: d, type: u8}
  - {id: e, type: u1, enum: k}
  - {id: s, type: str, size: 4, encoding: ASCII, pad-right: 0x20}
  - {id: z, type: strz, encoding: ASCII}
  - {id: w, type: str, size: 4, encoding: UTF-16LE, terminator: 0}
  - {id: x, type: str, size: 2, encoding: ASCII}
  - {id: f, type: b4}
  - {id: g, type: b4}
  - {id: raw, size: 2}
instances:
  v: {value: a + 1}
enums:
  k: {1: one, 7: seven}
`
	data := unhex("05 feff 00000001 0100000000000000 01 61622020 68692100 61000000 7879 ab 0102")
	tests := []struct{ path, text, want string }{
		{"a", "255", "0x0: ff"},
		{"a", "0x10", "0x0: 10"},
		{"a", "256", "error: 256 does not fit in u1 (0 to 255)"},
		{"a", "-1", "error: -1 does not fit in u1 (0 to 255)"},
		{"a", "abc", `error: "abc" is not a number`},
		{"b", "-2", "0x1: fe ff"},
		{"b", "-32768", "0x1: 00 80"},
		{"b", "32768", "error: 32768 does not fit in s2 (-32768 to 32767)"},
		{"b", "-32769", "error: -32769 does not fit in s2 (-32768 to 32767)"},
		{"c", "0x01020304", "0x3: 01 02 03 04"},
		{"d", "18446744073709551615", "0x7: ff ff ff ff ff ff ff ff"},
		{"d", "18446744073709551616", "error: 18446744073709551616 does not fit in u8"},
		{"e", "seven", "0xf: 07"},
		{"e", "3", "0xf: 03"},
		{"e", "eight", `error: "eight" is not a number or a member of enum k`},
		{"s", "xy", "0x10: 78 79 20 20"},
		{"s", "wxyz", "0x10: 77 78 79 7a"},
		{"s", "vwxyz", `error: "vwxyz": 5 bytes do not fit in 4`},
		{"s", "é", `error: 'é' is not ASCII`},
		{"z", "ok", "0x14: 6f 6b 00 00"},
		{"z", "hey!", `error: "hey!": 4 bytes do not fit (the field has 4 and a terminator)`},
		{"w", "b", "0x18: 62 00 00 00"},
		{"w", "bcd", `error: "bcd": 6 bytes do not fit in 4`},
		{"x", "q", `error: "q": the field holds exactly 2 bytes (no terminator or pad-right to fill it)`},
		{"x", "qr", "0x1c: 71 72"},
		{"f", "1", "error: f cannot be edited"},
		{"raw", "1", "error: raw cannot be edited"},
		{"v", "1", "error: v cannot be edited"},
		{"", "1", "error: the top level cannot be edited"},
	}
	s, err := Parse("t.ksy", []byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		d := NewDecoder(s, bytes.NewReader(data), int64(len(data)), DefaultLimits)
		n, err := d.Root().Lookup(tt.path)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		off, b, err := n.Encode(tt.text)
		got := fmt.Sprintf("%#x: % x", off, b)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tt.want {
			t.Errorf("%s = %s: %s, want %s", tt.path, tt.text, got, tt.want)
		}
	}
}
