#!/bin/bash
# Owners on real servers under unrelated background churn, checked against
# what the test knows of which process holds which socket: a forking
# server, SO_REUSEPORT listeners, the same listener in two network
# namespaces, nginx with four workers (its access log names the worker of
# each client port), PostgreSQL under pgbench -C (log_connections names
# the backend), and short-lived clients (curl, and forked ones). No event
# may name a process that does not hold the socket; accepted sockets name
# their holder from its first act on; client events are named >= 99%.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
require_cmd ip nginx pgbench curl
. "$TESTS_LIB/pg.sh"
make_tmpdir
tracefs_dir >/dev/null
OWN="python3 $TESTS_LIB/owners.py"
ns_a=tca-own-a-$$
ns_b=tca-own-b-$$
pids=""
cleanup() {
	kill_capture
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	[ -f "$T/nginx.pid" ] && kill "$(cat "$T/nginx.pid")" 2>/dev/null
	ip netns del "$ns_a" 2>/dev/null || true
	ip netns del "$ns_b" 2>/dev/null || true
	pg_stop_quiet
	rm -rf "$T"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listen PORT [NETNS]: until something listens there.
wait_listen() {
	for _ in $(seq 100); do
		if [ -n "${2:-}" ]; then
			ip netns exec "$2" ss -Htln "sport = :$1" | grep -q . && return 0
		else
			ss -Htln "sport = :$1" | grep -q . && return 0
		fi
		sleep 0.05
	done
	fail "nothing listens on port $1 ${2:-}"
}

# PostgreSQL first (it takes a while), on TCP, logging each backend's pid
# with the client port it serves.
pg_start
# After pg_start, whose own trap would replace this one: nothing of this
# test (nginx, namespaces, servers, PostgreSQL) outlives it.
trap cleanup EXIT
pg_port=$(free_port)
cat >>"$PGDIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
log_connections = on
log_line_prefix = '%p '
max_connections = 50
CONF
pg_stop
pg_ctl_start
export PGPORT=$pg_port
pgbench -i -q -s 1 -h "$PGDIR" >"$T/pgbench-init.log" 2>&1 || { cat "$T/pgbench-init.log" >&2; fail "pgbench -i failed"; }

# TCA_OWNERS_EVENTER=bpf: the same load and checks on the bpf eventer;
# =bpftrace: on what a tcpstates-like tool reports, the task on the CPU
# at each event; =tcpstates: on libbpf-tools' tcpstates itself (both for
# a comparison, by hand: they name wrong owners, and the test says so;
# the default, tracefs, is what this test is for).
case ${TCA_OWNERS_EVENTER:-tracefs} in
tracefs)
	start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR"
	;;
bpftrace)
	bpftrace -e 'tracepoint:sock:inet_sock_set_state { printf("%d %s %llu %d %d %d %d\n", pid, comm, (uint64)args->skaddr, args->sport, args->dport, args->oldstate, args->newstate); }' \
		>"$T/bt.out" 2>"$T/bt.log" &
	TA_PID=$!
	for _ in $(seq 300); do grep -q Attaching "$T/bt.out" && break; sleep 0.1; done
	;;
tcpstates)
	/usr/sbin/tcpstates -w >"$T/ts.out" 2>"$T/ts.log" &
	TA_PID=$!
	for _ in $(seq 300); do [ -s "$T/ts.out" ] && break; sleep 0.1; done
	sleep 1 # its header comes before it is attached
	;;
*)
	"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event "$TCA_OWNERS_EVENTER" --sink json \
		>"$T/events.json" 2>"$T/log" &
	TA_PID=$!
	for _ in $(seq 300); do grep -q "capturing:" "$T/log" && break; sleep 0.1; done
	grep -q "capturing:" "$T/log" || { cat "$T/log" >&2; fail "tcp-audit did not start"; }
	;;
esac
# Unrelated loopback churn for the whole run.
$CHURN churn 4 20 2 3000 >"$T/churn.out" &
churn=$!
pids="$pids $churn"

# 1. A forking server: a child holds each accepted socket.
p=$(free_port)
$OWN forking "$p" "$T/fork.log" 300 &
pids="$pids $!"
wait_listen "$p"
$OWN clients "$p" "$T/fork.log" 200 8 || fail "forking: the clients failed"

