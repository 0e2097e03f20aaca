#!/usr/bin/env bash
# bench/run.sh — the performance record: times mmhex against the tools it
# claims to beat, side by side in one run, and prints the ratios.
#
#   dump     mmhex dump (canonical, xxd, plain) vs hexdump -C, xxd, xxd -p,
#            with a byte-for-byte identity check of each pair;
#            64 GiB sparse file: the first 4 KiB vs the last 4 KiB
#   cat      mmhex cat vs dd bs=1M, 1 GiB
#   search   bench/search.sh (mmhex search vs grep/rg), when both exist
#   open     open-to-first-frame of the editor in tmux, and Ctrl-End to the
#            frame showing the last row: 1 KiB, 2 GiB, 1 TiB sparse
#   patch    one-byte mmhex patch of a 2 GiB and an 8 GiB file: time and bytes
#            written (/proc/<pid>/io write_bytes, /sys/block/<dev>/stat)
#   draw     go test -bench DrawFrame ./view: one frame, 4 MiB vs 1 TiB sparse
#
# Two tables: the ratios against the other tools, and how each time scales
# with the file size (open, jump, patch, draw flat; dump and search linear:
# dump 64 vs 256 MiB, search 256 MiB vs 1 GiB).
#
# Files live in a temporary folder on the real filesystem (BENCH_TMP, default
# under /var/tmp), removed on exit. Every file is read once before it is
# timed, so it is in the page cache. Output goes to /dev/null.
#
# Usage: bash bench/run.sh            RUNS=3 (best of RUNS for the fast ones)
#        SKIP_SEARCH=1 bash bench/run.sh     (without bench/search.sh)
#        SKIP_GOBENCH=1 bash bench/run.sh    (without the draw benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

