#!/usr/bin/env bash
# bench/search.sh — times `mmhex search` against grep and ripgrep in one run.
#
#   1. two 2 GiB files in the page cache, one match near the end of each:
#      the mmhex binary repeated, and the programs of /usr/bin one after
#      the other; mmhex search --count, grep -c -F -a, rg -c -F -a (rg
#      skipped when not installed). Each file is timed in two states of
#      the page cache:
#        "read"    — written, synced, dropped from the page cache and read
#                    back (cat): how a file you open got into the cache
#                    when it was read from disk; readahead builds large
#                    folios (mostly 2 MiB here);
#        "written" — a copy just made by cat (128 KiB write()s) and synced:
#                    the cache as the writer left it, 64 KiB folios.
#      A mapping's page faults and TLB misses depend on the folio sizes
#      (docs/performance.md ## search); read() hardly does. With root the
#      folio sizes are printed (bench/folios.go).
#   2. a 64 GiB sparse file with one match near the end: the same commands
#      (each stopped after $SPARSE_TIMEOUT seconds).
#   3. dense matches: files of $DENSE_SIZES MiB of "a", pattern "aa" (a
#      match at every byte): mmhex search --count against grep -c, and the
#      listing (mmhex search | cat >/dev/null) against grep -ob | cat
#      >/dev/null (through a pipe: grep stops at the first match when its
#      output is /dev/null; the listings are checked by the tests, not
#      here); reported in ms and
#      matches/s (mmhex's count of matches over each median). grep counts lines (-c: 1) and lists non-overlapping
#      matches (-ob: half of them), so its numbers are the time of reading
#      the same file, not the same answer.
# DENSE_ONLY=1 runs section 3 only.
# Each command runs $RUNS times, interleaved; the best and the median wall
# times are reported, and the ratios other/mmhex of the medians. Before each
# round the file is read again (cat: pages the kernel evicted meanwhile come
# back) and, on a shared machine, the round waits (at most $QUIET_WAIT
# seconds) for a second in which the CPUs were at least 90% idle, so other
# people's builds land in fewer rounds; the load average is printed with
# each case.
#
# Usage: bash bench/search.sh          (RUNS=5 BENCH_DIR=/tmp/mmhex-bench
#                                       QUIET_WAIT=120 KEEP=0)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
DIR=${BENCH_DIR:-/tmp/mmhex-bench}
SPARSE_TIMEOUT=${SPARSE_TIMEOUT:-60}
QUIET_WAIT=${QUIET_WAIT:-120}
NEEDLE='qz8-mmhex-bench-needle-Kx4'
mkdir -p "$DIR"
if [ "$(stat -f -c %T "$DIR")" = tmpfs ]; then
	echo "warning: $DIR is on tmpfs: nothing is read from disk there, so the \"read\" state is the \"written\" one (BENCH_DIR=/var/tmp/mmhex-bench)" >&2
fi
BIN="$DIR/mmhex"
go build -o "$BIN" .

DENSE_SIZES=${DENSE_SIZES:-4 64 200}
DENSE_ONLY=${DENSE_ONLY:-0}
have_rg=1
if ! command -v rg >/dev/null; then
	echo "rg (ripgrep) is not installed: skipped (apt-get install ripgrep)" >&2
	have_rg=0
fi

