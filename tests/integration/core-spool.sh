#!/bin/bash
# The disk spool. A store down for a while behind a tiny memory queue: the
# writer moves the oldest events to the spool instead of letting the
# queue overflow, and when the store is back every event arrives exactly
# once, in order, with nothing lost. Then the store down at SIGTERM: the
# queue goes to the spool with the run's end, and the next start, with
# the store back, stores all of it first, with the first run's identity.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd python3
make_tmpdir

# Bad spool options are usage errors that name the option and its values.
run_tcp_audit -e replay -E count=5 -s null --spool-sync=often 2>"$T/log"
assert_eq "exit status (--spool-sync=often)" "$rc" 64
assert_has "$T/log" "tcp-audit: --spool-sync: 'often' is not batch, segment or none"
run_tcp_audit -e replay -E count=5 -s null --spool-full=drop-all 2>"$T/log"
assert_eq "exit status (--spool-full=drop-all)" "$rc" 64
assert_has "$T/log" "tcp-audit: --spool-full: 'drop-all' is not drop-newest or drop-oldest"
run_tcp_audit -e replay -E count=5 -s null --spool-high-water=0 2>"$T/log"
assert_eq "exit status (--spool-high-water=0)" "$rc" 64

# A --spool-dir that cannot be used is a configuration error (exit 78);
# the default one out of reach only costs the spool, with a warning.
touch "$T/file"
run_tcp_audit -e replay -E count=5 -s null --spool-dir="$T/file/spool" 2>"$T/log"
assert_eq "exit status (unusable --spool-dir)" "$rc" 78
assert_has "$T/log" "error: spool: cannot use $T/file/spool; fix its permissions, or choose another --spool-dir (or --spool-max-size=0 for none): Not a directory"
TCP_AUDIT_STATE_DIR=$T/file run_tcp_audit -e replay -E count=5 -s null 2>"$T/log"
assert_eq "exit status (default spool out of reach)" "$rc" 0
assert_has "$T/log" "warning: spool: cannot use $T/file/spool; running without a spool"
assert_has "$T/log" "stats: read 5, written 5 in "

N=6000
# flaky with origin=yes writes "seq sock run" per event; synthetic event i
# has seq i+1 and sock i/4+1.
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) printf "%d %d\n", i + 1, int(i / 4) + 1 }' >"$T/want"
event_lines() { grep -v -e '^gap ' -e '^run ' "$1" | cut -d' ' -f1,2; }

# 1. 64 KiB of queue hold about 400 events: 0.2 s at 2,000 events/s.
touch "$T/down"
start_tcp_audit -e replay -E count=$N -E rate=2000 -E hold=yes -s "$TP/flaky.so" \
	-S path="$T/a.out" -S down_while="$T/down" -S origin=yes --queue-memory=64K --spool-sync=segment
wait_for "$T/log" "moving its oldest events to the spool in $T/state/spool"
sleep 1
ls "$T/state/spool/"*.seg >/dev/null 2>&1 || fail "no spool segment while the store is down"
rm "$T/down"
wait_for "$T/log" "replay: replayed $N events; holding until stopped"
wait_for "$T/a.out" "^$N "
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status" "$rc" 0
diff -q "$T/want" <(event_lines "$T/a.out") >/dev/null || fail "events not stored exactly once, in order"
assert_has "$T/log" ", lost 0 (source 0, queue full 0, refused 0, unflushed at exit 0) in 0 gap records"
spooled=$(sed -n 's/.*spool: \([0-9]*\) events went through the spool.*/\1/p' "$T/log")
[ "${spooled:-0}" -gt 0 ] || fail "the log does not say how much went through the spool"
assert_has "$T/log" "spool: $spooled events went through the spool"
assert_has "$T/log" "$spooled were replayed from it; it was full 0 times; 0 were dropped from it; 0 damaged segments cut"
[ -z "$(ls "$T/state/spool")" ] || fail "replayed segments are left in the spool: $(ls "$T/state/spool")"
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/a.out" --complete last --events $N >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the record is not complete after an outage through the spool"; }

# 1b. SIGKILL while events wait in the spool: they survive the crash. The
# run-state file counts them settled, so the next start records the crash
# as a gap of unknown size after them, and stores them first.
touch "$T/down"
start_tcp_audit -e replay -E count=100000000 -E rate=2000 -s "$TP/flaky.so" \
	-S path="$T/k.out" -S down_while="$T/down" -S origin=yes --queue-memory=64K