# 2. Three SO_REUSEPORT listeners on one port, one process each.
p=$(free_port)
$OWN reuseport "$p" "$T/reuse.log" 300 3 &
pids="$pids $!"
wait_listen "$p"
sleep 0.3 # all three listening
$OWN clients "$p" "$T/reuse.log" 200 8 || fail "reuseport: the clients failed"

# 3. The same listener (address and port) in two network namespaces.
p=$(free_port)
for ns in "$ns_a" "$ns_b"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" $OWN server "$p" "$T/$ns.log" 300 &
	pids="$pids $!"
	wait_listen "$p" "$ns"
done
ip netns exec "$ns_a" $OWN clients "$p" "$T/$ns_a.log" 100 4 &
ca=$!
ip netns exec "$ns_b" $OWN clients "$p" "$T/$ns_b.log" 100 4 || fail "netns: the clients failed"
wait "$ca" || fail "netns: the clients failed"

# 4. nginx, a master and four workers; short-lived curl clients.
ng_port=$(free_port)
mkdir -p "$T/nginx"
cat >"$T/nginx.conf" <<CONF
worker_processes 4;
pid $T/nginx.pid;
error_log $T/nginx-error.log;
events { worker_connections 256; }
http {
	access_log off;
	log_format owners '\$pid \$remote_port';
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx;
	scgi_temp_path $T/nginx;
	server {
		listen 127.0.0.1:$ng_port;
		access_log $T/nginx-access.log owners;
		location / { return 200 "ok\n"; }
	}
}
CONF
nginx -c "$T/nginx.conf" -p "$T/nginx" || fail "nginx did not start"
wait_listen "$ng_port"
for i in $(seq 300); do
	curl -s -o /dev/null -m 5 "http://127.0.0.1:$ng_port/$i" &
	[ $((i % 16)) -eq 0 ] && wait_curl=1 && while [ "$(jobs -rp | wc -l)" -gt 24 ]; do sleep 0.01; done
done
while [ "$(jobs -rp | grep -v -w -e "$churn" | wc -l)" -gt 8 ]; do sleep 0.05; done
sleep 0.5

# 5. PostgreSQL: a backend forked per connection.
pgbench -h 127.0.0.1 -p "$pg_port" -C -c 4 -j 1 -t 40 -n >"$T/pgbench.log" 2>&1 &
pgb=$!
wait "$pgb" || { cat "$T/pgbench.log" >&2; fail "pgbench failed"; }

sleep 1
case ${TCA_OWNERS_EVENTER:-tracefs} in
bpftrace | tcpstates)
	kill -INT "$TA_PID"
	wait "$TA_PID" || true
	# Their lines as our events: the task on the CPU as the holder; the
	# socket's address only hashed into an id (it leaves no file).
	out=$T/bt.out
	[ "$TCA_OWNERS_EVENTER" = bpftrace ] || out=$T/ts.out
	python3 - "$TCA_OWNERS_EVENTER" "$out" >"$T/events.json" <<'PY'
import hashlib, json, sys
names = ["?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
         "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"]
lives = {}
for line in open(sys.argv[2]):
    f = line.split()
    if sys.argv[1] == "bpftrace":
        # pid comm skaddr sport dport old new (state numbers)
        if len(f) != 7 or not f[0].isdigit():
            continue
        pid, comm, sk, sport, dport = int(f[0]), f[1], f[2], int(f[3]), int(f[4])
        old, new = names[int(f[5])], names[int(f[6])]
    else:
        # SKADDR PID COMM [IP] LADDR LPORT RADDR RPORT OLDSTATE -> NEWSTATE MS
        if len(f) not in (11, 12) or f[-3] != "->" or not f[1].isdigit():
            continue
        sk, pid, comm, old, new = f[0], int(f[1]), f[2], f[-4], f[-2]
        sport, dport = int(f[-7]), int(f[-5])
    if old == "CLOSE":
        lives[sk] = lives.get(sk, 0) + 1
    sock = int(hashlib.sha256(f"{sk}/{lives.get(sk, 0)}".encode()).hexdigest()[:15], 16)
    print(json.dumps({"sock": sock, "pid": pid or None, "comm": comm, "owner": "holder",
                      "sport": sport, "dport": dport, "oldstate": old, "newstate": new}))
