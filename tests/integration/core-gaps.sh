#!/bin/bash
# Every loss is in the store: with a tiny queue, a slow store and a source
# that loses events, the stored events plus the gap records cover every
# seq of the run exactly once, and add up to the events generated (a
# count known independently of tcp-audit: replay makes exactly N, and
# loses every 97th). Refused events and partial writes are exact too.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd python3
make_tmpdir
check() { python3 "$TESTS_LIB/completeness.py" "$@"; }

# A slow store (20 ms a batch) behind a queue of 64 events, fed at 20,000
# events a second: most events find the queue full.
N=20000
run_tcp_audit -e replay -E count=$N -E rate=20000 -E lose_every=97 \
	-s "$TP/flaky.so" -S path="$T/slow.out" -S delay_ms=20 \
	--queue-memory=$((64 * 176)) 2>"$T/log"
assert_eq "exit status (slow store)" "$rc" 0
check --format flaky "$T/slow.out" --complete last --events $N >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the slow store's record is not complete"; }
cat "$T/verdict"
grep -q "(queue_full,source)" "$T/verdict" || fail "expected queue_full and source gaps"
# The source's own losses are exactly every 97th synthetic event: seq
# 97*k, one each, where they happened.
src=$(awk '$1 == "gap" && $5 == 2 { print $3 ":" $4 }' "$T/slow.out" | sort -n | head -n 3 | tr '\n' ' ')
assert_eq "first source gaps" "$src" "97:1 194:1 291:1 "
assert_eq "source gap events" "$(awk '$1 == "gap" && $5 == 2 { s += $4 } END { print s }' "$T/slow.out")" $((N / 97))
# The stats line agrees with the store.
stored=$(event_lines_of "$T/slow.out" | wc -l)
assert_eq "written = stored events" "$(stat_of "$T/log" written)" "$stored"
assert_eq "lost = gap events" "$(stat_of "$T/log" lost)" "$((N - stored))"

# A store that refuses every event whose seq is a multiple of 100: the
# batch is split until each refused event is found, each becomes a gap
# (reason 5, refused), and the rest is stored once.
run_tcp_audit -e replay -E count=1000 -s "$TP/flaky.so" -S path="$T/refuse.out" \
	-S refuse_every=100 2>"$T/log"
assert_eq "exit status (refused rows)" "$rc" 0
check --format flaky "$T/refuse.out" --complete last --events 1000 >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the record with refused rows is not complete"; }
assert_eq "refused gaps" "$(awk '$1 == "gap" && $5 == 5 { printf "%s ", $3 }' "$T/refuse.out")" \
	"100 200 300 400 500 600 700 800 900 1000 "
assert_eq "stored events" "$(events_in "$T/refuse.out")" 990
assert_has "$T/log" "the store refused event 100 for good (seq 100 is refused); it is recorded as a gap (reason refused), and the rest goes on"
assert_has "$T/log" "refused 10, unflushed at exit 0) in 10 gap records"

# A store that takes only half of each batch: the rest is retried, and
# every event is stored exactly once, in order.
run_tcp_audit -e replay -E count=5000 -s "$TP/flaky.so" -S path="$T/half.out" -S partial=yes 2>"$T/log"
assert_eq "exit status (partial writes)" "$rc" 0
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "%d %d\n", i + 1, int(i / 4) + 1 }' |
	diff -q - <(event_lines_of "$T/half.out") >/dev/null || fail "partial writes lost or repeated events"
check --format flaky "$T/half.out" --complete last --events 5000 >/dev/null || fail "partial writes: not complete"
exit 0
