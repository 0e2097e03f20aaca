package ksy_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mmhex/mapping"
	"mmhex/mapping/ksy"
	"mmhex/mapping/testenv"
)

// jnode is a node of WriteJSON's output (what `mmhex decode --json` prints).
type jnode struct {
	Type   string           `json:"type"`
	Offset *int64           `json:"offset"`
	Size   *int64           `json:"size"`
	Value  json.RawMessage  `json:"value"`
	Enum   string           `json:"enum"`
	Error  string           `json:"error"`
	Absent bool             `json:"absent"`
	Fields map[string]jnode `json:"fields"`
	Items  []jnode          `json:"items"`
}

func (n jnode) get(path string) jnode {
	cur := n
	for _, p := range strings.Split(path, ".") {
		name, idx, ok := strings.Cut(p, "[")
		if name != "" {
			cur = cur.Fields[name]
		}
		if ok {
			i, _ := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if i >= len(cur.Items) {
				return jnode{}
			}
			cur = cur.Items[i]
		}
	}
	return cur
}

func (n jnode) u(path string) uint64 {
	v := n.get(path)
	u, err := strconv.ParseUint(string(v.Value), 10, 64)
	if err != nil {
		return 1<<64 - 1 // never a real value here: the comparison fails
	}
	return u
}

func (n jnode) s(path string) string {
	var s string
	_ = json.Unmarshal(n.get(path).Value, &s)
	return s
}

// decodeJSON decodes path with format through a mapping (as mmhex decode
// --json does) and parses the JSON.
func decodeJSON(t testing.TB, path, format string) jnode {
	t.Helper()
	f, err := mapping.Open(path, mapping.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := ksy.Choose(f, f.Size(), path, format, "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ksy.WriteJSON(&buf, d.Root()); err != nil {
		t.Fatal(err)
	}
	var n jnode
	dec := json.NewDecoder(&buf)
	if err := dec.Decode(&n); err != nil {
		t.Fatalf("%s: %v\n%.2000s", path, err, buf.String())
	}
	return n
}

// elfFiles lists up to max ELF files under dir (regular files only).
func elfFiles(dir string, max int) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || len(out) >= max {
			if de != nil && de.IsDir() && err != nil {
				return fs.SkipDir
			}
			return nil
		}
		if !de.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		var m [4]byte
		if _, err := f.ReadAt(m[:], 0); err == nil && string(m[:]) == "\x7fELF" {
			if st, err := f.Stat(); err == nil && st.Size() > 64 {
				out = append(out, p)
			}
		}
		return nil
	})
	return out
}

// TestELFMatchesDebugELF: every header, program header and section header
// field of real binaries in /usr/bin and /usr/lib equals what Go's
// debug/elf reads (the raw header through elf.Header32/64).
func TestELFMatchesDebugELF(t *testing.T) {
	files := append(elfFiles("/usr/bin", 40), elfFiles("/usr/lib", 40)...)
	if len(files) < 20 {
		testenv.SkipOrFail(t, "only %d ELF files in /usr/bin and /usr/lib", len(files))
	}
	classes := map[string]int{}
	for _, p := range files {
		ef, err := elf.Open(p)
		if err != nil {
			continue // debug/elf refuses it: nothing to compare with
		}
		classes[ef.Class.String()]++
		compareELF(t, p, ef)
		ef.Close()
		if t.Failed() {
			return
		}
	}
	t.Logf("%d ELF files compared (%v)", len(files), classes)
}

