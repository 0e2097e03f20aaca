package ksy_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mmhex/mapping/testenv"
)

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func (n jnode) hex(path string) []byte {
	b, _ := hex.DecodeString(n.s(path))
	return b
}

// TestPNGChunks: PNGs written by image/png decode to the chunks a plain
// walk of the file finds (length, type, offset), each CRC is the CRC-32 of
// its type and data, and IHDR equals image/png's DecodeConfig.
func TestPNGChunks(t *testing.T) {
	noisy := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for i := range noisy.Pix {
		noisy.Pix[i] = byte(i * 7919 >> 3)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 17, 5), palette.Plan9)
	gray := image.NewGray16(image.Rect(0, 0, 64, 64))
	gray.Set(3, 3, color.Gray16{Y: 0x1234})
	for _, img := range []image.Image{noisy, pal, gray, image.NewNRGBA(image.Rect(0, 0, 1, 1))} {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.NoCompression} // big IDATs: several chunks
		if err := enc.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		p := writeTemp(t, "i.png", raw)
		n := decodeJSON(t, p, "")
		if n.Type != "png" {
			t.Fatalf("detected as %s", n.Type)
		}
		// the reference: walk the chunks by hand
		off := 8
		var i int
		for off < len(raw) {
			length := int(binary.BigEndian.Uint32(raw[off:]))
			typ := string(raw[off+4 : off+8])
			data := raw[off+8 : off+8+length]
			crc := binary.BigEndian.Uint32(raw[off+8+length:])
			k := fmt.Sprintf("chunks[%d].", i)
			c := n.get(fmt.Sprintf("chunks[%d]", i))
			if c.Offset == nil || *c.Offset != int64(off) || *c.Size != int64(12+length) {
				t.Fatalf("%s: offset/size %v/%v, want %d/%d", k, c.Offset, c.Size, off, 12+length)
			}
			if n.u(k+"length") != uint64(length) || n.s(k+"type") != typ || n.u(k+"crc") != uint64(crc) {
				t.Fatalf("%s: %d %q %#x, want %d %q %#x", k, n.u(k+"length"), n.s(k+"type"), n.u(k+"crc"), length, typ, crc)
			}
			if want := crc32.ChecksumIEEE(raw[off+4 : off+8+length]); uint32(n.u(k+"crc")) != want {
				t.Fatalf("%s: CRC %#x, the CRC-32 of type and data is %#x", k, n.u(k+"crc"), want)
			}
			if typ == "IDAT" && !bytes.Equal(n.hex(k+"body"), data) && len(data) <= 4096 {
				t.Fatalf("%s body differs", k)
			}
			off += 12 + length
			i++
		}
		if got := len(n.get("chunks").Items); got != i || n.s(fmt.Sprintf("chunks[%d].type", i-1)) != "IEND" {
			t.Fatalf("%d chunks, the walk found %d", got, i)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if n.u("chunks[0].body.width") != uint64(cfg.Width) || n.u("chunks[0].body.height") != uint64(cfg.Height) {
			t.Fatalf("IHDR %dx%d, image/png %dx%d", n.u("chunks[0].body.width"), n.u("chunks[0].body.height"), cfg.Width, cfg.Height)
		}
		ct := map[uint64]color.Model{0: color.GrayModel, 2: color.RGBAModel, 3: nil, 6: color.NRGBAModel}
		if n.u("chunks[0].body.bit_depth") == 16 {
			ct = map[uint64]color.Model{0: color.Gray16Model, 2: color.RGBA64Model, 6: color.NRGBA64Model}
		}
		if want, ok := ct[n.u("chunks[0].body.color_type")]; ok && want != nil && cfg.ColorModel != want {
			t.Fatalf("colour type %d, image/png's model differs", n.u("chunks[0].body.color_type"))
		}
	}
}

