// Package ksy interprets Kaitai Struct (.ksy) format descriptions directly,
// lazily, over an io.ReaderAt (the mapped file): nothing is compiled to
// code, and only the fields that are shown or asked for are read.
//
// spec.go turns the YAML into a Spec (types, attributes, enums, parsed
// expressions), naming every construct outside the supported subset with
// its file and line; decode.go reads a Spec over data; node.go is the tree
// the command line and the editor show.
package ksy

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Spec is one compiled .ksy file.
type Spec struct {
	File        string // the name errors use (base name of the file)
	Path        string // where it was loaded from (for imports)
	ID          string
	Title       string
	Exts        []string
	Root        *Type
	BitLE       bool
	Encoding    string // meta/encoding: the default for str and strz
	Imports     []*Spec
	importNames []string // meta/imports as written
	Problems    []error  // constructs outside the subset; decoding goes on without them
}

// Type is a user type (or the spec's top-level type).
type Type struct {
	Name   string
	Spec   *Spec
	Parent *Type // lexically enclosing type
	Line   int

	endian     int // 0 inherit, 1 le, 2 be, 3 switch
	endianOn   *Expr
	endianCase []endianCase

	Seq    []*Attr
	Inst   []*Attr
	instBy map[string]*Attr
	seqBy  map[string]int
	Types  map[string]*Type
	Enums  map[string]*Enum
	Params []string

	static    int64 // cached static size: -2 unknown, -1 not static
	flatState int   // 0 unknown, 1 flatCandidate, 2 not (under staticMu)
}

type endianCase struct {
	key *Expr // nil: _
	le  bool
}

// Enum is a named set of integer values.
type Enum struct {
	Name   string
	ByVal  map[int64]string
	ByName map[string]int64
}

const (
	repNone = iota
	repExpr
	repEOS
	repUntil
)

// typeKind is the kind of a type reference.
const (
	kBytes = iota
	kInt
	kFloat
	kBits
	kStr
	kStrz
	kUser
	kSwitch
)

// TypeRef is an attribute's type.
type TypeRef struct {
	kind   int
	width  int // bytes (kInt, kFloat) or bits (kBits)
	signed bool
	endian int // 0 inherit, 1 le, 2 be
	bitLE  bool
	user   string
	args   []*Expr
	text   string
}

type switchCase struct {
	key *Expr // nil: _
	ref TypeRef
}

// Attr is a seq attribute or an instance.
type Attr struct {
	ID   string
	Line int
	Spec *Spec
	Doc  string

	Type     TypeRef
	SwitchOn *Expr
	Cases    []switchCase

	Size       *Expr
	SizeEOS    bool
	Contents   []byte
	If         *Expr
	Repeat     int
	RepeatExpr *Expr
	Enum       string
	enumPath   []string // Enum split at ::
	Encoding   string
	Terminator int // -1: none
	Consume    bool
	Include    bool
	EOSError   bool
	PadRight   int // -1: none
	Pos        *Expr
	IO         *Expr
	Value      *Expr
	Process    string
	Valid      *Valid

	unsupported error // decoding this attribute stops with this error
}

// Valid is an attribute's validation.
type Valid struct {
	Eq, Min, Max, Expr *Expr
	AnyOf              []*Expr
}

// SpecError is a problem at a line of a .ksy file.
type SpecError struct {
	File string
	Line int
	Msg  string
}

