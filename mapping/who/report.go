package who

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"mmhex/mapping"
	"mmhex/mapping/display"
)

// The text and JSON of `mmhex who`.

// Human is a size in bytes in binary units, cut (not rounded) to two
// decimals: "4 KiB", "1.50 MiB", "0 B".
func Human(n int64) string {
	if n < 0 {
		return "unknown"
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	if n%div == 0 {
		return fmt.Sprintf("%d %ciB", n/div, "KMGTPE"[exp])
	}
	frac := (n % div) / (div / 100)
	if div <= 1<<56 {
		frac = n % div * 100 / div
	}
	return fmt.Sprintf("%d.%02d %ciB", n/div, min(frac, 99), "KMGTPE"[exp])
}

// Device is "fe:00", as /proc/PID/maps shows it.
func (id ID) Device() string { return fmt.Sprintf("%02x:%02x", id.Major(), id.Minor()) }

// Lines is the text of the report, one holder's item a line (no trailing
// newline on the last). With nobody else it says so.
func (r Report) Lines() []string {
	var out []string
	id := fmt.Sprintf("device %s, inode %d", r.ID.Device(), r.ID.Ino)
	n := len(r.Others)
	switch {
	case n == 0 && len(r.OtherLocks) == 0:
		out = append(out, fmt.Sprintf("%s (%s): no other process maps, opens or locks it", r.Name, id))
	default:
		out = append(out, fmt.Sprintf("%s (%s): %d other %s", r.Name, id, n, plural(n, "process", "processes")),
			fmt.Sprintf("%-8s %-16s %s", "PID", "COMMAND", "WHAT"))
	}
	for _, h := range r.Others {
		pre := fmt.Sprintf("%-8d %-16s ", h.PID, h.Command)
		for _, m := range h.Maps {
			out = append(out, pre+m.String())
		}
		for _, d := range h.FDs {
			out = append(out, pre+d.String())
		}
		for _, l := range h.Locks {
			out = append(out, pre+l.String())
		}
	}
	for _, l := range r.OtherLocks {
		pid := "-"
		why := " (an open file description lock: it belongs to no process)"
		if l.PID > 0 {
			pid = fmt.Sprint(l.PID)
			why = " (a process not visible to you)"
		}
		out = append(out, fmt.Sprintf("%-8s %-16s %s%s", pid, "-", l.String(), why))
	}
	if r.NotVisible > 0 {
		out = append(out, fmt.Sprintf("%d %s not visible to you (another user's: their maps and descriptors cannot be read); %s may hold the file too",
			r.NotVisible, plural(r.NotVisible, "process", "processes"), plural(r.NotVisible, "it", "they")))
	}
	return out
}

// String is one mapping: "map  rw-s file 0x0–0x1000 (4 KiB) at
// 0x7f0000000000; Rss 4 KiB, Shared_Dirty 0 B, Private_Dirty 0 B".
func (m Map) String() string {
	return fmt.Sprintf("map   %s file %#x–%#x (%s) at %#x; Rss %s, Shared_Dirty %s, Private_Dirty %s",
		m.Perms, m.Offset, m.FileEnd(), Human(m.Len()), m.Start, Human(m.Rss), Human(m.SharedDirty), Human(m.PrivateDirty))
}

// String is one descriptor: "fd 3  open rw, at 0x0".
func (d FD) String() string {
	pos := ""
	if d.Pos >= 0 {
		pos = fmt.Sprintf(", position %#x", d.Pos)
	}
	return fmt.Sprintf("fd %-3d open %s%s", d.FD, d.Mode(), pos)
}

// String is one lock: "lock  FLOCK ADVISORY WRITE 0x0–EOF".
func (l Lock) String() string {
	w := ""
	if l.Waiting {
		w = " (waiting for it)"
	}
	return fmt.Sprintf("lock  %s %s %s %s%s", l.Kind, l.Mode, l.Type, l.Range(), w)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

type jsonMap struct {
	Start        uint64 `json:"start"`
	End          uint64 `json:"end"`
	Offset       int64  `json:"offset"`
	Length       int64  `json:"length"`
	Perms        string `json:"perms"`
	Rss          *int64 `json:"rss"`
	SharedDirty  *int64 `json:"shared_dirty"`
	PrivateDirty *int64 `json:"private_dirty"`
}

type jsonFD struct {
	FD    int    `json:"fd"`
	Mode  string `json:"mode"`
	Flags *int   `json:"flags"`
	Pos   *int64 `json:"pos"`
}

type jsonLock struct {
	PID     int    `json:"pid"`
	Kind    string `json:"kind"`
	Mode    string `json:"mode"`
	Type    string `json:"type"`
	Start   int64  `json:"start"`
	End     *int64 `json:"end"`
	Waiting bool   `json:"waiting"`
}

type jsonHolder struct {
	PID     int        `json:"pid"`
	Command string     `json:"command"`
	Maps    []jsonMap  `json:"maps"`
	FDs     []jsonFD   `json:"fds"`
	Locks   []jsonLock `json:"locks"`
}

func known(v int64) *int64 {
	if v < 0 {
		return nil
	}
	return &v
}

func lockJSON(l Lock) jsonLock {
	return jsonLock{l.PID, l.Kind, l.Mode, l.Type, l.Start, known(l.End), l.Waiting}
}

// JSON is one object: file, device, inode, size, processes (pid,
// command, maps, fds, locks), other_locks, not_visible, scanned; null for
// figures not known.
func (r Report) JSON() []byte {
	out := struct {
		File       string       `json:"file"`
		Device     string       `json:"device"`
		Inode      uint64       `json:"inode"`
		Size       int64        `json:"size"`
		Processes  []jsonHolder `json:"processes"`
		OtherLocks []jsonLock   `json:"other_locks"`
		NotVisible int          `json:"not_visible"`
		Scanned    int          `json:"scanned"`
	}{File: r.Name, Device: r.ID.Device(), Inode: r.ID.Ino, Size: r.Size, NotVisible: r.NotVisible, Scanned: r.Scanned,
		Processes: []jsonHolder{}, OtherLocks: []jsonLock{}}
	for _, h := range r.Others {
		jh := jsonHolder{PID: h.PID, Command: h.Command, Maps: []jsonMap{}, FDs: []jsonFD{}, Locks: []jsonLock{}}
		for _, m := range h.Maps {
			jh.Maps = append(jh.Maps, jsonMap{m.Start, m.End, m.Offset, m.Len(), m.Perms, known(m.Rss), known(m.SharedDirty), known(m.PrivateDirty)})
		}
		for _, d := range h.FDs {
			var fl *int
			if d.Flags >= 0 {
				v := d.Flags
				fl = &v
			}
			jh.FDs = append(jh.FDs, jsonFD{d.FD, d.Mode(), fl, known(d.Pos)})
		}
		for _, l := range h.Locks {
			jh.Locks = append(jh.Locks, lockJSON(l))
		}
		out.Processes = append(out.Processes, jh)
	}
	for _, l := range r.OtherLocks {
		out.OtherLocks = append(out.OtherLocks, lockJSON(l))
	}
	b, _ := json.Marshal(out) // plain values: never fails
	return b
}

// Write writes the report of `mmhex who` on f to w (text or JSON).
func Write(w io.Writer, f *mapping.File, asJSON bool) error {
	r, err := Holders(f)
	if err != nil {
		return err
	}
	var s string
	if asJSON {
		s = string(r.JSON()) + "\n"
	} else {
		s = strings.Join(r.Lines(), "\n") + "\n"
	}
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("%s: writing: %w", display.Name(f.Path()), err)
	}
	return nil
}
