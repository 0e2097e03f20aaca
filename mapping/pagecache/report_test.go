package pagecache

import (
	"errors"
	"strings"
	"testing"
	"time"

	"mmhex/mapping/display"
)

func TestStatReportForms(t *testing.T) {
	r := StatReport{Name: "a\x1b[2Jb", Size: 8 << 30, PageSize: 4096, PageStats: PageStats{
		Pages: 2097152, Resident: 3, Cached: Unknown, Dirty: 0, Writeback: Unknown, Evicted: 7, RecentlyEvicted: Unknown}}
	if got, want := string(r.JSON()), `{"size":8589934592,"page_size":4096,"pages":2097152,"resident":3,"cached":null,"dirty":0,"writeback":null,"evicted":7,"recently_evicted":null}`; got != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "file              " + display.Name(r.Name) + "\n" +
		"size              8589934592 (8.00 GiB)\n" +
		"page size         4096\n" +
		"pages             2097152\n" +
		"resident          3\n" +
		"cached            unknown\n" +
		"dirty             0\n" +
		"writeback         unknown\n" +
		"evicted           7\n" +
		"recently evicted  unknown\n"
	if b.String() != want {
		t.Errorf("text\n got %q\nwant %q", b.String(), want)
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Error("the escape sequence in the name reached the output")
	}
}

func TestWatchSampleForms(t *testing.T) {
	s := WatchSample{Time: time.Date(2026, 1, 2, 3, 4, 5, 600e6, time.UTC), Size: 32768, PageSize: 4096,
		Totals: PageTotals{Pages: 8, Resident: 1, Cached: Unknown, Dirty: 1, Writeback: 0, Evicted: Unknown, RecentlyEvicted: 2},
		System: SystemDirty{Dirty: 2048 * 1024, Writeback: 0}}
	if got, want := s.JSONLine(), `{"time":"2026-01-02T03:04:05.6Z","size":32768,"page_size":4096,"pages":8,"resident":1,"cached":null,"dirty":1,"writeback":0,"evicted":null,"recently_evicted":2}`+"\n"; got != want {
		t.Errorf("JSONLine\n got %s\nwant %s", got, want)
	}
	if got, want := strings.Fields(s.Row()), strings.Fields("03:04:05.600 32768 8 1 unknown 1 0 unknown 2 2048 0"); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Row %q, want fields %q", s.Row(), want)
	}
	s.SystemErr = errors.New("no /proc")
	if f := strings.Fields(s.Row()); f[9] != "unknown" || f[10] != "unknown" {
		t.Errorf("Row without /proc/meminfo: %q", s.Row())
	}
	h := WatchHeader("x\x1by", 4096)
	if strings.Contains(h, "\x1b") || !strings.HasPrefix(h, "watching "+display.Name("x\x1by")+" (page size 4096); Ctrl-C to stop\n") {
		t.Errorf("header %q", h)
	}
}
