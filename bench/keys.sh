#!/usr/bin/env bash
# bench/keys.sh — how fast the editor takes typed keys (issue 11, point 8).
#
# Starts the real binary in tmux (120x40) on a file of zero bytes, types N
# random hex digits with `tmux send-keys -l` (typed keys, not a bracketed
# paste) and measures the time from sending until the last byte is in the
# file (the mapping is MAP_SHARED: a store is in the file at once) and until
# the status line shows the cursor past it. The file must then hold exactly
# the typed bytes: any lost or reordered key fails the run.
#
# Baseline: the same keys sent to `head -c N` reading the raw terminal
# (what tmux and the pty cost with no editor at all).
#
# The durable journal goes to $TMP/state (XDG_STATE_HOME), under
# BENCH_TMP (default /var/tmp): the script prints that folder's filesystem
# (the root ext4 here; /dev/shm would make fdatasync free). It also prints
# the editor's CPU time (user+sys, from /proc/PID/stat when the last byte
# is on screen) and the load.
#
# Usage: bash bench/keys.sh            N=8000 RUNS=3 (best of RUNS)
#        N=20000 RUNS=1 bash bench/keys.sh
#        MMHEX=/path/to/mmhex bash bench/keys.sh   (an existing binary)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-8000}
RUNS=${RUNS:-3}
if [ $((N % 2)) -ne 0 ]; then
	echo "bench/keys.sh: N must be even (two hex digits a byte), got $N" >&2
	exit 2
fi
command -v tmux >/dev/null || { echo "bench/keys.sh: tmux is not installed" >&2; exit 2; }

TMP=$(mktemp -d "${BENCH_TMP:-/var/tmp}/mmhex-keys.XXXXXX")
TMUX_SOCK="$TMP/tmux.sock"
cleanup() {
	local pid
	if [ -S "$TMUX_SOCK" ]; then
		# an editor still busy with keys (a failed run): end it by its pid
		pid=$(tmux -S "$TMUX_SOCK" display -p -t bench '#{pane_pid}' 2>/dev/null || true)
		if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ -z "${MMHEX:-}" ]; then
	MMHEX="$TMP/mmhex"
	go build -o "$MMHEX" .
fi

now_us() { echo "${EPOCHREALTIME/./}"; }
tm() { tmux -S "$TMUX_SOCK" "$@"; }

BYTES=$((N / 2))
SIZE=$((BYTES + 4096)) # room after the last byte: the cursor never hits the end
DIGITS=$(head -c "$BYTES" /dev/urandom | od -An -v -tx1 | tr -d ' \n')
WANT="$TMP/want.bin"
printf '%s' "$DIGITS" | xxd -r -p >"$WANT" 2>/dev/null ||
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$DIGITS" >"$WANT"
[ "$(stat -c %s "$WANT")" = "$BYTES" ] || { echo "bench/keys.sh: cannot decode the digits" >&2; exit 2; }

# a session that lives for the whole run (see bench/run.sh)
tm new-session -d -s keep -x 80 -y 24 'sleep 86400'

# wait_for T0 WHAT TEST... : run TEST until it succeeds; microseconds since
# T0, or -1 after 60 s.
wait_for() {
	local t0=$1 what=$2 t1
	shift 2
	while :; do
		if "$@"; then
			t1=$(now_us)
			echo $((t1 - t0))
			return
		fi
		t1=$(now_us)
		if [ $((t1 - t0)) -gt 60000000 ]; then
			echo "$what: not there after 60 s" >&2
			echo -1
			return
		fi
		sleep 0.002
	done
}

# send_digits: type DIGITS into the pane, in commands of 8000 keys (tmux
# refuses a longer command)
send_digits() {
	local i
	for ((i = 0; i < N; i += 8000)); do
		tm send-keys -t bench -l "${DIGITS:i:8000}"
	done
}

file_done() { cmp -s -n "$BYTES" "$WANT" "$1"; }
# the status line starts with the cursor offset, "0xfa0 (4000)", after the last byte
pane_done() { tm capture-pane -p -t bench 2>/dev/null | grep -q "^ *$(printf '0x%x (%d)' "$BYTES" "$BYTES") "; }

