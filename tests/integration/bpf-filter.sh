#!/bin/bash
# The kernel-side filters: ports, states, family, addresses, netns and
# cgroups keep exactly the matching events, the owners of what is kept are
# still right (the owner is tracked on every event, filtered or not), and
# what is filtered never reaches the ring buffer: the kernel side's own
# count of what passed equals what was stored, exactly. A bad filter value
# is one line and exit 78.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
require_cmd ip
make_tmpdir

for bad in ports=80,0 states=OPEN family=ipv5 addresses=1.2.3 addresses=::g netns=abc \
	netns=/nonexistent cgroups=/tmp cgroups=-1; do
	run_tcp_audit --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event bpf --sink json -E "$bad" --check 2>"$T/err"
	assert_eq "exit status of $bad" "$rc" 78
	assert_eq "error lines of $bad" "$(wc -l <"$T/err")" 1
	grep -q "bad ${bad%%=*} '${bad#*=}'" "$T/err" || fail "the error does not name $bad: $(cat "$T/err")"
done

cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$cg2" ] || skip "cgroup2 is not mounted"
ns=tca-bpf-filter-$$
cg=$cg2/tca-bpf-filter-$$
cleanup_extra() {
	ip netns del "$ns" 2>/dev/null || true
	[ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true
}
trap bpf_exit EXIT
ip netns add "$ns" || skip "cannot create a network namespace"
ip -n "$ns" link set lo up
mkdir "$cg"

# conn NAME FAMILY PORT [WRAPPER...]: one connection of the bpf-net
# server and client (client 5 events, server 7 with its listener).
conn() {
	local name=$1 fam=$2 port=$3
	shift 3
	rm -f "$T/port"
	BPFNET_PORT=$port "$@" $BPFNET sink "$fam" "$T/port" 100 &
	spid=$!
	wait_port "$T/port" >/dev/null
	"$@" $BPFNET send "$fam" "$port" 100 tca-client >/dev/null || fail "$name: the client failed"
	wait "$spid" || fail "$name: the server failed"
}

# kernel_counts: "PASSED WRITTEN LOST FILTERED" from the kernel side's
# last word in the log.
kernel_counts() {
	sed -n 's/.*kernel side: \([0-9]*\) events passed the filters (\([0-9]*\) written, \([0-9]*\) lost.*), \([0-9]*\) filtered out.*/\1 \2 \3 \4/p' "$T/log"
}

# check WHAT WANT OURS: the stored events are WANT (sorted "comm old new"
# lines), the kernel passed exactly them, and it filtered out at least
# the OURS events of the test's own that do not match (the rest of what
# it filtered is the host's other traffic).
check() {
	python3 - "$T/events.json" >"$T/got" <<'PY'
import json, sys
for e in map(json.loads, open(sys.argv[1])):
    if "type" not in e:
        print(e.get("comm", "-"), e["oldstate"], e["newstate"], e["sport"], e["dport"], e.get("netns"))
PY
	got=$(cut -d' ' -f1-3 "$T/got" | sort)
	assert_eq "$1: events kept" "$got" "$(echo "$2" | sort)"
	read -r passed written lost filtered < <(kernel_counts)
	assert_eq "$1: events the kernel passed" "$passed" "$(wc -l <"$T/got")"
	assert_eq "$1: events the kernel lost" "$lost" 0
	[ "$filtered" -ge "$3" ] || fail "$1: the kernel filtered out $filtered events, not the $3 of ours"
}

# Ports and states: only the chosen port's ESTABLISHED and CLOSE; another
# connection, on another port, is filtered out.
p1=$(free_port) p2=$(free_port)
start_bpf -E ports="$p1" -E states=ESTABLISHED,CLOSE
conn ports 4 "$p1"
conn other 4 "$p2"
sleep 0.3
stop_bpf
check "ports and states" "tca-client SYN_SENT ESTABLISHED
tca-client FIN_WAIT2 CLOSE
tca-server SYN_RECV ESTABLISHED
tca-server LAST_ACK CLOSE
tca-server LISTEN CLOSE" 19

# netns, family and addresses: of an IPv4 and an IPv6 connection in the
# test's namespace and an IPv4 one on the host, only the first passes.
p1=$(free_port)
start_bpf -E netns="/run/netns/$ns" -E family=ipv4 -E addresses=127.0.0.1
conn netns4 4 "$p1" ip netns exec "$ns"
conn netns6 6 "$p1" ip netns exec "$ns"
conn host4 4 "$p1"
sleep 0.3
stop_bpf
all="tca-client CLOSE SYN_SENT
tca-client SYN_SENT ESTABLISHED
tca-client ESTABLISHED FIN_WAIT1
tca-client FIN_WAIT1 FIN_WAIT2
tca-client FIN_WAIT2 CLOSE
tca-server CLOSE LISTEN
tca-server LISTEN CLOSE
tca-server LISTEN SYN_RECV
tca-server SYN_RECV ESTABLISHED
tca-server ESTABLISHED CLOSE_WAIT
tca-server CLOSE_WAIT LAST_ACK
tca-server LAST_ACK CLOSE"
check "netns, family and addresses" "$all" 24
netns=$(stat -L -c %i "/run/netns/$ns")
assert_eq "namespaces of the events kept" "$(cut -d' ' -f6 "$T/got" | sort -u)" "$netns"

# family on a dual-stack listener (bound to [::]) that an IPv4 client
# connects to: the family the kernel side filters on is the one reported,
# after the dual-stack conversion, as ipv4_mapped says.
dualstack() {
	rm -f "$T/port"
	CHURN_PORT=$1 $CHURN dualserve "$T/port" tca-server &
	spid=$!
	wait_port "$T/port" >/dev/null
	$CHURN connect 4 "$1" tca-client || fail "dual stack: the client failed"
	wait "$spid" || fail "dual stack: the server failed"
}
child="tca-server LISTEN SYN_RECV
tca-server SYN_RECV ESTABLISHED
tca-server ESTABLISHED CLOSE_WAIT
tca-server CLOSE_WAIT LAST_ACK
tca-server LAST_ACK CLOSE"
p1=$(free_port)
start_bpf -E family=ipv4 -E ports="$p1"
dualstack "$p1"
sleep 0.3
stop_bpf
check "family=ipv4, dual stack" "$(echo "$all" | grep tca-client)
$child" 2
p1=$(free_port)
start_bpf -E family=ipv6 -E ipv4_mapped=yes -E ports="$p1"
dualstack "$p1"
sleep 0.3
stop_bpf
check "family=ipv6 ipv4_mapped=yes, dual stack" "tca-server CLOSE LISTEN
tca-server LISTEN CLOSE
$child" 5

# cgroups: only the events of the client that runs in the test's cgroup
# (its owner's cgroup); the server's, and an unfiltered client's, are not.
p1=$(free_port)
start_bpf -E cgroups="$cg" -E ports="$p1"
rm -f "$T/port"
BPFNET_PORT=$p1 $BPFNET sink 4 "$T/port" 100 &
spid=$!
wait_port "$T/port" >/dev/null
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" $BPFNET send 4 "$p1" 100 tca-client >/dev/null ||
	fail "cgroups: the client failed"
wait "$spid" || fail "cgroups: the server failed"
sleep 0.3
stop_bpf
check "cgroups" "$(echo "$all" | grep tca-client)" 7
exit 0
