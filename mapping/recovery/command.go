package recovery

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/wal"
)

// Action is what Command does with the journals found.
type Action string

const (
	List   Action = "list"   // say what was found; change nothing
	Revert Action = "revert" // put the bytes back, sync, remove the journals
	Keep   Action = "keep"   // keep the bytes as they are, remove the journals
	// Discard removes the refused journals (of a file replaced since),
	// putting nothing back; this file's own journals stay.
	Discard Action = "discard"
)

// ErrRefused: the only journals for the path are from a file replaced
// since.
var ErrRefused = errors.New("refused")

type jsonEdit struct {
	Kind   string `json:"kind"`
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
	Fill   *int   `json:"fill,omitempty"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

type jsonSkip struct {
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
	Why    string `json:"why"`
}

type jsonDiscarded struct {
	Journal string `json:"journal"`
	Why     string `json:"why"`
	Edits   int    `json:"edits"`
	Bytes   int64  `json:"bytes"`
	Ended   string `json:"ended"`
}

type jsonReport struct {
	File     string     `json:"file"`
	Action   Action     `json:"action"`
	Journals []string   `json:"journals"`
	Edits    int        `json:"edits"`
	Bytes    int64      `json:"bytes"`
	Ended    string     `json:"ended,omitempty"`
	List     []jsonEdit `json:"list"`
	Restored int64      `json:"restored"`
	Skipped  []jsonSkip `json:"skipped"`
	Refused  []string   `json:"refused"`
	Held     []int      `json:"held"` // pids of running sessions holding a journal of the file
	// Discarded: the refused journals --discard removed (their bytes not
	// put back)
	Discarded []jsonDiscarded `json:"discarded"`
}

// Command is `mmhex recover FILE [--revert|--keep|--list] [--json]`: it
// finds the journals left for path and lists them, reverts their edits
// (then syncs the file and removes them) or removes them, keeping the
// bytes. Text (or JSON with asJSON) goes to w.
func Command(path string, act Action, asJSON bool, w io.Writer) error {
	name := display.Name(path)
	o := mapping.Options{ReadOnly: act != Revert, Write: act == Revert}
	f, err := mapping.Open(path, o)
	if err != nil {
		return err
	}
	defer f.Close()
	if act == Revert {
		if err := f.Writable(); err != nil {
			return err
		}
	}
	fd, err := Find(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer fd.Close()
	rep := jsonReport{File: path, Action: act, Journals: fd.Paths(), Edits: fd.Edits, Bytes: fd.Bytes,
		List: []jsonEdit{}, Skipped: []jsonSkip{}, Refused: fd.Refused, Discarded: []jsonDiscarded{}}
	if rep.Journals == nil {
		rep.Journals = []string{}
	}
	if rep.Refused == nil {
		rep.Refused = []string{}
	}
	rep.Held = append([]int{}, fd.Held...)
	if fd.Any() {
		rep.Ended = fd.Ended.Format(time.RFC3339)
	}
	out := func(format string, a ...any) {
		if !asJSON {
			fmt.Fprintf(w, format, a...)
		}
	}
	if act == Discard {
		return discard(name, fd, rep, asJSON, w)
	}
	for _, r := range fd.Refused {
		out("%s: %s\n", name, display.Line(r))
	}
	if !fd.Any() {
		if len(fd.Refused) > 0 {
			if asJSON {
				writeJSON(w, rep)
			}
			how := ""
			if n := len(fd.RefusedJournals()); n > 0 {
				how = fmt.Sprintf("; mmhex recover %s --discard removes %s (its edits are never put back)", name, plural(int64(n), "refused journal"))
				if n > 1 {
					how = strings.Replace(how, "its edits", "their edits", 1)
				}
			}
			return fmt.Errorf("%s: no journal of this file to recover; %d %w (see above)%s", name, len(fd.Refused), ErrRefused, how)
		}
		held := ""
		if n := len(fd.Held); n > 0 {
			is := "1 is"
			if n > 1 {
				is = fmt.Sprintf("%d are", n)
			}
			pids := make([]string, n)
			for i, p := range fd.Held {
				pids[i] = fmt.Sprint(p)
			}
			held = fmt.Sprintf("; %s held by a running mmhex (pid %s): its edits are that session's to sync or revert", is, strings.Join(pids, ", "))
		}
		out("%s: no journal left to recover%s\n", name, held)
		if asJSON {
			writeJSON(w, rep)
		}
		return nil
	}
	edits, err := fd.List()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, e := range edits {
		je := jsonEdit{Kind: kindName(e.Kind), Offset: e.Off, Length: e.Len}
		if e.Fill {
			b := int(e.FillByte)
			je.Fill = &b
		}
		if e.Before != nil {
			je.Before = hex.EncodeToString(e.Before)
			if !e.Fill {
				je.After = hex.EncodeToString(e.After)
			}
		}
		rep.List = append(rep.List, je)
	}
	switch act {
	case List:
		out("%s: %s (%s)\n", name, fd.Summary(), display.Name(strings.Join(fd.Paths(), ", ")))
		for _, e := range edits {
			out("  %s\n", Describe(e))
		}
	case Keep:
		summary := fd.Summary()
		if err := fd.Keep(f); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		out("%s: kept %s as they are, synced; journal removed\n", name, strings.TrimSuffix(summary, " without syncing"))
	case Revert:
		summary := fd.Summary()
		res, err := fd.Revert(f, nil)
		if err != nil {
			return fmt.Errorf("%s: revert stopped: %w (the journal is kept)", name, err)
		}
		rep.Restored = res.Restored
		for _, s := range res.Skipped {
			rep.Skipped = append(rep.Skipped, jsonSkip{s.Off, s.Len, s.Why})
		}
		if _, err := f.SyncFile(); err != nil { // fdatasync: also a size or blocks put back
			return fmt.Errorf("%s: reverted, but the sync failed: %w (the journal is kept)", name, err)
		}
		if err := fd.Drop(); err != nil {
			return fmt.Errorf("%s: reverted and synced, but %w", name, err)
		}
		out("%s: reverted %s: %s put back and synced; journal removed\n", name, summary, plural(res.Restored, "byte"))
		for _, s := range res.Skipped {
			out("%s: left %s alone: %s\n", name, describeRange(s.Off, s.Len), s.Why)
		}
	}
	if asJSON {
		writeJSON(w, rep)
	}
	return nil
}

// discard is Command's Discard: the refused journals removed, each named
// with what it held and that nothing was put back; the file's own
// journals (and those a running mmhex holds) stay.
func discard(name string, fd *Found, rep jsonReport, asJSON bool, w io.Writer) error {
	out := func(format string, a ...any) {
		if !asJSON {
			fmt.Fprintf(w, format, a...)
		}
	}
	gone, err := fd.Discard(nil)
	for _, d := range gone {
		rep.Discarded = append(rep.Discarded, jsonDiscarded{Journal: d.Path, Why: d.Why, Edits: d.Edits, Bytes: d.Bytes, Ended: d.Ended.Format(time.RFC3339)})
		out("%s: discarded journal %s (%s): %s; those bytes were NOT put back\n", name, display.Name(d.Path), d.Why, d.Summary())
	}
	if err != nil {
		return fmt.Errorf("%s: %w (the journals not removed are kept)", name, err)
	}
	if len(gone) == 0 {
		out("%s: no refused journal to discard\n", name)
	}
	if fd.Any() {
		out("%s: this file's own journal stays (%s): mmhex recover %s --revert or --keep decides it\n", name, fd.Summary(), name)
	}
	if asJSON {
		writeJSON(w, rep)
	}
	return nil
}

func writeJSON(w io.Writer, rep jsonReport) {
	b, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Fprintf(w, "%s\n", b)
}

func describeRange(off, n int64) string {
	return fmt.Sprintf("%s at %#x", plural(n, "byte"), off)
}

// Describe says what one edit did, in one line: "2 bytes at 0x10: 41 42 →
// 58 59", "1048576 bytes at 0x0: filled with 00 (were 1048576 bytes)".
func Describe(e Edit) string {
	switch e.Kind {
	case wal.Grow:
		return fmt.Sprintf("grew from %d bytes by %s (a hole)", e.Off, plural(e.Len, "byte"))
	case wal.Truncate:
		return fmt.Sprintf("truncated to %d bytes, cutting %s", e.Off, plural(e.Len, "byte"))
	case wal.Insert:
		return fmt.Sprintf("inserted %s at %#x", plural(e.Len, "byte"), e.Off)
	case wal.Collapse:
		return fmt.Sprintf("deleted %s at %#x", plural(e.Len, "byte"), e.Off)
	}
	s := describeRange(e.Off, e.Len)
	short := func(b []byte) string {
		if len(b) > 16 {
			return fmt.Sprintf("% x …", b[:16])
		}
		return fmt.Sprintf("% x", b)
	}
	switch {
	case e.Fill && e.Before != nil:
		return fmt.Sprintf("%s: filled with %02x (were %s)", s, e.FillByte, short(e.Before))
	case e.Fill:
		return fmt.Sprintf("%s: filled with %02x", s, e.FillByte)
	case e.Before != nil:
		return fmt.Sprintf("%s: %s → %s", s, short(e.Before), short(e.After))
	}
	return s
}