# one_run: prints "FILE_US SCREEN_US"
one_run() {
	local f="$TMP/keys.bin" t0 tf ts pane
	tm kill-session -t bench 2>/dev/null || true
	# a new file and a journal folder of its own each run: the last run's
	# editor was ended with unsynced edits, and its durable journal would
	# otherwise greet this run with the recovery prompt (which takes keys)
	rm -f "$f"
	rm -rf "$TMP/state"
	mkdir -m 0700 "$TMP/state"
	head -c "$SIZE" /dev/zero >"$f"
	tm new-session -d -s bench -x 120 -y 40 "XDG_STATE_HOME=$TMP/state exec $MMHEX $f"
	# wait for the first frame
	for _ in $(seq 500); do
		pane=$(tm capture-pane -p -t bench 2>/dev/null || true)
		grep -q '^ *0\+  ' <<<"$pane" && break
		sleep 0.01
	done
	t0=$(now_us)
	send_digits
	tf=$(wait_for "$t0" "the last byte in the file" file_done "$f")
	ts=$(wait_for "$t0" "the cursor past the last byte on screen" pane_done)
	cpu=$(editor_cpu_ms)
	if ! cmp -s -n "$BYTES" "$WANT" "$f"; then
		echo "bench/keys.sh: the file does not hold the typed bytes:" >&2
		cmp -n "$BYTES" "$WANT" "$f" >&2 || true
		exit 1
	fi
	tm kill-session -t bench 2>/dev/null || true
	echo "$tf $ts $cpu"
}

# editor_cpu_ms: the editor's user+sys CPU time so far, in ms (the pane's
# process is mmhex itself: the session's command execs it)
editor_cpu_ms() {
	local pid stat
	pid=$(tm display -p -t bench '#{pane_pid}' 2>/dev/null || true)
	[ -n "$pid" ] && stat=$(cat "/proc/$pid/stat" 2>/dev/null) || { echo -1; return; }
	[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$MMHEX")" ] || { echo -1; return; }
	stat=${stat##*) }
	awk -v t="$(getconf CLK_TCK)" '{ printf "%.0f", ($12 + $13) * 1000 / t }' <<<"$stat"
}

# baseline: the raw terminal read by head, no editor
base_run() {
	local out="$TMP/base.out" t0
	rm -f "$out"
	tm kill-session -t bench 2>/dev/null || true
	tm new-session -d -s bench -x 120 -y 40 "stty raw -echo; head -c $N >$out; sleep 60"
	sleep 0.3
	t0=$(now_us)
	send_digits
	wait_for "$t0" "the baseline's last key" base_done "$out"
	tm kill-session -t bench 2>/dev/null || true
}
base_done() { [ -f "$1" ] && [ "$(stat -c %s "$1")" -ge "$N" ]; }

best() { sort -n | head -1; }
rate() { awk -v n="$N" -v t="$1" 'BEGIN { if (t <= 0) print "n/a"; else printf "%.0f", n / (t / 1e6) }'; }
ms() { awk -v t="$1" 'BEGIN { if (t < 0) print "n/a"; else printf "%.0f", t / 1000 }'; }

FILE_T=() SCREEN_T=() BASE_T=() CPU_T=()
for _ in $(seq "$RUNS"); do
	read -r tf ts cpu < <(one_run)
	FILE_T+=("$tf") SCREEN_T+=("$ts") CPU_T+=("$cpu")
	BASE_T+=("$(base_run)")
done
bf=$(printf '%s\n' "${FILE_T[@]}" | best)
bs=$(printf '%s\n' "${SCREEN_T[@]}" | best)
bb=$(printf '%s\n' "${BASE_T[@]}" | best)

echo "== typed keys: $N hex digits with tmux send-keys -l, 120x40, best of $RUNS"
echo "| measurement | ms | keys/s |"
echo "|---|---|---|"
echo "| last byte in the file | $(ms "$bf") | $(rate "$bf") |"
echo "| cursor past the last byte on screen | $(ms "$bs") | $(rate "$bs") |"
echo "| baseline: \`head -c $N\` on the raw terminal | $(ms "$bb") | $(rate "$bb") |"
echo "runs (file ms): $(for t in "${FILE_T[@]}"; do printf '%s ' "$(ms "$t")"; done)"
echo "editor CPU (user+sys ms, each run): ${CPU_T[*]}"
echo "journal folder: $TMP/state on $(findmnt -n -o FSTYPE --target "$TMP") ($(findmnt -n -o SOURCE --target "$TMP")); load: $(cut -d' ' -f1-3 /proc/loadavg)"
