#!/bin/bash
# pgsql: the table is created at the current schema version, an older one
# (version 1, made from the shipped DDL file) is migrated forward, a newer
# one is refused with exit status 74, and manage_schema=no touches nothing.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/pg.sh"
make_tmpdir
pg_start

DDL=$top_srcdir/plugins/pgsql/tcp-audit-pgsql.sql
run() {
	run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=10 -s pgsql "$@" >"$T/out" 2>&1
}
version() {
	pg_sql -c "SELECT version FROM tcp_audit_schema_version WHERE table_name = '$1'"
}

# Creation, and the rows arrive.
run
assert_eq "exit status on creation" "$rc" 0
grep -q 'created the table "public"."tcp_events" (schema version 5)' "$T/out" || fail "no creation message: $(cat "$T/out")"
assert_eq "version after creation" "$(version tcp_events)" 5
assert_eq "rows" "$(pg_sql -c 'SELECT count(*) FROM tcp_events')" 10
assert_eq "named view" "$(pg_sql -c 'SELECT count(*) FROM tcp_events_named WHERE newstate = '"'SYN_SENT'"'')" 1
# The indexes, and only those: the events are written at the kernel's rate,
# so they have one BRIN and no b-tree (no unique key: a batch is stored
# once through its run's stored_seq); the questions are asked of the
# connections.
indexes() {
	pg_sql -c "SELECT string_agg(i, ';' ORDER BY i) FROM (SELECT regexp_replace(indexdef,
		'.* USING ', '') AS i FROM pg_indexes WHERE schemaname = 'public' AND tablename = '$1') x"
}
assert_eq "the events' indexes" "$(indexes tcp_events)" 'brin ("time")'
assert_eq "the connections' indexes" "$(indexes tcp_connections)" \
	'brin (first_time);btree (daddr, dport);btree (run, sock)'
assert_eq "the runs' keys" "$(indexes tcp_audit_runs)" 'btree (host, run_id);btree (run)'
assert_eq "the names' key" "$(indexes tcp_audit_names)" 'btree (host, boot_id, kind, id)'
assert_eq "one connection per socket" "$(pg_sql -c 'SELECT count(*) FROM tcp_connections')" \
	"$(pg_sql -c 'SELECT count(DISTINCT sock) FROM tcp_events')"

# A second start finds the current version and changes nothing.
run
assert_eq "exit status on restart" "$rc" 0
grep -q 'created\|migrated' "$T/out" && fail "schema touched on restart: $(cat "$T/out")"
assert_eq "rows after restart" "$(pg_sql -c 'SELECT count(*) FROM tcp_events')" 20

# Migration: version 1 made by hand from the first section of the DDL file,
# in another schema, with a row in it.
sed -n '1,/^-- tcp-audit schema version 2/p' "$DDL" >"$T/v1.sql"
pg_sql -v schema=old -v table=ev -v partition= -1 -f "$T/v1.sql" >/dev/null
pg_sql -c "INSERT INTO old.ev VALUES (now(), 'h', 1, NULL, NULL, 4, 6, '10.0.0.1', 1, '10.0.0.2', 2, 2, 1, gen_random_uuid(), 1, 1)"
assert_eq "hand-made version" "$(pg_sql -c "SELECT version FROM old.tcp_audit_schema_version")" 1
run -S schema=old -S table=ev
assert_eq "exit status on migration" "$rc" 0
grep -q 'migrated the table "old"."ev" from schema version 1 to 5' "$T/out" || fail "no migration message: $(cat "$T/out")"
assert_eq "version after migration" "$(pg_sql -c "SELECT version FROM old.tcp_audit_schema_version")" 5
assert_eq "rows after migration" "$(pg_sql -c 'SELECT count(*), count(netns) FROM old.ev')" "11|0"
assert_eq "the hand-made row's run" "$(pg_sql -c "SELECT host, run_id, state IS NULL, stored_seq FROM old.tcp_audit_runs WHERE run_id = 1")" "h|1|t|1"
assert_eq "connections after migration" "$(pg_sql -c "SELECT count(*), count(*) FILTER (WHERE daddr = '10.0.0.2' AND last_state = 1) FROM old.tcp_connections")" "4|1"

