#!/bin/bash
# The sqlite sinker beside other users of the file: a reader holding a read
# transaction, then a process holding the write lock for longer than
# busy_timeout. Nothing is lost, and the lock is reported once with its
# recovery.
. "$TESTS_LIB/common.sh"
require_cmd sqlite3
make_tmpdir

db=$T/a.db
n=8000
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=$n -E rate=1000 -s sqlite \
	-S path="$db" -S busy_timeout=300ms -S max_delay=100ms 2>"$T/log" &
pid=$!

rows() { sqlite3 -cmd '.timeout 5000' "$db" 'SELECT count(*) FROM tcp_events' 2>/dev/null || echo 0; }
for _ in $(seq 100); do [ "$(rows)" -gt 0 ] && break; sleep 0.1; done

# A reader inside one read transaction for 2 s: the snapshot it sees does
# not change, while the writer goes on.
{ echo "BEGIN; SELECT count(*) FROM tcp_events;"; sleep 2
  echo "SELECT count(*) FROM tcp_events; COMMIT;"; } | sqlite3 -bail -cmd '.timeout 10000' "$db" >"$T/reader"
[ "$(sed -n 1p "$T/reader")" = "$(sed -n 2p "$T/reader")" ] || fail "the read snapshot changed: $(cat "$T/reader")"
[ "$(rows)" -gt "$(sed -n 1p "$T/reader")" ] || fail "the writer stalled behind a reader"

# A writer holding the lock for 2 s, much longer than busy_timeout=300ms.
# The shell waits for tcp-audit's own transaction to end before it takes the lock.
{ echo "BEGIN IMMEDIATE;"; sleep 2; echo "COMMIT;"; } | sqlite3 -bail -cmd '.timeout 10000' "$db" ||
	fail "the sqlite3 shell could not take the write lock"

wait $pid || fail "tcp-audit failed: $(cat "$T/log")"
assert_eq "rows, distinct seq" "$(sqlite3 "$db" 'SELECT count(*), count(DISTINCT seq) FROM tcp_events')" "$n|$n"
assert_eq "lines reporting the lock" \
	"$(grep -c 'sqlite: cannot store events: database is locked.*busy_timeout' "$T/log")" 1
assert_eq "lines reporting the recovery" \
	"$(grep -c 'sqlite: stores events again after [0-9.]* s and [0-9]* retries; no event was lost meanwhile' "$T/log")" 1
echo "PASS: $n events stored beside a reader and a lock holder"