func (e *SpecError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

type compiler struct {
	spec *Spec
}

func (c *compiler) errf(n *yaml.Node, format string, args ...any) *SpecError {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &SpecError{File: c.spec.File, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// problem records a construct outside the subset that does not stop the
// whole file.
func (c *compiler) problem(n *yaml.Node, format string, args ...any) {
	c.spec.Problems = append(c.spec.Problems, c.errf(n, format, args...))
}

// Parse compiles a .ksy file's text. name is the file name errors use.
// Imports are not resolved here: see Loader.
func Parse(name string, data []byte) (*Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	s := &Spec{File: path.Base(name), Path: name}
	c := &compiler{spec: s}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, c.errf(&doc, "not a .ksy file: the top level is not a mapping")
	}
	top := doc.Content[0]
	t, err := c.typ(top, nil, "")
	if err != nil {
		return nil, err
	}
	s.Root = t
	if s.ID == "" {
		return nil, c.errf(top, "meta/id is missing")
	}
	t.Name = s.ID
	return s, nil
}

// pairs returns a mapping node's keys and values in order.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

func (c *compiler) typ(n *yaml.Node, parent *Type, name string) (*Type, error) {
	if n.Kind != yaml.MappingNode {
		return nil, c.errf(n, "type %s is not a mapping", name)
	}
	t := &Type{Name: name, Spec: c.spec, Parent: parent, Line: n.Line, instBy: map[string]*Attr{}, seqBy: map[string]int{},
		Types: map[string]*Type{}, Enums: map[string]*Enum{}, static: -2}
	var seqN, instN, typesN *yaml.Node
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "meta":
			if err := c.meta(v, t, parent == nil); err != nil {
				return nil, err
			}
		case "seq":
			seqN = v
		case "instances":
			instN = v
		case "types":
			typesN = v
		case "enums":
			for _, e := range pairs(v) {
				en, err := c.enum(e[0].Value, e[1])
				if err != nil {
					return nil, err
				}
				t.Enums[en.Name] = en
			}
		case "params":
			if v.Kind != yaml.SequenceNode {
				return nil, c.errf(v, "params is not a list")
			}
			for _, p := range v.Content {
				id := ""
				for _, kv := range pairs(p) {
					if kv[0].Value == "id" {
						id = kv[1].Value
					}
				}
				if id == "" {
					return nil, c.errf(p, "a parameter has no id")
				}
				t.Params = append(t.Params, id)
			}
		case "doc", "doc-ref", "-orig-id", "to-string", "-webide-representation":
		default:
			if !strings.HasPrefix(k.Value, "-") {
				c.problem(k, "%s is not supported", k.Value)
			}
		}
	}
	// Types first, so attributes can be checked against them later.
	for _, kv := range pairs(typesN) {
		sub, err := c.typ(kv[1], t, kv[0].Value)
		if err != nil {
			return nil, err
		}
		t.Types[kv[0].Value] = sub
	}
	if seqN != nil {
		if seqN.Kind != yaml.SequenceNode {
			return nil, c.errf(seqN, "seq is not a list")
		}
		for _, an := range seqN.Content {
			a, err := c.attr(an, "", false)
			if err != nil {
				return nil, err
			}
			if a.ID != "" {
				if _, dup := t.seqBy[a.ID]; dup {
					return nil, c.errf(an, "%s: duplicate id", a.ID)
				}
				t.seqBy[a.ID] = len(t.Seq)
			}
			t.Seq = append(t.Seq, a)
		}
	}
	for _, kv := range pairs(instN) {
		a, err := c.attr(kv[1], kv[0].Value, true)
		if err != nil {
			return nil, err
		}
		a.Line = kv[0].Line
		t.Inst = append(t.Inst, a)
		t.instBy[a.ID] = a
	}
	return t, nil
}

func (c *compiler) meta(n *yaml.Node, t *Type, top bool) error {
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "id":
			if top {
				c.spec.ID = v.Value
			}
		case "title":
			if top {
				c.spec.Title = v.Value
			}
		case "file-extension":
			if v.Kind == yaml.SequenceNode {
				for _, e := range v.Content {
					c.spec.Exts = append(c.spec.Exts, e.Value)
				}
			} else if top {
				c.spec.Exts = append(c.spec.Exts, v.Value)
			}
		case "endian":
			switch {
			case v.Kind == yaml.ScalarNode && v.Value == "le":
				t.endian = 1
			case v.Kind == yaml.ScalarNode && v.Value == "be":
				t.endian = 2
			case v.Kind == yaml.MappingNode:
				t.endian = 3
				for _, ekv := range pairs(v) {
					switch ekv[0].Value {
					case "switch-on":
						e, err := c.expr(ekv[1])
						if err != nil {
							return err
						}
						t.endianOn = e
					case "cases":
						for _, ck := range pairs(ekv[1]) {
							var key *Expr
							if ck[0].Value != "_" {
								e, err := c.expr(ck[0])
								if err != nil {
									return err
								}
								key = e
							}
							if ck[1].Value != "le" && ck[1].Value != "be" {
								return c.errf(ck[1], "endian: %s is neither le nor be", ck[1].Value)
							}
							t.endianCase = append(t.endianCase, endianCase{key, ck[1].Value == "le"})
						}
					}
				}
				if t.endianOn == nil {
					return c.errf(v, "endian: switch-on is missing")
				}
			default:
				return c.errf(v, "endian: %s is neither le nor be", v.Value)
			}
		case "bit-endian":
			if top {
				c.spec.BitLE = v.Value == "le"
			}
		case "imports":
			if top { // resolved by the Loader
				for _, i := range v.Content {
					c.spec.importNames = append(c.spec.importNames, i.Value)
				}
			}
		case "encoding":
			if top {
				c.spec.Encoding = v.Value
			}
		case "application", "xref", "license", "ks-version", "ks-debug", "ks-opaque-types", "tags", "ks-nullable":
		default:
			if !strings.HasPrefix(k.Value, "-") {
				c.problem(k, "meta/%s is not supported", k.Value)
			}
		}
	}
	return nil
}

