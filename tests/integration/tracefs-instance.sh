#!/bin/bash
# The private instance, tcp-audit-<run id>: a SIGKILLed tcp-audit leaves its
# instance behind and the next start removes it; an instance whose lock a
# live process holds is left alone whatever its holder's pid; the pid-named
# instances of older releases are left alone with a warning; two runs at
# once get two instances; --check creates and removes its own.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
make_tmpdir
dir=$(tracefs_dir)

# A crash: SIGKILL leaves the instance behind, unlocked.
start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR"
killed=$(ta_instance)
[[ $killed =~ ^tcp-audit-k[0-9a-f]{16}$ ]] || fail "instance name '$killed' is not tcp-audit-k<16 hex digits>"
kill -KILL "$TA_PID"
wait "$TA_PID" 2>/dev/null || true
[ -d "$dir/instances/$killed" ] || fail "expected the killed run's instance to remain"

# A live run's instance, as the lock says: held by a process that is no
# tcp-audit and whose pid is in no instance name.
live=tcp-audit-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
orphan=tcp-audit-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
old_live="tcp-audit-$$"
mkdir "$dir/instances/$live" "$dir/instances/$orphan" "$dir/instances/$old_live"
holder=
first_pid= running=
# A failed check must not leave a capture running (it records the whole
# machine's traffic): the runs and the lock holder go with the test.
trap 'kill -KILL $holder 2>/dev/null || true
	[ -z "$first_pid$running" ] || kill -TERM $first_pid $running 2>/dev/null || true
	rmdir "$dir/instances/$live" "$dir/instances/$orphan" "$dir/instances/$old_live" 2>/dev/null || true
	rm -rf "$T"; true' EXIT
flock --exclusive "$dir/instances/$live" sleep 600 &
holder=$!
for _ in $(seq 50); do
	flock --nonblock --exclusive "$dir/instances/$live" true 2>/dev/null || break
	sleep 0.1
done
flock --nonblock --exclusive "$dir/instances/$live" true 2>/dev/null &&
	fail "the helper did not lock $live"

# Two runs at once: two instances.
start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR"
first_pid=$TA_PID first=$(ta_instance)
mv "$T/log" "$T/first.log"  # start_capture could read the old one before its run truncates it
start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR"
running=$TA_PID second=$(ta_instance)
[ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ] ||
	fail "two runs share or lack an instance: '$first' and '$second'"
[ -d "$dir/instances/$first" ] || fail "the second run removed the live first run's instance $first"
stop_capture
running=
TA_PID=$first_pid
stop_capture
first_pid=

# --check at debug level names the instance it makes.
rc=0
"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --log-level=debug --event tracefs --sink json \
	--check 2>"$T/check.log" || rc=$?
assert_eq "--check exit status ($(cat "$T/check.log"))" "$rc" 0
mine=$(ta_instance "$T/check.log")
[ -n "$mine" ] || fail "--check did not name its instance: $(cat "$T/check.log")"
[ ! -e "$dir/instances/$mine" ] || fail "--check left its own instance $mine"

# Each unlocked instance was removed (by the first run, which started
# after them, or by another test's run: tracefs is one for the whole
# machine, so the log that says so may be another's); the locked and the
# pid-named ones are left.
for stale in "$killed" "$orphan"; do
	[ ! -e "$dir/instances/$stale" ] || fail "the stale instance $stale was not removed"
done
[ -d "$dir/instances/$live" ] || fail "the instance $live, locked by a live process, was removed"
[ -d "$dir/instances/$old_live" ] || fail "the pid-named instance $old_live was removed"
grep -q "leaving the tracefs instance $old_live alone" "$T/check.log" ||
	fail "no warning about the pid-named instance: $(cat "$T/check.log")"
kill -KILL $holder
wait $holder 2>/dev/null || true
exit 0
