#!/bin/bash
# A schema-1 archive, as tcp-audit 0.1.0 wrote it (tests/data/sqlite-schema1.sql),
# is migrated in place to the current schema: its events are kept as they
# were, the gap and run tables and the completeness view appear, its old
# run shows as having no run record, and new runs are recorded beside it.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sinkdrive.sh"
require_cmd sqlite3
make_tmpdir
db=$T/old.db
sqlite3 "$db" <"$top_srcdir/tests/data/sqlite-schema1.sql" >/dev/null
assert_eq "the fixture's schema version" "$(sqlite3 "$db" 'PRAGMA user_version')" 1
old_rows() { sqlite3 "$db" 'SELECT * FROM tcp_events_named ORDER BY seq'; }
before=$(old_rows)

sinkdrive sqlite path="$db" <<EOF2
origin vm ee32cc19-6448-44cc-a0af-dc1ab298fb49 77
run 2252136386101341352 1 1767225700000000000 0 0
events 1 3
run 2252136386101341352 2 1767225700000000000 1767225701000000000 3
EOF2
assert_eq "the migration notice" \
	"$(grep -c "migrated $db from schema version 1 to 2" "$T/drive.log")" 1
assert_eq "schema version" "$(sqlite3 "$db" 'PRAGMA user_version')" 2
assert_eq "the old events, unchanged" "$(sqlite3 "$db" \
	'SELECT * FROM tcp_events_named WHERE run_id <> 77 ORDER BY seq')" "$before"
assert_eq "the completeness view" "$(sqlite3 "$db" "SELECT run_id, coalesce(state, '-'),
	stored, coalesce(prev_present, '-'), verdict FROM tcp_audit_completeness ORDER BY run_id")" \
	"77|clean|3|1|complete
2252136386101341352|-|12|-|no run record"

# Opened again: nothing left to migrate, and nothing changes.
sinkdrive sqlite path="$db" </dev/null
assert_eq "a second migration notice" "$(grep -c migrated "$T/drive.log" || true)" 0
assert_eq "rows after reopening" "$(sqlite3 "$db" 'SELECT count(*) FROM tcp_events')" 15

# A database from a newer tcp-audit is refused, and left as it is.
sqlite3 "$db" 'PRAGMA user_version = 3'
rc=0
"$top_builddir/tests/lib/sinkdrive" "$TCP_AUDIT_PLUGIN_DIR/sqlite.so" path="$db" \
	</dev/null 2>"$T/newer.log" || rc=$?
assert_eq "exit status on a newer schema" "$rc" 1
grep -q "schema version 3, newer than this tcp-audit knows (2)" "$T/newer.log" ||
	fail "no clear error for a newer schema: $(cat "$T/newer.log")"
echo "PASS: a schema-1 archive migrated in place"
