#!/bin/bash
# A fleet, end to end, with faults: a 3-node NATS cluster with an R3
# stream, two edges publishing to it (a replay edge with a known number of
# events, and a tracefs edge capturing a churn of known size), and one
# collector (--event nats --sink pgsql) storing both into PostgreSQL. One
# NATS node is killed mid-run and started again; the collector is killed
# with SIGKILL once and started again. At the end every event of both
# edges is in PostgreSQL exactly once, under its own host and run, and the
# completeness view says both edge runs are complete.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
. "$TESTS_LIB/pg.sh"
. "$TESTS_LIB/nats.sh"
require_tracefs
[ -e "$TCP_AUDIT_PLUGIN_DIR/nats-eventer.so" ] || skip "the nats plugins are not built"
[ -e "$TCP_AUDIT_PLUGIN_DIR/pgsql.so" ] || skip "the pgsql plugin is not built"
make_tmpdir
tracefs_dir >/dev/null
pg_start
nats_cluster_start 3
cleanup() {
	# On a failure, what each daemon said, before the directory goes.
	[ -z "${FLEET_OK:-}" ] && tail -n 30 "$T"/collector.*.log "$T"/edge-*.log >&2 2>/dev/null
	for p in ${EA_PID:-} ${EB_PID:-} ${COL_PID:-} ${CHURN_PID:-}; do
		kill -9 "$p" 2>/dev/null || true
	done
	nats_cluster_stop
	pg_stop_quiet
	rm -rf "$T"
}
trap cleanup EXIT

N=40000
nats_check create TCP_AUDIT 'tcp-audit.>' 3 >"$T/create.log" 2>&1 ||
	{ cat "$T/create.log" >&2; fail "cannot create the R3 stream"; }

EDGE_SINK=(--sink nats -S "servers=$NATS_URLS" -S create_stream=no -S max_delay=50ms)

# Wait (60 s+) for a line in a log, or fail with the log.
wait_log() {
	local log=$1 what=$2 pid=$3
	for _ in $(seq 1200); do
		grep -q "$what" "$log" && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "$log: exited before '$what'"; }
		sleep 0.1
	done
	cat "$log" >&2
	fail "$log: no '$what' after 120 s"
}

# Each start of the collector logs to a file of its own.
starts=0
collector_start() {
	starts=$((starts + 1))
	COL_LOG=$T/collector.$starts.log
	"$TCP_AUDIT" --hostname collector --state-dir "$T/collector" --event nats \
		-E "servers=$NATS_URLS" -E ack_wait=5s \
		--sink pgsql -S max_delay=50ms >"$COL_LOG" 2>&1 &
	COL_PID=$!
	wait_log "$COL_LOG" "capturing:" "$COL_PID"
}

collector_start
"$TCP_AUDIT" --hostname edge-replay --state-dir "$T/edge-replay" --event replay \
	-E count=$N -E rate=2500 "${EDGE_SINK[@]}" >"$T/edge-replay.log" 2>&1 &
EA_PID=$!
# The tracefs edge keeps only the churn's port: the host's other traffic
# (other tests) would only make the count longer, not truer. No instance
# is kept for a next start (restart_grace=0): there is none.
cport=$(free_port)
"$TCP_AUDIT" --hostname edge-tracefs --state-dir "$T/edge-tracefs" --event tracefs \
	-E ports="$cport" -E restart_grace=0 "${EDGE_SINK[@]}" >"$T/edge-tracefs.log" 2>&1 &
EB_PID=$!
wait_log "$T/edge-tracefs.log" "capturing:" "$EB_PID"
# 16 s of loopback connections at 100/s, counted by the clients.
CHURN_PORT=$cport $CHURN churn 4 16 2 100 >"$T/churn.out" &
CHURN_PID=$!

# The faults, while both edges publish and the collector stores.
sleep 3
nats_node_kill 2
sleep 3
kill -9 "$COL_PID"
wait "$COL_PID" 2>/dev/null || true
collector_start
sleep 3
nats_node_start 2

