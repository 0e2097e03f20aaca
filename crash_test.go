package main

// crash_test.go: the durable journal survives SIGKILL. A child (this test
// binary run again, crashChild) edits a file through mapping like the
// editor does, says "ready" and waits; the test kills it with SIGKILL,
// optionally after the kernel wrote the edited pages to disk, and then
// `mmhex recover` (the real binary) puts the original bytes back.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mmhex/mapping"
	"mmhex/mapping/replace"
	"mmhex/mapping/reshape"
	"mmhex/mapping/search"
	"mmhex/mapping/testenv"
)

const crashChildEnv = "MMHEX_TEST_CRASH_CHILD"

// crashChild is the child's side: edit, print "ready", wait to be killed.
func crashChild(action, path string) {
	f, err := mapping.Open(path, mapping.Options{})
	if err != nil {
		fmt.Println(err)
		os.Exit(3)
	}
	ready := func() {
		fmt.Println("ready")
		for { // until SIGKILL (a sleep: select{} alone is a deadlock to the runtime)
			time.Sleep(time.Hour)
		}
	}
	must := func(err error) {
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
	}
	switch action {
	case "typed":
		// Two hex digits a byte, as the editor stores them.
		for i, b := range []byte{0xde, 0xad, 0xbe, 0xef} {
			off := int64(0x1000 + i)
			_, err := f.WriteAt([]byte{b & 0xf0}, off)
			must(err)
			must(f.Amend([]byte{b}, off, []byte{b & 0xf0}))
		}
		_, err := f.WriteAt([]byte("OK"), 5)
		must(err)
		ready()
	case "fill":
		must(f.Fill(0x100, 3000, 0xff))
		_, err := f.WriteAt([]byte{1, 2, 3}, 0x2000)
		must(err)
		ready()
	case "shapes":
		// Insert (with bytes below the block boundary moved), delete,
		// punch, truncate, grow: each journaled; killed before any sync.
		_, err := reshape.Insert(f, 5000, 8192)
		must(err)
		_, err = reshape.Delete(f, 20000, 4096)
		must(err)
		must(reshape.Punch(f, 100, 3000, false))
		must(reshape.Resize(f, f.Size()-1000))
		must(reshape.Resize(f, f.Size()+50000))
		ready()
	case "undo-insert", "undo-delete":
		// Killed in the middle of undoing an insert (after its first
		// store: the bytes moved below the block boundary put back,
		// before the collapse) or a delete (after the INSERT_RANGE, while
		// the removed bytes are stored back).
		if action == "undo-insert" {
			_, err = reshape.Insert(f, 0x1234, 4096)
		} else {
			_, err = reshape.Delete(f, 0x1234, 4096)
		}
		must(err)
		f.SetStoreHook(func(int64) { ready() })
		_, err = f.Undo()
		fmt.Println("the undo ended before it was killed", err)
		os.Exit(3)
	case "grow-big":
		// A disk image grown by 1 TiB of hole (the editor's Alt-S), a
		// byte typed past the old end: killed.
		size := f.Size()
		must(reshape.Resize(f, size+1<<40))
		_, err := f.WriteAt([]byte{0x42}, size+1<<39)
		must(err)
		ready()
	case "mid-insert", "mid-delete":
		// Killed inside the change: an insert after its INSERT_RANGE and
		// the store of the bytes moved back below the block boundary,
		// before their old place is zeroed; a delete after the copy of
		// those bytes over the range, before the COLLAPSE_RANGE.
		f.SetStoreHook(func(int64) { ready() })
		if action == "mid-insert" {
			_, err = reshape.Insert(f, 0x1234, 4096)
		} else {
			_, err = reshape.Delete(f, 0x1234, 4096)
		}
		fmt.Println("the change ended before it was killed", err)
		os.Exit(3)
	case "midfill":
		_, err := f.FillContext(context.Background(), 0, f.Size(), 0xaa, func(done int64) {
			if done >= 4<<20 && done < f.Size() {
				ready()
			}
		})
		must(err)
		fmt.Println("the fill ended before it was killed")
		os.Exit(3)
	case "midreplace":
		// Replace all in batches of 1000 matches, killed in the middle
		// of the second batch's stores: its records are all on disk,
		// half of its matches written.
		p, err := search.ParseText("RPLC", false)
		must(err)
		r, err := replace.Parse("rplc", false)
		must(err)
		w, err := replace.NewWriter(f, p, r)
		must(err)
		w.Batch = 1000
		stores := 0
		f.SetStoreHook(func(int64) {
			if stores++; stores == 1500 {
				ready()
			}
		})
		must(w.All(context.Background(), 0, f.Size(), nil))
		fmt.Println("the replace ended before it was killed")
		os.Exit(3)
	}
	fmt.Println("unknown action", action)
	os.Exit(3)
}

