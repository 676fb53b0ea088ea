#!/bin/bash
# Crash recovery: after SIGKILL the dead run's instance keeps recording;
# connections made during a 5 s pause (the unit's RestartSec) are in it,
# and the next start adopts it and stores every one of them, counted by a
# private instance of the test's own. Then with a tiny buffer that the
# pause's connections overrun: what the kernel still held is stored, and
# the loss is a kernel gap of exactly the kernel's overrun count.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
make_tmpdir
dir=$(tracefs_dir)

churn= TA_PID=
trap 'kill -KILL $churn $TA_PID 2>/dev/null || true; wait 2>/dev/null
	counter_stop; release_capture 2>/dev/null; rm -rf "$T"; true' EXIT
export TA_APPEND=1 TA_KEEP=1

# The kernel's overrun count of an instance, over its CPUs.
overrun_of() {
	awk '/^overrun:/ { n += $2 } END { print n + 0 }' "$dir/instances/$1"/per_cpu/cpu*/stats
}

# The loss the state file says the dead run counted (keep.c's header:
# kernel_lost, 8 bytes at offset 104).
counted_loss() {
	python3 -c 'import struct, sys
print(struct.unpack_from("<Q", open(sys.argv[1], "rb").read(), 104)[0])' "$TCP_AUDIT_STATE_DIR/tracefs.state"
}

# One case: start, SIGKILL, churn for 3 s at $1 connections/s and wait
# 2 s more with no tcp-audit, start again and let it read; the rest of the
# arguments go to the first run.
crash_case() {
	local rate=$1 port inst base over fired stored
	shift
	port=$(free_port)
	: >"$T/events.json"
	export TCP_AUDIT_STATE_DIR=$T/state-$port
	counter_start "(protocol == 6) && (sport == $port || dport == $port)"
	start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" -E "ports=$port" "$@"
	inst=$(ta_instance)
	kill -KILL "$TA_PID"
	wait "$TA_PID" 2>/dev/null || true
	TA_PID=
	CHURN_PORT=$port $CHURN churn 4 3 2 "$rate" >"$T/churn" || fail "the churn failed"
	sleep 2
	[ -d "$dir/instances/$inst" ] || fail "the killed run's instance $inst is gone"
	base=$(counted_loss)
	start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" -E "ports=$port"
	grep -q "continuing the crashed run's tracefs instance $inst" "$T/log" ||
		fail "the new run did not adopt the killed run's instance: $(cat "$T/log")"
	fired=$(counter_total)
	assert_eq "events the counting instance lost" "$(counter_overrun)" 0
	# Everything is read once the new run has stored what it can, and
	# the rest is counted: events + the kernel's loss reach the count.
	for _ in $(seq 600); do
		stored=$(events_in "$T/events.json")
		over=$(overrun_of "$inst")
		[ $((stored + over - base)) -ge "$fired" ] && break
		sleep 0.1
	done
	stop_capture
	TA_PID=
	over=$(overrun_of "$inst")
	python3 "$TESTS_LIB/restart-check.py" "$T/events.json" --runs 2 --crashed 1 \
		--events "$(events_in "$T/events.json")" --kernel-gap $((over - base)) \
		>"$T/check.out" 2>&1 || fail "$(cat "$T/check.out")"
	stored=$(events_in "$T/events.json")
	read -r conns _ <"$T/churn"
	echo "case $*: $conns connections, $fired events fired, $stored stored, kernel gap $((over - base))"
	[ -d "$dir/instances/$inst" ] || fail "the stopped run did not keep $inst"
	release_capture
	[ ! -e "$dir/instances/$inst" ] || fail "tcp-audit --release left the instance $inst"
	counter_stop
	CASE_STORED=$stored CASE_FIRED=$fired CASE_GAP=$((over - base))
}

crash_case 200
assert_eq "events stored after the crash (all the kernel held)" "$CASE_STORED" "$CASE_FIRED"
assert_eq "the kernel gap with a buffer that held everything" "$CASE_GAP" 0

# 128K per CPU holds about 2,000 records: the pause's 15,000 events
# overrun it, and the host's own task events in the 2 s after them do not
# overwrite all that is left.
crash_case 500 -E buffer_size=128K
[ "$CASE_GAP" -gt 0 ] || fail "the tiny buffer did not overrun; the case proves nothing"
[ "$CASE_STORED" -gt 0 ] || fail "nothing of what the tiny buffer held was stored"
# Task events share the buffer and its overrun count, so events + gap
# covers the sockets' events at least, and never fewer.
[ $((CASE_STORED + CASE_GAP)) -ge "$CASE_FIRED" ] ||
	fail "stored $CASE_STORED + kernel gap $CASE_GAP < $CASE_FIRED events fired"
[ "$CASE_STORED" -le "$CASE_FIRED" ] || fail "stored $CASE_STORED > $CASE_FIRED fired"
echo "PASS: after SIGKILL and a pause the kernel's buffer is read, its overrun a gap of its count"