wait "$CHURN_PID" || fail "the churn failed"
CHURN_PID=
read -r churned port <"$T/churn.out"
[ "${churned:-0}" -gt 0 ] || fail "the churn made no connections"
rc=0
wait "$EA_PID" || rc=$?
EA_PID=
[ "$rc" -eq 0 ] || { cat "$T/edge-replay.log" >&2; fail "the replay edge exited with $rc"; }
# Let the kernel report the churn's last closes before stopping.
sleep 1
kill -TERM "$EB_PID"
rc=0
wait "$EB_PID" || rc=$?
EB_PID=
[ "$rc" -eq 0 ] || { cat "$T/edge-tracefs.log" >&2; fail "the tracefs edge exited with $rc"; }

# Both edges have ended cleanly: once their end records are stored, the
# view has a verdict for each. Generous: redeliveries wait for ack_wait.
verdicts() {
	pg_sql -c "SELECT host || ':' || verdict FROM tcp_audit_completeness
		WHERE host LIKE 'edge-%' ORDER BY host" 2>/dev/null | tr '\n' ' '
}
for _ in $(seq 600); do
	[ "$(verdicts)" = "edge-replay:complete edge-tracefs:complete " ] && break
	sleep 0.5
done
kill -TERM "$COL_PID"
rc=0
wait "$COL_PID" || rc=$?
COL_PID=
[ "$rc" -eq 0 ] || { cat "$COL_LOG" >&2; fail "the collector exited with $rc"; }
got=$(verdicts)
if [ "$got" != "edge-replay:complete edge-tracefs:complete " ]; then
	pg_sql -c "SELECT * FROM tcp_audit_completeness" >&2
	# Whether the stream has what the edges published (a stalled consumer)
	nats_check info TCP_AUDIT >&2 || true
	cat "$T"/collector.*.log >&2
	fail "completeness: got '$got'"
fi

# Exactly once: no (host, run, seq) twice, and only the edges' events.
assert_eq "duplicate events" "$(pg_sql -c "SELECT count(*) - count(DISTINCT (host, run_id, seq))
	FROM tcp_events_named")" 0
assert_eq "hosts with events" "$(pg_sql -c "SELECT string_agg(DISTINCT host, ' ' ORDER BY host)
	FROM tcp_events_named")" "edge-replay edge-tracefs"
assert_eq "runs per edge" "$(pg_sql -c "SELECT string_agg(h, ' ') FROM (SELECT host || '=' ||
	count(DISTINCT run_id) AS h FROM tcp_events_named GROUP BY host ORDER BY host) x")" \
	"edge-replay=1 edge-tracefs=1"
# The replay edge: seqs 1..N, each once.
assert_eq "replay edge events" "$(pg_sql -c "SELECT count(*) || ' ' || min(seq) || ' ' || max(seq)
	FROM tcp_events_named WHERE host = 'edge-replay'")" "$N 1 $N"
# Its run, as the edge wrote it: clean, with last_seq N.
assert_eq "replay edge run" "$(pg_sql -c "SELECT state || ' ' || last_seq FROM tcp_audit_runs_named
	WHERE host = 'edge-replay'")" "clean $N"
# The tracefs edge: every connection of the churn, counted by its clients.
assert_eq "churn connections" "$(pg_sql -c "SELECT count(*) FROM tcp_events_named
	WHERE host = 'edge-tracefs' AND dport = $port AND oldstate = 'SYN_SENT'
	AND newstate = 'ESTABLISHED'")" "$churned"
# Its events are attributed to its run: the run ids match the edges' own.
for e in edge-replay edge-tracefs; do
	want=$(sed -n 's/^run_id=0*//p' "$T/$e/run.state")
	got=$(pg_sql -c "SELECT DISTINCT run_id FROM tcp_events_named WHERE host = '$e'")
	assert_eq "$e run id" "$got" "$want"
done
# The collector keeps its own runs, with no events of its own.
assert_eq "collector runs" "$(pg_sql -c "SELECT count(*) FROM tcp_audit_runs
	WHERE host = 'collector'")" 2
grep -q "acknowledged" "$COL_LOG" || fail "the collector did not report its acks"
FLEET_OK=1
echo "PASS: $N replayed and $churned churned connections' events from two edges, through a" \
	"3-node cluster that lost a node and a collector killed once, are in PostgreSQL exactly once"
