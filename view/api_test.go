package view

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The package's exported names: what main uses (Launch, LaunchOptions),
// what features.Default lists (the constructors Core ... Selection),
// and the API a feature is written against, here or in a subpackage
// (view/lab: Editor, Feature, Options, DrawText, Editor.File, RunTicks for
// their tests, and the extension points in docs/architecture.md). A new exported name, or one
// nobody uses any more, fails here until this list and the docs agree.
var wantExported = []string{
	"Args", "Args.N", "Bottom", "Column", "Column.String",
	"Editor", "Editor.AddHighlighter", "Editor.AddKeyHook", "Editor.AddMouseHook",
	"Editor.AddPanel", "Editor.AddStatus", "Editor.App", "Editor.BytesPerRow",
	"Editor.CenterOn", "Editor.ClearSelection", "Editor.Column", "Editor.Cursor",
	"Editor.Errorf", "Editor.PushJump", "Editor.Every", "Editor.EveryPolling", "Editor.EveryWhile", "Editor.OnRun", "Editor.Polling", "Editor.Post", "Editor.SetPolling", "Editor.ExitNote", "Editor.Fill",
	"Editor.Go", "Editor.Handle", "Editor.HandleKey", "Editor.Keys", "Editor.Message",
	"Editor.OnCancel", "Editor.OnShown", "Editor.OnLayout", "Editor.OnMove", "Editor.OnQuit", "Editor.OpenPrompt",
	"Editor.OverlayOpen", "Editor.PanelRect", "Editor.PanelShown", "Editor.PromptOpen", "Editor.Refresh",
	"Editor.Run", "Editor.RunAction", "Editor.Selection", "Editor.SetClipboard", "MaxClipboard", "Editor.SetCursor", "Editor.SetSqueeze", "Editor.ShowError",
	"Editor.ShowInfo", "Editor.ShowPanel", "Editor.Size", "Editor.StartSelection",
	"Editor.Stop", "Editor.TogglePanel", "Editor.VisibleRange", "Editor.WriteAt",
	"Editor.File", "Editor.FileName", "Editor.OffsetStyle", "Editor.RunTicks", "Editor.SyncKey",
	"Compare", "Core", "DrawText", "TextWidth", "Inspector", "Live", "Marks", "Paste", "Search", "Selection", "WriteSelection", "Recovery", "Reshape",
	"Feature", "Grid", "Grid.Draw", "Grid.MouseHandler", "Handler", "HexColumn", "Highlighter", "Launch", "LaunchOptions",
	"Mark", "MarkChanged", "MarkDiffer", "MarkField", "MarkHole", "MarkMarked", "MarkMatch", "MarkSelected", "MarkShared", "New", "Options",
	"Panel", "Prompt", "Prompt.SetError", "Right", "Side", "TextColumn",
}

func TestExportedAPI(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					got = append(got, d.Name.Name)
					continue
				}
				typ := d.Recv.List[0].Type
				if s, ok := typ.(*ast.StarExpr); ok {
					typ = s.X
				}
				if id, ok := typ.(*ast.Ident); ok && id.IsExported() {
					got = append(got, id.Name+"."+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							got = append(got, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								got = append(got, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(got)
	want := slices.Clone(wantExported)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		for _, g := range got {
			if !slices.Contains(want, g) {
				t.Errorf("exported but not in the list: %s", g)
			}
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("in the list but not exported: %s", w)
			}
		}
	}
}
