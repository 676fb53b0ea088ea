#!/bin/bash
# The sqlite archive proves what it holds, counted against the replay
# eventer's known number of events:
#  1. a tiny queue and a store locked for 2 s by a reader: rows plus the
#     gaps' counts equal the events generated, and tcp_audit_completeness
#     says 'accounted' with nothing missing;
#  2. SIGKILL in mid-stream, then a new run: the killed run is unclean,
#     with a gap of unknown size after its last durable seq, and the new
#     run chains to it.
. "$TESTS_LIB/common.sh"
require_cmd sqlite3 python3
make_tmpdir
db=$T/a.db
view() {
	sqlite3 "$db" "SELECT $1 FROM tcp_audit_completeness WHERE run_id = $2"
}
wait_rows() {
	for _ in $(seq 300); do
		[ "$(sqlite3 "$db" 'SELECT count(*) FROM tcp_events' 2>/dev/null || echo 0)" -ge "$1" ] &&
			return 0
		sleep 0.1
	done
	fail "fewer than $1 rows after 30 s: $(cat "$T/log")"
}

# 1. 20,000 events at 5,000/s through a 64 KiB queue (a few hundred events).
n=20000
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir="$T/state" --queue-memory=64K \
	-e replay -E count=$n -E rate=5000 -s sqlite -S path="$db" -S busy_timeout=100ms \
	-S max_delay=50ms 2>"$T/log" &
pid=$!
wait_rows 1000
python3 - "$db" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
time.sleep(2)
c.execute("COMMIT")
PY
rc=0
wait "$pid" || rc=$?
cat "$T/log" >&2
assert_eq "exit status" "$rc" 0
run1=$(sqlite3 "$db" 'SELECT run_id FROM tcp_audit_runs')
stored=$(sqlite3 "$db" "SELECT count(*) FROM tcp_events_named WHERE run_id = $run1")
lost=$(sqlite3 "$db" "SELECT coalesce(sum(count), 0) FROM tcp_audit_gaps WHERE run_id = $run1")
echo "run $run1: $stored rows, $lost in gaps" >&2
sqlite3 -header "$db" "SELECT * FROM tcp_audit_gaps_named" >&2
[ "$lost" -gt 0 ] || fail "the locked store lost nothing: the test did not fill the queue"
assert_eq "rows + gaps" "$((stored + lost))" $n
assert_eq "queue_full gaps' total" "$(sqlite3 "$db" "SELECT sum(count) FROM tcp_audit_gaps
	WHERE run_id = $run1 AND reason = 3")" "$lost"
assert_eq "distinct seqs, first and last" "$(sqlite3 "$db" "SELECT count(DISTINCT seq),
	min(seq) >= 1, max(seq) <= $n FROM tcp_events_named WHERE run_id = $run1")" "$stored|1|1"
assert_eq "the completeness view" "$(view "state, last_seq, stored, gap_events, missing,
	verdict" "$run1")" "clean|$n|$stored|$lost|0|accounted"

# 2. Killed while writing; then a short clean run.
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir="$T/state" -e replay -E count=1000000 \
	-E rate=2000 -s sqlite -S path="$db" -S max_delay=50ms 2>"$T/log" &
pid=$!
wait_rows $((stored + 2000))
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
run2=$(sqlite3 "$db" 'SELECT run_id FROM tcp_audit_runs WHERE state = 1')
[ -n "$run2" ] || fail "no RUNNING record for the killed run"
max2=$(sqlite3 "$db" "SELECT max(seq) FROM tcp_events_named WHERE run_id = $run2")
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir="$T/state" -e replay -E count=10 \
	-s sqlite -S path="$db" 2>"$T/log3"
cat "$T/log3" >&2
assert_eq "exit status after the kill" "$rc" 0
run3=$(sqlite3 "$db" "SELECT run_id FROM tcp_audit_runs WHERE prev_run_id = $run2")
[ -n "$run3" ] || fail "the next run does not chain to the killed one"
sqlite3 -header "$db" "SELECT * FROM tcp_audit_completeness" >&2
assert_eq "the killed run" "$(view "state, last_seq IS NULL, unknown_gaps, verdict" "$run2")" \
	"unclean|1|1|unknown-size gap"
first=$(sqlite3 "$db" "SELECT first_seq FROM tcp_audit_gaps_named
	WHERE run_id = $run2 AND reason = 'unclean_end' AND count IS NULL")
[ -n "$first" ] && [ "$first" -ge 1 ] && [ "$first" -le $((max2 + 1)) ] ||
	fail "the unclean gap starts at '$first', not after a durable seq (<= $((max2 + 1)))"
assert_eq "the next run" "$(view "state, stored, prev_present, verdict" "$run3")" \
	"clean|10|1|complete"
echo "PASS: rows + gaps = $n with a locked store; a killed run is unclean with a gap from seq $first"
