#!/bin/bash
# Rows per second into PostgreSQL, on a private server (tests/lib/pg.sh):
#  - the pgsql sinker fed by the replay eventer (BENCH_PGSQL_EVENTS, 200,000);
#  - the ceiling: a plain COPY of the same rows through psql, into a table
#    with the same columns, constraints and indexes;
#  - one autocommitted INSERT per row, as the original system wrote
#    (BENCH_PGSQL_INSERTS rows, 5,000).
# Prints "metric<TAB>value<TAB>unit" lines, and the ratios.
set -eu
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/pg.sh"
N=${BENCH_PGSQL_EVENTS:-200000}
NI=${BENCH_PGSQL_INSERTS:-5000}
make_tmpdir
pg_start

now_ns() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }

# One run of the sinker into table $1, made before the clock starts so
# that only rows are measured; prints the time in ns and the batches.
sink_run() {
	local start end batches
	"$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=1 -s pgsql \
		-S table="$1" --check --log-level=warning >"$T/log" 2>&1 || { cat "$T/log" >&2; exit 1; }
	start=$(now_ns)
	"$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" --log-level=notice -S table="$1" \
		--queue-memory=$((N * 160 + (16 << 20))) -e replay -E count="$N" -s pgsql 2>"$T/log"
	end=$(now_ns)
	grep -q "stats: read $N, written $N in .*, lost 0 " "$T/log" ||
		{ cat "$T/log" >&2; echo "bench-pgsql: events were lost" >&2; exit 1; }
	[ "$(pg_sql -c "SELECT count(*) FROM $1")" -eq "$N" ] || { echo "bench-pgsql: rows missing" >&2; exit 1; }
	batches=$(sed -n 's/.*written [0-9]* in \([0-9]*\) batches.*/\1/p' "$T/log")
	echo "$((end - start)) $batches"
}
# psql copying the same rows, as text, into a twin table $1.
copy_run() {
	local start end
	pg_sql -c "CREATE TABLE $1 (LIKE tcp_events INCLUDING ALL)"
	start=$(now_ns)
	pg_sql -c "\\copy $1 FROM '$T/rows.txt'"
	end=$(now_ns)
	echo $((end - start))
}
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }

# Each twice, interleaved, keeping the best: the first writes of a new
# server (WAL files, relation extension) and other load on the machine
# would otherwise decide the result.
read -r ns1 batches < <(sink_run tcp_events)
pg_sql -c "\\copy tcp_events TO '$T/rows.txt'"
c1=$(copy_run ceiling1)
read -r ns2 _ < <(sink_run sink2)
c2=$(copy_run ceiling2)
sink=$(rate "$N" "$(min "$ns1" "$ns2")")
copy=$(rate "$N" "$(min "$c1" "$c2")")
printf 'pgsql_replay_rows_per_s\t%s\trows/s\n' "$sink"
printf 'pgsql_rows_per_batch\t%s\trows\n' "$((N / batches))"
printf 'pgsql_psql_copy_rows_per_s\t%s\trows/s\n' "$copy"

# One INSERT per row, each its own transaction and round trip.
pg_sql -c "CREATE TABLE per_row (LIKE tcp_events INCLUDING ALL)"
pg_sql -c "SELECT format('INSERT INTO per_row SELECT (%L::tcp_events).*;', t) FROM tcp_events t LIMIT $NI" >"$T/inserts.sql"
start=$(now_ns)
pg_sql -f "$T/inserts.sql" >/dev/null
end=$(now_ns)
insert=$(rate "$NI" $((end - start)))
printf 'pgsql_insert_per_row_rows_per_s\t%s\trows/s\n' "$insert"

printf 'pgsql_sink_vs_copy\t%s\tpercent\n' "$(awk -v a="$sink" -v b="$copy" 'BEGIN { printf "%.0f", 100 * a / b }')"
printf 'pgsql_sink_vs_insert\t%s\ttimes\n' "$(awk -v a="$sink" -v b="$insert" 'BEGIN { printf "%.1f", a / b }')"
