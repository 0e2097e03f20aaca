package mapping

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

// TestJournalModel runs random edits, fills, undos, redos, syncs and
// reverts against a plain byte slice that models the file, in every mode
// and window size, and compares the mapped bytes (and, for shared
// mappings, the file) after every step.
func TestJournalModel(t *testing.T) {
	ps := os.Getpagesize()
	size := 5*ps + 321
	for _, w := range testenv.Windows {
		for _, o := range []Options{{}, {Private: true}} {
			for seed := uint64(1); seed <= 3; seed++ {
				t.Run(fmt.Sprintf("%s/private=%v/seed=%d", w.Name, o.Private, seed), func(t *testing.T) {
					r := rand.New(rand.NewPCG(seed, 99))
					orig := testenv.Pattern(size, seed)
					p := testenv.WriteFile(t, "m.bin", orig)
					o.Window = w.Size
					f := open(t, p, o)
					model := append([]byte(nil), orig...)
					type step struct {
						off    int
						before []byte
						after  []byte
					}
					var done, undone []step
					for i := 0; i < 150; i++ {
						switch k := r.IntN(10); {
						case k < 4: // WriteAt
							n := 1 + r.IntN(2*ps)
							off := r.IntN(size - n + 1)
							b := testenv.Pattern(n, r.Uint64())
							s := step{off, append([]byte(nil), model[off:off+n]...), b}
							if _, err := f.WriteAt(b, int64(off)); err != nil {
								t.Fatal(err)
							}
							copy(model[off:], b)
							done, undone = append(done, s), nil
						case k < 5: // Fill
							n := 1 + r.IntN(3*ps)
							off := r.IntN(size - n + 1)
							v := byte(r.Uint32())
							s := step{off, append([]byte(nil), model[off:off+n]...), nil}
							if err := f.Fill(int64(off), int64(n), v); err != nil {
								t.Fatal(err)
							}
							for j := off; j < off+n; j++ {
								model[j] = v
							}
							s.after = append([]byte(nil), model[off:off+n]...)
							done, undone = append(done, s), nil
						case k < 7: // Undo
							_, err := f.Undo()
							if len(done) == 0 {
								if err == nil {
									t.Fatal("Undo with nothing to undo succeeded")
								}
								continue
							}
							if err != nil {
								t.Fatal(err)
							}
							s := done[len(done)-1]
							done = done[:len(done)-1]
							copy(model[s.off:], s.before)
							undone = append(undone, s)
						case k < 8: // Redo
							_, err := f.Redo()
							if len(undone) == 0 {
								if err == nil {
									t.Fatal("Redo with nothing to redo succeeded")
								}
								continue
							}
							if err != nil {
								t.Fatal(err)
							}
							s := undone[len(undone)-1]
							undone = undone[:len(undone)-1]
							copy(model[s.off:], s.after)
							done = append(done, s)
						case k < 9: // Sync
							_, err := f.Sync(MSAsync)
							if (err != nil) != o.Private {
								t.Fatal(err)
							}
						default: // read a random range
							n := 1 + r.IntN(3*ps)
							off := r.IntN(size)
							b := make([]byte, n)
							got, _ := f.ReadAt(b, int64(off))
							testenv.MustEqual(t, "random read", b[:got], model[off:min(off+n, size)])
						}
						testenv.MustEqual(t, fmt.Sprintf("step %d", i), readAll(t, f), model)
						if !o.Private {
							testenv.MustEqual(t, fmt.Sprintf("file at step %d", i), testenv.DiskBytes(t, p), model)
						}
					}
					if _, err := f.RevertAll(); err != nil {
						t.Fatal(err)
					}
					testenv.MustEqual(t, "after RevertAll", readAll(t, f), orig)
					testenv.MustEqual(t, "file after RevertAll", testenv.DiskBytes(t, p), orig)
				})
			}
		}
	}
}
