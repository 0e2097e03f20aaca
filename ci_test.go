package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCIChecksHygiene: before the tests, .ci/run fails when go mod tidy
// would change go.mod or go.sum, and runs staticcheck, installed at a
// pinned version and called by its full path, on the whole module.
func TestCIChecksHygiene(t *testing.T) {
	b, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	ci := string(b)
	test := strings.LastIndex(ci, "go test -race ./...")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^if ! go mod tidy -diff; then\n(\t.*\n)*\texit 1\nfi$`),
		regexp.MustCompile(`(?m)^staticcheck_version=v\d+\.\d+\.\d+$`),
		regexp.MustCompile(`(?m)^go install "honnef\.co/go/tools/cmd/staticcheck@\$staticcheck_version"$`),
		regexp.MustCompile(`(?m)^"\$gobin/staticcheck" \./\.\.\.$`),
	} {
		loc := want.FindStringIndex(ci)
		if loc == nil || loc[1] > test {
			t.Errorf(".ci/run has no line matching %s before the tests", want)
		}
	}
}

// TestPackageRules: the rooms of docs/architecture.md, from `go list`:
// keymap (and its tests) imports nothing from mapping; mapping and its
// engines import no UI (tview, tcell, view, keymap); tview is imported
// only by view and its subpackages (not view/hexfmt), tcell only by those
// and keymap; the core mapping imports only its leaves (display, numparse,
// spanset, wal: the durable journal's file format), never an engine; display and numparse import only the
// standard library; mapping/testenv is imported only by tests and imports
// no mmhex package; view imports none of its feature subpackages (the one
// list, view/features, is imported by main alone). The test-support
// packages (mapping/testenv/..., view/viewtest/...) are imported only by
// tests and by each other.
func TestPackageRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps,TestImports,XTestImports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath                               string
		Imports, Deps, TestImports, XTestImports []string
	}
	var pkgs []pkg
	for d := json.NewDecoder(bytes.NewReader(out)); ; {
		var p pkg
		if err := d.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	under := func(p, root string) bool { return p == root || strings.HasPrefix(p, root+"/") }
	isUI := func(d string) bool {
		return under(d, "github.com/rivo/tview") || under(d, "github.com/gdamore/tcell/v2") || under(d, "mmhex/view") || under(d, "mmhex/keymap")
	}
	for _, p := range pkgs {
		path := p.ImportPath
		bad := func(rule string, list []string, f func(string) bool) {
			for _, d := range list {
				if f(d) {
					t.Errorf("%s imports %s: %s", path, d, rule)
				}
			}
		}
		switch {
		case under(path, "mmhex/keymap"):
			bad("keymap imports nothing from mapping", slices.Concat(p.Deps, p.TestImports, p.XTestImports),
				func(d string) bool { return under(d, "mmhex/mapping") })
		case under(path, "mmhex/mapping"):
			bad("mapping and its engines import no UI", p.Deps, isUI)
		}
		switch path {
		case "mmhex/mapping":
			bad("the core imports only its leaves, never an engine", p.Imports, func(d string) bool {
				return under(d, "mmhex") && d != "mmhex/mapping/display" && d != "mmhex/mapping/numparse" && d != "mmhex/mapping/spanset" && d != "mmhex/mapping/wal"
			})
		case "mmhex/mapping/wal":
			bad("the journal format is a leaf: the standard library and x/sys only", p.Deps, func(d string) bool {
				return under(d, "mmhex") || (strings.Contains(strings.Split(d, "/")[0], ".") && !under(d, "golang.org/x/sys"))
			})
		case "mmhex/mapping/display", "mmhex/mapping/numparse", "mmhex/mapping/testenv":
			bad("a leaf imports only the standard library", p.Deps, func(d string) bool { return strings.Contains(strings.Split(d, "/")[0], ".") || under(d, "mmhex") })
		case "mmhex/view":
			bad("view imports none of its feature subpackages", p.Deps, func(d string) bool { return under(d, "mmhex/view") && d != "mmhex/view/hexfmt" })
		}
		bad("tview is view's (and its panels')", p.Imports, func(d string) bool {
			return under(d, "github.com/rivo/tview") && (!under(path, "mmhex/view") || path == "mmhex/view/hexfmt")
		})
		bad("tcell is view's and keymap's", p.Imports, func(d string) bool {
			return under(d, "github.com/gdamore/tcell/v2") && !under(path, "mmhex/view") && !under(path, "mmhex/keymap")
		})
		// The test-support packages (mapping/testenv, its subpackages such
		// as the tmux driver, view/viewtest) are for tests, and for each
		// other.
		support := func(d string) bool { return under(d, "mmhex/mapping/testenv") || under(d, "mmhex/view/viewtest") }
		if !support(path) {
			bad("mapping/testenv and view/viewtest are for tests only", p.Imports, support)
		}
		bad("the feature list is main's to pass", p.Imports, func(d string) bool { return d == "mmhex/view/features" && path != "mmhex" })
	}
}

// TestArchitectureListsPackages: docs/architecture.md has a row for every
// package of the module (| `mapping/search/` | ...) and none for a package
// that is gone, so the table matches the tree.
func TestArchitectureListsPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	doc, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z/]+)/` \\|").FindAllStringSubmatch(string(doc), -1) {
		rows[m[1]] = true
	}
	pkgs := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		if p == "mmhex" {
			continue // main.go has its own row
		}
		p = strings.TrimPrefix(p, "mmhex/")
		pkgs[p] = true
		if !rows[p] {
			t.Errorf("docs/architecture.md has no row for %s/", p)
		}
	}
	for r := range rows {
		if !pkgs[r] {
			t.Errorf("docs/architecture.md has a row for %s/, which is not a package", r)
		}
	}
}
