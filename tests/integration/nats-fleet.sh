#!/bin/bash
# A fleet, end to end, with faults: a 3-node NATS cluster with an R3
# stream, two tracefs edges publishing to it (distinct host names and state
# directories, each capturing a churn of known size on a port of its own),
# a replay edge with a known number of events beside them, and one
# collector (--event nats --sink pgsql) storing all three into PostgreSQL.
# One NATS node (not the stream's leader: see nats-node-kill.sh on what
# Debian's 2.9.10 does when a stale node leads) is killed mid-run and
# started again; the collector is killed with SIGKILL once and started
# again. At the end every event of every edge is in PostgreSQL exactly
# once, under its own host and run, each churn connection with its full
# state sequence, and the completeness view says every edge run is complete.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
. "$TESTS_LIB/pg.sh"
. "$TESTS_LIB/nats.sh"
. "$TESTS_LIB/nats-events.sh"
require_tracefs
[ -e "$TCP_AUDIT_PLUGIN_DIR/nats-eventer.so" ] || skip "the nats plugins are not built"
[ -e "$TCP_AUDIT_PLUGIN_DIR/pgsql.so" ] || skip "the pgsql plugin is not built"
make_tmpdir
tracefs_dir >/dev/null
pg_start
nats_cluster_start 3
TRACEFS_EDGES="edge-a edge-b"
EDGES="edge-a edge-b edge-replay"
declare -A EPID CPID PORT
cleanup() {
	# On a failure, what each daemon said, before the directory goes.
	[ -z "${FLEET_OK:-}" ] && tail -n 30 "$T"/collector.*.log "$T"/edge-*.log >&2 2>/dev/null
	for p in "${EPID[@]}" "${CPID[@]}" ${COL_PID:-}; do
		kill -9 "$p" 2>/dev/null || true
	done
	nats_cluster_stop
	pg_stop_quiet
	rm -rf "$T"
}
trap cleanup EXIT

N=24000
nats_check create TCP_AUDIT 'tcp-audit.>' 3 >"$T/create.log" 2>&1 ||
	{ cat "$T/create.log" >&2; fail "cannot create the R3 stream"; }

EDGE_SINK=(--sink nats -S "servers=$NATS_URLS" -S create_stream=no -S max_delay=50ms)

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

# An edge's end: SIGTERM, and exit status 0.
edge_stop() {
	local e=$1 rc=0
	kill -TERM "${EPID[$e]}"
	wait "${EPID[$e]}" || rc=$?
	unset "EPID[$e]"
	[ "$rc" -eq 0 ] || { cat "$T/$e.log" >&2; fail "$e exited with $rc"; }
}

collector_start
"$TCP_AUDIT" --hostname edge-replay --state-dir "$T/edge-replay" --event replay \
	-E count=$N -E rate=1500 "${EDGE_SINK[@]}" >"$T/edge-replay.log" 2>&1 &
EPID[edge-replay]=$!
# Each tracefs edge keeps only its own churn's port: the host's other
# traffic (other tests, the other edge) would only make its count longer,
# not truer. No instance is kept for a next start (restart_grace=0): there
# is none.
for e in $TRACEFS_EDGES; do
	PORT[$e]=$(free_port)
	"$TCP_AUDIT" --hostname "$e" --state-dir "$T/$e" --event tracefs \
		-E ports="${PORT[$e]}" -E restart_grace=0 "${EDGE_SINK[@]}" >"$T/$e.log" 2>&1 &
	EPID[$e]=$!
done
for e in $TRACEFS_EDGES; do
	wait_log "$T/$e.log" "capturing:" "${EPID[$e]}"
done
# 16 s of loopback connections at 100/s per edge, counted by the clients.
for e in $TRACEFS_EDGES; do
	CHURN_PORT=${PORT[$e]} $CHURN churn 4 16 2 100 >"$T/$e.churn" &
	CPID[$e]=$!
done

# The faults, while the edges publish and the collector stores. The node
# killed is one that does not lead the stream.
sleep 3
leader=$(nats_check info TCP_AUDIT | sed -n 's/^leader n//p')
[ -n "$leader" ] || fail "the stream has no leader"
victim=$((leader % 3 + 1))
nats_node_kill "$victim"
sleep 3
kill -9 "$COL_PID"
wait "$COL_PID" 2>/dev/null || true
collector_start
sleep 3
nats_node_start "$victim"

declare -A CHURNED
for e in $TRACEFS_EDGES; do
	wait "${CPID[$e]}" || fail "the churn of $e failed"
	unset "CPID[$e]"
	read -r churned port <"$T/$e.churn"
	assert_eq "$e churn port" "$port" "${PORT[$e]}"
	[ "${churned:-0}" -gt 0 ] || fail "the churn of $e made no connections"
	CHURNED[$e]=$churned
done
rc=0
wait "${EPID[edge-replay]}" || rc=$?
unset "EPID[edge-replay]"
[ "$rc" -eq 0 ] || { cat "$T/edge-replay.log" >&2; fail "the replay edge exited with $rc"; }
# Let the kernel report the churns' last closes before stopping.
sleep 1
for e in $TRACEFS_EDGES; do
	edge_stop "$e"
	grep -q 'lost 0 ' "$T/$e.log" || { cat "$T/$e.log" >&2; fail "$e lost events"; }
