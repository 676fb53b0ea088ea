#!/bin/bash
# Privileges: without CAP_BPF or CAP_PERFMON the bpf eventer fails at
# start with one line naming both, and tcp-audit exits 77 (EX_NOPERM);
# with exactly those two capabilities and nothing else it captures.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
require_cmd setpriv
make_tmpdir

# CAP_SYS_ADMIN would stand in for both, so it goes too.
for keep in "+perfmon" "+bpf" ""; do
	rc=0
	setpriv --inh-caps=-all --bounding-set="-all${keep:+,$keep}" -- \
		"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event bpf --sink json \
		>"$T/out" 2>"$T/err" || rc=$?
	assert_eq "exit status with only '${keep:-no capabilities}'" "$rc" 77
	assert_eq "error lines with only '${keep:-no capabilities}'" "$(wc -l <"$T/err")" 1
	grep -q "^tcp-audit: error: bpf: .*needs the capabilities CAP_BPF and CAP_PERFMON" "$T/err" ||
		fail "the error does not name the capabilities: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "output without the capabilities: $(head -c 200 "$T/out")"
done

# Exactly CAP_BPF and CAP_PERFMON: a connection is captured, with its owner.
setpriv --inh-caps=-all --bounding-set=-all,+bpf,+perfmon -- \
	"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event bpf --sink json \
	>"$T/events.json" 2>"$T/log" &
TA_PID=$!
trap bpf_exit EXIT
for _ in $(seq 100); do
	grep -q "capturing:" "$T/log" && break
	kill -0 "$TA_PID" 2>/dev/null || { cat "$T/log" >&2; fail "tcp-audit exited at start"; }
	sleep 0.1
done
rm -f "$T/port"
$CHURN serve 4 "$T/port" tca-server &
spid=$!
port=$(wait_port "$T/port")
$CHURN connect 4 "$port" tca-client
wait "$spid" || fail "the server failed"
sleep 0.3
stop_bpf
n=$(grep "\"dport\":$port," "$T/events.json" | grep -c '"comm":"tca-client"') || true
assert_eq "client events captured with CAP_BPF and CAP_PERFMON only" "$n" 5
exit 0
