#!/bin/bash
# Loss is counted, never silent: with a small ring buffer and the reader
# stopped (SIGSTOP) under churn in a namespace of the test's own (and only
# its events kept, by the netns filter), the ring fills; the kernel side
# counts every event it could not write, and the counts add up exactly:
# events stored + events in kernel gap records = what the program passed,
# and the gaps, the stats line and the warning give the same loss. The
# programs are detached before the final drain, so these are final.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
require_cmd ip
make_tmpdir
ns=tca-bpf-loss-$$
cleanup_extra() { ip netns del "$ns" 2>/dev/null || true; }
trap bpf_exit EXIT
ip netns add "$ns" || skip "cannot create a network namespace"
ip -n "$ns" link set lo up

start_bpf -E ring_size=64K -E wake_size=32K -E netns="/run/netns/$ns"
kill -STOP "$TA_PID"
read -r conns port < <(ip netns exec "$ns" $CHURN churn 4 2 2 2000)
kill -CONT "$TA_PID"
sleep 0.5
stop_bpf
src=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log")
read_n=$(sed -n 's/.*stats: read \([0-9]*\),.*/\1/p' "$T/log")
# skipped: events that neither program ran for (tcp-audit-bpf(7), Loss);
# rare, but counted.
read -r passed written < <(sed -n 's/.*kernel side: \([0-9]*\) events passed the filters (\([0-9]*\) written,.*/\1 \2/p' "$T/log")
read -r klost _ _ skipped _ < <(kernel_loss)
[ -n "$src" ] && [ "$src" -gt 0 ] || fail "no loss counted with the reader stopped: $(grep stats: "$T/log")"
warned=$(sed -n 's/.*warning: bpf: the kernel lost [0-9]* events (\([0-9]*\) in all): the ring buffer was full.*/\1/p' "$T/log" | tail -n 1)
assert_eq "the warning's count of all ring buffer losses" "$warned" "$klost"
assert_eq "the kernel side's count of losses" "$((klost + skipped))" "$src"
stored=$(events_in "$T/events.json")
gaps=$(python3 -c 'import json, sys
print(sum(o["count"] for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "gap" and o["reason"] == "kernel"))' "$T/events.json")
assert_eq "events in kernel gap records" "$gaps" "$src"
assert_eq "events read" "$read_n" "$written"
assert_eq "events stored" "$stored" "$written"
assert_eq "stored + lost" "$((stored + gaps))" "$((passed + skipped))"
# Each churn connection makes about 10 events (client 5, accepted 5; 9
# when a close is simultaneous), and only they pass the netns filter.
[ "$passed" -ge $((conns * 9)) ] ||
	fail "the kernel passed $passed events, fewer than the $conns connections made"
echo "bpf-loss: $conns connections, passed $passed, stored $stored, lost $src"
exit 0
