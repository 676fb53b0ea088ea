# Helpers for the sqlite sinker's outage tests: a slow replay that an
# outage can interrupt, and the checks that it lost nothing.

# sqlite_start_slow DB N: replay N events at 1000/s into DB in the
# background (pid in SQ_PID, log in $T/log); returns once the WAL exists.
sqlite_start_slow() {
	"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count="$2" -E rate=1000 -s sqlite \
		-S path="$1" -S max_delay=100ms 2>"$T/log" &
	SQ_PID=$!
	for _ in $(seq 300); do
		[ -e "$1-wal" ] && return 0
		sleep 0.1
	done
	fail "no WAL file appeared"
}

# sqlite_wait_failure WHAT: wait (up to 30 s, for slow sanitizer builds on a
# busy machine) until the sinker reports that it cannot store.
sqlite_wait_failure() {
	for _ in $(seq 300); do
		grep -q 'cannot store events' "$T/log" && return 0
		sleep 0.1
	done
	cat "$T/log" >&2
	fail "no error while $1"
}

# sqlite_finish DB N: wait for tcp-audit, then check that DB holds exactly
# the N events and that the recovery was reported once.
sqlite_finish() {
	wait "$SQ_PID" || fail "tcp-audit failed: $(cat "$T/log")"
	cat "$T/log" >&2
	assert_eq "rows, distinct seq" \
		"$(sqlite3 "$1" 'SELECT count(*), count(DISTINCT seq) FROM tcp_events')" "$2|$2"
	assert_eq "lines reporting the recovery" \
		"$(grep -c "sqlite: stores events again after [0-9.]* s and [0-9]* retries; no event was lost meanwhile" "$T/log")" 1
}