// crash runs the child on path, waits for "ready", lets the kernel write
// the file's dirty pages to disk first when kernelSync is set (checked by
// reading the disk), then kills it with SIGKILL.
func crash(t *testing.T, action, path string, kernelSync bool, edited func(disk []byte) bool) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+action+":"+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	if kernelSync {
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		// sync_file_range then fdatasync from this process: the kernel
		// writes the child's dirty pages (the edits) to disk.
		if err := unix.SyncFileRange(int(fh.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER); err != nil {
			t.Fatal(err)
		}
		if err := unix.Fdatasync(int(fh.Fd())); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if disk := testenv.DiskBytes(t, path); !edited(disk) {
			t.Fatal("the edits are not on disk after the kernel's writeback")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	killed = true
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, not by SIGKILL", err)
	}
}

// recoverAfterCrash: the child's edits are in the file after SIGKILL;
// `mmhex recover FILE` lists them, `--revert` puts the original bytes back
// (compared byte for byte with cmp) and removes the journal.
func recoverAfterCrash(t *testing.T, action string, orig []byte, kernelSync bool, summary string, edited func([]byte) bool) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	path := tempFile(t, "crash.bin", orig)
	keep := tempFile(t, "orig.bin", orig)
	crash(t, action, path, kernelSync, edited)
	if got, _ := os.ReadFile(path); !edited(got) {
		t.Fatal("the child's edits are not in the file")
	}
	r := mmhex(t, "recover", path)
	first, _, _ := strings.Cut(r.stdout, "\n")
	if r.code != 0 || !strings.HasPrefix(first, path+": "+summary+" from a session that ended at ") {
		t.Fatalf("recover: %d %q %q\nwant %s: %s from a session that ended at …", r.code, r.stdout, r.stderr, path, summary)
	}
	r = mmhex(t, "recover", path, "--revert")
	if r.code != 0 || !strings.Contains(r.stdout, "put back and synced; journal removed\n") {
		t.Fatalf("recover --revert: %d %q %q", r.code, r.stdout, r.stderr)
	}
	cmp := testenv.RequireTool(t, "cmp")
	if out, err := exec.Command(cmp, keep, path).CombinedOutput(); err != nil {
		t.Fatalf("cmp after recover --revert: %v\n%s", err, out)
	}
	testenv.MustEqual(t, "on disk", testenv.DiskBytes(t, path), orig)
	if ents, _ := os.ReadDir(filepath.Join(state, "mmhex")); len(ents) != 0 {
		t.Fatalf("journals left: %v", ents)
	}
	if r := mmhex(t, "recover", path); r.stdout != path+": no journal left to recover\n" {
		t.Fatalf("recover again: %q", r.stdout)
	}
}

func TestCrashAfterTypedEdits(t *testing.T) {
	orig := pattern(3 * 4096)
	edited := func(b []byte) bool { return string(b[0x1000:0x1004]) == "\xde\xad\xbe\xef" && string(b[5:7]) == "OK" }
	for _, ks := range []bool{false, true} {
		t.Run(fmt.Sprintf("kernelSync=%v", ks), func(t *testing.T) {
			recoverAfterCrash(t, "typed", orig, ks, "5 edits of 6 bytes", edited)
		})
	}
}

func TestCrashAfterFill(t *testing.T) {
	orig := pattern(3 * 4096)
	edited := func(b []byte) bool { return b[0x100] == 0xff && b[0x100+2999] == 0xff && b[0x2000] == 1 }
	for _, ks := range []bool{false, true} {
		t.Run(fmt.Sprintf("kernelSync=%v", ks), func(t *testing.T) {
			recoverAfterCrash(t, "fill", orig, ks, "2 edits of 3003 bytes", edited)
		})
	}
}

