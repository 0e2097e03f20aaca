package pagecache

import (
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"mmhex/mapping"
	"mmhex/mapping/testenv"
)

// TestFiguresEmptyAndClosed: an empty file has every figure a known 0 (no
// page, nothing unknown); a closed file gives mapping.ErrClosed from every
// function, naming the file, and never a figure.
func TestFiguresEmptyAndClosed(t *testing.T) {
	p := testenv.WriteFile(t, "empty", nil)
	for _, o := range []mapping.Options{{}, {ReadOnly: true}, {Private: true}} {
		f := open(t, p, o)
		st, err := Stats(f, 0, -1)
		if err != nil || st != (PageStats{}) {
			t.Fatalf("Stats %+v %v", st, err)
		}
		if res, err := Residency(f, 0, -1); err != nil || len(res) != 0 {
			t.Fatalf("Residency %v %v", res, err)
		}
	}
	q := testenv.WriteFile(t, "x", []byte("abc"))
	f, err := mapping.Open(q, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	want := q + ": file is closed"
	for name, call := range map[string]func() error{
		"Stats":               func() error { _, err := Stats(f, 0, 1); return err },
		"Residency":           func() error { _, err := Residency(f, 0, 1); return err },
		"Measure":             func() error { _, err := Measure(f, 0, 1, PageMapOptions{Cells: 1}); return err },
		"StartWritebackRange": func() error { _, err := StartWritebackRange(f, 0, -1); return err },
		"ReadDisk":            func() error { _, err := ReadDisk(f, 0, 1); return err },
		"ReadDiskRaw":         func() error { _, err := ReadDiskRaw(f, 0, 1); return err },
		"Report":              func() error { _, err := Report(f); return err },
		"Sample":              func() error { _, err := Sample(f); return err },
	} {
		if err := call(); !errors.Is(err, mapping.ErrClosed) || err.Error() != want {
			t.Errorf("%s on a closed file: %v; want %q", name, err, want)
		}
	}
	if fs := MemoryFS(f); fs != "" {
		t.Errorf("MemoryFS of a closed file %q", fs)
	}
}

// TestFiguresConcurrent: every figure is taken while other goroutines
// edit, sync, scan, refresh and another process truncates the file; then
// Close waits for the ones in flight (WithDescriptor's read lock) and the
// next calls say the file is closed. Run with -race.
func TestFiguresConcurrent(t *testing.T) {
	ps := int64(os.Getpagesize())
	size := 64 * ps
	p := testenv.WriteFile(t, "c.bin", testenv.Pattern(int(size), 31))
	f := open(t, p, mapping.Options{Window: 3 * ps})
	done := make(chan struct{})
	var wg sync.WaitGroup
	run := func(fn func(i int64)) { testenv.Repeat(&wg, done, fn) }
	run(func(i int64) { f.WriteAt([]byte{byte(i)}, (i*1231)%size) })
	run(func(i int64) { f.Undo(); f.Sync(mapping.MSAsync) })
	run(func(i int64) { f.Refresh() })
	run(func(i int64) { Stats(f, 0, -1); Residency(f, 0, 8*ps) })
	run(func(i int64) { Measure(f, 0, size, PageMapOptions{Cells: 7}); StartWritebackRange(f, 0, -1) })
	run(func(i int64) { ReadDisk(f, (i*977)%size, 100); MemoryFS(f) })
	g, _ := os.OpenFile(p, os.O_RDWR, 0)
	for k := 0; k < 20; k++ {
		g.Truncate(size / 2)
		time.Sleep(time.Millisecond)
		g.Truncate(size)
		time.Sleep(time.Millisecond)
	}
	g.Close()
	f.Close() // waits for the figures in flight
	close(done)
	wg.Wait()
	if _, err := Stats(f, 0, -1); !errors.Is(err, mapping.ErrClosed) {
		t.Fatalf("Stats after Close: %v", err)
	}
}

// TestPopulateResident: MAP_POPULATE reads the window in at open: without
// it no page of a fresh sparse file is resident, with it every page of the
// first window is.
func TestPopulateResident(t *testing.T) {
	const size = 1 << 20
	p := testenv.WriteFile(t, "pop", nil)
	os.Truncate(p, 4*size)
	plain := open(t, p, mapping.Options{Window: size})
	if st, _ := Stats(plain, 0, size); st.Resident != 0 {
		t.Fatalf("without populate: %d pages resident", st.Resident)
	}
	plain.Close()
	f := open(t, p, mapping.Options{Populate: true, Window: size})
	if st, _ := Stats(f, 0, size); st.Resident != st.Pages || st.Pages != size/int64(os.Getpagesize()) {
		t.Fatalf("with populate: %d of %d pages resident", st.Resident, st.Pages)
	}
}
