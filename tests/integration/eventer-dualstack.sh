#!/bin/bash
# IPv4 on a dual-stack socket: a server listening on [::] accepts an IPv4
# client. By default the accepted socket's events are plain IPv4; with
# ipv4_mapped=yes they are IPv6 ::ffff:127.0.0.1. Either way the child is
# attributed to the listener's owner through the wildcard listener (bpf:
# to the server, the wildcard listener's owner and the acceptor). Run with
# TCA_EVENTER=tracefs or bpf, by tracefs-dualstack.sh and bpf-dualstack.sh.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/eventer.sh"
require_eventer
make_tmpdir

run_case() { # $1: yes|no (ipv4_mapped)
	rm -f "$T/port"
	# Capture first: the listener's own event is what names the owner.
	start_eventer -E "ipv4_mapped=$1"
	$CHURN dualserve "$T/port" tca-server &
	spid=$!
	port=$(wait_port "$T/port")
	$CHURN connect 4 "$port" tca-client || fail "the client failed"
	wait "$spid" || fail "the server failed"
	stop_eventer
	python3 - "$T/events.json" "$1" "$spid" "$port" <<'PY' || { grep -E 'warning|stats:|kernel side' "$T/log" >&2; retry_if_counted_loss; fail "dual stack, ipv4_mapped=$1"; }
import json, sys
port = int(sys.argv[4])
evs = [e for e in map(json.loads, open(sys.argv[1])) if "type" not in e and port in (e["sport"], e["dport"])]
mapped, spid = sys.argv[2] == "yes", int(sys.argv[3])
listener = [e for e in evs if e["saddr"] == "::"]
child = [e for e in evs if e["sport"] == port and e["saddr"] != "::"]
client = [e for e in evs if e["dport"] == port]
assert [e["oldstate"] + ">" + e["newstate"] for e in listener] == ["CLOSE>LISTEN", "LISTEN>CLOSE"], listener
assert all(e["family"] == "ipv6" and e.get("pid") == spid for e in listener), listener
want_fam, want_addr = ("ipv6", "::ffff:127.0.0.1") if mapped else ("ipv4", "127.0.0.1")
seq = [e["oldstate"] + ">" + e["newstate"] for e in child]
assert seq == ["LISTEN>SYN_RECV", "SYN_RECV>ESTABLISHED", "ESTABLISHED>CLOSE_WAIT",
               "CLOSE_WAIT>LAST_ACK", "LAST_ACK>CLOSE"], ("child", seq, evs)
for e in child:
    assert (e["family"], e["saddr"], e["daddr"]) == (want_fam, want_addr, want_addr), e
    assert e.get("pid") == spid and e.get("comm") == "tca-server", e
assert len({e["sock"] for e in child}) == 1
assert len(client) == 5 and all(e["family"] == "ipv4" and e.get("comm") == "tca-client" for e in client), client
print("ok: ipv4_mapped=%s" % sys.argv[2])
PY
}
run_case no
run_case yes
exit 0
