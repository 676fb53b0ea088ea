#!/bin/bash
# Events per second into PostgreSQL, on a private server (tests/lib/pg.sh):
#  - the pgsql sinker fed by the replay eventer (BENCH_PGSQL_EVENTS,
#    500,000), into the shipped schema (events and tcp_connections), with
#    the client's (tcp-audit's) and the server's CPU time per event, and the
#    archive's bytes per event;
#  - the reference: psql's \copy of the same rows (the events and the
#    connections the sinker stored) into the same schema, made fresh from
#    the shipped DDL file;
#  - two psql \copy streams at once, each with half of those rows, into
#    one fresh schema: beside one stream, it says whether one connection
#    (which the sinker uses) is what bounds the rate;
#  - one autocommitted INSERT per row, as the original system wrote
#    (BENCH_PGSQL_INSERTS rows, 5,000).
# Prints "metric<TAB>value<TAB>unit" lines, and the ratios, to the
# references and to the goals of issue 14 (250,000 events/s, 90% of a
# COPY, 150 bytes an event in the whole archive).
set -eu
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/pg.sh"
N=${BENCH_PGSQL_EVENTS:-500000}
NI=${BENCH_PGSQL_INSERTS:-5000}
DDL=$top_srcdir/plugins/pgsql/tcp-audit-pgsql.sql
make_tmpdir
pg_start

now_ns() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
per_event() { awk -v n="$1" -v v="$2" 'BEGIN { printf "%.2f", v / n }'; }
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }

# The server's CPU time so far, in µs: the postmaster, its live children,
# and the children it has reaped (a backend that ended).
server_cpu_us() {
	local pm hz
	pm=$(head -n 1 "$PGDIR/data/postmaster.pid")
	hz=$(getconf CLK_TCK)
	{
		awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
		for c in $(cat "/proc/$pm/task/$pm/children"); do
			awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || true
		done
	} | awk -v hz="$hz" '{ t += $1 } END { printf "%.0f", t * 1e6 / hz }'
}

# A schema made from the shipped DDL file, as a DBA would.
make_schema() {
	pg_sql -v schema="$1" -v table=tcp_events -v view=tcp_events_named -v partition= -1 \
		-f "$DDL" >/dev/null
}

