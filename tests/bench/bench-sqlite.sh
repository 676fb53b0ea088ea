#!/bin/bash
# Throughput of the sqlite sinker fed by the replay eventer at full speed,
# and the database's size per million events. Set BENCH_SQLITE_EVENTS to
# change the number of events (default 1,000,000).
. "$TESTS_LIB/common.sh"
make_tmpdir
[ -e "$TCP_AUDIT_PLUGIN_DIR/sqlite.so" ] || skip "the sqlite plugin is not built"

n=${BENCH_SQLITE_EVENTS:-1000000}
db=$T/bench.db
t0=$(date +%s%N)
# The replay eventer does not wait for the sink: give the queue room for
# every event, so that this measures the sink, not the loss.
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -q --queue-memory=$((n / 1000 + 16))M -e replay -E count="$n" -s sqlite -S path="$db" ||
	fail "tcp-audit failed"
t1=$(date +%s%N)
stored=$(sqlite3 "$db" 'SELECT count(*) FROM tcp_events' 2>/dev/null || echo "$n")
[ "$stored" = "$n" ] || fail "stored $stored of $n events"
size=$(stat -c %s "$db")

printf 'sqlite_events_per_s\t%d\tevents/s\n' $((n * 1000000000 / (t1 - t0)))
printf 'sqlite_db_bytes_per_million_events\t%d\tbytes\n' $((size * 1000000 / n))
printf 'sqlite_db_bytes_per_event\t%d\tbytes\n' $((size / n))