func TestCrashInTheMiddleOfAFill(t *testing.T) {
	orig := pattern(12 << 20)
	clear(orig[5<<20 : 6<<20]) // zeros: a hole in the journal's copy
	edited := func(b []byte) bool { return b[0] == 0xaa && b[4<<20-1] == 0xaa && b[8<<20] != 0xaa }
	for _, ks := range []bool{false, true} {
		t.Run(fmt.Sprintf("kernelSync=%v", ks), func(t *testing.T) {
			// The child stops after the first or the second 4 MiB part.
			state := t.TempDir()
			t.Setenv("XDG_STATE_HOME", state)
			path := tempFile(t, "crash.bin", orig)
			crash(t, "midfill", path, ks, edited)
			r := mmhex(t, "recover", path, "--revert")
			if r.code != 0 || !strings.Contains(r.stdout, "put back and synced; journal removed\n") {
				t.Fatalf("recover --revert: %d %q %q", r.code, r.stdout, r.stderr)
			}
			testenv.MustEqual(t, "after recover --revert", testenv.DiskBytes(t, path), orig)
		})
	}
}

// A replace all killed in the middle of a batch (every record of the
// batch on disk, part of its matches written): `mmhex recover --revert`
// gives the original bytes back (cmp), with or without the kernel having
// written the replaced pages first.
func TestCrashInTheMiddleOfAReplaceAll(t *testing.T) {
	line := bytes.Repeat([]byte("."), 63)
	line = append(line, '\n')
	copy(line[10:], "RPLC")
	orig := bytes.Repeat(line, 3000)
	edited := func(b []byte) bool {
		return bytes.Count(b, []byte("rplc")) == 1500 && bytes.Equal(b[10:14], []byte("rplc")) && bytes.Equal(b[len(b)-54:len(b)-50], []byte("RPLC"))
	}
	for _, ks := range []bool{false, true} {
		t.Run(fmt.Sprintf("kernelSync=%v", ks), func(t *testing.T) {
			state := t.TempDir()
			t.Setenv("XDG_STATE_HOME", state)
			path := tempFile(t, "crash.bin", orig)
			keep := tempFile(t, "orig.bin", orig)
			crash(t, "midreplace", path, ks, edited)
			if got, _ := os.ReadFile(path); !edited(got) {
				t.Fatalf("the child's replace: %d matches replaced, want 1500", bytes.Count(got, []byte("rplc")))
			}
			r := mmhex(t, "recover", path)
			first, _, _ := strings.Cut(r.stdout, "\n")
			if want := path + ": 2000 edits of 8000 bytes from a session that ended at "; r.code != 0 || !strings.HasPrefix(first, want) {
				t.Fatalf("recover: %d %q %q\nwant %s…", r.code, first, r.stderr, want)
			}
			r = mmhex(t, "recover", path, "--revert")
			if r.code != 0 || !strings.Contains(r.stdout, "put back and synced; journal removed\n") {
				t.Fatalf("recover --revert: %d %q %q", r.code, r.stdout, r.stderr)
			}
			cmp := testenv.RequireTool(t, "cmp")
			if out, err := exec.Command(cmp, keep, path).CombinedOutput(); err != nil {
				t.Fatalf("cmp after recover --revert: %v\n%s", err, out)
			}
			testenv.MustEqual(t, "on disk", testenv.DiskBytes(t, path), orig)
			if ents, _ := os.ReadDir(filepath.Join(state, "mmhex")); len(ents) != 0 {
				t.Fatalf("journals left: %v", ents)
			}
		})
	}
}

