#!/usr/bin/env bash
# bench/shape.sh — times mmhex strings, hash and entropy against the tools
# people use, in one run (issue 16):
#
#   strings  256 MiB of /usr/bin programs in the page cache:
#            mmhex strings -t x   vs  strings -a -t x   (outputs compared first)
#   hash     the same file: mmhex hash vs sha256sum, --algo md5 vs md5sum,
#            --algo crc32 (no coreutils tool computes CRC-32/IEEE)
#   entropy  1 GiB in the page cache (the programs repeated): mmhex entropy
#            (64 KiB blocks); a 1 TiB sparse file with 8 MiB of data:
#            --block 1G and the default 64 KiB blocks (16 Mi lines)
#
# Each command runs $RUNS times, interleaved; the best and the median wall
# times are printed with the ratio of the medians; the load average with
# each case (8 helpers share 2 cores here: medians under load).
# Usage: bash bench/shape.sh        (RUNS=5 BENCH_DIR=/var/tmp/mmhex-shape KEEP=0)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DIR=${BENCH_DIR:-/var/tmp/mmhex-shape}
mkdir -p "$DIR"
BIN="$DIR/mmhex"
go build -o "$BIN" .

USR="$DIR/usrbin256.bin"
if [ ! -f "$USR" ] || [ "$(stat -c %s "$USR")" != $((256 << 20)) ]; then
	mapfile -t progs < <(find /usr/bin -maxdepth 1 -type f -size +64k | sort)
	: >"$USR"
	while [ "$(stat -c %s "$USR")" -lt $((256 << 20)) ]; do
		for p in "${progs[@]}"; do cat "$p" >>"$USR" 2>/dev/null || true; done
	done
	truncate -s $((256 << 20)) "$USR"
fi
GIB="$DIR/gib.bin"
if [ ! -f "$GIB" ] || [ "$(stat -c %s "$GIB")" != $((1 << 30)) ]; then
	for _ in 1 2 3 4; do cat "$USR"; done >"$GIB"
fi
TERA="$DIR/tera.bin"
rm -f "$TERA"
truncate -s 1T "$TERA"
for k in 0 100 200 300 400 500 600 700; do
	head -c 1M "$USR" | dd of="$TERA" bs=1M seek=$((k * 1024 + 3)) conv=notrunc status=none
done
cat "$USR" "$GIB" >/dev/null

now() { date +%s%N; }
declare -A T
timeit() { # NAME CMD...: one run, output to /dev/null
	local name=$1 t0
	shift
	t0=$(now)
	"$@" >/dev/null
	T[$name]+=" $((($(now) - t0) / 1000000))"
}
stats() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[1], a[int((NR+1)/2)]}'; }
report() { # BASE OTHER...
	local base med best
	read -r _ base < <(stats "${T[$1]}")
	printf '  %-34s %8s %10s %8s\n' command "best ms" "median ms" "ratio"
	for n in "$@"; do
		read -r best med < <(stats "${T[$n]}")
		printf '  %-34s %8s %10s %8s\n' "$n" "$best" "$med" "$(awk -v a="$med" -v b="$base" 'BEGIN {printf "%.2fx", a / b}')"
	done
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== strings: 256 MiB of /usr/bin programs in the page cache ($(date -u +%H:%M) UTC, load $(load))"
cmp <("$BIN" strings -t x "$USR") <(strings -a -t x "$USR") && echo "  outputs identical ($("$BIN" strings -t x "$USR" | wc -c) bytes)"
T=()
for _ in $(seq "$RUNS"); do
	timeit "mmhex strings -t x" "$BIN" strings -t x "$USR"
	timeit "strings -a -t x" strings -a -t x "$USR"
done
report "mmhex strings -t x" "strings -a -t x"

echo "== hash: the same file ($(date -u +%H:%M) UTC, load $(load))"
[ "$("$BIN" hash "$USR")" = "$(sha256sum "$USR")" ] && echo "  sha256 identical"
T=()
for _ in $(seq "$RUNS"); do
	timeit "mmhex hash (sha256)" "$BIN" hash "$USR"
	timeit "sha256sum" sha256sum "$USR"
	timeit "mmhex hash --algo md5" "$BIN" hash --algo md5 "$USR"
	timeit "md5sum" md5sum "$USR"
	timeit "mmhex hash --algo crc32" "$BIN" hash --algo crc32 "$USR"
done
report "mmhex hash (sha256)" "sha256sum" "mmhex hash --algo md5" "md5sum" "mmhex hash --algo crc32"

echo "== entropy: 1 GiB in the page cache, 64 KiB blocks; 1 TiB sparse with 8 MiB of data ($(date -u +%H:%M) UTC, load $(load))"
T=()
for _ in $(seq "$RUNS"); do
	cat "$GIB" >/dev/null
	timeit "mmhex entropy 1 GiB" "$BIN" entropy "$GIB"
	timeit "mmhex entropy 1 TiB --block 1G" "$BIN" entropy --block 1G "$TERA"
	timeit "mmhex entropy 1 TiB (16 Mi lines)" "$BIN" entropy "$TERA"
done
report "mmhex entropy 1 GiB" "mmhex entropy 1 TiB --block 1G" "mmhex entropy 1 TiB (16 Mi lines)"
echo "(load after: $(load))"

rm -f "$TERA"
[ "${KEEP:-0}" = 1 ] || rm -f "$USR" "$GIB" "$BIN"
