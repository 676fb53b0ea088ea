#!/bin/bash
# A spool that cannot take everything. (4) A full disk under it (a small
# tmpfs, its free space taken by a filler): the spool says so once, the
# queue overflows into gap records (reason queue_full), nothing crashes,
# and events plus gaps still add up. (5) --spool-max-size reached at exit
# with the store down: what fits waits in the spool, the rest is a gap,
# and the next run's record of the first one is complete. (6) The bound
# reached with --spool-full=drop-oldest: the oldest segments go, each
# recorded as gaps of reason spool, and everything still adds up.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_root
require_cmd python3 mount umount dd
make_tmpdir
mkdir "$T/disk"
mount -t tmpfs -o size=2m tmpfs "$T/disk" || skip "cannot mount a tmpfs"
cleanup() {
	[ -z "${pid:-}" ] || kill -9 "$pid" 2>/dev/null || true
	umount "$T/disk" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# 4. About 1.5 MiB taken of 2: the spool (stopping at 95% of the disk)
# has room for a few thousand events of the 20,000.
dd if=/dev/zero of="$T/disk/filler" bs=1k count=1500 status=none
N=20000
touch "$T/down"
start_tcp_audit -e replay -E count=$N -E rate=5000 -s "$TP/flaky.so" -S path="$T/a.out" \
	-S down_while="$T/down" -S origin=yes --queue-memory=64K --spool-dir="$T/disk/spool" \
	--shutdown-timeout=60s
trap cleanup EXIT  # after start_tcp_audit's own
wait_for "$T/log" "warning: spool: $T/disk/spool is full "
wait_for "$T/log" "queue full: "
rm "$T/down"
wait_tcp_audit
assert_eq "exit status (full disk under the spool)" "$rc" 0
lost=$(stat_of "$T/log" "queue full")
[ "$lost" -gt 0 ] || fail "a full spool lost nothing (the test did not test)"
assert_has "$T/log" "lost $lost (source 0, queue full $lost, refused 0, unflushed at exit 0)"
grep -Eq "spool: [1-9][0-9]* events went through the spool .* it was full [1-9][0-9]* times" "$T/log" ||
	fail "the log does not count the spool's use and its being full"
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/a.out" --complete last --events $N >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the record after a full spool is not complete"; }
cat "$T/verdict"
grep -q "(queue_full)" "$T/verdict" || fail "no queue_full gap"
rm -rf "$T/disk/spool"

# 5. The spool's own bound: 200K hold about 1,300 events.
N=6000
touch "$T/down"
start_tcp_audit -e replay -E count=$N -E hold=yes -s "$TP/flaky.so" -S path="$T/b.out" \
	-S down_while="$T/down" -S origin=yes --spool-max-size=200K --shutdown-timeout=300ms
trap cleanup EXIT
wait_for "$T/log" "replay: replayed $N events; holding until stopped"
wait_for "$T/log" "flaky: cannot store events"
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status (spool bound reached)" "$rc" 0
assert_has "$T/log" "warning: spool: $T/state/spool is full "
first=$(sed -n 's/^run_id=0*//p' "$T/state/run.state")
durable=$(sed -n 's/^durable_seq=0*//p' "$T/state/run.state")
[ "$durable" -gt 0 ] && [ "$durable" -lt $N ] || fail "durable_seq $durable: the spool took none, or all"
assert_has "$T/log" "error: $((N - durable)) events could not be stored before exit (the store was still unavailable); they are recorded as gaps (reason unflushed)"
rm "$T/down"
run_tcp_audit -e replay -E count=10 -s "$TP/flaky.so" -S path="$T/c.out" -S origin=yes 2>"$T/log"
assert_eq "exit status (after a full spool)" "$rc" 0
assert_has "$T/log" "could not store its last $((N - durable)) events before it ended; recorded as a gap"
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/c.out" --complete "$first" --events $N >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the first run is not complete after a full spool"; }
cat "$T/verdict"
grep -q "^run $first state clean last_seq $N events $durable gaps $((N - durable)) (unflushed) unknown 0 verdict complete\$" "$T/verdict" ||
	fail "the first run's record is not its spooled events plus one unflushed gap"

# 6. 400K of spool, segments of 64K (400 events), 15,000 events at 5,000/s.
N=15000
touch "$T/down"
start_tcp_audit -e replay -E count=$N -E rate=5000 -s "$TP/flaky.so" -S path="$T/d.out" \
	-S down_while="$T/down" -S origin=yes --queue-memory=64K --spool-max-size=400K \
	--spool-full=drop-oldest --shutdown-timeout=60s
trap cleanup EXIT
wait_for "$T/log" "warning: spool: full; its oldest segment $T/state/spool/[0-9a-f]+\.seg is dropped \(--spool-full=drop-oldest\): [0-9]+ events of run [0-9]+, recorded as gaps \(reason spool\)"
wait_for "$T/log" "replay: replayed $N events"
rm "$T/down"
wait_tcp_audit
assert_eq "exit status (drop-oldest)" "$rc" 0
dropped=$(sed -n 's/.*; \([0-9]*\) were dropped from it;.*/\1/p' "$T/log")
[ "${dropped:-0}" -gt 0 ] || fail "the log does not say how many events were dropped from the spool"
assert_has "$T/log" ", spool $dropped) in "
run_d=$(sed -n 's/^run_id=0*//p' "$T/state/run.state")
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/d.out" --complete "$run_d" --events $N >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the record after drop-oldest is not complete"; }
cat "$T/verdict"
grep -q "(.*spool.*)" "$T/verdict" || fail "no spool gap after drop-oldest"
# The spool gaps cover exactly the dropped events; the rest arrived in order.
assert_eq "seqs in spool gaps" "$(awk -v id="$run_d" '$1 == "gap" && $2 == id && $5 == 7 { n += $4 } END { print n + 0 }' "$T/d.out")" "$dropped"
grep -v -e '^gap ' -e '^run ' "$T/d.out" | cut -d' ' -f1 | sort -n -c || fail "events out of order after drop-oldest"
exit 0
