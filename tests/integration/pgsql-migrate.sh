#!/bin/bash
# Archives of schema 2 (tcp-audit 0.1.0, tests/data/pgsql-schema2.sql) and
# schema 3 (tests/data/pgsql-schema3.sql), and one of schema 4 made from
# the shipped DDL file, are migrated in place to the
# current schema: their events are kept as they were (read through the
# named view), their runs get keys and stored_seq, their connections are
# built from their events, the completeness view says what it said, and
# new batches (a retried one included) are stored beside them exactly once.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sinkdrive.sh"
make_tmpdir
. "$TESTS_LIB/pg.sh"
pg_start
export PGTZ=UTC
version() { pg_sql -c "SELECT version FROM tcp_audit_schema_version WHERE table_name = 'tcp_events'"; }
# The columns the named view had before schema 4 (it gained owner).
COLS="time, host, sock, pid, comm, family, protocol, saddr, sport, daddr, dport, oldstate,
	newstate, netns, cgroup, uid, bytes_sent, bytes_received, lifetime_ns, boot_id, run_id, seq"
completeness() {
	pg_sql -c "SELECT run_id, coalesce(state, '-'), stored, coalesce(prev_present::text, '-'),
		verdict FROM tcp_audit_completeness ORDER BY run_id"
}

# Schema 2.
pg_sql -f "$top_srcdir/tests/data/pgsql-schema2.sql" >/dev/null
assert_eq "the schema-2 fixture's version" "$(version)" 2
old_rows() { pg_sql -c "SELECT $COLS FROM tcp_events_named WHERE run_id <> 77 ORDER BY seq"; }
before=$(old_rows)

sinkdrive pgsql <<EOF2
origin vm ee32cc19-6448-44cc-a0af-dc1ab298fb49 77
run 4579766932883484228 1 1767225700000000000 0 0
events 1 3
run 4579766932883484228 2 1767225700000000000 1767225701000000000 3
EOF2
grep -q 'migrated the table "public"."tcp_events" from schema version 2 to 5' "$T/drive.log" ||
	fail "no migration notice: $(cat "$T/drive.log")"
assert_eq "schema version" "$(version)" 5
assert_eq "the old events, unchanged" "$(old_rows)" "$before"
assert_eq "the old events' owner kind" "$(pg_sql -c "SELECT count(*) FROM tcp_events_named
	WHERE run_id <> 77 AND owner IS NULL")" 12
assert_eq "the completeness view" "$(completeness)" \
	"77|clean|3|true|complete
4579766932883484228|-|12|-|no run record"
# Each socket's life from its events: the state it left first, the one it
# was in last, its latest owner.
assert_eq "the old events' connections" "$(pg_sql -c "SELECT sock, first_state, last_state,
	first_time, last_time, pid, comm, coalesce(owner, '-') FROM tcp_connections_named
	WHERE run_id = 4579766932883484228 ORDER BY sock")" \
	"1|ESTABLISHED|FIN_WAIT2|2026-01-01 00:00:00+00|2026-01-01 00:00:00.000003+00|1003|proc-3|-
2|FIN_WAIT2|LAST_ACK|2026-01-01 00:00:00.000004+00|2026-01-01 00:00:00.000007+00|1007|proc-7|-
3|LAST_ACK|ESTABLISHED|2026-01-01 00:00:00.000008+00|2026-01-01 00:00:00.000011+00|1011|proc-11|-"
assert_eq "the old run's row" "$(pg_sql -c "SELECT host, boot_id, state IS NULL, stored_seq
	FROM tcp_audit_runs WHERE run_id = 4579766932883484228")" \
	"vm|ee32cc19-6448-44cc-a0af-dc1ab298fb49|t|11"

# Opened again: nothing left to migrate, and nothing changes.
sinkdrive pgsql </dev/null
grep -q 'migrated\|created' "$T/drive.log" && fail "schema touched again: $(cat "$T/drive.log")"
assert_eq "rows after reopening" "$(pg_sql -c 'SELECT count(*) FROM tcp_events')" 15

