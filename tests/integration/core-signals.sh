#!/bin/bash
# Signals: SIGTERM and SIGINT drain, flush every event and exit 0; SIGHUP
# makes the json sinker start a new file at its path (log rotation); a
# second SIGTERM while the store is down exits at once and says how many
# events were not stored.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
make_tmpdir

# SIGTERM and SIGINT: replay N events, keep running (hold=yes), stop.
for sig in TERM INT; do
	rm -f "$T/out.json"
	start_tcp_audit -e replay -E count=20000 -E hold=yes -s json -S path="$T/out.json"
	wait_for "$T/log" "replay: replayed 20000 events; holding until stopped"
	kill -"$sig" "$pid"
	wait_tcp_audit
	assert_eq "exit status after SIG$sig" "$rc" 0
	assert_has "$T/log" "notice: SIG$sig: stopping; draining the eventer and flushing"
	assert_eq "events in the file after SIG$sig" "$(events_in "$T/out.json")" 20000
	assert_has "$T/log" "stats: read 20000, written 20000 in "
	assert_has "$T/log" ", lost 0 (source 0, queue full 0, refused 0, unflushed at exit 0) in 0 gap records"
	# Every event once, in order: times are 1 us apart in synthetic events.
	assert_eq "first event (SIG$sig)" "$(event_lines_of "$T/out.json" | head -n 1 | head -c 40)" '{"time":"2026-01-01T00:00:00.000000000Z"'
	assert_eq "last event (SIG$sig)" "$(event_lines_of "$T/out.json" | tail -n 1 | head -c 40)" '{"time":"2026-01-01T00:00:00.019999000Z"'
	assert_eq "distinct events (SIG$sig)" "$(event_lines_of "$T/out.json" | cut -d, -f1 | sort -u | wc -l)" 20000
done

# SIGHUP: rotate the file while events keep coming (rate=), then stop.
start_tcp_audit -e replay -E count=1000000 -E rate=500 -s json -S path="$T/rot.json"
wait_lines "$T/rot.json" 10
mv "$T/rot.json" "$T/rot.json.1"
kill -HUP "$pid"
wait_for "$T/log" "SIGHUP: sinker 'json' reopened its output"
wait_lines "$T/rot.json" 10
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status after SIGHUP, SIGTERM" "$rc" 0
old=$(events_in "$T/rot.json.1")
new=$(events_in "$T/rot.json")
written=$(stat_of "$T/log" written)
assert_eq "events in both files" "$((old + new))" "$written"
assert_eq "events read = written" "$(stat_of "$T/log" read)" "$written"
# No event twice, none missing: the files hold events 0..written-1 in order.
cat "$T/rot.json.1" "$T/rot.json" | grep -v '^{"type":' | cut -d'"' -f4 >"$T/times"
awk -v n="$written" 'BEGIN { for (i = 0; i < n; i++) printf "2026-01-01T00:00:00.%09dZ\n", i * 1000 }' |
	diff -q - "$T/times" >/dev/null || fail "rotated files do not hold events 0..$((written - 1)) once, in order"

# A second SIGTERM while the store is down: exit now, and say what was lost
# (with no spool to keep it; core-spool-restart.sh tests the spool).
touch "$T/down"
start_tcp_audit -e replay -E count=5000 -E hold=yes -s "$TP/flaky.so" -S path="$T/flaky.out" \
	-S down_while="$T/down" --spool-max-size=0
wait_for "$T/log" "replay: replayed 5000 events; holding until stopped"
wait_for "$T/log" "flaky: cannot store events: $T/down exists; keeping them in the queue"
kill -TERM "$pid"
wait_for "$T/log" "SIGTERM: stopping; draining the eventer and flushing 5000 queued events"
kill -TERM "$pid"
wait_tcp_audit
# A forced exit is still an orderly one: the loss is logged and counted,
# both plugins are closed, and the status is 0 (stopped on request).
assert_eq "exit status after a second SIGTERM" "$rc" 0
assert_has "$T/log" "warning: second signal: exiting now without waiting for the store"
assert_has "$T/log" "error: 5000 events could not be stored before exit (forced exit); they are recorded as gaps (reason unflushed)"
assert_has "$T/log" "warning: stats: read 5000, written 0 in 0 batches, queued 0 (at most 5000), "
assert_has "$T/log" ", lost 5000 (source 0, queue full 0, refused 0, unflushed at exit 5000) in 0 gap records"
# The store never took the end of the run: the state file says so, for
# the next run to record.
grep -q '^end_stored=0$' "$T/state/run.state" || fail "run.state does not say the end was not stored"
grep -q '^state=clean' "$T/state/run.state" || fail "run.state does not say the run ended cleanly"
assert_eq "events stored while down" "$(events_in "$T/flaky.out")" 0
exit 0
