#!/bin/bash
# A full disk under the json sinker, freed again: no event twice, no torn
# line, and what the full queue lost meanwhile is in gap records, so that
# events plus gaps still add up to the events generated.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_root
require_cmd python3 mount umount
make_tmpdir
mkdir "$T/disk"
mount -t tmpfs -o size=8m tmpfs "$T/disk" || skip "cannot mount a tmpfs"
cleanup() {
	[ -z "${pid:-}" ] || kill -9 "$pid" 2>/dev/null || true
	umount "$T/disk" 2>/dev/null || true
	rm -rf "$T"
}
# Leave about 200 KiB: room for the first six hundred events or so; once
# the filler is gone, there is room for all of them (about 330 bytes each).
dd if=/dev/zero of="$T/disk/filler" bs=1k count=7992 status=none 2>/dev/null || true

N=15000
# The memory-only path (no spool): what a full queue loses must be gaps.
# core-spool-full.sh tests a full disk under the spool.
start_tcp_audit -e replay -E count=$N -E rate=6000 -s json -S path="$T/disk/out.json" \
	--queue-memory=$((500 * 176)) --shutdown-timeout=60s --spool-max-size=0
trap cleanup EXIT  # after start_tcp_audit's own
wait_for "$T/log" "json: cannot store events: writing to $T/disk/out.json: No space left on device"
wait_for "$T/log" "queue full: "
rm "$T/disk/filler"
wait_for "$T/log" "json: stores events again after [0-9.]+ s and [0-9]+ retries; [0-9]+ events were lost meanwhile, each recorded in a gap record"
wait_for "$T/log" "replay: replayed $N events"
wait_tcp_audit
assert_eq "exit status" "$rc" 0
# Every line is whole JSON (the checker stops at a torn one), no seq is
# stored twice or both stored and in a gap, and all add up to N.
python3 "$TESTS_LIB/completeness.py" "$T/disk/out.json" --complete last --events $N >"$T/verdict" ||
	{ cat "$T/verdict" >&2; cp "$T/disk/out.json" "${TMPDIR:-/tmp}/core-enospc-failed.json" || true;
	  fail "the record after a full disk is not complete (the file: ${TMPDIR:-/tmp}/core-enospc-failed.json)"; }
cat "$T/verdict"
grep -q "(queue_full)" "$T/verdict" || fail "the full disk lost nothing to a full queue (the test did not test)"
exit 0
