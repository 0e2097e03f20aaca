// Command mmhex is a terminal hex viewer and editor that memory-maps the
// file it shows, and a set of scriptable subcommands.
//
// main.go is thin: flag parsing, subcommand dispatch, exit codes and
// one-line errors. To add a subcommand, add one entry to the commands table
// below and one function cmdNAME(args, stdout, stderr) error.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"mmhex/keymap"
	"mmhex/keymap/cmddoc"
	"mmhex/mapping"
	"mmhex/mapping/bookmarks"
	"mmhex/mapping/compare"
	"mmhex/mapping/display"
	"mmhex/mapping/dumppatch"
	"mmhex/mapping/extents"
	"mmhex/mapping/ksy"
	"mmhex/mapping/pagecache"
	"mmhex/mapping/recovery"
	"mmhex/mapping/replace"
	"mmhex/mapping/reshape"
	"mmhex/mapping/search"
	"mmhex/mapping/shape"
	"mmhex/mapping/stream"
	"mmhex/mapping/who"
	"mmhex/view"
	"mmhex/view/features"
	"mmhex/view/hexfmt"
)

// command is one subcommand. name "" is the default command: it runs when
// the first argument is not a command name (the interactive editor,
// `mmhex FILE`).
type command struct {
	name    string
	usage   string // arguments, e.g. "FILE OFFSET [LENGTH]"
	summary string // one line for --help
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands is the dispatch table. Keep it sorted by name; the default
// command (name "") first.
var commands = []command{
	{"", editUsage, "the interactive editor (--demo: on a demo file made in a temporary folder); with OTHER: the two files compared side by side", cmdEdit},
	{"cat", catUsage, "write LENGTH bytes (default: to the end) from OFFSET to standard output, through a mapping; --as: as text (c = xxd -i FILE, xxd-i, base64 = base64 -w 0, hex, hex-spaces, go, python, rust, escaped)", cmdCat},
	{"completion", "bash|zsh|fish", "print the shell completion script (subcommands, flags, file names, --keys/--format/--color values); source <(mmhex completion bash)", cmdCompletion},
	{"decode", decodeUsage, "decode a structure with a Kaitai Struct .ksy format (built in, from $XDG_CONFIG_HOME/mmhex/formats, or --format FILE.ksy; detected by magic bytes or extension): the tree, --json, or one field with --path", cmdDecode},
	{"delete", "FILE OFFSET LENGTH", "delete LENGTH bytes at OFFSET in place: FALLOC_FL_COLLAPSE_RANGE moves the blocks after it (ext4, xfs; LENGTH a multiple of the block size), journaled, then fdatasync", cmdShape("delete", 2)},
	{"diff", diffUsage, "positional compare (byte i of A against byte i of B): the differing ranges, OFFSET LENGTH in hex, and a total; --bytes: what cmp -l prints; exit 0 same, 1 different, 2 trouble", cmdDiff},
	{"dump", dumpUsage, "hex dump through the mapping: canonical (= hexdump -C), xxd, or plain (= xxd -p); coloured by byte class", cmdDump},
	{"entropy", entropyUsage, "Shannon entropy (bits per byte, 0-8) of each block (default 64 KiB): OFFSET ENTROPY lines, or --json with the hole flag and byte class; holes are not read", cmdEntropy},
	{"extents", "FILE [--json]", "data and hole ranges (SEEK_DATA/SEEK_HOLE) and the physical extents (FIEMAP: logical, physical, length, flags), as filefrag -v", cmdExtents},
	{"hash", hashUsage, "CRC-32, MD5, SHA-1, SHA-256 or SHA-512 of the file (as sha256sum prints it) or of a range; holes are not read", cmdHash},
	{"insert", "FILE OFFSET LENGTH", "insert LENGTH zero bytes at OFFSET in place: FALLOC_FL_INSERT_RANGE moves the blocks after it (ext4, xfs; LENGTH a multiple of the block size), journaled, then fdatasync", cmdShape("insert", 2)},
	{"keys", keysUsage, "print the active key bindings; configuration problems on standard error (exit 1); --markdown: docs/keys.md", cmdKeys},
	{"marks", "FILE [--json] [--adopt|--forget]", "the marks kept for the file across sessions (set in the editor): letter, offset in hex and decimal, note; exit 1 when none, 2 when they belong to a file this one replaced (--adopt applies those to this file, --forget drops them)", cmdMarks},
	{"patch", patchUsage, "store bytes through a shared mapping and msync them (MS_SYNC; --async: MS_ASYNC, a no-op on Linux, not waited for); --from-dump: the bytes of an xxd or hexdump -C dump, or of a diff of two dumps (its old side checked first)", cmdPatch},
	{"punch", "FILE OFFSET LENGTH [--zero]", "punch a hole (FALLOC_FL_PUNCH_HOLE: the range reads as zeros and its blocks are freed; --zero: FALLOC_FL_ZERO_RANGE keeps them), journaled, then fdatasync", cmdShape("punch", 2)},
	{"recover", recoverUsage, "the edits a session left unsynced when it ended (killed, crashed, or quit keeping them): list them (default), revert them (then sync), or keep them; the journal is removed after --revert or --keep", cmdRecover},
	{"replace", replaceUsage, "replace every match (non-overlapping, left to right) with bytes of the same length, in place, then msync(MS_SYNC); exit 1 when none, 2 on trouble", cmdReplace},
	{"resize", "FILE SIZE", "set the file's size: growing adds a hole, truncating journals the bytes cut (at most 256 MiB), then fdatasync", cmdShape("resize", 1)},
	{"search", searchUsage, "print the offset of every match (overlapping included) in decimal, one a line; exit 1 when none, 2 on trouble", cmdSearch},
	{"stat", "FILE [--json] [--watch]", "size, pages and page-cache figures (resident, cached, dirty, writeback, evicted); --watch: once a second until Ctrl-C", cmdStat},
	{"strings", stringsUsage, "print the printable strings, byte for byte as GNU strings -a with the same -n, -t and -e", cmdStrings},
	{"who", "FILE [--json]", "the other processes that map (with Rss and dirty figures), open or lock the file, matched by device and inode, as lsof/fuser", cmdWho},
	{"version", "", "the module version, the commit it was built from and the Go version (also: mmhex --version)", cmdVersion},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ error }

// troubleError is any other failure of a command whose status 1 means
// something else (search: no match, as in grep): exit status 2.
type troubleError struct{ error }

// exitStatus ends a command with this status and no message (diff: 1
// when the files differ, as cmp).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// run dispatches args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		if len(args) == 0 && findCommand("") == nil {
			printHelp(stderr)
			return 2
		}
		if len(args) > 0 {
			printHelp(stdout)
			return 0
		}
	}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = append([]string{"version"}, args[1:]...)
	}
	name, rest := "", args
	if len(args) > 0 {
		if c := findCommand(args[0]); c != nil && args[0] != "" {
			name, rest = args[0], args[1:]
		}
	}
	c := findCommand(name)
	if c == nil {
		fmt.Fprintf(stderr, "mmhex: unknown command %s (run mmhex --help)\n", display.Name(args[0]))
		return 2
	}
	err := c.run(rest, stdout, stderr)
	var status exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &status):
		return int(status)
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "usage: mmhex %s\n", strings.TrimSpace(c.name+" "+c.usage))
		return 0
	}
	fmt.Fprintf(stderr, "mmhex: %s\n", oneLine(err.Error()))
	var ue usageError
	var te troubleError
	if errors.As(err, &ue) || errors.As(err, &te) {
		return 2
	}
	return 1
}