# A newer schema is refused, and nothing is written.
pg_sql -c "UPDATE old.tcp_audit_schema_version SET version = 99"
run -S schema=old -S table=ev
assert_eq "exit status on a newer schema" "$rc" 74
grep -q 'schema version 99, newer than this plugin' "$T/out" || fail "no refusal message: $(cat "$T/out")"
assert_eq "rows after refusal" "$(pg_sql -c 'SELECT count(*) FROM old.ev')" 11

# manage_schema=no: a missing table is an error (69) and nothing is made.
run -S table=absent -S manage_schema=no
assert_eq "exit status, manage_schema=no and no table" "$rc" 69
grep -q 'does not exist: create it with tcp-audit-pgsql.sql' "$T/out" || fail "no message: $(cat "$T/out")"
assert_eq "nothing created" "$(pg_sql -c "SELECT to_regclass('absent') IS NULL")" t

# The shipped file made by psql, then used with manage_schema=no.
pg_sql -v schema=dba -v table=events -v view=events_named -v partition= -1 -f "$DDL" >/dev/null
run -S schema=dba -S table=events -S manage_schema=no
assert_eq "exit status, DBA-made table" "$rc" 0
assert_eq "rows in the DBA-made table" "$(pg_sql -c 'SELECT count(*) FROM dba.events')" 10

# Partitioned by day: today's partition and the next ones, and a DEFAULT
# one for the replayed events from 2026-01-01.
run -S table=parted -S partition=daily -S partition_ahead=2
assert_eq "exit status, partitioned" "$rc" 0
assert_eq "partitions" "$(pg_sql -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'parted'::regclass")" 4
assert_eq "rows in the partitioned table" "$(pg_sql -c 'SELECT count(*) FROM parted')" 10

# Retention drops whole partitions that ended longer ago than it, and
# nothing else: an old day made by hand with a row in it goes; today's,
# the ones ahead, the DEFAULT one (with the replayed 2026-01-01 rows) stay.
pg_sql -c "CREATE TABLE parted_20200101 PARTITION OF parted FOR VALUES FROM ('2020-01-01 00:00:00+00') TO ('2020-01-02 00:00:00+00')"
pg_sql -c "INSERT INTO parted (run, seq, time, sock, family, protocol, saddr, sport, daddr, dport, oldstate, newstate)
	VALUES (1, 1000, '2020-01-01 12:00:00+00', 1, 4, 6, '10.0.0.1', 1, '10.0.0.2', 2, 7, 2)"
assert_eq "rows before retention" "$(pg_sql -c 'SELECT count(*) FROM parted')" 11
run -S table=parted -S partition=daily -S partition_ahead=2 -S retention=30d
assert_eq "exit status, retention" "$rc" 0
grep -q 'dropped the partition "public"."parted_20200101"' "$T/out" || fail "no drop notice: $(cat "$T/out")"
assert_eq "partitions after retention" "$(pg_sql -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'parted'::regclass")" 4
assert_eq "rows after retention" "$(pg_sql -c 'SELECT count(*) FROM parted')" 20
run -S retention=30d
assert_eq "exit status, retention without partitions" "$rc" 78
grep -q 'retention= drops whole partitions' "$T/out" || fail "no message: $(cat "$T/out")"
# A socket id used again after its close, in a later batch: the sinker took
# it for new (it forgets closed sockets), the server says it is not, and
# the batch is stored again with its connection merged: one row, all its
# states, nothing lost.
t=1767225600
printf '%s\t9\t1\tc\tipv4\t10.0.0.1\t0\t10.0.0.2\t22\t%s\t%s\n' \
	"${t}000000000" CLOSE SYN_SENT "${t}000001000" SYN_SENT CLOSE \
	"${t}000002000" CLOSE SYN_SENT "${t}000003000" SYN_SENT ESTABLISHED >"$T/reuse.tsv"
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/reuse.tsv" -s pgsql -S table=reuse \
	-S schema=reuse -S batch_size=1 >"$T/out" 2>&1
assert_eq "exit status, a socket id used again" "$rc" 0
grep -q 'duplicate key value violates unique constraint "tcp_connections_pkey"' "$PGDIR/server.log" ||
	fail "the reused socket id was not taken for new: $(cat "$T/out")"
assert_eq "its events" "$(pg_sql -c 'SELECT count(*) FROM reuse.reuse')" 4
assert_eq "its connection" "$(pg_sql -c "SELECT count(*), min(first_state), min(last_state),
	bool_and(established), bool_and(NOT connect_failed) FROM reuse.tcp_connections_named")" "1|CLOSE|ESTABLISHED|t|t"
echo ok
