// Package recovery finds the durable journals (mapping/wal) an mmhex left
// for a file when it ended without syncing (killed, a dropped connection,
// a crash, or a quit that kept the edits) and reverts their edits or
// drops them. It reads and writes the file only through *mapping.File:
// the bytes it puts back are edits of the session that recovers, in that
// session's own journal, so a crash during recovery is recoverable too.
//
// The rule of the reliability contract holds: a byte is put back only
// where it still holds what the journaled store wrote; bytes another
// writer changed since are left alone and named.
package recovery

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/spanset"
	"mmhex/mapping/wal"
)

// Found is what was left for one file.
type Found struct {
	journals []*wal.Journal
	Edits    int       // edits not known to be on disk (stores of the same range one after the other count once)
	Bytes    int64     // bytes they cover (each byte once)
	Ended    time.Time // when the last of those sessions last wrote its journal
	Torn     bool      // a journal ended in a torn record (ignored: its store never happened)
	// Refused: journals left for this path by a file that was replaced
	// since (another device and inode, or the same inode number reused
	// by a new file): never applied.
	Refused []string
	// Held: the process ids of the running mmhex sessions that hold a
	// journal of this file (their edits are theirs: never recovered).
	Held []int

	// refused: the refused journals that could be read, locked (so none a
	// running mmhex holds) until Discard or Close.
	refused     []refusedJournal
	refusedDesc []Discarded // RefusedJournals, counted once (a dialog draws it each frame)
}

type refusedJournal struct {
	j   *wal.Journal
	why string // short: whose journal it is
}

// Why a journal is refused, as Discarded.Why says it.
const (
	WhyReplaced   = "from the file that was at this path before it was replaced by another file"
	WhyInodeReuse = "from another file that had the same inode number"
	WhyOtherPath  = "naming another path, with no birth time to tell the files apart"
)

// Find looks for journals left for f: those of its device and inode, and
// those naming its path for another file (refused). Call Close or Drop.
func Find(f *mapping.File) (*Found, error) {
	h := f.JournalHeader()
	js, bad, err := wal.Find(h.Dev, h.Ino)
	if err != nil {
		return nil, err
	}
	fd := &Found{}
	for _, err := range bad {
		if iu := (*wal.InUse)(nil); errors.As(err, &iu) {
			fd.Held = append(fd.Held, iu.PID)
			continue
		}
		fd.Refused = append(fd.Refused, err.Error()+": not applied")
	}
	for _, j := range js {
		if j.Path == f.JournalPath() {
			j.Close()
			continue
		}
		if j.Header.Btime == 0 || h.Btime == 0 {
			if j.Header.Path != h.Path { // no birth time to tell: the path must agree
				fd.Refused = append(fd.Refused, fmt.Sprintf("journal %s names %s, not this path, and the filesystem keeps no birth time to tell the files apart: refused", j.Path, display.Name(j.Header.Path)))
				fd.refused = append(fd.refused, refusedJournal{j, WhyOtherPath})
				continue
			}
		} else if j.Header.Btime != h.Btime {
			fd.Refused = append(fd.Refused, fmt.Sprintf("journal %s is from another file that had the same inode number (created %s; this one was created %s): refused",
				j.Path, stamp(time.Unix(0, j.Header.Btime)), stamp(time.Unix(0, h.Btime))))
			fd.refused = append(fd.refused, refusedJournal{j, WhyInodeReuse})
			continue
		}
		fd.journals = append(fd.journals, j)
	}
	others, err := wal.FindByPath(h.Path, h.Dev, h.Ino)
	if err != nil {
		fd.Close()
		return nil, err
	}
	for _, j := range others {
		fd.Refused = append(fd.Refused, fmt.Sprintf("journal %s is from the file that was at this path before it was replaced by another file (device %d inode %d then, device %d inode %d now): refused",
			j.Path, j.Header.Dev, j.Header.Ino, h.Dev, h.Ino))
		fd.refused = append(fd.refused, refusedJournal{j, WhyReplaced})
	}
	fd.Edits, fd.Bytes, fd.Ended = count(fd.journals)
	for _, j := range fd.journals {
		fd.Torn = fd.Torn || j.Torn
	}
	return fd, nil
}

// count is the edits in js (as the editor counts them: groups), the bytes
// they cover (each once) and when the last of them was written.
func count(js []*wal.Journal) (edits int, bytes int64, ended time.Time) {
	var cover spans
	for _, j := range js {
		edits += len(groups(j.Records))
		for _, r := range j.Records {
			cover.add(r.Off, r.Off+r.N)
		}
		if j.Ended.After(ended) {
			ended = j.Ended
		}
	}
	return edits, cover.total(), ended
}