// A byte another writer changed after the crash is left alone and named;
// a journal left for a file since replaced by another one is refused.
func TestCrashRecoverOtherWriterAndReplaced(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	orig := pattern(3 * 4096)
	path := tempFile(t, "crash.bin", orig)
	crash(t, "typed", path, false, nil)
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteAt([]byte{0x77}, 0x1001) // another writer, after the crash
	fh.Close()
	r := mmhex(t, "recover", path, "--revert")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "\n"+path+": left 1 byte at 0x1001 alone: changed by another writer since the journaled edit\n") {
		t.Fatalf("recover --revert: %d %q %q", r.code, r.stdout, r.stderr)
	}
	want := append([]byte(nil), orig...)
	want[0x1001] = 0x77
	testenv.MustEqual(t, "after recover --revert", testenv.DiskBytes(t, path), want)

	// Replaced: edits kept in a journal, then the file renamed over.
	crash(t, "typed", path, false, nil)
	r = mmhex(t, "recover", path) // what the journal holds, as listed
	summary, _, _ := strings.Cut(strings.TrimPrefix(r.stdout, path+": "), " without syncing (")
	if r.code != 0 || !strings.Contains(summary, " edit") || !strings.Contains(summary, " from a session that ended at ") {
		t.Fatalf("recover: %d %q %q", r.code, r.stdout, r.stderr)
	}
	var before unix.Stat_t
	unix.Stat(path, &before)
	tmp := path + ".new"
	if err := os.WriteFile(tmp, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	var after unix.Stat_t
	unix.Stat(path, &after)
	ents, _ := os.ReadDir(filepath.Join(state, "mmhex"))
	if len(ents) != 1 {
		t.Fatalf("journals: %v", ents)
	}
	jp := filepath.Join(state, "mmhex", ents[0].Name())
	r = mmhex(t, "recover", path, "--revert")
	wantOut := fmt.Sprintf("%s: journal %s is from the file that was at this path before it was replaced by another file (device %d inode %d then, device %d inode %d now): refused\n",
		path, jp, before.Dev, before.Ino, after.Dev, after.Ino)
	wantErr := "mmhex: " + path + ": no journal of this file to recover; 1 refused (see above); mmhex recover " + path + " --discard removes 1 refused journal (its edits are never put back)\n"
	if r.code != 1 || r.stdout != wantOut || r.stderr != wantErr {
		t.Fatalf("recover of a replaced file: %d\n%q\n%q\nwant\n%q\n%q", r.code, r.stdout, r.stderr, wantOut, wantErr)
	}
	testenv.MustEqual(t, "replaced file untouched", testenv.DiskBytes(t, path), orig)
	if _, err := os.Stat(jp); err != nil {
		t.Fatalf("the refused journal was removed: %v", err)
	}
	// --discard removes it, saying what it held (the count, bytes and end
	// time recover listed) and that nothing was put back; the file is
	// untouched; recover then has nothing left to say.
	r = mmhex(t, "recover", path, "--discard")
	wantOut = fmt.Sprintf("%s: discarded journal %s (from the file that was at this path before it was replaced by another file): %s; those bytes were NOT put back\n", path, jp, summary)
	if r.code != 0 || r.stdout != wantOut || r.stderr != "" {
		t.Fatalf("recover --discard: %d\n%q\n%q\nwant\n%q", r.code, r.stdout, r.stderr, wantOut)
	}
	if _, err := os.Stat(jp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the discarded journal is still there: %v", err)
	}
	testenv.MustEqual(t, "replaced file untouched by --discard", testenv.DiskBytes(t, path), orig)
	for _, act := range []string{"--list", "--discard"} {
		r = mmhex(t, "recover", path, act)
		want := path + ": no journal left to recover\n"
		if act == "--discard" {
			want = path + ": no refused journal to discard\n"
		}
		if r.code != 0 || r.stdout != want || r.stderr != "" {
			t.Fatalf("recover %s after --discard: %d %q %q", act, r.code, r.stdout, r.stderr)
		}
	}
}

// Shape changes are journaled too: after SIGKILL, recover --revert undoes
// a grow, a truncate (its cut bytes put back), a punch, a delete
// (INSERT_RANGE and the removed bytes) and an insert (COLLAPSE_RANGE),
// newest first: the original file, byte for byte.
// SIGKILL in the middle of an undo of a shape change (Ctrl-Z of an insert,
// of a delete): the undo's own steps are in the journal, so recover
// --revert still gives the original file.
func TestCrashMidUndoOfShape(t *testing.T) {
	orig := pattern(3*4096 + 100)
	t.Run("insert", func(t *testing.T) {
		// The insert done, the bytes moved back down being undone (both
		// stores of the step journaled ahead, one batch).
		edited := func(b []byte) bool { return len(b) == len(orig)+4096 }
		recoverAfterCrash(t, "undo-insert", orig, false, "4 edits of 4660 bytes", edited)
	})
	t.Run("delete", func(t *testing.T) {
		// The range inserted again, its bytes being stored back.
		edited := func(b []byte) bool { return len(b) == len(orig) }
		recoverAfterCrash(t, "undo-delete", orig, false, "4 edits of 4660 bytes", edited)
	})
}

