#!/bin/bash
# The sqlite archive proves its own completeness: gap and run records
# round-trip, every verdict of tcp_audit_completeness comes out where it
# should, and writing the same events, gaps and runs again changes nothing
# (a replayed RUNNING or UNCLEAN record never undoes an exact end).
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sqlite.sh"
require_cmd sqlite3
make_tmpdir
db=$T/a.db
boot=11111111-2222-3333-4444-555555555555
s=1700000000000000000

# Run 100: 25 seqs, 20 stored, 11..15 lost to a full queue, ended clean;
# every write is done twice, and a replay sends its RUNNING record again.
# Run 200: 7 stored, then killed: the next run marks it unclean with a gap
# of unknown size from seq 8. Run 300 follows a run 250 that is not here.
# Run 400: clean, 30 seqs but 10 neither stored nor in a gap. Run 500
# still running. Run 600: every seq stored.
sinkdrive sqlite path="$db" <<EOF2
origin h1 $boot 100
run 0 1 $s 0 0
events 1 10
gap 100 11 5 3
events 16 10
events 16 10
gap 100 11 5 3
run 0 2 $s $((s + 1000000000)) 25
run 0 1 $s 0 0
run 0 4 0 0 0
origin h1 $boot 200
run 100 1 $((s + 2000000000)) 0 0
events 1 7
gap 200 8 0 6
run 100 4 0 0 0
run 100 1 $((s + 2000000000)) 0 0
origin h1 $boot 300
run 250 2 $((s + 3000000000)) $((s + 4000000000)) 3
events 1 3
origin h1 $boot 400
run 300 2 $((s + 5000000000)) $((s + 6000000000)) 30
events 1 20
origin h1 $boot 500
run 400 1 $((s + 7000000000)) 0 0
events 1 5
origin h1 $boot 600
run 500 1 $((s + 8000000000)) 0 0
events 1 4
run 500 2 $((s + 8000000000)) $((s + 9000000000)) 4
EOF2
assert_eq "commands that failed" "$(grep -vc ': [0-9]*$' "$T/drive.out")" 0
assert_eq "the first batch reports its count" "$(sed -n 3p "$T/drive.out")" "events 1 10: 10"

q() { sqlite3 "$db" "$1"; }
assert_eq "run 100's events: rows, distinct seq" \
	"$(q 'SELECT count(*), count(DISTINCT seq) FROM tcp_events WHERE run_id = 100')" "20|20"
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
echo "PASS: gap and run records round-trip, every verdict, idempotent rewrites"
