#!/bin/sh
# The nats sinker into an R3 stream of a 3-node cluster: N known events
# from the replay eventer become exactly N event messages, on the host's
# events subject, each with its identity as Nats-Msg-Id, in seq order, and
# the run's two run records (running, then clean with last_seq N). Then
# name records, from an edge to the stream and through two collectors
# into json and sqlite (see below).
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/nats.sh"
make_tmpdir
nats_cluster_start 3

N=20000
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --event replay -E count=$N \
	--sink nats -S servers="$NATS_URLS" -S replicas=3 -S batch_size=3000 2>"$T/log"
[ "$rc" -eq 0 ] || { cat "$T/log" >&2; fail "tcp-audit exited $rc"; }

nats_check info TCP_AUDIT >"$T/info"
assert_eq "stream replicas" "$(sed -n 's/^replicas //p' "$T/info")" 3
assert_eq "stream subjects" "$(sed -n 's/^subjects //p' "$T/info")" "tcp-audit.>"
assert_eq "messages in the stream" "$(sed -n 's/^msgs //p' "$T/info")" $((N + 2))
nats_check dump TCP_AUDIT >"$T/dump"

host=$(hostname)
token=$(printf '%s' "$host" | tr '.*> ' '____')
boot=$(cat /proc/sys/kernel/random/boot_id)
grep -v -P '^\S+\t\S+\t(event|gap|run)\t' "$T/dump" >&2 && fail "messages that do not decode"
assert_eq "event messages" "$(awk -F'\t' '$3 == "event"' "$T/dump" | wc -l)" $N
assert_eq "events on another subject" \
	"$(awk -F'\t' -v s="tcp-audit.$token.events" '$3 == "event" && $1 != s' "$T/dump" | wc -l)" 0
assert_eq "events of another origin" \
	"$(awk -F'\t' -v h="$host" -v b="$boot" '$3 == "event" && ($4 != h || $5 != b)' "$T/dump" | wc -l)" 0
run=$(awk -F'\t' '$3 == "event" { print $6; exit }' "$T/dump")
# seq 1..N once each, in order, each with the id host:boot:run:seq.
awk -F'\t' '$3 == "event" { print $7 }' "$T/dump" >"$T/seqs"
seq 1 $N >"$T/want"
cmp -s "$T/seqs" "$T/want" || fail "the events' seqs are not 1..$N in order"
assert_eq "events whose Msg-Id is not their identity" \
	"$(awk -F'\t' -v p="$host:$boot:$run:" '$3 == "event" && $2 != p $7' "$T/dump" | wc -l)" 0
# The run: running, then clean with last_seq N, on the runs subject.
assert_eq "run records" "$(awk -F'\t' -v s="tcp-audit.$token.runs" '$3 == "run" && $1 == s && $6 == r { print $7 }' r="$run" "$T/dump" | tr '\n' ' ')" "1:0 2:$N "
assert_eq "run record ids" "$(awk -F'\t' '$3 == "run" { print $2 }' "$T/dump" | tr '\n' ' ')" \
	"$host:$run:run:1 $host:$run:run:2 "

# Name records (ABI 2.2) from the test eventer namesev (tests/plugins):
# NE events in cgroups 1000.., a new one every EVERY events, each id's name
# handed before its first event, with texts that hold a quote, a
# backslash, a tab, a newline and bytes that are no UTF-8. Two runs of
# one boot hand the same names: each is in the stream once, on the names
# subject, with host:boot:name:kind:id as its Nats-Msg-Id, ahead of the
# first event of its id. Collectors hand them on: into json, each name
# once with its id, text and the edge's origin, before the events of its
# id; into sqlite, each name in tcp_audit_names and beside every event.
[ -e "$TCP_AUDIT_PLUGIN_DIR/nats-eventer.so" ] || fail "the nats eventer is not built"
[ -e "$TEST_PLUGIN_DIR/namesev.so" ] || fail "the test eventer namesev is not built"
[ -e "$TCP_AUDIT_PLUGIN_DIR/sqlite.so" ] || fail "the sqlite sinker is not built"
NE=300 EVERY=30
NAMES=$((NE / EVERY))
for r in 1 2; do
	run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --hostname names-edge --state-dir "$T/names-edge" \
		-e "$TEST_PLUGIN_DIR/namesev.so" -E events=$NE -E every=$EVERY \
		--sink nats -S servers="$NATS_URLS" -S replicas=3 2>"$T/names-edge.$r.log"
	[ "$rc" -eq 0 ] || { cat "$T/names-edge.$r.log" >&2; fail "names edge run $r exited $rc"; }
	grep -q "name records stored $NAMES, not kept by the sink 0, lost 0" "$T/names-edge.$r.log" ||
		{ cat "$T/names-edge.$r.log" >&2; fail "names edge run $r did not store its $NAMES names"; }
