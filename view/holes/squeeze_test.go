package holes

import (
	"os"
	"testing"

	"mmhex/mapping/testenv"
)

// middleHole makes a 1 GiB file: 4 KiB of data, a hole, 4 KiB of data at
// 0x3ffff000 (the example).
func middleHole(t *testing.T) string {
	t.Helper()
	p := testenv.WriteFile(t, "middle.bin", nil)
	g, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.Truncate(0x40000000); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 0x3ffff000} {
		if _, err := g.WriteAt(testenv.Pattern(4096, uint64(off>>12)+1), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Sync(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSqueezeDebug(t *testing.T) {
	h := newHarness(t, middleHole(t), "default")
	h.screen()
	h.press("Ctrl-G", "0", "x", "f", "f", "0", "Enter")
	t.Log("\n" + h.screen())
	h.press("Down")
	t.Log("\n" + h.screen())
	h.press("Down")
	t.Log("\n" + h.screen())
	h.press("Up", "Up")
	t.Log("\n" + h.screen())
	h.press("Alt-*")
	t.Log("\n" + h.screen())
}
