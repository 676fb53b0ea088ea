#!/bin/bash
# Owners against ground truth the test knows, under background churn: a
# pre-forking server (the parent listens, forked workers accept) and many
# short-lived client processes, on IPv4 and IPv6. Every event of every
# socket must carry its owner (100% attributed) and the right one (0
# wrong): the client process for its socket, the parent for the listener,
# and for an accepted socket the parent (the listener's owner) until the
# worker's accept, the worker after. Then a server that forks a child
# after each accept, as PostgreSQL does: after the parent has let go and
# before the child has shown itself (its close), the owner is unknown and
# the event says so (no pid), never the parent.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
make_tmpdir

WORKERS=4 EACH=25 PARALLEL=8

# Fixed ports, filtered in the kernel: the owners are tracked for every
# socket all the same, and the events of the rest of the machine (other
# tests' churn) cannot fill the queue.
p4=$(free_port) p6=$(free_port) pf=$(free_port)
start_bpf -E ports="$p4,$p6,$pf"
# Unrelated connections from other processes all along: on loopback a
# state change often runs in the peer's context, the trap for attribution.
# Its own process group, so that a failing test can stop all of it; it
# ends by itself after 8 s (about as long as the scenarios take).
setsid $CHURN churn 4 8 2 2000 >"$T/churn.out" &
churn_pid=$!
BG_GROUPS=$churn_pid
sleep 0.5

for fam in 4 6; do
	rm -f "$T/port"
	[ "$fam" = 4 ] && export BPFNET_PORT=$p4 || export BPFNET_PORT=$p6
	$BPFNET prefork "$fam" "$T/port" $WORKERS $EACH "$T/truth$fam" &
	spid=$!
	port=$(wait_port "$T/port")
	$BPFNET clients "$fam" "$port" $((WORKERS * EACH)) $PARALLEL "$T/truth$fam" ||
		fail "IPv$fam: a client failed"
	wait "$spid" || fail "IPv$fam: the server failed"
done
rm -f "$T/port"
export BPFNET_PORT=$pf
$BPFNET forkaccept 4 "$T/port" 20 "$T/truthfork" &
spid=$!
port=$(wait_port "$T/port")
$BPFNET clients 4 "$port" 20 1 "$T/truthfork" || fail "forkaccept: a client failed"
wait "$spid" || fail "forkaccept: the server failed"
wait "$churn_pid" || fail "the background churn failed"
BG_GROUPS=
sleep 0.3
stop_bpf
# The kernel skips an event that comes in the few instructions around a
# run of the first program on its CPU, and at times one it runs neither
# program for at all; both counts include events the filters would have
# dropped: the background churn's (tcp-audit-bpf(7), Loss). That is the
# only loss allowed here; every event of the test's own sockets is
# counted below.
read -r klost nlost unseen skipped _ < <(kernel_loss)
assert_eq "events the ring buffer lost" "${klost:-none}" 0
grep -q "lost ${skipped:-none} (source ${skipped:-none}, queue full 0, refused 0, unflushed at exit 0)" "$T/log" ||
	fail "events were lost: $(grep stats: "$T/log")"
[ "$skipped" -eq 0 ] || echo "bpf-owners: $skipped events ran neither program (any port; misses $nlost, by the tracepoint's count $unseen)"

python3 - "$T/events.json" "$T/truth4" "$T/truth6" $((WORKERS * EACH)) "$T/truthfork" 20 <<'PY' || fail "see above"
import json, sys
events = [e for e in map(json.loads, open(sys.argv[1])) if "type" not in e]
bad = []
for truth, n in ((sys.argv[2], int(sys.argv[4])), (sys.argv[3], int(sys.argv[4])),
                 (sys.argv[5], int(sys.argv[6]))):
    clients, accepts, backends, listener = {}, {}, {}, None
    for line in open(truth):
        kind, pid, port = line.split()
        if kind == "listener":
            listener = (int(pid), int(port))
        elif kind == "client":
            clients[int(port)] = int(pid)
        elif kind == "backend":
            backends[int(port)] = int(pid)
        else:
            accepts[int(port)] = int(pid)
    lpid, lport = listener
    if len(clients) != n or len(accepts) != n:
        bad.append(f"{truth}: {len(clients)} clients, {len(accepts)} accepts, expected {n}")
    evs = [e for e in events if lport in (e["sport"], e["dport"])]
    socks = {}
    for e in evs:
        socks.setdefault(e["sock"], []).append(e)
    checked = 0
    for sid, lst in socks.items():
        first = lst[0]
        if first["newstate"] == "LISTEN" and first["sport"] == lport:
            want = [(e, lpid, "tca-parent") for e in lst]
        elif first["oldstate"] == "LISTEN" and first["sport"] == lport:
            peer = first["dport"]
            worker = accepts.get(peer)
            if worker is None:
                bad.append(f"accepted socket from port {peer} that no worker accepted")
                continue
            # Before the accept: the listener's owner; the client waits for
            # the worker's reply before closing, so the rest is after it.
            if peer in backends:
                # Accepted by the parent, which closes its copy before the
                # child answers; the child shows itself at its close.
                b = backends[peer]
                want = [(e, lpid, "tca-parent") if "SYN_RECV" in (e["oldstate"], e["newstate"])
                        else (e, None, None) if e["newstate"] == "CLOSE_WAIT"
                        else (e, b, "tca-backend") for e in lst]
            else:
                want = [(e, lpid, "tca-parent") if "SYN_RECV" in (e["oldstate"], e["newstate"])
                        else (e, worker, "tca-worker") for e in lst]
        elif first["oldstate"] == "CLOSE" and first["dport"] == lport:
            cport = next((e["sport"] for e in lst if e["sport"]), None)
            pid = clients.get(cport)
            if pid is None:
                bad.append(f"client socket on port {cport} that no client made")
                continue
            want = [(e, pid, "tca-client") for e in lst]
        else:
            continue  # another socket that happens to use the number
        for e, pid, comm in want:
            checked += 1
            if e.get("pid") != pid or e.get("comm") != comm:
                bad.append(f"{e['oldstate']}>{e['newstate']} port {e['sport']}->{e['dport']}: "
                           f"{e.get('pid')}/{e.get('comm')}, expected {pid}/{comm}")
    # Listener 2, accepted 5 and client 5 events each.
    if checked != 2 + 10 * n:
        bad.append(f"{truth}: {checked} events checked, expected {2 + 10 * n}")
    print(f"bpf-owners: {truth}: {checked} events of {len(socks)} sockets checked")
for b in bad[:20]:
    print("bpf-owners:", b)
sys.exit(1 if bad else 0)
PY
exit 0
