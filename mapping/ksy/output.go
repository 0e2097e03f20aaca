package ksy

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"mmhex/mapping/display"
)

// TextLimit is how many elements of an array the text tree prints.
const TextLimit = 1000

// WriteText prints the tree under n: one line a node, indented, with
// offset, size, type, value and enum name. Text from the file or the
// .ksy passes through display.Sanitize.
func WriteText(w io.Writer, n *Node) error {
	bw := bufio.NewWriter(w)
	writeText(bw, n, 0)
	return bw.Flush()
}

func writeText(w *bufio.Writer, n *Node, depth int) {
	in := n.Info()
	name := in.Name
	if depth == 0 && in.Path != "" {
		name = in.Path
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString(display.Sanitize(name))
	b.WriteString("  ")
	if in.Off >= 0 {
		fmt.Fprintf(&b, "@%#x", in.Off)
	} else {
		b.WriteString("@-")
	}
	if in.Size >= 0 {
		fmt.Fprintf(&b, " +%d", in.Size)
	}
	b.WriteString("  " + display.Sanitize(in.Type))
	if in.Value != "" {
		b.WriteString("  " + display.Sanitize(in.Value))
	}
	if in.Enum != "" {
		b.WriteString(" = " + display.Sanitize(in.Enum))
	}
	if in.Err != nil {
		b.WriteString("  error: " + display.Line(in.Err.Error()))
	}
	b.WriteByte('\n')
	w.WriteString(b.String())
	if in.Kind == Scalar {
		return
	}
	const page = 256
	var printed int64
	for from := int64(0); ; from += page {
		kids, err := n.Children(from, page)
		for _, k := range kids {
			if in.Kind == ArrayKind && printed == TextLimit {
				fmt.Fprintf(w, "%s… more elements (--path %s[%d] shows one)\n", strings.Repeat("  ", depth+1), display.Sanitize(in.Path), printed)
				return
			}
			writeText(w, k, depth+1)
			printed++
		}
		if err != nil && in.Err == nil {
			fmt.Fprintf(w, "%serror: %s\n", strings.Repeat("  ", depth+1), display.Line(err.Error()))
		}
		if int64(len(kids)) < page {
			return
		}
	}
}

// WriteJSON prints the tree under n as JSON: every node is an object with
// "type", "offset" (null when not the file's bytes), "size", and
// "fields" (a structure: name to node, in order), "items" (an array), or
// "value" (a scalar: a number, string, boolean, the hex of bytes up to
// 4096, else null) with "enum" (the member's name); "error" when
// decoding it failed, "absent": true when its if was false.
func WriteJSON(w io.Writer, n *Node) error {
	j := &jsonOut{w: w, b: make([]byte, 0, jsonChunk+4096)}
	n.d.mu.Lock()
	if n.f == nil {
		writeJSONRoot(j, n)
	} else {
		writeJSON(j, n.d, n.f)
	}
	n.d.mu.Unlock()
	j.Byte('\n')
	return j.Flush()
}

// jsonPage is how many children are read before they are written.
const jsonPage = 256

// jsonChunk is how much JSON is gathered before a write.
const jsonChunk = 64 << 10

// jsonOut gathers JSON text in one buffer and writes it in chunks; the
// first write error stops the output and is Flush's answer.
type jsonOut struct {
	w   io.Writer
	b   []byte
	err error
}

func (j *jsonOut) more() {
	if len(j.b) >= jsonChunk {
		j.Flush()
	}
}

// Flush writes what is gathered.
func (j *jsonOut) Flush() error {
	if j.err == nil && len(j.b) > 0 {
		_, j.err = j.w.Write(j.b)
	}
	j.b = j.b[:0]
	return j.err
}

func (j *jsonOut) WriteString(s string) { j.b = append(j.b, s...); j.more() }
func (j *jsonOut) Byte(c byte)          { j.b = append(j.b, c); j.more() }
func (j *jsonOut) Int(v int64)          { j.b = strconv.AppendInt(j.b, v, 10); j.more() }

// writeJSONRoot writes the top-level structure (under n.d.mu).
func writeJSONRoot(w *jsonOut, n *Node) {
	n.d.work, n.d.depth = 0, 0
	writeJSONNode(w, n.d, nil, n.infoOf(false))
}

// writeJSON writes field f (under d.mu). The work limit counts from each
// node, as a Node method call's does.
func writeJSON(w *jsonOut, d *Decoder, f *Field) {
	d.work, d.depth = 0, 0
	in := Info{Off: -1, Size: -1}
	d.fieldInfo(&in, f, false)
	writeJSONNode(w, d, f, in)
}

func writeJSONNode(w *jsonOut, d *Decoder, f *Field, in Info) {
	n := &Node{d: d, f: f} // for structVal and arrayVal
	w.WriteString(`{"type":`)
	writeJSONString(w, in.Type)
	w.WriteString(`,"offset":`)
	if in.Off >= 0 {
		w.Int(in.Off)
	} else {
		w.WriteString("null")
	}
	w.WriteString(`,"size":`)
	if in.Size >= 0 {
		w.Int(in.Size)
	} else {
		w.WriteString("null")
	}
	if n.f != nil && n.f.Absent {
		w.WriteString(`,"absent":true`)
	}
	var kidErr error
	switch in.Kind {
	case Scalar:
		if n.f != nil && !n.f.Absent {
			w.WriteString(`,"value":`)
			w.b = d.appendJSONValue(w.b, n.f)
			w.more()
			if in.Enum != "" {
				w.WriteString(`,"enum":`)
				writeJSONString(w, in.Enum)
			}
		}
	case StructKind:
		// a page of children is read before any is written (instances
		// first evaluated in this order may complete what others show,
		// such as an array's size), as Node.Children gives them
		w.WriteString(`,"fields":{`)
		s := n.structVal()
		var buf [jsonPage]*Field
		for from := 0; ; from += jsonPage {
			d.work, d.depth = 0, 0
			s.parseAll()
			kids := buf[:0]
			for i := from; i < len(s.fields)+len(s.t.Inst) && i < from+jsonPage; i++ {
				if i < len(s.fields) {
					kids = append(kids, s.fields[i])
				} else {
					kids = append(kids, s.instance(s.t.Inst[i-len(s.fields)]))
				}
			}
			for k, f := range kids {
				i := from + k
				name := f.A.ID
				if name == "" {
					name = fmt.Sprintf("_unnamed%d", i)
				}
				if i > 0 {
					w.Byte(',')
				}
				writeJSONString(w, name)
				w.Byte(':')
				writeJSON(w, d, f)
			}
			if len(kids) < jsonPage {
				break
			}
		}
		w.Byte('}')
	case ArrayKind:
		w.WriteString(`,"items":[`)
		a := n.arrayVal()
		if fa := d.flatItems(a); fa != nil {
			// elements of a flat type, from their bytes (any the fast
			// path cannot write go the general way, one by one)
			for i := int64(0); ; i++ {
				if k, all := a.Known(); all && i >= k {
					break
				}
				d.work, d.depth = 0, 0
				if fa.writeFlatItem(w, a, i, i > 0) {
					continue
				}
				f, err := a.At(i)
				if err != nil {
					kidErr = err
					break
				}
				if i > 0 {
					w.Byte(',')
				}
				writeJSON(w, d, f)
			}
			w.Byte(']')
			break
		}
		var buf [jsonPage]*Field
		for from := int64(0); ; from += jsonPage {
			d.work, d.depth = 0, 0
			kids := buf[:0]
			var err error
			for i := from; i < from+jsonPage; i++ {
				if k, all := a.Known(); all && i >= k {
					break
				}
				f, e := a.At(i)
				if e != nil {
					if k, all := a.Known(); !all || i < k {
						err = e
					}
					break
				}
				kids = append(kids, f)
			}
			for k, f := range kids {
				if from+int64(k) > 0 {
					w.Byte(',')
				}
				writeJSON(w, d, f)
			}
			if err != nil {
				kidErr = err
			}
			if len(kids) < jsonPage || err != nil {
				break
			}
		}
		w.Byte(']')
	}
	if in.Err != nil {
		w.WriteString(`,"error":` + jsonString(in.Err.Error()))
	} else if kidErr != nil {
		w.WriteString(`,"error":` + jsonString(kidErr.Error()))
	}
	w.Byte('}')
}
