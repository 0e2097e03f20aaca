package replace

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/display"
	"mmhex/mapping/search"
)

// ErrNoMatch: `mmhex replace` found nothing to replace (exit status 1, as
// search's "no match").
var ErrNoMatch = errors.New("no match")

// ErrCount: --expect-count did not hold; nothing was changed.
var ErrCount = errors.New("refused")

// CommandOptions are `mmhex replace`'s flags.
type CommandOptions struct {
	Off, Len    int64 // the range [Off, Off+Len); Len < 0: to the end
	ExpectCount int64 // > 0: replace only when exactly this many matches exist
	DryRun      bool  // print the offsets that would change, change nothing
}

// CommandResult is what `mmhex replace` did.
type CommandResult struct {
	Matches  int64 // matches found (taken by the rule)
	Replaced int64
	Stale    int64 // left alone: changed by another writer after they were found
	Sync     mapping.SyncResult
}

// Command is `mmhex replace FILE OLD NEW`: it opens path (shared,
// writable), replaces the matches of p in the range with r and syncs every
// changed page with MS_SYNC. With DryRun it opens the file read-only and
// writes to out the offsets a replace would change, in decimal, one a
// line (as `mmhex search` prints them). With ExpectCount it finds every
// match first and changes nothing unless there are exactly that many.
// Errors name the file; ErrNoMatch when nothing matched, ErrCount when
// --expect-count refused.
func Command(path string, p *search.Pattern, r *Replacement, o CommandOptions, out io.Writer) (CommandResult, error) {
	var res CommandResult
	name := display.Name(path)
	if err := Check(p, r); err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	f, err := mapping.Open(path, mapping.Options{ReadOnly: o.DryRun})
	if err != nil {
		return res, err
	}
	defer f.Close()
	if f.Mode() == mapping.ReadOnly && !o.DryRun {
		return res, fmt.Errorf("%s: %w (%s): nothing changed", name, mapping.ErrReadOnly, f.NoticeShort())
	}
	off, end := o.Off, f.Size()
	if off > f.Size() {
		return res, fmt.Errorf("%s: offset %#x is past the end of the file (size %d)", name, off, f.Size())
	}
	if o.Len >= 0 {
		if o.Len > f.Size()-off {
			return res, fmt.Errorf("%s: %d bytes from %#x reach past the end of the file (size %d)", name, o.Len, off, f.Size())
		}
		end = off + o.Len
	}
	ctx := context.Background()
	noMatch := func() error {
		return fmt.Errorf("%s: %w for %s: nothing changed", name, ErrNoMatch, p)
	}
	if o.DryRun || o.ExpectCount > 0 {
		var offs []int64
		w := bufio.NewWriterSize(out, 256<<10)
		var line []byte
		err := Matches(ctx, f, p, off, end, func(x int64) bool {
			res.Matches++
			if o.DryRun && o.ExpectCount <= 0 {
				line = strconv.AppendInt(line[:0], x, 10)
				line = append(line, '\n')
				_, err := w.Write(line)
				return err == nil
			}
			offs = append(offs, x)
			return o.ExpectCount <= 0 || res.Matches <= o.ExpectCount
		})
		if err != nil {
			return res, err
		}
		if o.ExpectCount > 0 && res.Matches != o.ExpectCount {
			more := ""
			if res.Matches > o.ExpectCount {
				more = " or more" // the search stopped at one past the count
			}
			if res.Matches == 0 {
				return res, fmt.Errorf("%s: %w for %s (--expect-count %d): nothing changed", name, ErrNoMatch, p, o.ExpectCount)
			}
			return res, fmt.Errorf("%s: %w: %d%s %s of %s, not %d (--expect-count): nothing changed",
				name, ErrCount, res.Matches, more, plural(res.Matches, "match", "matches"), p, o.ExpectCount)
		}
		if o.DryRun {
			for _, x := range offs {
				line = strconv.AppendInt(line[:0], x, 10)
				line = append(line, '\n')
				w.Write(line)
			}
		}
		if err := w.Flush(); err != nil {
			return res, err
		}
		if res.Matches == 0 {
			return res, noMatch()
		}
		if o.DryRun {
			return res, nil
		}
		wr, err := NewWriter(f, p, r)
		if err != nil {
			return res, err
		}
		wr.Written = startWriteback(f)
		return finish(f, wr, res, wr.Many(offs))
	}
	wr, err := NewWriter(f, p, r)
	if err != nil {
		return res, err
	}
	wr.Written = startWriteback(f)
	err = wr.All(ctx, off, end, nil)
	res.Matches = wr.Replaced + wr.Stale
	if err == nil && res.Matches == 0 {
		return res, noMatch()
	}
	return finish(f, wr, res, err)
}

// startWriteback returns a Writer.Written that starts the kernel writing
// each batch's pages (sync_file_range SYNC_FILE_RANGE_WRITE, which does
// not wait for the disk): the disk works while the next batches are
// replaced, and the MS_SYNC at the end (which alone says the bytes are on
// disk) finds most of them written.
func startWriteback(f *mapping.File) func(lo, hi int64) {
	return func(lo, hi int64) {
		f.WithDescriptor(func(fd int, _ int64) error {
			return unix.SyncFileRange(fd, lo, hi-lo, unix.SYNC_FILE_RANGE_WRITE)
		})
	}
}

// finish syncs what was replaced (MS_SYNC), also after an error part-way:
// the bytes replaced are in the file either way.
func finish(f *mapping.File, wr *Writer, res CommandResult, err error) (CommandResult, error) {
	res.Replaced, res.Stale = wr.Replaced, wr.Stale
	if wr.Replaced > 0 {
		s, serr := f.Sync(mapping.MSSync)
		res.Sync = s
		if err == nil {
			err = serr
		}
	}
	return res, err
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Summary is the line `mmhex replace` prints after a replace.
func (c CommandResult) Summary(path string, p *search.Pattern, r *Replacement) string {
	s := fmt.Sprintf("%s: replaced %d %s of %s with %s; msync(%s) %d %s, %d %s, %s",
		display.Name(path), c.Replaced, plural(c.Replaced, "match", "matches"), p, r,
		c.Sync.Flag, c.Sync.Pages, plural(int64(c.Sync.Pages), "page", "pages"), c.Sync.Bytes, plural(c.Sync.Bytes, "byte", "bytes"), c.Sync.Duration)
	if c.Stale > 0 {
		s += fmt.Sprintf("; %d %s left alone: changed by another writer after they were found", c.Stale, plural(c.Stale, "match", "matches"))
	}
	return s
}
