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
	bw := bufio.NewWriterSize(w, 64<<10)
	n.d.mu.Lock()
	if n.f == nil {
		writeJSONRoot(bw, n)
	} else {
		writeJSON(bw, n.d, n.f)
	}
	n.d.mu.Unlock()
	bw.WriteByte('\n')
	return bw.Flush()
}

// writeJSONRoot writes the top-level structure (under n.d.mu).
func writeJSONRoot(w *bufio.Writer, n *Node) {
	n.d.work, n.d.depth = 0, 0
	writeJSONNode(w, n.d, nil, n.infoOf(false))
}

// writeJSON writes field f (under d.mu). The work limit counts from each
// node, as a Node method call's does.
func writeJSON(w *bufio.Writer, d *Decoder, f *Field) {
	d.work, d.depth = 0, 0
	in := Info{Off: -1, Size: -1}
	d.fieldInfo(&in, f, false)
	writeJSONNode(w, d, f, in)
}

func writeJSONNode(w *bufio.Writer, d *Decoder, f *Field, in Info) {
	n := &Node{d: d, f: f} // for structVal and arrayVal
	w.WriteString(`{"type":`)
	writeJSONString(w, in.Type)
	w.WriteString(`,"offset":`)
	if in.Off >= 0 {
		w.Write(strconv.AppendInt(w.AvailableBuffer(), in.Off, 10))
	} else {
		w.WriteString("null")
	}
	w.WriteString(`,"size":`)
	if in.Size >= 0 {
		w.Write(strconv.AppendInt(w.AvailableBuffer(), in.Size, 10))
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
			w.Write(d.appendJSONValue(w.AvailableBuffer(), n.f))
			if in.Enum != "" {
				w.WriteString(`,"enum":`)
				writeJSONString(w, in.Enum)
			}
		}
	case StructKind:
		w.WriteString(`,"fields":{`)
		s := n.structVal()
		d.work, d.depth = 0, 0
		s.parseAll()
		for i := range len(s.fields) + len(s.t.Inst) {
			var f *Field
			if i < len(s.fields) {
				f = s.fields[i]
			} else {
				d.work, d.depth = 0, 0
				f = s.instance(s.t.Inst[i-len(s.fields)])
			}
			name := f.A.ID
			if name == "" {
				name = fmt.Sprintf("_unnamed%d", i)
			}
			if i > 0 {
				w.WriteByte(',')
			}
			writeJSONString(w, name)
			w.WriteByte(':')
			writeJSON(w, d, f)
		}
		w.WriteByte('}')
	case ArrayKind:
		w.WriteString(`,"items":[`)
		a := n.arrayVal()
		fa := d.flatItems(a)
		for i := int64(0); ; i++ {
			if k, all := a.Known(); all && i >= k {
				break
			}
			d.work, d.depth = 0, 0
			if fa != nil && fa.writeFlatItem(w, a, i, i > 0) {
				continue
			}
			f, err := a.At(i)
			if err != nil {
				if k, all := a.Known(); !all || i < k {
					kidErr = err
				}
				break
			}
			if i > 0 {
				w.WriteByte(',')
			}
			writeJSON(w, d, f)
		}
		w.WriteByte(']')
	}
	if in.Err != nil {
		w.WriteString(`,"error":` + jsonString(in.Err.Error()))
	} else if kidErr != nil {
		w.WriteString(`,"error":` + jsonString(kidErr.Error()))
	}
	w.WriteByte('}')
}