# One run of the sinker into schema $1, made before the clock starts so
# that only rows are measured; prints ns, batches, client and server CPU µs.
sink_run() {
	local start end batches s0 s1
	"$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=1 -s pgsql \
		-S schema="$1" --check --log-level=warning >"$T/log" 2>&1 || { cat "$T/log" >&2; exit 1; }
	s0=$(server_cpu_us)
	start=$(now_ns)
	/usr/bin/time -f '%U %S' -o "$T/client" "$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" \
		--log-level=notice --shutdown-timeout=600s -S schema="$1" ${BENCH_PGSQL_SINK_ARGS:-} --queue-memory=$((N * 160 + (16 << 20))) \
		-e replay -E count="$N" -s pgsql 2>"$T/log"
	end=$(now_ns)
	# The backend's time reaches the postmaster's once it has been reaped.
	while [ "$(pg_sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tcp-audit'")" != 0 ]; do
		sleep 0.1
	done
	sleep 0.5
	s1=$(server_cpu_us)
	grep -q "stats: read $N, written $N in .*, lost 0 " "$T/log" ||
		{ cat "$T/log" >&2; echo "bench-pgsql: events were lost" >&2; exit 1; }
	[ "$(pg_sql -c "SELECT count(*) FROM $1.tcp_events")" -eq "$N" ] ||
		{ echo "bench-pgsql: rows missing" >&2; exit 1; }
	batches=$(sed -n 's/.*written [0-9]* in \([0-9]*\) batches.*/\1/p' "$T/log")
	echo "$((end - start)) $batches $(awk '{ printf "%.0f", ($1 + $2) * 1e6 }' "$T/client") $((s1 - s0))"
}
# psql copying the rows of schema a, as text, into a fresh schema $1.
# Prints ns and the server's CPU µs.
copy_run() {
	local start end s0 s1
	make_schema "$1"
	s0=$(server_cpu_us)
	start=$(now_ns)
	pg_sql -c "\\copy $1.tcp_events FROM '$T/events.txt'"
	pg_sql -c "\\copy $1.tcp_connections FROM '$T/connections.txt'"
	end=$(now_ns)
	sleep 0.5
	s1=$(server_cpu_us)
	echo "$((end - start)) $((s1 - s0))"
}
# Two psql processes at once, each copying half of the rows of schema a
# into one fresh schema $1. Prints ns and the server's CPU µs.
copy2_run() {
	local start end s0 s1 p1 p2
	make_schema "$1"
	s0=$(server_cpu_us)
	start=$(now_ns)
	{ pg_sql -c "\\copy $1.tcp_events FROM '$T/events.1'"
	  pg_sql -c "\\copy $1.tcp_connections FROM '$T/connections.1'"; } &
	p1=$!
	{ pg_sql -c "\\copy $1.tcp_events FROM '$T/events.2'"
	  pg_sql -c "\\copy $1.tcp_connections FROM '$T/connections.2'"; } &
	p2=$!
	wait "$p1" || { echo "bench-pgsql: the first of two copies failed" >&2; exit 1; }
	wait "$p2" || { echo "bench-pgsql: the second of two copies failed" >&2; exit 1; }
	end=$(now_ns)
	sleep 0.5
	s1=$(server_cpu_us)
	[ "$(pg_sql -c "SELECT count(*) FROM $1.tcp_events")" -eq "$N" ] ||
		{ echo "bench-pgsql: rows missing after two copies" >&2; exit 1; }
	echo "$((end - start)) $((s1 - s0))"
}
# The events table's size (heap, TOAST, indexes; every partition), and the
# whole archive's (with tcp_connections and tcp_audit_runs), per event.
bytes_per_event() {
	pg_sql -c "SELECT round((SELECT sum(pg_total_relation_size(c))
			FROM (SELECT '$1.tcp_events'::regclass AS c UNION ALL
			      SELECT inhrelid FROM pg_inherits WHERE inhparent = '$1.tcp_events'::regclass) p) / $N, 1),
		round((SELECT sum(pg_total_relation_size(c))
			FROM (SELECT '$1.tcp_events'::regclass AS c UNION ALL
			      SELECT inhrelid FROM pg_inherits WHERE inhparent = '$1.tcp_events'::regclass UNION ALL
			      SELECT '$1.tcp_connections'::regclass UNION ALL
			      SELECT '$1.tcp_audit_runs'::regclass) p) / $N, 1)" | tr '|' ' '
}