// compareELF checks every header, program header and section header field
// of the ELF file p against debug/elf's reading (ef).
func compareELF(t *testing.T, p string, ef *elf.File) {
	t.Helper()
	n := decodeJSON(t, p, "")
	if n.Type != "elf" {
		t.Fatalf("%s: detected as %s", p, n.Type)
	}
	check := func(what string, got, want uint64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %s = %d, debug/elf says %d", p, what, got, want)
		}
	}
	check("class", n.u("class"), uint64(ef.Class))
	check("data", n.u("data"), uint64(ef.Data))
	check("os_abi", n.u("os_abi"), uint64(ef.OSABI))
	check("abi_version", n.u("abi_version"), uint64(ef.ABIVersion))
	check("e_type", n.u("header.e_type"), uint64(ef.Type))
	check("e_machine", n.u("header.e_machine"), uint64(ef.Machine))
	check("e_entry", n.u("header.e_entry"), ef.Entry)
	// the fields debug/elf does not keep: its raw header types
	raw, _ := os.ReadFile(p)
	var order binary.ByteOrder = binary.LittleEndian
	if ef.Data == elf.ELFDATA2MSB {
		order = binary.BigEndian
	}
	var phoff, shoff uint64
	var flags uint32
	var ehsize, phentsize, phnum, shentsize, shnum, shstrndx uint16
	if ef.Class == elf.ELFCLASS64 {
		var h elf.Header64
		binary.Read(bytes.NewReader(raw), order, &h)
		phoff, shoff, flags = h.Phoff, h.Shoff, h.Flags
		ehsize, phentsize, phnum, shentsize, shnum, shstrndx = h.Ehsize, h.Phentsize, h.Phnum, h.Shentsize, h.Shnum, h.Shstrndx
	} else {
		var h elf.Header32
		binary.Read(bytes.NewReader(raw), order, &h)
		phoff, shoff, flags = uint64(h.Phoff), uint64(h.Shoff), h.Flags
		ehsize, phentsize, phnum, shentsize, shnum, shstrndx = h.Ehsize, h.Phentsize, h.Phnum, h.Shentsize, h.Shnum, h.Shstrndx
	}
	check("e_phoff", n.u("header.e_phoff"), phoff)
	check("e_shoff", n.u("header.e_shoff"), shoff)
	check("e_flags", n.u("header.e_flags"), uint64(flags))
	check("e_ehsize", n.u("header.e_ehsize"), uint64(ehsize))
	check("e_phentsize", n.u("header.e_phentsize"), uint64(phentsize))
	check("e_phnum", n.u("header.e_phnum"), uint64(phnum))
	check("e_shentsize", n.u("header.e_shentsize"), uint64(shentsize))
	check("e_shnum", n.u("header.e_shnum"), uint64(shnum))
	check("e_shstrndx", n.u("header.e_shstrndx"), uint64(shstrndx))
	if got := len(n.get("program_headers").Items); got != len(ef.Progs) {
		t.Errorf("%s: %d program headers, debug/elf %d", p, got, len(ef.Progs))
	}
	for i, ph := range ef.Progs {
		k := fmt.Sprintf("program_headers[%d].", i)
		check(k+"p_type", n.u(k+"p_type"), uint64(ph.Type))
		check(k+"p_flags", n.u(k+"p_flags"), uint64(ph.Flags))
		check(k+"p_offset", n.u(k+"p_offset"), ph.Off)
		check(k+"p_vaddr", n.u(k+"p_vaddr"), ph.Vaddr)
		check(k+"p_paddr", n.u(k+"p_paddr"), ph.Paddr)
		check(k+"p_filesz", n.u(k+"p_filesz"), ph.Filesz)
		check(k+"p_memsz", n.u(k+"p_memsz"), ph.Memsz)
		check(k+"p_align", n.u(k+"p_align"), ph.Align)
	}
	if got := len(n.get("section_headers").Items); got != len(ef.Sections) {
		t.Errorf("%s: %d section headers, debug/elf %d", p, got, len(ef.Sections))
	}
	for i, sh := range ef.Sections {
		k := fmt.Sprintf("section_headers[%d].", i)
		if got := n.s(k + "name"); got != sh.Name {
			t.Errorf("%s: %sname = %q, debug/elf %q", p, k, got, sh.Name)
		}
		check(k+"sh_type", n.u(k+"sh_type"), uint64(sh.Type))
		check(k+"sh_flags", n.u(k+"sh_flags"), uint64(sh.Flags))
		check(k+"sh_addr", n.u(k+"sh_addr"), sh.Addr)
		check(k+"sh_offset", n.u(k+"sh_offset"), sh.Offset)
		check(k+"sh_size", n.u(k+"sh_size"), sh.FileSize)
		check(k+"sh_link", n.u(k+"sh_link"), uint64(sh.Link))
		check(k+"sh_info", n.u(k+"sh_info"), uint64(sh.Info))
		if sh.Flags&elf.SHF_COMPRESSED == 0 { // debug/elf gives the compression header's
			check(k+"sh_addralign", n.u(k+"sh_addralign"), sh.Addralign)
		}
		check(k+"sh_entsize", n.u(k+"sh_entsize"), sh.Entsize)
	}
}