func (c *compiler) enum(name string, n *yaml.Node) (*Enum, error) {
	e := &Enum{Name: name, ByVal: map[int64]string{}, ByName: map[string]int64{}}
	for _, kv := range pairs(n) {
		v, err := parseInt(kv[0].Value)
		if err != nil {
			return nil, c.errf(kv[0], "enum %s: %s is not an integer", name, kv[0].Value)
		}
		id := kv[1].Value
		if kv[1].Kind == yaml.MappingNode {
			for _, ikv := range pairs(kv[1]) {
				if ikv[0].Value == "id" {
					id = ikv[1].Value
				}
			}
		}
		e.ByVal[v] = id
		e.ByName[id] = v
	}
	return e, nil
}

func parseInt(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	u, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

func (c *compiler) expr(n *yaml.Node) (*Expr, error) {
	src := n.Value
	if n.Kind != yaml.ScalarNode {
		return nil, c.errf(n, "expected an expression")
	}
	e, err := ParseExpr(src)
	if err != nil {
		return nil, c.errf(n, "%s: %v", strconv.Quote(src), err)
	}
	return e, nil
}

var knownAttrKeys = map[string]bool{"id": true, "type": true, "size": true, "size-eos": true, "contents": true,
	"if": true, "repeat": true, "repeat-expr": true, "repeat-until": true, "enum": true, "encoding": true,
	"terminator": true, "consume": true, "include": true, "eos-error": true, "pad-right": true, "pos": true,
	"io": true, "value": true, "process": true, "valid": true, "doc": true, "doc-ref": true, "-orig-id": true}

// The type names' patterns, compiled when a .ksy is first parsed (not at
// start-up: the built-in formats are compiled Go code, builtin_compiled.go).
var (
	intTypeRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([us])([248])(le|be)?$`) })
	floatTypeRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^f([48])(le|be)?$`) })
	bitsTypeRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^b([0-9]+)(le|be)?$`) })
	userTypeRe  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)(?:\((.*)\))?$`)
	})
)