// SIGKILL in the middle of an insert or a delete with bytes below the
// block boundary (the block move and the stores of one step): recover
// --revert gives the original bytes and size (cmp).
func TestCrashMidShapeChange(t *testing.T) {
	orig := pattern(3*4096 + 100)
	t.Run("insert", func(t *testing.T) {
		edited := func(b []byte) bool {
			return len(b) == len(orig)+4096 && bytes.Equal(b[0x1000:0x1234], orig[0x1000:0x1234]) && bytes.Equal(b[0x2000:0x2234], orig[0x1000:0x1234])
		}
		recoverAfterCrash(t, "mid-insert", orig, false, "2 edits of 4096 bytes", edited)
	})
	t.Run("delete", func(t *testing.T) {
		edited := func(b []byte) bool {
			return len(b) == len(orig) && bytes.Equal(b[0x2000:0x2234], orig[0x1000:0x1234])
		}
		recoverAfterCrash(t, "mid-delete", orig, false, "1 edit of 564 bytes", edited)
		// The same with the kernel's writeback of the edited pages
		// (and the new extents) before the kill.
		recoverAfterCrash(t, "mid-delete", orig, true, "1 edit of 564 bytes", edited)
	})
	t.Run("insert-written-back", func(t *testing.T) {
		edited := func(b []byte) bool { return len(b) == len(orig)+4096 }
		recoverAfterCrash(t, "mid-insert", orig, true, "2 edits of 4096 bytes", edited)
	})
}

// SIGKILL after growing a file by 1 TiB of hole and typing a byte in
// it: recover --revert checks that the grown range holds only zeros
// again by its data (SEEK_DATA), not by reading the terabyte (it read
// every byte of the hole through the mapping: hours), and cuts it off.
func TestCrashAfterGrowingATerabyte(t *testing.T) {
	orig := pattern(20000)
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	path := tempFile(t, "grown.bin", orig)
	crash(t, "grow-big", path, false, nil)
	if fi, err := os.Stat(path); err != nil || fi.Size() != 20000+1<<40 {
		t.Fatalf("after the kill: %v %v", fi, err)
	}
	r := mmhex(t, "recover", path, "--revert")
	if r.code != 0 || !strings.HasPrefix(r.stdout, path+": reverted 2 edits of 1099511627776 bytes from a session that ended at ") {
		t.Fatalf("recover --revert: %d %q %q", r.code, r.stdout, r.stderr)
	}
	testenv.MustEqual(t, "after recover --revert", testenv.DiskBytes(t, path), orig)
}

func TestCrashAfterShapeChanges(t *testing.T) {
	orig := pattern(64 << 10)
	edited := func(b []byte) bool { return len(b) == 64<<10+8192-4096-1000+50000 }
	recoverAfterCrash(t, "shapes", orig, false, "8 edits of 69808 bytes", edited)
}

