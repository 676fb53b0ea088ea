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
# The programs this daemon holds, by their ids in its descriptors (other
# tests load theirs at the same time, so a system-wide count would race).
own=$(for f in /proc/"$TA_PID"/fdinfo/*; do sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null; done |
	sort -u | while read -r id; do bpftool prog show id "$id" | sed -n '1s/.* name \([^ ]*\) .*/\1/p'; done)
[ -n "$own" ] || fail "found no BPF program held by tcp-audit (pid $TA_PID)"
case " $(echo $own) " in
*" tca_state "*) ;;
*) fail "the state program is not loaded: $own" ;;
esac
echo "$own" | grep -qE '^tca_(accept|close)' && fail "syscall programs loaded with syscalls=no: $own"
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
exit 0
