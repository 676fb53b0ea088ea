#!/bin/bash
# Throughput of the sqlite sinker fed by the replay eventer at full speed,
# and the database's size per event; beside it, the reference: the sqlite3
# CLI importing the same rows (CSV, one transaction) into the same table
# and indexes, with the sinker's pragmas. Set BENCH_SQLITE_EVENTS to change
# the number of events (default 1,000,000).
. "$TESTS_LIB/common.sh"
make_tmpdir
[ -e "$TCP_AUDIT_PLUGIN_DIR/sqlite.so" ] || skip "the sqlite plugin is not built"
require_cmd sqlite3

n=${BENCH_SQLITE_EVENTS:-1000000}
db=$T/bench.db
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
t0=$(date +%s%N)
# The replay eventer does not wait for the sink: give the queue room for
# every event, and the drain at its end all the time it needs, so that
# this measures the sink, not the loss.
"$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" -q --queue-memory=$((n / 1000 + 16))M --shutdown-timeout=1h \
	-e replay -E count="$n" -s sqlite -S path="$db" || fail "tcp-audit failed"
t1=$(date +%s%N)
stored=$(sqlite3 "$db" 'SELECT count(*) FROM tcp_events' 2>/dev/null || echo "$n")
[ "$stored" = "$n" ] || fail "stored $stored of $n events"
size=$(stat -c %s "$db")

# The reference, timed from an empty file with the schema in place.
sqlite3 -csv "$db" 'SELECT * FROM tcp_events' >"$T/rows.csv"
sqlite3 "$T/ref.db" "PRAGMA journal_mode = WAL;" >/dev/null
sqlite3 "$db" '.schema tcp_events' | sqlite3 "$T/ref.db"
t2=$(date +%s%N)
sqlite3 "$T/ref.db" "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;" \
	".import --csv $T/rows.csv tcp_events" || fail "the sqlite3 import failed"
t3=$(date +%s%N)
[ "$(sqlite3 "$T/ref.db" 'SELECT count(*) FROM tcp_events')" = "$n" ] ||
	fail "the reference imported a different count"

sink=$(rate "$n" $((t1 - t0)))
ref=$(rate "$n" $((t3 - t2)))
printf 'sqlite_events_per_s\t%d\tevents/s\n' "$sink"
printf 'sqlite_cli_import_rows_per_s\t%d\trows/s\n' "$ref"
printf 'sqlite_sink_vs_cli_import\t%s\tratio\n' "$(awk -v a="$sink" -v b="$ref" 'BEGIN { printf "%.2f", a / b }')"
printf 'sqlite_db_bytes_per_million_events\t%d\tbytes\n' $((size * 1000000 / n))
printf 'sqlite_db_bytes_per_event\t%d\tbytes\n' $((size / n))
