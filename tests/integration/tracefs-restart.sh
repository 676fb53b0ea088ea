#!/bin/bash
# Restarts lose nothing: under steady churn, SIGTERM and a new start, three
# times (what systemctl restart, a package upgrade or a container restart
# do). The kernel keeps recording into the kept instance while no
# tcp-audit runs and the next run reads it first: every event the kernel
# fired (counted by a private instance of the test's own) is stored once,
# every socket's states chain across the restarts, each run is complete
# and continues the one before it, and a connection alive across two
# restarts keeps its two socket ids. The sqlite store's completeness view
# says the same, with no chain hole.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
require_cmd sqlite3
make_tmpdir
dir=$(tracefs_dir)

port=$(free_port)
lport=$(free_port)
[ "$port" != "$lport" ] || lport=$((port + 1))
filter="(protocol == 6) && (sport == $port || dport == $port || sport == $lport || dport == $lport)"
churn= long= TA_PID=
trap 'kill -KILL $churn $long $TA_PID 2>/dev/null || true; wait 2>/dev/null
	counter_stop; release_capture 2>/dev/null; rm -rf "$T"; true' EXIT
counter_start "$filter"

export TA_APPEND=1 TA_KEEP=1
args=(--plugin-dir "$TCP_AUDIT_PLUGIN_DIR" -E "ports=$port,$lport")
start_capture "${args[@]}"
cat "$T/log" >>"$T/all.log"

# A connection that lives across the first two restarts.
python3 - "$lport" "$T/go" >"$T/long.out" 2>&1 <<'PY' &
import os, socket, sys, time
port, go = int(sys.argv[1]), sys.argv[2]
lst = socket.create_server(("127.0.0.1", port))
c = socket.create_connection(("127.0.0.1", port))
s, _ = lst.accept()
lst.close()
while not os.path.exists(go):
    time.sleep(0.05)
c.close()
s.recv(1)
s.close()
print("closed")
PY
long=$!

CHURN_PORT=$port $CHURN churn 4 14 2 300 >"$T/churn" &
churn=$!
for i in 1 2 3; do
	sleep 3
	stop_capture
	start_capture "${args[@]}"
	cat "$T/log" >>"$T/all.log"
	grep -q "continuing the last run's tracefs instance" "$T/log" ||
		fail "restart $i did not continue the kept instance: $(cat "$T/log")"
	[ "$i" = 2 ] && touch "$T/go"
done
wait "$churn" || fail "the churn failed"
churn=
wait "$long" || fail "the long-lived connection failed: $(cat "$T/long.out")"
long=
# The last events (the churn's listener closing) are in before the stop.
sleep 1
stop_capture
TA_PID=
read -r conns _ <"$T/churn"
[ "$conns" -ge 1000 ] || fail "the churn made only $conns connections"
assert_eq "events the counting instance lost" "$(counter_overrun)" 0
fired=$(counter_total)
python3 "$TESTS_LIB/restart-check.py" "$T/events.json" --runs 4 --events "$fired" --chains \
	--same-sock "$lport" >"$T/check.out" 2>&1 || fail "$(cat "$T/check.out")"
cat "$T/check.out"

# The stopped run's instance is kept, and no other daemon's start (its own
# state directory; --check runs the same clean-up) takes it for stale;
# once its keep time has passed, any start removes it.
inst=$(ta_instance)
[ -d "$dir/instances/$inst" ] || fail "the stopped run's instance $inst is not kept"
TCP_AUDIT_STATE_DIR=$T/other "$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event tracefs \
	--sink json --check >/dev/null 2>"$T/other.log" || fail "--check failed: $(cat "$T/other.log")"
[ -d "$dir/instances/$inst" ] || fail "another daemon's start removed the kept instance $inst"
touch -m -d @1 "$dir/instances/$inst"
TCP_AUDIT_STATE_DIR=$T/other "$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event tracefs \
	--sink json --check >/dev/null 2>"$T/other.log" || fail "--check failed: $(cat "$T/other.log")"
[ ! -e "$dir/instances/$inst" ] || fail "the instance $inst, kept past its time, was not removed"

# The sqlite store: four runs, one chain, every one complete.
: >"$T/events.json"
db=$T/a.db
export TCP_AUDIT_STATE_DIR=$T/state2 # a chain of its own, starting here
counter_stop
# The same ports as the capture: $lport is free again, and another test
# may take it.
counter_start "(protocol == 6) && (sport == $port || dport == $port)"
args=(--plugin-dir "$TCP_AUDIT_PLUGIN_DIR" -E "ports=$port" --sink sqlite -S "path=$db")
TA_APPEND=0
"$TCP_AUDIT" --event tracefs "${args[@]}" 2>"$T/log" &
TA_PID=$!
CHURN_PORT=$port $CHURN churn 4 8 2 200 >"$T/churn" &
churn=$!
for i in 1 2 3; do
	for _ in $(seq 100); do grep -q "capturing:" "$T/log" && break; sleep 0.1; done
	sleep 2
	stop_capture
	"$TCP_AUDIT" --event tracefs "${args[@]}" 2>"$T/log" &
	TA_PID=$!
done
wait "$churn" || fail "the churn failed"
churn=
for _ in $(seq 100); do grep -q "capturing:" "$T/log" && break; sleep 0.1; done
sleep 1
stop_capture
TA_PID=
fired=$(counter_total)
q() { sqlite3 "$db" "$1"; }
assert_eq "events in the archive" "$(q 'SELECT count(*) FROM tcp_events')" "$fired"
assert_eq "the completeness view" "$(q "SELECT count(*), sum(verdict = 'complete'),
	sum(prev_present = 1), sum(gap_events) FROM tcp_audit_completeness")" "4|4|3|0"
assert_eq "runs chained one to the next" "$(q "SELECT count(*) FROM tcp_audit_runs r
	JOIN tcp_audit_runs p ON p.run_id = r.prev_run_id")" 3
echo "PASS: three restarts under churn: $fired events, every one stored once, no gap"
