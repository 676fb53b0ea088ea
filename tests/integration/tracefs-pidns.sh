#!/bin/bash
# In a PID namespace other than the host's, the tracepoint's pids are not
# this namespace's: tcp-audit must name nobody (never whoever has that pid
# number here) and say once, at start, why and how to fix it. The same when
# /proc is of another PID namespace than the host's. The
# connections come from processes of the host, whose pids the test knows.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
require_cmd unshare nsenter
make_tmpdir
# Whatever fails, no daemon or helper of this test outlives it.
started=""
trap 'for p in $started; do kill -TERM "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
tracefs_dir >/dev/null

# The host pid of the first child of $1 (unshare --fork's child).
child_of() {
	local c
	for _ in $(seq 100); do
		c=$(cat "/proc/$1/task/$1/children" 2>/dev/null || true)
		[ -n "$c" ] && { echo "${c%% *}"; return 0; }
		sleep 0.05
	done
	fail "no child of $1"
}

# run_case NAME COMMAND...: tcp-audit under COMMAND, one connection from
# host processes, then SIGTERM; events in $T/NAME.json, log in $T/NAME.log.
run_case() {
	local name=$1 wrap_pid ta spid cpid port
	shift
	"$@" "$TCP_AUDIT" --event tracefs --sink json --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" \
		>"$T/$name.json" 2>"$T/$name.log" &
	wrap_pid=$!
	started="$started $wrap_pid"
	for _ in $(seq 100); do
		grep -q "capturing:" "$T/$name.log" && break
		kill -0 "$wrap_pid" 2>/dev/null || { cat "$T/$name.log" >&2; fail "$name: tcp-audit exited at start"; }
		sleep 0.1
	done
	grep -q "capturing:" "$T/$name.log" || fail "$name: tcp-audit did not start in 10 s"
	ta=$wrap_pid
	while [ "$(cat "/proc/$ta/comm")" = unshare ]; do
		ta=$(child_of "$ta")
	done
	started="$ta $started"
	rm -f "$T/port"
	$CHURN serve 4 "$T/port" tca-ns-server &
	spid=$!
	port=$(wait_port "$T/port")
	# The client's host pid is known before it connects (exec keeps it).
	sh -c "sleep 1; exec $CHURN connect 4 $port tca-ns-client" &
	cpid=$!
	if [ "$name" = pidns ]; then
		# A decoy in the daemon's namespace with the client's pid number
		# there: looking the kernel's pid up in this /proc would name it.
		nsenter -t "$ta" --pid --mount sh -c "echo $((cpid - 1)) >/proc/sys/kernel/ns_last_pid && {
			python3 -c 'import ctypes, time; ctypes.CDLL(None).prctl(15, b\"tca-decoy\", 0, 0, 0); time.sleep(8)' & wait; }" &
		decoy=$!
		started="$started $decoy"
		dpid=$(child_of "$(child_of "$decoy")")
		for _ in $(seq 50); do
			[ "$(cat "/proc/$dpid/comm" 2>/dev/null)" = tca-decoy ] && break
			sleep 0.05
		done
		[ "$(cat "/proc/$dpid/comm" 2>/dev/null)" = tca-decoy ] || fail "pidns: the decoy did not start"
		ns=$(awk '/^NSpid:/ { print $NF }' "/proc/$dpid/status")
		assert_eq "pidns: the decoy's pid in the namespace" "$ns" "$cpid"
	fi
	wait "$cpid" || fail "$name: the client failed"
	wait "$spid" || fail "$name: the server failed"
	sleep 0.3
	kill -TERM "$ta"
	rc=0
	wait "$wrap_pid" || rc=$?
	[ "$name" = pidns ] && { kill "$dpid" 2>/dev/null || true; wait "$decoy" 2>/dev/null || true; }
	[ "$rc" -eq 0 ] || { cat "$T/$name.log" >&2; fail "$name: tcp-audit exited with $rc"; }
	python3 - "$T/$name.json" "$port" "$name" <<'PY'
import json, sys
path, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ev = [e for e in map(json.loads, open(path)) if "type" not in e]
mine = [e for e in ev if port in (e["sport"], e["dport"])]
# listener, client and accepted socket, each at least a birth and a death
assert len(mine) >= 6, (name, len(mine), mine)
named = [e for e in ev if e["pid"] is not None or e["comm"] is not None or e.get("owner", "unknown") != "unknown"]
assert not named, (name, "events with an owner", named[:3])
PY
}

# 1. The daemon in a new PID namespace with its own /proc (a container).
run_case pidns unshare --pid --fork --mount-proc
n=$(grep -c "PID namespace other than the host's" "$T/pidns.log" || true)
assert_eq "pidns: lines explaining the namespace" "$n" 1
grep -q "docker run --pid=host" "$T/pidns.log" || fail "pidns: the log does not say how to fix it"

# 2. Nested: the daemon two PID namespaces down, /proc of the middle one.
run_case nested unshare --pid --fork --mount-proc unshare --pid --fork
n=$(grep -c "is not of this process's PID namespace" "$T/nested.log" || true)
assert_eq "nested: lines explaining it" "$n" 1

# 3. A new PID namespace with the host's /proc left in place: its pid 1
# cannot be read from there, so nothing proves that /proc is the host's;
# nobody is named rather than a guess.
run_case hostproc unshare --pid --fork
n=$(grep -c "is not of this process's PID namespace" "$T/hostproc.log" || true)
assert_eq "host /proc: lines explaining it" "$n" 1
exit 0
