package ksy

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ctx is where an expression is evaluated: the structure whose names it
// sees, the value `_` stands for, the element index, and the read
// position while the structure is being read.
type ctx struct {
	s      *Struct
	cur    Value
	hasCur bool
	idx    int64
	inRep  bool // idx is set (inside a repeat)
	c      *cursor
}

func (d *Decoder) evalBool(e *Expr, c *ctx) (bool, error) {
	v, err := d.eval(e, c)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s is %s, not a boolean", e, show(v))
	}
	return b, nil
}

func (d *Decoder) eval(e *Expr, c *ctx) (Value, error) {
	if !e.rootConst {
		return d.eval1(e, c)
	}
	if v, ok := d.memo[e]; ok {
		return v, nil
	}
	v, err := d.eval1(e, c)
	if err == nil {
		if d.memo == nil {
			d.memo = map[*Expr]Value{}
		}
		d.memo[e] = v
	}
	return v, err
}

// eval1 is eval without the memo.
func (d *Decoder) eval1(e *Expr, c *ctx) (Value, error) {
	if err := d.step(); err != nil {
		return nil, err
	}
	d.depth++
	v, err := d.eval2(e, c)
	d.depth--
	return v, err
}

// eval2 is eval1 at its depth.
func (d *Decoder) eval2(e *Expr, c *ctx) (Value, error) {
	if d.lim.MaxDepth > 0 && d.depth > 4*d.lim.MaxDepth {
		return nil, fmt.Errorf("expressions nested more than %d deep: %w", 4*d.lim.MaxDepth, ErrLimit)
	}
	switch e.kind {
	case eInt:
		return e.i, nil
	case eFloat:
		return e.f, nil
	case eStr:
		return e.s, nil
	case eBool:
		return e.i != 0, nil
	case eArray:
		out := make([]Value, len(e.args))
		for i, a := range e.args {
			v, err := d.eval(a, c)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case eEnum:
		var en *Enum
		if c.s != nil {
			en = c.s.t.lookupEnum(e.path)
		}
		if en == nil {
			return nil, fmt.Errorf("enum %s is not defined", strings.Join(e.path, "::"))
		}
		v, ok := en.ByName[e.s]
		if !ok {
			return nil, fmt.Errorf("enum %s has no %s", en.Name, e.s)
		}
		return EnumVal{E: en, V: v}, nil
	case eName:
		return d.name(e.s, c)
	case eTernary:
		cond, err := d.evalBool(e.args[0], c)
		if err != nil {
			return nil, err
		}
		if cond {
			return d.eval(e.args[1], c)
		}
		return d.eval(e.args[2], c)
	case eUnary:
		x, err := d.eval(e.args[0], c)
		if err != nil {
			return nil, err
		}
		switch e.op {
		case "not":
			b, ok := x.(bool)
			if !ok {
				return nil, fmt.Errorf("not %s: not a boolean", show(x))
			}
			return !b, nil
		case "-":
			switch v := x.(type) {
			case int64:
				return -v, nil
			case float64:
				return -v, nil
			}
		case "~":
			if v, ok := x.(int64); ok {
				return ^v, nil
			}
		}
		return nil, fmt.Errorf("%s%s: not a number", e.op, show(x))
	case eBinary:
		return d.binary(e, c)
	case eMember:
		x, err := d.eval(e.args[0], c)
		if err != nil {
			return nil, err
		}
		return d.member(x, e.s, nil, c)
	case eCall:
		x, err := d.eval(e.args[0], c)
		if err != nil {
			return nil, err
		}
		var args []Value
		for _, a := range e.args[1:] {
			v, err := d.eval(a, c)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
		return d.member(x, e.s, args, c)
	case eIndex:
		x, err := d.eval(e.args[0], c)
		if err != nil {
			return nil, err
		}
		iv, err := d.eval(e.args[1], c)
		if err != nil {
			return nil, err
		}
		i, ok := iv.(int64)
		if !ok {
			return nil, fmt.Errorf("index %s is not an integer", show(iv))
		}
		return d.index(x, i)
	}
	return nil, fmt.Errorf("cannot evaluate %s", e)
}

func (d *Decoder) index(x Value, i int64) (Value, error) {
	x, err := d.concrete(x)
	if err != nil {
		return nil, err
	}
	switch v := x.(type) {
	case *Array:
		f, err := v.At(i)
		if err != nil {
			return nil, err
		}
		return fieldVal(f)
	case []byte:
		if i < 0 || i >= int64(len(v)) {
			return nil, fmt.Errorf("index %d is out of range (%d bytes)", i, len(v))
		}
		return int64(v[i]), nil
	case []Value:
		if i < 0 || i >= int64(len(v)) {
			return nil, fmt.Errorf("index %d is out of range (%d items)", i, len(v))
		}
		return v[i], nil
	}
	return nil, fmt.Errorf("%s cannot be indexed", show(x))
}

// concrete reads a lazy Bytes value.
func (d *Decoder) concrete(x Value) (Value, error) {
	if b, ok := x.(*Bytes); ok {
		return d.bytesOf(b)
	}
	return x, nil
}

func fieldVal(f *Field) (Value, error) {
	if f.Absent {
		return nil, fmt.Errorf("%s is absent (its if is false)", f.A.ID)
	}
	if f.Val == nil && f.Err != nil {
		return nil, f.Err
	}
	if f.Val == nil {
		return nil, fmt.Errorf("%s has no value", f.A.ID)
	}
	if _, ok := f.Val.(*unsupportedVal); ok {
		return nil, f.Err
	}
	return f.Val, nil
}

func (d *Decoder) name(n string, c *ctx) (Value, error) {
	s := c.s
	switch n {
	case "_":
		if !c.hasCur {
			return nil, fmt.Errorf("_ is used outside repeat-until, valid or a switch")
		}
		return c.cur, nil
	case "_index":
		if !c.inRep {
			return nil, fmt.Errorf("_index is used outside a repeat")
		}
		return c.idx, nil
	case "_root":
		return s.root, nil
	case "_parent":
		if s.parent == nil {
			return nil, fmt.Errorf("_parent of the top-level type")
		}
		return s.parent, nil
	case "_io":
		if c.c != nil && c.c.io == s.io {
			return IOVal{s: s.io, pos: c.c.pos}, nil
		}
		return s.ioVal()
	case "_is_le":
		le, err := s.endian()
		return le == 1, err
	}
	return d.structMember(s, n)
}

func (s *Struct) ioVal() (Value, error) {
	e, err := s.end()
	if err != nil {
		return nil, err
	}
	return IOVal{s: s.io, pos: e}, nil
}

func (d *Decoder) structMember(s *Struct, n string) (Value, error) {
	for i, p := range s.t.Params {
		if p == n {
			if i < len(s.args) {
				return s.args[i], nil
			}
		}
	}
	f, err := s.field(n)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("%s has no field %s", s.t.Name, n)
	}
	return fieldVal(f)
}

func (d *Decoder) member(x Value, n string, args []Value, c *ctx) (Value, error) {
	if s, ok := x.(*Struct); ok && args == nil {
		switch n {
		case "_parent":
			if s.parent == nil {
				return nil, fmt.Errorf("_parent of the top-level type")
			}
			return s.parent, nil
		case "_root":
			return s.root, nil
		case "_io":
			return s.ioVal()
		}
		return d.structMember(s, n)
	}
	x, err := d.concrete(x)
	if err != nil {
		return nil, err
	}
	bad := func() (Value, error) {
		return nil, fmt.Errorf("%s has no .%s", show(x), n)
	}
	switch v := x.(type) {
	case IOVal:
		switch n {
		case "pos":
			return v.pos, nil
		case "size":
			return v.s.size, nil
		case "eof":
			return v.pos >= v.s.size, nil
		}
	case EnumVal:
		if n == "to_i" {
			return v.V, nil
		}
	case int64:
		switch n {
		case "to_s":
			return strconv.FormatInt(v, 10), nil
		case "to_i":
			return v, nil
		}
	case float64:
		if n == "to_i" {
			return int64(v), nil
		}
	case bool:
		if n == "to_i" {
			return b2i(v), nil
		}
	case string:
		switch n {
		case "length":
			return int64(len([]rune(v))), nil
		case "reverse":
			r := []rune(v)
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return string(r), nil
		case "to_i":
			base := 10
			if len(args) == 1 {
				b, ok := args[0].(int64)
				if !ok {
					return nil, fmt.Errorf("to_i: the radix is not an integer")
				}
				base = int(b)
			}
			i, err := strconv.ParseInt(v, base, 64)
			if err != nil {
				return nil, fmt.Errorf("%s.to_i: not an integer", strconv.Quote(v))
			}
			return i, nil
		case "substring":
			r := []rune(v)
			if len(args) != 2 {
				return nil, fmt.Errorf("substring takes 2 arguments")
			}
			a, ok1 := args[0].(int64)
			b, ok2 := args[1].(int64)
			if !ok1 || !ok2 || a < 0 || b < a || b > int64(len(r)) {
				return nil, fmt.Errorf("substring(%s, %s) is out of range", show(args[0]), show(args[1]))
			}
			return string(r[a:b]), nil
		}
	case []byte:
		switch n {
		case "size", "length":
			return int64(len(v)), nil
		case "first", "last", "min", "max":
			if len(v) == 0 {
				return nil, fmt.Errorf(".%s of no bytes", n)
			}
			m := v[0]
			switch n {
			case "last":
				m = v[len(v)-1]
			case "min":
				for _, b := range v {
					m = min(m, b)
				}
			case "max":
				for _, b := range v {
					m = max(m, b)
				}
			}
			return int64(m), nil
		case "to_s":
			if len(args) != 1 {
				return nil, fmt.Errorf("to_s needs an encoding")
			}
			enc, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("to_s: the encoding is not a string")
			}
			ne, ok := normEncoding(enc)
			if !ok {
				return nil, fmt.Errorf("encoding %s is not supported", enc)
			}
			return decodeStr(v, ne)
		}
	case *Array:
		switch n {
		case "size", "length":
			return v.Len()
		case "first":
			return d.index(v, 0)
		case "last":
			k, err := v.Len()
			if err != nil {
				return nil, err
			}
			return d.index(v, k-1)
		case "min", "max":
			k, err := v.Len()
			if err != nil {
				return nil, err
			}
			if k == 0 {
				return nil, fmt.Errorf(".%s of no elements", n)
			}
			var best Value
			for i := int64(0); i < k; i++ {
				e, err := d.index(v, i)
				if err != nil {
					return nil, err
				}
				if best == nil {
					best = e
					continue
				}
				cmp, err := compare(e, best)
				if err != nil {
					return nil, err
				}
				if (n == "min" && cmp < 0) || (n == "max" && cmp > 0) {
					best = e
				}
			}
			return best, nil
		}
	case []Value:
		switch n {
		case "size", "length":
			return int64(len(v)), nil
		case "first", "last":
			if len(v) == 0 {
				return nil, fmt.Errorf(".%s of no elements", n)
			}
			if n == "first" {
				return v[0], nil
			}
			return v[len(v)-1], nil
		}
	}
	return bad()
}

