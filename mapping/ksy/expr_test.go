package ksy

import (
	"strconv"
	"strings"
	"testing"
)

// TestExpressions: the expression language, evaluated as a value instance
// over a structure with fields a = 7, b = -3 (s1), s = "Hi", raw = [48 69],
// arr = [5 1 9], e = colour::green, and a nested sub with a parent.
func TestExpressions(t *testing.T) {
	const spec = `meta: {id: t, endian: le}
seq:
  - {id: a, type: u1}
  - {id: b, type: s1}
  - {id: s, type: str, size: 2, encoding: ASCII}
  - {id: raw, size: 2}
  - {id: arr, type: u1, repeat: expr, repeat-expr: 3}
  - {id: e, type: u1, enum: colour}
  - {id: sub, type: inner}
types:
  inner:
    seq:
      - {id: z, type: u2}
    instances:
      up: {value: _parent.a + z}
      top: {value: _root.s}
      here: {value: _io.pos}
enums:
  colour: {1: red, 2: green}
instances:
  r: {value: 'EXPR'}
`
	data := []byte{7, 0xfd, 'H', 'i', 0x48, 0x69, 5, 1, 9, 2, 0x10, 0x00}
	tests := []struct{ expr, want string }{
		{"1 + 2 * 3", "7"},
		{"(1 + 2) * 3", "9"},
		{"a - 10", "-3"},
		{"7 / 2", "3"},
		{"-7 / 2", "-4"},
		{"-7 % 3", "2"},
		{"7 % -3", "-2"},
		{"1 << 4 | 1", "17"},
		{"0xff & ~0x0f", "240"},
		{"0b1010 ^ 0b0110", "12"},
		{"0o17", "15"},
		{"1_000", "1000"},
		{"256 >> 4", "16"},
		{"-a", "-7"},
		{"b", "-3"},
		{"a * 1.5", "10.5"},
		{"7.0 / 2", "3.5"},
		{"a == 7", "true"},
		{"a != 7", "false"},
		{"a < 8 and b < 0", "true"},
		{"a > 8 or b >= -3", "true"},
		{"not (a == 7)", "false"},
		{"not a == 7", "false"},
		{"a <= 7 ? 'small' : 'big'", `"small"`},
		{"a > 7 ? 1 : a > 6 ? 2 : 3", "2"},
		{"true and false", "false"},
		{"s", `"Hi"`},
		{"s + '!'", `"Hi!"`},
		{"s.length", "2"},
		{"s.reverse", `"iH"`},
		{"s == \"Hi\"", "true"},
		{"s < 'Ho'", "true"},
		{"'42'.to_i + 1", "43"},
		{"'ff'.to_i(16)", "255"},
		{"'hello'.substring(1, 3)", `"el"`},
		{"a.to_s", `"7"`},
		{"a.to_s + 'x'", `"7x"`},
		{"raw.size", "2"},
		{"raw.length", "2"},
		{"raw.to_s('ASCII')", `"Hi"`},
		{"raw.to_s('UTF-16LE').length", "1"},
		{"raw == [0x48, 0x69]", "true"},
		{"raw[1]", "105"},
		{"raw.first", "72"},
		{"raw.last", "105"},
		{"raw.max", "105"},
		{"arr.size", "3"},
		{"arr.length", "3"},
		{"arr[2]", "9"},
		{"arr.first + arr.last", "14"},
		{"arr.min", "1"},
		{"arr.max", "9"},
		{"[1, 2, 3].size", "3"},
		{"[1, 2, 3][1]", "2"},
		{"e", "colour::green"},
		{"e == colour::green", "true"},
		{"e != colour::red", "true"},
		{"e.to_i", "2"},
		{"colour::red.to_i", "1"},
		{"sub.z", "16"},
		{"sub.up", "23"},
		{"sub.top", `"Hi"`},
		{"sub.here", "12"},
		{"sub._parent.a", "7"},
		{"sub._root.a", "7"},
		{"_root.a", "7"},
		{"_io.size", "12"},
		{"_io.pos", "12"},
		{"_io.eof", "true"},
		{"true.to_i", "1"},
		{"3.9.to_i", "3"},
		{"a.as<u4>", "7"},
		// errors are values' problems, named
		{"1 / 0", "error: t.ksy:21: r: division by zero in 1 / 0"},
		{"nothere", "error: t.ksy:21: r: t has no field nothere"},
		{"arr[3]", "error: t.ksy:21: r: index 3 is out of range (3 elements)"},
		{"raw[5]", "error: t.ksy:21: r: index 5 is out of range (2 bytes)"},
		{"s + 1", `error: t.ksy:21: r: "Hi" + 1: not supported for these values`},
		{"a ? 1 : 2", "error: t.ksy:21: r: a is 7, not a boolean"},
		{"colour::blue", "error: t.ksy:21: r: enum colour has no blue"},
		{"nope::x", "error: t.ksy:21: r: enum nope is not defined"},
		{"_parent", "error: t.ksy:21: r: _parent of the top-level type"},
		{"_", "error: t.ksy:21: r: _ is used outside repeat-until, valid or a switch"},
		{"_index", "error: t.ksy:21: r: _index is used outside a repeat"},
		{"s.nope", `error: t.ksy:21: r: "Hi" has no .nope`},
		{"a == 'x'", `error: t.ksy:21: r: 7 == "x": cannot compare these values`},
		{"1 +", `error: t.ksy:21: "1 +": unexpected end of expression`},
		{"(1", `error: t.ksy:21: "(1": expected ) at the end`},
		{"1 2", `error: t.ksy:21: "1 2": unexpected 2`},
		{"'abc", `error: t.ksy:21: "'abc": unterminated string`},
		{"a @ b", `error: t.ksy:21: "a @ b": unexpected character '@'`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			q := strings.ReplaceAll(tt.expr, "'", "''")
			got := decodeText(t, strings.Replace(spec, "EXPR", q, 1), data, "r")
			if got != tt.want {
				t.Errorf("%s\ngot  %s\nwant %s", strconv.Quote(tt.expr), got, tt.want)
			}
		})
	}
}