// TestELFMatchesReadelf: the entry point, header offsets and counts equal
// readelf -h's, and the section names and offsets readelf -S's.
func TestELFMatchesReadelf(t *testing.T) {
	readelf := testenv.RequireTool(t, "readelf")
	for _, p := range elfFiles("/usr/bin", 5) {
		n := decodeJSON(t, p, "elf")
		out, err := exec.Command(readelf, "-h", "-S", "-W", p).Output()
		if err != nil {
			t.Fatalf("readelf -h -S %s: %v", p, err)
		}
		text := string(out)
		field := func(label string) string {
			m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(label) + `:\s+(\S+)`).FindStringSubmatch(text)
			if m == nil {
				t.Fatalf("readelf -h %s: no %q", p, label)
			}
			return m[1]
		}
		want := func(what string, got uint64, label string) {
			w, err := strconv.ParseUint(field(label), 0, 64)
			if err != nil || w != got {
				t.Errorf("%s: %s = %d, readelf says %s", p, what, got, field(label))
			}
		}
		want("e_entry", n.u("header.e_entry"), "Entry point address")
		want("e_phoff", n.u("header.e_phoff"), "Start of program headers")
		want("e_shoff", n.u("header.e_shoff"), "Start of section headers")
		want("e_phnum", n.u("header.e_phnum"), "Number of program headers")
		want("e_shnum", n.u("header.e_shnum"), "Number of section headers")
		want("e_shstrndx", n.u("header.e_shstrndx"), "Section header string table index")
		// readelf -S -W: "  [ 1] .interp  PROGBITS  0000000000000318 000318 00001c ..."
		re := regexp.MustCompile(`(?m)^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)`)
		ms := re.FindAllStringSubmatch(text, -1)
		if len(ms) < 3 {
			t.Fatalf("readelf -S %s: no sections parsed", p)
		}
		for _, m := range ms[1:] { // [0] is the null section (readelf prints no name)
			k := "section_headers[" + m[1] + "]."
			name := n.s(k + "name")
			if len(name) > 17 && strings.HasSuffix(m[2], "[...]") { // readelf cuts long names
				name = name[:12] + "[...]"
			}
			if name != m[2] {
				t.Errorf("%s: %sname = %q, readelf %q", p, k, name, m[2])
			}
			off, _ := strconv.ParseUint(m[4], 16, 64)
			size, _ := strconv.ParseUint(m[5], 16, 64)
			if n.u(k+"sh_offset") != off || n.u(k+"sh_size") != size {
				t.Errorf("%s: %s offset %d size %d, readelf %s %s", p, k, n.u(k+"sh_offset"), n.u(k+"sh_size"), m[4], m[5])
			}
		}
	}
}

// TestELF32BigEndian: an ELF32 big-endian file (the switched byte order and
// the 32-bit layouts, which no program here has), written by hand: every
// field equals debug/elf's.
func TestELF32BigEndian(t *testing.T) {
	be := binary.BigEndian
	var b bytes.Buffer
	h := make([]byte, 52)
	copy(h, "\x7fELF\x01\x02\x01")
	be.PutUint16(h[16:], 2)          // ET_EXEC
	be.PutUint16(h[18:], 8)          // MIPS
	be.PutUint32(h[20:], 1)          // version
	be.PutUint32(h[24:], 0x80001234) // entry (over 2^31: unsigned)
	be.PutUint32(h[28:], 52)         // phoff
	be.PutUint32(h[32:], 0x200)      // shoff
	be.PutUint32(h[36:], 0x70001000) // flags
	be.PutUint16(h[40:], 52)
	be.PutUint16(h[42:], 32)
	be.PutUint16(h[44:], 2)
	be.PutUint16(h[46:], 40)
	be.PutUint16(h[48:], 3)
	be.PutUint16(h[50:], 2)
	b.Write(h)
	ph := func(typ, off, vaddr, filesz, memsz, flags, align uint32) {
		p := make([]byte, 32)
		for i, v := range []uint32{typ, off, vaddr, vaddr, filesz, memsz, flags, align} {
			be.PutUint32(p[4*i:], v)
		}
		b.Write(p)
	}
	ph(1, 0, 0x80000000, 0x180, 0x200, 5, 0x1000)
	ph(0x6474e551, 0, 0, 0, 0, 6, 16)
	b.Write(make([]byte, 0x100-b.Len()))
	b.Write([]byte{0x12, 0x34, 0x56, 0x78}) // .text at 0x100
	b.Write(make([]byte, 0x180-b.Len()))
	b.WriteString("\x00.text\x00.shstrtab\x00") // at 0x180
	b.Write(make([]byte, 0x200-b.Len()))
	sh := func(name, typ, flags, addr, off, size, link, info, align, entsize uint32) {
		p := make([]byte, 40)
		for i, v := range []uint32{name, typ, flags, addr, off, size, link, info, align, entsize} {
			be.PutUint32(p[4*i:], v)
		}
		b.Write(p)
	}
	sh(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	sh(1, 1, 6, 0x80000100, 0x100, 4, 0, 0, 4, 0)
	sh(7, 3, 0, 0, 0x180, 17, 0, 0, 1, 0)
	p := writeTemp(t, "be32.elf", b.Bytes())
	ef, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	if ef.Class != elf.ELFCLASS32 || ef.Data != elf.ELFDATA2MSB || len(ef.Progs) != 2 || len(ef.Sections) != 3 || ef.Sections[1].Name != ".text" {
		t.Fatalf("the hand-made file: %v %v %d %d", ef.Class, ef.Data, len(ef.Progs), len(ef.Sections))
	}
	compareELF(t, p, ef)
	n := decodeJSON(t, p, "")
	if n.u("header.e_entry") != 0x80001234 || n.s("section_headers[2].name") != ".shstrtab" || n.get("program_headers[1].p_type").Enum != "gnu_stack" {
		t.Errorf("entry %#x, name %q, type %q", n.u("header.e_entry"), n.s("section_headers[2].name"), n.get("program_headers[1].p_type").Enum)
	}
}
