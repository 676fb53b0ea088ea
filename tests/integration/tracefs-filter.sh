#!/bin/bash
# Filters: an invalid raw filter fails at start with the kernel's message
# and exit 78 (EX_CONFIG), leaving no instance; a bad option value fails
# the same way; the ports option keeps only the chosen port's events.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
make_tmpdir
dir=$(tracefs_dir)
P="--plugin-dir $TCP_AUDIT_PLUGIN_DIR"

# At debug level, to learn its instance's name.
rc=0
"$TCP_AUDIT" $P --log-level=debug --event tracefs --sink json --check -E 'filter=bogus == 1' \
	2>"$T/err" || rc=$?
assert_eq "exit status of an invalid filter" "$rc" 78
grep -q 'the kernel rejected the event filter.*Field not found' "$T/err" ||
	fail "no clear filter error: $(cat "$T/err")"
bad_inst=$(ta_instance "$T/err")
[ -n "$bad_inst" ] || fail "the failed open did not name its instance: $(cat "$T/err")"
[ ! -e "$dir/instances/$bad_inst" ] || fail "a failed open left its instance $bad_inst"

for bad in 'ports=0' 'ports=http' 'states=OPEN' 'protocol=udp' 'family=ipv5' 'addresses=1.2.3' 'clock=utc'; do
	run_tcp_audit $P --event tracefs --sink json --check -E "$bad" 2>"$T/err"
	assert_eq "exit status for $bad" "$rc" 78
	grep -q "bad ${bad%%=*}" "$T/err" || fail "no clear error for $bad: $(cat "$T/err")"
done

# ports=: only the chosen server's connection is captured.
python3 - "$T/ports" <<'PY' &
import socket, sys, time
a = socket.socket(); a.bind(("127.0.0.1", 0)); a.listen(4)
b = socket.socket(); b.bind(("127.0.0.1", 0)); b.listen(4)
open(sys.argv[1] + ".tmp", "w").write("%d %d" % (a.getsockname()[1], b.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while not os.path.exists(sys.argv[1] + ".go"):
    time.sleep(0.05)
for s in (a, b):
    c = socket.create_connection(("127.0.0.1", s.getsockname()[1]))
    x, _ = s.accept(); c.close(); x.close()
time.sleep(0.2)
PY
gen=$!
ports=$(wait_port "$T/ports")
pa=${ports% *} pb=${ports#* }
start_capture $P -E "ports=$pa" -E states=SYN_SENT,ESTABLISHED
touch "$T/ports.go"
wait "$gen" || fail "the traffic generator failed"
stop_capture
got=$(python3 -c 'import json, sys
print(" ".join(sorted("%s:%d>%d" % (e["newstate"], e["sport"] if e["sport"] else 0, e["dport"])
      for e in map(json.loads, open(sys.argv[1])) if "type" not in e)))' "$T/events.json")
n_other=$(grep -c "\"dport\":$pb\|\"sport\":$pb" "$T/events.json" || true)
assert_eq "events of the other port" "$n_other" 0
states=$(python3 -c 'import json, sys
print(",".join(sorted({e["newstate"] for e in map(json.loads, open(sys.argv[1])) if "type" not in e})))' "$T/events.json")
assert_eq "states kept" "$states" "ESTABLISHED,SYN_SENT"
n=$(events_in "$T/events.json")
assert_eq "events kept (client SYN_SENT, ESTABLISHED; child ESTABLISHED): $got" "$n" 3
exit 0
