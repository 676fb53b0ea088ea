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

# A private temporary directory, removed on exit.
make_tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/tcp-audit-test.XXXXXX")
	trap 'rm -rf "$T"' EXIT
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
