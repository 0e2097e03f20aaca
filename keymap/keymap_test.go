package keymap

import (
	"testing"

	"github.com/gdamore/tcell/v2"
)

func TestFromEventNormalises(t *testing.T) {
	ctrlG := MustKey("Ctrl-G")
	tests := []struct {
		name string
		ev   *tcell.EventKey
		want string
	}{
		{"KeyCtrlG tcell>=2.10 (71) no mod", tcell.NewEventKey(tcell.KeyCtrlG, 0, tcell.ModNone), "Ctrl-G"},
		{"KeyCtrlG with ModCtrl", tcell.NewEventKey(tcell.KeyCtrlG, 0, tcell.ModCtrl), "Ctrl-G"},
		{"old code 7 (BEL) no mod", tcell.NewEventKey(tcell.Key(7), 0, tcell.ModNone), "Ctrl-G"},
		{"old code 7 with ModCtrl", tcell.NewEventKey(tcell.Key(7), 0, tcell.ModCtrl), "Ctrl-G"},
		{"rune g with ModCtrl", tcell.NewEventKey(tcell.KeyRune, 'g', tcell.ModCtrl), "Ctrl-G"},
		{"rune G with ModCtrl|Shift", tcell.NewEventKey(tcell.KeyRune, 'G', tcell.ModCtrl|tcell.ModShift), "Ctrl-G"},
		{"rune 0x07", tcell.NewEventKey(tcell.KeyRune, 7, tcell.ModNone), "Ctrl-G"},
		{"KeyCtrlA is 65", tcell.NewEventKey(tcell.Key(65), 0, tcell.ModCtrl), "Ctrl-A"},
		{"KeyCtrlZ is 90", tcell.NewEventKey(tcell.Key(90), 0, tcell.ModNone), "Ctrl-Z"},
		{"Tab", tcell.NewEventKey(tcell.KeyTab, 0, tcell.ModNone), "Tab"},
		{"Ctrl-I is Tab", tcell.NewEventKey(tcell.KeyCtrlI, 0, tcell.ModCtrl), "Tab"},
		{"rune i ModCtrl is Tab", tcell.NewEventKey(tcell.KeyRune, 'i', tcell.ModCtrl), "Tab"},
		{"Shift-Tab", tcell.NewEventKey(tcell.KeyTab, 0, tcell.ModShift), "Backtab"},
		{"Backtab", tcell.NewEventKey(tcell.KeyBacktab, 0, tcell.ModNone), "Backtab"},
		{"Backspace", tcell.NewEventKey(tcell.KeyBackspace, 0, tcell.ModNone), "Backspace"},
		{"Backspace2 (DEL)", tcell.NewEventKey(tcell.KeyBackspace2, 0, tcell.ModNone), "Backspace"},
		{"Ctrl-H is Backspace", tcell.NewEventKey(tcell.KeyCtrlH, 0, tcell.ModCtrl), "Backspace"},
		{"Enter", tcell.NewEventKey(tcell.KeyEnter, 0, tcell.ModNone), "Enter"},
		{"Ctrl-M is Enter", tcell.NewEventKey(tcell.KeyCtrlM, 0, tcell.ModCtrl), "Enter"},
		{"Esc", tcell.NewEventKey(tcell.KeyEsc, 0, tcell.ModNone), "Esc"},
		{"Ctrl-[ is Esc", tcell.NewEventKey(tcell.KeyCtrlLeftSq, 0, tcell.ModCtrl), "Esc"},
		{"Ctrl-J (LF)", tcell.NewEventKey(tcell.Key(10), 0, tcell.ModNone), "Ctrl-J"},
		{"Ctrl-Space (NUL)", tcell.NewEventKey(tcell.KeyCtrlSpace, 0, tcell.ModCtrl), "Ctrl-Space"},
		{"Ctrl-Space old code 0", tcell.NewEventKey(tcell.KeyNUL, 0, tcell.ModNone), "Ctrl-Space"},
		{"Ctrl-_", tcell.NewEventKey(tcell.KeyCtrlUnderscore, 0, tcell.ModCtrl), "Ctrl-_"},
		{"Ctrl-_ old code 31", tcell.NewEventKey(tcell.KeyUS, 0, tcell.ModNone), "Ctrl-_"},
		{"Ctrl-/ (kitty)", tcell.NewEventKey(tcell.KeyRune, '/', tcell.ModCtrl), "Ctrl-_"},
		{"plain g", tcell.NewEventKey(tcell.KeyRune, 'g', tcell.ModNone), "g"},
		{"plain G (Shift dropped)", tcell.NewEventKey(tcell.KeyRune, 'G', tcell.ModShift), "G"},
		{"Alt-x", tcell.NewEventKey(tcell.KeyRune, 'x', tcell.ModAlt), "Alt-x"},
		{"Meta-x is Alt-x", tcell.NewEventKey(tcell.KeyRune, 'x', tcell.ModMeta), "Alt-x"},
		{"AltGr @ (Ctrl+Alt)", tcell.NewEventKey(tcell.KeyRune, '@', tcell.ModCtrl|tcell.ModAlt), "@"},
		{"Space", tcell.NewEventKey(tcell.KeyRune, ' ', tcell.ModNone), "Space"},
		{"F1", tcell.NewEventKey(tcell.KeyF1, 0, tcell.ModNone), "F1"},
		{"Shift-F3", tcell.NewEventKey(tcell.KeyF3, 0, tcell.ModShift), "Shift-F3"},
		{"PgDn", tcell.NewEventKey(tcell.KeyPgDn, 0, tcell.ModNone), "PgDn"},
		{"Ctrl-Right", tcell.NewEventKey(tcell.KeyRight, 0, tcell.ModCtrl), "Ctrl-Right"},
		{"Alt-Ctrl-G", tcell.NewEventKey(tcell.KeyRune, 'g', tcell.ModCtrl|tcell.ModAlt), "Ctrl-Alt-G"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := FromEvent(tc.ev)
			if got := k.String(); got != tc.want {
				t.Fatalf("FromEvent(%v) = %q, want %q", tc.ev.Name(), got, tc.want)
			}
			p, err := ParseKey(tc.want)
			if err != nil {
				t.Fatalf("ParseKey(%q): %v", tc.want, err)
			}
			if p != k {
				t.Fatalf("ParseKey(%q) = %#v, FromEvent gave %#v", tc.want, p, k)
			}
			if back := FromEvent(k.Event()); back != k {
				t.Fatalf("FromEvent(%q.Event()) = %q", k, back)
			}
		})
	}
	if FromEvent(tcell.NewEventKey(tcell.KeyCtrlG, 0, tcell.ModNone)) != ctrlG {
		t.Fatal("Ctrl-G differs")
	}
}

