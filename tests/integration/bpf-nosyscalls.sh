#!/bin/bash
# syscalls=no: only the state tracepoint is attached (no syscall
# tracepoint programs loaded), and owners still come from connect, listen
# and the listener: the exact sequences and owners of a server that
# accepts its own connection, on IPv4 and IPv6.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
require_cmd bpftool
make_tmpdir

p4=$(free_port) p6=$(free_port)
start_bpf -E syscalls=no -E ports="$p4,$p6"
progs=$(bpftool prog show | grep -cE 'name tca_(accept|close)') || true
for fam in 4 6; do
	[ "$fam" = 4 ] && export CHURN_PORT=$p4 || export CHURN_PORT=$p6
	rm -f "$T/port"
	t0=$(date +%s%N)
	$CHURN serve "$fam" "$T/port" tca-server &
	spid=$!
	port=$(wait_port "$T/port")
	$CHURN connect "$fam" "$port" tca-client &
	cpid=$!
	wait "$cpid" || fail "the client failed"
	wait "$spid" || fail "the server failed"
	echo "$fam $port normal $t0 $(date +%s%N) $spid $cpid" >>"$T/cases"
done
stop_bpf
while read -r fam port scen t0 t1 spid cpid; do
	python3 "$TESTS_LIB/tracefs-check.py" "$T/events.json" "ipv$fam" "$port" "$scen" \
		"$t0" "$t1" "$spid" "$cpid" || fail "syscalls=no, IPv$fam (port $port)"
done <"$T/cases"
# Another run's programs may be loaded; ours must not have added any.
[ "$progs" -eq "$(bpftool prog show | grep -cE 'name tca_(accept|close)' || true)" ] ||
	fail "syscall programs loaded with syscalls=no"
exit 0
