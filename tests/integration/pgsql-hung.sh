#!/bin/bash
# pgsql: a hung server (its backend stopped with SIGSTOP) holds up neither
# the writer nor shutdown for longer than the time-outs: on SIGTERM,
# tcp-audit gives up after statement_timeout (+2 s) and --shutdown-timeout,
# says how many events it could not store, and exits.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/pg.sh"
make_tmpdir
pg_start
pid= backend=
trap '[ -z "$backend" ] || kill -CONT "$backend" 2>/dev/null || true
	[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true
	pg_stop_quiet; rm -rf "$T"' EXIT

"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=100000 -E rate=1000 -s pgsql \
	-S statement_timeout=1s -S max_delay=50ms --shutdown-timeout=1s >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 300); do
	backend=$(pg_sql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'tcp-audit'")
	[ -n "$backend" ] && [ "$(pg_sql -c "SELECT count(*) > 100 FROM tcp_events" 2>/dev/null)" = t ] && break
	sleep 0.1
done
[ -n "$backend" ] || fail "tcp-audit never connected: $(cat "$T/out")"
kill -STOP "$backend"
sleep 1
kill -TERM "$pid"
# Bounded: 1 s + 2 s per attempt, and the shutdown timeout; 30 s is a
# safety net for a broken build, not a measurement.
for _ in $(seq 300); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "tcp-audit still runs 30 s after SIGTERM with a hung server"
rc=0
wait "$pid" || rc=$?
pid=
kill -CONT "$backend"
backend=
# What the hung server did not take waits in the disk spool for the next
# start (or, without a spool, is counted as unstored): either way, said.
grep -Eq 'could not be stored before exit|waits in .* for the next start' "$T/out" ||
	fail "no account of the unstored events: $(cat "$T/out")"
grep -q 'no answer within statement_timeout' "$T/out" || fail "no time-out logged: $(cat "$T/out")"
assert_eq "exit status" "$rc" 0
echo ok