// Discarded is a refused journal: what it held, and why it is refused.
type Discarded struct {
	Path  string
	Edits int
	Bytes int64
	Ended time.Time
	Why   string // WhyReplaced, WhyInodeReuse or WhyOtherPath
}

// Summary is "3 edits of 5 bytes from a session that ended at 14:02".
func (d Discarded) Summary() string {
	return fmt.Sprintf("%s of %s from a session that ended at %s", plural(int64(d.Edits), "edit"), plural(d.Bytes, "byte"), stamp(d.Ended))
}

// RefusedJournals describes the refused journals Discard would remove
// (those a running mmhex holds are not among them).
func (fd *Found) RefusedJournals() []Discarded {
	if len(fd.refusedDesc) != len(fd.refused) {
		fd.refusedDesc = nil
		for _, r := range fd.refused {
			n, b, end := count([]*wal.Journal{r.j})
			fd.refusedDesc = append(fd.refusedDesc, Discarded{Path: r.j.Path, Edits: n, Bytes: b, Ended: end, Why: r.why})
		}
	}
	return fd.refusedDesc
}

// Discard removes the refused journals for which which is true (nil: all
// of them), putting nothing back: their edits can never be applied to
// this file, and without this they stay (every recover of the path says
// so). It removes only journals it holds locked: never one a running
// mmhex holds. It returns those removed; on an error, those removed
// before it (the others are kept).
func (fd *Found) Discard(which func(Discarded) bool) ([]Discarded, error) {
	desc := fd.RefusedJournals()
	var gone []Discarded
	var kept []refusedJournal
	var err error
	for i, r := range fd.refused {
		if err != nil || which != nil && !which(desc[i]) {
			kept = append(kept, r)
			continue
		}
		if err = r.j.Remove(); err == nil {
			gone = append(gone, desc[i])
		}
	}
	fd.refused, fd.refusedDesc = kept, nil
	return gone, err
}

// Any reports whether a journal with edits, or one without (left by a
// session that had nothing unsynced), was found.
func (fd *Found) Any() bool { return len(fd.journals) > 0 }

// Paths returns the journals' paths.
func (fd *Found) Paths() []string {
	var out []string
	for _, j := range fd.journals {
		out = append(out, j.Path)
	}
	return out
}

