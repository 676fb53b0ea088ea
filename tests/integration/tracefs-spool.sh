#!/bin/bash
# The store down at a restart, with real kernel events: the first run's
# queue goes to the spool at SIGTERM while its instance records on; the
# store comes back, the next start stores the spool first, with the first
# run's identity, then what its instance recorded in between. Every event
# the kernel fired (counted by a private instance of the test's own) is
# stored once, and both runs are complete; the first run's cgroup name
# records come through the spool, each once. (core-spool.sh proves the
# spool itself with synthetic events.)
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
make_tmpdir
tracefs_dir >/dev/null

port=$(free_port)
churn= TA_PID=
trap 'kill -KILL $churn $TA_PID 2>/dev/null || true; wait 2>/dev/null
	counter_stop; release_capture 2>/dev/null; rm -rf "$T"; true' EXIT
counter_start "(protocol == 6) && (sport == $port || dport == $port)"
export TA_APPEND=1 TA_KEEP=1
args=(--plugin-dir "$TCP_AUDIT_PLUGIN_DIR" -E "ports=$port" -s "$TEST_PLUGIN_DIR/flaky.so"
	-S path="$T/out" -S down_while="$T/down" -S origin=yes --shutdown-timeout=500ms)

touch "$T/down"
start_capture "${args[@]}"
CHURN_PORT=$port $CHURN churn 4 2 1 200 >"$T/churn1" || fail "the churn failed"
for _ in $(seq 600); do grep -q "flaky: cannot store events" "$T/log" && break; sleep 0.1; done
# Connections from now on: the first run reads some, the next the rest.
CHURN_PORT=$port $CHURN churn 4 3 1 200 >"$T/churn2" &
churn=$!
sleep 1
stop_capture
grep -q "waits in .* for the next start" "$T/log" || fail "nothing went to the spool: $(cat "$T/log")"
first=$(sed -n 's/^run_id=0*//p' "$TCP_AUDIT_STATE_DIR/run.state")
rm "$T/down"
start_capture "${args[@]}"
grep -q "continuing the last run's tracefs instance" "$T/log" ||
	fail "the second run did not continue the instance: $(cat "$T/log")"
wait "$churn" || fail "the churn failed"
churn=
sleep 1
stop_capture
TA_PID=
second=$(sed -n 's/^run_id=0*//p' "$TCP_AUDIT_STATE_DIR/run.state")
fired=$(counter_total)
assert_eq "events the counting instance lost" "$(counter_overrun)" 0
rows=$(grep -cv -e '^gap ' -e '^run ' -e '^name ' "$T/out")
assert_eq "events stored (each once, counted below)" "$rows" "$fired"
n1=$(grep -v -e '^gap ' -e '^run ' -e '^name ' "$T/out" | grep -c " $first\$" || true)
n2=$(grep -v -e '^gap ' -e '^run ' -e '^name ' "$T/out" | grep -c " $second\$" || true)
assert_eq "events of the two runs" "$((n1 + n2))" "$fired"
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "one run stored nothing: $n1 and $n2"
# The cgroups' name records (the test's own, at least) of the first run
# came through the spool too, each once.
[ "$(grep -c "^name 1 [0-9]* $first " "$T/out")" -ge 1 ] ||
	fail "no name record of the first run: $(grep '^name ' "$T/out")"
assert_eq "name records stored twice" "$(grep '^name ' "$T/out" | cut -d' ' -f2-4 | sort | uniq -d)" ""
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/out" --complete "$first" --events "$n1" \
	>"$T/verdict" || { cat "$T/verdict" >&2; fail "the first run is not complete"; }
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/out" --complete "$second" --events "$n2" \
	>"$T/verdict" || { cat "$T/verdict" >&2; fail "the second run is not complete"; }
cat "$T/verdict"
echo "PASS: the store down at a restart: $fired events, $n1 with the first run's id, each once"
