#!/usr/bin/env bash
# bench/decode.sh — times mmhex decode against readelf in one run (issue 15):
#
#   1. a real 100 MiB ELF file: /usr/bin/ls with a 100 MiB section added
#      (objcopy --add-section): `mmhex decode F --path section_headers
#      --json` (every field of every section header, with its name) against
#      `readelf -S -W F`, and `--path header` against `readelf -h`.
#   2. a 100 MiB ELF with 20 000 sections (bench/mkelf.go, as
#      -ffunction-sections makes them): the same two commands.
#   3. opening the structure panel on a 1 GiB ELF (bench/mkelf.go, 1024 MiB,
#      2000 sections): BenchmarkOpenPanel (view/structure), the key to the
#      first frame with the tree, in the page cache.
# Each command runs $RUNS times, interleaved; the best and the median wall
# times (date +%s%N around each run) are printed, with the ratio of the
# medians and the load average (helpers share 2 cores: medians under load).
#
# Usage: bash bench/decode.sh      (RUNS=15 BENCH_DIR=/var/tmp/mmhex-decode KEEP=0)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-15}
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

# stats TIMES...: "best B ms, median M ms" (from µs).
stats() {
	local best
	best=$(printf '%s\n' "$@" | sort -n | head -1)
	printf 'best %6.2f ms, median %6.2f ms' "$(echo "$best/1000" | bc -l)" "$(echo "$(median "$@")/1000" | bc -l)"
}

compare() { # compare NAME "MMHEX CMD" NAME "OTHER CMD"
	local a=() b=()
	for _ in $(seq "$RUNS"); do
		a+=("$(us $2)")
		b+=("$(us $4)")
	done
	printf '  %-44s %s\n' "$1" "$(stats "${a[@]}")"
	printf '  %-44s %s\n' "$3" "$(stats "${b[@]}")"
	printf '  %s / %s, medians: %.2f   (load %s)\n' "$3" "mmhex" "$(echo "$(median "${b[@]}")/$(median "${a[@]}")" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

REAL="$DIR/real100.elf"
head -c 100M /dev/urandom >"$DIR/blob"
objcopy --add-section .blob="$DIR/blob" --set-section-flags .blob=noload,readonly "$(command -v ls)" "$REAL"
rm -f "$DIR/blob"
MANY="$DIR/many100.elf"
go run bench/mkelf.go "$MANY" 100 20000
BIG="$DIR/big1g.elf"
go run bench/mkelf.go "$BIG" 1024 2000
cat "$REAL" "$MANY" "$BIG" >/dev/null

for f in "$REAL" "$MANY"; do
	echo "$(basename "$f"): $(stat -c %s "$f") bytes, $(readelf -S -W "$f" | grep -c '^ *\[ *[0-9]') sections"
	compare "mmhex decode --path section_headers --json" "$BIN decode $f --path section_headers --json" \
		"readelf -S -W" "readelf -S -W $f"
	compare "mmhex decode --path header" "$BIN decode $f --path header" "readelf -h" "readelf -h $f"
done
echo "structure panel on $(basename "$BIG") ($(stat -c %s "$BIG") bytes):"
MMHEX_BENCH_FILE="$BIG" go test ./view/structure -run XXX -bench BenchmarkOpenPanel -benchtime "${RUNS}x" | grep Benchmark
echo "  (load $(cut -d' ' -f1-3 /proc/loadavg))"