# Each twice, interleaved, keeping the best: the first writes of a new
# server (WAL files, relation extension) and other load on the machine
# would otherwise decide the result.
read -r ns1 batches cli1 srv1 < <(sink_run a)
pg_sql -c "\\copy a.tcp_events TO '$T/events.txt'"
pg_sql -c "\\copy a.tcp_connections TO '$T/connections.txt'"
conns=$(pg_sql -c "SELECT count(*) FROM a.tcp_connections")
split -n l/2 -d -a 1 "$T/events.txt" "$T/events.x"
split -n l/2 -d -a 1 "$T/connections.txt" "$T/connections.x"
mv "$T/events.x0" "$T/events.1"; mv "$T/events.x1" "$T/events.2"
mv "$T/connections.x0" "$T/connections.1"; mv "$T/connections.x1" "$T/connections.2"
read -r c1 cs1 < <(copy_run ref1)
read -r p1 ps1 < <(copy2_run par1)
read -r ns2 _ cli2 srv2 < <(sink_run b)
read -r c2 cs2 < <(copy_run ref2)
read -r p2 ps2 < <(copy2_run par2)
read -r ev_bytes all_bytes < <(bytes_per_event b)
read -r ref_bytes ref_all_bytes < <(bytes_per_event ref2)
sink=$(rate "$N" "$(min "$ns1" "$ns2")")
copy=$(rate "$N" "$(min "$c1" "$c2")")
copy2=$(rate "$N" "$(min "$p1" "$p2")")
printf 'pgsql_replay_events_per_s\t%s\tevents/s\n' "$sink"
printf 'pgsql_events_per_batch\t%s\tevents\n' "$((N / batches))"
printf 'pgsql_connections_per_event\t%s\tconnections\n' "$(per_event "$N" "$conns")"
printf 'pgsql_client_cpu_us_per_event\t%s\tCPU-us\n' "$(per_event "$N" "$(min "$cli1" "$cli2")")"
printf 'pgsql_server_cpu_us_per_event\t%s\tCPU-us\n' "$(per_event "$N" "$(min "$srv1" "$srv2")")"
printf 'pgsql_events_bytes_per_event\t%s\tbytes\n' "$ev_bytes"
printf 'pgsql_archive_bytes_per_event\t%s\tbytes\n' "$all_bytes"
printf 'pgsql_psql_copy_events_per_s\t%s\tevents/s\n' "$copy"
printf 'pgsql_psql_copy_server_cpu_us_per_event\t%s\tCPU-us\n' "$(per_event "$N" "$(min "$cs1" "$cs2")")"
printf 'pgsql_psql_copy_events_bytes_per_event\t%s\tbytes\n' "$ref_bytes"
printf 'pgsql_psql_copy_archive_bytes_per_event\t%s\tbytes\n' "$ref_all_bytes"
printf 'pgsql_psql_copy_2streams_events_per_s\t%s\tevents/s\n' "$copy2"
printf 'pgsql_psql_copy_2streams_server_cpu_us_per_event\t%s\tCPU-us\n' "$(per_event "$N" "$(min "$ps1" "$ps2")")"

# One INSERT per row, each its own transaction and round trip.
make_schema per_row
pg_sql -c "SELECT format('INSERT INTO per_row.tcp_events SELECT (%L::a.tcp_events).*;', t) FROM a.tcp_events t LIMIT $NI" >"$T/inserts.sql"
start=$(now_ns)
pg_sql -f "$T/inserts.sql" >/dev/null
end=$(now_ns)
insert=$(rate "$NI" $((end - start)))
printf 'pgsql_insert_per_row_rows_per_s\t%s\trows/s\n' "$insert"

printf 'pgsql_sink_vs_copy\t%s\tpercent\n' "$(awk -v a="$sink" -v b="$copy" 'BEGIN { printf "%.0f", 100 * a / b }')"
printf 'pgsql_sink_vs_copy_server_cpu\t%s\tpercent\n' "$(awk -v a="$(min "$srv1" "$srv2")" -v b="$(min "$cs1" "$cs2")" 'BEGIN { printf "%.0f", 100 * b / a }')"
printf 'pgsql_sink_vs_insert\t%s\ttimes\n' "$(awk -v a="$sink" -v b="$insert" 'BEGIN { printf "%.1f", a / b }')"
printf 'pgsql_sink_vs_copy_2streams\t%s\tpercent\n' "$(awk -v a="$sink" -v b="$copy2" 'BEGIN { printf "%.0f", 100 * a / b }')"
printf 'pgsql_copy_2streams_vs_1stream\t%s\tx\n' "$(awk -v a="$copy2" -v b="$copy" 'BEGIN { printf "%.2f", a / b }')"
printf 'pgsql_sink_ratio_to_goal\t%s\tx (goal 250000 events/s)\n' "$(awk -v a="$sink" 'BEGIN { printf "%.2f", a / 250000 }')"
printf 'pgsql_sink_vs_copy_ratio_to_goal\t%s\tx (goal 90 percent)\n' "$(awk -v a="$sink" -v b="$copy" 'BEGIN { printf "%.2f", 100 * a / b / 90 }')"
printf 'pgsql_archive_bytes_ratio_to_goal\t%s\tx (goal 150 bytes/event)\n' "$(awk -v a="$all_bytes" 'BEGIN { printf "%.2f", a / 150 }')"
