package ksy

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"mmhex/mapping/display"
)

//go:embed formats/*.ksy
var builtinFS embed.FS

// builtinPrefix marks a path inside the embedded formats.
const builtinPrefix = "builtin:"

// noCompiled: built-in formats are parsed from their YAML, not built by
// builtin_compiled.go (TestBuiltinCompiled compares both).
var noCompiled = false

// maxKsy is the largest .ksy file read.
const maxKsy = 4 << 20

// Loader reads .ksy files and resolves their meta/imports: a relative
// import beside the importing file, then under each formats root; an
// absolute one (/common/x) under every folder above the importing file
// (a gallery checkout's formats/ folder), then under each root. The roots
// are the user's formats folder and the built-in formats.
type Loader struct {
	UserDir string // $XDG_CONFIG_HOME/mmhex/formats; "" for none
	cache   map[string]*Spec
	loading map[string]bool
}

// UserFormatsDir is $XDG_CONFIG_HOME/mmhex/formats, else
// ~/.config/mmhex/formats ("" when neither is known).
func UserFormatsDir() string {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "mmhex", "formats")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".config", "mmhex", "formats")
	}
	return ""
}

// Builtin lists the built-in formats' ids.
func Builtin() []string {
	ents, _ := builtinFS.ReadDir("formats")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".ksy"))
	}
	sort.Strings(out)
	return out
}

