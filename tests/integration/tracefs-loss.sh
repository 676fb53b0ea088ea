#!/bin/bash
# Overflow: with the smallest buffer and the reader stopped, a burst of
# connections overruns the kernel's buffer; the loss is logged with a count
# and reported in the processor's statistics as lost at the source.
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
got=$(wc -l <"$T/events.json")
[ $((got + src)) -ge $((conns * 9)) ] ||
	fail "captured $got + lost $src is less than the burst's $conns connections make"
exit 0
