#!/bin/bash
# The kernel eventers capture real loopback connections on 127.0.0.1 and
# ::1: exact state sequences of listener, client and accepted socket, ports,
# addresses, times, stable and distinct sock ids, and attribution to the
# real owner (never the peer); a refused connect and a RST; no kernel
# address reaches the output; tracefs's instance is gone after SIGTERM.
# Run with TCA_EVENTER=tracefs or bpf, by tracefs-capture.sh and
# bpf-capture.sh.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/eventer.sh"
require_eventer
make_tmpdir

# Fixed ports below the ephemeral range: on a loaded machine another
# test's client may otherwise have the same number as its own port.
ports=$(for _ in 1 2 3 4 5 6; do free_port; done | sort -u | tr '\n' ' ')
set -- $ports
[ $# -eq 6 ] || fail "could not find 6 free ports: $ports"
next_port() { CHURN_PORT=$1; export CHURN_PORT; shift; ports="$*"; }

start_eventer
if [ "$TCA_EVENTER" = tracefs ]; then
	dir=$(tracefs_dir)
	inst=$(ta_instance)
	[ -n "$inst" ] && [ -d "$dir/instances/$inst" ] || fail "no instance '$inst' while capturing"
fi

# scenario FAMILY(4|6) normal|rst: a server and a client, two processes.
run_pair() {
	next_port $ports
	rm -f "$T/port"
	t0=$(date +%s%N)
	$CHURN serve "$1" "$T/port" tca-server ${2/normal/} &
	spid=$!
	port=$(wait_port "$T/port")
	$CHURN connect "$1" "$port" tca-client ${2/normal/} &
	cpid=$!
	wait "$cpid" || fail "the client failed"
	wait "$spid" || fail "the server failed"
	t1=$(date +%s%N)
	echo "$1 $port $2 $t0 $t1 $spid $cpid" >>"$T/cases"
}

run_refused() {
	next_port $ports
	t0=$(date +%s%N)
	$CHURN refused "$1" tca-client >"$T/refused" &
	cpid=$!
	wait "$cpid" || fail "the refused client failed"
	t1=$(date +%s%N)
	echo "$1 $(cat "$T/refused") refused $t0 $t1 0 $cpid" >>"$T/cases"
}

for fam in 4 6; do
	run_pair "$fam" normal
	run_pair "$fam" rst
	run_refused "$fam"
done
stop_eventer

if [ "$TCA_EVENTER" = tracefs ]; then
	[ ! -e "$dir/instances/$inst" ] || fail "the instance $inst outlived tcp-audit"
fi
while read -r fam port scen t0 t1 spid cpid; do
	python3 "$TESTS_LIB/tracefs-check.py" "$T/events.json" "ipv$fam" "$port" "$scen" \
		"$t0" "$t1" "$spid" "$cpid" || {
		grep -E 'warning|stats:|kernel side' "$T/log" >&2
		retry_if_counted_loss
		fail "scenario $scen on IPv$fam (port $port)"
	}
done <"$T/cases"

# Ids are distinct across every socket of the run: 3 + 3 + 1 per family.
ids=$(python3 -c 'import json, sys
print(len({e["sock"] for e in map(json.loads, open(sys.argv[1])) if "type" not in e}))' "$T/events.json")
[ "$ids" -ge 14 ] || fail "expected at least 14 distinct sock ids, got $ids"
grep -q '"skaddr"' "$T/events.json" && fail "a kernel address reached the output"
# Ids are hashes (tracefs) or socket cookies, small counters (bpf); a
# cookie above 2^47 would be a kernel address.
if [ "$TCA_EVENTER" = bpf ]; then
	python3 -c 'import json, sys
bad = [e["sock"] for e in map(json.loads, open(sys.argv[1])) if "type" not in e and e["sock"] >= 1 << 47]
sys.exit("ids that look like kernel addresses: %s" % bad[:3] if bad else 0)' "$T/events.json" ||
		fail "an id looks like a kernel address"
fi
exit 0