func (l *Loader) read(p string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(p, builtinPrefix); ok {
		return builtinFS.ReadFile(path.Join("formats", rest))
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKsy+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKsy {
		return nil, fmt.Errorf("larger than %d bytes", maxKsy)
	}
	return b, nil
}

func exists(p string) bool {
	if rest, ok := strings.CutPrefix(p, builtinPrefix); ok {
		_, err := fs.Stat(builtinFS, path.Join("formats", rest))
		return err == nil
	}
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Load reads a format: a path to a .ksy file (it contains a / or ends in
// .ksy), else a name looked up in the user's formats folder, then among
// the built-in formats.
func (l *Loader) Load(name string) (*Spec, error) {
	if strings.ContainsRune(name, '/') || strings.HasSuffix(name, ".ksy") {
		return l.LoadFile(name)
	}
	if l.UserDir != "" {
		p := filepath.Join(l.UserDir, name+".ksy")
		if exists(p) {
			return l.LoadFile(p)
		}
	}
	p := builtinPrefix + name + ".ksy"
	if exists(p) {
		return l.LoadFile(p)
	}
	where := "the built-in formats (" + strings.Join(Builtin(), ", ") + ")"
	if l.UserDir != "" {
		where = display.Name(l.UserDir) + " or " + where
	}
	return nil, fmt.Errorf("format %s: not found in %s", display.Name(name), where)
}

// LoadFile reads a .ksy file and its imports.
func (l *Loader) LoadFile(p string) (*Spec, error) {
	if l.cache == nil {
		l.cache = map[string]*Spec{}
		l.loading = map[string]bool{}
	}
	key := p
	if !strings.HasPrefix(p, builtinPrefix) {
		if abs, err := filepath.Abs(p); err == nil {
			key = abs
		}
	}
	if s := l.cache[key]; s != nil {
		return s, nil
	}
	if l.loading[key] {
		return nil, nil // an import cycle: the spec being loaded has it
	}
	if rest, ok := strings.CutPrefix(p, builtinPrefix); ok && !noCompiled {
		if s := compiledBuiltin(rest); s != nil { // its imports are built-in: beside it
			l.cache[key] = s
			return s, nil
		}
	}
	l.loading[key] = true
	defer delete(l.loading, key)
	data, err := l.read(p)
	name := strings.TrimPrefix(p, builtinPrefix)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %v", display.Name(name), err)
	}
	s, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	s.Path = key
	for _, imp := range s.importNames {
		ip, ok := l.resolve(key, imp)
		if !ok {
			return nil, &SpecError{File: s.File, Msg: fmt.Sprintf("meta/imports: %s not found beside it or under a formats folder", display.Name(imp))}
		}
		is, err := l.LoadFile(ip)
		if err != nil {
			return nil, err
		}
		if is != nil {
			s.Imports = append(s.Imports, is)
		}
	}
	l.cache[key] = s
	return s, nil
}

func (l *Loader) resolve(from, imp string) (string, bool) {
	rel := imp + ".ksy"
	var cands []string
	builtin := strings.HasPrefix(from, builtinPrefix)
	dir := path.Dir(strings.TrimPrefix(from, builtinPrefix))
	if !strings.HasPrefix(imp, "/") {
		if builtin {
			cands = append(cands, builtinPrefix+path.Clean(path.Join(dir, rel)))
		} else {
			cands = append(cands, filepath.Join(dir, rel))
		}
	} else if !builtin {
		for d := dir; ; d = filepath.Dir(d) {
			cands = append(cands, filepath.Join(d, rel))
			if d == filepath.Dir(d) {
				break
			}
		}
	}
	if l.UserDir != "" {
		cands = append(cands, filepath.Join(l.UserDir, rel))
	}
	cands = append(cands, builtinPrefix+path.Clean(strings.TrimPrefix(rel, "/")))
	for _, c := range cands {
		if exists(c) {
			return c, true
		}
	}
	return "", false
}

// magic is how a built-in format is recognised.
var magics = []struct {
	id  string
	off int64
	b   []byte
}{
	{"elf", 0, []byte("\x7fELF")},
	{"png", 0, []byte("\x89PNG\r\n\x1a\n")},
	{"zip", 0, []byte("PK\x03\x04")},
	{"zip", 0, []byte("PK\x05\x06")},
	{"gzip", 0, []byte{0x1f, 0x8b}},
	{"tar", 257, []byte("ustar")},
	{"gpt", 512, []byte("EFI PART")},
	{"mbr", 510, []byte{0x55, 0xaa}},
}

// Detect picks a format for a file: the user's formats whose first field
// has contents that match, the built-in formats' magic bytes, then file
// extensions (meta/file-extension). It returns "" when none fits.
func (l *Loader) Detect(r io.ReaderAt, size int64, filename string) string {
	head := make([]byte, 1024)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	user := l.userSpecs()
	for _, s := range user {
		if len(s.Root.Seq) > 0 && s.Root.Seq[0].Contents != nil && bytes.HasPrefix(head, s.Root.Seq[0].Contents) {
			return s.Path
		}
	}
	for _, m := range magics {
		if int64(len(head)) >= m.off+int64(len(m.b)) && bytes.Equal(head[m.off:m.off+int64(len(m.b))], m.b) {
			return m.id
		}
	}
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(filename)), ".")
	if ext == "" {
		return ""
	}
	for _, s := range user {
		for _, e := range s.Exts {
			if strings.EqualFold(e, ext) {
				return s.Path
			}
		}
	}
	for _, id := range Builtin() {
		s, err := l.Load(id)
		if err != nil {
			continue
		}
		for _, e := range s.Exts {
			if strings.EqualFold(e, ext) {
				return id
			}
		}
	}
	return ""
}

func (l *Loader) userSpecs() []*Spec {
	if l.UserDir == "" {
		return nil
	}
	ents, err := os.ReadDir(l.UserDir)
	if err != nil {
		return nil
	}
	var out []*Spec
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".ksy") {
			continue
		}
		s, err := l.LoadFile(filepath.Join(l.UserDir, e.Name()))
		if err == nil && s != nil {
			out = append(out, s)
		}
	}
	return out
}

// Choose picks the format for a file (format: a name, a .ksy path, or ""
// to detect it) and returns a decoder over r. file names the data in
// messages.
func Choose(r io.ReaderAt, size int64, file, format, userDir string) (*Decoder, error) {
	l := &Loader{UserDir: userDir}
	if format == "" {
		format = l.Detect(r, size, file)
		if format == "" {
			return nil, fmt.Errorf("%s: no format recognised (give one with --format NAME or --format FILE.ksy; built in: %s)",
				display.Name(file), strings.Join(Builtin(), ", "))
		}
	}
	s, err := l.Load(format)
	if err != nil {
		return nil, err
	}
	return NewDecoder(s, r, size, DefaultLimits), nil
}