func stamp(t time.Time) string {
	if y, m, d := t.Date(); y == time.Now().Year() && m == time.Now().Month() && d == time.Now().Day() {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

func plural(n int64, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// Summary says what was found in one line: "3 edits of 5 bytes from a
// session that ended at 14:02 without syncing" ("from 2 sessions that
// ended by 14:02" for more).
func (fd *Found) Summary() string {
	s := "a session that ended at"
	if len(fd.journals) > 1 {
		s = fmt.Sprintf("%d sessions that ended by", len(fd.journals))
	}
	return fmt.Sprintf("%s of %s from %s %s without syncing", plural(int64(fd.Edits), "edit"), plural(fd.Bytes, "byte"), s, stamp(fd.Ended))
}

// Edit is one journaled store, as listed.
type Edit struct {
	Kind     byte // wal.Store, or a shape change (wal.Grow, Truncate, Insert, Collapse)
	Off, Len int64
	Fill     bool
	FillByte byte
	Before   []byte // nil when Len > 64 KiB
	After    []byte // nil when Len > 64 KiB
}

// groups splits records into edits: a run of records of the same range
// one after the other is one edit (the two hex digits of a typed byte, a
// byte typed again), and so is a run of fills of the same byte each
// starting where the one before ended (a large fill, journaled 4 MiB part
// by part), as the editor counts them.
func groups(rs []wal.Record) [][2]int {
	var out [][2]int
	for i, r := range rs {
		if k := len(out); k > 0 && r.Kind == wal.Store && rs[i-1].Kind == wal.Store {
			p := rs[i-1]
			if p.Off == r.Off && p.N == r.N || fillPart(p, r) {
				out[k-1][1] = i + 1
				continue
			}
		}
		out = append(out, [2]int{i, i + 1})
	}
	return out
}

// fillPart: r is the part of a fill after p.
func fillPart(p, r wal.Record) bool {
	return p.Fill && r.Fill && p.FillByte == r.FillByte && r.Off == p.Off+p.N
}

// List returns the edits, oldest first: for each, the bytes before its
// first store and after its last.
func (fd *Found) List() ([]Edit, error) {
	var out []Edit
	for _, j := range fd.journals {
		for _, g := range groups(j.Records) {
			first, last := j.Records[g[0]], j.Records[g[1]-1]
			e := Edit{Off: first.Off, Len: first.N, Fill: last.Fill, FillByte: last.FillByte, Kind: first.Kind}
			if first.Kind != wal.Store {
				out = append(out, e)
				continue
			}
			if last.Off != first.Off { // the parts of a fill
				e.Len = last.Off + last.N - first.Off
				out = append(out, e)
				continue
			}
			if first.N <= 64<<10 {
				e.Before, e.After = make([]byte, first.N), make([]byte, first.N)
				if err := j.Before(first, 0, e.Before); err != nil {
					return nil, err
				}
				if err := j.After(last, 0, e.After); err != nil {
					return nil, err
				}
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// Skip is a range revert left alone, and why.
type Skip struct {
	Off, Len int64
	Why      string
}

// Result is what Revert did.
type Result struct {
	Stores   int   // journaled stores gone through
	Restored int64 // bytes stored back (each once; the runs stored may hold bytes that were back already)
	Skipped  []Skip
}

// SkippedBytes counts the bytes left alone.
func (r Result) SkippedBytes() int64 {
	var n int64
	for _, s := range r.Skipped {
		n += s.Len
	}
	return n
}

func (r *Result) skip(off, n int64, why string) {
	if k := len(r.Skipped); k > 0 && r.Skipped[k-1].Off == off+n && r.Skipped[k-1].Why == why {
		r.Skipped[k-1].Off, r.Skipped[k-1].Len = off, r.Skipped[k-1].Len+n
		return
	}
	if k := len(r.Skipped); k > 0 && r.Skipped[k-1].Off+r.Skipped[k-1].Len == off && r.Skipped[k-1].Why == why {
		r.Skipped[k-1].Len += n
		return
	}
	r.Skipped = append(r.Skipped, Skip{off, n, why})
}

// WhyChanged is why revert leaves bytes alone that hold neither what a
// journaled store wrote nor what it replaced.
const WhyChanged = "changed by another writer since the journaled edit"

// Revert puts back, newest first, the bytes each journaled store replaced,
// where the file still holds what the store wrote (f must be opened for
// writing). Bytes still holding the old value are already back; bytes
// holding anything else were changed by another writer and are left alone
// (Result.Skipped), as are bytes past the end of a file that shrank. The
// bytes put back are edits of f, unsynced: the caller syncs (and then
// Drops the journals). progress, when not nil, is called after each store
// with the journaled stores done and their number.
func (fd *Found) Revert(f *mapping.File, progress func(done, total int)) (res Result, err error) {
	const chunk = 64 << 10
	cur, bef, aft := make([]byte, chunk), make([]byte, chunk), make([]byte, chunk)
	var put spans // the ranges stored (each byte counted once)
	defer func() { res.Restored += put.total() }()
	// The bytes to put back are gathered and stored in batches
	// (mapping.Group.WriteSpans: one fdatasync of this session's journal
	// a batch, where a store a run would take one each: a replace all
	// killed part-way leaves a million records); a batch is stored before
	// a range it holds is read again, and before a shape change.
	g := f.Group()
	var pend []mapping.Span
	var pendSet spanset.Set
	var pendBytes int64
	flush := func() error {
		if len(pend) == 0 {
			return nil
		}
		slices.SortFunc(pend, func(a, b mapping.Span) int { return cmp.Compare(a.Off, b.Off) })
		_, err := g.WriteSpans(pend)
		pend, pendBytes = pend[:0], 0
		pendSet.Clear()
		return err
	}
	defer func() {
		if ferr := flush(); err == nil {
			err = ferr
		}
	}()
	total := 0
	for _, j := range fd.journals {
		total += len(j.Records)
	}
	// judged: the bytes a store record newer than the one being gone
	// through covers (its revert, or its skip, says what happened to
	// them); a cover record judges only the others.
	var judged, named spanset.Set
	shapeLeft := false
	for ji := len(fd.journals) - 1; ji >= 0; ji-- {
		j := fd.journals[ji]
		ci := len(j.Covers) - 1
		for ri := len(j.Records) - 1; ri >= -1; ri-- {
			// The cover records newer than this record (all that are
			// left, after the oldest record), newest first.
			for ; ci >= 0 && (ri < 0 || j.Covers[ci].Seq > j.Records[ri].Seq); ci-- {
				if shapeLeft {
					continue // its offsets are not the file's now
				}
				if c := j.Covers[ci]; pendSet.Overlaps(c.Off, c.Off+c.N) {
					if err := flush(); err != nil {
						return res, err
					}
				}
				if err := checkCover(f, j, j.Covers[ci], &judged, &res); err != nil {
					return res, err
				}
			}
			if ri < 0 {
				break
			}
			r := j.Records[ri]
			size := f.Size()
			if r.Kind == wal.Store {
				judged.Add(r.Off, r.Off+r.N)
			} else {
				// offsets before a shape change are others
				judged.Clear()
				named.Clear()
			}
			if r.Kind != wal.Store {
				if err := flush(); err != nil {
					return res, err
				}
				skips := len(res.Skipped)
				if err := revertShape(f, j, r, &res); err != nil {
					return res, err
				}
				// A shape change left alone: the older covers'
				// offsets are not the file's (the older stores are
				// still checked byte by byte, as before).
				shapeLeft = shapeLeft || len(res.Skipped) > skips
				res.Stores++
				if progress != nil {
					progress(res.Stores, total)
				}
				continue
			}
			for done := int64(0); done < r.N; {
				pos := r.Off + done
				if pos >= size {
					res.skip(pos, r.N-done, fmt.Sprintf("past the end of the file, which is %d bytes now", size))
					break
				}
				c := min(chunk, r.N-done, size-pos)
				if pendSet.Overlaps(pos, pos+c) || len(pend) >= 1<<16 || pendBytes >= 16<<20 {
					if err := flush(); err != nil {
						return res, err
					}
				}
				got, err := f.ReadAt(cur[:c], pos)
				if got < int(c) {
					if err == nil {
						err = errors.New("short read")
					}
					return res, err
				}
				if err := j.Before(r, done, bef[:c]); err != nil {
					return res, err
				}
				if err := j.After(r, done, aft[:c]); err != nil {
					return res, err
				}
				for k := int64(0); k < c; {
					m := k + 1
					switch {
					case cur[k] == bef[k]: // already the old value (or never stored)
						for m < c && cur[m] == bef[m] {
							m++
						}
					case cur[k] == aft[k]:
						// The run goes on over bytes that hold the old
						// value already (storing it again changes nothing).
						for m < c && (cur[m] == aft[m] || cur[m] == bef[m]) {
							m++
						}
						pend = append(pend, mapping.Span{Off: pos + k, Data: append([]byte(nil), bef[k:m]...)})
						pendSet.Add(pos+k, pos+m)
						pendBytes += m - k
						put.add(pos+k, pos+m)
					default:
						for m < c && cur[m] != aft[m] && cur[m] != bef[m] {
							m++
						}
						// named once (the two hex digits of a
						// byte are two records of it)
						if !named.Covers(pos+k, pos+m) {
							res.skip(pos+k, m-k, WhyChanged)
							named.Add(pos+k, pos+m)
						}
					}
					k = m
				}
				done += c
			}
			res.Stores++
			if progress != nil {
				progress(res.Stores, total)
			}
		}
	}
	return res, nil
}

// WhyAhead is why revert leaves alone bytes that differ from a cover
// record (bytes journaled ahead of a burst of typing) where no surviving
// record of a store explains the change.
const WhyAhead = "differs from the bytes journaled before a burst of typing, and no journaled edit of this session explains it (another writer, or typed bytes whose records a system crash kept from the disk)"

// checkCover goes through a cover record: the bytes [c.Off, c.Off+c.N)
// as they were before a burst of typed keys. It stores nothing (a cover
// is no edit, and its bytes need not all have been typed over). The
// bytes it covers that no newer store record judged should still hold
// what it holds; those that do not are left alone and named (WhyAhead):
// after a kill of mmhex every typed byte has its record, so this names
// only another writer's bytes, or, after a system crash, typed bytes
// whose records (written, not synced: the cover was) did not reach the
// disk.
func checkCover(f *mapping.File, j *wal.Journal, c wal.Record, judged *spanset.Set, res *Result) error {
	size := f.Size()
	n := min(c.N, size-c.Off)
	if n <= 0 {
		return nil
	}
	cur, old := make([]byte, n), make([]byte, n)
	if got, err := f.ReadAt(cur, c.Off); got < int(n) {
		if err == nil {
			err = errors.New("short read")
		}
		return err
	}
	if err := j.Before(c, 0, old); err != nil {
		return err
	}
	for k := int64(0); k < n; {
		if cur[k] == old[k] || judged.Has(c.Off+k) {
			k++
			continue
		}
		m := k + 1
		for m < n && cur[m] != old[m] && !judged.Has(c.Off+m) {
			m++
		}
		res.skip(c.Off+k, m-k, WhyAhead)
		k = m
	}
	return nil
}

// revertShape undoes one shape change, when the file's size is still the
// one the change left (else another change came after it, or it never
// happened: it is left alone and named).
func revertShape(f *mapping.File, j *wal.Journal, r wal.Record, res *Result) error {
	size := f.Size()
	want := r.Aux
	if size != want {
		res.skip(r.Off, r.N, fmt.Sprintf("%s: the size is %d, not the %d it made", kindName(r.Kind), size, want))
		return nil
	}
	// zeros: [off, off+n) reads as zeros. Only its data is read (its
	// holes are zeros): a grow of a terabyte is a hole, read in no time.
	zeros := func(off, n int64) (bool, error) {
		z := true
		err := f.Scan(off, off+n, mapping.ScanOptions{SkipHoles: true}, func(_ int64, b []byte) bool {
			if !allZeroBytes(b) {
				z = false
			}
			return z
		})
		return z, err
	}
	putBack := func(off int64) error { // the payload (removed bytes) at off
		buf := make([]byte, min(r.N, 1<<20))
		for i := int64(0); i < r.N; {
			if z := j.BeforeZerosUntil(r, i); z > i { // a hole: zeros there already
				i = z
				continue
			}
			c := min(int64(len(buf)), r.N-i)
			if err := j.Before(r, i, buf[:c]); err != nil {
				return err
			}
			if z, _ := allZero(buf[:c]); !z {
				if _, err := f.WriteAt(buf[:c], off+i); err != nil {
					return err
				}
			}
			i += c
		}
		return nil
	}
	var put spans
	switch r.Kind {
	case wal.Grow, wal.Insert:
		z, err := zeros(r.Off, r.N)
		if err != nil {
			return err
		}
		if !z {
			res.skip(r.Off, r.N, kindName(r.Kind)+": "+WhyChanged)
			return nil
		}
		if r.Kind == wal.Grow {
			return f.Resize(r.Off)
		}
		return f.CollapseRange(r.Off, r.N)
	case wal.Truncate:
		if err := f.Resize(r.Off + r.N); err != nil {
			return err
		}
		put.add(r.Off, r.Off+r.N)
		res.Restored += put.total()
		return putBack(r.Off)
	case wal.Collapse:
		if err := f.InsertRange(r.Off, r.N); err != nil {
			return err
		}
		res.Restored += r.N
		return putBack(r.Off)
	}
	return fmt.Errorf("journal %s: record kind %q unknown", j.Path, r.Kind)
}

func allZeroBytes(b []byte) bool {
	z, _ := allZero(b)
	return z
}

func allZero(b []byte) (bool, error) {
	for _, x := range b {
		if x != 0 {
			return false, nil
		}
	}
	return true, nil
}

func kindName(k byte) string {
	switch k {
	case wal.Grow:
		return "grow"
	case wal.Truncate:
		return "truncate"
	case wal.Insert:
		return "insert"
	case wal.Collapse:
		return "delete"
	}
	return "store"
}

// Drop deletes the journals (after a revert that was synced, or to keep
// the edits as they are).
func (fd *Found) Drop() error {
	var first error
	for _, j := range fd.journals {
		if err := j.Remove(); err != nil && first == nil {
			first = err
		}
	}
	fd.journals = nil
	return first
}

// Keep keeps the journaled edits as they are: the file's bytes are made
// durable (fdatasync through f, which may be open read-only) and then the
// journals are removed. Without the sync, a power loss before the
// kernel's writeback would leave some kept edits on disk and some not,
// with no journal left to tell.
func (fd *Found) Keep(f *mapping.File) error {
	if err := f.WithDescriptor(func(d int, _ int64) error { return unix.Fdatasync(d) }); err != nil {
		return fmt.Errorf("fdatasync: %w; the journal is kept", err)
	}
	return fd.Drop()
}

// Close lets go of the journals (the refused ones too) and keeps them.
func (fd *Found) Close() {
	for _, j := range fd.journals {
		j.Close()
	}
	for _, r := range fd.refused {
		r.j.Close()
	}
	fd.journals, fd.refused, fd.refusedDesc = nil, nil, nil
}

// spans is a small union of ranges (for counting the bytes edited).
type spans struct{ s [][2]int64 }

func (u *spans) add(a, b int64) {
	u.s = append(u.s, [2]int64{a, b})
}

func (u *spans) total() int64 {
	s := u.s
	slices.SortFunc(s, func(x, y [2]int64) int { return cmp.Compare(x[0], y[0]) })
	var n, end int64 = 0, -1
	for _, r := range s {
		a := max(r[0], end)
		if r[1] > a {
			n += r[1] - a
		}
		end = max(end, r[1])
	}
	return n
}