func TestParseKeyNames(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ctrl-g", "Ctrl-G"}, {"C-g", "Ctrl-G"}, {"^G", "Ctrl-G"}, {"Ctrl+G", "Ctrl-G"}, {"CTRL-g", "Ctrl-G"},
		{"M-x", "Alt-x"}, {"alt-X", "Alt-X"}, {"Meta-x", "Alt-x"},
		{"space", "Space"}, {"escape", "Esc"}, {"return", "Enter"}, {"pagedown", "PgDn"}, {"pgup", "PgUp"},
		{"del", "Delete"}, {"f12", "F12"}, {"Shift-a", "A"}, {"Shift-Tab", "Backtab"}, {"Ctrl-i", "Tab"},
		{"-", "-"}, {"+", "+"}, {"Ctrl--", "Ctrl-_"}, {"Alt--", "Alt--"}, {"$", "$"}, {"é", "é"},
	}
	for _, tc := range tests {
		k, err := ParseKey(tc.in)
		if err != nil {
			t.Errorf("ParseKey(%q): %v", tc.in, err)
			continue
		}
		if k.String() != tc.want {
			t.Errorf("ParseKey(%q) = %q, want %q", tc.in, k.String(), tc.want)
		}
	}
	bad := []struct{ in, err string }{
		{"", `bad key name: empty key name`},
		{"Hyper-x", `bad key name "Hyper-x": unknown modifier "Hyper"`},
		{"Foo", `bad key name "Foo"`},
		{"Ctrl-", `bad key name "Ctrl-"`},
		{"F65", `bad key name "F65"`},
		// Raw: the caller's output (display.Line, view's drawText) shows
		// a control as '.'; only '"' and '\\' are escaped.
		{"\x1b", "bad key name \"\x1b\""},
		{"Ctrl-\x1b[2J", "bad key name \"Ctrl-\x1b[2J\""},
		{"\u009b-x", "bad key name \"\u009b-x\": unknown modifier \"\u009b\""},
		{`Foo"\`, `bad key name "Foo\"\\"`},
	}
	for _, tc := range bad {
		_, err := ParseKey(tc.in)
		if err == nil || err.Error() != tc.err {
			t.Errorf("ParseKey(%q) error = %v, want %q", tc.in, err, tc.err)
		}
	}
}
