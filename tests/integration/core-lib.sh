# Helpers shared by the core-*.sh integration tests (not a test itself).
# Source it after common.sh.
# shellcheck disable=SC2034 # PD, TP, rc and pid are for the tests

PD=$TCP_AUDIT_PLUGIN_DIR
TP=$TEST_PLUGIN_DIR

# Wait until FILE has a line matching the extended regex PATTERN. The cap
# only keeps a broken build from hanging the suite; it asserts no timing.
wait_for() {
	local file=$1 pattern=$2 _
	for _ in $(seq 1 600); do
		grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "--- $file:" >&2
	cat "$file" >&2 || true
	fail "timed out waiting for /$pattern/ in $file"
}

# Wait until FILE has at least N lines.
wait_lines() {
	local file=$1 n=$2 _
	for _ in $(seq 1 600); do
		[ "$(lines "$file")" -ge "$n" ] && return 0
		sleep 0.1
	done
	fail "timed out waiting for $n lines in $file (has $(lines "$file"))"
}

lines() {
	if [ -e "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# Start tcp-audit in the background, its stderr in $T/log; sets $pid.
# A failing test must not leave it running: it is killed at exit.
start_tcp_audit() {
	"$TCP_AUDIT" "$@" 2>"$T/log" &
	pid=$!
	trap '[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; rm -rf "$T"' EXIT
}

# Wait for the background tcp-audit; sets $rc.
wait_tcp_audit() {
	rc=0
	wait "$pid" || rc=$?
	pid=
}

# Assert that FILE has a line containing the fixed string TEXT.
assert_has() {
	grep -Fq -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks: $2"; }
}

# The counter NAME ("read", "written", "retried", "queue full", ...) from
# the last stats line of the log.
stat_of() {
	grep 'stats: read' "$1" | tail -n 1 | sed -E "s/.*[ (]$2 ([0-9]+).*/\\1/"
}
