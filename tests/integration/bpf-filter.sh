#!/bin/bash
# The kernel-side filters: ports and states keep exactly the matching
# events, and the owners of what is kept are still right (the owner is
# tracked on every event, filtered or not). A bad filter value is one line
# and exit 78.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
make_tmpdir

run_tcp_audit --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event bpf --sink json -E ports=80,0 --check 2>"$T/err"
assert_eq "exit status of ports=80,0" "$rc" 78
assert_eq "error lines of ports=80,0" "$(wc -l <"$T/err")" 1
grep -q "bad ports '80,0'" "$T/err" || fail "the error does not name the option: $(cat "$T/err")"
run_tcp_audit --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event bpf --sink json -E states=OPEN --check 2>"$T/err"
assert_eq "exit status of states=OPEN" "$rc" 78

port=$(free_port)
start_bpf -E ports="$port" -E states=ESTABLISHED,CLOSE
rm -f "$T/port"
BPFNET_PORT=$port $BPFNET sink 4 "$T/port" 100 &
spid=$!
wait_port "$T/port" >/dev/null
$BPFNET send 4 "$port" 100 tca-client >/dev/null || fail "the client failed"
wait "$spid" || fail "the server failed"
# Another connection, on another port: filtered out.
rm -f "$T/port"
$CHURN serve 4 "$T/port" tca-other &
opid=$!
$CHURN connect 4 "$(wait_port "$T/port")" tca-other
wait "$opid" || fail "the other server failed"
sleep 0.3
stop_bpf

python3 - "$T/events.json" "$port" <<'PY' || fail "see above"
import json, sys
port = int(sys.argv[2])
evs = [e for e in map(json.loads, open(sys.argv[1])) if "type" not in e]
bad = [e for e in evs if port not in (e["sport"], e["dport"])]
if bad:
    sys.exit(f"bpf-filter: {len(bad)} events of other ports, e.g. {bad[0]}")
got = sorted((e["comm"], e["oldstate"], e["newstate"]) for e in evs)
want = sorted([("tca-client", "SYN_SENT", "ESTABLISHED"), ("tca-client", "FIN_WAIT2", "CLOSE"),
               ("tca-server", "SYN_RECV", "ESTABLISHED"), ("tca-server", "LAST_ACK", "CLOSE"),
               ("tca-server", "LISTEN", "CLOSE")])
if got != want:
    sys.exit(f"bpf-filter: expected {want}, got {got}")
PY
exit 0
