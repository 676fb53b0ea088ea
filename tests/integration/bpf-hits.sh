#!/bin/bash
# No silent loss at the kernel's full churn rate: with two clients and two
# servers connecting as fast as they can on one port (and the machine's
# other traffic all along), every event of that port is stored or counted
# lost, against a count of the tracepoint's hits that owes nothing to
# tcp-audit (a counting instance of the test's own). The loss the log, the
# stats line and the gap records give is one and the same: the ring
# buffer's, and the larger of the kernel's misses and what the
# tracepoint's own count (hit_count) found run by neither program. Then
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
tf=$(tracefs_dir)
ours() { ls -d "$tf"/instances/tcp-audit-hits-* 2>/dev/null | sort; }
before=$(ours)

port=$(free_port)
# 1.5 million events at most, about 100 MB: the counting buffer must not
# wrap, so that entries alone are exact.
counter_start "(protocol == 6) && (sport == $port || dport == $port)" 131072
start_bpf -E ports="$port"
mine=$(comm -13 <(echo "$before") <(ours))
[ -n "$mine" ] || fail "no tracefs instance tcp-audit-hits-* while the bpf eventer runs"
read -r conns _ < <("$churn" 3 2 0 "$port") || fail "the churn failed"
sleep 0.5
stop_bpf
hits=$(counter_total)
assert_eq "events the counting instance overwrote" "$(counter_overrun)" 0
counter_stop
[ -z "$(comm -13 <(echo "$before") <(ours))" ] || fail "the run left its instance: $(ours)"

read -r ring nested unseen skipped < <(kernel_loss)
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
echo "bpf-hits: $conns connections, $hits events of port $port, stored $stored, missing $((hits - stored)), counted lost $gaps (misses $nested, by the tracepoint's count $unseen)"

# SIGKILL: the instance stays (the kernel keeps it), and the next run
# removes it, as it does with any instance whose run is dead.
before=$(ours)
start_bpf -E ports="$port"
mine=$(comm -13 <(echo "$before") <(ours))
[ -n "$mine" ] || fail "no instance for the second run"
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
before=$(ours)
start_bpf -E ports="$port"
live=$(comm -13 <(echo "$before") <(ours))
[ -n "$live" ] || fail "no instance for the live run"
"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/state-a" --event bpf \
	-E ports="$port" --sink null 2>"$T/a.log" &
a_pid=$!
wait_log "$T/a.log" "capturing:" "$a_pid"
killed=$(comm -13 <(printf '%s\n' $before $live | sort) <(ours))
[ -n "$killed" ] || fail "no instance for the run beside it"
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
before=$(ours)
start_bpf -E ports="$port" -E hit_count=no
[ "$(ours)" = "$before" ] || fail "hit_count=no made an instance: $(ours)"
stop_bpf
grep -q "kernel side: .*; the tracepoint's own count was off (hit_count)" "$T/log" ||
	fail "no 'count was off' with hit_count=no: $(grep 'kernel side' "$T/log")"
exit 0
