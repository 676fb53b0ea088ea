#!/bin/bash
# The pgsql archive proves its own completeness: gap and run records
# round-trip, every verdict of tcp_audit_completeness comes out where it
# should, writing the same events, gaps and runs again changes nothing, and
# rows the server refuses for good (here a DBA's CHECK) return -EBADMSG,
# with the connection still usable, in the direct and in the merging path.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sinkdrive.sh"
make_tmpdir
. "$TESTS_LIB/pg.sh"
pg_start
boot=11111111-2222-3333-4444-555555555555

sinkdrive pgsql <"$top_srcdir/tests/data/completeness.drive"
assert_eq "commands that failed" "$(grep -vc ': [0-9]*$' "$T/drive.out")" 0
assert_eq "the first batch reports its count" "$(sed -n 3p "$T/drive.out")" "events 1 10: 10"

assert_eq "schema version" "$(pg_sql -c 'SELECT version FROM tcp_audit_schema_version')" 5
assert_eq "run 100's events: rows, distinct seq" "$(pg_sql -c \
	'SELECT count(*), count(DISTINCT seq) FROM tcp_events_named WHERE run_id = 100')" "20|20"
assert_eq "gap rows (each written twice)" "$(pg_sql -c 'SELECT count(*) FROM tcp_audit_gaps')" 2
assert_eq "run 100's gap" "$(pg_sql -c "SELECT host, first_seq, count, reason, cpu IS NULL
	FROM tcp_audit_gaps_named WHERE run_id = 100")" "h1|11|5|queue_full|t"
assert_eq "run 200's gap" "$(pg_sql -c "SELECT first_seq, count IS NULL, reason
	FROM tcp_audit_gaps_named WHERE run_id = 200")" "8|t|unclean_end"
assert_eq "run rows" "$(pg_sql -c 'SELECT count(*) FROM tcp_audit_runs')" 6
assert_eq "run 100 after replays" "$(TZ=UTC pg_sql -c "SELECT state, start_time, end_time,
	last_seq FROM tcp_audit_runs_named WHERE run_id = 100")" \
	"clean|2023-11-14 22:13:20+00|2023-11-14 22:13:21+00|25"
assert_eq "run 200 after a replayed RUNNING" "$(pg_sql -c "SELECT state, prev_run_id,
	last_seq IS NULL FROM tcp_audit_runs_named WHERE run_id = 200")" "unclean|100|t"

assert_eq "the completeness view" "$(pg_sql -c "SELECT run_id, state, last_seq, stored,
	gap_events, unknown_gaps, coalesce(missing::text, '-'), coalesce(prev_present::text, '-'),
	verdict FROM tcp_audit_completeness ORDER BY run_id")" "100|clean|25|20|5|0|0|-|accounted
200|unclean||7|0|1|-|true|unknown-size gap
300|clean|3|3|0|0|0|false|chain hole
400|clean|30|20|0|0|10|true|incomplete
500|running||5|0|0|-|true|running
600|clean|4|4|0|0|0|true|complete"
assert_eq "the view's boot id and times" "$(pg_sql -c "SELECT boot_id, start_time, end_time
	FROM tcp_audit_completeness WHERE run_id = 600")" \
	"$boot|2023-11-14T22:13:28.000000Z|2023-11-14T22:13:29.000000Z"

# A constraint of the DBA's refuses seq 5 (sport 40005) of each batch: the
# batch returns -EBADMSG (-74 on Linux) and stores none of its rows.
pg_sql -c 'ALTER TABLE tcp_events ADD CONSTRAINT no_40005 CHECK (sport <> 40005) NOT VALID'
sinkdrive_try pgsql <<EOF2
origin h1 $boot 700
events 1 10
events 1 10
events 11 10
EOF2
assert_eq "refused batches, then a good one" "$(cat "$T/drive.out")" \
	"origin h1 $boot 700: 0
events 1 10: -74
events 1 10: -74
events 11 10: 10"
assert_eq "run 700's rows" "$(pg_sql -c 'SELECT min(seq), max(seq) FROM tcp_events_named
	WHERE run_id = 700')" "11|20"
echo "PASS: gap and run records round-trip, every verdict, idempotent rewrites, refusals"
