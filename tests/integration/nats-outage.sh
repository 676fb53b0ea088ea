#!/bin/sh
# All three nodes of the cluster down for 30 s while events keep coming,
# with a memory queue too small to hold them: the edge spools to disk, and
# once the cluster is back it delivers every event exactly once.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/nats.sh"
. "$TESTS_LIB/nats-events.sh"
make_tmpdir
nats_cluster_start 3

N=60000
# The queue holds some 12,000 events, 8 s of them: enough for the write
# that waits for acks (1 s) when the cluster goes, before tcp-audit knows
# it is gone and spools; not enough for the 30 s of the outage.
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" --event replay -E count=$N -E rate=1500 -E hold=yes \
	--queue-memory=2M --spool-dir="$T/spool" \
	--sink nats -S servers="$NATS_URLS" -S replicas=3 -S batch_size=1000 -S ack_timeout=1s \
	2>"$T/log" &
pid=$!

nats_wait_msgs TCP_AUDIT 3000
before=$(nats_stream_msgs TCP_AUDIT)
for i in 1 2 3; do nats_node_stop $i; done
down=$(date +%s)
# The queue fills within seconds; the spool must then take the events.
for _ in $(seq 1 240); do
	[ -n "$(find "$T/spool" -type f -size +0 2>/dev/null)" ] && break
	sleep 0.25
done
[ -n "$(find "$T/spool" -type f -size +0 2>/dev/null)" ] ||
	{ cat "$T/log" >&2; fail "nothing was spooled while the cluster was down"; }
while [ $(($(date +%s) - down)) -lt 30 ]; do sleep 1; done
for i in 1 2 3; do nats_node_start $i; done
nats_wait_ready 3
nats_wait_msgs TCP_AUDIT $((N + 1)) 300
kill -TERM $pid
rc=0
wait $pid || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/log" >&2; fail "tcp-audit exited $rc"; }
grep -q 'lost 0 ' "$T/log" || { cat "$T/log" >&2; fail "tcp-audit lost events"; }

nats_check dump TCP_AUDIT >"$T/dump"
nats_assert_events "$T/dump" $N
assert_eq "run records" "$(awk -F'\t' '$3 == "run" { print $7 }' "$T/dump" | tr '\n' ' ')" "1:0 2:$N "
echo "cluster down for 30 s at $before messages; $N events, each once;" \
	"$(grep -o 'retried [0-9]*' "$T/log")" >&2
