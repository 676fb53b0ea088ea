#!/bin/bash
# A schema-1 archive, as tcp-audit 0.1.0 wrote it (tests/data/sqlite-schema1.sql),
# is migrated in place to the current schema: its events are kept as they
# were, the gap and run tables and the completeness view appear, its old
# run shows as having no run record, and new runs are recorded beside it.
# A schema-2 archive (tests/data/sqlite-schema2.sql) keeps its events, its
# gaps and its run's verdict; both get their connections, and schema 4's
# name records.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sinkdrive.sh"
require_cmd sqlite3
make_tmpdir
db=$T/old.db
sqlite3 "$db" <"$top_srcdir/tests/data/sqlite-schema1.sql" >/dev/null
assert_eq "the fixture's schema version" "$(sqlite3 "$db" 'PRAGMA user_version')" 1
old_rows() { sqlite3 "$db" 'SELECT time, host, sock, pid, comm, family, protocol, saddr, sport,
	daddr, dport, oldstate, newstate, netns, cgroup, uid, bytes_sent, bytes_received,
	lifetime_ns, boot_id, run_id, seq FROM tcp_events_named ORDER BY seq'; }
before=$(old_rows)

sinkdrive sqlite path="$db" <<EOF2
origin vm ee32cc19-6448-44cc-a0af-dc1ab298fb49 77
run 2252136386101341352 1 1767225700000000000 0 0
events 1 3
run 2252136386101341352 2 1767225700000000000 1767225701000000000 3
EOF2
assert_eq "the migration notice" \
	"$(grep -c "migrated $db from schema version 1 to 4" "$T/drive.log")" 1
assert_eq "schema version" "$(sqlite3 "$db" 'PRAGMA user_version')" 4
assert_eq "the old events, unchanged" "$(old_rows | grep -v '|77|[0-9]*$')" "$before"
assert_eq "the completeness view" "$(sqlite3 "$db" "SELECT run_id, coalesce(state, '-'),
	stored, coalesce(prev_present, '-'), verdict FROM tcp_audit_completeness ORDER BY run_id")" \
	"77|clean|3|1|complete
2252136386101341352|-|12|-|no run record"

# Opened again: nothing left to migrate, and nothing changes.
sinkdrive sqlite path="$db" </dev/null
assert_eq "a second migration notice" "$(grep -c migrated "$T/drive.log" || true)" 0
assert_eq "rows after reopening" "$(sqlite3 "$db" 'SELECT count(*) FROM tcp_events')" 15

# The old events' connections: 3 sockets, with the first address and
# port of each, and the states each entered.
assert_eq "the old connections" "$(sqlite3 "$db" "SELECT sock, saddr, sport, daddr, dport,
	events, state, owner IS NULL FROM tcp_connections_named WHERE run_id <> 77 ORDER BY sock")" \
	"1|192.0.2.1|1024|198.51.100.1|443|4|FIN_WAIT2|1
2|2001:db8::4|1028|2001:db8::1|80|4|LAST_ACK|1
3|192.0.2.9|1032|198.51.100.9|5432|4|ESTABLISHED|1"
# Schema 4: the name records' table, empty, and the views' cgroup_path,
# null for events with no name record.
assert_eq "name records after the migration" \
	"$(sqlite3 "$db" 'SELECT count(*) FROM tcp_audit_names')" 0
assert_eq "the old events' cgroup_path" "$(sqlite3 "$db" "SELECT count(*), count(cgroup_path)
	FROM tcp_events_named WHERE run_id <> 77")" "12|0"
assert_eq "the old events' owner kind" "$(sqlite3 "$db" "SELECT count(*) FROM tcp_events_named
	WHERE run_id <> 77 AND owner IS NULL")" 12

# A database from a newer tcp-audit is refused, and left as it is.
sqlite3 "$db" 'PRAGMA user_version = 5'
rc=0
"$top_builddir/tests/lib/sinkdrive" "$TCP_AUDIT_PLUGIN_DIR/sqlite.so" path="$db" \
	</dev/null 2>"$T/newer.log" || rc=$?
assert_eq "exit status on a newer schema" "$rc" 1
grep -q "schema version 5, newer than this tcp-audit knows (4)" "$T/newer.log" ||
	fail "no clear error for a newer schema: $(cat "$T/newer.log")"

# Schema 2: events, gaps, the run record and its verdict survive.
db=$T/two.db
sqlite3 "$db" <"$top_srcdir/tests/data/sqlite-schema2.sql" >/dev/null
assert_eq "the schema-2 fixture's version" "$(sqlite3 "$db" 'PRAGMA user_version')" 2
before=$(old_rows)
gaps=$(sqlite3 "$db" 'SELECT * FROM tcp_audit_gaps_named ORDER BY first_seq')
sinkdrive sqlite path="$db" </dev/null
assert_eq "the migration notice (2)" \
	"$(grep -c "migrated $db from schema version 2 to 4" "$T/drive.log")" 1
assert_eq "schema version (2)" "$(sqlite3 "$db" 'PRAGMA user_version')" 4
assert_eq "the schema-2 events, unchanged" "$(sqlite3 "$db" \
	'SELECT time, host, sock, pid, comm, family, protocol, saddr, sport, daddr, dport,
	oldstate, newstate, netns, cgroup, uid, bytes_sent, bytes_received, lifetime_ns, boot_id,
	run_id, seq FROM tcp_events_named ORDER BY seq')" "$before"
assert_eq "the schema-2 gaps, unchanged" \
	"$(sqlite3 "$db" 'SELECT * FROM tcp_audit_gaps_named ORDER BY first_seq')" "$gaps"
assert_eq "the schema-2 run's verdict" "$(sqlite3 "$db" "SELECT state, last_seq, stored,
	gap_events, missing, verdict FROM tcp_audit_completeness")" "clean|14|12|2|0|accounted"
assert_eq "the schema-2 run's high_seq" "$(sqlite3 "$db" "SELECT high_seq FROM tcp_audit_runs")" 14
echo "PASS: schema-1 and schema-2 archives migrated in place"