RUNS=${RUNS:-3}
TMP=$(mktemp -d "${BENCH_TMP:-/var/tmp}/mmhex-bench.XXXXXX")
# the tmux socket lives in $TMP too, so nothing is left in /tmp/tmux-$UID
TMUX_SOCK="$TMP/tmux.sock"
cleanup() {
	if [ -S "$TMUX_SOCK" ]; then tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

MMHEX="$TMP/mmhex"
go build -o "$MMHEX" .

# --- helpers -------------------------------------------------------------
now_us() { echo "${EPOCHREALTIME/./}"; }

# t_us CMD... : wall time of one run in microseconds (output to /dev/null).
t_us() {
	local t0 t1
	t0=$(now_us)
	"$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }
	t1=$(now_us)
	echo $((t1 - t0))
}

# best_us N CMD... : best of N runs.
best_us() {
	local n=$1 best= t
	shift
	for _ in $(seq "$n"); do
		t=$(t_us "$@")
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}

# mbps BYTES US : MB/s (10^6 bytes per second)
mbps() { awk -v b="$1" -v t="$2" 'BEGIN { v = b / t; if (v < 20) printf "%.1f", v; else printf "%.0f", v }'; }
# speedup BYTES_A US_A BYTES_B US_B : throughput of A over throughput of B
speedup() { awk -v ba="$1" -v ta="$2" -v bb="$3" -v tb="$4" 'BEGIN { printf "%.1f", (ba / ta) / (bb / tb) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a >= 0) printf "%.1f", a / b; else print "n/a" }'; }
# ms US: milliseconds; -1 (not measured, see the message above) is n/a
ms() { awk -v t="$1" 'BEGIN { if (t < 0) print "n/a"; else printf "%.2f", t / 1000 }'; }

ROWS=()
row() { ROWS+=("$(printf '| %s | %s | %s | %s |' "$@")"); }
# scaling: OPERATION SMALL LARGE T_SMALL_US T_LARGE_US SIZE_RATIO EXPECT [T_START_US]
# T_START_US: the same command on a 1 KiB file (process start-up); the
# last column is then the ratio of the times without it
SCALE=()
scale() {
	local net=
	if [ -n "${8:-}" ]; then
		net="start-up $(ms "$8") ms; without it **$(ratio $(($5 - $8)) $(($4 - $8)))**"
	fi
	SCALE+=("$(printf '| %s | %s: %s ms | %s: %s ms | %s | **%s** | %s | %s |' "$1" "$2" "$(ms "$4")" "$3" "$(ms "$5")" "$6" "$(ratio "$5" "$4")" "$7" "$net")")
}

HELP=$("$MMHEX" --help 2>&1 || true) # once: grep -q on a pipe + pipefail would race
has_cmd() { grep -qE "^  mmhex $1( |$)" <<<"$HELP"; }

echo "mmhex bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files in $TMP ($(findmnt -no FSTYPE -T "$TMP" 2>/dev/null || echo '?'))"

# --- files ---------------------------------------------------------------
R256="$TMP/random256M"
head -c $((256 << 20)) /dev/urandom >"$R256"
C1G="$TMP/random1G"
for _ in 1 2 3 4; do cat "$R256"; done >"$C1G"
cat "$R256" "$C1G" >/dev/null

# --- dump ----------------------------------------------------------------
echo "== dump (random data, in the page cache, to /dev/null)"
identical() { # identical NAME CMD_A -- CMD_B
	local name=$1
	shift
	local a=() b=()
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	if cmp -s <("${a[@]}") <("${b[@]}"); then echo identical; else echo "DIFFERENT ($name)"; fi
}
SAME_C=$(identical canonical "$MMHEX" dump -s 1001 -n 4M "$R256" -- hexdump -C -s 1001 -n $((4 << 20)) "$R256")
SAME_X=$(identical xxd "$MMHEX" dump --format xxd -s 1001 -n 16M "$R256" -- xxd -s 1001 -l $((16 << 20)) "$R256")
SAME_P=$(identical plain "$MMHEX" dump --format plain -s 1001 -n 16M "$R256" -- xxd -p -s 1001 -l $((16 << 20)) "$R256")

HD_N=$((16 << 20))
XXD_N=$((64 << 20))
t_hd=$(t_us hexdump -C -n "$HD_N" "$R256")
t_xxd=$(t_us xxd -l "$XXD_N" "$R256")
t_xxdp=$(t_us xxd -p -l "$XXD_N" "$R256")
N=$((256 << 20))
t_mc=$(best_us "$RUNS" "$MMHEX" dump "$R256")
t_mx=$(best_us "$RUNS" "$MMHEX" dump --format xxd "$R256")
t_mp=$(best_us "$RUNS" "$MMHEX" dump --format plain "$R256")
s_hd=$(mbps "$HD_N" "$t_hd") s_mc=$(mbps "$N" "$t_mc")
s_xxd=$(mbps "$XXD_N" "$t_xxd") s_mx=$(mbps "$N" "$t_mx")
s_xxdp=$(mbps "$XXD_N" "$t_xxdp") s_mp=$(mbps "$N" "$t_mp")
# the same dumps of 1 KiB, 64 MiB and 1 GiB: time grows with the bytes dumped
t_mc1k=$(best_us "$RUNS" "$MMHEX" dump -n 1k "$R256")
t_mx1k=$(best_us "$RUNS" "$MMHEX" dump --format xxd -n 1k "$R256")
t_mc64=$(best_us "$RUNS" "$MMHEX" dump -n 64M "$R256")
t_mx64=$(best_us "$RUNS" "$MMHEX" dump --format xxd -n 64M "$R256")
t_mc1g=$(best_us "$RUNS" "$MMHEX" dump "$C1G")
t_mx1g=$(best_us "$RUNS" "$MMHEX" dump --format xxd "$C1G")
scale "dump canonical" "64 MiB" "1 GiB" "$t_mc64" "$t_mc1g" 16 "linear (16)" "$t_mc1k"
scale "dump --format xxd" "64 MiB" "1 GiB" "$t_mx64" "$t_mx1g" 16 "linear (16)" "$t_mx1k"
row "dump canonical vs \`hexdump -C\` (MB/s)" "$s_mc" "$s_hd" "$(speedup "$N" "$t_mc" "$HD_N" "$t_hd")x faster, output $SAME_C"
row "dump --format xxd vs \`xxd\` (MB/s)" "$s_mx" "$s_xxd" "$(speedup "$N" "$t_mx" "$XXD_N" "$t_xxd")x faster, output $SAME_X"
row "dump --format plain vs \`xxd -p\` (MB/s)" "$s_mp" "$s_xxdp" "$(speedup "$N" "$t_mp" "$XXD_N" "$t_xxdp")x faster, output $SAME_P"
echo "  hexdump -C ${s_hd} MB/s, xxd ${s_xxd} MB/s, xxd -p ${s_xxdp} MB/s; mmhex canonical ${s_mc}, xxd ${s_mx}, plain ${s_mp} MB/s"

SP64="$TMP/sparse64G"
truncate -s 64G "$SP64"
printf 'end of the 64 GiB file' | dd of="$SP64" bs=1 seek=$(((64 << 30) - 100)) conv=notrunc status=none
"$MMHEX" dump -n 4k "$SP64" >/dev/null
"$MMHEX" dump -s $(((64 << 30) - 4096)) "$SP64" >/dev/null
first=0 last=0
for _ in $(seq 20); do # interleaved, summed
	first=$((first + $(t_us "$MMHEX" dump -n 4k "$SP64")))
	last=$((last + $(t_us "$MMHEX" dump -s $(((64 << 30) - 4096)) "$SP64")))
done
row "dump 4 KiB of a 64 GiB sparse file: last vs first (ms, mean of 20)" "$(ms $((last / 20)))" "$(ms $((first / 20)))" "last/first $(ratio "$last" "$first")"
rm -f "$SP64"

# --- cat -----------------------------------------------------------------
echo "== cat (1 GiB, in the page cache, to /dev/null)"
t_cat=$(best_us "$RUNS" "$MMHEX" cat "$C1G" 0)
t_dd=$(best_us "$RUNS" dd if="$C1G" of=/dev/null bs=1M)
row "\`mmhex cat\` vs \`dd bs=1M\` 1 GiB (MB/s)" "$(mbps $((1 << 30)) "$t_cat")" "$(mbps $((1 << 30)) "$t_dd")" "$(ratio "$t_dd" "$t_cat")x dd's speed"
# search_none FILE: a needle that is not there, so every byte is read
# (mmhex search exits 1 on no match, as grep does: the count tells)
search_none() {
	local out
	out=$("$MMHEX" search --count "$1" 'not-in-random-data-qz8K' 2>/dev/null || true)
	[ "$out" = 0 ]
}
if has_cmd search; then
	head -c 1024 "$R256" >"$TMP/one-kib-random"
	t_s1k=$(best_us "$RUNS" search_none "$TMP/one-kib-random")
	t_s256=$(best_us "$RUNS" search_none "$R256")
	t_s1g=$(best_us "$RUNS" search_none "$C1G")
	scale "search (no match, every byte read)" "256 MiB" "1 GiB" "$t_s256" "$t_s1g" 4 "linear (4)" "$t_s1k"
fi
rm -f "$C1G"

# --- search --------------------------------------------------------------
SEARCH_OUT=
if [ "${SKIP_SEARCH:-0}" = 1 ]; then
	echo "== search: skipped (SKIP_SEARCH=1)"
elif ! has_cmd search; then
	echo "== search: skipped (mmhex has no search command yet)"
elif [ ! -f bench/search.sh ]; then
	echo "== search: skipped (bench/search.sh is missing)"
else
	echo "== search (bench/search.sh)"
	SEARCH_OUT=$(BENCH_DIR="$TMP/search" RUNS="$RUNS" SPARSE_TIMEOUT="${SPARSE_TIMEOUT:-20}" bash bench/search.sh 2>&1) || SEARCH_OUT+=$'\n(bench/search.sh failed)'
	rm -rf "$TMP/search"
	echo "$SEARCH_OUT" | sed 's/^/  /'
fi

# --- open to first frame -------------------------------------------------
F1K="$TMP/one-kib.bin" F2G="$TMP/two-gib.bin" F8G="$TMP/eight-gib.bin" F1T="$TMP/one-tib-sparse.bin"
head -c 1024 /dev/urandom >"$F1K"
for f in "$F2G:2G" "$F8G:8G"; do # allocated (not sparse), written only where patched
	fallocate -l "${f##*:}" "${f%%:*}" 2>/dev/null || truncate -s "${f##*:}" "${f%%:*}"
done
truncate -s 1T "$F1T"

# wait_pane T0 WHAT PATTERN... : wait until the pane shows every PATTERN (ERE
# for grep), print microseconds since T0 (-1 after 10 s).
wait_pane() {
	local t0=$1 what=$2 pane t1 ok p
	shift 2
	while :; do
		pane=$(tmux -S "$TMUX_SOCK" capture-pane -p -t bench 2>/dev/null || true)
		ok=1
		for p in "$@"; do grep -qE -- "$p" <<<"$pane" || { ok=0; break; }; done
		t1=$(now_us)
		[ $ok = 1 ] && break
		if [ $((t1 - t0)) -gt 10000000 ]; then
			echo "$what: not on the pane after 10 s:" >&2
			echo "$pane" >&2
			echo -1
			return
		fi
	done
	echo $((t1 - t0))
}

# open_jump_us FILE : "OPEN JUMP" in microseconds: from starting `mmhex FILE`
# in tmux to the first frame (the file name in the header and the first
# offset row), then from sending Ctrl-End to the frame with the last row.
open_jump_us() {
	local f=$1 name size last t0 open jump
	name=$(basename "$f")
	size=$(stat -c %s "$f")
	last=$(printf '%08x' $(((size - 1) & ~15)))
	tmux -S "$TMUX_SOCK" kill-session -t bench 2>/dev/null || true
	t0=$(now_us)
	tmux -S "$TMUX_SOCK" new-session -d -s bench -x 120 -y 40 "$MMHEX $f"
	# the header shortens a long path in the middle: look for its end
	open=$(wait_pane "$t0" "first frame of $f" "${name: -10}" '^ ?0+  ')
	jump=-1
	if [ "$open" != -1 ] && [ "${MMHEX##*/}" = mmhex ]; then
		t0=$(now_us)
		tmux -S "$TMUX_SOCK" send-keys -t bench C-End
		jump=$(wait_pane "$t0" "last row of $f" "^ ?$last  ")
	fi
	tmux -S "$TMUX_SOCK" kill-session -t bench 2>/dev/null || true
	echo "$open $jump"
}
open_us() { open_jump_us "$1" | cut -d' ' -f1; }

if ! command -v tmux >/dev/null; then
	echo "== open: skipped (tmux is not installed)"
elif ! has_cmd FILE; then
	echo "== open: skipped (mmhex has no editor yet)"
else
	echo "== open to first frame, jump to the end (tmux 120x40, best of $RUNS)"
	# a session that lives for the whole run: killing the last session ends
	# the server, and a new-session racing with that exit fails ("server
	# exited unexpectedly")
	tmux -S "$TMUX_SOCK" new-session -d -s keep -x 80 -y 24 'sleep 86400'
	open_us "$F1K" >/dev/null # warm the binary
	# what tmux and the polling cost: a program that prints a "frame" at once
	FAKE="$TMP/fake-frame.sh"
	cat >"$FAKE" <<'EOF'
#!/bin/sh
printf ' %s\n 00000000  00\n' "$(basename "$1")"
exec sleep 60
EOF
	chmod +x "$FAKE"
	best=
	for _ in $(seq "$RUNS"); do
		t=$(MMHEX=$FAKE open_us "$F1K")
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	TMUX_BASE=$best
	declare -A OPEN JUMP
	for f in "$F1K" "$F2G" "$F1T"; do
		bo= bj=
		for _ in $(seq "$RUNS"); do
			read -r o j < <(open_jump_us "$f")
			if [ -z "$bo" ] || [ "$o" -lt "$bo" ]; then bo=$o; fi
			if [ -z "$bj" ] || [ "$j" -lt "$bj" ]; then bj=$j; fi
		done
		OPEN[$f]=$bo JUMP[$f]=$bj
	done
	row "open to first frame: 1 KiB vs tmux baseline (ms)" "$(ms "${OPEN[$F1K]}")" "$(ms "$TMUX_BASE")" "baseline = a script printing one frame"
	row "open to first frame: 2 GiB vs 1 KiB (ms)" "$(ms "${OPEN[$F2G]}")" "$(ms "${OPEN[$F1K]}")" "2G/1K $(ratio "${OPEN[$F2G]}" "${OPEN[$F1K]}")"
	row "open to first frame: 1 TiB sparse vs 1 KiB (ms)" "$(ms "${OPEN[$F1T]}")" "$(ms "${OPEN[$F1K]}")" "1T/1K $(ratio "${OPEN[$F1T]}" "${OPEN[$F1K]}")"
	row "jump to the end (Ctrl-End) to its frame: 2 GiB vs 1 KiB (ms)" "$(ms "${JUMP[$F2G]}")" "$(ms "${JUMP[$F1K]}")" "2G/1K $(ratio "${JUMP[$F2G]}" "${JUMP[$F1K]}")"
	row "jump to the end (Ctrl-End) to its frame: 1 TiB sparse vs 1 KiB (ms)" "$(ms "${JUMP[$F1T]}")" "$(ms "${JUMP[$F1K]}")" "1T/1K $(ratio "${JUMP[$F1T]}" "${JUMP[$F1K]}")"
	scale "open to first frame" "1 KiB" "2 GiB" "${OPEN[$F1K]}" "${OPEN[$F2G]}" "2097152" "flat (1)"
	scale "open to first frame" "1 KiB" "1 TiB sparse" "${OPEN[$F1K]}" "${OPEN[$F1T]}" "1073741824" "flat (1)"
	scale "jump to the end" "1 KiB" "2 GiB" "${JUMP[$F1K]}" "${JUMP[$F2G]}" "2097152" "flat (1)"
	scale "jump to the end" "1 KiB" "1 TiB sparse" "${JUMP[$F1K]}" "${JUMP[$F1T]}" "1073741824" "flat (1)"
fi
rm -f "$F1T"

# --- patch ---------------------------------------------------------------
DEV=$(findmnt -no SOURCE -T "$TMP" 2>/dev/null | sed 's#^/dev/##; s#\[.*##')
STAT=/sys/class/block/$DEV/stat
sectors_written() { if [ -r "$STAT" ]; then awk '{print $7}' "$STAT"; else echo 0; fi; }

# patch_run FILE OFFSET : "us write_bytes device_bytes" of one one-byte patch.
# write_bytes: the child's I/O accounting, added to the reaping shell's
# /proc/<pid>/io when it exits. device bytes: sectors written on the whole
# device meanwhile (includes the journal and anything else running).
patch_run() {
	local f=$1 off=$2 s0 s1 t0 t1 wb
	sync
	s0=$(sectors_written)
	t0=$(now_us)
	wb=$(bash -c '"$0" patch "$1" "$2" 41 >/dev/null || exit 1; awk "/^write_bytes/ {print \$2}" /proc/$$/io' "$MMHEX" "$f" "$off")
	t1=$(now_us)
	sync
	s1=$(sectors_written)
	echo "$((t1 - t0)) $wb $(((s1 - s0) * 512))"
}
echo "== one-byte patch (msync MS_SYNC)"
declare -A PATCH
for f in "$F2G" "$F8G"; do
	size=$(stat -c %s "$f")
	best=
	for i in $(seq "$RUNS"); do
		read -r t wb dev < <(patch_run "$f" $((size / 2 + i * 40960 + 7)))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t bwb=$wb bdev=$dev; fi
	done
	PATCH[$f]=$best
	label=$([ "$f" = "$F2G" ] && echo "2 GiB" || echo "8 GiB")
	row "one-byte patch of a $label file (ms; bytes written)" "$(ms "$best")" "file $size B" "write_bytes $bwb B; device $bdev B"
done
scale "one-byte patch (msync)" "2 GiB" "8 GiB" "${PATCH[$F2G]}" "${PATCH[$F8G]}" 4 "flat (1)"

# --- draw (Go benchmark) --------------------------------------------------
# one 200x60 frame of the editor into a simulation screen: the demo file
# (4 MiB) vs the last row of a 1 TiB sparse file
if [ "${SKIP_GOBENCH:-0}" = 1 ]; then
	echo "== draw: skipped (SKIP_GOBENCH=1)"
else
	echo "== draw (go test -bench DrawFrame ./view)"
	DRAW=$(go test -run '^$' -bench 'DrawFrame' -benchtime 300x -count 3 ./view 2>&1) || echo "$DRAW" | tail -5 >&2
	# best ns/op of each benchmark
	d_small=$(awk '$1 ~ /^BenchmarkDrawFrame-/ { if (b == "" || $3 < b) b = $3 } END { print b }' <<<"$DRAW")
	d_large=$(awk '$1 ~ /^BenchmarkDrawFrame1TiB-/ { if (b == "" || $3 < b) b = $3 } END { print b }' <<<"$DRAW")
	if [ -n "$d_small" ] && [ -n "$d_large" ]; then
		scale "draw one 200x60 frame (Go benchmark, best of 3)" "4 MiB" "1 TiB sparse" "$((d_small / 1000))" "$((d_large / 1000))" "262144" "flat (1)"
	fi
fi

# --- report --------------------------------------------------------------
echo
echo "| measurement | mmhex | other / baseline | ratio |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "| operation | smaller file | larger file | size ratio | time ratio | expected | |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${SCALE[@]}"
echo
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