done

# Every edge has ended cleanly: once their end records are stored, the
# view has a verdict for each. Generous: redeliveries wait for ack_wait.
want_verdicts="edge-a:complete edge-b:complete edge-replay:complete "
verdicts() {
	pg_sql -c "SELECT host || ':' || verdict FROM tcp_audit_completeness
		WHERE host LIKE 'edge-%' ORDER BY host" 2>/dev/null | tr '\n' ' '
}
for _ in $(seq 600); do
	[ "$(verdicts)" = "$want_verdicts" ] && break
	sleep 0.5
done
# The restarted node has caught up: what the checks below read was held
# by all three replicas, not only by the two that stayed.
nats_wait_current TCP_AUDIT 3
# The collector acknowledges what it stored while it runs, the edges' end
# records (the stream's last messages) too.
nats_check acked TCP_AUDIT tcp-audit-collector 300 ||
	{ cat "$COL_LOG" >&2; fail "the collector does not acknowledge all it stored"; }
kill -TERM "$COL_PID"
rc=0
wait "$COL_PID" || rc=$?
COL_PID=
[ "$rc" -eq 0 ] || { cat "$COL_LOG" >&2; fail "the collector exited with $rc"; }
got=$(verdicts)
if [ "$got" != "$want_verdicts" ]; then
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
	FROM tcp_events_named")" "$EDGES"
assert_eq "runs per edge" "$(pg_sql -c "SELECT string_agg(h, ' ') FROM (SELECT host || '=' ||
	count(DISTINCT run_id) AS h FROM tcp_events_named GROUP BY host ORDER BY host) x")" \
	"edge-a=1 edge-b=1 edge-replay=1"
# The replay edge: seqs 1..N, each once.
assert_eq "replay edge events" "$(pg_sql -c "SELECT count(*) || ' ' || min(seq) || ' ' || max(seq)
	FROM tcp_events_named WHERE host = 'edge-replay'")" "$N 1 $N"
# Each tracefs edge: its churn, counted by its clients, socket by socket.
# The server closes first: the client goes through CLOSE_WAIT, the
# accepted socket through FIN_WAIT1 and FIN_WAIT2; the listener is born
# and dies once. Nothing else passed the edge's port filter.
client="CLOSE>SYN_SENT,SYN_SENT>ESTABLISHED,ESTABLISHED>CLOSE_WAIT,CLOSE_WAIT>LAST_ACK,LAST_ACK>CLOSE"
child="LISTEN>SYN_RECV,SYN_RECV>ESTABLISHED,ESTABLISHED>FIN_WAIT1,FIN_WAIT1>FIN_WAIT2,FIN_WAIT2>CLOSE"
listener="CLOSE>LISTEN,LISTEN>CLOSE"
for e in $TRACEFS_EDGES; do
	c=${CHURNED[$e]}
	got=$(pg_sql -c "SELECT string_agg(n || ' ' || s, ' ' ORDER BY s) FROM (
		SELECT count(*) AS n, s FROM (
			SELECT string_agg(oldstate || '>' || newstate, ',' ORDER BY seq) AS s
			FROM tcp_events_named WHERE host = '$e' GROUP BY run_id, sock) x
		GROUP BY s) y")
	assert_eq "$e sockets by state sequence" "$got" "1 $listener $c $client $c $child"
	assert_eq "$e events" "$(pg_sql -c "SELECT count(*) || ' ' || min(seq) || ' ' ||
		max(seq) FROM tcp_events_named WHERE host = '$e'")" "$((10 * c + 2)) 1 $((10 * c + 2))"
	assert_eq "$e ports" "$(pg_sql -c "SELECT count(*) FROM tcp_events_named WHERE host = '$e'
		AND sport <> ${PORT[$e]} AND dport <> ${PORT[$e]}")" 0
done
# Each edge's events are attributed to its run: the run ids match the
# edges' own, and each edge's run is clean, ending at its last seq.
for e in $EDGES; do
	want=$(sed -n 's/^run_id=0*//p' "$T/$e/run.state")
	got=$(pg_sql -c "SELECT DISTINCT run_id FROM tcp_events_named WHERE host = '$e'")
	assert_eq "$e run id" "$got" "$want"
	assert_eq "$e run" "$(pg_sql -c "SELECT state || ' ' || last_seq FROM tcp_audit_runs_named
		WHERE host = '$e'")" "clean $(pg_sql -c "SELECT max(seq) FROM tcp_events_named
		WHERE host = '$e'")"
done
# The collector keeps its own runs, with no events of its own.
assert_eq "collector runs" "$(pg_sql -c "SELECT count(*) FROM tcp_audit_runs
	WHERE host = 'collector'")" 2
grep -q "acknowledged" "$COL_LOG" || fail "the collector did not report its acks"
FLEET_OK=1
echo "PASS: $N replayed events and ${CHURNED[edge-a]} + ${CHURNED[edge-b]} churned connections" \
	"from three edges (two tracefs), through a 3-node cluster that lost node n$victim (not" \
	"the leader n$leader) and a collector killed once, are in PostgreSQL exactly once"
