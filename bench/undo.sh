#!/usr/bin/env bash
# bench/undo.sh — how long a reader waits for a large undo (issue 12: long
# jobs off the UI goroutine; mapping stores an undo, redo or revert step in
# 4 MiB parts and lets the file's mutex go to readers between two).
#
# Runs mapping's BenchmarkUndoReaders: the undo and redo (alternately) of a
# 64 MiB fill while another goroutine reads 64 bytes with ReadAt in a loop,
# stored in 4 MiB parts (part=4MiB, what mmhex does) and in one hold of the
# mutex (part=whole, the way before: the reference in the same run). It
# prints MB/s of the step and max-ReadAt-ms, the longest a ReadAt waited,
# with the load and the CPU time (user+sys) of the run.
#
# Usage: bash bench/undo.sh              N=20 RUNS=3
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20}
RUNS=${RUNS:-3}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "CPU: user %U s, sys %S s; wall %e s" \
	go test ./mapping -run '^$' -bench 'BenchmarkUndoReaders' -benchtime="${N}x" -count="$RUNS" 2>&1 |
	grep -E '^(Benchmark|CPU|ok|FAIL)'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