func findCommand(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// helpNotes end --help and the man page's COMMANDS section.
var helpNotes = []string{
	"Offsets and lengths: decimal, 0x hex, k/M/G/T binary suffixes (4k = 4096).\nFlags may come before or after the other arguments; -- ends the flags.",
	"dump, search, strings, hash, entropy and diff (one side) read standard input when FILE is -\nor is left out on a pipe: streamed once, front to back (a pipe cannot be mapped), the same output as for a file.",
}

// about is what mmhex is (README's opening; the man page's DESCRIPTION).
var about = []string{
	"mmhex is a terminal hex viewer and editor for Linux that memory-maps the file it shows. " +
		"Edits are stores into a MAP_SHARED mapping (no write()), a save is an msync of exactly the pages you edited, " +
		"and the tool shows what the kernel does with the file's pages: resident, dirty, writeback, evicted.",
	"Every error is one line that names the file, with a non-zero exit status, and changes nothing on disk.",
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "mmhex: a hex viewer and editor that memory-maps the file it shows")
	fmt.Fprintln(w, "\nusage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  mmhex %s\n      %s\n", strings.TrimSpace(c.name+" "+c.usage), c.summary)
	}
	for _, n := range helpNotes {
		fmt.Fprintf(w, "\n%s\n", n)
	}
}

// commandTable returns commands; set in init, because cmdCompletion, in
// the table, reads the table (an initialisation cycle otherwise).
var commandTable func() []command

func init() { commandTable = func() []command { return commands } }

// flagSink, when set, receives the FlagSet a command parses with, and
// parseArgs returns flag.ErrHelp at once (describe).
var flagSink func(*flag.FlagSet)

// flagValues are the choices of the flags that have a fixed set, for the
// completion scripts, by "COMMAND FLAG" (the editor's COMMAND is "").
var flagValues = map[string][]string{
	" keys":       keymap.Presets,
	" theme":      keymap.Themes,
	"keys keys":   keymap.Presets,
	"dump format": hexfmt.FormatNames(),
	"dump color":  hexfmt.ColorModeNames(),
}

// describe is the command table as keymap/cmddoc reads it (man page,
// completion): each command's flags come from the FlagSet its cmdNAME
// parses with, obtained by running it with flagSink set (it returns
// before doing anything).
func describe() []cmddoc.Command {
	var out []cmddoc.Command
	for _, c := range commandTable() {
		var fs *flag.FlagSet
		flagSink = func(f *flag.FlagSet) { fs = f }
		c.run(nil, io.Discard, io.Discard)
		flagSink = nil
		d := cmddoc.Command{Name: c.name, Usage: c.usage, Summary: c.summary}
		// the positional arguments: the usage without its [--flag ...] groups
		positional := regexp.MustCompile(`\[-[^\]]*\]`).ReplaceAllString(c.usage, "")
		d.Files = strings.Contains(positional, "FILE")
		if c.name == "completion" {
			d.Values = cmddoc.Shells
		}
		if fs != nil {
			fs.VisitAll(func(f *flag.Flag) {
				arg, usage := flag.UnquoteUsage(f)
				d.Flags = append(d.Flags, cmddoc.Flag{Name: f.Name, Arg: flagArg(c.usage, f.Name, arg), Usage: usage, Values: flagValues[c.name+" "+f.Name]})
			})
		}
		out = append(out, d)
	}
	return out
}

// flagArg names a flag's argument: the name in backquotes in its usage
// (flag.UnquoteUsage), else the word after it in the command's usage line
// ("[-s OFFSET]"), else N for a number and VALUE for the rest; "" for a
// boolean flag.
func flagArg(usage, name, arg string) string {
	if arg == "" || strings.ToUpper(arg) == arg {
		return arg
	}
	if m := regexp.MustCompile(`(?:^|[\s\[|])--?` + regexp.QuoteMeta(name) + `[ =]([A-Z][A-Z0-9_]*)`).FindStringSubmatch(usage); m != nil {
		return m[1]
	}
	if strings.HasPrefix(arg, "int") || strings.HasPrefix(arg, "uint") {
		return "N"
	}
	return "VALUE"
}

// cmdCompletion prints the completion script of a shell.
func cmdCompletion(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("completion", flag.ContinueOnError)
	pos, err := parseNeed(fs, args, "bash|zsh|fish", 1, 1)
	if err != nil {
		return err
	}
	script, ok := cmddoc.Completion(pos[0], describe())
	if !ok {
		return usageError{fmt.Errorf("completion: unknown shell %s (bash, zsh or fish)", display.Quote(pos[0]))}
	}
	_, err = io.WriteString(stdout, script)
	return err
}

// oneLine keeps an error message on one line and terminal-safe: names are
// already display.Name'd, but some messages (the flag package's) quote
// arguments raw.
func oneLine(s string) string { return display.Line(s) }

// parseArgs parses the flags of fs wherever they appear in args (before,
// between or after the positional arguments) and returns the positional
// arguments in order. "--" ends the flags: everything after it is
// positional. A lone "-" is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	if flagSink != nil { // describe: the command's flags, nothing done
		flagSink(fs)
		return nil, flag.ErrHelp
	}
	all := args
	var pos []string
	for {
		// A negative number ("-1", "-0x10") where a flag could start is a
		// positional argument, so the command can say what is wrong with
		// it (an offset must not be negative) instead of "flag provided
		// but not defined". No flag name starts with a digit.
		for len(args) > 0 && negativeNumber(args[0]) {
			pos = append(pos, args[0])
			args = args[1:]
		}
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			if fs.Name() != "" {
				err = fmt.Errorf("%s: %w", fs.Name(), err)
			} // the editor: "mmhex: flag provided …", its name not repeated
			if file, ok := flagErrorFile(fs, all); ok {
				name := display.Name(file)
				switch fs.Name() {
				case "dump", "search", "strings", "hash", "entropy", "diff": // "-" is standard input
					name = inputName(file)
				}
				err = fmt.Errorf("%s: %w", name, err)
			}
			return nil, usageError{err}
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagErrorFile is the FILE of a command line whose flags did not parse,
// for the one line of the error to name it as the other bad-input lines
// do: the first positional argument of args (a flag's value is skipped
// when the flag is defined and not boolean; an unknown flag is taken to
// have none), for the commands whose first positional argument is a FILE
// (not completion, keys, version; search only with PATTERN after it).
func flagErrorFile(fs *flag.FlagSet, args []string) (string, bool) {
	switch fs.Name() {
	case "completion", "keys", "version":
		return "", false
	}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || negativeNumber(a) {
			pos = append(pos, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
				i++ // its value
			}
		}
	}
	min := 1
	if fs.Name() == "search" {
		min = 2
	}
	if len(pos) < min {
		return "", false
	}
	return pos[0], true
}

// negativeNumber: s is "-" followed by a digit.
func negativeNumber(s string) bool {
	return len(s) >= 2 && s[0] == '-' && s[1] >= '0' && s[1] <= '9'
}

// parseNeed is parseArgs, then needArgs with the flag set's name: the
// positional arguments of a command whose usage line is usage.
func parseNeed(fs *flag.FlagSet, args []string, usage string, min, max int) ([]string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if err := needArgs(fs.Name(), usage, pos, min, max); err != nil {
		return nil, err
	}
	return pos, nil
}

// needArgs checks the number of positional arguments.
func needArgs(name, usage string, pos []string, min, max int) error {
	if len(pos) < min || len(pos) > max {
		return usageError{fmt.Errorf("usage: mmhex %s (mmhex --help for more)", strings.TrimSpace(name+" "+usage))}
	}
	return nil
}

// stdinName is what messages call standard input.
const stdinName = "standard input"

// isStdin: the FILE argument "-" is standard input (./- is a file named -).
func isStdin(arg string) bool { return arg == "-" }

// inputName is how messages name a FILE argument: display.Name, or
// "standard input" for "-".
func inputName(arg string) string {
	if isStdin(arg) {
		return stdinName
	}
	return display.Name(arg)
}

// withStdin is the one input rule of the commands that read a pipe (dump,
// search): when FILE, the first of need positional arguments, was left out
// and standard input is a pipe, a socket or a redirected file
// (`producer | mmhex dump`, `mmhex dump < f`), it puts "-" first. A
// terminal or /dev/null on standard input leaves pos as it is (the usage
// line follows). Such a command then reads os.Stdin, streamed, when
// isStdin(pos[0]): a pipe cannot be mapped.
func withStdin(pos []string, need int) []string {
	if len(pos) != need-1 {
		return pos
	}
	fi, err := os.Stdin.Stat()
	if err != nil {
		return pos
	}
	if m := fi.Mode(); m&(os.ModeNamedPipe|os.ModeSocket) != 0 || m.IsRegular() {
		return append([]string{"-"}, pos...)
	}
	return pos
}