done
# Each run: NE events, its running and clean run records; the names once.
total=$((N + 2 + 2 * (NE + 2) + NAMES))
assert_eq "messages with the names edge's" "$(nats_check info TCP_AUDIT | sed -n 's/^msgs //p')" $total
nats_check dump TCP_AUDIT >"$T/dump2"
awk -F'\t' '$4 == "names-edge"' "$T/dump2" >"$T/ndump"
runs=$(awk -F'\t' '$3 == "run" { print $6 }' "$T/ndump" | uniq | tr '\n' ' ')
set -- $runs
[ $# -eq 2 ] || fail "the names edge's runs are not two: $runs"
run1=$1
PYTHONPATH=$TESTS_LIB python3 - "$T/ndump" "$boot" "$run1" $NE $EVERY <<'PY' || fail "the name messages are wrong (see above)"
import sys
from namesev import text
path, boot, run1, ne, every = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
seen, bad, events = {}, [], 0
for lineno, line in enumerate(open(path), 1):
    f = line.rstrip("\n").split("\t")
    if f[2] == "name":
        k = int(f[6].split(":")[1]) - 1000
        want = ["tcp-audit.names-edge.names", "names-edge:%s:name:1:%d" % (boot, 1000 + k),
                "name", "names-edge", boot, run1, "1:%d" % (1000 + k), run1, text(k).hex()]
        if f != want:
            bad.append("line %d: %r, not %r" % (lineno, f, want))
        if k in seen:
            bad.append("line %d: cgroup %d named twice" % (lineno, 1000 + k))
        seen[k] = lineno
    elif f[2] == "event" and f[5] == run1:
        k = (int(f[6]) - 1) // every  # namesev: event seq s is in cgroup 1000 + (s - 1) / every
        if k not in seen:
            bad.append("line %d: event %s of cgroup %d before its name" % (lineno, f[6], 1000 + k))
        events += 1
if sorted(seen) != list(range(ne // every)) or events != ne:
    bad.append("names of %r and %d events of run %s" % (sorted(seen), events, run1))
print("\n".join(bad[:20]), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# Two collectors on durables of their own, each reading the whole stream.
COLS=
trap 'for p in $COLS; do kill -9 "$p" 2>/dev/null || true; done; nats_cluster_stop; rm -rf "$T"' EXIT
collect() { # NAME SINK-OPTIONS...
	name=$1
	shift
	"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" --hostname "$name" --state-dir "$T/$name" \
		--event nats -E servers="$NATS_URLS" -E durable="$name" "$@" 2>"$T/$name.log" &
	COLS="$COLS $!"
}
collect col-json --sink json -S path="$T/names.json"
collect col-sqlite --sink sqlite -S path="$T/names.db"
for c in col-json col-sqlite; do
	nats_check acked TCP_AUDIT $c 300 || { cat "$T/$c.log" >&2; fail "$c did not store the stream"; }
done
for p in $COLS; do
	kill -TERM "$p"
	rc=0
	wait "$p" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$T"/col-*.log >&2; fail "a collector exited $rc"; }
done
COLS=
for c in col-json col-sqlite; do
	grep -q "name records stored $NAMES, not kept by the sink 0, lost 0" "$T/$c.log" ||
		{ cat "$T/$c.log" >&2; fail "$c did not store $NAMES names"; }
done
PYTHONPATH=$TESTS_LIB python3 - "$T/names.json" "$boot" "$run1" $NE $EVERY $N <<'PY' || fail "the collected names are wrong (see above)"
import json, sys
from namesev import text, as_json
path, boot, run1, ne, every, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
names, bad, events, others = {}, [], {}, 0
for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
    o = json.loads(line)
    if o.get("type") == "name":
        k = o.get("id", 0) - 1000
        want = {"type": "name", "kind": "cgroup", "id": 1000 + k, "text": as_json(text(k)),
                "time": "2026-01-01T00:00:00.%09dZ" % (k * every * 1000),
                "host": "names-edge", "boot_id": boot, "run_id": run1}
        if o != want:
            bad.append("line %d: %r, not %r" % (lineno, o, want))
        if k in names:
            bad.append("line %d: cgroup %d named twice" % (lineno, 1000 + k))
        names[k] = lineno
    elif "type" not in o and o.get("host") == "names-edge":
        k = (o["seq"] - 1) // every
        if o.get("cgroup") != 1000 + k:
            bad.append("line %d: cgroup %r, not %d" % (lineno, o.get("cgroup"), 1000 + k))
        if k not in names:
            bad.append("line %d: event of cgroup %d before its name" % (lineno, 1000 + k))
        events[o["run_id"]] = events.get(o["run_id"], 0) + 1
    elif "type" not in o:
        others += 1
if sorted(names) != list(range(ne // every)):
    bad.append("names of %r" % sorted(names))
if sorted(events.values()) != [ne, ne] or others != n:
    bad.append("events of the names edge's runs: %r; of the other edge: %d" % (events, others))
print("\n".join(bad[:20]), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
sqlite3 "$T/names.db" "SELECT kind, id, hex(text), run_id FROM tcp_audit_names WHERE host = 'names-edge' AND boot_id = '$boot' ORDER BY id" >"$T/names.rows"
PYTHONPATH=$TESTS_LIB python3 -c "
from namesev import text
for k in range($NAMES):
    print('cgroup|%d|%s|$run1' % (1000 + k, text(k).hex().upper()))" >"$T/names.want"
cmp -s "$T/names.rows" "$T/names.want" || { diff "$T/names.want" "$T/names.rows" >&2; fail "the names in sqlite are wrong"; }
assert_eq "names in sqlite" "$(sqlite3 "$T/names.db" 'SELECT count(*) FROM tcp_audit_names')" $NAMES
assert_eq "names edge events without their cgroup's path" \
	"$(sqlite3 "$T/names.db" "SELECT count(*) FROM tcp_events_named WHERE host = 'names-edge' AND cgroup_path IS NULL")" 0
assert_eq "names edge events with it" \
	"$(sqlite3 "$T/names.db" "SELECT count(*) FROM tcp_events_named WHERE host = 'names-edge'")" $((2 * NE))
echo "$NAMES names of two edge runs: once each in the stream, in json and in sqlite" >&2
