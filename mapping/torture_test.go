package mapping

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"mmhex/mapping/testenv"
)

var (
	tortureN    = flag.Int("torture.n", 300, "steps of each TestJournalTorture run")
	tortureSeed = flag.Uint64("torture.seed", 1, "first seed of TestJournalTorture (runs seed and seed+1)")
)

// tEntry is the model's journal entry: the bytes before and after, as
// stored (a store cut short by a fault holds only the part stored).
type tEntry struct {
	off      int
	old, new []byte
}

// tModel is an independent model of the file and of the journal's
// contract: undo, redo and the reverts change a byte only where it still
// holds what the journal expects there; a step that changes nothing drops
// its entry; only MS_SYNC moves the synced point.
type tModel struct {
	data          []byte
	e             []tEntry
	pos, syncPosM int
	lost          []tEntry // in order
	extra         int
}

func (m *tModel) unsynced() int {
	d := m.pos - m.syncPosM
	if d < 0 {
		d = -d
	}
	return m.extra + d
}

func (m *tModel) truncRedo() {
	if m.pos < m.syncPosM {
		m.extra += m.syncPosM - m.pos
		m.lost = append(append([]tEntry(nil), m.e[m.pos:m.syncPosM]...), m.lost...)
		m.syncPosM = m.pos
	}
	m.e = m.e[:m.pos]
}

// edit: the first len(stored) bytes of an edit at off were stored.
func (m *tModel) edit(off int, stored []byte) {
	if len(stored) == 0 {
		return
	}
	x := tEntry{off, append([]byte(nil), m.data[off:off+len(stored)]...), append([]byte(nil), stored...)}
	copy(m.data[off:], stored)
	m.e = append(m.e, x)
	m.pos++
}

// restore sets want where the bytes are expect; it returns how many bytes
// it set and how many it left alone.
func (m *tModel) restore(x tEntry, expect, want []byte) (restored, skipped int) {
	for i := range expect {
		p := x.off + i
		if p >= len(m.data) || m.data[p] != expect[i] {
			skipped++
			continue
		}
		m.data[p] = want[i]
		restored++
	}
	return
}

func (m *tModel) drop(i int) {
	m.e = append(m.e[:i], m.e[i+1:]...)
	if i < m.pos {
		m.pos--
	}
	if i < m.syncPosM {
		m.syncPosM--
	}
}

func (m *tModel) undo() (restored, skipped int, ok bool) {
	if m.pos == 0 {
		return 0, 0, false
	}
	x := m.e[m.pos-1]
	restored, skipped = m.restore(x, x.new, x.old)
	if restored == 0 {
		m.drop(m.pos - 1)
	} else {
		m.pos--
	}
	return restored, skipped, true
}

func (m *tModel) redo() (restored, skipped int) {
	x := m.e[m.pos]
	restored, skipped = m.restore(x, x.old, x.new)
	if restored == 0 {
		m.drop(m.pos)
	} else {
		m.pos++
	}
	return
}

func (m *tModel) revertUnsynced() {
	for m.pos > m.syncPosM {
		m.undo()
	}
	for m.pos < m.syncPosM {
		m.redo()
	}
	for len(m.lost) > 0 {
		x := m.lost[0]
		m.lost = m.lost[1:]
		if r, _ := m.restore(x, x.old, x.new); r > 0 {
			m.e = append(m.e[:m.pos], x)
			m.pos++
			m.syncPosM = m.pos
		}
	}
	m.extra = 0
}

func (m *tModel) synced() { m.syncPosM, m.extra, m.lost = m.pos, 0, nil }

var storingAt = regexp.MustCompile(`storing at 0x([0-9a-f]+): no space left on device`)

