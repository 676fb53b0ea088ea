#!/bin/bash
# A full queue: with a tiny --queue-memory, a store that is down and a
# source that keeps producing, the events that do not fit are lost, and
# that loss is counted and logged, never silent. What the queue held is
# stored once the store is back, and tcp-audit exits 0 when asked to stop.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
make_tmpdir

N=5000
touch "$T/down"
start_tcp_audit -v -e replay -E count=$N -E hold=yes -s "$TP/flaky.so" -S path="$T/out" \
	-S down_while="$T/down" --queue-memory=64K
wait_for "$T/log" "replay: replayed $N events; holding until stopped"
# The queue holds as many events as fit in 64 KiB.
cap=$(sed -nE 's/.*debug: queue: ([0-9]+) events \(([0-9]+) bytes each\).*/\1/p' "$T/log")
size=$(sed -nE 's/.*debug: queue: ([0-9]+) events \(([0-9]+) bytes each\).*/\2/p' "$T/log")
assert_eq "queue capacity" "$cap" "$((65536 / size))"
# The first loss is reported as it happens.
assert_has "$T/log" "warning: queue full: "
assert_has "$T/log" "events lost since the last report; the sink is slower than the source or down (raise --queue-memory, or fix the sink)"
rm "$T/down"
lost=$((N - cap))
# Recovery does not claim that nothing was lost.
wait_for "$T/log" "warning: flaky: the store is available again after [0-9.]+ s and [0-9]+ retries; $lost events were lost since the last stored batch \(see the stats\)"
wait_lines "$T/out" $cap
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status" "$rc" 0
assert_has "$T/log" "warning: stats: read $N, written $cap in "
assert_has "$T/log" ", lost $lost (source 0, queue full $lost, store 0, unflushed at exit 0)"
# Every loss shows in the warnings: their counts add up to the total.
sum=$(sed -nE 's/.*queue full: ([0-9]+) events lost since the last report.*/\1/p' "$T/log" |
	awk '{ s += $1 } END { print s }')
assert_eq "losses in the warnings" "$sum" $lost
# What fitted is stored once, in order: the first $cap events.
awk -v n=$cap 'BEGIN { for (i = 0; i < n; i++) printf "%d %d\n", i, int(i / 4) + 1 }' |
	diff -q - "$T/out" >/dev/null || fail "the stored events are not the first $cap, once, in order"
exit 0
