#!/usr/bin/env bash
# bench/compare.sh — times `mmhex diff` against GNU `cmp` in one run.
#
#   1. two identical 1 GiB files in the page cache (random bytes, the second
#      a copy of the first): `mmhex diff --quiet A B` against `cmp A B`
#      (both read every byte of both files: nothing differs).
#   2. two 64 GiB sparse files that differ in one byte near the end (both
#      have a few data blocks, in the same places): `mmhex diff A B`
#      against `cmp A B` (cmp stopped after $SPARSE_TIMEOUT seconds: it
#      reads 128 GiB of zeros).
#   3. peak RSS (ru_maxrss, /usr/bin/time -f %M) of each mmhex run, and in
#      case 1 what next-difference in the editor runs: compare.Next over the
#      same files (BenchmarkNextEnvFiles, no process start).
# Each command runs $RUNS times, interleaved; the best and the median wall
# times are printed, and the ratio cmp/mmhex of the medians. Before each
# round the files are read again (cat: pages the kernel evicted come back).
#
# Usage: bash bench/compare.sh     (RUNS=5 BENCH_DIR=/tmp/mmhex-bench-compare
#                                   SPARSE_TIMEOUT=60 KEEP=0)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
DIR=${BENCH_DIR:-/tmp/mmhex-bench-compare}
SPARSE_TIMEOUT=${SPARSE_TIMEOUT:-60}
mkdir -p "$DIR"
BIN="$DIR/mmhex"
go build -o "$BIN" .
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$DIR"; }
trap cleanup EXIT

# ms CMD...: runs CMD (stdout to /dev/null), prints the wall time in ms.
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# stats NAME TIMES...: best and median.
stats() {
	local name=$1
	shift
	local sorted
	sorted=$(printf '%s\n' "$@" | sort -n)
	local best med
	best=$(echo "$sorted" | head -1)
	med=$(echo "$sorted" | sed -n "$((($# + 1) / 2))p")
	printf '  %-34s best %6d ms   median %6d ms\n' "$name" "$best" "$med"
	echo "$med" >"$DIR/.med-$name"
}

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(cmp --version | head -1)"

A="$DIR/a" B="$DIR/b"
head -c 1G /dev/urandom >"$A"
cp "$A" "$B"
sync
echo "1. two identical 1 GiB files in the page cache"
tm=() tc=()
for _ in $(seq "$RUNS"); do
	cat "$A" "$B" >/dev/null
	tm+=("$(ms "$BIN" diff --quiet "$A" "$B")")
	tc+=("$(ms cmp "$A" "$B")")
done
stats "mmhex diff --quiet" "${tm[@]}"
stats "cmp" "${tc[@]}"
m=$(cat "$DIR/.med-mmhex diff --quiet") c=$(cat "$DIR/.med-cmp")
echo "  cmp / mmhex (medians): $(awk -v c="$c" -v m="$m" 'BEGIN { printf "%.2f", c / (m > 0 ? m : 1) }')"
[ -x /usr/bin/time ] && echo "  mmhex peak RSS: $(rss "$BIN" diff --quiet "$A" "$B") KiB"
# what next-difference in the editor runs (compare.Next from 0, no process start)
cat "$A" "$B" >/dev/null
MMHEX_BENCH_A=$A MMHEX_BENCH_B=$B go test -run XXX -bench NextEnvFiles -benchtime "${RUNS}x" ./mapping/compare |
	awk '/^BenchmarkNextEnvFiles/ { printf "  editor next-difference (compare.Next, mean of %d): %.0f ms\n", $2, $3 / 1e6 }'
rm -f "$A" "$B"

echo "2. two 64 GiB sparse files, one byte differing near the end"
truncate -s 64G "$A" "$B"
for off in 0 $((1 << 30)) $((40 << 30)) $(((64 << 30) - 4096)); do
	printf 'data' | dd of="$A" bs=1 seek=$off conv=notrunc status=none
	printf 'data' | dd of="$B" bs=1 seek=$off conv=notrunc status=none
done
printf 'X' | dd of="$B" bs=1 seek=$(((64 << 30) - 100)) conv=notrunc status=none
echo "  mmhex diff says: $("$BIN" diff "$A" "$B" | tr '\n' ' ')"
tm=()
for _ in $(seq "$RUNS"); do
	tm+=("$(ms "$BIN" diff "$A" "$B")")
done
stats "mmhex diff (64 GiB sparse)" "${tm[@]}"
tc=("$(ms timeout "$SPARSE_TIMEOUT" cmp "$A" "$B")")
stats "cmp (64 GiB sparse, one run)" "${tc[@]}"
[ "${tc[0]}" -ge $((SPARSE_TIMEOUT * 1000)) ] && echo "  cmp stopped after ${SPARSE_TIMEOUT} s"
[ -x /usr/bin/time ] && echo "  mmhex peak RSS: $(rss "$BIN" diff "$A" "$B") KiB"
rm -f "$A" "$B"