func (c *compiler) attr(n *yaml.Node, id string, instance bool) (*Attr, error) {
	if n.Kind != yaml.MappingNode {
		return nil, c.errf(n, "an attribute is not a mapping")
	}
	a := &Attr{ID: id, Line: n.Line, Spec: c.spec, Terminator: -1, PadRight: -1, Consume: true, EOSError: true}
	unsup := func(k *yaml.Node, format string, args ...any) {
		if a.unsupported == nil {
			a.unsupported = c.errf(k, format, args...)
		}
	}
	var typeN, repeatN *yaml.Node
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		var err error
		switch k.Value {
		case "id":
			a.ID = v.Value
		case "doc":
			a.Doc = v.Value
		case "type":
			typeN = v
		case "size":
			a.Size, err = c.expr(v)
		case "size-eos":
			a.SizeEOS = v.Value == "true"
		case "contents":
			a.Contents, err = c.contents(v)
		case "if":
			a.If, err = c.expr(v)
		case "repeat":
			repeatN = v
			switch v.Value {
			case "expr":
				a.Repeat = repExpr
			case "eos":
				a.Repeat = repEOS
			case "until":
				a.Repeat = repUntil
			default:
				return nil, c.errf(v, "repeat: %s is not expr, eos or until", v.Value)
			}
		case "repeat-expr", "repeat-until":
			a.RepeatExpr, err = c.expr(v)
		case "enum":
			a.Enum = v.Value
		case "encoding":
			a.Encoding = v.Value
			if _, ok := normEncoding(v.Value); !ok {
				unsup(v, "encoding: %s is not supported", v.Value)
			}
		case "terminator":
			var t int64
			t, err = parseInt(v.Value)
			a.Terminator = int(t & 0xff)
		case "consume":
			a.Consume = v.Value != "false"
		case "include":
			a.Include = v.Value == "true"
		case "eos-error":
			a.EOSError = v.Value != "false"
		case "pad-right":
			var p int64
			p, err = parseInt(v.Value)
			a.PadRight = int(p & 0xff)
		case "pos":
			a.Pos, err = c.expr(v)
		case "io":
			a.IO, err = c.expr(v)
		case "value":
			a.Value, err = c.expr(v)
		case "process":
			a.Process = v.Value
			if v.Value != "zlib" {
				unsup(k, "process: %s is not supported", v.Value)
			}
		case "valid":
			a.Valid, err = c.valid(v)
		default:
			if !knownAttrKeys[k.Value] && !strings.HasPrefix(k.Value, "-") {
				unsup(k, "%s is not supported", k.Value)
			}
		}
		if err != nil {
			if se, ok := err.(*SpecError); ok {
				return nil, se
			}
			return nil, c.errf(v, "%s: %v", k.Value, err)
		}
	}
	if a.Enum != "" {
		a.enumPath = strings.Split(a.Enum, "::")
	}
	if (a.Repeat == repExpr || a.Repeat == repUntil) && a.RepeatExpr == nil {
		return nil, c.errf(repeatN, "repeat: %s needs repeat-%s", repeatN.Value, repeatN.Value)
	}
	if (a.Pos != nil || a.IO != nil || a.Value != nil) && !instance {
		return nil, c.errf(n, "%s: pos, io and value belong in instances", a.ID)
	}
	if typeN != nil {
		if typeN.Kind == yaml.MappingNode {
			a.Type.kind = kSwitch
			a.Type.text = "switch"
			for _, kv := range pairs(typeN) {
				switch kv[0].Value {
				case "switch-on":
					e, err := c.expr(kv[1])
					if err != nil {
						return nil, err
					}
					a.SwitchOn = e
				case "cases":
					for _, ck := range pairs(kv[1]) {
						var key *Expr
						if ck[0].Value != "_" {
							e, err := c.expr(ck[0])
							if err != nil {
								return nil, err
							}
							key = e
						}
						ref, err := c.typeRef(ck[1], a)
						if err != nil {
							return nil, err
						}
						a.Cases = append(a.Cases, switchCase{key, ref})
					}
				}
			}
			if a.SwitchOn == nil {
				return nil, c.errf(typeN, "type: switch-on is missing")
			}
		} else {
			ref, err := c.typeRef(typeN, a)
			if err != nil {
				return nil, err
			}
			a.Type = ref
		}
	} else if a.Value == nil {
		a.Type = TypeRef{kind: kBytes, text: "bytes"}
		if a.Size == nil && !a.SizeEOS && a.Contents == nil && a.Terminator < 0 {
			return nil, c.errf(n, "%s: bytes without size, size-eos, contents or terminator", a.ID)
		}
		if a.Terminator >= 0 {
			a.Type.text = "bytes"
		}
	}
	if a.Type.kind == kStr && a.Size == nil && !a.SizeEOS && a.Terminator < 0 {
		return nil, c.errf(n, "%s: str without size, size-eos or terminator", a.ID)
	}
	return a, nil
}

func (c *compiler) typeRef(n *yaml.Node, a *Attr) (TypeRef, error) {
	s := strings.TrimSpace(n.Value)
	r := TypeRef{text: s}
	if n.Kind != yaml.ScalarNode {
		return r, c.errf(n, "type is not a name")
	}
	switch s {
	case "str":
		r.kind = kStr
		return r, nil
	case "strz":
		r.kind = kStrz
		if a.Terminator < 0 {
			a.Terminator = 0
		}
		return r, nil
	case "u1", "s1":
		r.kind, r.width, r.signed = kInt, 1, s[0] == 's'
		return r, nil
	}
	if m := intTypeRe().FindStringSubmatch(s); m != nil {
		r.kind, r.signed = kInt, m[1] == "s"
		r.width = int(m[2][0] - '0')
		r.endian = map[string]int{"": 0, "le": 1, "be": 2}[m[3]]
		return r, nil
	}
	if m := floatTypeRe().FindStringSubmatch(s); m != nil {
		r.kind = kFloat
		r.width = int(m[1][0] - '0')
		r.endian = map[string]int{"": 0, "le": 1, "be": 2}[m[2]]
		return r, nil
	}
	if m := bitsTypeRe().FindStringSubmatch(s); m != nil {
		w, _ := strconv.Atoi(m[1])
		if w < 1 || w > 64 {
			return r, c.errf(n, "type %s: bit size must be 1 to 64", s)
		}
		r.kind, r.width = kBits, w
		r.bitLE = c.spec.BitLE
		if m[2] != "" {
			r.bitLE = m[2] == "le"
		}
		return r, nil
	}
	m := userTypeRe().FindStringSubmatch(s)
	if m == nil {
		return r, c.errf(n, "type %s is not supported", s)
	}
	r.kind = kUser
	r.user = m[1]
	r.text = m[1]
	if m[2] != "" || strings.HasSuffix(s, "()") {
		e, err := ParseExpr("[" + m[2] + "]")
		if err != nil {
			return r, c.errf(n, "type %s: arguments: %v", s, err)
		}
		r.args = e.args
	}
	return r, nil
}

