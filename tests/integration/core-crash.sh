#!/bin/bash
# A run that ends without a word (SIGKILL) is found by the next start: the
# store then holds the killed run as "unclean", with a gap of unknown size
# after its last stored event, and the new run chained to it. A store
# that hangs cannot hold the exit: past the shutdown deadline tcp-audit
# exits 74 without it; and while a plugin call hangs, the watchdog is no
# longer pinged, so that systemd restarts the service.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd python3
make_tmpdir

# SIGKILL in the middle of a stream into a json file.
start_tcp_audit -e replay -E count=100000000 -E rate=20000 -s json -S path="$T/out.json"
wait_lines "$T/out.json" 2000
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
pid=
first=$(head -n 1 "$T/out.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')
# Whole lines only: the kill may have cut the last one short, and the next
# start removes such a line (it was never reported stored).
stored=$(grep -c '"seq":.*}$' "$T/out.json")
grep -q '^state=running' "$T/state/run.state" || fail "run.state does not say the killed run was running"
durable=$(sed -n 's/^durable_seq=0*//p' "$T/state/run.state")
[ "$durable" -le "$stored" ] || fail "run.state claims $durable events durable, the file has $stored"

run_tcp_audit -e replay -E count=10 -s json -S path="$T/out.json" 2>"$T/log"
assert_eq "exit status after the crash" "$rc" 0
assert_has "$T/log" "warning: the last run ($first) ended without a clean stop (killed, crashed or a power loss); what it captured after event $durable is unknown, recorded as a gap"
python3 "$TESTS_LIB/completeness.py" "$T/out.json" --complete last --events 10 >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the store's record is wrong after a crash"; }
cat "$T/verdict"
grep -q "^run $first state unclean last_seq 0 events $stored gaps 0 (unclean_end) unknown 1 verdict unknown-size gap$" "$T/verdict" ||
	fail "the killed run is not recorded as unclean with a gap of unknown size"
python3 - "$T/out.json" "$first" "$durable" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
killed, durable = int(sys.argv[2]), int(sys.argv[3])
gaps = [l for l in lines if l.get("type") == "gap"]
assert gaps == [dict(gaps[0], type="gap", run_id=killed, first_seq=durable + 1, count=None,
                     reason="unclean_end")], gaps
runs = [l for l in lines if l.get("type") == "run" and l["run_id"] != killed]
assert runs and all(r["prev_run_id"] == killed for r in runs), runs
PY

# A store that blocks for ever in write(), once 100 events are stored:
# SIGTERM, and the exit comes within the deadline plus its grace.
python3 - "$T/notify" >"$T/pings" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
end = time.time() + 30
while time.time() < end:
    try:
        msg = s.recv(4096).decode()
    except socket.timeout:
        break
    for field in msg.split("\n"):
        print("%.3f %s" % (time.time(), field), flush=True)
PY
listener=$!
for _ in $(seq 100); do [ -S "$T/notify" ] && break; sleep 0.05; done
export NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=1500000
start_tcp_audit -e replay -E count=100000000 \
	-E rate=2000 -s "$TP/flaky.so" -S path="$T/block.out" -S block_after=100 --shutdown-timeout=1s
unset NOTIFY_SOCKET WATCHDOG_USEC
wait_for "$T/log" "the writer thread has been inside sinker 'flaky' write\(\) for [0-9.]+ s; no longer pinging the watchdog"
wd_before=$(grep -c 'WATCHDOG=1' "$T/pings")
sleep 2
wd_after=$(grep -c 'WATCHDOG=1' "$T/pings")
assert_eq "watchdog pings while the writer hangs" "$wd_after" "$wd_before"
start=$(date +%s%N)
kill -TERM "$pid"
wait_tcp_audit
took=$((($(date +%s%N) - start) / 1000000))
assert_eq "exit status (store hangs)" "$rc" 74
assert_has "$T/log" "error: a plugin call has not returned for"
assert_has "$T/log" "past the shutdown deadline; exiting without it"
# Bounded, not timed: the deadline (1 s) and its grace (2 s), with room
# for a loaded machine, but far from "never".
[ "$took" -lt 20000 ] || fail "the exit took $took ms with a hung store"
grep -q '^state=failed' "$T/state/run.state" || fail "run.state does not say the run failed"
grep -q '^end_stored=0$' "$T/state/run.state" || fail "run.state claims the end was stored"
kill "$listener" 2>/dev/null || true
exit 0
