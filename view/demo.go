package view

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Demo file layout (makeDemo): 4 MiB in all.
const (
	demoSize      = 4 << 20
	demoTextAt    = 0x1000
	demoZerosAt   = 0x10000
	demoRandomAt  = 0x110000
	demoFileName  = "demo.bin"
	demoTextBlurb = `mmhex demo file. This text is plain ASCII, so the text column shows it as is.
The bytes are memory-mapped (MAP_SHARED): an edit is a store into the page
cache, visible at once to every process that maps or reads this file. Ctrl-S
calls msync(MS_SYNC) and waits for the disk; Ctrl-W calls msync(MS_ASYNC),
which Linux treats as a no-op: kernel writeback takes the dirty pages later.
Tab switches between the hex and the text column; Ctrl-G goes to an offset
(0x110000, 50%, +4k, end); F1 lists every key.
`
)

// makeDemo writes the demo file into dir and returns its path: an ELF-like
// header, a page of text, a run of zeros and random bytes (a fixed seed, so
// the file is the same every time).
func makeDemo(dir string) (string, error) {
	buf := make([]byte, demoSize)
	// An ELF64 little-endian x86-64 executable header, as `file` would read it.
	h := buf[:64]
	copy(h, []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0})
	le := binary.LittleEndian
	le.PutUint16(h[16:], 2)        // e_type ET_EXEC
	le.PutUint16(h[18:], 0x3e)     // e_machine x86-64
	le.PutUint32(h[20:], 1)        // e_version
	le.PutUint64(h[24:], 0x401000) // e_entry
	le.PutUint64(h[32:], 64)       // e_phoff
	le.PutUint64(h[40:], 0)        // e_shoff
	le.PutUint16(h[52:], 64)       // e_ehsize
	le.PutUint16(h[54:], 56)       // e_phentsize
	le.PutUint16(h[56:], 1)        // e_phnum
	// One PT_LOAD program header.
	ph := buf[64 : 64+56]
	le.PutUint32(ph[0:], 1)
	le.PutUint32(ph[4:], 5)
	le.PutUint64(ph[16:], 0x400000)
	le.PutUint64(ph[24:], 0x400000)
	le.PutUint64(ph[32:], demoSize)
	le.PutUint64(ph[40:], demoSize)
	le.PutUint64(ph[48:], 0x1000)
	// A few recognisable values for the inspector.
	copy(buf[0x100:], []byte("\x00\x01\x02\x03\t\n\r \xff\xfe\xc3\xa9\xe2\x82\xac\x1b[31m"))
	le.PutUint32(buf[0x120:], 1700000000) // a Unix time
	le.PutUint64(buf[0x128:], 0x400921fb54442d18)
	// Text, repeated to fill the text area.
	text := bytes.Repeat([]byte(demoTextBlurb), (demoZerosAt-demoTextAt)/len(demoTextBlurb))
	copy(buf[demoTextAt:demoZerosAt], text)
	// Zeros from demoZerosAt to demoRandomAt are already there.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := demoRandomAt; i+8 <= demoSize; i += 8 {
		le.PutUint64(buf[i:], rng.Uint64())
	}
	tail := "-- end of the mmhex demo file --\n"
	copy(buf[demoSize-len(tail):], tail)
	path := filepath.Join(dir, demoFileName)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return "", fmt.Errorf("writing demo file: %w", err)
	}
	return path, nil
}
