#!/bin/bash
# No silent loss at the kernel's full churn rate: with two clients and two
# servers connecting as fast as they can on one port (and the machine's
# other traffic all along), every event of that port is stored or counted
# lost, against a count of the tracepoint's hits that owes nothing to
# tcp-audit (a counting instance of the test's own). The loss the log, the
# stats line and the gap records give is one and the same: the ring
# buffer's, and the larger of the kernel's misses and what the
# tracepoint's own count (hit_count) found run by neither program, less
# what was recovered from that count's own record (recover_buffer): a
# recovered event is stored once, never also counted lost, and no event
# is stored twice. Then
# that count's instance: it goes with its run, a run killed with SIGKILL
# leaves it and the next run removes it, as does tcp-audit --release, and
# hit_count=no makes none.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
make_tmpdir
churn=$top_builddir/tests/bench/churn
[ -x "$churn" ] || fail "$churn is not built"
cleanup_extra() {
	counter_stop
	[ -z "${a_pid:-}" ] || kill -KILL "$a_pid" 2>/dev/null || true
}
trap bpf_exit EXIT
# A run's own instance, from its log (-v): other tests may run the bpf
# eventer beside this one, each with an instance of its own.
instance_of() { sed -n 's/.*counting the tracepoint.s hits in \(.*\)$/\1/p' "$1" | tail -n 1; }

port=$(free_port)
# 1.5 million events at most, about 100 MB: the counting buffer must not
# wrap, so that entries alone are exact.
counter_start "(protocol == 6) && (sport == $port || dport == $port)" 131072
start_bpf -E ports="$port" -v
mine=$(instance_of "$T/log")
[ -n "$mine" ] && [ -d "$mine" ] || fail "no tracefs instance tcp-audit-hits-* while the bpf eventer runs"
read -r conns _ < <("$churn" 3 2 0 "$port") || fail "the churn failed"
sleep 0.5
stop_bpf
hits=$(counter_total)
assert_eq "events the counting instance overwrote" "$(counter_overrun)" 0
counter_stop
[ ! -d "$mine" ] || fail "the run left its instance: $mine"

read -r ring nested unseen skipped recovered < <(kernel_loss)
[ -n "$skipped" ] || fail "no kernel side line: $(grep 'kernel side' "$T/log")"
src=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log")
assert_eq "the stats line's loss (source)" "$src" "$((ring + skipped))"
stored=$(events_in "$T/events.json")
gaps=$(python3 -c 'import json, sys
print(sum(o["count"] for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "gap" and o["reason"] == "kernel"))' "$T/events.json")
assert_eq "events in kernel gap records" "$gaps" "$src"
[ "$stored" -le "$hits" ] || fail "stored $stored events of port $port, more than the $hits the tracepoint had"
# The counted loss includes events of other ports (the filters had not
# run for them): it may be more than this port's missing events, never
# less.
[ $((stored + gaps)) -ge "$hits" ] ||
	fail "$((hits - stored - gaps)) events of port $port neither stored nor counted lost (hits $hits, stored $stored, counted lost $gaps: ring $ring, misses $nested, by the tracepoint's count $unseen)"
[ "$((conns * 9))" -le "$hits" ] || fail "the churn made $conns connections but the tracepoint had $hits events"
# Each socket makes each change of state once: a recovered event that was
# no miss would be there twice.
python3 -c 'import json, sys
seen = set()
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    if o.get("type") in ("gap", "run", "name"):
        continue
    k = (o["sock"], o["oldstate"], o["newstate"])
    if k in seen:
        sys.exit("stored twice: socket %s %s -> %s" % k)
    seen.add(k)' "$T/events.json" || fail "an event is stored twice (recovered $recovered)"
n=$(grep -c "bpf: CPU [0-9]*: recovered sock" "$T/log" || true)
assert_eq "events the log says were recovered" "$n" "$recovered"
echo "bpf-hits: $conns connections, $hits events of port $port, stored $stored (recovered $recovered), missing $((hits - stored)), counted lost $gaps (misses $nested, by the tracepoint's count $unseen)"

# SIGKILL: the instance stays (the kernel keeps it), and the next run
# removes it, as it does with any instance whose run is dead.
start_bpf -E ports="$port" -v
mine=$(instance_of "$T/log")
[ -n "$mine" ] && [ -d "$mine" ] || fail "no instance for the second run"
kill -KILL "$TA_PID"
wait "$TA_PID" 2>/dev/null || true
TA_PID=
[ -d "$mine" ] || fail "$mine went with a SIGKILL: nothing for the next run to clean"
start_bpf -E ports="$port"
wait_log "$T/log" "removed the tracefs instance ${mine##*/} of a dead run"
[ ! -d "$mine" ] || fail "$mine is still there"
stop_bpf

# And tcp-audit --event bpf --release removes a dead run's (package
# removal runs it), not a live run's: a live run, then another beside it
# (its own state directory) that is killed.
start_bpf -E ports="$port" -v
live=$(instance_of "$T/log")
[ -n "$live" ] && [ -d "$live" ] || fail "no instance for the live run"
"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/state-a" --event bpf \
	-E ports="$port" --sink null -v 2>"$T/a.log" &
a_pid=$!
wait_log "$T/a.log" "capturing:" "$a_pid"
killed=$(instance_of "$T/a.log")
[ -n "$killed" ] && [ -d "$killed" ] || fail "no instance for the run beside it"
kill -KILL "$a_pid"
wait "$a_pid" 2>/dev/null || true
"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/state-a" --event bpf \
	--release 2>"$T/release.log" || fail "tcp-audit --event bpf --release failed: $(cat "$T/release.log")"
grep -q "removed the tracefs instance ${killed##*/} of a dead run" "$T/release.log" ||
	fail "--release did not remove ${killed##*/}: $(cat "$T/release.log")"
[ ! -d "$killed" ] || fail "$killed is still there after --release"
[ -d "$live" ] || fail "--release removed the live run's instance $live"
stop_bpf
[ ! -d "$live" ] || fail "the live run left $live at its stop"

# hit_count=no: no instance, and the kernel side line says the count was off.
start_bpf -E ports="$port" -E hit_count=no -v
stop_bpf
[ -z "$(instance_of "$T/log")" ] || fail "hit_count=no made an instance: $(instance_of "$T/log")"
grep -q "kernel side: .*; the tracepoint's own count was off (hit_count)" "$T/log" ||
	fail "no 'count was off' with hit_count=no: $(grep 'kernel side' "$T/log")"
exit 0