// TestZIPMatchesArchiveZip: archives written by archive/zip (deflated and
// stored entries, data descriptors, an archive comment) and by zip(1):
// every central directory entry equals archive/zip's File, and its data
// offset equals File.DataOffset.
func TestZIPMatchesArchiveZip(t *testing.T) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i, name := range []string{"a.txt", "dir/b.bin", "c-stored", "empty"} {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2020, 5, 17, 10, 20, 30, 0, time.UTC)}
		if i == 2 {
			h.Method = zip.Store
		}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if name != "empty" {
			fw.Write(bytes.Repeat([]byte(name), 100*(i+1)))
		}
	}
	w.SetComment("an archive comment")
	w.Close()
	files := []string{writeTemp(t, "go.zip", buf.Bytes())}
	if zipTool, err := exec.LookPath("zip"); err == nil {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "x.txt"), bytes.Repeat([]byte("x"), 5000), 0o644)
		os.WriteFile(filepath.Join(dir, "y.txt"), []byte("y"), 0o644)
		cmd := exec.Command(zipTool, "-q", "tool.zip", "x.txt", "y.txt")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("zip: %v %s", err, out)
		}
		files = append(files, filepath.Join(dir, "tool.zip"))
	}
	for _, p := range files {
		n := decodeJSON(t, p, "")
		if n.Type != "zip" {
			t.Fatalf("%s: detected as %s", p, n.Type)
		}
		r, err := zip.OpenReader(p)
		if err != nil {
			t.Fatal(err)
		}
		if n.s("end.comment") != r.Comment || n.u("end.entries_total") != uint64(len(r.File)) {
			t.Errorf("%s: comment %q, %d entries; archive/zip %q, %d", p, n.s("end.comment"), n.u("end.entries_total"), r.Comment, len(r.File))
		}
		if got := len(n.get("central_directory.entries").Items); got != len(r.File) {
			t.Fatalf("%s: %d entries, archive/zip %d", p, got, len(r.File))
		}
		for i, f := range r.File {
			k := fmt.Sprintf("central_directory.entries[%d].", i)
			want, _ := f.DataOffset()
			data := n.get(k + "data")
			if n.s(k+"name") != f.Name || n.u(k+"method") != uint64(f.Method) || n.u(k+"crc32") != uint64(f.CRC32) ||
				n.u(k+"compressed_size") != f.CompressedSize64 || n.u(k+"uncompressed_size") != f.UncompressedSize64 ||
				n.u(k+"flags") != uint64(f.Flags) || n.s(k+"local_header.name") != f.Name || data.Offset == nil || *data.Offset != want {
				t.Errorf("%s: %s%s differs from archive/zip's %+v (data offset %d)", p, k, n.s(k+"name"), f.FileHeader, want)
			}
			rc, _ := f.OpenRaw()
			rawData, _ := io.ReadAll(rc)
			if len(rawData) <= 4096 && !bytes.Equal(n.hex(k+"data"), rawData) {
				t.Errorf("%s: %sdata differs from OpenRaw's bytes", p, k)
			}
		}
		r.Close()
	}
}

// TestGzipMatchesCompressGzip: the header fields equal compress/gzip's
// Header, and the trailer holds the CRC-32 and size of the content.
func TestGzipMatchesCompressGzip(t *testing.T) {
	content := bytes.Repeat([]byte("gzip me "), 1000)
	for _, h := range []gzip.Header{
		{},
		{Name: "name.txt", Comment: "a comment", ModTime: time.Unix(1600000000, 0), OS: 3, Extra: []byte("XYZ")},
	} {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Header = h
		zw.Write(content)
		zw.Close()
		p := writeTemp(t, "f.gz", buf.Bytes())
		n := decodeJSON(t, p, "")
		zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if n.Type != "gzip" || n.s("name") != zr.Name || n.s("comment") != zr.Comment || n.u("mtime") != uint64(max(zr.ModTime.Unix(), 0)) ||
			n.u("os") != uint64(zr.OS) || !bytes.Equal(n.hex("extra.data"), zr.Extra) {
			t.Errorf("header %+v differs from compress/gzip's %+v", n, zr.Header)
		}
		if n.u("crc32") != uint64(crc32.ChecksumIEEE(content)) || n.u("isize") != uint64(len(content)) {
			t.Errorf("trailer %d %d, want %d %d", n.u("crc32"), n.u("isize"), crc32.ChecksumIEEE(content), len(content))
		}
		if body := n.get("body"); *body.Offset+*body.Size+8 != int64(buf.Len()) {
			t.Errorf("body ends at %d, the trailer is the last 8 of %d bytes", *body.Offset+*body.Size, buf.Len())
		}
	}
}

