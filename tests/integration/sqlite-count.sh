#!/bin/bash
# The sqlite sinker stores 100,000 replayed events exactly: the same rows,
# field for field, as the json sinker writes for the same synthetic events.
. "$TESTS_LIB/common.sh"
require_cmd sqlite3 python3
make_tmpdir

n=100000
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=$n -s sqlite -S path="$T/a.db"
assert_eq "exit status (sqlite)" "$rc" 0
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=$n -s json -S path="$T/a.json"
assert_eq "exit status (json)" "$rc" 0

assert_eq "rows, distinct seq, first and last seq" \
	"$(sqlite3 "$T/a.db" 'SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM tcp_events')" \
	"$n|$n|1|$n"

sqlite3 -json "$T/a.db" "SELECT time, host, sock, pid, comm, family, protocol, saddr,
	sport, daddr, dport, oldstate, newstate FROM tcp_events_named ORDER BY seq" >"$T/db.json"
python3 - "$T/a.json" "$T/db.json" <<'PY' || fail "the database differs from the json output"
import json, sys
keys = ["time", "host", "sock", "pid", "comm", "family", "protocol", "saddr", "sport",
        "daddr", "dport", "oldstate", "newstate"]
# Only the events: the json sinker writes run records (with "type") too.
js = [tuple(e.get(k) for k in keys) for e in map(json.loads, open(sys.argv[1])) if "type" not in e]
db = [tuple(r[k] for k in keys) for r in json.load(open(sys.argv[2]))]
if js != db:
    diff = next(i for i, (a, b) in enumerate(zip(js + [None], db + [None])) if a != b)
    print(f"{len(js)} json rows, {len(db)} db rows; first difference at {diff}:",
          js[diff] if diff < len(js) else None, db[diff] if diff < len(db) else None)
    sys.exit(1)
PY
echo "PASS: $n events stored exactly"
