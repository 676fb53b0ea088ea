#!/bin/bash
# A store outage far longer than the memory queue lasts: PostgreSQL stopped
# for 2 minutes under 5,000 events/s with --queue-memory=1M (about 6,900
# events, 1.4 s of them), then started again. The spool takes what the
# queue cannot hold, and every one of the 750,000 events the replay
# eventer generates is stored exactly once, with no gap.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/pg.sh"
make_tmpdir
pg_start
pid=
trap 'kill -9 $pid 2>/dev/null || true; pg_stop_quiet; rm -rf "$T"' EXIT

count=750000 # 150 s at 5,000 per second: 10 s before, 120 s down, the rest after
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=$count -E rate=5000 -s pgsql \
	-S table=long --queue-memory=1M --shutdown-timeout=120s >"$T/run.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
	[ "$(pg_sql -c "SELECT to_regclass('long') IS NOT NULL AND (SELECT count(*) FROM long) > 5000" \
		2>/dev/null)" = t ] && break
	sleep 0.1
done
[ "$(pg_sql -c 'SELECT count(*) > 5000 FROM long')" = t ] || fail "no events stored before the outage"
pg_stop fast
sleep 120
kill -0 "$pid" || fail "tcp-audit exited during the outage: $(cat "$T/run.out")"
pg_ctl_start
rc=0
wait "$pid" || rc=$?
pid=
assert_eq "exit status ($(tail -n 3 "$T/run.out"))" "$rc" 0
grep -q "spool" "$T/run.out" || fail "the outage did not go through the spool: $(cat "$T/run.out")"
got=$(pg_sql -c 'SELECT count(*), count(DISTINCT seq), max(seq) FROM long')
if [ "$got" != "$count|$count|$count" ]; then
	# What the archive says of the missing ones (a writer starved of CPU
	# while the 1M queue filled would show queue_full gaps), and the log.
	pg_sql -c 'SELECT * FROM tcp_audit_gaps' >&2 || true
	grep -e "stats:" -e "queue full" -e "spool" "$T/run.out" >&2 || true
fi
assert_eq "rows, distinct seqs, the last seq" "$got" "$count|$count|$count"
assert_eq "gap records" "$(pg_sql -c 'SELECT count(*) FROM tcp_audit_gaps')" 0
echo "PASS: a 2 minute outage at 5,000 events/s behind a 1M queue: $count events, each once"
