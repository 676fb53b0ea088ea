#!/bin/bash
# The sqlite sinker's retention: max_age deletes exactly the rows older than
# the limit, max_size keeps the newest rows within the size, and neither
# touches anything else; the completeness view counts what retention
# deleted, and tells it from a row deleted by hand.
. "$TESTS_LIB/common.sh"
require_cmd sqlite3 python3
make_tmpdir

# By age: 2,500 events from 2020 and 1,500 from the last minute, interleaved,
# each its own socket; then a socket opened in 2020 that closes now.
python3 - "$T/events.tsv" <<'PY'
import sys, time
now = time.time_ns()
with open(sys.argv[1], "w") as f:
    for i in range(4000):
        t = 1577836800000000000 + i if i % 8 < 5 else now - 60 * 10**9 + i
        f.write(f"{t}\t{i}\t-\t-\tipv4\t127.0.0.1\t{i % 60000 + 1}\t127.0.0.2\t80\tSYN_SENT\tESTABLISHED\n")
    f.write(f"1577836900000000000\t99999\t-\t-\tipv4\t127.0.0.1\t22\t127.0.0.3\t50000\tSYN_RECV\tESTABLISHED\n")
    f.write(f"{now - 10**9}\t99999\t-\t-\tipv4\t127.0.0.1\t22\t127.0.0.3\t50000\tESTABLISHED\tCLOSE_WAIT\n")
PY
# The drain at the end gets all the time it needs (a sanitizer build on a
# busy machine is slow): this checks retention, not speed.
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --shutdown-timeout=10m -e replay -E path="$T/events.tsv" \
	-s sqlite -S path="$T/age.db" -S max_age=1h -S batch_size=500
assert_eq "exit status (max_age)" "$rc" 0
assert_eq "rows kept by max_age=1h (all, from 2020, recent)" \
	"$(sqlite3 "$T/age.db" "SELECT count(*), sum(time < '2020-09-13T12:26:40Z'), sum((seq - 1) % 8 >= 5) FROM tcp_events_named")" \
	"1501|0|1500"
# The view tells retention from a hole: the 2,501 are counted as pruned.
assert_eq "the completeness view (max_age)" "$(sqlite3 "$T/age.db" "SELECT last_seq, stored,
	pruned, missing, verdict FROM tcp_audit_completeness")" "4002|1501|2501|0|pruned"
# Connections go with their last event: the sockets of 2020 are gone, the
# one still open then is kept, and no event lost its connection.
assert_eq "connections kept (max_age)" "$(sqlite3 "$T/age.db" "SELECT count(*),
	sum(sock = 99999 AND first_time < '2021') FROM tcp_connections_named")" "1501|1"
assert_eq "connections without events, events without one" "$(sqlite3 "$T/age.db" "SELECT
	(SELECT count(*) FROM tcp_connections c WHERE NOT EXISTS (SELECT 1 FROM tcp_events e
	 WHERE e.conn = c.conn)), (SELECT count(*) FROM tcp_events e WHERE NOT EXISTS
	 (SELECT 1 FROM tcp_connections c WHERE c.conn = e.conn))")" "0|0"

# By size: 60,000 events (about 18 MB unpruned) into at most 2 MiB.
max=2097152
# A state directory of its own: this archive does not hold the run before.
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --shutdown-timeout=10m --state-dir="$T/state-size" \
	-e replay -E count=60000 \
	-s sqlite -S path="$T/size.db" -S max_size=2M
assert_eq "exit status (max_size)" "$rc" 0
read -r used rows first last <<<"$(sqlite3 -separator ' ' "$T/size.db" "SELECT
	(SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size),
	count(*), min(seq), max(seq) FROM tcp_events")"
size=$(stat -c %s "$T/size.db")
[ "$size" -le "$max" ] || fail "max_size=2M: the file has $size bytes"
[ "$used" -le "$max" ] || fail "max_size=2M: the pages take $used bytes"
[ "$rows" -gt 1000 ] || fail "max_size=2M: only $rows rows left"
assert_eq "the newest event is kept" "$last" 60000
assert_eq "the kept rows are the newest, without a gap" "$rows" "$((last - first + 1))"
assert_eq "the completeness view (max_size)" "$(sqlite3 "$T/size.db" "SELECT last_seq, stored,
	pruned, missing, verdict FROM tcp_audit_completeness")" "60000|$rows|$((60000 - rows))|0|pruned"
assert_eq "connections without events, events without one (max_size)" "$(sqlite3 "$T/size.db" "SELECT
	(SELECT count(*) FROM tcp_connections c WHERE NOT EXISTS (SELECT 1 FROM tcp_events e
	 WHERE e.conn = c.conn)), (SELECT count(*) FROM tcp_events e WHERE NOT EXISTS
	 (SELECT 1 FROM tcp_connections c WHERE c.conn = e.conn))")" "0|0"
# A row deleted by hand is not retention: the run reads as incomplete.
sqlite3 "$T/size.db" "DELETE FROM tcp_events WHERE seq = $last"
assert_eq "the view after a deletion by hand" "$(sqlite3 "$T/size.db" "SELECT missing, verdict
	FROM tcp_audit_completeness")" "1|incomplete"
echo "PASS: max_age kept exactly the 1500 recent rows; max_size kept the newest $rows rows in $size bytes"
