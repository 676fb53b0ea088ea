#!/bin/bash
# Time order across CPUs: clients pinned to one CPU and their server to
# another, with unpinned churn (5,000 connections/s) on all of them. Every socket
# id must cover one socket life (one connection's addresses, one chain of
# states from birth to CLOSE, each event's old state the previous one's
# new state) and the output must be in time order. A CPU found empty while
# another ran ahead used to let its events out late and split a socket.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
require_cmd taskset
make_tmpdir
tracefs_dir >/dev/null
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
OWN="python3 $TESTS_LIB/owners.py"
pids=""
trap 'kill_capture; for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT

start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" -E buffer_size=32M
$CHURN churn 4 10 2 5000 >"$T/churn.out" &
churn=$!
pids="$pids $churn"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
taskset -c 1 $OWN server "$port" "$T/server.log" 300 &
pids="$pids $!"
for _ in $(seq 100); do ss -Htln "sport = :$port" | grep -q . && break; sleep 0.05; done
taskset -c 0 $OWN clients "$port" "$T/server.log" 1500 4 || fail "the pinned clients failed"
wait "$churn" || fail "the churn failed"
stop_capture
# A loss (a machine busier than the reader) breaks chains of states but
# neither the time order nor one connection per id: those always hold.
lost=$(sed -n 's/.*lost \([0-9]*\) (source.*/\1/p' "$T/log")

python3 - "$T/events.json" "$port" "$lost" <<'PY'
import json, sys
port, lost = int(sys.argv[2]), int(sys.argv[3])
prev_t = ""
socks = {}
for n, line in enumerate(open(sys.argv[1])):
    e = json.loads(line)
    if "type" in e:
        continue  # a run or gap record
    # RFC 3339 with nine digits in one zone: text order is time order.
    assert e["time"] >= prev_t, ("out of time order", n, prev_t, e)
    prev_t = e["time"]
    socks.setdefault(e["sock"], []).append(e)
pinned = 0
for sock, evs in socks.items():
    mine = any(port in (e["sport"], e["dport"]) for e in evs)
    pinned += mine
    tuples = {(e["saddr"], e["sport"], e["daddr"], e["dport"]) for e in evs
              if e["newstate"] not in ("CLOSE", "SYN_SENT", "LISTEN")
              and e["oldstate"] not in ("LISTEN",) or e["oldstate"] == "LISTEN" and e["newstate"] == "SYN_RECV"}
    assert len(tuples) <= 1, ("one id, several connections", sock, tuples, evs)
    if lost:
        continue
    for a, b in zip(evs, evs[1:]):
        assert b["oldstate"] == a["newstate"], ("a broken chain of states", sock, a, b)
        assert a["newstate"] != "CLOSE", ("events after CLOSE under one id", sock, a, b)
    # Others' sockets may predate the capture; the pinned pair's do not.
    assert not mine or evs[0]["oldstate"] in ("CLOSE", "LISTEN"), ("a life without its birth", sock, evs[0])
assert pinned >= 2 * 1500, ("too few pinned sockets", pinned)
print(f"{len(socks)} socket ids, {pinned} of the pinned pair, all in order; {lost} lost")
PY
