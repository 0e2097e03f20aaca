#!/usr/bin/env bash
# bench/decode.sh — times mmhex decode against readelf in one run (issue 15:
# "decoding all section headers of a 100 MiB ELF takes under the time
# readelf -S takes"):
#
#   1. a real 100 MiB ELF file: /usr/bin/ls with a 100 MiB section added
#      (objcopy --add-section): `mmhex decode F --path section_headers
#      --json` (every field of every section header, with its name) against
#      `readelf -S -W F`, and `--path header` against `readelf -h`.
#   2. a 100 MiB ELF with 20 000 sections (bench/mkelf.go, as
#      -ffunction-sections makes them): the same two commands.
#   3. the start-up floor: `mmhex --version` (the same binary doing nothing)
#      and a Go program that only prints a line, against `readelf -h`.
#   4. opening the structure panel on a 1 GiB ELF (bench/mkelf.go, 1024 MiB,
#      2000 sections): BenchmarkOpenPanel (view/structure), the key to the
#      first frame with the tree, in the page cache.
# Each command runs $RUNS times, interleaved with its competitor; printed:
# the best and the median wall time (date +%s%N around each run), the CPU
# time per run (user+sys: perf stat's task-clock over $RUNS more runs, or
# bash's time), the ratio of the medians, a verdict line per comparison,
# and the load average (medians are only meaningful on an idle machine). With hyperfine
# installed it also runs hyperfine on the two section-header comparisons.
#
# Usage: bash bench/decode.sh      (RUNS=31 BENCH_DIR=/var/tmp/mmhex-decode KEEP=0)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-31}
DIR=${BENCH_DIR:-/var/tmp/mmhex-decode}
mkdir -p "$DIR"
BIN="$DIR/mmhex"
go build -o "$BIN" .
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$DIR"; }
trap cleanup EXIT

# us CMD...: runs CMD (stdout to /dev/null), prints the wall time in µs.
us() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}

# median TIMES...: the median.
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
best() { printf '%s\n' "$@" | sort -n | head -1; }
ms() { echo "$1" | awk '{ printf "%.2f", $1 / 1000 }'; }

# cpu CMD...: CPU ms per run (user+sys): perf stat's task-clock over
# $RUNS runs when perf works, else bash's time over a loop of $RUNS runs
# (which adds the loop's forks to both sides).
cpu() {
	local t
	if t=$(perf stat -x, -e task-clock -r "$RUNS" "$@" 2>&1 >/dev/null) && [[ $t == *task-clock* ]]; then
		echo "$t" | awk -F, '/task-clock/ { printf "%.2f", $1 }'
		return
	fi
	local TIMEFORMAT='%3U %3S'
	{ time (for _ in $(seq "$RUNS"); do "$@" >/dev/null 2>&1 || true; done); } 2>&1 |
		tail -1 | awk -v n="$RUNS" '{ printf "%.2f", ($1 + $2) * 1000 / n }'
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# compare WHAT NAME_A "CMD A" NAME_B "CMD B": A is mmhex's, B the competitor's.
compare() {
	local what=$1 na=$2 ca=$3 nb=$4 cb=$5 a=() b=()
	for _ in $(seq "$RUNS"); do
		a+=("$(us $ca)")
		b+=("$(us $cb)")
	done
	local ma mb pa pb
	ma=$(median "${a[@]}") mb=$(median "${b[@]}")
	pa=$(cpu $ca) pb=$(cpu $cb)
	printf '  %-46s best %7s ms  median %7s ms  CPU %7s ms/run\n' "$na" "$(ms "$(best "${a[@]}")")" "$(ms "$ma")" "$pa"
	printf '  %-46s best %7s ms  median %7s ms  CPU %7s ms/run\n' "$nb" "$(ms "$(best "${b[@]}")")" "$(ms "$mb")" "$pb"
	local verdict="NOT MET"
	[ "$ma" -lt "$mb" ] && verdict="MET"
	printf '  => %s: %s / %s: median wall %s, CPU %s  (target < 1 on the median wall: %s; load %s)\n' "$what" "${na%% *}" "${nb%% *}" \
		"$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }')" \
		"$(awk -v a="$pa" -v b="$pb" 'BEGIN { printf (b > 0 ? "%.2f" : "?"), a / (b > 0 ? b : 1) }')" "$verdict" "$(load)"
}

echo "# $(date -u '+%F %T UTC'), $(nproc) CPUs, load $(load), $(readelf --version | head -1), $RUNS runs each"
REAL="$DIR/real100.elf"
head -c 100M /dev/urandom >"$DIR/blob"
objcopy --add-section .blob="$DIR/blob" --set-section-flags .blob=noload,readonly "$(command -v ls)" "$REAL"
rm -f "$DIR/blob"
MANY="$DIR/many100.elf"
go run bench/mkelf.go "$MANY" 100 20000
BIG="$DIR/big1g.elf"
go run bench/mkelf.go "$BIG" 1024 2000
cat "$REAL" "$MANY" "$BIG" >/dev/null
HELLO="$DIR/hello"
mkdir -p "$DIR/hello.src"
printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' >"$DIR/hello.src/main.go"
(cd "$DIR/hello.src" && printf 'module hello\n\ngo 1.21\n' >go.mod && go build -o "$HELLO" .)

for f in "$REAL" "$MANY"; do
	n=$(readelf -S -W "$f" | grep -c '^ *\[ *[0-9]')
	echo "$(basename "$f"): $(stat -c %s "$f") bytes, $n sections"
	compare "section headers of $(basename "$f")" \
		"mmhex decode --path section_headers --json" "$BIN decode $f --path section_headers --json" \
		"readelf -S -W" "readelf -S -W $f"
	compare "file header of $(basename "$f")" \
		"mmhex decode --path header" "$BIN decode $f --path header" \
		"readelf -h" "readelf -h $f"
	if command -v hyperfine >/dev/null; then
		hyperfine -N --warmup 3 --runs "$RUNS" "$BIN decode $f --path section_headers --json" "readelf -S -W $f" 2>&1 | sed 's/^/  | /'
	fi
done
echo "start-up floor (no decoding):"
compare "mmhex doing nothing" "mmhex --version" "$BIN --version" "readelf -h" "readelf -h $REAL"
compare "a Go program that prints a line" "hello (Go, $(go env GOVERSION))" "$HELLO" "readelf -h" "readelf -h $REAL"
echo "structure panel on $(basename "$BIG") ($(stat -c %s "$BIG") bytes):"
MMHEX_BENCH_FILE="$BIG" go test ./view/structure -run XXX -bench BenchmarkOpenPanel -benchtime "${RUNS}x" | grep Benchmark
echo "  (load $(load))"
