#!/bin/bash
# A damaged spool: one segment cut short (a torn tail, as after a crash)
# and one with a byte changed in the middle. The next start finds both
# by their checksums and lengths, replays what comes before the damage,
# never what comes after, and records each loss as a gap (reason spool,
# size unknown) and the run as unclean, so the store shows the hole.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd python3 truncate dd
make_tmpdir

N=3000
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) printf "%d %d\n", i + 1, int(i / 4) + 1 }' >"$T/want"

# Two runs, each stopped with the store down: two segments, one per run.
touch "$T/down"
for r in a b; do
	start_tcp_audit -e replay -E count=$N -E hold=yes -s "$TP/flaky.so" -S path="$T/$r.out" \
		-S down_while="$T/down" -S origin=yes --shutdown-timeout=300ms
	wait_for "$T/log" "replay: replayed $N events; holding until stopped"
	wait_for "$T/log" "flaky: cannot store events"
	kill -TERM "$pid"
	wait_tcp_audit
	assert_eq "exit status (run $r)" "$rc" 0
	assert_has "$T/log" "waits in $T/state/spool for the next start"
	eval "run_$r=\$(sed -n 's/^run_id=0*//p' \"\$T/state/run.state\")"
done
rm "$T/down"
segs=("$T/state/spool/"*.seg)
assert_eq "segments" "${#segs[@]}" 2
# The first: its last 5,000 bytes gone (the end of its last event record
# and its run records). The second: one byte changed 200,000 bytes in,
# inside its second event record.
truncate -s -5000 "${segs[0]}"
printf '\xff' | dd of="${segs[1]}" bs=1 seek=200000 conv=notrunc status=none

run_tcp_audit -e replay -E count=10 -s "$TP/flaky.so" -S path="$T/c.out" -S origin=yes 2>"$T/log"
assert_eq "exit status (replaying a damaged spool)" "$rc" 0
assert_has "$T/log" "warning: spool: ${segs[0]}: a record with a bad type or length at offset "
assert_has "$T/log" "warning: spool: ${segs[1]}: a record whose checksum does not match at offset "
assert_has "$T/log" "never replayed, and recorded as a gap (reason spool)"
assert_has "$T/log" "2 damaged segments cut"
[ -z "$(ls "$T/state/spool")" ] || fail "the spool is not empty after its replay: $(ls "$T/state/spool")"

# What was replayed of each run is a prefix of its events, exactly once,
# in order, and the gap starts right after it.
for r in a b; do
	eval "id=\$run_$r"
	grep -v -e '^gap ' -e '^run ' "$T/c.out" | awk -v id="$id" '$3 == id { print $1, $2 }' >"$T/$r.got"
	k=$(wc -l <"$T/$r.got")
	[ "$k" -gt 0 ] && [ "$k" -lt $N ] || fail "run $r: $k events replayed, want some but not all $N"
	head -n "$k" "$T/want" | diff -q - "$T/$r.got" >/dev/null || fail "run $r: replayed events are not its first $k, once, in order"
	assert_eq "run $r: its gap" "$(grep -c "^gap $id $((k + 1)) 0 7\$" "$T/c.out")" 1
	python3 "$TESTS_LIB/completeness.py" --format flaky "$T/c.out" >"$T/verdict" || true
	grep -q "^run $id state unclean last_seq 0 events $k gaps 0 (spool) unknown 1 verdict unknown-size gap\$" "$T/verdict" ||
		{ cat "$T/verdict" >&2; fail "run $r is not recorded as unclean with a spool gap"; }
done
run_c=$(sed -n 's/^run_id=0*//p' "$T/state/run.state")
python3 "$TESTS_LIB/completeness.py" --format flaky "$T/c.out" --complete "$run_c" --events 10 >"$T/verdict" ||
	{ cat "$T/verdict" >&2; fail "the replaying run's own record is not complete"; }
cat "$T/verdict"
exit 0
