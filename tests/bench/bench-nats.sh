#!/bin/bash
# Events per second into an R3 stream of a private 3-node JetStream
# cluster (tests/lib/nats.sh):
#  - the nats sinker fed by the replay eventer (BENCH_NATS_EVENTS, 300,000);
#  - the reference: a minimal libnats publisher (tests/bench/nats-pub.c)
#    sending as many messages with a payload of the same size and a
#    Nats-Msg-Id of the same length, asynchronously in batches of the same
#    size, each batch waiting for its acks, into a twin R3 stream.
# Prints "metric<TAB>value<TAB>unit" lines, and the ratio.
set -eu
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/nats.sh"
here=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_NATS_EVENTS:-300000}
BATCH=10000
[ -e "$TCP_AUDIT_PLUGIN_DIR/nats.so" ] || skip "the nats plugin is not built"
make_tmpdir
cc -O2 -o "$T/nats-pub" "$here/nats-pub.c" $(pkg-config --cflags --libs libnats) ||
	{ echo "bench-nats: cannot build the reference publisher" >&2; exit 1; }
nats_cluster_start 3

now_ns() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }

# One run of the sinker into a fresh stream $1 (made before the clock
# starts); prints the time in ns.
sink_run() {
	local start end
	nats_check create "$1" "$1.>" 3 || exit 1
	start=$(now_ns)
	"$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" --log-level=notice \
		--queue-memory=$((N * 160 + (16 << 20))) --shutdown-timeout=600s -e replay -E count="$N" \
		-s nats -S servers="$NATS_URLS" -S stream="$1" -S subject="$1" -S batch_size=$BATCH \
		-S create_stream=no 2>"$T/log"
	end=$(now_ns)
	grep -q "stats: read $N, written $N in .*, lost 0 " "$T/log" ||
		{ cat "$T/log" >&2; echo "bench-nats: events were lost" >&2; exit 1; }
	[ "$(nats_check info "$1" | sed -n 's/^msgs //p')" -eq $((N + 2)) ] ||
		{ echo "bench-nats: messages missing in $1" >&2; exit 1; }
	echo $((end - start))
}
# The reference into a fresh stream $1: payloads of $2 bytes, ids of $3.
pub_run() {
	local ns acked
	nats_check create "$1" "$1.>" 3 || exit 1
	read -r ns acked < <("$T/nats-pub" "$NATS_URLS" "$1.x.events" "$N" "$2" $BATCH "$3")
	[ "$acked" -eq "$N" ] || { echo "bench-nats: the reference lost messages" >&2; exit 1; }
	echo "$ns"
}

# Each twice, interleaved, keeping the best: other load on the machine and
# the first writes of new streams would otherwise decide the result.
s1=$(sink_run SINK1)
# The size of an event's payload and the length of its id, from the stream.
read -r size idlen < <(nats_check dump SINK1 2 | awk -F'\t' '$3 == "event" { print $12, length($2) }')
p1=$(pub_run PUB1 "$size" "$idlen")
s2=$(sink_run SINK2)
p2=$(pub_run PUB2 "$size" "$idlen")
sink=$(rate "$N" "$(min "$s1" "$s2")")
pub=$(rate "$N" "$(min "$p1" "$p2")")
printf 'nats_replay_events_per_s\t%s\tevents/s\n' "$sink"
printf 'nats_event_payload_bytes\t%s\tbytes\n' "$size"
printf 'nats_libnats_publisher_msgs_per_s\t%s\tmsgs/s\n' "$pub"
printf 'nats_sink_vs_publisher\t%s\tpercent\n' "$(awk -v a="$sink" -v b="$pub" 'BEGIN { printf "%.0f", 100 * a / b }')"