// toBytes turns an array literal of bytes into []byte.
func toBytes(v Value) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case []Value:
		out := make([]byte, len(x))
		for i, e := range x {
			n, ok := e.(int64)
			if !ok || n < 0 || n > 255 {
				return nil, false
			}
			out[i] = byte(n)
		}
		return out, true
	}
	return nil, false
}

func (d *Decoder) binary(e *Expr, c *ctx) (Value, error) {
	if e.op == "and" || e.op == "or" {
		a, err := d.evalBool(e.args[0], c)
		if err != nil {
			return nil, err
		}
		if (e.op == "and") != a {
			return a, nil
		}
		return d.evalBool(e.args[1], c)
	}
	x, err := d.eval(e.args[0], c)
	if err != nil {
		return nil, err
	}
	y, err := d.eval(e.args[1], c)
	if err != nil {
		return nil, err
	}
	if x, err = d.concrete(x); err != nil {
		return nil, err
	}
	if y, err = d.concrete(y); err != nil {
		return nil, err
	}
	switch e.op {
	case "==", "!=":
		eq, err := equal(x, y)
		if err != nil {
			return nil, err
		}
		return eq == (e.op == "=="), nil
	case "<", "<=", ">", ">=":
		cmp, err := compare(x, y)
		if err != nil {
			return nil, err
		}
		switch e.op {
		case "<":
			return cmp < 0, nil
		case "<=":
			return cmp <= 0, nil
		case ">":
			return cmp > 0, nil
		}
		return cmp >= 0, nil
	}
	if e.op == "+" {
		if a, ok := x.(string); ok {
			if b, ok := y.(string); ok {
				return a + b, nil
			}
		}
		if a, ok := toBytes(x); ok {
			if b, ok := toBytes(y); ok {
				if _, lit := x.([]Value); !lit {
					return append(append([]byte{}, a...), b...), nil
				}
			}
		}
	}
	xi, xok := x.(int64)
	yi, yok := y.(int64)
	if xok && yok {
		switch e.op {
		case "+":
			return xi + yi, nil
		case "-":
			return xi - yi, nil
		case "*":
			return xi * yi, nil
		case "/":
			if yi == 0 {
				return nil, fmt.Errorf("division by zero in %s", e.src)
			}
			if xi == math.MinInt64 && yi == -1 {
				return xi, nil
			}
			q := xi / yi
			if (xi%yi != 0) && ((xi < 0) != (yi < 0)) {
				q-- // floor division, as Kaitai (Python)
			}
			return q, nil
		case "%":
			if yi == 0 {
				return nil, fmt.Errorf("modulo by zero")
			}
			if yi == -1 {
				return int64(0), nil
			}
			m := xi % yi
			if m != 0 && (m < 0) != (yi < 0) {
				m += yi
			}
			return m, nil
		case "<<":
			if yi < 0 || yi > 63 {
				return int64(0), nil
			}
			return xi << uint(yi), nil
		case ">>":
			if yi < 0 || yi > 63 {
				if xi < 0 {
					return int64(-1), nil
				}
				return int64(0), nil
			}
			return xi >> uint(yi), nil
		case "&":
			return xi & yi, nil
		case "|":
			return xi | yi, nil
		case "^":
			return xi ^ yi, nil
		}
	}
	xf, xfok := toFloat(x)
	yf, yfok := toFloat(y)
	if xfok && yfok {
		switch e.op {
		case "+":
			return xf + yf, nil
		case "-":
			return xf - yf, nil
		case "*":
			return xf * yf, nil
		case "/":
			return xf / yf, nil
		}
	}
	return nil, fmt.Errorf("%s %s %s: not supported for these values", show(x), e.op, show(y))
}