func (c *compiler) contents(n *yaml.Node) ([]byte, error) {
	var out []byte
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for _, it := range items {
		if it.Kind != yaml.ScalarNode {
			return nil, c.errf(it, "contents: not a byte or string")
		}
		if it.Tag == "!!int" {
			v, err := parseInt(it.Value)
			if err != nil || v < 0 || v > 255 {
				return nil, c.errf(it, "contents: %s is not a byte", it.Value)
			}
			out = append(out, byte(v))
		} else {
			out = append(out, it.Value...)
		}
	}
	return out, nil
}

func (c *compiler) valid(n *yaml.Node) (*Valid, error) {
	v := &Valid{}
	if n.Kind == yaml.ScalarNode {
		e, err := c.expr(n)
		v.Eq = e
		return v, err
	}
	for _, kv := range pairs(n) {
		var err error
		switch kv[0].Value {
		case "eq":
			v.Eq, err = c.expr(kv[1])
		case "min":
			v.Min, err = c.expr(kv[1])
		case "max":
			v.Max, err = c.expr(kv[1])
		case "expr":
			v.Expr, err = c.expr(kv[1])
		case "any-of":
			for _, it := range kv[1].Content {
				e, err := c.expr(it)
				if err != nil {
					return nil, err
				}
				v.AnyOf = append(v.AnyOf, e)
			}
		default:
			return nil, c.errf(kv[0], "valid/%s is not supported", kv[0].Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

// normEncoding maps an encoding name to the one decode uses.
func normEncoding(s string) (string, bool) {
	switch s { // the usual spellings, without copies
	case "UTF-8", "ASCII", "ISO-8859-1", "UTF-16LE", "UTF-16BE":
		return s, true
	}
	switch strings.ToUpper(strings.ReplaceAll(s, "_", "-")) {
	case "ASCII", "US-ASCII":
		return "ASCII", true
	case "UTF-8", "UTF8":
		return "UTF-8", true
	case "ISO-8859-1", "ISO8859-1", "LATIN1", "LATIN-1":
		return "ISO-8859-1", true
	case "UTF-16LE", "UTF16LE":
		return "UTF-16LE", true
	case "UTF-16BE", "UTF16BE":
		return "UTF-16BE", true
	}
	return "", false
}

// lookupType resolves a type name (a::b) as seen from t: t's own types,
// then its enclosing types', then imported specs' top-level types.
func (t *Type) lookupType(name string) *Type {
	parts := strings.Split(name, "::")
	for s := t; s != nil; s = s.Parent {
		if r := s.Types[parts[0]]; r != nil {
			return walkTypes(r, parts[1:])
		}
		if s.Parent == nil && s.Spec.ID == parts[0] {
			return walkTypes(s, parts[1:])
		}
	}
	for _, imp := range t.Spec.allImports(map[*Spec]bool{}) {
		if imp.ID == parts[0] {
			return walkTypes(imp.Root, parts[1:])
		}
	}
	return nil
}

func walkTypes(t *Type, rest []string) *Type {
	for _, p := range rest {
		if t = t.Types[p]; t == nil {
			return nil
		}
	}
	return t
}

func (s *Spec) allImports(seen map[*Spec]bool) []*Spec {
	var out []*Spec
	for _, i := range s.Imports {
		if seen[i] {
			continue
		}
		seen[i] = true
		out = append(out, i)
		out = append(out, i.allImports(seen)...)
	}
	return out
}

// lookupEnum resolves an enum name (e or a::b::e) as seen from t.
func (t *Type) lookupEnum(path []string) *Enum {
	name := path[len(path)-1]
	if len(path) == 1 {
		for s := t; s != nil; s = s.Parent {
			if e := s.Enums[name]; e != nil {
				return e
			}
		}
		for _, imp := range t.Spec.allImports(map[*Spec]bool{}) {
			if e := imp.Root.Enums[name]; e != nil {
				return e
			}
		}
		return nil
	}
	tt := t.lookupType(strings.Join(path[:len(path)-1], "::"))
	if tt == nil {
		return nil
	}
	return tt.Enums[name]
}