// TestTarMatchesArchiveTar: every entry equals archive/tar's Header, and
// its data is the entry's bytes.
func TestTarMatchesArchiveTar(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mt := time.Unix(1700000000, 0)
	entries := []struct {
		h    tar.Header
		data string
	}{
		{tar.Header{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mt}, ""},
		{tar.Header{Name: "dir/file.txt", Typeflag: tar.TypeReg, Mode: 0o644, Uid: 1000, Gid: 100, Uname: "u", Gname: "g", ModTime: mt}, strings.Repeat("data ", 300)},
		{tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "dir/file.txt", Mode: 0o777, ModTime: mt}, ""},
		{tar.Header{Name: "exact", Typeflag: tar.TypeReg, Mode: 0o600, ModTime: mt}, strings.Repeat("z", 512)},
	}
	for _, e := range entries {
		e.h.Size = int64(len(e.data))
		e.h.Format = tar.FormatUSTAR
		if err := tw.WriteHeader(&e.h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.data))
	}
	tw.Close()
	p := writeTemp(t, "a.tar", buf.Bytes())
	n := decodeJSON(t, p, "")
	tr := tar.NewReader(bytes.NewReader(buf.Bytes()))
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			if !strings.Contains(string(n.get(fmt.Sprintf("entries[%d].is_end", i)).Value), "true") {
				t.Errorf("entries[%d] is not the end block", i)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		k := fmt.Sprintf("entries[%d].", i)
		data, _ := io.ReadAll(tr)
		if n.s(k+"header.name") != h.Name || n.u(k+"header.file_size") != uint64(h.Size) || n.u(k+"header.mode_value") != uint64(h.Mode) ||
			n.u(k+"header.typeflag") != uint64(h.Typeflag) || n.s(k+"header.linkname") != h.Linkname || n.u(k+"header.mtime_value") != uint64(h.ModTime.Unix()) ||
			n.s(k+"header.uname") != h.Uname || n.s(k+"header.gname") != h.Gname || !bytes.Equal(n.hex(k+"data"), data) {
			t.Errorf("%s differs from archive/tar's %+v", k, h)
		}
	}
}

// sfdiskJSON runs sfdisk --json on dev.
type sfdiskTable struct {
	PartitionTable struct {
		Label      string `json:"label"`
		ID         string `json:"id"`
		Unit       string `json:"unit"`
		FirstLBA   uint64 `json:"firstlba"`
		LastLBA    uint64 `json:"lastlba"`
		SectorSize uint64 `json:"sectorsize"`
		Partitions []struct {
			Node     string `json:"node"`
			Start    uint64 `json:"start"`
			Size     uint64 `json:"size"`
			Type     string `json:"type"`
			UUID     string `json:"uuid"`
			Name     string `json:"name"`
			Bootable bool   `json:"bootable"`
		} `json:"partitions"`
	} `json:"partitiontable"`
}

func partition(t *testing.T, script string) (string, sfdiskTable) {
	t.Helper()
	sfdisk := testenv.RequireTool(t, "sfdisk")
	dev, _ := testenv.LoopDevice(t, 64<<20, nil)
	cmd := exec.Command(sfdisk, "--no-reread", "--no-tell-kernel", dev)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	out, err := exec.Command(sfdisk, "--json", dev).Output()
	if err != nil {
		t.Fatalf("sfdisk --json: %v", err)
	}
	var tab sfdiskTable
	if err := json.Unmarshal(out, &tab); err != nil {
		t.Fatal(err)
	}
	return dev, tab
}

