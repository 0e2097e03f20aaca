#!/usr/bin/env bash
# bench/stdin.sh — times mmhex reading a pipe (dump, search, hash, diff)
# against the tools people pipe into (xxd, hexdump -C, grep -c, sha256sum,
# cmp -l), in one run. The input is a file of $SIZE_MIB MiB in the page cache, given to
# every program through `cat FILE |`, so each reads a pipe; the output goes
# to /dev/null through a pipe (| cat >/dev/null). Each command runs $RUNS
# times, interleaved; the best and the median wall times are printed, and
# the ratio other/mmhex of the medians. The mmhex file case (the same
# command on the file, mapped) is printed beside it: what a pipe costs.
#
# Usage: bash bench/stdin.sh        (SIZE_MIB=512 RUNS=5 BENCH_DIR=/tmp/mmhex-bench-stdin)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-512}
RUNS=${RUNS:-5}
dir=${BENCH_DIR:-/tmp/mmhex-bench-stdin}
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
bin="$dir/mmhex"
go build -o "$bin" .
f="$dir/data.bin"
head -c "$((SIZE_MIB << 20))" /dev/urandom >"$f"
cat "$f" >/dev/null
# g: f with a byte changed every MiB (the other side of diff)
g="$dir/other.bin"
cp "$f" "$g"
for i in $(seq 0 $((SIZE_MIB - 1))); do
	printf 'x' | dd of="$g" bs=1 seek=$(((i << 20) + 12345)) conv=notrunc status=none
done

# time_ms CMD: wall time of one run in ms
time_ms() {
	local t0 t1
	t0=$(date +%s%N)
	bash -c "$1" >/dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "%d %d\n", a[1], a[int((NR+1)/2)]}'; }

echo "stdin: $SIZE_MIB MiB through a pipe, $RUNS runs, load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
printf '%-34s %8s %8s   %-30s %8s %8s %7s   %s\n' mmhex best med other best med ratio "mmhex on the file (med)"
while IFS='|' read -r name mine theirs file; do
	m=() o=() fm=()
	for _ in $(seq "$RUNS"); do
		m+=("$(time_ms "cat '$f' | $mine | cat >/dev/null")")
		o+=("$(time_ms "cat '$f' | $theirs | cat >/dev/null")")
		fm+=("$(time_ms "$file | cat >/dev/null")")
	done
	read -r mb mm < <(printf '%s\n' "${m[@]}" | stats)
	read -r ob om < <(printf '%s\n' "${o[@]}" | stats)
	read -r _ fmm < <(printf '%s\n' "${fm[@]}" | stats)
	printf '%-34s %8d %8d   %-30s %8d %8d %7.2f   %d\n' "$name" "$mb" "$mm" "$theirs" "$ob" "$om" "$(echo "$om / $mm" | bc -l)" "$fmm"
done <<LIST
dump (canonical)|$bin dump|hexdump -C|$bin dump $f
dump --format xxd|$bin dump --format xxd|xxd|$bin dump --format xxd $f
search --count --hex 'de ad be ef'|$bin search --count --hex 'de ad be ef'|grep -c -F -a \$'\\xde\\xad\\xbe\\xef'|$bin search $f --count --hex 'de ad be ef'
hash (sha256)|$bin hash|sha256sum|$bin hash $f
diff --bytes - OTHER|$bin diff --bytes - $g|cmp -l - $g|$bin diff --bytes $f $g
LIST
