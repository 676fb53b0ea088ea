#!/bin/bash
# Name records (ABI 2.2): what a cgroup id in the events stands for. The
# test eventer namesev hands events in cgroups 1000, 1001, ... (a new one
# every `every` events) and each id's name in the call of its first
# event, with texts that need escaping. Each sink stores every name once,
# before the first event that carries its id; a sink without
# write_names() keeps the ids only, and the counts say so; bad names from
# the eventer are refused; and names survive the store down, through the
# spool, into the next run and across a restart, with their own run.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd python3
make_tmpdir

NS="$TP/namesev.so"
host=$(hostname)
boot=$(cat /proc/sys/kernel/random/boot_id)
run_id() { sed -n 's/^run_id=0*//p' "$T/state/run.state"; }


# 1. json: N events in N/EVERY cgroups; every name once, in full, before
# the first event of its id, with the run's identity.
N=1000 EVERY=100
run_tcp_audit -e "$NS" -E events=$N -E every=$EVERY -s json -S path="$T/a.json" 2>"$T/log"
assert_eq "exit status (json)" "$rc" 0
assert_has "$T/log" "name records stored $((N / EVERY)), not kept by the sink 0, lost 0"
PYTHONPATH=$TESTS_LIB python3 - "$T/a.json" $N $EVERY "$host" "$boot" "$(run_id)" <<'PY' || fail "json name records are wrong (see above)"
import json, sys
from namesev import text, as_json
path, n, every, host, boot, run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
names, events, bad = {}, 0, []
for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
    o = json.loads(line)
    if o.get("type") == "name":
        k = o["id"] - 1000
        want = {"type": "name", "kind": "cgroup", "id": 1000 + k, "text": as_json(text(k)),
                "time": "2026-01-01T00:00:00.%09dZ" % (k * every * 1000),
                "host": host, "boot_id": boot, "run_id": run}
        if o != want:
            bad.append("line %d: %r, not %r" % (lineno, o, want))
        if o["id"] in names:
            bad.append("id %d named twice" % o["id"])
        names[o["id"]] = lineno
    elif "type" not in o:
        cg = o.get("cgroup")
        if cg != 1000 + (o["sock"] - 1) // every:
            bad.append("line %d: cgroup %r" % (lineno, cg))
        if cg not in names:
            bad.append("line %d: event of cgroup %r before its name" % (lineno, cg))
        events += 1
if events != n:
    bad.append("%d events, not %d" % (events, n))