// TestMBRMatchesSfdisk: a DOS partition table made by sfdisk on a loop
// device decodes (through the block device's mapping) to what
// sfdisk --json reads back: disk id, starts, sizes, types, boot flag.
func TestMBRMatchesSfdisk(t *testing.T) {
	dev, tab := partition(t, "label: dos\nlabel-id: 0x1234abcd\n2048,20480,83,*\n,30000,82\n,,c\n")
	if len(tab.PartitionTable.Partitions) != 3 {
		t.Fatalf("sfdisk made %d partitions", len(tab.PartitionTable.Partitions))
	}
	n := decodeJSON(t, dev, "")
	if n.Type != "mbr" {
		t.Fatalf("detected as %s", n.Type)
	}
	if got := fmt.Sprintf("0x%08x", n.u("disk_signature")); got != tab.PartitionTable.ID {
		t.Errorf("disk signature %s, sfdisk %s", got, tab.PartitionTable.ID)
	}
	for i, p := range tab.PartitionTable.Partitions {
		k := fmt.Sprintf("partitions[%d].", i)
		if n.u(k+"lba_start") != p.Start || n.u(k+"num_sectors") != p.Size || fmt.Sprintf("%x", n.u(k+"type")) != p.Type ||
			(string(n.get(k+"bootable").Value) == "true") != p.Bootable {
			t.Errorf("%s: start %d size %d type %x boot %s; sfdisk %+v", k, n.u(k+"lba_start"), n.u(k+"num_sectors"), n.u(k+"type"), n.get(k+"bootable").Value, p)
		}
	}
	if n.u("partitions[3].type") != 0 {
		t.Errorf("the fourth entry is used")
	}
}

func guid(n jnode, path string) string {
	d4 := n.hex(path + ".data4")
	return strings.ToUpper(fmt.Sprintf("%08x-%04x-%04x-%x-%x", n.u(path+".data1"), n.u(path+".data2"), n.u(path+".data3"), d4[:2], d4[2:]))
}

// TestGPTMatchesSfdisk: a GPT made by sfdisk on a loop device decodes to
// what sfdisk --json reads back: disk GUID, usable LBAs, and each
// partition's start, size, type GUID, GUID and name.
func TestGPTMatchesSfdisk(t *testing.T) {
	dev, tab := partition(t, "label: gpt\nlabel-id: 01234567-89AB-CDEF-0123-456789ABCDEF\n"+
		"start=2048, size=10240, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"EFI system\"\n"+
		"size=20480, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root fs é\"\n"+
		"type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\n")
	n := decodeJSON(t, dev, "")
	if n.Type != "gpt" {
		t.Fatalf("detected as %s", n.Type)
	}
	pt := tab.PartitionTable
	if g := guid(n, "header.disk_guid"); g != pt.ID {
		t.Errorf("disk GUID %s, sfdisk %s", g, pt.ID)
	}
	if n.u("header.first_usable_lba") != pt.FirstLBA || n.u("header.last_usable_lba") != pt.LastLBA {
		t.Errorf("usable LBAs %d-%d, sfdisk %d-%d", n.u("header.first_usable_lba"), n.u("header.last_usable_lba"), pt.FirstLBA, pt.LastLBA)
	}
	if n.u("protective_mbr.partitions[0].type") != 0xee {
		t.Errorf("protective MBR type %#x", n.u("protective_mbr.partitions[0].type"))
	}
	used := 0
	for i := range n.get("partitions").Items {
		if string(n.get(fmt.Sprintf("partitions[%d].used", i)).Value) == "true" {
			used++
		}
	}
	if used != len(pt.Partitions) || used != 3 {
		t.Fatalf("%d partitions used, sfdisk lists %d", used, len(pt.Partitions))
	}
	for i, p := range pt.Partitions {
		k := fmt.Sprintf("partitions[%d]", i)
		if n.u(k+".first_lba") != p.Start || n.u(k+".last_lba")-n.u(k+".first_lba")+1 != p.Size ||
			guid(n, k+".type_guid") != p.Type || guid(n, k+".partition_guid") != p.UUID || n.s(k+".name") != p.Name {
			t.Errorf("%s: %d %d %s %s %q; sfdisk %+v", k, n.u(k+".first_lba"), n.u(k+".last_lba"), guid(n, k+".type_guid"), guid(n, k+".partition_guid"), n.s(k+".name"), p)
		}
	}
}
