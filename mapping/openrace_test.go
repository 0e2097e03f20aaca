package mapping

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestOpenSwapRace: while another goroutine keeps swapping the name between
// a symlink to a regular file and a symlink to a FIFO (and, as root, to a
// character device made with mknod: /dev/null's numbers), Open never opens
// the FIFO or the device at all (inotify sees no IN_OPEN or IN_CLOSE_WRITE
// on them), and every Open either maps the regular file or says what the name
// led to. Open used to stat the name, then open it O_RDWR, then check.
func TestOpenSwapRace(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "reg")
	content := []byte("regular file content\n")
	if err := os.WriteFile(reg, content, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o666); err != nil {
		t.Fatal(err)
	}
	victims := []string{fifo}
	if os.Geteuid() == 0 { // a device too, where the folder allows devices
		dev := filepath.Join(dir, "null")
		if err := unix.Mknod(dev, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
			t.Logf("mknod %s: %v; the FIFO only", dev, err)
		} else if fh, err := os.OpenFile(dev, os.O_RDWR, 0); err != nil {
			t.Logf("the test folder does not allow devices (nodev?): %v; the FIFO only", err)
		} else {
			fh.Close()
			victims = append(victims, dev)
		}
	}
	in, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(in)
	for _, v := range victims {
		if _, err := unix.InotifyAddWatch(in, v, unix.IN_OPEN|unix.IN_CLOSE_WRITE); err != nil {
			t.Fatal(err)
		}
	}

	name := filepath.Join(dir, "name")
	tmp := filepath.Join(dir, "tmp")
	if err := os.Symlink(reg, name); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			target := reg
			if i%2 == 1 {
				target = victims[(i/2)%len(victims)]
			}
			os.Remove(tmp)
			if err := os.Symlink(target, tmp); err != nil {
				t.Error(err)
				return
			}
			if err := os.Rename(tmp, name); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var opened, refused int
	for i := 0; i < 20000; i++ {
		f, err := Open(name, Options{})
		if err != nil {
			if !errors.Is(err, ErrFIFO) && !errors.Is(err, ErrCharDevice) && !errors.Is(err, ErrReplaced) {
				// the O_PATH open saw the FIFO or device, or the name changed in between
				t.Errorf("Open: unexpected error %v", err)
			}
			refused++
			continue
		}
		opened++
		var st unix.Stat_t
		if err := unix.Fstat(f.fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			t.Errorf("Open returned a file of mode %o (%v)", st.Mode, err)
		}
		if f.Mode() != Shared {
			t.Errorf("mode %v, want shared", f.Mode())
		}
		got := make([]byte, len(content)+1)
		n, _ := f.ReadAt(got, 0)
		if !bytes.Equal(got[:n], content) {
			t.Errorf("read %q, want %q", got[:n], content)
		}
		f.Close()
	}
	close(stop)
	wg.Wait()
	t.Logf("%d opened, %d refused", opened, refused)
	if opened == 0 || refused == 0 {
		t.Logf("the swap never met an open (%d opened, %d refused)", opened, refused)
	}
	buf := make([]byte, 4096)
	n, err := unix.Read(in, buf)
	if err != nil && err != unix.EAGAIN {
		t.Fatal(err)
	}
	for off := 0; off+unix.SizeofInotifyEvent <= n; {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
		t.Errorf("a FIFO or device behind the name was opened (inotify mask %#x on watch %d)", ev.Mask, ev.Wd)
		off += unix.SizeofInotifyEvent + int(ev.Len)
	}
}