func toFloat(v Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func equal(x, y Value) (bool, error) {
	switch a := x.(type) {
	case EnumVal:
		switch b := y.(type) {
		case EnumVal:
			return a.V == b.V, nil
		case int64:
			return a.V == b, nil
		}
	case int64:
		switch b := y.(type) {
		case int64:
			return a == b, nil
		case float64:
			return float64(a) == b, nil
		case EnumVal:
			return a == b.V, nil
		}
	case float64:
		if b, ok := toFloat(y); ok {
			return a == b, nil
		}
	case bool:
		if b, ok := y.(bool); ok {
			return a == b, nil
		}
	case string:
		if b, ok := y.(string); ok {
			return a == b, nil
		}
	}
	if a, ok := toBytes(x); ok {
		if b, ok := toBytes(y); ok {
			return bytes.Equal(a, b), nil
		}
	}
	if a, ok := x.(*Struct); ok {
		if b, ok := y.(*Struct); ok {
			return a == b, nil
		}
	}
	return false, fmt.Errorf("%s == %s: cannot compare these values", show(x), show(y))
}

func compare(x, y Value) (int, error) {
	if a, ok := x.(EnumVal); ok {
		x = a.V
	}
	if b, ok := y.(EnumVal); ok {
		y = b.V
	}
	if a, ok := x.(int64); ok {
		if b, ok := y.(int64); ok {
			switch {
			case a < b:
				return -1, nil
			case a > b:
				return 1, nil
			}
			return 0, nil
		}
	}
	if a, ok := toFloat(x); ok {
		if b, ok := toFloat(y); ok {
			switch {
			case a < b:
				return -1, nil
			case a > b:
				return 1, nil
			}
			return 0, nil
		}
	}
	if a, ok := x.(string); ok {
		if b, ok := y.(string); ok {
			return strings.Compare(a, b), nil
		}
	}
	if a, ok := toBytes(x); ok {
		if b, ok := toBytes(y); ok {
			return bytes.Compare(a, b), nil
		}
	}
	return 0, fmt.Errorf("%s and %s cannot be ordered", show(x), show(y))
}

// show is a value in messages.
func show(v Value) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return strconv.Quote(x)
	case []byte:
		if len(x) > 16 {
			return fmt.Sprintf("[% x …] (%d bytes)", x[:16], len(x))
		}
		return fmt.Sprintf("[% x]", x)
	case *Bytes:
		return fmt.Sprintf("%d bytes", x.n)
	case EnumVal:
		if n, ok := x.E.ByVal[x.V]; ok {
			return x.E.Name + "::" + n
		}
		return fmt.Sprintf("%s(%d)", x.E.Name, x.V)
	case *Struct:
		return x.t.Name
	case *Array:
		return "an array"
	case IOVal:
		return "a stream"
	case []Value:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("%v", v)
}
