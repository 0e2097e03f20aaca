package ksy

import (
	"fmt"
	"strconv"
	"strings"
)

// The Kaitai expression language: a Pratt parser producing an AST that
// eval.go evaluates against a decoded structure.

// exprKind is what an expression node is.
type exprKind int

const (
	eInt exprKind = iota
	eFloat
	eStr
	eBool
	eName   // identifier: a field, parameter, instance or _, _root, _parent, _io, _index
	eEnum   // enum reference: path::member
	eUnary  // op x
	eBinary // x op y
	eTernary
	eMember // x.name
	eCall   // x.name(args)
	eIndex  // x[i]
	eArray  // [a, b, c]
)

// Expr is a parsed expression.
type Expr struct {
	kind exprKind
	op   string
	i    int64
	f    float64
	s    string
	path []string // eEnum: type path and enum name; member is s
	args []*Expr  // operands, call arguments, array items
	src  string   // the text it was parsed from (top level only)

	// rootConst: the expression names nothing but _root (and literals,
	// enum members): its value is the same wherever it is evaluated in
	// one decoder, which evaluates it once (Decoder.memo).
	rootConst bool
}

func (e *Expr) String() string {
	if e.src != "" {
		return e.src
	}
	switch e.kind {
	case eInt:
		return strconv.FormatInt(e.i, 10)
	case eFloat:
		return strconv.FormatFloat(e.f, 'g', -1, 64)
	case eStr:
		return strconv.Quote(e.s)
	case eBool:
		return strconv.FormatBool(e.i != 0)
	case eName:
		return e.s
	case eEnum:
		return strings.Join(append(append([]string{}, e.path...), e.s), "::")
	case eUnary:
		if e.op == "not" {
			return "not " + e.args[0].String()
		}
		return e.op + e.args[0].String()
	case eBinary:
		return "(" + e.args[0].String() + " " + e.op + " " + e.args[1].String() + ")"
	case eTernary:
		return "(" + e.args[0].String() + " ? " + e.args[1].String() + " : " + e.args[2].String() + ")"
	case eMember:
		return e.args[0].String() + "." + e.s
	case eCall, eArray:
		parts := make([]string, 0, len(e.args))
		for _, a := range e.args {
			parts = append(parts, a.String())
		}
		if e.kind == eArray {
			return "[" + strings.Join(parts, ", ") + "]"
		}
		return parts[0] + "." + e.s + "(" + strings.Join(parts[1:], ", ") + ")"
	case eIndex:
		return e.args[0].String() + "[" + e.args[1].String() + "]"
	}
	return "?"
}

// uses reports whether the expression refers to the name (such as "_index"
// or "_") anywhere.
func (e *Expr) uses(name string) bool {
	if e == nil {
		return false
	}
	if e.kind == eName && e.s == name {
		return true
	}
	for _, a := range e.args {
		if a.uses(name) {
			return true
		}
	}
	return false
}

