#!/bin/bash
# pgsql: 100,000 replayed events arrive, no more and no fewer, each once.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/pg.sh"
make_tmpdir
pg_start

run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=100000 -s pgsql --shutdown-timeout=60s >"$T/out" 2>&1
assert_eq "exit status" "$rc" 0
assert_eq "rows, distinct seq, seq range" \
	"$(pg_sql -c 'SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM tcp_events')" "100000|100000|1|100000"
echo ok
