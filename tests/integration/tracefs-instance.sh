#!/bin/bash
# The private instance: a SIGKILLed tcp-audit leaves its instance behind,
# and the next start removes it; an instance named for a live process is
# left alone; --check creates and removes its own.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
make_tmpdir
dir=$(tracefs_dir)

# A crash: SIGKILL leaves instances/tcp-audit-PID behind.
start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR"
killed=$TA_PID
kill -KILL "$killed"
wait "$killed" 2>/dev/null || true
[ -d "$dir/instances/tcp-audit-$killed" ] || fail "expected the killed run's instance to remain"

# An instance of a live process (this shell) must survive the clean-up.
live="$dir/instances/tcp-audit-$$"
mkdir "$live"
trap 'rmdir "$live" 2>/dev/null; rm -rf "$T"' EXIT

# In the background, to know the pid and so the name of its own instance.
"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event tracefs --sink json --check 2>"$T/check.log" &
check_pid=$!
rc=0
wait "$check_pid" || rc=$?
assert_eq "--check exit status" "$rc" 0
[ ! -e "$dir/instances/tcp-audit-$check_pid" ] || fail "--check left its own instance"
[ ! -e "$dir/instances/tcp-audit-$killed" ] || fail "the stale instance tcp-audit-$killed was not removed"
grep -q "removed the stale tracefs instance tcp-audit-$killed" "$T/check.log" ||
	fail "the clean-up was not logged: $(cat "$T/check.log")"
[ -d "$live" ] || fail "the instance of a live process was removed"
exit 0
