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
	trap 'rm -rf "$T"' EXIT
	export TCP_AUDIT_STATE_DIR="$T/state"
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

# The event lines of a json, text or flaky output file: not the gap and
# run records ({"type":...}, "# ...", "gap ...", "run ...").
event_lines_of() {
	grep -Ev '^(\{"type":|# |gap |run )' "$1" || true
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
