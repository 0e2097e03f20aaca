//go:build ignore

// mkelf.go — writes a synthetic ELF64 little-endian relocatable file of
// about SIZE bytes with N PROGBITS sections (.text.fn00001 ...), as a
// compiler with -ffunction-sections makes them, a .shstrtab and the section
// header table at the end: the input of bench/decode.sh.
//
//	go run bench/mkelf.go FILE [SIZE_MIB] [N]     (defaults: 100 MiB, 20000)
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go run bench/mkelf.go FILE [SIZE_MIB] [N]")
		os.Exit(2)
	}
	size, n := int64(100), 20000
	if len(os.Args) > 2 {
		size, _ = strconv.ParseInt(os.Args[2], 10, 64)
	}
	if len(os.Args) > 3 {
		n, _ = strconv.Atoi(os.Args[3])
	}
	size <<= 20
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	le := binary.LittleEndian
	const dataStart = 0x1000
	// names
	strtab := []byte{0}
	nameOff := make([]uint32, n+2)
	for i := 1; i <= n; i++ {
		nameOff[i] = uint32(len(strtab))
		strtab = append(strtab, fmt.Sprintf(".text.fn%05d", i)...)
		strtab = append(strtab, 0)
	}
	nameOff[n+1] = uint32(len(strtab))
	strtab = append(strtab, ".shstrtab\x00"...)
	shnum := n + 2
	per := (size - dataStart - int64(len(strtab)) - int64(shnum)*64) / int64(n)
	per &^= 15
	strOff := dataStart + per*int64(n)
	shoff := (strOff + int64(len(strtab)) + 7) &^ 7
	h := make([]byte, 64)
	copy(h, "\x7fELF\x02\x01\x01")
	le.PutUint16(h[16:], 1)  // ET_REL
	le.PutUint16(h[18:], 62) // x86-64
	le.PutUint32(h[20:], 1)
	le.PutUint64(h[40:], uint64(shoff))
	le.PutUint16(h[52:], 64)
	le.PutUint16(h[58:], 64)
	le.PutUint16(h[60:], uint16(shnum))
	le.PutUint16(h[62:], uint16(shnum-1))
	w.Write(h)
	w.Write(make([]byte, dataStart-64))
	chunk := make([]byte, per)
	for i := range chunk {
		chunk[i] = byte(i*131 + i>>8)
	}
	for i := 0; i < n; i++ {
		chunk[0] = byte(i)
		w.Write(chunk)
	}
	w.Write(strtab)
	w.Write(make([]byte, shoff-strOff-int64(len(strtab))))
	sh := make([]byte, 64)
	w.Write(sh) // SHT_NULL
	for i := 1; i <= n; i++ {
		clear(sh)
		le.PutUint32(sh[0:], nameOff[i])
		le.PutUint32(sh[4:], 1) // PROGBITS
		le.PutUint64(sh[8:], 6) // ALLOC|EXEC
		le.PutUint64(sh[24:], uint64(dataStart+int64(i-1)*per))
		le.PutUint64(sh[32:], uint64(per))
		le.PutUint64(sh[48:], 16)
		w.Write(sh)
	}
	clear(sh)
	le.PutUint32(sh[0:], nameOff[n+1])
	le.PutUint32(sh[4:], 3) // STRTAB
	le.PutUint64(sh[24:], uint64(strOff))
	le.PutUint64(sh[32:], uint64(len(strtab)))
	le.PutUint64(sh[48:], 1)
	w.Write(sh)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}
