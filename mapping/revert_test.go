package mapping

import (
	"fmt"
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

// TestRevertUnsynced: reverting the unsynced edits goes back to the bytes
// of the last Sync, not to the bytes at Open, whether the edits since were
// new edits, undos of synced edits, or a new branch after undos.
func TestRevertUnsynced(t *testing.T) {
	ps := os.Getpagesize()
	content := testenv.Pattern(3*ps, 9)
	for _, w := range testenv.Windows {
		t.Run(w.Name, func(t *testing.T) {
			p := testenv.WriteFile(t, "r.bin", content)
			f := open(t, p, Options{Window: w.Size})
			f.WriteAt([]byte("AA"), int64(ps-1)) // crosses a page border
			f.WriteAt([]byte("BB"), int64(2*ps))
			if _, err := f.Sync(MSSync); err != nil {
				t.Fatal(err)
			}
			synced := readAll(t, f)

			steps := []struct {
				name  string
				do    func()
				steps int
			}{
				{"new edits", func() {
					f.WriteAt([]byte("CC"), 10)
					f.Fill(100, 50, 0xEE)
				}, 2},
				{"undo of a synced edit", func() { f.Undo() }, 1},
				{"undos then a new branch", func() {
					f.Undo()
					f.Undo()
					f.WriteAt([]byte("D"), 20)
				}, 3},
				{"branch, then undo below the branch point", func() {
					f.Undo()
					f.WriteAt([]byte("E"), 30)
					f.Undo()
					f.Undo()
				}, 2},
			}
			for _, s := range steps {
				s.do()
				if f.UnsyncedEdits() == 0 {
					t.Fatalf("%s: no unsynced edits counted", s.name)
				}
				n, err := f.RevertUnsynced()
				if err != nil || n.Edits != s.steps {
					t.Fatalf("%s: RevertUnsynced = %d, %v; want %d", s.name, n.Edits, err, s.steps)
				}
				testenv.MustEqual(t, s.name+": mapped bytes", readAll(t, f), synced)
				testenv.MustEqual(t, s.name+": file", testenv.DiskBytes(t, p), synced)
				if got := f.UnsyncedEdits(); got != 0 {
					t.Fatalf("%s: %d unsynced edits left", s.name, got)
				}
			}
			// The journal goes on from the synced state: undo takes back
			// the synced edits in order, down to the bytes at Open.
			if _, err := f.Undo(); err != nil {
				t.Fatal(err)
			}
			want := append([]byte(nil), synced...)
			copy(want[2*ps:], content[2*ps:2*ps+2])
			testenv.MustEqual(t, "undo after revert", readAll(t, f), want)
			if n, err := f.RevertAll(); err != nil || n.Edits != 1 {
				t.Fatalf("RevertAll = %d, %v", n.Edits, err)
			}
			testenv.MustEqual(t, "revert all", readAll(t, f), content)
		})
	}
}

// TestRevertUnsyncedNoSync: with no Sync since Open it is RevertAll.
func TestRevertUnsyncedNoSync(t *testing.T) {
	content := testenv.Pattern(100, 3)
	for _, o := range []Options{{}, {Private: true}} {
		t.Run(fmt.Sprintf("private=%v", o.Private), func(t *testing.T) {
			p := testenv.WriteFile(t, "n.bin", content)
			f := open(t, p, o)
			f.WriteAt([]byte("xyz"), 5)
			f.WriteAt([]byte("q"), 50)
			if n, err := f.RevertUnsynced(); err != nil || n.Edits != 2 {
				t.Fatalf("RevertUnsynced = %d, %v", n.Edits, err)
			}
			testenv.MustEqual(t, "mapped", readAll(t, f), content)
			testenv.MustEqual(t, "file", testenv.DiskBytes(t, p), content)
		})
	}
}

// TestRevertAfterShrink: the file shrank under unsynced edits (another
// program truncated it). Reverting still puts back every byte that is left:
// the parts of edits past the new end are gone with the file and skipped,
// instead of failing on the first of them and reverting nothing. The
// restored pages then sync.
func TestRevertAfterShrink(t *testing.T) {
	ps := int64(os.Getpagesize())
	content := testenv.Pattern(int(3*ps), 21)
	for _, w := range testenv.Windows {
		t.Run(w.Name, func(t *testing.T) {
			for _, how := range []string{"unsynced", "all", "undo"} {
				p := testenv.WriteFile(t, "s.bin", content)
				f := open(t, p, Options{Window: w.Size})
				f.WriteAt([]byte("ab"), 0)
				f.WriteAt([]byte("cd"), 2*ps+7)     // past the new end
				f.WriteAt([]byte("EFGH"), ps+100-2) // across the new end
				if err := os.Truncate(p, ps+100); err != nil {
					t.Fatal(err)
				}
				if changed, err := f.Refresh(); !changed || err != nil {
					t.Fatalf("Refresh: %v %v", changed, err)
				}
				var n int
				var err error
				var r Reverted
				switch how {
				case "unsynced":
					r, err = f.RevertUnsynced()
					n = r.Edits + r.Dropped
				case "all":
					r, err = f.RevertAll()
					n = r.Edits + r.Dropped
				case "undo":
					for i := 0; i < 3 && err == nil; i++ {
						_, err = f.Undo()
						n++
					}
				}
				if err != nil || n != 3 {
					t.Fatalf("%s: reverted %d edits, %v; want 3, nil", how, n, err)
				}
				if _, err := f.Sync(MSSync); err != nil {
					t.Fatalf("%s: Sync after the revert: %v", how, err)
				}
				f.Close()
				got, _ := os.ReadFile(p)
				if want := content[:ps+100]; string(got) != string(want) {
					t.Errorf("%s: the file is not back to its bytes (first difference at %d)", how, firstDiff(got, want))
				}
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
