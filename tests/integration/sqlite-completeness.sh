#!/bin/bash
# The sqlite archive proves its own completeness: gap and run records
# round-trip, every verdict of tcp_audit_completeness comes out where it
# should, and writing the same events, gaps and runs again changes nothing
# (a replayed RUNNING or UNCLEAN record never undoes an exact end).
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sinkdrive.sh"
require_cmd sqlite3
make_tmpdir
db=$T/a.db
boot=11111111-2222-3333-4444-555555555555

sinkdrive sqlite path="$db" <"$top_srcdir/tests/data/completeness.drive"
assert_eq "commands that failed" "$(grep -vc ': [0-9]*$' "$T/drive.out")" 0
assert_eq "the first batch reports its count" "$(sed -n 3p "$T/drive.out")" "events 1 10: 10"

q() { sqlite3 "$db" "$1"; }
assert_eq "run 100's events: rows, distinct seq" \
	"$(q 'SELECT count(*), count(DISTINCT seq) FROM tcp_events_named WHERE run_id = 100')" "20|20"
assert_eq "gap rows (each written twice)" "$(q 'SELECT count(*) FROM tcp_audit_gaps')" 2
assert_eq "run 100's gap" "$(q "SELECT host, first_seq, count, reason, cpu IS NULL
	FROM tcp_audit_gaps_named WHERE run_id = 100")" "h1|11|5|queue_full|1"
assert_eq "run 200's gap" "$(q "SELECT first_seq, count IS NULL, reason
	FROM tcp_audit_gaps_named WHERE run_id = 200")" "8|1|unclean_end"
assert_eq "run rows" "$(q 'SELECT count(*) FROM tcp_audit_runs')" 6
assert_eq "run 100 after replays" "$(q "SELECT state, start_time, end_time, last_seq
	FROM tcp_audit_runs_named WHERE run_id = 100")" \
	"clean|2023-11-14T22:13:20.000000000Z|2023-11-14T22:13:21.000000000Z|25"
assert_eq "run 200 after a replayed RUNNING" "$(q "SELECT state, prev_run_id, last_seq IS NULL,
	start_time FROM tcp_audit_runs_named WHERE run_id = 200")" \
	"unclean|100|1|2023-11-14T22:13:22.000000000Z"

assert_eq "the completeness view" "$(q "SELECT run_id, state, last_seq, stored, gap_events,
	unknown_gaps, coalesce(missing, '-'), coalesce(prev_present, '-'), verdict
	FROM tcp_audit_completeness ORDER BY run_id")" "100|clean|25|20|5|0|0|-|accounted
200|unclean||7|0|1|-|1|unknown-size gap
300|clean|3|3|0|0|0|0|chain hole
400|clean|30|20|0|0|10|1|incomplete
500|running||5|0|0|-|1|running
600|clean|4|4|0|0|0|1|complete"
assert_eq "the view's times" "$(q "SELECT boot_id, start_time, end_time
	FROM tcp_audit_completeness WHERE run_id = 600")" \
	"$boot|2023-11-14T22:13:28.000000000Z|2023-11-14T22:13:29.000000000Z"

# A retry that overlaps what is stored (seqs 6..10 again, then 11..15 new),
# and one of two origins interleaved: only the new events are stored, and
# counted once in their connections.
sinkdrive sqlite path="$T/b.db" <<'EOF2'
origin h2 11111111-2222-3333-4444-555555555555 700
events 1 10
origin h3 11111111-2222-3333-4444-555555555555 800
events 1 4
origin h2 11111111-2222-3333-4444-555555555555 700
events 6 10
origin h3 11111111-2222-3333-4444-555555555555 800
events 1 6
EOF2
assert_eq "the batches' reported counts" "$(grep '^events' "$T/drive.out" | cut -d' ' -f4 | tr '\n' ' ')" "10 4 10 6 "
assert_eq "events after overlapping retries" "$(sqlite3 "$T/b.db" "SELECT run_id, count(*),
	count(DISTINCT seq), min(seq), max(seq) FROM tcp_events_named GROUP BY run_id")" \
	"700|15|15|1|15
800|6|6|1|6"
assert_eq "their connections' events" "$(sqlite3 "$T/b.db" "SELECT r.run_id, sum(c.events)
	FROM tcp_connections c JOIN tcp_audit_runs r USING (run_key) GROUP BY r.run_id")" \
	"700|15
800|6"
assert_eq "the runs' high_seq" "$(sqlite3 "$T/b.db" "SELECT run_id, high_seq FROM tcp_audit_runs
	ORDER BY run_id")" "700|15
800|6"
echo "PASS: gap and run records round-trip, every verdict, idempotent rewrites"
