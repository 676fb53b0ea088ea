#!/bin/bash
# Overflow: with the smallest buffer and the reader stopped, a burst of
# connections overruns the kernel's buffer; the loss is logged with a count,
# reported in the processor's statistics as lost at the source, and stored
# as gap records of reason "kernel" that add up to the same count: the
# final stats line is the last word, since the eventer stops recording
# before its final drain.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
make_tmpdir
tracefs_dir >/dev/null

start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" -E buffer_size=8K
kill -STOP "$TA_PID"
$CHURN churn 4 1 1 >"$T/churn" || { kill -CONT "$TA_PID"; fail "the load generator failed"; }
kill -CONT "$TA_PID"
stop_capture

read -r conns _ <"$T/churn"
[ "$conns" -ge 500 ] || fail "the burst made only $conns connections"
grep -q "the kernel lost [1-9][0-9]* events" "$T/log" || fail "no loss logged: $(cat "$T/log")"
src=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log")
[ -n "$src" ] && [ "$src" -gt 0 ] || fail "the statistics show no loss at the source: $(cat "$T/log")"
# What was captured plus what was lost covers the burst (about 10 events
# per connection; at least 9 even when a close is simultaneous).
got=$(events_in "$T/events.json")
total=$(sed -n 's/.*the kernel lost [0-9]* events (\([0-9]*\) in all).*/\1/p' "$T/log" | tail -n 1)
assert_eq "the eventer's last count of kernel losses" "$total" "$src"
gaps=$(python3 -c 'import json, sys
print(sum(o["count"] for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "gap" and o["reason"] == "kernel"))' "$T/events.json")
assert_eq "events in kernel gap records" "$gaps" "$src"
[ $((got + src)) -ge $((conns * 9)) ] ||
	fail "captured $got + lost $src is less than the burst's $conns connections make"
exit 0
