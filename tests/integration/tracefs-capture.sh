#!/bin/bash
# The tracefs eventer captures real loopback connections on 127.0.0.1 and
# ::1: exact state sequences of listener, client and accepted socket, ports,
# addresses, times, stable and distinct sock ids, and attribution to the
# real owner (never the peer); a refused connect and a RST; and the
# instance is gone after SIGTERM.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
make_tmpdir
dir=$(tracefs_dir)
export TCP_AUDIT_PLUGIN_DIR

start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR"
inst=$(ta_instance)
[ -n "$inst" ] && [ -d "$dir/instances/$inst" ] || fail "no instance '$inst' while capturing"

# scenario FAMILY(4|6) normal|rst: a server and a client, two processes.
run_pair() {
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
stop_capture

[ ! -e "$dir/instances/$inst" ] || fail "the instance $inst outlived tcp-audit"
while read -r fam port scen t0 t1 spid cpid; do
	python3 "$TESTS_LIB/tracefs-check.py" "$T/events.json" "ipv$fam" "$port" "$scen" \
		"$t0" "$t1" "$spid" "$cpid" || fail "scenario $scen on IPv$fam (port $port)"
done <"$T/cases"

# Ids are distinct across every socket of the run: 3 + 3 + 1 per family.
ids=$(python3 -c 'import json, sys
print(len({e["sock"] for e in map(json.loads, open(sys.argv[1])) if "type" not in e}))' "$T/events.json")
[ "$ids" -ge 14 ] || fail "expected at least 14 distinct sock ids, got $ids"
grep -q '"skaddr"' "$T/events.json" && fail "a kernel address reached the output"
exit 0
