package testenv

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyTestsImportIt: testenv imports no mmhex package (mapping's own
// tests import it, so importing mapping would be a cycle), and no file of
// the module but a _test.go file imports testenv (docs/architecture.md).
func TestOnlyTestsImportIt(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != "../.." && (strings.HasPrefix(n, ".") || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		mine := filepath.Dir(path) == "."
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			switch {
			case mine && !strings.HasSuffix(path, "_test.go") && strings.HasPrefix(p, "mmhex"):
				t.Errorf("%s imports %s: testenv may import no mmhex package", path, p)
			case p == "mmhex/mapping/testenv" && !strings.HasSuffix(path, "_test.go"):
				t.Errorf("%s imports %s: only _test.go files may", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