// token is a lexical token.
type token struct {
	kind byte // 'n' number, 'f' float, 's' string, 'i' identifier, 'o' operator, 0 end
	text string
	i    int64
	f    float64
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9':
			j := i
			isFloat := false
			if c == '0' && i+1 < len(src) && strings.ContainsRune("xXbBoO", rune(src[i+1])) {
				j += 2
				for j < len(src) && (isHex(src[j]) || src[j] == '_') {
					j++
				}
			} else {
				for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
					j++
				}
				if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
					isFloat = true
					j++
					for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
						j++
					}
				}
				if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
					k := j + 1
					if k < len(src) && (src[k] == '+' || src[k] == '-') {
						k++
					}
					if k < len(src) && src[k] >= '0' && src[k] <= '9' {
						isFloat = true
						j = k
						for j < len(src) && src[j] >= '0' && src[j] <= '9' {
							j++
						}
					}
				}
			}
			text := strings.ReplaceAll(src[i:j], "_", "")
			if isFloat {
				f, err := strconv.ParseFloat(text, 64)
				if err != nil {
					return nil, fmt.Errorf("bad number %s", src[i:j])
				}
				toks = append(toks, token{kind: 'f', text: src[i:j], f: f})
			} else {
				u, err := strconv.ParseUint(text, 0, 64)
				if err != nil {
					return nil, fmt.Errorf("bad number %s", src[i:j])
				}
				toks = append(toks, token{kind: 'n', text: src[i:j], i: int64(u)})
			}
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			toks = append(toks, token{kind: 'i', text: src[i:j]})
			i = j
		case c == '\'':
			j := strings.IndexByte(src[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated string")
			}
			toks = append(toks, token{kind: 's', text: src[i+1 : i+1+j]})
			i += j + 2
		case c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, fmt.Errorf("unterminated string")
				}
				if src[j] == '"' {
					break
				}
				if src[j] == '\\' && j+1 < len(src) {
					j++
					switch src[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					case '0':
						b.WriteByte(0)
					case 'x':
						if j+2 < len(src) && isHex(src[j+1]) && isHex(src[j+2]) {
							v, _ := strconv.ParseUint(src[j+1:j+3], 16, 8)
							b.WriteByte(byte(v))
							j += 2
						} else {
							return nil, fmt.Errorf("bad escape \\x")
						}
					default:
						b.WriteByte(src[j])
					}
					j++
					continue
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, token{kind: 's', text: b.String()})
			i = j + 1
		default:
			ops := []string{"::", "<<", ">>", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "~", "!", "?", ":", ".", ",", "(", ")", "[", "]"}
			found := false
			for _, op := range ops {
				if strings.HasPrefix(src[i:], op) {
					toks = append(toks, token{kind: 'o', text: op})
					i += len(op)
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("unexpected character %q", c)
			}
		}
	}
	return toks, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

type parser struct {
	toks  []token
	p     int
	depth int
}

func (p *parser) peek() token {
	if p.p < len(p.toks) {
		return p.toks[p.p]
	}
	return token{}
}

func (p *parser) isOp(s string) bool {
	t := p.peek()
	return (t.kind == 'o' || t.kind == 'i') && t.text == s
}

func (p *parser) expect(s string) error {
	if !p.isOp(s) {
		t := p.peek()
		if t.kind == 0 {
			return fmt.Errorf("expected %s at the end", s)
		}
		return fmt.Errorf("expected %s, found %s", s, t.text)
	}
	p.p++
	return nil
}

// ParseExpr parses a Kaitai expression.
func ParseExpr(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	p := &parser{toks: toks}
	e, err := p.ternary()
	if err != nil {
		return nil, err
	}
	if p.p < len(p.toks) {
		return nil, fmt.Errorf("unexpected %s", p.toks[p.p].text)
	}
	e.src = src
	markRootConst(e)
	return e, nil
}

// markRootConst sets rootConst on e and its operands; it reports whether
// e names nothing but _root, and whether it names _root.
func markRootConst(e *Expr) (pure, root bool) {
	pure = true
	if e.kind == eName {
		pure = e.s == "_root"
		root = pure
	}
	for _, a := range e.args {
		p, r := markRootConst(a)
		pure, root = pure && p, root || r
	}
	e.rootConst = pure && root
	return pure, root
}

func (p *parser) ternary() (*Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 200 {
		return nil, fmt.Errorf("expression nested too deeply")
	}
	c, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if !p.isOp("?") {
		return c, nil
	}
	p.p++
	a, err := p.ternary()
	if err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	b, err := p.ternary()
	if err != nil {
		return nil, err
	}
	return &Expr{kind: eTernary, args: []*Expr{c, a, b}}, nil
}

// levels of binary operators, loosest first.
var levels = [][]string{
	{"or"},
	{"and"},
	{"==", "!=", "<", "<=", ">", ">="},
	{"|"},
	{"^"},
	{"&"},
	{"<<", ">>"},
	{"+", "-"},
	{"*", "/", "%"},
}