// TestJournalTorture runs random WriteAt, Fill, Undo, Redo, RevertAll,
// RevertUnsynced, Sync (MS_SYNC and MS_ASYNC), another writer's stores,
// the file shrinking and growing, and (on a small tmpfs) stores into holes
// on a full filesystem, against tModel. After every step the file, the
// mapping and the unsynced edit count must match the model, and undo,
// redo and the reverts must report the bytes they set and left alone as
// the model does; after every MS_SYNC the bytes read back from the disk
// (page cache dropped, O_DIRECT) must be the model's. Odd seeds store
// each undo, redo and revert step in parts of one page, letting the
// mutex go between two (restorePart). Run longer with
// -torture.n and -torture.seed.
func TestJournalTorture(t *testing.T) {
	ps := os.Getpagesize()
	for _, fs := range []string{"disk", "tmpfs"} {
		for seed := *tortureSeed; seed < *tortureSeed+2; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", fs, seed), func(t *testing.T) {
				dir := t.TempDir()
				if fs == "tmpfs" {
					dir = smallTmpfs(t, 256*int64(ps))
				}
				tortureRun(t, dir, fs == "tmpfs", seed, *tortureN)
			})
		}
	}
}

func tortureRun(t *testing.T, dir string, tmpfs bool, seed uint64, steps int) {
	ps := os.Getpagesize()
	r := rand.New(rand.NewPCG(seed, 0x70127))
	p := filepath.Join(dir, "t.bin")
	size := 12*ps + 77
	// Data with holes: every third page is a hole.
	init := testenv.Pattern(size, seed)
	for pg := 0; pg < size; pg += 3 * ps {
		clear(init[pg:min(pg+ps, size)])
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	o.Truncate(int64(size))
	for pg := 0; pg < size; pg += ps {
		if !bytes.Equal(init[pg:min(pg+ps, size)], make([]byte, min(ps, size-pg))) {
			o.WriteAt(init[pg:min(pg+ps, size)], int64(pg))
		}
	}
	if !tmpfs {
		othersSynced(t, o, 0, size) // the file as it was before mmhex opened it
	}
	win := testenv.Windows[r.IntN(2)].Size // one or three pages: windows are crossed
	if !tmpfs {
		win = 0
	}
	f := open(t, p, Options{Window: win})
	if seed%2 == 1 {
		f.restorePart = int64(ps) // undo, redo and reverts let the mutex go after each page
	}
	m := &tModel{data: append([]byte(nil), init...)}
	filler := filepath.Join(dir, "filler")
	full := false
	counts := map[string]int{}

	span := func(max int) (int, int) {
		n := 1 + r.IntN(max)
		n = min(n, len(m.data))
		return r.IntN(len(m.data) - n + 1), n
	}
	for step := 0; step < steps; step++ {
		what := ""
		k := r.IntN(100)
		switch {
		case k < 20:
			what = "WriteAt"
			off, n := span(3 * ps)
			b := testenv.Pattern(n, r.Uint64())
			m.truncRedo()
			got, err := f.WriteAt(b, int64(off))
			if err != nil {
				if !full || !errors.Is(err, unix.ENOSPC) {
					t.Fatalf("step %d: WriteAt(%d bytes at %#x): %v", step, n, off, err)
				}
				what = "WriteAt/nospace"
				if mm := storingAt.FindStringSubmatch(err.Error()); mm == nil || mustHex(mm[1]) != off+got {
					t.Fatalf("step %d: WriteAt stored %d bytes but says %v", step, got, err)
				}
			}
			m.edit(off, b[:got])
		case k < 32:
			what = "Fill"
			off, n := span(4 * ps)
			v := byte(r.Uint32())
			m.truncRedo()
			err := f.Fill(int64(off), int64(n), v)
			done := n
			if err != nil {
				mm := storingAt.FindStringSubmatch(err.Error())
				if !full || mm == nil {
					t.Fatalf("step %d: Fill(%d bytes at %#x): %v", step, n, off, err)
				}
				what = "Fill/nospace"
				done = mustHex(mm[1]) - off
			}
			m.edit(off, bytes.Repeat([]byte{v}, done))
		case k < 47 && !full:
			what = "Undo"
			ed, err := f.Undo()
			rs, sk, ok := m.undo()
			if !ok {
				if !errors.Is(err, ErrNothingToUndo) {
					t.Fatalf("step %d: Undo with nothing to undo: %v", step, err)
				}
				break
			}
			if err != nil || ed.Restored != int64(rs) || ed.Skipped.Bytes != int64(sk) || ed.Dropped != (rs == 0) {
				t.Fatalf("step %d: Undo = restored %d skipped %d dropped %v, %v; model: %d, %d", step, ed.Restored, ed.Skipped.Bytes, ed.Dropped, err, rs, sk)
			}
			if sk > 0 {
				what = "Undo/skipped"
			}
		case k < 55 && !full:
			what = "Redo"
			ed, err := f.Redo()
			if m.pos == len(m.e) {
				if !errors.Is(err, ErrNothingToRedo) {
					t.Fatalf("step %d: Redo with nothing to redo: %v", step, err)
				}
				break
			}
			if x := m.e[m.pos]; x.off+len(x.old) > len(m.data) {
				if !errors.Is(err, ErrPastEnd) {
					t.Fatalf("step %d: Redo past the end: %v", step, err)
				}
				what = "Redo/pastend"
				break
			}
			rs, sk := m.redo()
			if err != nil || ed.Restored != int64(rs) || ed.Skipped.Bytes != int64(sk) {
				t.Fatalf("step %d: Redo = restored %d skipped %d, %v; model: %d, %d", step, ed.Restored, ed.Skipped.Bytes, err, rs, sk)
			}
			if sk > 0 {
				what = "Redo/skipped"
			}
		case k < 58 && !full:
			what = "RevertAll"
			rv, err := f.RevertAll()
			sk := 0
			for m.pos > 0 {
				_, s, _ := m.undo()
				sk += s
			}
			if err != nil || rv.Skipped.Bytes != int64(sk) {
				t.Fatalf("step %d: RevertAll = %+v, %v; model skipped %d", step, rv, err, sk)
			}
		case k < 63 && !full:
			what = "RevertUnsynced"
			if _, err := f.RevertUnsynced(); err != nil {
				t.Fatalf("step %d: RevertUnsynced: %v", step, err)
			}
			m.revertUnsynced()
		case k < 70 && !full:
			what = "MS_SYNC"
			if _, err := f.Sync(MSSync); err != nil {
				t.Fatalf("step %d: MS_SYNC: %v", step, err)
			}
			m.synced()
			checkDisk(t, step, o, m.data, tmpfs)
		case k < 75:
			what = "MS_ASYNC" // moves nothing
			if _, err := f.Sync(MSAsync); err != nil {
				t.Fatalf("step %d: MS_ASYNC: %v", step, err)
			}
		case k < 85:
			what = "other writer"
			off, n := span(ps)
			b := testenv.Pattern(n, r.Uint64())
			got, err := o.WriteAt(b, int64(off))
			if err != nil && !(full && errors.Is(err, unix.ENOSPC)) {
				t.Fatalf("step %d: pwrite: %v", step, err)
			}
			copy(m.data[off:], b[:got])
			if !tmpfs {
				// The other writer syncs what it wrote, so that after
				// mmhex's MS_SYNC no page of the file may be dirty.
				othersSynced(t, o, off, n)
			}
			if err != nil {
				// A pwrite that failed for want of space may have left a
				// part of a page written: not mmhex's doing, take it.
				o.ReadAt(m.data[off:off+n], int64(off))
			}
		case k < 91 && !full:
			what = "shrink"
			ns := max(ps/2, len(m.data)-r.IntN(4*ps))
			if err := o.Truncate(int64(ns)); err != nil {
				t.Fatal(err)
			}
			m.data = m.data[:ns]
			if !tmpfs {
				othersSynced(t, o, ns, 1) // the partial page the truncate zeroed
			}
			f.Refresh() // as the editor does every tick
		case k < 96 && !full:
			what = "grow"
			ns := min(16*ps, len(m.data)+r.IntN(4*ps))
			if err := o.Truncate(int64(ns)); err != nil {
				t.Fatal(err)
			}
			if !tmpfs {
				othersSynced(t, o, len(m.data), 1)
			}
			m.data = append(m.data, make([]byte, ns-len(m.data))...)
			f.Refresh()
		default:
			if !tmpfs {
				continue
			}
			if full {
				what = "space freed"
				os.Remove(filler)
				full = false
			} else {
				what = "filesystem full"
				os.Remove(filler)
				fillFSQuiet(t, dir, int64(r.IntN(3)))
				full = true
			}
		}
		counts[what]++
		if got := testenv.DiskBytes(t, p); !bytes.Equal(got, m.data) {
			t.Fatalf("step %d (%s): the file differs from the model at byte %d (len %d, model %d)", step, what, firstDiff(got, m.data), len(got), len(m.data))
		}
		// On tmpfs reading a hole through the mapping allocates it: read(2)
		// above sees the same page cache and leaves the holes.
		if f.Size() == int64(len(m.data)) && !tmpfs {
			testenv.MustEqual(t, fmt.Sprintf("step %d (%s): mapping", step, what), readAll(t, f), m.data)
		}
		if got, want := f.UnsyncedEdits(), m.unsynced(); got != want {
			t.Fatalf("step %d (%s): UnsyncedEdits = %d, model %d", step, what, got, want)
		}
	}
	t.Logf("%d steps: %v", steps, counts)
}

func mustHex(s string) int {
	v, err := strconv.ParseInt(s, 16, 64)
	if err != nil {
		panic(err)
	}
	return int(v)
}

// fillFSQuiet fills the filesystem of dir but for keep pages (or as
// near as it gets).
func fillFSQuiet(t *testing.T, dir string, keep int64) {
	ps := int64(os.Getpagesize())
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	free := int64(fs.Bfree) * fs.Bsize / ps
	if free > keep {
		os.WriteFile(filepath.Join(dir, "filler"), make([]byte, (free-keep)*ps), 0o644)
	}
}

// othersSynced writes back and waits for the pages of [off, off+n) that
// another writer (or a truncate) dirtied, as that writer's own fsync would:
// MS_SYNC answers for mmhex's edits, not for them.
func othersSynced(t *testing.T, o *os.File, off, n int) {
	t.Helper()
	ps := os.Getpagesize()
	a := off / ps * ps
	b := (off + n + ps - 1) / ps * ps
	if err := unix.SyncFileRange(int(o.Fd()), int64(a), int64(b-a),
		unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER); err != nil {
		t.Fatalf("sync_file_range: %v", err)
	}
}

// checkDisk compares the file's bytes as read back from the disk with want.
// On a disk it first asserts that no page of the file is dirty or under
// writeback (cachestat): an O_DIRECT read (and POSIX_FADV_DONTNEED) writes
// dirty pages back before it reads, so without that the read-back would
// pass even if MS_SYNC had written nothing. On a tmpfs the page cache is
// the file: read(2) there.
func checkDisk(t *testing.T, step int, o *os.File, want []byte, tmpfs bool) {
	t.Helper()
	if !tmpfs {
		var cs unix.Cachestat_t
		err := unix.Cachestat(uint(o.Fd()), &unix.CachestatRange{}, &cs, 0)
		switch {
		case errors.Is(err, unix.ENOSYS):
			testenv.SkipOrFail(t, "cachestat(2) is missing (Linux < 6.5): cannot tell a written page from a dirty one")
		case err != nil:
			t.Fatalf("cachestat: %v", err)
		case cs.Dirty != 0 || cs.Writeback != 0:
			t.Fatalf("step %d: after MS_SYNC %d pages of the file are still dirty and %d under writeback", step, cs.Dirty, cs.Writeback)
		}
	}
	unix.Fadvise(int(o.Fd()), 0, 0, unix.FADV_DONTNEED)
	var got []byte
	var err error
	if tmpfs {
		got = make([]byte, len(want))
		var n int
		n, err = o.ReadAt(got, 0)
		got = got[:n]
	} else {
		got, err = readDirect(o.Name(), len(want))
	}
	if err != nil && len(got) != len(want) {
		t.Fatalf("step %d: reading back after MS_SYNC: %v", step, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("step %d: after MS_SYNC the disk differs from the model at byte %d", step, firstDiff(got, want))
	}
}

// readDirect reads the first n bytes of path with O_DIRECT (past the page
// cache) into a page-aligned buffer.
func readDirect(path string, n int) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECT, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	ps := os.Getpagesize()
	buf, err := unix.Mmap(-1, 0, (n+ps-1)/ps*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	defer unix.Munmap(buf)
	got := 0
	for got < n {
		r, err := unix.Pread(fd, buf[got:], int64(got))
		if err != nil {
			return nil, err
		}
		if r == 0 {
			break
		}
		got += r
	}
	return append([]byte(nil), buf[:min(got, n)]...), nil
}
