#!/bin/bash
# The sqlite sinker's retention: max_age deletes exactly the rows older than
# the limit, max_size keeps the newest rows within the size, and neither
# touches anything else.
. "$TESTS_LIB/common.sh"
require_cmd sqlite3 python3
make_tmpdir

# By age: 2,500 events from 2020 and 1,500 from the last minute, interleaved.
python3 - "$T/events.tsv" <<'PY'
import sys, time
now = time.time_ns()
with open(sys.argv[1], "w") as f:
    for i in range(4000):
        t = 1577836800000000000 + i if i % 8 < 5 else now - 60 * 10**9 + i
        f.write(f"{t}\t{i}\t-\t-\tipv4\t127.0.0.1\t{i % 60000 + 1}\t127.0.0.2\t80\tSYN_SENT\tESTABLISHED\n")
PY
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/events.tsv" \
	-s sqlite -S path="$T/age.db" -S max_age=1h -S batch_size=500
assert_eq "exit status (max_age)" "$rc" 0
assert_eq "rows kept by max_age=1h (all, from 2020, recent)" \
	"$(sqlite3 "$T/age.db" "SELECT count(*), sum(time < 1600000000000000000), sum((seq - 1) % 8 >= 5) FROM tcp_events")" \
	"1500|0|1500"

# By size: 60,000 events (about 18 MB unpruned) into at most 2 MiB.
max=2097152
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=60000 \
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
echo "PASS: max_age kept exactly the 1500 recent rows; max_size kept the newest $rows rows in $size bytes"
