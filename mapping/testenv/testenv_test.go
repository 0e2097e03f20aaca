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
// the module but a _test.go file or a test-support package
// (mapping/testenv/..., view/viewtest/...) imports testenv or a
// test-support package (docs/architecture.md).
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
		// The test-support packages (testenv's subpackages, such as the
		// tmux driver, and view/viewtest) are imported only by tests,
		// and may import testenv and each other.
		slash := filepath.ToSlash(path)
		support := strings.Contains(slash, "/mapping/testenv/") || strings.Contains(slash, "/view/viewtest/")
		forTests := strings.HasSuffix(path, "_test.go") || support
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			switch {
			case mine && !strings.HasSuffix(path, "_test.go") && strings.HasPrefix(p, "mmhex"):
				t.Errorf("%s imports %s: testenv may import no mmhex package", path, p)
			case (p == "mmhex/mapping/testenv" || strings.HasPrefix(p, "mmhex/mapping/testenv/") ||
				p == "mmhex/view/viewtest" || strings.HasPrefix(p, "mmhex/view/viewtest/")) && !forTests:
				t.Errorf("%s imports %s: only _test.go files and test-support packages may", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
