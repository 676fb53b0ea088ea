#!/bin/bash
# Loss is counted, never silent: with a small ring buffer and the reader
# stopped (SIGSTOP) under churn, the ring fills; the kernel side counts
# every event it could not write, tcp-audit reports them as lost (source)
# and warns, and what it captured plus what it lost covers what the test
# made.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
make_tmpdir

start_bpf -E ring_size=64K -E wake_size=32K --sink null
kill -STOP "$TA_PID"
read -r conns port < <($CHURN churn 4 2 2 2000)
kill -CONT "$TA_PID"
sleep 0.5
stop_bpf
lost=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log")
read_n=$(sed -n 's/.*stats: read \([0-9]*\),.*/\1/p' "$T/log")
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no loss counted with the reader stopped: $(grep stats: "$T/log")"
grep -q "warning: bpf: the kernel lost [0-9]* events" "$T/log" || fail "no warning of the loss"
# Each churn connection makes 10 events (client 5, accepted 5).
[ $((read_n + lost)) -ge $((conns * 10)) ] ||
	fail "read $read_n + lost $lost < the $((conns * 10)) events of $conns connections"
echo "bpf-loss: $conns connections, read $read_n, lost $lost"
exit 0