# Schema 3, in a database of its own.
pg_sql -c "CREATE DATABASE v3"
export PGDATABASE=v3
pg_sql -f "$top_srcdir/tests/data/pgsql-schema3.sql" >/dev/null
assert_eq "the schema-3 fixture's version" "$(version)" 3
old3() { pg_sql -c "SELECT $COLS FROM tcp_events_named ORDER BY run_id, seq"; }
before=$(old3)
verdicts=$(completeness)
gaps=$(pg_sql -c "SELECT * FROM tcp_audit_gaps_named ORDER BY run_id, first_seq")
assert_eq "the schema-3 fixture's verdicts" "$verdicts" "300|clean|15|-|accounted
301|running|4|true|running"
sinkdrive pgsql </dev/null
grep -q 'migrated the table "public"."tcp_events" from schema version 3 to 5' "$T/drive.log" ||
	fail "no migration notice: $(cat "$T/drive.log")"
assert_eq "schema-3 events, unchanged" "$(old3)" "$before"
assert_eq "schema-3 verdicts, unchanged" "$(completeness)" "$verdicts"
assert_eq "schema-3 gaps, unchanged" "$(pg_sql -c "SELECT * FROM tcp_audit_gaps_named
	ORDER BY run_id, first_seq")" "$gaps"
assert_eq "schema-3 runs' high-water" "$(pg_sql -c "SELECT run_id, stored_seq FROM tcp_audit_runs
	ORDER BY run_id")" "300|18
301|4"
assert_eq "schema-3 connections" "$(pg_sql -c "SELECT run_id, count(*) FROM tcp_connections_named
	GROUP BY 1 ORDER BY 1")" "300|5
301|2"

# Run 301 goes on: a new batch, then a batch that overlaps what is stored
# (a retry whose commit was lost, grown meanwhile), then the same again:
# each seq is stored once, none is lost.
sinkdrive pgsql <<EOF2
origin h3 4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1 301
events 5 3
events 5 6
events 5 6
run 300 2 1767225700000000000 1767225760000000000 10
EOF2
assert_eq "run 301's rows" "$(pg_sql -c "SELECT count(*), count(DISTINCT seq), min(seq), max(seq)
	FROM tcp_events_named WHERE run_id = 301")" "10|10|1|10"
assert_eq "run 301's connections" "$(pg_sql -c "SELECT sock, first_time < last_time FROM tcp_connections_named
	WHERE run_id = 301 ORDER BY sock")" "1|t
2|t
3|t"
assert_eq "run 301's verdict" "$(completeness | grep '^301|')" "301|clean|10|true|complete"

# A partitioned schema-3 table, made from the first three sections of the
# shipped DDL file with rows in two partitions: migrated through its parent.
sed -n '1,/^-- tcp-audit schema version 4/p' "$top_srcdir/plugins/pgsql/tcp-audit-pgsql.sql" >"$T/v3.sql"
pg_sql -v schema=p -v table=ev -v view=ev_named -v partition='PARTITION BY RANGE (time)' -1 \
	-f "$T/v3.sql" >/dev/null
pg_sql -c "CREATE TABLE p.ev_2026 PARTITION OF p.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
	CREATE TABLE p.ev_default PARTITION OF p.ev DEFAULT"
pg_sql -c "INSERT INTO p.ev (time, host, sock, family, protocol, saddr, sport, daddr, dport, oldstate,
	newstate, boot_id, run_id, seq) SELECT CASE WHEN i = 30 THEN '2020-01-01'::timestamptz
	ELSE '2026-01-01'::timestamptz + i * interval '1 s' END, 'h', i / 3 + 1, 4, 6, '10.0.0.1', 1,
	'10.0.0.2', 2, 7, 2, 'ee32cc19-6448-44cc-a0af-dc1ab298fb49', 5, i FROM generate_series(1, 30) i"