// copyStdin writes up to n bytes of standard input (n < 0: all of it) to
// dst, a megabyte at a time, for the stream forms of the engines. A read
// error names standard input; a write error is returned as it is.
func copyStdin(dst io.Writer, n int64) error {
	var r io.Reader = os.Stdin
	if n >= 0 {
		r = io.LimitReader(r, n)
	}
	buf := make([]byte, 1<<20)
	for {
		k, err := r.Read(buf)
		if k > 0 {
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: reading: %w", stdinName, err)
		}
	}
}

// stdinRemains is what remains to read of standard input when it is a
// regular file (cmp counts it in the width of its offsets), or -1.
func stdinRemains() int64 {
	fi, err := os.Stdin.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	cur, err := os.Stdin.Seek(0, io.SeekCurrent)
	if err != nil {
		return -1
	}
	return max(0, fi.Size()-cur)
}

// parseNumber parses an offset or length argument for file.
func parseNumber(file, what, s string) (int64, error) {
	if negativeNumber(strings.TrimSpace(s)) {
		return 0, usageError{fmt.Errorf("%s: %s must not be negative: %s", display.Name(file), what, display.Line(s))}
	}
	v, err := mapping.ParseSize(s)
	if err != nil {
		return 0, usageError{fmt.Errorf("%s: %s: %w", display.Name(file), what, err)}
	}
	return v, nil
}

const catUsage = "FILE OFFSET [LENGTH] [--as c|xxd-i|base64|hex|hex-spaces|go|python|rust|escaped]"

func cmdCat(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cat", flag.ContinueOnError)
	as := fs.String("as", "", "write the bytes as text in this format")
	pos, err := parseNeed(fs, args, catUsage, 2, 3)
	if err != nil {
		return err
	}
	off, err := parseNumber(pos[0], "offset", pos[1])
	if err != nil {
		return err
	}
	n := int64(-1)
	if len(pos) == 3 {
		if n, err = parseNumber(pos[0], "length", pos[2]); err != nil {
			return err
		}
	}
	var format hexfmt.CopyFormat
	if *as != "" {
		if format, err = hexfmt.ParseCopyFormat(*as); err != nil {
			return usageError{fmt.Errorf("cat: --as: %w", err)}
		}
	}
	f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer f.Close()
	if format == "" {
		if off == f.Size() {
			return nil // nothing from the end on, as dd skip=SIZE: not an error
		}
		_, err = f.CopyTo(stdout, off, n)
		return err
	}
	// the text goes out as the bytes are read (hexfmt.CopyWriter)
	size := f.Size()
	if off > size {
		_, err = f.CopyTo(io.Discard, off, n) // the one error text for it
		return err
	}
	if n < 0 || n > size-off {
		n = size - off
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	cw := hexfmt.NewCopyWriter(w, format, pos[0], n)
	if n > 0 {
		if _, err = f.CopyTo(cw, off, n); err != nil {
			return err
		}
	}
	if err = cw.Close(); err == nil {
		err = w.Flush()
	}
	if errors.Is(err, syscall.EPIPE) {
		return nil
	}
	return err
}

const patchUsage = "FILE OFFSET HEXBYTES [--expect HEXBYTES] [--async] | FILE --from-dump DUMP [--async]"

func cmdPatch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("patch", flag.ContinueOnError)
	expect := fs.String("expect", "", "refuse unless the current bytes equal these `HEXBYTES`")
	async := fs.Bool("async", false, "msync with MS_ASYNC instead of MS_SYNC")
	fromDump := fs.String("from-dump", "", "write the bytes of this xxd or hexdump -C `DUMP` (- : standard input), or of a diff of two dumps")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if flagSet(fs, "from-dump") {
		if err := needArgs("patch", patchUsage, pos, 1, 1); err != nil {
			return err
		}
		if flagSet(fs, "expect") {
			return usageError{fmt.Errorf("patch: --expect does not go with --from-dump (give a diff of two dumps: its old side is checked)")}
		}
		return patchFromDump(pos[0], *fromDump, *async, stdout)
	}
	if err := needArgs("patch", patchUsage, pos, 3, 3); err != nil {
		return err
	}
	name := display.Name(pos[0])
	off, err := parseNumber(pos[0], "offset", pos[1])
	if err != nil {
		return err
	}
	data, err := mapping.ParseHex(pos[2])
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", name, err)}
	}
	var want []byte
	expectSet := false // --expect '' is malformed, not absent: never patch unchecked
	fs.Visit(func(fl *flag.Flag) { expectSet = expectSet || fl.Name == "expect" })
	if expectSet {
		if want, err = mapping.ParseHex(*expect); err != nil {
			return usageError{fmt.Errorf("%s: --expect: %w", name, err)}
		}
	}
	mode := mapping.MSSync
	if *async {
		mode = mapping.MSAsync
	}
	res, err := mapping.Patch(pos[0], off, data, want, mode)
	if err != nil {
		return err
	}
	wrote := "" // where a symbolic link led, when not to the name given
	if abs, err := filepath.Abs(pos[0]); err != nil || abs != res.Wrote {
		wrote = " of " + display.Name(res.Wrote)
	}
	// MS_ASYNC is a no-op on Linux: the line must not read as "on disk".
	tail := ""
	if mode == mapping.MSAsync {
		still := "dirty pages unknown"
		if res.StillDirty >= 0 {
			still = fmt.Sprintf("%d %s still dirty", res.StillDirty, plural(int(res.StillDirty), "page", "pages"))
		}
		tail = fmt.Sprintf("; a no-op on Linux: not known to be on disk (%s until kernel writeback)", still)
	}
	fmt.Fprintf(stdout, "%s: patched %d %s at %#x%s; msync(%s) %d %s, %d %s, %s%s\n",
		name, len(data), plural(len(data), "byte", "bytes"), off, wrote, res.Flag,
		res.Pages, plural(res.Pages, "page", "pages"), res.Bytes, plural(int(res.Bytes), "byte", "bytes"), res.Duration, tail)
	return nil
}

