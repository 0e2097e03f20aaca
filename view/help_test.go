package view

import (
	"strings"
	"testing"
)

// On a narrow terminal the help screen still shows every key name and
// every word of every description whole: keys wider than their column get
// a row of their own and descriptions wrap, instead of being cut
// ("Left, Backspa").
func TestHelpNarrowShowsEverything(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
	}{{"default", Options{}}, {"vim", Options{Keys: vimKeys(t)}}} {
		t.Run(c.name, func(t *testing.T) {
			h := openKnown(t, 40, 20, c.opts)
			h.press("F1")
			var all strings.Builder
			for i := 0; ; i++ {
				s := h.draw()
				lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
				for _, l := range lines[:len(lines)-1] {
					all.WriteString(strings.TrimSpace(l) + "\n")
				}
				if !strings.Contains(lines[len(lines)-1], "more") {
					break
				}
				if i > 100 {
					t.Fatal("the help never ends")
				}
				h.press("PgDn")
			}
			// words of the screen, with and without the key column's
			// commas (a key may end in one: Alt-,)
			words := map[string]bool{}
			for _, w := range strings.Fields(all.String()) {
				words[w] = true
				words[strings.TrimSuffix(w, ",")] = true
			}
			for _, sec := range h.e.keys.Map().Help() {
				for _, en := range sec.Entries {
					for _, k := range en.Keys {
						for _, w := range strings.Fields(k) {
							if !words[w] {
								t.Errorf("key %q (%s) is not shown whole", k, en.Desc)
							}
						}
					}
					for _, w := range strings.Fields(en.Desc) {
						if !words[strings.TrimSuffix(w, ",")] {
							t.Errorf("word %q of %q is not shown whole", w, en.Desc)
						}
					}
				}
			}
		})
	}
}