sinkdrive pgsql schema=p table=ev </dev/null
grep -q 'migrated the table "p"."ev" from schema version 3 to 5' "$T/drive.log" ||
	fail "no migration notice: $(cat "$T/drive.log")"
assert_eq "the partitions' rows" "$(pg_sql -c "SELECT tableoid::regclass, count(*), min(seq), max(seq)
	FROM p.ev GROUP BY 1 ORDER BY 1")" "p.ev_2026|29|1|29
p.ev_default|1|30|30"
assert_eq "the partitions' indexes" "$(pg_sql -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'p'
	AND tablename LIKE 'ev%' AND indexdef LIKE '%USING brin (\"time\")'")" 3
assert_eq "their connections" "$(pg_sql -c 'SELECT count(*) FROM p.tcp_connections')" 11

# Schema 4, made from the first four sections of the shipped DDL file,
# with a run's events: schema 5 keeps them and its views' columns, adds
# tcp_audit_names, and the views show the path of a named cgroup.
pg_sql -c "CREATE DATABASE v4"
export PGDATABASE=v4
sed -n '1,/^-- tcp-audit schema version 5/p' "$top_srcdir/plugins/pgsql/tcp-audit-pgsql.sql" >"$T/v4.sql"
pg_sql -v schema=public -v table=tcp_events -v view=tcp_events_named -v partition= -1 \
	-f "$T/v4.sql" >/dev/null
assert_eq "the schema-4 database's version" "$(version)" 4
view_cols() { pg_sql -c "SELECT string_agg(column_name, ' ' ORDER BY ordinal_position)
	FROM information_schema.columns WHERE table_name = '$1'"; }
ev_cols=$(view_cols tcp_events_named)
conn_cols=$(view_cols tcp_connections_named)
pg_sql -c "INSERT INTO tcp_audit_runs (host, run_id, boot_id, stored_seq)
	VALUES ('h4', 400, '5e3a1d2c-0b4f-4a61-9c2e-7d8f90a1b2c3', 4);
	INSERT INTO tcp_events (time, sock, family, protocol, saddr, sport, daddr, dport, oldstate,
	newstate, seq, cgroup, run) SELECT '2026-01-01'::timestamptz + i * interval '1 s', i, 4, 6,
	'10.0.0.1', 1, '10.0.0.2', 2, 7, 2, i, 4242, r.run FROM generate_series(1, 4) i,
	tcp_audit_runs r WHERE r.run_id = 400" >/dev/null
before=$(pg_sql -c "SELECT $COLS, owner FROM tcp_events_named ORDER BY seq")
sinkdrive pgsql <<EOF2
origin h4 5e3a1d2c-0b4f-4a61-9c2e-7d8f90a1b2c3 400
EOF2
grep -q 'migrated the table "public"."tcp_events" from schema version 4 to 5' "$T/drive.log" ||
	fail "no migration notice (4): $(cat "$T/drive.log")"
assert_eq "schema version (4)" "$(version)" 5
assert_eq "the events view's columns" "$(view_cols tcp_events_named)" "$ev_cols cgroup_path"
assert_eq "the connections view's columns" "$(view_cols tcp_connections_named)" "$conn_cols cgroup_path"
assert_eq "schema-4 events, unchanged" "$(pg_sql -c "SELECT $COLS, owner FROM tcp_events_named
	ORDER BY seq")" "$before"
assert_eq "no names yet" "$(pg_sql -c "SELECT count(*), count(cgroup_path) FROM tcp_events_named")" "4|0"
sinkdrive pgsql <<EOF2
origin h4 5e3a1d2c-0b4f-4a61-9c2e-7d8f90a1b2c3 400
name cgroup 4242 /system.slice/old.service
EOF2
assert_eq "the old events' cgroup_path" "$(pg_sql -c "SELECT count(*) FROM tcp_events_named
	WHERE cgroup_path = '/system.slice/old.service'")" 4
echo "PASS: schema-2, 3 (one partitioned) and 4 archives migrated in place"
