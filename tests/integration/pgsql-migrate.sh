#!/bin/bash
# A schema-2 pgsql archive, as tcp-audit 0.1.0 made it (tests/data/pgsql-schema2.sql),
# is migrated in place to the current schema: its events are kept as they
# were, the gap and run tables and the completeness view appear, its old
# run shows as having no run record, and new runs are recorded beside it.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sinkdrive.sh"
make_tmpdir
. "$TESTS_LIB/pg.sh"
pg_start
pg_sql -f "$top_srcdir/tests/data/pgsql-schema2.sql" >/dev/null
version() { pg_sql -c "SELECT version FROM tcp_audit_schema_version WHERE table_name = 'tcp_events'"; }
assert_eq "the fixture's schema version" "$(version)" 2
old_rows() { pg_sql -c 'SELECT * FROM tcp_events_named WHERE run_id <> 77 ORDER BY seq'; }
before=$(old_rows)

sinkdrive pgsql <<EOF2
origin vm ee32cc19-6448-44cc-a0af-dc1ab298fb49 77
run 4579766932883484228 1 1767225700000000000 0 0
events 1 3
run 4579766932883484228 2 1767225700000000000 1767225701000000000 3
EOF2
grep -q 'migrated the table "public"."tcp_events" from schema version 2 to 3' "$T/drive.log" ||
	fail "no migration notice: $(cat "$T/drive.log")"
assert_eq "schema version" "$(version)" 3
assert_eq "the old events, unchanged" "$(old_rows)" "$before"
assert_eq "the completeness view" "$(pg_sql -c "SELECT run_id, coalesce(state, '-'), stored,
	coalesce(prev_present::text, '-'), verdict FROM tcp_audit_completeness ORDER BY run_id")" \
	"77|clean|3|true|complete
4579766932883484228|-|12|-|no run record"

# Opened again: nothing left to migrate, and nothing changes.
sinkdrive pgsql </dev/null
grep -q 'migrated\|created' "$T/drive.log" && fail "schema touched again: $(cat "$T/drive.log")"
assert_eq "rows after reopening" "$(pg_sql -c 'SELECT count(*) FROM tcp_events')" 15
echo "PASS: a schema-2 archive migrated in place"