if [ "$DENSE_ONLY" != 1 ]; then
# --- files ---------------------------------------------------------------
BIG="$DIR/big.bin"
SIZE=$((2 << 30))
if [ ! -f "$BIG" ] || [ "$(stat -c %s "$BIG")" != "$SIZE" ]; then
	echo "making $BIG (2 GiB)..." >&2
	rm -f "$BIG"
	body=$((SIZE - 4096))
	while [ "$(stat -c %s "$BIG" 2>/dev/null || echo 0)" -lt "$body" ]; do
		cat "$BIN" >>"$BIG"
	done
	truncate -s "$body" "$BIG"
	{ printf '%s' "$NEEDLE"; head -c $((4096 - ${#NEEDLE})) /dev/zero; } >>"$BIG"
fi

USR="$DIR/usrbin.bin"
if [ ! -f "$USR" ] || [ "$(stat -c %s "$USR")" != "$SIZE" ]; then
	echo "making $USR (2 GiB of /usr/bin programs)..." >&2
	rm -f "$USR"
	body=$((SIZE - 4096))
	mapfile -t progs < <(find /usr/bin -maxdepth 1 -type f -size +64k | sort)
	for _ in $(seq 1000); do
		for p in "${progs[@]}"; do
			cat "$p" >>"$USR" 2>/dev/null || true
			[ "$(stat -c %s "$USR")" -ge "$body" ] && break 2
		done
	done
	truncate -s "$body" "$USR"
	{ printf '%s' "$NEEDLE"; head -c $((4096 - ${#NEEDLE})) /dev/zero; } >>"$USR"
fi

# The two states of the page cache (see the top).
from_disk() { # FILE: synced, dropped from the page cache, read back
	sync "$1"
	dd if="$1" iflag=nocache count=0 status=none
	cat "$1" >/dev/null
}
written() { # SRC DST: DST a fresh copy by cat, synced (no writeback while timed)
	cat "$1" >"$2"
	sync "$2"
}
from_disk "$BIG"
from_disk "$USR"
written "$BIG" "$DIR/big.written.bin"
written "$USR" "$DIR/usrbin.written.bin"
FOLIOS=
if [ "$(id -u)" = 0 ] && go build -o "$DIR/folios" bench/folios.go 2>/dev/null; then
	FOLIOS="$DIR/folios"
fi

SPARSE="$DIR/sparse64g.bin"
SSIZE=$((64 << 30))
rm -f "$SPARSE"
truncate -s "$SSIZE" "$SPARSE"
printf '%s' "$NEEDLE" | dd of="$SPARSE" bs=1 seek=$((SSIZE - 1000)) conv=notrunc status=none
fi

# --- timing ----------------------------------------------------------------
now() { date +%s%N; }

# quiet: returns after a second in which the CPUs were >= 90% idle, or after
# QUIET_WAIT seconds of waiting for one.
quiet() {
	local a b c d e f g t0 i0 n
	for ((n = 0; n < QUIET_WAIT; n++)); do
		read -r _ a b c d e f g _ </proc/stat
		t0=$((a + b + c + d + e + f + g)) i0=$d
		sleep 1
		read -r _ a b c d e f g _ </proc/stat
		[ $((100 * (d - i0) / (a + b + c + d + e + f + g - t0 + 1))) -ge 90 ] && return
	done
	echo "(no quiet second in ${QUIET_WAIT} s: this round runs under load)" >&2
}

# run NAME EXPECTED CMD... : one timed run; records ms in T_NAME.
declare -A T
run() {
	local name=$1 want=$2
	shift 2
	local t0 t1 out
	t0=$(now)
	out=$("$@" 2>/dev/null || true)
	t1=$(now)
	if [ "$out" != "$want" ]; then
		echo "$name: printed '$out', want '$want' (stopped after the time limit?)" >&2
		T[$name]+=" TIMEOUT"
		return
	fi
	T[$name]+=" $(((t1 - t0) / 1000000))"
}

stats() { # best and median of the numbers in $1 (TIMEOUT counts as the limit)
	tr ' ' '\n' <<<"$1" | grep -v '^$' | sed "s/TIMEOUT/>$((SPARSE_TIMEOUT * 1000))/" | sort -n |
		awk '{a[NR]=$1} END {if (NR==0) {print "- -"; exit} print a[1], a[int((NR+1)/2)]}'
}

report() {
	local base
	base=$(stats "${T[mmhex]}" | cut -d' ' -f2)
	printf '%-8s %10s %10s %14s\n' tool "best ms" "median ms" "median/mmhex"
	for tool in mmhex grep rg; do
		[ -n "${T[$tool]:-}" ] || continue
		read -r best med < <(stats "${T[$tool]}")
		printf '%-8s %10s %10s %14s\n' "$tool" "$best" "$med" "$(awk -v a="${med#>}" -v b="$base" -v gt="${med%%[0-9]*}" 'BEGIN {if (b > 0) printf "%s%.2fx", gt, a / b; else print "-"}')"
	done
}
# dense_section: section 3 (see the top).
dense_section() {
	local mib f n name
	for mib in $DENSE_SIZES; do
		f="$DIR/dense-${mib}m.bin"
		head -c $((mib << 20)) /dev/zero | tr '\0' a >"$f"
		n=$(((mib << 20) - 1))
		T=()
		echo "== dense: $mib MiB of \"a\", pattern \"aa\": $n matches (overlapping), $RUNS runs each ($(date -u +%H:%M) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
		for _ in $(seq "$RUNS"); do
			cat "$f" >/dev/null
			quiet
			run count-mmhex "$n" "$BIN" search --count "$f" aa
			run count-grep 1 grep -c aa "$f"
			run list-mmhex 0 sh -c '"$1" search "$2" aa | cat >/dev/null; echo $?' sh "$BIN" "$f"
			run list-grep 0 sh -c 'grep -ob aa "$1" | cat >/dev/null; echo $?' sh "$f"
		done
		printf '%-34s %10s %10s %16s\n' command "best ms" "median ms" "matches/s (med)"
		for name in count-mmhex count-grep list-mmhex list-grep; do
			read -r best med < <(stats "${T[$name]}")
			printf '%-34s %10s %10s %16s\n' "$(case $name in
				count-mmhex) echo "mmhex search --count" ;; count-grep) echo "grep -c (counts lines: 1)" ;;
				list-mmhex) echo "mmhex search | cat" ;; list-grep) echo "grep -ob | cat (non-overlapping)" ;; esac)" \
				"$best" "$med" "$(awk -v n="$n" -v m="${med#>}" 'BEGIN {if (m > 0) printf "%.0f M", n / m / 1000; else print "-"}')"
		done
		echo "(load after: $(cut -d' ' -f1-3 /proc/loadavg))"
		echo
		rm -f "$f"
	done
}
if [ "$DENSE_ONLY" = 1 ]; then
	dense_section
	exit 0
fi

for f in "$BIG" "$DIR/big.written.bin" "$USR" "$DIR/usrbin.written.bin"; do
	T=()
	state=read
	case $f in *.written.bin) state=written ;; esac
	echo "== 2 GiB in the page cache ($(basename "$f"), state \"$state\"), one match near the end, $RUNS runs each ($(date -u +%H:%M) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
	[ -n "$FOLIOS" ] && "$FOLIOS" "$f"
	for _ in $(seq "$RUNS"); do
		cat "$f" >/dev/null
		quiet
		run mmhex 1 "$BIN" search --count "$f" "$NEEDLE"
		run grep 1 grep -c -F -a "$NEEDLE" "$f"
		[ $have_rg = 1 ] && run rg 1 rg -c -F -a "$NEEDLE" "$f"
	done
	report
	echo "(load after: $(cut -d' ' -f1-3 /proc/loadavg))"
	echo
done

echo "== 64 GiB sparse file, one match near the end ($SPARSE_TIMEOUT s limit each)"
T=()
for _ in $(seq "$RUNS"); do
	quiet
	run mmhex 1 "$BIN" search --count "$SPARSE" "$NEEDLE"
done
run grep 1 timeout "$SPARSE_TIMEOUT" grep -c -F -a "$NEEDLE" "$SPARSE"
[ $have_rg = 1 ] && run rg 1 timeout "$SPARSE_TIMEOUT" rg -c -F -a "$NEEDLE" "$SPARSE"
report
echo "(grep and rg: one run each; >N = stopped at the limit of N ms)"
echo
dense_section

rm -f "$SPARSE"
rm -f "$DIR/big.written.bin" "$DIR/usrbin.written.bin"
[ "${KEEP:-0}" = 1 ] || rm -f "$BIG" "$USR"
