#!/bin/bash
# A store that is down says "retry later": the processor holds the batch,
# backs off, and when the store is back every event arrives exactly once,
# in order, and the log shows the retries. A store that fails for good
# stops tcp-audit with exit 74, counting what it could not store.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
make_tmpdir

N=5000
# flaky writes "seq sock" per event; seq counts from 1 in reading order and
# synthetic event i has sock i/4+1.
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) printf "%d %d\n", i + 1, int(i / 4) + 1 }' >"$T/want"

# The store is down from the start, comes back while tcp-audit runs.
touch "$T/down"
start_tcp_audit -e replay -E count=$N -E hold=yes -s "$TP/flaky.so" -S path="$T/a.out" \
	-S down_while="$T/down"
wait_for "$T/log" "warning: flaky: cannot store events: $T/down exists; keeping them in the queue \([0-9]+ now\) and retrying with backoff"
wait_for "$T/log" "replay: replayed $N events; holding until stopped"
assert_eq "events stored while down" "$(events_in "$T/a.out")" 0
rm "$T/down"
wait_for "$T/log" "flaky: stores events again after [0-9.]+ s and [0-9]+ retries; no event was lost meanwhile"
wait_for "$T/a.out" "^$N "
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status" "$rc" 0
diff -q "$T/want" <(event_lines_of "$T/a.out") >/dev/null || fail "events not stored exactly once, in order"
# One outage, one line at each end of it, and none from the sink itself.
assert_eq "outage lines" "$(grep -c "flaky: " "$T/log")" 2
assert_has "$T/log" "stats: read $N, written $N in "
assert_has "$T/log" ", lost 0 (source 0, queue full 0, refused 0, unflushed at exit 0) in 0 gap records"
retried=$(stat_of "$T/log" retried)
[ "$retried" -ge 1 ] || fail "the stats show no retries: $retried"

# The source ends while the store is down: the shutdown waits for the
# store (up to --shutdown-timeout) and still loses nothing.
touch "$T/down"
start_tcp_audit -e replay -E count=$N -s "$TP/flaky.so" -S path="$T/b.out" \
	-S down_while="$T/down" --shutdown-timeout=60s
wait_for "$T/log" "eventer 'replay' reached the end of its events"
wait_for "$T/log" "flaky: cannot store events"
rm "$T/down"
wait_tcp_audit
assert_eq "exit status (source ended during the outage)" "$rc" 0
diff -q "$T/want" <(event_lines_of "$T/b.out") >/dev/null || fail "events not stored exactly once, in order (b)"
assert_has "$T/log" ", lost 0 (source 0, queue full 0, refused 0, unflushed at exit 0) in 0 gap records"
assert_has "$T/log" "no event was lost meanwhile"

# The store stays down past the shutdown timeout, with no spool to keep
# the rest (--spool-max-size=0; core-spool-restart.sh tests the spool):
# the loss is logged.
touch "$T/down"
run_tcp_audit -e replay -E count=$N -s "$TP/flaky.so" -S path="$T/c.out" \
	-S down_while="$T/down" --shutdown-timeout=300ms --spool-max-size=0 2>"$T/log"
assert_eq "exit status (store down past the timeout)" "$rc" 0
assert_has "$T/log" "error: $N events could not be stored before exit (the store was still unavailable); they are recorded as gaps (reason unflushed)"
assert_has "$T/log" ", lost $N (source 0, queue full 0, refused 0, unflushed at exit $N)"
rm "$T/down"

# A store that fails for good (not -EAGAIN), with no spool: exit 74, loss
# counted.
run_tcp_audit -e replay -E count=$N -s "$TP/flaky.so" -S path="$T/d.out" -S fail_after=2000 \
	--spool-max-size=0 2>"$T/log"
assert_eq "exit status (store failed)" "$rc" 74
assert_has "$T/log" "error: flaky: storing events failed; stopping: Input/output error"
written=$(stat_of "$T/log" written)
# Events read after the writer stopped cannot enter the queue: they are
# counted under "queue full", so that every event read is accounted for.
lost=$(stat_of "$T/log" lost)
assert_eq "written + lost" "$((written + lost))" "$(stat_of "$T/log" read)"
assert_eq "events stored before the failure" "$(events_in "$T/d.out")" "$written"
assert_has "$T/log" "error: $(stat_of "$T/log" "unflushed at exit") events could not be stored before exit (the sink failed)"
head -n "$written" "$T/want" | diff -q - <(event_lines_of "$T/d.out") >/dev/null || fail "stored events differ (d)"
exit 0
