package view

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/gdamore/tcell/v2/terminfo"
)

// nullTty is a 120×40 terminal that never types and discards what is
// written; Drain (tcell's stop) ends a blocked Read.
type nullTty struct {
	once    sync.Once
	drained chan struct{}
}

func (n *nullTty) Start() error        { return nil }
func (n *nullTty) Stop() error         { return nil }
func (n *nullTty) NotifyResize(func()) {}
func (n *nullTty) WindowSize() (tcell.WindowSize, error) {
	return tcell.WindowSize{Width: 120, Height: 40}, nil
}
func (n *nullTty) Drain() error {
	n.once.Do(func() { close(n.drained) })
	return nil
}
func (n *nullTty) Read(b []byte) (int, error)  { <-n.drained; return 0, io.EOF }
func (n *nullTty) Write(b []byte) (int, error) { return len(b), nil }
func (n *nullTty) Close() error                { return n.Drain() }

// After tcell has let the terminal go (Fini: its cell buffer is emptied,
// its size kept), a redraw (the SIGCONT handler's Sync, a Show) returns
// instead of looping for ever in tcell's draw: with the terminal closed
// (SIGHUP, SIGCONT) mmhex was left spinning, holding the mapping.
func TestTermScreenDrawAfterFiniReturns(t *testing.T) {
	ti, err := terminfo.LookupTerminfo("xterm-256color")
	if err != nil {
		t.Skipf("no terminfo: %v", err)
	}
	s, err := tcell.NewTerminfoScreenFromTtyTerminfo(&nullTty{drained: make(chan struct{})}, ti)
	if err != nil {
		t.Fatal(err)
	}
	ts := newTermScreen(s, nil)
	if err := ts.Init(); err != nil {
		t.Fatal(err)
	}
	ts.SetContent(0, 0, 'x', nil, tcell.StyleDefault)
	ts.Show()
	s.Fini() // tcell's own: the cells go, the size stays
	done := make(chan struct{})
	go func() {
		ts.Sync()
		ts.SetContent(1, 0, 'y', nil, tcell.StyleDefault)
		ts.Show()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Sync or Show after Fini did not return (tcell's draw loops over the emptied cells)")
	}
}