// cmdMarks: the marks mapping/bookmarks keeps for FILE.
func cmdMarks(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("marks", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	adopt := fs.Bool("adopt", false, "apply to FILE the marks kept for the file it replaced")
	forget := fs.Bool("forget", false, "drop the marks kept for the file FILE replaced")
	pos, err := parseNeed(fs, args, "FILE [--json] [--adopt|--forget]", 1, 1)
	if err != nil {
		return err
	}
	name := display.Name(pos[0])
	if *adopt || *forget {
		if *adopt && *forget || *asJSON {
			return usageError{fmt.Errorf("marks: --adopt, --forget and --json go alone")}
		}
		return marksAdopt(pos[0], *forget, stdout)
	}
	f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
	if err != nil {
		return troubleError{err}
	}
	defer f.Close()
	// A reader: the state folder is never made here (no marks when it
	// does not exist), and a trouble names the file.
	dir, ok, err := bookmarks.ExistingStateDir()
	if err != nil {
		return troubleError{fmt.Errorf("%s: marks: %w", name, err)}
	}
	var ms []bookmarks.Mark
	var st bookmarks.Status
	if ok {
		k, err := bookmarks.KeyOf(f)
		if err != nil {
			return troubleError{fmt.Errorf("%s: marks: %w", name, err)}
		}
		if ms, st, err = bookmarks.Load(dir, k); err != nil {
			return troubleError{fmt.Errorf("%s: marks: %w", name, err)}
		}
	}
	if st.Replaced != "" {
		return troubleError{fmt.Errorf("%s: %s (--adopt applies them to this file, --forget drops them)", name, st.Replaced)}
	}
	if *asJSON {
		if ms == nil {
			ms = []bookmarks.Mark{}
		}
		b, _ := json.MarshalIndent(ms, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		io.WriteString(stdout, bookmarks.Text(ms))
	}
	if len(ms) == 0 {
		return fmt.Errorf("%s: no marks (the editor sets them: Alt-m, vim m)", name)
	}
	return nil
}

// marksAdopt is `mmhex marks FILE --adopt|--forget`: the marks kept for
// the file FILE replaced are applied to it, or dropped.
func marksAdopt(file string, forget bool, stdout io.Writer) error {
	name := display.Name(file)
	f, err := mapping.Open(file, mapping.Options{ReadOnly: true})
	if err != nil {
		return troubleError{err}
	}
	defer f.Close()
	dir, ok, err := bookmarks.ExistingStateDir()
	if err != nil {
		return troubleError{fmt.Errorf("%s: marks: %w", name, err)}
	}
	n := 0
	if ok {
		k, err := bookmarks.KeyOf(f)
		if err != nil {
			return troubleError{fmt.Errorf("%s: marks: %w", name, err)}
		}
		if n, err = bookmarks.Adopt(dir, k, forget); err != nil {
			return troubleError{fmt.Errorf("%s: marks: %w", name, err)}
		}
	}
	switch {
	case n == 0:
		return fmt.Errorf("%s: no marks of a file it replaced: nothing to adopt or forget", name)
	case forget:
		fmt.Fprintf(stdout, "%s: dropped %d %s kept for the file it replaced\n", name, n, plural(n, "mark", "marks"))
	default:
		fmt.Fprintf(stdout, "%s: %d %s of the file it replaced now %s to it\n", name, n, plural(n, "mark", "marks"), plural(n, "applies", "apply"))
	}
	return nil
}

// patchFromDump is `mmhex patch FILE --from-dump DUMP` (mapping/dumppatch).
func patchFromDump(file, dump string, async bool, stdout io.Writer) error {
	var in io.Reader = os.Stdin
	dumpName := "standard input"
	if dump != "-" {
		fh, err := os.Open(dump)
		if err != nil {
			return fmt.Errorf("%s: --from-dump: %w", display.Name(file), err)
		}
		defer fh.Close()
		in, dumpName = fh, dump
	}
	p, err := dumppatch.Parse(in, dumpName)
	if err != nil {
		return usageError{err}
	}
	mode := mapping.MSSync
	if async {
		mode = mapping.MSAsync
	}
	res, err := dumppatch.Apply(file, p, mode)
	if err != nil {
		return err
	}
	checked := ""
	if p.Diff {
		checked = fmt.Sprintf(" (%d %s of the diff's old side checked first)", res.Checks, plural(int(res.Checks), "byte", "bytes"))
	}
	if res.Same > 0 {
		checked += fmt.Sprintf("; %d %s of the dump already there, left alone", res.Same, plural(int(res.Same), "byte", "bytes"))
	}
	fmt.Fprintf(stdout, "%s: patched %d %s in %d %s from %s%s; msync(%s) %d %s, %d %s, %s\n",
		display.Name(file), res.Bytes, plural(int(res.Bytes), "byte", "bytes"), res.Runs, plural(res.Runs, "range", "ranges"), display.Name(dumpName), checked,
		res.Sync.Flag, res.Sync.Pages, plural(res.Sync.Pages, "page", "pages"), res.Sync.Bytes, plural(int(res.Sync.Bytes), "byte", "bytes"), res.Sync.Duration)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// cmdShape is resize, punch, insert and delete (mapping/reshape): FILE and
// nargs sizes.
func cmdShape(op string, nargs int) func(args []string, stdout, stderr io.Writer) error {
	return func(args []string, stdout, stderr io.Writer) error {
		fs := flag.NewFlagSet(op, flag.ContinueOnError)
		zero := false
		usage := "FILE SIZE"
		if nargs == 2 {
			usage = "FILE OFFSET LENGTH"
		}
		if op == "punch" {
			fs.BoolVar(&zero, "zero", false, "FALLOC_FL_ZERO_RANGE: zeros, blocks kept allocated")
			usage += " [--zero]"
		}
		pos, err := parseNeed(fs, args, usage, 1+nargs, 1+nargs)
		if err != nil {
			return err
		}
		what := []string{"size"}
		if nargs == 2 {
			what = []string{"offset", "length"}
		}
		nums := make([]int64, nargs)
		for i := range nums {
			if nums[i], err = parseNumber(pos[0], what[i], pos[1+i]); err != nil {
				return err
			}
		}
		return reshape.Command(op, pos[0], nums, zero, stdout)
	}
}

const recoverUsage = "FILE [--revert|--keep|--list|--discard] [--json]"

func cmdRecover(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("recover", flag.ContinueOnError)
	revert := fs.Bool("revert", false, "put back the bytes the journaled edits replaced, sync, remove the journal")
	keep := fs.Bool("keep", false, "keep the bytes as they are and remove the journal")
	list := fs.Bool("list", false, "list the journaled edits (the default)")
	discard := fs.Bool("discard", false, "remove the refused journals (of a file since replaced at this path), putting none of their bytes back")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseNeed(fs, args, recoverUsage, 1, 1)
	if err != nil {
		return err
	}
	act := recovery.List
	n := 0
	for _, b := range []bool{*revert, *keep, *list, *discard} {
		if b {
			n++
		}
	}
	switch {
	case n > 1:
		return usageError{fmt.Errorf("%s: recover: choose one of --revert, --keep, --list and --discard", display.Name(pos[0]))}
	case *discard:
		act = recovery.Discard
	case *revert:
		act = recovery.Revert
	case *keep:
		act = recovery.Keep
	}
	return recovery.Command(pos[0], act, *asJSON, stdout)
}

func cmdStat(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stat", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	watch := fs.Bool("watch", false, "print the figures once a second until interrupted")
	pos, err := parseNeed(fs, args, "FILE [--json] [--watch]", 1, 1)
	if err != nil {
		return err
	}
	f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer f.Close()
	if *watch {
		return statWatch(f, pos[0], *asJSON, stdout)
	}
	r, err := pagecache.Report(f)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err = fmt.Fprintf(stdout, "%s\n", r.JSON())
	} else {
		err = r.WriteText(stdout)
	}
	if err != nil {
		return fmt.Errorf("%s: writing: %w", display.Name(pos[0]), err)
	}
	return nil
}

// statWatch prints f's figures (pagecache.WatchSample) once a second, a
// table row or a JSON object per line, until SIGINT or SIGTERM, then
// returns nil.
func statWatch(f *mapping.File, name string, asJSON bool, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	w := bufio.NewWriter(stdout)
	if !asJSON {
		w.WriteString(pagecache.WatchHeader(name, f.PageSize()))
	}
	for {
		s, err := pagecache.Sample(f)
		if err != nil {
			return err
		}
		if asJSON {
			w.WriteString(s.JSONLine())
		} else {
			w.WriteString(s.Row())
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("%s: writing: %w", display.Name(name), err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// cmdExtents prints the data/hole ranges and the FIEMAP extents
// (mapping/extents), streamed.
func cmdExtents(args []string, stdout, stderr io.Writer) error {
	return reportCommand("extents", args, stdout, extents.Write)
}

// cmdWho prints the other processes that have the file (mapping/who).
func cmdWho(args []string, stdout, stderr io.Writer) error {
	return reportCommand("who", args, stdout, who.Write)
}

// reportCommand is a command of the form "NAME FILE [--json]" that opens
// FILE read-only and writes a report of it; a closed pipe (mmhex NAME big
// | head) is not an error.
func reportCommand(name string, args []string, stdout io.Writer, write func(io.Writer, *mapping.File, bool) error) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object")
	pos, err := parseNeed(fs, args, "FILE [--json]", 1, 1)
	if err != nil {
		return err
	}
	f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer f.Close()
	err = write(stdout, f, *asJSON)
	if errors.Is(err, syscall.EPIPE) {
		return nil
	}
	return err
}

const dumpUsage = "[FILE|-] [-s [-]OFFSET] [-n|-l LENGTH] [--format canonical|xxd|plain] [--color auto|always|never]"

func cmdDump(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	skip := fs.String("s", "0", "start at this `OFFSET` (-N: N bytes before the end, as xxd -s -N)")
	length := fs.String("n", "", "dump this many bytes, `LENGTH` (default: to the end)")
	fs.StringVar(length, "l", "", "the same as -n (xxd's name) `LENGTH`")
	format := fs.String("format", "canonical", "`FORMAT`: canonical (hexdump -C), xxd, or plain (xxd -p)")
	color := fs.String("color", "auto", "colour bytes by class, `WHEN`: auto (when standard output is a terminal and NO_COLOR is not set), always, never")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	pos = withStdin(pos, 1)
	if err := needArgs("dump", dumpUsage, pos, 1, 1); err != nil {
		return err
	}
	label := inputName(pos[0]) // what messages call the input
	var o hexfmt.Options
	if o.Format, err = hexfmt.ParseFormat(*format); err != nil {
		return usageError{fmt.Errorf("dump: --format: %w", err)}
	}
	mode, err := hexfmt.ParseColorMode(*color)
	if err != nil {
		return usageError{fmt.Errorf("dump: --color: %w", err)}
	}
	// xxd's -s: +N is N, -N counts from the end of the file
	num, fromEnd := strings.TrimPrefix(*skip, "+"), false
	if rest, ok := strings.CutPrefix(*skip, "-"); ok {
		num, fromEnd = rest, true
	}
	off, err := parseNumber(label, "offset", num)
	if err != nil {
		_, err = parseNumber(label, "offset", *skip) // the error names what was typed
		return err
	}
	n := int64(-1)
	if *length != "" {
		if n, err = parseNumber(label, "length", *length); err != nil {
			return err
		}
	}
	if fd, ok := stdout.(interface{ Fd() uintptr }); ok {
		o.Color = mode.UseColor(fd.Fd())
	} else {
		o.Color = mode == hexfmt.ColorAlways
	}
	if isStdin(pos[0]) {
		if fromEnd {
			return usageError{fmt.Errorf("%s: -s %s counts from the end: a pipe has no end to count from until it is read (use a file)", label, display.Line(*skip))}
		}
		err = hexfmt.DumpStream(stdout, os.Stdin, label, off, n, o)
		if errors.Is(err, syscall.EPIPE) {
			return nil
		}
		return err
	}
	f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer f.Close()
	if fromEnd {
		if off > f.Size() {
			return fmt.Errorf("%s: offset %s is before the start of the file: size %d (%#x)", display.Name(f.Path()), *skip, f.Size(), f.Size())
		}
		off = f.Size() - off
	}
	err = hexfmt.DumpFile(stdout, f, off, n, o)
	if errors.Is(err, syscall.EPIPE) {
		return nil // the reader went away (mmhex dump big | head): a quiet end
	}
	return err
}

const replaceUsage = "FILE OLD NEW [--hex] [-i] [-s OFFSET] [-n LENGTH] [--expect-count N] [--dry-run]"

// cmdReplace: the replace engine (mapping/replace) over the file or a
// range of it.
func cmdReplace(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replace", flag.ContinueOnError)
	hex := fs.Bool("hex", false, "OLD and NEW are hex bytes (OLD: ?? = any byte; NEW: ?? = keep the byte)")
	fold := fs.Bool("i", false, "ASCII case-insensitive OLD text")
	start := fs.String("s", "0", "start offset")
	length := fs.String("n", "", "length of the range (default: to the end)")
	expect := fs.Int64("expect-count", 0, "change nothing unless exactly N matches exist")
	dry := fs.Bool("dry-run", false, "print the offsets that would change (as mmhex search does), change nothing")
	pos, err := parseNeed(fs, args, replaceUsage, 3, 3)
	if err != nil {
		return err
	}
	name := display.Name(pos[0])
	if *expect < 0 || (*expect == 0 && flagSet(fs, "expect-count")) {
		return usageError{fmt.Errorf("%s: --expect-count must be at least 1: %d", name, *expect)}
	}
	if *hex && *fold {
		return usageError{fmt.Errorf("replace: -i applies to text patterns, not to --hex")}
	}
	o := replace.CommandOptions{Len: -1, ExpectCount: *expect, DryRun: *dry}
	if o.Off, err = parseNumber(pos[0], "-s offset", *start); err != nil {
		return err
	}
	if *length != "" {
		if o.Len, err = parseNumber(pos[0], "-n length", *length); err != nil {
			return err
		}
	}
	p, err := search.Parse(pos[1], *hex, *fold)
	if err != nil {
		return usageError{fmt.Errorf("%s: OLD: %w", name, err)}
	}
	r, err := replace.Parse(pos[2], *hex)
	if err != nil {
		return usageError{fmt.Errorf("%s: NEW: %w", name, err)}
	}
	if err := replace.Check(p, r); err != nil {
		return usageError{fmt.Errorf("%s: %w", name, err)}
	}
	res, err := replace.Command(pos[0], p, r, o, stdout)
	if err != nil {
		if errors.Is(err, replace.ErrNoMatch) {
			return err
		}
		if res.Replaced > 0 {
			fmt.Fprintln(stdout, oneLine(res.Summary(pos[0], p, r)))
		}
		return troubleError{err}
	}
	if !*dry {
		fmt.Fprintln(stdout, oneLine(res.Summary(pos[0], p, r)))
	}
	return nil
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

const decodeUsage = "FILE [--format NAME|FILE.ksy] [--json] [--path a.b[3].c]"

// cmdDecode: mapping/ksy over the mapped file; only what is printed is read.
func cmdDecode(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	format := fs.String("format", "", "a format name (built in or in $XDG_CONFIG_HOME/mmhex/formats) or a .ksy file")
	asJSON := fs.Bool("json", false, "print JSON")
	path := fs.String("path", "", "print only this field (a.b[3].c)")
	pos, err := parseNeed(fs, args, decodeUsage, 1, 1)
	if err != nil {
		return err
	}
	// One short run that allocates a node per field: collecting less often
	// halves the time for 20 000 section headers (bench/decode.sh).
	debug.SetGCPercent(400)
	f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := ksy.Choose(f, f.Size(), pos[0], *format, ksy.UserFormatsDir())
	if err != nil {
		return err
	}
	for _, p := range d.Spec().Problems {
		fmt.Fprintf(stderr, "mmhex: %s\n", oneLine(p.Error()))
	}
	n := d.Root()
	if *path != "" {
		if n, err = n.Lookup(*path); err != nil {
			return fmt.Errorf("%s: --path %w", display.Name(pos[0]), err)
		}
	}
	if *asJSON {
		err = ksy.WriteJSON(stdout, n)
	} else {
		err = ksy.WriteText(stdout, n)
	}
	if errors.Is(err, syscall.EPIPE) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: writing: %w", display.Name(pos[0]), err)
	}
	if e := n.Info().Err; e != nil {
		return fmt.Errorf("%s: %s", display.Name(pos[0]), e)
	}
	return nil
}

const searchUsage = "[FILE|-] PATTERN [--hex] [-i] [--regex [--max-len N]] [--count] [--max N]"

// cmdSearch: the search engine (mapping/search) over the whole file; the
// offsets go out in order through a buffered writer.
func cmdSearch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	hex := fs.Bool("hex", false, "PATTERN is hex bytes (\"de ad ?? ef\"; ?? = any byte)")
	fold := fs.Bool("i", false, "ASCII case-insensitive text")
	count := fs.Bool("count", false, "print the number of matches instead")
	maxN := fs.Int64("max", 0, "stop after `N` matches (0: no limit)")
	regex := fs.Bool("regex", false, "PATTERN is a regular expression (Go regexp, RE2 syntax; non-overlapping matches, as grep -o)")
	maxLen := fs.String("max-len", "4k", "--regex: the longest match, in `BYTES`")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *maxN < 0 {
		return usageError{fmt.Errorf("search: --max must not be negative: %d (0: no limit)", *maxN)}
	}
	pos = withStdin(pos, 2)
	if err := needArgs("search", searchUsage, pos, 2, 2); err != nil {
		return err
	}
	name := inputName(pos[0])
	if *hex && *fold {
		return usageError{fmt.Errorf("search: -i applies to text patterns, not to --hex")}
	}
	if *regex && (*hex || *fold) {
		return usageError{fmt.Errorf("search: --regex takes neither --hex nor -i (use (?i) in the expression)")}
	}
	if flagSet(fs, "max-len") && !*regex {
		return usageError{fmt.Errorf("search: --max-len applies to --regex")}
	}
	if *regex {
		return searchRegex(pos, name, *maxLen, *count, *maxN, stdout)
	}
	p, err := search.Parse(pos[1], *hex, *fold)
	if err != nil {
		return usageError{fmt.Errorf("%s: pattern: %w", name, err)}
	}
	var src search.Source
	var ao search.AllOptions
	if isStdin(pos[0]) {
		// a pipe is swept once, in order, by one worker
		src, ao = stream.New(os.Stdin, name), search.AllOptions{Workers: 1, Segment: stream.Unbounded}
	} else {
		f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
		if err != nil {
			return troubleError{err}
		}
		defer f.Close()
		src = f
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	var n int64
	if *count {
		// counted by the workers, segment by segment: no offsets kept
		n, err = search.Count(context.Background(), src, p, 0, src.Size(), *maxN, ao)
		if err == nil {
			fmt.Fprintln(w, n)
		}
	} else {
		// the workers format the offsets (appendOffsets), in parallel
		err = search.FindAllText(context.Background(), src, p, 0, src.Size(), ao, appendOffsets, func(text []byte, k int) bool {
			if *maxN > 0 && int64(k) > *maxN-n {
				k = int(*maxN - n)
				text = text[:nthLineEnd(text, k)]
			}
			n += int64(k)
			if _, werr := w.Write(text); werr != nil {
				return false // w keeps the error: Flush returns it
			}
			return *maxN <= 0 || n < *maxN
		})
	}
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return troubleError{err}
	}
	if n == 0 {
		return fmt.Errorf("%s: no match for %s", name, p)
	}
	return nil
}

// searchRegex is `mmhex search --regex`: search.RegexAll, one goroutine.
func searchRegex(pos []string, name, maxLen string, count bool, maxN int64, stdout io.Writer) error {
	ml, err := mapping.ParseSize(maxLen)
	if err != nil || ml < 1 || ml > search.MaxMaxLen {
		return usageError{fmt.Errorf("search: --max-len must be between 1 and %d: %s", search.MaxMaxLen, display.Line(maxLen))}
	}
	re, err := search.ParseRegex(pos[1], int(ml))
	if err != nil {
		return usageError{fmt.Errorf("%s: regular expression: %w", name, err)}
	}
	var src search.Source
	if isStdin(pos[0]) {
		src = stream.New(os.Stdin, name)
	} else {
		f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
		if err != nil {
			return troubleError{err}
		}
		defer f.Close()
		src = f
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	var n int64
	var line []byte
	err = search.RegexAll(context.Background(), src, re, 0, src.Size(), func(off, _ int64) bool {
		n++
		if !count {
			line = strconv.AppendInt(line[:0], off, 10)
			line = append(line, '\n')
			if _, werr := w.Write(line); werr != nil {
				return false
			}
		}
		return maxN <= 0 || n < maxN
	})
	if count && err == nil {
		fmt.Fprintln(w, n)
	}
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return troubleError{err}
	}
	if n == 0 {
		return fmt.Errorf("%s: no match for %s", name, re)
	}
	return nil
}

// nthLineEnd is the length of the first k lines of text.
func nthLineEnd(text []byte, k int) int {
	end := 0
	for ; k > 0; k-- {
		end += bytes.IndexByte(text[end:], '\n') + 1
	}
	return end
}

// appendOffsets appends the offsets in decimal, one a line. Dense matches
// (`aa` in a run of `a`) give runs of consecutive offsets that differ only
// in the last digit: such a run is formatted once, and each of its lines is
// one fixed-size copy of that line plus its last digit.
func appendOffsets(dst []byte, offs []int64) []byte {
	const lineMax = 24 // 19 digits, '\n', slack for the fixed-size copy
	if need := len(dst) + len(offs)*21 + lineMax; cap(dst) < need {
		dst = append(make([]byte, 0, need), dst...)
	}
	buf := dst[:cap(dst)]
	n := len(dst)
	var line [lineMax]byte
	for i := 0; i < len(offs); {
		x := offs[i]
		pl := len(strconv.AppendInt(line[:0], x, 10))
		line[pl] = '\n'
		d := byte(x % 10)
		j := 0
		for ; i+j < len(offs) && offs[i+j] == x+int64(j) && int(d)+j <= 9; j++ {
			*(*[lineMax]byte)(buf[n : n+lineMax]) = line
			buf[n+pl-1] = '0' + d + byte(j)
			n += pl + 1
		}
		i += j
	}
	return buf[:n]
}

const diffUsage = "A|- B|- [-s OFFSET] [-n LENGTH] [--max N] [--json | --bytes | --quiet]"

// cmdDiff: the compare engine (mapping/compare) over both files, as
// compare.Report prints it.
func cmdDiff(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	skip := fs.String("s", "0", "compare from this offset (with --bytes: as cmp -i, byte numbers count from it)")
	length := fs.String("n", "", "compare this many bytes (default: to the end)")
	maxN := fs.Int64("max", 0, "stop after N ranges (with --bytes: N lines); 0: no limit")
	asJSON := fs.Bool("json", false, "print one JSON object")
	asBytes := fs.Bool("bytes", false, "print what cmp -l prints (1-based decimal offset, octal bytes)")
	quiet := fs.Bool("quiet", false, "print nothing: the exit status only")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	pos = withStdin(pos, 2) // producer | mmhex diff B: A is standard input
	if err := needArgs("diff", diffUsage, pos, 2, 2); err != nil {
		return err
	}
	o := compare.ReportOptions{Len: -1, Max: *maxN}
	switch {
	case *asJSON && *asBytes, *asJSON && *quiet, *asBytes && *quiet:
		return usageError{errors.New("diff: --json, --bytes and --quiet exclude each other")}
	case *asJSON:
		o.Format = compare.JSON
	case *asBytes:
		o.Format = compare.Bytes
	case *quiet:
		o.Format = compare.Quiet
	}
	if *maxN < 0 {
		return usageError{fmt.Errorf("diff: --max must not be negative: %d (0: no limit)", *maxN)}
	}
	if isStdin(pos[0]) && isStdin(pos[1]) {
		return usageError{errors.New("diff: standard input can be one side only")}
	}
	if o.Off, err = parseNumber(pos[0], "offset", *skip); err != nil {
		return err
	}
	if *length != "" {
		if o.Len, err = parseNumber(pos[0], "length", *length); err != nil {
			return err
		}
	}
	var files [2]*mapping.File
	var in *compare.Stream
	for i, p := range pos {
		if isStdin(p) {
			// A pipe cannot be mapped: it is read once, in order, a
			// chunk at a time, against the other file at the same
			// offsets (compare.ReportStream), named "-" in the output.
			in = &compare.Stream{R: os.Stdin, Name: "-", Regular: stdinRemains()}
			continue
		}
		// a small window: --bytes reads the differing bytes with ReadAt,
		// and the pages it touched leave with the window
		files[i], err = mapping.Open(p, mapping.Options{ReadOnly: true, Window: 4 << 20})
		if err != nil {
			return troubleError{err}
		}
		defer files[i].Close()
	}
	var differ bool
	switch {
	case in != nil && files[0] == nil:
		differ, err = compare.ReportStream(context.Background(), in, true, files[1], o, stdout, stderr)
	case in != nil:
		differ, err = compare.ReportStream(context.Background(), in, false, files[0], o, stdout, stderr)
	default:
		differ, err = compare.Report(context.Background(), files[0], files[1], o, stdout, stderr)
	}
	if errors.Is(err, syscall.EPIPE) {
		return exitStatus(2) // the reader went away
	}
	if err != nil {
		return troubleError{err}
	}
	if differ {
		return exitStatus(1)
	}
	return nil
}

const editUsage = "FILE [OTHER] [--keys PRESET] [--theme THEME] [--bytes-per-row N] [--config FILE] [--read-only] [--private] [--write] [--populate] [--lock] [--window SIZE] [--invalidate] [--fit] [--follow] | --demo"

// cmdEdit runs the interactive editor (view.Launch).
func cmdEdit(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("", flag.ContinueOnError) // errors: "mmhex: …", not "mmhex: mmhex: …"
	var o view.LaunchOptions
	fs.BoolVar(&o.Demo, "demo", false, "open a demo file made in a temporary folder")
	fs.StringVar(&o.Keys, "keys", "", "key `PRESET`: default or vim")
	fs.StringVar(&o.Config, "config", "", "configuration `FILE`")
	fs.BoolVar(&o.Mapping.ReadOnly, "read-only", false, "map PROT_READ only")
	fs.BoolVar(&o.Mapping.Private, "private", false, "MAP_PRIVATE: edits never reach the file")
	fs.BoolVar(&o.Mapping.Write, "write", false, "open a block device for writing (block devices open read-only otherwise)")
	fs.BoolVar(&o.Mapping.Populate, "populate", false, "MAP_POPULATE")
	fs.BoolVar(&o.Mapping.Lock, "lock", false, "mlock the mapped window")
	window := fs.String("window", "", "mapping window `SIZE` (4k, 64M, 1G)")
	fs.BoolVar(&o.Mapping.Invalidate, "invalidate", false, "sync with MS_INVALIDATE too")
	fs.BoolVar(&o.Fit, "fit", false, "row width follows the terminal width")
	fs.IntVar(&o.BytesPerRow, "bytes-per-row", 0, "`N` bytes a row, 1 to 1024 (32 suits 160 columns; default: the configuration's bytes_per_row, else 16)")
	fs.StringVar(&o.Theme, "theme", "", "the look, `THEME`: dark (default), light, or accessible (not by colour alone); NO_COLOR set: no colour")
	follow := fs.Bool("follow", false, "follow the end of a growing file (as tail -f); any move stops, Ctrl-T (vim: F) resumes")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	lo, hi := 1, 2 // mmhex FILE, or mmhex A B (compare)
	if o.Demo {
		lo, hi = 0, 0
	}
	if err := needArgs("", editUsage, pos, lo, hi); err != nil {
		return err
	}
	if len(pos) >= 1 {
		o.Path = pos[0]
	}
	if len(pos) == 2 {
		o.Other = pos[1]
	}
	if isStdin(o.Path) {
		return usageError{errors.New(stdinName + " cannot be mapped: the editor needs a file (mmhex dump and mmhex search read a pipe)")}
	}
	if o.BytesPerRow < 0 || o.BytesPerRow > 1024 {
		return usageError{fmt.Errorf("--bytes-per-row: %d is out of range (1 to 1024)", o.BytesPerRow)}
	}
	if o.Theme != "" && !slices.Contains(keymap.Themes, o.Theme) {
		return usageError{fmt.Errorf("--theme: unknown theme %s (dark, light or accessible)", display.Quote(o.Theme))}
	}
	if *window != "" {
		if o.Mapping.Window, err = parseNumber(o.Path, "--window", *window); err != nil {
			return err
		}
	}
	o.Stdout = stdout
	o.Features = features.With(features.Options{Follow: *follow})
	return view.Launch(o)
}

const keysUsage = "[--keys PRESET] [--config FILE] [--markdown]"

// cmdKeys prints the active key bindings (keymap.Load: preset, then the
// configuration file); problems in the file go to standard error.
func cmdKeys(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	preset := fs.String("keys", "", "key `PRESET`: default or vim")
	config := fs.String("config", "", "configuration `FILE`")
	md := fs.Bool("markdown", false, "print docs/keys.md (both presets, no configuration)")
	_, err := parseNeed(fs, args, keysUsage, 0, 0)
	if err != nil {
		return err
	}
	if *md {
		_, err := io.WriteString(stdout, keymap.Markdown())
		return err
	}
	m, problems, err := keymap.Load(*preset, *config)
	if errors.Is(err, keymap.ErrUnknownPreset) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	_, problems = m.Window(problems, mapping.ParseWindow)
	conf := "no configuration file"
	if p := m.Config().Path; p != "" {
		conf = "configuration " + display.Name(p)
	}
	fmt.Fprintf(stdout, "preset %s, %s\n\n%s", m.Preset(), conf, m.Text())
	if len(problems) > 0 {
		for _, p := range problems { // keymap's text is raw: one safe line each
			p.File = display.Name(p.File)
			fmt.Fprintln(stderr, display.Line(p.String()))
		}
		return fmt.Errorf("%s: %d %s in the configuration", display.Name(m.Config().Path), len(problems), plural(len(problems), "problem", "problems"))
	}
	return nil
}

// cmdVersion prints the build information the Go toolchain stamped into
// the binary (runtime/debug.ReadBuildInfo).
func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	_, err := parseNeed(fs, args, "", 0, 0)
	if err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	_, err = io.WriteString(stdout, versionText(bi, runtime.GOOS+"/"+runtime.GOARCH))
	return err
}

// versionText: three lines, the module version, the commit (revision,
// time, whether the tree had uncommitted changes) and the Go version.
// Built without version control information (a tarball, -buildvcs=false,
// a git worktree), the commit is "unknown".
func versionText(bi *debug.BuildInfo, platform string) string {
	if bi == nil {
		return "mmhex (no build information)\ncommit unknown\nbuilt with an unknown Go for " + platform + "\n"
	}
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	commit := "commit unknown (built without version control information)"
	if rev := vcs["vcs.revision"]; rev != "" {
		commit = "commit " + rev
		if t := vcs["vcs.time"]; t != "" {
			commit += " of " + t
		}
		if vcs["vcs.modified"] == "true" {
			commit += ", with uncommitted changes"
		}
	}
	return fmt.Sprintf("mmhex %s\n%s\nbuilt with %s for %s\n", display.Line(bi.Main.Version), commit, bi.GoVersion, platform)
}

const stringsUsage = "[FILE|-] [-n MIN] [-t d|o|x] [-e s|S|b|l|B|L]"

// cmdStrings: mapping/shape.Strings over the whole file.
func cmdStrings(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("strings", flag.ContinueOnError)
	minLen := fs.Int("n", 4, "print strings of at least MIN characters")
	radix := fs.String("t", "", "print each string's offset: d (decimal), o (octal), x (hex)")
	enc := fs.String("e", "s", "character size: s (7-bit), S (8-bit), b/l (16-bit big/little endian), B/L (32-bit)")
	pos, err := parseArgs(fs, gnuStringsArgs(args))
	if err != nil {
		return err
	}
	pos = withStdin(pos, 1)
	if err := needArgs("strings", stringsUsage, pos, 1, 1); err != nil {
		return err
	}
	var o shape.StringsOptions
	if *minLen < 1 {
		return usageError{fmt.Errorf("strings: -n: invalid minimum string length %d (at least 1)", *minLen)}
	}
	o.Min = *minLen
	switch *radix {
	case "":
	case "d", "o", "x":
		o.Radix = (*radix)[0]
	default:
		return usageError{fmt.Errorf("strings: -t: invalid radix %s (d, o or x)", display.Quote(*radix))}
	}
	switch *enc {
	case "s", "S", "b", "l", "B", "L":
		o.Encoding = (*enc)[0]
	default:
		return usageError{fmt.Errorf("strings: -e: invalid encoding %s (s, S, b, l, B or L)", display.Quote(*enc))}
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	if isStdin(pos[0]) {
		// the engine's stream form, on the bytes as they come
		var sw *shape.StringsWriter
		if sw, err = shape.NewStringsWriter(w, o); err == nil {
			err = copyStdin(sw, -1)
			if cerr := sw.Close(); err == nil {
				err = cerr
			}
		}
	} else {
		f, oerr := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
		if oerr != nil {
			return oerr
		}
		defer f.Close()
		err = shape.Strings(context.Background(), f, 0, f.Size(), o, w, nil)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if errors.Is(err, syscall.EPIPE) {
		return nil // mmhex strings big | head: a quiet end
	}
	if err != nil && !strings.HasPrefix(err.Error(), display.Name(pos[0])) {
		err = fmt.Errorf("%s: %w", display.Name(pos[0]), err)
	}
	return err
}

// gnuStringsArgs rewrites the other spellings GNU strings takes for the
// options mmhex strings has, as scripts write them: -a and --all (mmhex
// always reads the whole file) dropped; -tx, -n8, -el (glued), -6 (-n 6),
// --bytes=N, --radix=X and --encoding=X as -n, -t and -e.
func gnuStringsArgs(args []string) []string {
	out := make([]string, 0, len(args)+2)
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case a == "-a" || a == "--all":
		case a == "-n" || a == "-t" || a == "-e":
			out = append(out, a) // its value follows as it is
			if i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		case strings.HasPrefix(a, "--bytes="):
			out = append(out, "-n", a[len("--bytes="):])
		case strings.HasPrefix(a, "--radix="):
			out = append(out, "-t", a[len("--radix="):])
		case strings.HasPrefix(a, "--encoding="):
			out = append(out, "-e", a[len("--encoding="):])
		case len(a) > 2 && a[0] == '-' && strings.IndexByte("nte", a[1]) >= 0 && a[2] != '=':
			out = append(out, a[:2], a[2:])
		case len(a) > 1 && a[0] == '-' && strings.Trim(a[1:], "0123456789") == "":
			out = append(out, "-n", a[1:])
		default:
			out = append(out, a)
		}
	}
	return out
}

const hashUsage = "[FILE|-] [-s OFFSET] [-n LENGTH] [--algo sha256|crc32|md5|sha1|sha512|all,...]"

// cmdHash: mapping/shape.Hash. One algorithm: "HASH  FILE" as sha256sum
// prints it; several: "SHA256 (FILE) = HASH" lines as sha256sum --tag. A
// range is named FILE[0xSTART:0xEND].
func cmdHash(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hash", flag.ContinueOnError)
	skip := fs.String("s", "0", "start at this offset")
	length := fs.String("n", "", "hash this many bytes (default: to the end)")
	list := fs.String("algo", "sha256", "comma-separated: crc32, md5, sha1, sha256, sha512, or all")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	pos = withStdin(pos, 1)
	if err := needArgs("hash", hashUsage, pos, 1, 1); err != nil {
		return err
	}
	algos, err := shape.ParseAlgos(*list)
	if err != nil {
		return usageError{fmt.Errorf("hash: --algo: %w", err)}
	}
	off, err := parseNumber(pos[0], "offset", *skip)
	if err != nil {
		return err
	}
	n := int64(-1)
	if *length != "" {
		if n, err = parseNumber(pos[0], "length", *length); err != nil {
			return err
		}
	}
	var sums []shape.Sum
	var end int64
	if isStdin(pos[0]) {
		// streamed: the bytes before off read and dropped, as sha256sum
		// names standard input "-"
		skipped, err := io.CopyN(io.Discard, os.Stdin, off)
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s: reading: %w", stdinName, err)
		}
		if skipped < off {
			return fmt.Errorf("%s: offset %#x is past the end of the input (size %d)", stdinName, off, skipped)
		}
		h, err := shape.NewHasher(algos)
		if err != nil {
			return err
		}
		if err := copyStdin(h, n); err != nil {
			return err
		}
		sums, end = h.Sums(), off+h.Len()
	} else {
		f, err := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
		if err != nil {
			return err
		}
		defer f.Close()
		size := f.Size()
		if off > size {
			return fmt.Errorf("%s: offset %#x is past the end of the file (size %d)", display.Name(pos[0]), off, size)
		}
		end = size
		if n >= 0 && n < size-off {
			end = off + n
		}
		if sums, err = shape.Hash(context.Background(), f, off, end, algos, nil); err != nil {
			return err
		}
	}
	name := pos[0]
	if *skip != "0" || *length != "" {
		name = fmt.Sprintf("%s[%#x:%#x]", name, off, end)
	}
	// as sha256sum: a name with \, \n or \r has them escaped and a '\'
	// before the line; then sanitised (other control bytes shown as '.')
	esc := ""
	if strings.ContainsAny(name, "\\\n\r") {
		esc = "\\"
		name = strings.NewReplacer("\\", "\\\\", "\n", "\\n", "\r", "\\r").Replace(name)
	}
	name = display.Name(name)
	w := bufio.NewWriter(stdout)
	for _, s := range sums {
		if len(sums) == 1 {
			fmt.Fprintf(w, "%s%s  %s\n", esc, s.Hex, name)
		} else {
			fmt.Fprintf(w, "%s%s (%s) = %s\n", esc, s.Algo.Tag(), name, s.Hex)
		}
	}
	if err := w.Flush(); err != nil && !errors.Is(err, syscall.EPIPE) {
		return fmt.Errorf("%s: %w", display.Name(pos[0]), err) // the one line names the file
	}
	return nil
}

const entropyUsage = "[FILE|-] [--block N] [--json]"

// cmdEntropy: mapping/shape.Entropy over the whole file. Text: one line a
// block, "OFFSET ENTROPY" (decimal offset, 6 decimals); --json: one object
// with every block's offset, length, entropy (full precision), hole flag
// and dominant byte class.
func cmdEntropy(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("entropy", flag.ContinueOnError)
	blockArg := fs.String("block", "64k", "block size")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	pos = withStdin(pos, 1)
	if err := needArgs("entropy", entropyUsage, pos, 1, 1); err != nil {
		return err
	}
	label := inputName(pos[0])
	block, err := parseNumber(label, "--block", *blockArg)
	if err != nil {
		return err
	}
	if block < 1 {
		return usageError{fmt.Errorf("%s: --block must be at least 1 byte", label)}
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	header := func(name string, size int64) {
		jn, _ := json.Marshal(name)
		fmt.Fprintf(w, `{"file":%s,"size":%d,"block":%d,"blocks":[`, jn, size, block)
	}
	var buf []byte
	first := true
	emit := func(bs []shape.Block, out io.Writer) bool {
		for _, b := range bs {
			buf = buf[:0]
			if *asJSON {
				if !first {
					buf = append(buf, ',')
				}
				first = false
				buf = strconv.AppendInt(append(buf, `{"offset":`...), b.Off, 10)
				buf = strconv.AppendInt(append(buf, `,"length":`...), b.Len, 10)
				buf = strconv.AppendFloat(append(buf, `,"entropy":`...), b.Entropy, 'g', -1, 64)
				buf = strconv.AppendBool(append(buf, `,"hole":`...), b.Hole)
				buf = append(append(append(buf, `,"class":"`...), b.Class.String()...), `"}`...)
			} else {
				buf = strconv.AppendInt(buf, b.Off, 10)
				buf = append(buf, ' ')
				buf = strconv.AppendFloat(buf, b.Entropy, 'f', 6, 64)
				buf = append(buf, '\n')
			}
			if _, err := out.Write(buf); err != nil {
				return false
			}
		}
		return true
	}
	if isStdin(pos[0]) {
		// streamed; with --json the blocks wait in memory (a line of
		// text per block) until the size, which comes first, is known
		var blocks bytes.Buffer
		var dst io.Writer = w
		if *asJSON {
			dst = &blocks
		}
		size, rerr := shape.EntropyStream(context.Background(), os.Stdin, block, func(bs []shape.Block) bool { return emit(bs, dst) })
		err = rerr
		if err != nil && !errors.Is(err, syscall.EPIPE) {
			err = fmt.Errorf("%s: reading: %w", stdinName, err)
		}
		if err == nil && *asJSON {
			header("-", size)
			w.Write(blocks.Bytes())
		}
	} else {
		f, oerr := mapping.Open(pos[0], mapping.Options{ReadOnly: true})
		if oerr != nil {
			return oerr
		}
		defer f.Close()
		if *asJSON {
			header(display.Name(f.Path()), f.Size())
		}
		err = shape.Entropy(context.Background(), f, 0, f.Size(), block, func(bs []shape.Block) bool { return emit(bs, w) }, nil)
	}
	if err == nil && *asJSON {
		_, err = w.WriteString("]}\n")
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if errors.Is(err, syscall.EPIPE) {
		return nil
	}
	if err != nil && !strings.HasPrefix(err.Error(), label) {
		err = fmt.Errorf("%s: %w", label, err) // the one line names the file
	}
	return err
}
