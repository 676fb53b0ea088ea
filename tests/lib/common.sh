# Shared helpers for the integration tests; source it from a test script.
# Tests skip (exit 77) with a reason only when the machine lacks what they
# need; CI treats any skip as a failure.

set -eu

: "${TCP_AUDIT:?run this through make check}"
: "${TCP_AUDIT_PLUGIN_DIR:?run this through make check}"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (run make check as root)"
}

require_cmd() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs the command '$c'"
	done
}

# A private temporary directory, removed on exit. The daemons a test
# starts chain their runs in a state directory of their own inside it,
# never in the machine's /var/lib/tcp-audit.
make_tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/tcp-audit-test.XXXXXX")
	trap 'kill_capture; release_kept; rm -rf "$T"' EXIT
	export TCP_AUDIT_STATE_DIR="$T/state"
}

# A capture a failed test left running (start_ta_capture's $TA_PID): it
# must not record on, for hours, after the test. Only while it is still
# this shell's job: once waited for, its pid may be another process's.
kill_capture() {
	[ -n "${TA_PID:-}" ] && jobs -p | grep -qx "$TA_PID" || return 0
	kill -CONT "$TA_PID" 2>/dev/null || true
	kill -TERM "$TA_PID" 2>/dev/null || true
}

# A tracefs run that this test stopped without stop_capture keeps its
# instance recording for restart_grace: release it with the state
# directory it belongs to, or it records on for minutes after the test.
release_kept() {
	[ -e "$T/state/tracefs.state" ] && [ -n "${TCP_AUDIT:-}" ] || return 0
	"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --release >/dev/null 2>&1 || true
}

# Assert that two values are equal, naming what was compared.
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"
}

# Run tcp-audit and capture its exit status in $rc without tripping set -e.
run_tcp_audit() {
	rc=0
	"$TCP_AUDIT" "$@" || rc=$?
}

# The event lines of a json, text or flaky output file: not the gap, name and
# run records ({"type":...}, "# ...", "gap ...", "run ...", "name ...").
event_lines_of() {
	grep -Ev '^(\{"type":|# |gap |run |name )' "$1" || true
}

# How many event lines FILE has (0 if it does not exist).
events_in() {
	if [ -e "$1" ]; then event_lines_of "$1" | wc -l | tr -d ' '; else echo 0; fi
}

# A port free on 127.0.0.1 and ::1, below the ephemeral range, so that no
# other test's client can be using it as its own port while this one runs
# (on a loaded machine every ephemeral port is in use every few seconds).
free_port() {
	python3 - <<'PY'
import random, socket
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for p in random.sample(range(10000, lo), lo - 10000):
    try:
        for af, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            s = socket.socket(af)
            s.bind((host, p))
            s.close()
    except OSError:
        continue
    print(p)
    break
PY
}

# Start tcp-audit with eventer $1 and the json sink in the background:
# events to $T/events.json (appended with TA_APPEND=1), logs to $T/log;
# the other arguments go to tcp-audit. Returns once the capture runs, with
# its pid in $TA_PID.
start_ta_capture() {
	local event=$1
	shift
	[ "${TA_APPEND:-0}" = 1 ] || : >"$T/events.json"
	: >"$T/log" # not the last run's "capturing:", before this one truncates it
	"$TCP_AUDIT" --event "$event" --sink json "$@" >>"$T/events.json" 2>"$T/log" &
	TA_PID=$!
	for _ in $(seq 100); do
		grep -q "capturing:" "$T/log" && return 0
		kill -0 "$TA_PID" 2>/dev/null || { cat "$T/log" >&2; fail "tcp-audit exited at start"; }
		sleep 0.1
	done
	fail "tcp-audit did not start capturing in 10 s"
}

# wait_log FILE PATTERN [PID]: until a line of the log FILE matches
# PATTERN (grep), for 120 s; fails if the daemon PID (default $TA_PID)
# ends first.
wait_log() {
	local pid=${3:-$TA_PID}
	for _ in $(seq 1 1200); do
		grep -q "$2" "$1" && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$1" >&2; fail "$1: tcp-audit ended before logging '$2'"; }
		sleep 0.1
	done
	cat "$1" >&2
	fail "$1: no '$2' after 120 s"
}

# SIGTERM: tcp-audit drains the kernel's buffers and flushes before exit;
# it must exit 0.
stop_ta_capture() {
	kill -TERM "$TA_PID"
	ta_rc=0
	wait "$TA_PID" || ta_rc=$?
	[ "$ta_rc" -eq 0 ] || { cat "$T/log" >&2; fail "tcp-audit exited with $ta_rc"; }
}

# Wait for the file a test server writes its port to, and print it.
wait_port() {
	for _ in $(seq 100); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.05
	done
	fail "the test server did not start"
}

# Not a function: "$CHURN ... &" must leave python's own pid in $!.
CHURN="python3 $TESTS_LIB/churn.py"

# TCA_TEST_CHURN=RATE: unrelated loopback connections, RATE per second,
# for as long as the test runs, so that a test proves it holds on a busy
# machine (.ci/run sets it for the capture tests of both kernel
# eventers). The churn runs in its own session, killed as a group once
# this test's shell is gone;
# its output goes to a file, not to the test harness's pipe, so that the
# harness does not wait for it.
churn_background() {
	local rate=$1 test_pid=$$ log
	log=$(mktemp /tmp/tcp-audit-churn.XXXXXX)
	(
		setsid python3 "$TESTS_LIB/churn.py" churn 4 600 2 "$rate" &
		churn=$!
		while kill -0 "$test_pid" 2>/dev/null && kill -0 "$churn" 2>/dev/null; do
			sleep 0.5
		done
		kill -TERM -- "-$churn" 2>/dev/null || true
		sleep 1
		kill -KILL -- "-$churn" 2>/dev/null || true
		rm -f "$log"
	) </dev/null >"$log" 2>&1 &
}
if [ -n "${TCA_TEST_CHURN:-}" ]; then
	churn_background "$TCA_TEST_CHURN"
fi