// --json says the same as the text, --keep removes the journal and keeps
// the bytes, and two of --revert, --keep, --list are refused.
func TestRecoverJSONAndKeep(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	orig := pattern(3 * 4096)
	path := tempFile(t, "crash.bin", orig)
	crash(t, "fill", path, false, nil)
	r := mmhex(t, "recover", path, "--json")
	var rep struct {
		Action string `json:"action"`
		Edits  int    `json:"edits"`
		Bytes  int64  `json:"bytes"`
		List   []struct {
			Kind   string `json:"kind"`
			Offset int64  `json:"offset"`
			Length int64  `json:"length"`
			Fill   *int   `json:"fill"`
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"list"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
		t.Fatalf("recover --json: %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if rep.Action != "list" || rep.Edits != 2 || rep.Bytes != 3003 || len(rep.List) != 2 ||
		rep.List[0].Kind != "store" || rep.List[0].Offset != 0x100 || rep.List[0].Length != 3000 || rep.List[0].Fill == nil || *rep.List[0].Fill != 0xff ||
		rep.List[0].Before != hex.EncodeToString(orig[0x100:0x100+3000]) ||
		rep.List[1].Offset != 0x2000 || rep.List[1].Before != hex.EncodeToString(orig[0x2000:0x2003]) || rep.List[1].After != "010203" {
		t.Fatalf("recover --json: %+v", rep)
	}
	if r := mmhex(t, "recover", path, "--revert", "--keep"); r.code != 2 || r.stderr != "mmhex: "+path+": recover: choose one of --revert, --keep, --list and --discard\n" {
		t.Fatalf("two actions: %d %q", r.code, r.stderr)
	}
	edited, _ := os.ReadFile(path)
	r = mmhex(t, "recover", path, "--keep")
	if !strings.HasPrefix(r.stdout, path+": kept 2 edits of 3003 bytes from a session that ended at ") || !strings.HasSuffix(r.stdout, "; journal removed\n") {
		t.Fatalf("recover --keep: %q %q", r.stdout, r.stderr)
	}
	got, _ := os.ReadFile(path)
	testenv.MustEqual(t, "after --keep", got, edited)
	if js, _ := filepath.Glob(filepath.Join(state, "mmhex", "*.mmj")); len(js) != 0 {
		t.Fatalf("journals left: %v", js)
	}
}

// journalSyncs runs mmhex with args under strace and returns the
// fdatasync calls on a durable journal (*.mmj) and mmhex's stdout.
func journalSyncs(t *testing.T, args ...string) (int, string) {
	t.Helper()
	strace := testenv.RequireTool(t, "strace")
	log := filepath.Join(t.TempDir(), "strace.log")
	cmd := exec.Command(strace, append([]string{"-f", "-y", "-qq", "-e", "signal=none", "-e", "trace=fdatasync", "-o", log, bin}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if strings.Contains(errb.String(), "ptrace") {
			testenv.SkipOrFail(t, "strace cannot trace here: %s", errb.String())
		}
		t.Fatalf("%q under strace: %v\n%s", args, err, errb.String())
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "fdatasync(") && strings.Contains(line, ".mmj>") {
			n++
		}
	}
	return n, out.String()
}

// The writers of many places make their durable-journal records durable
// a batch at a time, not one fdatasync a place (the real binary under
// strace): replace of 20000 matches, patch --from-dump of 10000 runs
// apart, recover --revert of a replace all killed part-way. Each takes
// one fdatasync for the journal's header, one for its batch, one for the
// sync's end (at most five allowed here, where one a place would be
// thousands).
func TestJournalSyncsPerBatch(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	line := []byte("....RPLC.......\n")
	orig := bytes.Repeat(line, 20000)
	path := tempFile(t, "many.bin", orig)
	n, out := journalSyncs(t, "replace", path, "RPLC", "rplc")
	if !strings.Contains(out, ": replaced 20000 matches of \"RPLC\" with \"rplc\"; msync(MS_SYNC) ") || n > 5 {
		t.Fatalf("replace of 20000 matches: %d fdatasyncs of the journal (want at most 5); %q", n, out)
	}

	// Every other line of xxd's dump: 10000 runs of 16 bytes apart.
	xxd := testenv.RequireTool(t, "xxd")
	want := bytes.ReplaceAll(orig, []byte("rplc"), []byte("PLCR"))
	full, err := exec.Command(xxd, tempFile(t, "want.bin", want)).Output()
	if err != nil {
		t.Fatal(err)
	}
	var dump []string
	for i, l := range strings.Split(strings.TrimSuffix(string(full), "\n"), "\n") {
		if i%2 == 0 {
			dump = append(dump, l)
		} else {
			copy(want[16*i:], orig[16*i:16*i+16])
		}
	}
	dp := tempFile(t, "half.xxd", []byte(strings.Join(dump, "\n")+"\n"))
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	n, out = journalSyncs(t, "patch", path, "--from-dump", dp)
	if n > 5 {
		t.Fatalf("patch --from-dump of 10000 runs: %d fdatasyncs of the journal (want at most 5); %q", n, out)
	}
	testenv.MustEqual(t, "after patch --from-dump", testenv.DiskBytes(t, path), want)

	// recover --revert of 2000 journaled stores (a replace all killed
	// in its second batch).
	line = bytes.Repeat([]byte("."), 63)
	line = append(line, '\n')
	copy(line[10:], "RPLC")
	orig = bytes.Repeat(line, 3000)
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	crash(t, "midreplace", path, false, func([]byte) bool { return true })
	n, out = journalSyncs(t, "recover", path, "--revert")
	if !strings.Contains(out, "put back and synced; journal removed\n") || n > 5 {
		t.Fatalf("recover --revert of 2000 stores: %d fdatasyncs of the journal (want at most 5); %q", n, out)
	}
	testenv.MustEqual(t, "after recover --revert", testenv.DiskBytes(t, path), orig)
}
