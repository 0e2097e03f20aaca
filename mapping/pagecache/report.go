package pagecache

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// The text and JSON forms of `mmhex stat` and `mmhex stat --watch`. They
// live here, beside the figures, so that main.go only parses flags and
// prints.

// StatReport is what `mmhex stat` prints: the file's size and page size
// and the page-cache figures of the whole file.
type StatReport struct {
	Name     string // as given by the user; printed through display.Name
	Size     int64
	PageSize int64
	PageStats
}

// Report measures the whole file (Stats(f, 0, -1)) for `mmhex stat`.
func Report(f *mapping.File) (StatReport, error) {
	st, err := Stats(f, 0, -1)
	if err != nil {
		return StatReport{}, err
	}
	return StatReport{Name: f.Path(), Size: f.Size(), PageSize: f.PageSize(), PageStats: st}, nil
}

// JSON is one object with exactly the keys size, page_size, pages,
// resident, cached, dirty, writeback, evicted, recently_evicted (numbers;
// null where unknown), without a newline.
func (r StatReport) JSON() []byte {
	b := []byte(`{"size":`)
	b = strconv.AppendInt(b, r.Size, 10)
	b = append(b, `,"page_size":`...)
	b = strconv.AppendInt(b, r.PageSize, 10)
	figs, _ := r.PageStats.MarshalJSON() // never fails
	b = append(b, ',')
	return append(b, figs[1:]...)
}

// WriteText writes the table form: one "name value" line per figure,
// "unknown" where the kernel will not say.
func (r StatReport) WriteText(w io.Writer) error {
	s := fmt.Sprintf("file              %s\n", display.Name(r.Name)) +
		fmt.Sprintf("size              %d (%s)\n", r.Size, display.HumanBytes(r.Size)) +
		fmt.Sprintf("page size         %d\n", r.PageSize) +
		fmt.Sprintf("pages             %d\n", r.Pages)
	for _, kv := range []struct {
		k string
		v int64
	}{{"resident", r.Resident}, {"cached", r.Cached}, {"dirty", r.Dirty}, {"writeback", r.Writeback},
		{"evicted", r.Evicted}, {"recently evicted", r.RecentlyEvicted}} {
		s += fmt.Sprintf("%-17s %s\n", kv.k, FigureString(kv.v))
	}
	_, err := io.WriteString(w, s)
	return err
}

// WatchMincorePages: a watch sample measures resident pages with mincore
// only for files up to this many pages (4 GiB of 4 KiB pages), to keep a
// tick cheap; cachestat covers the whole file at any size.
const WatchMincorePages = 1 << 20

// WatchSample is one tick of `mmhex stat --watch`.
type WatchSample struct {
	Time      time.Time
	Size      int64
	PageSize  int64
	Totals    PageTotals
	System    SystemDirty
	SystemErr error // /proc/meminfo unreadable: the system columns say unknown
}

// Sample is one tick of `mmhex stat --watch`: it re-reads the file's size
// (it may have grown or shrunk), then measures the whole file (Measure
// with one cell) and the system's Dirty/Writeback figures.
func Sample(f *mapping.File) (WatchSample, error) {
	if _, err := f.Refresh(); err != nil {
		return WatchSample{}, err
	}
	size := f.Size()
	m, err := Measure(f, 0, size, PageMapOptions{Cells: 1, MincorePages: WatchMincorePages})
	if err != nil {
		return WatchSample{}, err
	}
	s := WatchSample{Time: time.Now(), Size: size, PageSize: f.PageSize(), Totals: m.Totals}
	s.System, s.SystemErr = ReadSystemDirty()
	return s, nil
}

// WatchHeader is the two lines printed before the table rows.
func WatchHeader(name string, pageSize int64) string {
	return fmt.Sprintf("watching %s (page size %d); Ctrl-C to stop\n", display.Name(name), pageSize) +
		fmt.Sprintf("%-12s %14s %10s %10s %10s %10s %10s %10s %10s %12s %12s\n", "time", "size", "pages", "resident",
			"cached", "dirty", "writeback", "evicted", "recent_ev", "sys_dirty_kB", "sys_wb_kB")
}

// Row is the sample as a table row under WatchHeader, with a newline.
func (s WatchSample) Row() string {
	t := s.Totals
	sd, sw := "unknown", "unknown"
	if s.SystemErr == nil {
		sd, sw = strconv.FormatInt(s.System.Dirty/1024, 10), strconv.FormatInt(s.System.Writeback/1024, 10)
	}
	return fmt.Sprintf("%-12s %14d %10d %10s %10s %10s %10s %10s %10s %12s %12s\n", s.Time.Format("15:04:05.000"), s.Size, t.Pages,
		FigureString(t.Resident), FigureString(t.Cached), FigureString(t.Dirty),
		FigureString(t.Writeback), FigureString(t.Evicted), FigureString(t.RecentlyEvicted), sd, sw)
}

// JSONLine is the sample as one JSON object with a newline: "time"
// (RFC 3339), then the keys of StatReport.JSON (null where unknown).
func (s WatchSample) JSONLine() string {
	t := s.Totals
	b := fmt.Appendf(nil, `{"time":%q,"size":%d,"page_size":%d`, s.Time.Format(time.RFC3339Nano), s.Size, s.PageSize)
	for _, kv := range []struct {
		k string
		v int64
	}{{"pages", t.Pages}, {"resident", t.Resident}, {"cached", t.Cached}, {"dirty", t.Dirty},
		{"writeback", t.Writeback}, {"evicted", t.Evicted}, {"recently_evicted", t.RecentlyEvicted}} {
		b = fmt.Appendf(b, `,%q:`, kv.k)
		b = appendFigure(b, kv.v)
	}
	return string(append(b, "}\n"...))
}