func (p *parser) binary(level int) (*Expr, error) {
	if level == len(levels) {
		return p.unary()
	}
	if level == 2 && p.isOp("not") { // not binds looser than comparison
		p.p++
		x, err := p.binary(level)
		if err != nil {
			return nil, err
		}
		return &Expr{kind: eUnary, op: "not", args: []*Expr{x}}, nil
	}
	x, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		op := ""
		for _, o := range levels[level] {
			if (t.kind == 'o' || t.kind == 'i') && t.text == o {
				op = o
			}
		}
		if op == "" {
			return x, nil
		}
		p.p++
		y, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		x = &Expr{kind: eBinary, op: op, args: []*Expr{x, y}}
	}
}

func (p *parser) unary() (*Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 200 {
		return nil, fmt.Errorf("expression nested too deeply")
	}
	if p.isOp("-") || p.isOp("~") || p.isOp("!") || p.isOp("not") {
		op := p.peek().text
		if op == "!" {
			op = "not"
		}
		p.p++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if op == "-" && x.kind == eInt {
			x.i = -x.i
			return x, nil
		}
		if op == "-" && x.kind == eFloat {
			x.f = -x.f
			return x, nil
		}
		return &Expr{kind: eUnary, op: op, args: []*Expr{x}}, nil
	}
	return p.postfix()
}

func (p *parser) postfix() (*Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp("."):
			p.p++
			t := p.peek()
			if t.kind != 'i' {
				return nil, fmt.Errorf("expected a name after the dot")
			}
			p.p++
			if t.text == "as" && p.isOp("<") { // cast: .as<type>, a no-op here
				for p.p < len(p.toks) && !p.isOp(">") {
					p.p++
				}
				if err := p.expect(">"); err != nil {
					return nil, err
				}
				continue
			}
			if p.isOp("(") {
				p.p++
				args, err := p.list(")")
				if err != nil {
					return nil, err
				}
				x = &Expr{kind: eCall, s: t.text, args: append([]*Expr{x}, args...)}
				continue
			}
			x = &Expr{kind: eMember, s: t.text, args: []*Expr{x}}
		case p.isOp("["):
			p.p++
			i, err := p.ternary()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			x = &Expr{kind: eIndex, args: []*Expr{x, i}}
		default:
			return x, nil
		}
	}
}

func (p *parser) list(end string) ([]*Expr, error) {
	var out []*Expr
	if p.isOp(end) {
		p.p++
		return out, nil
	}
	for {
		a, err := p.ternary()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		if p.isOp(",") {
			p.p++
			continue
		}
		if err := p.expect(end); err != nil {
			return nil, err
		}
		return out, nil
	}
}

func (p *parser) primary() (*Expr, error) {
	t := p.peek()
	switch t.kind {
	case 0:
		return nil, fmt.Errorf("unexpected end of expression")
	case 'n':
		p.p++
		return &Expr{kind: eInt, i: t.i}, nil
	case 'f':
		p.p++
		return &Expr{kind: eFloat, f: t.f}, nil
	case 's':
		p.p++
		return &Expr{kind: eStr, s: t.text}, nil
	case 'i':
		p.p++
		switch t.text {
		case "true", "false":
			return &Expr{kind: eBool, i: b2i(t.text == "true")}, nil
		case "sizeof", "bitsizeof":
			return nil, fmt.Errorf("%s is not supported", t.text)
		}
		if p.isOp("::") {
			path := []string{t.text}
			for p.isOp("::") {
				p.p++
				n := p.peek()
				if n.kind != 'i' {
					return nil, fmt.Errorf("expected a name after :: (an enum reference)")
				}
				p.p++
				path = append(path, n.text)
			}
			return &Expr{kind: eEnum, path: path[:len(path)-1], s: path[len(path)-1]}, nil
		}
		return &Expr{kind: eName, s: t.text}, nil
	case 'o':
		switch t.text {
		case "(":
			p.p++
			x, err := p.ternary()
			if err != nil {
				return nil, err
			}
			return x, p.expect(")")
		case "[":
			p.p++
			items, err := p.list("]")
			if err != nil {
				return nil, err
			}
			return &Expr{kind: eArray, args: items}, nil
		}
	}
	return nil, fmt.Errorf("unexpected %s", t.text)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
