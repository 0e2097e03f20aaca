#!/usr/bin/env bash
# bench/extents.sh — `mmhex extents` on a file of N extents (issue 14:
# 100 000 extents in under 1 s, output streamed), beside `filefrag -v` on
# the same file in the same run.
#
# Two files on the real filesystem (ext4 here), made by perl (perl-base is
# always there):
#   data        one byte written every 8 KiB, then fsync: N data ranges,
#               N holes and N extents (the worst case for both walks)
#   unwritten   every other 4 KiB preallocated with fallocate(2): N
#               unwritten extents, one hole to SEEK_DATA
# Each command writes to /dev/null; best of RUNS. The first line of output
# is also checked: it must come out before the walk ends (streamed), which
# the script shows as the time to the first line with `head -1`.
#
# Usage: bash bench/extents.sh          N=100000 RUNS=3
#        MMHEX=/path/to/mmhex bash bench/extents.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
RUNS=${RUNS:-3}
TMP=$(mktemp -d "${BENCH_TMP:-/var/tmp}/mmhex-extents.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

MMHEX=${MMHEX:-}
if [ -z "$MMHEX" ]; then
	MMHEX="$TMP/mmhex"
	go build -o "$MMHEX" .
fi
FILEFRAG=$(command -v filefrag || echo /usr/sbin/filefrag)

now_us() { echo "${EPOCHREALTIME/./}"; }
best_us() {
	local n=$1 best= t0 t1 t
	shift
	for _ in $(seq "$n"); do
		t0=$(now_us)
		"$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }
		t1=$(now_us)
		t=$((t1 - t0))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}
ms() { awk -v t="$1" 'BEGIN { printf "%.0f", t / 1000 }'; }

perl -e '
	open(my $f, ">", $ARGV[0]) or die "$ARGV[0]: $!";
	for my $i (0 .. $ARGV[1] - 1) { sysseek($f, $i * 8192, 0); syswrite($f, "x", 1) == 1 or die "write: $!"; }
	truncate($f, $ARGV[1] * 8192) or die; close($f);' "$TMP/data" "$N"
sync "$TMP/data"
# fallocate(2) is syscall 285 on x86_64, 47 on arm64
perl -e '
	my $nr = { x86_64 => 285, aarch64 => 47 }->{(split " ", `uname -m`)[0]} // die "unknown arch";
	open(my $f, ">", $ARGV[0]) or die; my $fd = fileno($f);
	for my $i (0 .. $ARGV[1] - 1) { syscall($nr, $fd, 0, $i * 8192, 4096) == 0 or die "fallocate: $!"; }
	close($f);' "$TMP/unwritten" "$N"

echo "extents of $N-extent files, best of $RUNS, output to /dev/null (ms)"
printf '%-10s %8s %12s %10s %16s\n' file extents "mmhex" "filefrag -v" "mmhex 1st line"
for f in data unwritten; do
	got=$("$MMHEX" extents "$TMP/$f" | tail -1)
	ff=$("$FILEFRAG" -v "$TMP/$f" | tail -1)
	m=$(best_us "$RUNS" "$MMHEX" extents "$TMP/$f")
	m_json=$(best_us "$RUNS" "$MMHEX" extents --json "$TMP/$f")
	ffu=$(best_us "$RUNS" "$FILEFRAG" -v "$TMP/$f")
	t0=$(now_us)
	{ "$MMHEX" extents "$TMP/$f" | head -1 >/dev/null; } || true
	first=$(($(now_us) - t0))
	printf '%-10s %8s %12s %10s %16s   (%s; filefrag: %s; --json %s ms)\n' "$f" "$N" "$(ms "$m")" "$(ms "$ffu")" "$(ms "$first")" "$got" "$ff" "$(ms "$m_json")"
done
