#!/usr/bin/env bash
# bench/insert.sh — insert 1 MiB in the middle of a 64 GiB file (issue 19).
#
# mmhex insert: FALLOC_FL_INSERT_RANGE moves the extents after the offset
# (no data is copied), plus the journal record and an fdatasync; against
# the dd way of doing the same: copy the prefix, leave 1 MiB of zeros,
# copy the suffix 1 MiB further (conv=sparse keeps the holes as holes, so
# only the data is written; every byte, holes included, is still read).
# The file is sparse with 64 MiB of random data at its start, middle and
# end. Both results are compared with cmp over the data around the
# insertion point and at the end.
#
# Usage: bash bench/insert.sh          SIZE=64G (any size truncate takes)
#        BENCH_TMP=/mnt/xfs bash bench/insert.sh   (the filesystem to test: ext4 or xfs)
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-64G}
TMP=$(mktemp -d "${BENCH_TMP:-/var/tmp}/mmhex-insert.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
go build -o "$TMP/mmhex" .
export XDG_STATE_HOME="$TMP/state"

f="$TMP/big"
truncate -s "$SIZE" "$f"
bytes=$(stat -c %s "$f")
mib=$((bytes / 1048576))
mid=$((mib / 2))
for at in 0 $((mid - 32)) $((mib - 64)); do
	dd if=/dev/urandom of="$f" bs=1M count=64 seek="$at" conv=notrunc status=none
done
sync
cp --sparse=always "$f" "$TMP/orig"
sync

now() { date +%s.%N; }
ms() { echo "($2 - $1) * 1000" | bc -l | xargs printf '%.1f'; }

t0=$(now)
"$TMP/mmhex" insert "$f" $((mid * 1048576)) 1M >/dev/null
t1=$(now)

# dd: prefix, a 1 MiB gap, the suffix moved up; then fdatasync like mmhex.
c="$TMP/copy"
t2=$(now)
dd if="$TMP/orig" of="$c" bs=1M count="$mid" conv=sparse status=none
truncate -s $(((mid + 1) * 1048576)) "$c"
dd if="$TMP/orig" of="$c" bs=1M skip="$mid" seek=$((mid + 1)) conv=sparse,notrunc status=none
sync -d "$c" 2>/dev/null || sync
t3=$(now)

# Both must hold the same bytes where there is data.
for at in $((mid - 32)) $((mid)) $((mib - 63)); do
	cmp -n $((64 * 1048576)) -i $((at * 1048576)):$((at * 1048576)) "$f" "$c"
done
cmp -n $((64 * 1048576)) -i $((mid * 1048576)):$(((mid + 1) * 1048576)) "$TMP/orig" "$c"

fs=$(stat -f -c %T "$TMP")
echo "file: $SIZE ($bytes bytes, 192 MiB of data) on $fs, insert 1 MiB at $((mid)) MiB"
echo "mmhex insert (FALLOC_FL_INSERT_RANGE + journal + fdatasync): $(ms "$t0" "$t1") ms"
echo "dd copy (prefix, gap, suffix; conv=sparse; sync):             $(ms "$t2" "$t3") ms"