PY
	lost=$(sed -n -e 's/^Lost \([0-9]*\) events.*/\1/p' -e 's/^lost \([0-9]*\) events.*/\1/p' \
		"$T/bt.out" "$T/bt.log" "$T/ts.log" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
	echo "stats: read 0, lost $lost (source $lost, $TCA_OWNERS_EVENTER)" >"$T/log"
	;;
*)
	stop_capture
	;;
esac
wait "$churn" || fail "the background churn failed"

# Ground truth from the servers' own logs.
master=$(cat "$T/nginx.pid")
awk -v m="$master" -v p="$ng_port" '{ print "accepted", $1, m, p, $2 }' "$T/nginx-access.log" >"$T/nginx.log"
postmaster=$(head -n 1 "$PGDIR/data/postmaster.pid")
sed -n 's/^\([0-9]*\) LOG:  connection received: host=127.0.0.1 port=\([0-9]*\).*/\1 \2/p' \
	"$PGDIR/server.log" | awk -v m="$postmaster" -v p="$pg_port" -v c="$pgb" \
	'{ print "accepted", $1, m, p, $2; print "client", c, $2, p }' >"$T/pg.log"
[ "$(wc -l <"$T/nginx.log")" -ge 300 ] || fail "nginx logged $(wc -l <"$T/nginx.log") of 300 requests"
[ "$(grep -c accepted "$T/pg.log")" -ge 160 ] || fail "PostgreSQL logged too few connections"

lost=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log")
[ -n "$lost" ] || fail "no stats line in the log"
[ "$lost" -eq 0 ] || echo "the capture lost $lost events: only wrong owners are checked"
for w in fork reuse "$ns_a" nginx pg; do
	logs="$T/$w.log"
	[ "$w" = "$ns_a" ] && logs="$T/$ns_a.log $T/$ns_b.log"
	case ${TCA_OWNERS_EVENTER:-tracefs} in
	bpftrace | tcpstates) # a comparison: its counts, wrong owners and all
		out=$($OWN check "$lost" "$T/events.json" $logs 2>&1) || true ;;
	*)
		out=$($OWN check "$lost" "$T/events.json" $logs) || fail "$w: owners" ;;
	esac
	echo "$w: $out"
done

# Short-lived curl clients: named, and as curl.
curl_rc=0
python3 - "$T/events.json" "$ng_port" "$lost" <<'PY' || curl_rc=$?
import json, sys
port, lost = int(sys.argv[2]), int(sys.argv[3])
ev = [e for e in map(json.loads, open(sys.argv[1])) if "type" not in e]
cl = [e for e in ev if e["dport"] == port and e["sport"] != port]
named = [e for e in cl if e["pid"] is not None]
bad = [e for e in named if e["comm"] != "curl" or e.get("owner") != "holder"]
print(f"curl: {len(named)} of {len(cl)} client events named, {len(bad)} wrong")
assert not bad, ("curl client events with another owner", bad[:3])
if not lost:
    assert len(cl) >= 300 * 3, ("too few curl client events", len(cl))
    assert len(named) >= 0.99 * len(cl), ("curl client events named", len(named), len(cl))
PY
[ "$curl_rc" -eq 0 ] || case ${TCA_OWNERS_EVENTER:-tracefs} in bpftrace | tcpstates) ;; *) fail "curl: owners" ;; esac
# The churn really ran alongside: most events are its.
n=$(events_in "$T/events.json")
[ "$n" -ge 20000 ] || fail "only $n events in all: the background churn did not run"
echo "events in all, churn included: $n"
python3 - "$T/events.json" <<'PY' || true
import calendar, json, sys, time
ts = [json.loads(l).get("time") for l in open(sys.argv[1])]
ts = [calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) for t in ts if t]
if len(ts) > 1 and ts[-1] > ts[0]:
    print(f"event rate over the capture: {len(ts) / (ts[-1] - ts[0]):.0f}/s for {ts[-1] - ts[0]} s")
PY
exit 0
