#!/usr/bin/env bash
# bench/replace.sh — times `mmhex replace` (replace all, then MS_SYNC) and
# `mmhex search --regex` against the tools one would use otherwise, in one run.
#
#   1. replace: a 1 GiB file of 1024-byte lines, each holding "RPLC" once
#      (1 Mi matches); `mmhex replace FILE RPLC rplc`
#      (the time includes the msync(MS_SYNC) of every changed page: all
#      262144 pages here) against `LC_ALL=C sed -i s/RPLC/rplc/g` (which
#      rewrites the file into a new one) followed by sync. The file is
#      replaced back between runs with mmhex (not timed). Wall time, and
#      the CPU time (user+sys) of mmhex, which on a loaded machine is the
#      better figure for what the replace costs. The last two lines say
#      the replace's wall and CPU time plainly (the figures to record).
#   2. regex: `mmhex search --regex --count FILE 'RPLC[0-9]*x'` (a
#      literal-prefixed pattern) against `grep -P -c` on the same file
#      (grep counts lines, one match a line here: the same number).
# Each command runs $RUNS times; the best and the median are reported.
#
# Usage: bash bench/replace.sh     (RUNS=3 BENCH_DIR=/var/tmp/mmhex-bench-replace KEEP=0
#                                  SECTIONS="replace regex")
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/var/tmp/mmhex-bench-replace}
mkdir -p "$DIR"
BIN="$DIR/mmhex"
go build -o "$BIN" .
F="$DIR/lines.bin"
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$DIR"; }
trap cleanup EXIT

if [ ! -f "$F" ] || [ "$(stat -c %s "$F")" != 1073741824 ]; then
	python3 - "$F" <<'EOF'
import sys
line = bytearray(b'.' * 1023 + b'\n'); line[100:104] = b'RPLC'
block = bytes(line) * 1024
with open(sys.argv[1], 'wb') as f:
    for _ in range(1024):
        f.write(block)
EOF
	sync
fi
cat "$F" >/dev/null

ms() { awk -v s="$1" -v e="$2" 'BEGIN {printf "%.0f", (e - s) * 1000}'; }
stats() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {printf "%s %s\n", a[1], a[int((NR+1)/2)]}'; }

SECTIONS=${SECTIONS:-replace regex}
if [[ " $SECTIONS " == *" replace "* ]]; then
echo "== replace all: 1 Mi matches in 1 GiB, including the sync (load: $(cut -d' ' -f1-3 /proc/loadavg))"
declare -A T
# A run stopped half-way may have left the file replaced: put it back.
"$BIN" replace "$F" rplc RPLC >/dev/null 2>&1 || true
TM=$(mktemp)
for ((r = 0; r < RUNS; r++)); do
	cat "$F" >/dev/null
	s=$(date +%s.%N)
	/usr/bin/time -o "$TM" -f '%U %S' "$BIN" replace "$F" RPLC rplc >/dev/null
	e=$(date +%s.%N)
	cpu=$(awk '{printf "%.0f", ($1 + $2) * 1000}' "$TM")
	T[mmhex]+=" $(ms "$s" "$e")"
	T[mmhex_cpu]+=" $cpu"
	"$BIN" replace "$F" rplc RPLC >/dev/null
	cat "$F" >/dev/null
	s=$(date +%s.%N)
	LC_ALL=C sed -i 's/RPLC/rplc/g' "$F" && sync "$F"
	e=$(date +%s.%N)
	T[sed]+=" $(ms "$s" "$e")"
	LC_ALL=C sed -i 's/rplc/RPLC/g' "$F"
	cat "$F" >/dev/null
done
printf '%-34s %10s %10s\n' command "best ms" "median ms"
for k in mmhex mmhex_cpu sed; do
	read -r best med < <(stats "${T[$k]}")
	case $k in
	mmhex) name="mmhex replace, WALL" ;;
	mmhex_cpu) name="mmhex replace, CPU (user+sys)" ;;
	sed) name="sed -i + sync, wall" ;;
	esac
	printf '%-34s %10s %10s\n' "$name" "$best" "$med"
done
read -r best med < <(stats "${T[mmhex]}")
echo "replace WALL: best ${best} ms, median ${med} ms (target: under 2000 ms); load after: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r best med < <(stats "${T[mmhex_cpu]}")
echo "replace CPU:  best ${best} ms, median ${med} ms"
# One more run (not timed) with the Go runtime's GC trace: how many GCs
# the replace took and the live heap after the last (the in-memory
# journal of 1 Mi matches: about 48 bytes a match), and the peak RSS
# (which counts the file's mapped pages).
cat "$F" >/dev/null
GODEBUG=gctrace=1 /usr/bin/time -o "$TM" -f '%M' "$BIN" replace "$F" RPLC rplc 2>"$TM.gc" >/dev/null
"$BIN" replace "$F" rplc RPLC >/dev/null
gcs=$(grep -c '^gc ' "$TM.gc" || true)
heap=$(grep '^gc ' "$TM.gc" | tail -1 | sed -n 's/.*->\([0-9]*\) MB, .*/\1/p')
echo "replace heap: ${gcs} GCs, ${heap:-0} MB live after the last GC; max RSS $(($(cat "$TM") / 1024)) MB (the mapped file's pages included)"
rm -f "$TM" "$TM.gc"

fi

if [[ " $SECTIONS " == *" regex "* ]]; then
	echo "== regex count, literal-prefixed pattern, 1 GiB (load: $(cut -d' ' -f1-3 /proc/loadavg))"
	declare -A R
	for ((r = 0; r < RUNS; r++)); do
		s=$(date +%s.%N)
		n1=$("$BIN" search --regex --count "$F" 'RPLC[0-9]*\.')
		e=$(date +%s.%N)
		R[mmhex]+=" $(ms "$s" "$e")"
		s=$(date +%s.%N)
		n2=$(LC_ALL=C grep -P -c 'RPLC[0-9]*\.' "$F")
		e=$(date +%s.%N)
		R[grep]+=" $(ms "$s" "$e")"
		[ "$n1" = "$n2" ] || echo "counts differ: mmhex $n1, grep $n2" >&2
	done
	printf '%-22s %10s %10s\n' command "best ms" "median ms"
	for k in mmhex grep; do
		read -r best med < <(stats "${R[$k]}")
		printf '%-22s %10s %10s\n' "$k" "$best" "$med"
	done
fi
