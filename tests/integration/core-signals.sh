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
	assert_eq "events in the file after SIG$sig" "$(lines "$T/out.json")" 20000
	assert_has "$T/log" "stats: read 20000, written 20000 in "
	assert_has "$T/log" ", lost 0 (source 0, queue full 0, store 0, unflushed at exit 0)"
	# Every event once, in order: times are 1 us apart in synthetic events.
	assert_eq "first event (SIG$sig)" "$(head -c 40 "$T/out.json")" '{"time":"2026-01-01T00:00:00.000000000Z"'
	assert_eq "last event (SIG$sig)" "$(tail -n 1 "$T/out.json" | head -c 40)" '{"time":"2026-01-01T00:00:00.019999000Z"'
	assert_eq "distinct events (SIG$sig)" "$(cut -d, -f1 "$T/out.json" | sort -u | wc -l)" 20000
done

# SIGHUP: rotate the file while events keep coming (rate=), then stop.
start_tcp_audit -e replay -E count=1000000 -E rate=500 -s json -S path="$T/rot.json"
wait_lines "$T/rot.json" 10
mv "$T/rot.json" "$T/rot.json.1"
kill -HUP "$pid"
wait_for "$T/log" "sinker 'json' reopened its output"
wait_lines "$T/rot.json" 10
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status after SIGHUP, SIGTERM" "$rc" 0
old=$(lines "$T/rot.json.1")
new=$(lines "$T/rot.json")
written=$(stat_of "$T/log" written)
assert_eq "events in both files" "$((old + new))" "$written"
assert_eq "events read = written" "$(stat_of "$T/log" read)" "$written"
# No event twice, none missing: the files hold events 0..written-1 in order.
cat "$T/rot.json.1" "$T/rot.json" | cut -d'"' -f4 >"$T/times"
awk -v n="$written" 'BEGIN { for (i = 0; i < n; i++) printf "2026-01-01T00:00:00.%09dZ\n", i * 1000 }' |
	diff -q - "$T/times" >/dev/null || fail "rotated files do not hold events 0..$((written - 1)) once, in order"

# A second SIGTERM while the store is down: exit now, and say what was lost.
touch "$T/down"
start_tcp_audit -e replay -E count=5000 -E hold=yes -s "$TP/flaky.so" -S path="$T/flaky.out" \
	-S down_while="$T/down"
wait_for "$T/log" "replay: replayed 5000 events; holding until stopped"
wait_for "$T/log" "flaky: the store is unavailable; holding events in memory and retrying"
kill -TERM "$pid"
wait_for "$T/log" "SIGTERM: stopping; draining the eventer and flushing 5000 queued events"
kill -TERM "$pid"
wait_tcp_audit
# A forced exit is still an orderly one: the loss is logged and counted,
# both plugins are closed, and the status is 0 (stopped on request).
assert_eq "exit status after a second SIGTERM" "$rc" 0
assert_has "$T/log" "warning: second signal: exiting now without waiting for the store"
assert_has "$T/log" "error: 5000 events could not be stored before exit (forced exit)"
assert_has "$T/log" "warning: stats: read 5000, written 0 in 0 batches, queued 5000, "
assert_has "$T/log" ", lost 5000 (source 0, queue full 0, store 0, unflushed at exit 5000)"
assert_eq "events stored while down" "$(lines "$T/flaky.out")" 0
exit 0
