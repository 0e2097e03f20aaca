package ksy

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"mmhex/mapping"
)

// sparseELF writes a 100 MiB ELF64 file with n PROGBITS sections whose
// data are holes (the decoder reads only the headers and names): the
// Go-test-sized twin of bench/mkelf.go's file.
func sparseELF(tb testing.TB, n int) string {
	tb.Helper()
	const size = 100 << 20
	le := binary.LittleEndian
	strtab := []byte{0}
	names := make([]uint32, n+2)
	for i := 1; i <= n; i++ {
		names[i] = uint32(len(strtab))
		strtab = append(strtab, fmt.Sprintf(".text.fn%05d\x00", i)...)
	}
	names[n+1] = uint32(len(strtab))
	strtab = append(strtab, ".shstrtab\x00"...)
	shnum := n + 2
	shoff := int64(size - shnum*64)
	strOff := shoff - int64(len(strtab)) - 8
	per := (strOff - 0x1000) / int64(n) &^ 15
	h := make([]byte, 64)
	copy(h, "\x7fELF\x02\x01\x01")
	le.PutUint16(h[16:], 1)
	le.PutUint16(h[18:], 62)
	le.PutUint32(h[20:], 1)
	le.PutUint64(h[40:], uint64(shoff))
	le.PutUint16(h[52:], 64)
	le.PutUint16(h[58:], 64)
	le.PutUint16(h[60:], uint16(shnum))
	le.PutUint16(h[62:], uint16(shnum-1))
	table := make([]byte, shnum*64)
	for i := 1; i <= n; i++ {
		sh := table[i*64:]
		le.PutUint32(sh[0:], names[i])
		le.PutUint32(sh[4:], 1)
		le.PutUint64(sh[8:], 6)
		le.PutUint64(sh[24:], uint64(0x1000+int64(i-1)*per))
		le.PutUint64(sh[32:], uint64(per))
		le.PutUint64(sh[48:], 16)
	}
	sh := table[(n+1)*64:]
	le.PutUint32(sh[0:], names[n+1])
	le.PutUint32(sh[4:], 3)
	le.PutUint64(sh[24:], uint64(strOff))
	le.PutUint64(sh[32:], uint64(len(strtab)))
	le.PutUint64(sh[48:], 1)
	p := filepath.Join(tb.TempDir(), "big.elf")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	f.WriteAt(h, 0)
	f.WriteAt(strtab, strOff)
	f.WriteAt(table, shoff)
	if err := f.Truncate(size); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkSectionHeaders: every field of every section header (and its
// name) of a 100 MiB ELF with 20 000 sections, through a mapping: what
// `mmhex decode --path section_headers` reads. bench/decode.sh times
// readelf -S on the same kind of file.
func BenchmarkSectionHeaders(b *testing.B) {
	p := sparseELF(b, 20000)
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var l Loader
	s, err := l.Load("elf")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		d := NewDecoder(s, f, f.Size(), DefaultLimits)
		n, err := d.Root().Lookup("section_headers")
		if err != nil {
			b.Fatal(err)
		}
		fields := 0
		for from := int64(0); ; from += 256 {
			kids, err := n.Children(from, 256)
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range kids {
				ff, _ := k.Children(0, 64)
				for _, x := range ff {
					if in := x.Info(); in.Err != nil {
						b.Fatal(in.Err)
					}
					fields++
				}
			}
			if len(kids) < 256 {
				break
			}
		}
		if fields != 20002*11 {
			b.Fatalf("%d fields", fields)
		}
	}
}

// BenchmarkSectionHeadersJSON: the same as mmhex decode --json prints it.
func BenchmarkSectionHeadersJSON(b *testing.B) {
	p := sparseELF(b, 20000)
	f, err := mapping.Open(p, mapping.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var l Loader
	s, _ := l.Load("elf")
	b.ResetTimer()
	for range b.N {
		d := NewDecoder(s, f, f.Size(), DefaultLimits)
		n, _ := d.Root().Lookup("section_headers")
		if err := WriteJSON(io.Discard, n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadELF: reading and compiling the built-in elf.ksy (what every
// mmhex decode of an ELF file does first).
func BenchmarkLoadELF(b *testing.B) {
	for range b.N {
		var l Loader
		if _, err := l.Load("elf"); err != nil {
			b.Fatal(err)
		}
	}
}
