#!/bin/bash
# A full queue: with a tiny --queue-memory, a store that is down and a
# source that keeps producing, the events that do not fit are lost, and
# that loss is counted, logged and stored as a gap record, never silent. What the queue held is
# stored once the store is back, and tcp-audit exits 0 when asked to stop.
# This is the memory-only path (--spool-max-size=0); core-spool.sh shows
# that with the spool the same outage loses nothing.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
make_tmpdir

N=5000
touch "$T/down"
start_tcp_audit -v -e replay -E count=$N -E hold=yes -s "$TP/flaky.so" -S path="$T/out" \
	-S down_while="$T/down" --queue-memory=64K --spool-max-size=0
wait_for "$T/log" "replay: replayed $N events; holding until stopped"
# The queue holds as many events as fit in 64 KiB.
cap=$(sed -nE 's/.*debug: queue: ([0-9]+) events \(([0-9]+) bytes each\).*/\1/p' "$T/log")
size=$(sed -nE 's/.*debug: queue: ([0-9]+) events \(([0-9]+) bytes each\).*/\2/p' "$T/log")
assert_eq "queue capacity" "$cap" "$((65536 / size))"
# The first loss is reported as it happens.
assert_has "$T/log" "warning: queue full: "
assert_has "$T/log" "events lost since the last report (recorded as gaps); the sink is slower than the source or down (raise --queue-memory, or fix the sink)"
rm "$T/down"
lost=$((N - cap))
# The end of the outage is logged. It counts the events lost since the
# outage began, which is when a write was first refused: the reader may
# have filled the queue before that, so the count is not asserted here;
# the stats line and the gap record below account for every one.
wait_for "$T/log" "flaky: stores events again after [0-9.]+ s and [0-9]+ retries; "
wait_for "$T/out" "^gap "
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status" "$rc" 0
assert_has "$T/log" "warning: stats: read $N, written $cap in "
assert_has "$T/log" ", lost $lost (source 0, queue full $lost, refused 0, unflushed at exit 0) in 1 gap records"
# Every loss shows in the warnings: their counts add up to the total.
sum=$(sed -nE 's/.*queue full: ([0-9]+) events lost since the last report.*/\1/p' "$T/log" |
	awk '{ s += $1 } END { print s }')
assert_eq "losses in the warnings" "$sum" $lost
# What fitted is stored once, in order: the first $cap events (seq from 1).
awk -v n=$cap 'BEGIN { for (i = 0; i < n; i++) printf "%d %d\n", i + 1, int(i / 4) + 1 }' |
	diff -q - <(event_lines_of "$T/out") >/dev/null || fail "the stored events are not the first $cap, once, in order"
# The store has the loss: one gap over exactly the lost seqs (reason 3,
# queue_full), and the run's clean end with its last seq, so that rows
# plus gaps add up to it.
run=$(awk '$1 == "run" { print $2; exit }' "$T/out")
assert_eq "gap records" "$(grep '^gap ' "$T/out")" "gap $run $((cap + 1)) $lost 3"
assert_eq "run end" "$(grep '^run ' "$T/out" | tail -n 1)" "run $run 2 $N 0"
exit 0