if sorted(names) != list(range(1000, 1000 + n // every)):
    bad.append("names of %r" % sorted(names))
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
# The escaped forms, as they are in the file.
assert_has "$T/a.json" '"text":"/test.slice/q\"uote\\back1",'
assert_has "$T/a.json" '"text":"/test.slice/tab\tnl\n2",'
assert_has "$T/a.json" '"text":"/test.slice/bytes\u0001\u00ffé3",'

# 2. text: a '#' line per name, the text escaped, before the events.
run_tcp_audit -e "$NS" -E events=40 -E every=10 -s text -S path="$T/a.txt" -S header=no 2>"$T/log"
assert_eq "exit status (text)" "$rc" 0
r=$(run_id)
assert_eq "text name lines" "$(grep -c ' NAME: cgroup ' "$T/a.txt")" 4
assert_eq "text event lines" "$(events_in "$T/a.txt")" 40
assert_has "$T/a.txt" "# 2026-01-01T00:00:00.000000000Z NAME: cgroup 1000 is \"/test.slice/c0.scope\" (run $r on $host)"
assert_has "$T/a.txt" "# 2026-01-01T00:00:00.000020000Z NAME: cgroup 1002 is \"/test.slice/tab\\tnl\\n2\" (run $r on $host)"
assert_has "$T/a.txt" "NAME: cgroup 1003 is \"/test.slice/bytes\\u0001\\u00ffé3\" (run $r on $host)"
first_event=$(grep -n '127\.0\.0\.1' "$T/a.txt" | head -n 1 | cut -d: -f1)
first_name=$(grep -n ' NAME: cgroup 1000 ' "$T/a.txt" | cut -d: -f1)
[ "$first_name" -lt "$first_event" ] || fail "the text name line comes after the first event"

# 3. null takes them; a sink without write_names() (a plugin of ABI 2.0)
# keeps the ids only: counted, said once, and by --check.
run_tcp_audit -e "$NS" -E events=$N -E every=$EVERY -s null 2>"$T/log"
assert_eq "exit status (null)" "$rc" 0
assert_has "$T/log" "name records stored 10, not kept by the sink 0, lost 0"
run_tcp_audit -e "$NS" -E events=$N -E every=$EVERY -s "$TP/oldminor.so" 2>"$T/log"
assert_eq "exit status (no write_names)" "$rc" 0
assert_has "$T/log" "written $N in "
assert_has "$T/log" "name records stored 0, not kept by the sink 10, lost 0"
assert_eq "lines saying so" "$(grep -c 'has no write_names()' "$T/log")" 1
run_tcp_audit -e "$NS" -s "$TP/oldminor.so" --check >"$T/check" 2>&1
assert_eq "exit status (--check)" "$rc" 0
assert_has "$T/check" "    keeps name records: no (the store keeps cgroup ids only)"
run_tcp_audit -e "$NS" -s json -S path="$T/check.json" --check >"$T/check" 2>&1
assert_has "$T/check" "    keeps name records: yes (cgroup ids with their paths)"
# A run whose eventer hands no names keeps the stats line it had.
run_tcp_audit -e replay -E count=5 -s null 2>"$T/log"
grep -q "name records" "$T/log" && fail "a run without names mentions them"

# 4. A broken name is dropped and said; more names than there was room for
# is a bug that stops the run, with nothing of that call stored.
for bad in kind null long; do
	run_tcp_audit -e "$NS" -E events=100 -E every=10 -E bad=$bad -s json -S path="$T/bad-$bad.json" 2>"$T/log"
	assert_eq "exit status (bad=$bad)" "$rc" 0
	assert_has "$T/log" "error: eventer 'namesev' handed over a name record (kind"
	assert_has "$T/log" "it is dropped (this is a bug in the plugin)"
	assert_has "$T/log" "name records stored 10, not kept by the sink 0, lost 1"
	assert_eq "names stored (bad=$bad)" "$(grep -c '"type":"name"' "$T/bad-$bad.json")" 10
	assert_eq "events stored (bad=$bad)" "$(events_in "$T/bad-$bad.json")" 100
done
assert_has "$T/log" "a text of TCA_NAME_MAX (4096) bytes or more"
run_tcp_audit -e "$NS" -E events=100 -E bad=overflow -s json -S path="$T/over.json" 2>"$T/log"
assert_eq "exit status (bad=overflow)" "$rc" 74
assert_has "$T/log" "error: eventer 'namesev' handed over 65 name records with room for 64; this is a bug in the plugin"
assert_eq "events stored (bad=overflow)" "$(events_in "$T/over.json")" 0

# 5. The store down until the source ends: the names wait in the spool
# with the events, and the next run, with the store back, stores them
# first, under the run that resolved them, each before its events.
touch "$T/down"
run_tcp_audit -e "$NS" -E events=$N -E every=$EVERY -s "$TP/flaky.so" -S path="$T/b.out" \
	-S down_while="$T/down" -S origin=yes --shutdown-timeout=500ms 2>"$T/log"
assert_eq "exit status (store down)" "$rc" 0
assert_has "$T/log" "spool: what the store did not take (events up to $N, gap records and the run's end record) waits in $T/state/spool"
assert_eq "names stored while down" "$(grep -c '^name ' "$T/b.out" || true)" 0
grep -q "name records could not be stored" "$T/log" && fail "spooled names were called lost"
first=$(run_id)
rm "$T/down"
run_tcp_audit -e "$NS" -E events=10 -E every=$EVERY -s "$TP/flaky.so" -S path="$T/c.out" -S origin=yes 2>"$T/log"
assert_eq "exit status (replaying names)" "$rc" 0
second=$(run_id)
assert_has "$T/log" "name records stored 11, not kept by the sink 0, lost 0"
# flaky: "name KIND ID RUN TEXT", events "seq sock run".
check_flaky() { # FILE RUN EVENTS NAMES [EVERY]
	python3 - "$@" <<'PY' || fail "$1: the names of run $2 are wrong (see above)"
import sys
path, run, n, nnames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
every = int(sys.argv[5]) if len(sys.argv) > 5 else 100
named, events, bad = set(), 0, []
for lineno, line in enumerate(open(path), 1):
    f = line.split()
    if f[0] == "name" and int(f[3]) == run:
        if f[1] != "1" or int(f[2]) in named:
            bad.append("line %d: %s" % (lineno, line.strip()))
        named.add(int(f[2]))
    elif f[0][0].isdigit() and int(f[2]) == run:
        cg = 1000 + (int(f[1]) - 1) // every
        if cg not in named:
            bad.append("line %d: event of cgroup %d before its name" % (lineno, cg))
        events += 1
if events != n or len(named) != nnames:
    bad.append("%d events and %d names, not %d and %d" % (events, len(named), n, nnames))
print("\n".join(bad[:20]), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
check_flaky "$T/c.out" "$first" $N 10
check_flaky "$T/c.out" "$second" 10 1
assert_has "$T/c.out" "name 1 1002 $first /test.slice/tab\\x09nl\\x0a2"
[ -z "$(ls "$T/state/spool")" ] || fail "the replayed spool is not empty"

# 6. The store down while events flow past a small queue: the writer
# moves the oldest events to the spool, each span after the names waiting
# for it; when the store is back, every name is stored once, before its
# events.
N=20000
touch "$T/down"
start_tcp_audit -e "$NS" -E events=$N -E every=1000 -E hold=yes -s "$TP/flaky.so" \
	-S path="$T/d.out" -S down_while="$T/down" -S origin=yes --queue-memory=64K --spool-sync=segment
wait_for "$T/log" "moving its oldest events to the spool in $T/state/spool"
rm "$T/down"
wait_for "$T/d.out" "^$N $N "
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status (spill)" "$rc" 0
assert_has "$T/log" "name records stored 20, not kept by the sink 0, lost 0"
spooled=$(sed -n 's/.*spool: \([0-9]*\) events went through the spool.*/\1/p' "$T/log")
[ "${spooled:-0}" -gt 0 ] || fail "no event went through the spool"
python3 - "$T/d.out" "$(run_id)" $N <<'PY' || fail "names through the spool are wrong (see above)"
import sys
path, run, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
named, events, bad = set(), 0, []
for lineno, line in enumerate(open(path), 1):
    f = line.split()
    if f[0] == "name":
        if int(f[3]) != run or int(f[2]) in named:
            bad.append("line %d: %s" % (lineno, line.strip()))
        named.add(int(f[2]))
    elif f[0][0].isdigit():
        cg = 1000 + (int(f[1]) - 1) // 1000
        if cg not in named:
            bad.append("line %d: event of cgroup %d before its name" % (lineno, cg))
        events += 1
if events != n or named != set(range(1000, 1000 + n // 1000)):
    bad.append("%d events, names %r" % (events, sorted(named)))
print("\n".join(bad[:20]), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# 7. A new cgroup for every event, the store down while 70000 are read:
# more names than their ring holds (65536). They go to the spool ahead of
# the queued events, and the reader of an eventer with back-pressure
# waits for room: none is lost, each is stored before its events.
N=70000
touch "$T/down"
start_tcp_audit -e "$NS" -E events=$N -E every=1 -E hold=yes -s "$TP/flaky.so" -S path="$T/e.out" \
	-S down_while="$T/down" -S origin=yes --stats-interval=200ms
wait_for "$T/log" "stats: read $N,"
ls "$T/state/spool/"*.seg >/dev/null 2>&1 || fail "no name records went to the spool"
rm "$T/down"
wait_for "$T/e.out" "^$N $N "
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status (many names)" "$rc" 0
assert_has "$T/log" "name records stored $N, not kept by the sink 0, lost 0"
check_flaky "$T/e.out" "$(run_id)" $N $N 1
exit 0