wait_for "$T/log" "moving its oldest events to the spool"
sleep 0.5
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
pid=
killed=$(sed -n 's/^run_id=0*//p' "$T/state/run.state")
durable=$(sed -n 's/^durable_seq=0*//p' "$T/state/run.state")
[ "${durable:-0}" -gt 0 ] || fail "run.state counts no spooled event settled"
rm "$T/down"
run_tcp_audit -e replay -E count=10 -s "$TP/flaky.so" -S path="$T/k2.out" -S origin=yes 2>"$T/log"
assert_eq "exit status (after a crash with a spool)" "$rc" 0
assert_has "$T/log" "the last run ($killed) ended without a clean stop"
# The killed run's seqs from the spool: its events ("seq sock"), and any
# it lost because the 64 KiB queue filled while a spill's fsync was slow
# (a loaded disk), which its gap records (reason queue-full) name.
awk -v id="$killed" '$1 == "gap" && $2 == id && $4 > 0 && $5 == 3 {
		for (s = $3; s < $3 + $4; s++) print s, "lost" }
	$1 != "gap" && $1 != "run" && $3 == id { print $1, $2 }' "$T/k2.out" | sort -n -k1,1 >"$T/k.got"
# The kill may fall between a spool write and the run-state update that
# counts it: the spool may then hold, and replay, a few events past
# durable_seq, which must follow on in order too.
got=$(wc -l <"$T/k.got")
[ "$got" -ge "$durable" ] || fail "only $got of the killed run's $durable spooled seqs are stored (as events or gaps)"
awk -v n="$got" 'BEGIN { for (i = 0; i < n; i++) printf "%d %d\n", i + 1, int(i / 4) + 1 }' >"$T/k.want"
awk 'NR == FNR { sock[$1] = $2; next } { print $1, ($2 == "lost" ? sock[$1] : $2) }' \
	"$T/k.want" "$T/k.got" | diff -q "$T/k.want" - >/dev/null ||
	fail "the killed run's spooled seqs 1..$got are not all stored once, in order (as events or gaps)"
lost=$(grep -c ' lost$' "$T/k.got" || true)
[ "$lost" -eq 0 ] || echo "the killed run lost $lost events to a full queue, each in a gap record" >&2
assert_has "$T/k2.out" "gap $killed $((durable + 1)) 0 6"

# 2. The store down at SIGTERM: nothing becomes an unflushed gap.
touch "$T/down"
start_tcp_audit -e replay -E count=$N -E hold=yes -s "$TP/flaky.so" -S path="$T/b.out" \
	-S down_while="$T/down" -S origin=yes --shutdown-timeout=500ms
wait_for "$T/log" "replay: replayed $N events; holding until stopped"
wait_for "$T/log" "flaky: cannot store events"
kill -TERM "$pid"
wait_tcp_audit
assert_eq "exit status (store down at exit)" "$rc" 0
assert_has "$T/log" "spool: what the store did not take (events up to $N, gap records and the run's end record) waits in $T/state/spool for the next start"
assert_has "$T/log" "lost 0 (source 0, queue full 0, refused 0, unflushed at exit 0)"
grep -q "could not be stored before exit" "$T/log" && fail "spooled events were called lost"
assert_eq "events stored by the first run" "$(event_lines "$T/b.out" | wc -l)" 0
grep -q '^durable_seq=0*'"$N"'$' "$T/state/run.state" ||
	fail "run.state does not count the spooled events as settled: $(cat "$T/state/run.state")"
first=$(sed -n 's/^run_id=0*//p' "$T/state/run.state")

# The store is back; a new start with 10 events of its own.
rm "$T/down"
run_tcp_audit -e replay -E count=10 -s "$TP/flaky.so" -S path="$T/c.out" -S origin=yes 2>"$T/log"
assert_eq "exit status (replaying the spool)" "$rc" 0
assert_has "$T/log" "spool: "
assert_has "$T/log" "by earlier runs; they are stored first"
grep -q "ended without a clean stop\|could not store its last" "$T/log" &&
	fail "the next run recorded the spooled end as a loss"
second=$(sed -n 's/^run_id=0*//p' "$T/state/run.state")
# The first N event lines are the first run's, in order; then the second's 10.
head -n "$N" <(grep -v -e '^gap ' -e '^run ' "$T/c.out") >"$T/c.first"
diff -q "$T/want" <(cut -d' ' -f1,2 "$T/c.first") >/dev/null || fail "the spooled events differ"
assert_eq "spooled events with the first run's id" "$(grep -c " $first\$" "$T/c.first")" "$N"
assert_eq "the second run's events" "$(grep -v -e '^gap ' -e '^run ' "$T/c.out" | grep -c " $second\$")" 10
cat "$T/b.out" "$T/c.out" >"$T/bc.out"
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/bc.out" --complete "$first" --events $N >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the first run is not complete after the spool's replay"; }
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/bc.out" --complete "$second" --events 10 >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the second run is not complete"; }
cat "$T/verdict"
grep -q "^run $first state clean last_seq $N events $N gaps 0 (-) unknown 0 verdict complete$" "$T/verdict" ||
	fail "the first run's record is not clean and complete"
[ -z "$(ls "$T/state/spool")" ] || fail "the replayed spool is not empty"
exit 0
