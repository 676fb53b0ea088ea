#!/bin/bash
# Events per second into an R3 stream of a private 3-node JetStream
# cluster (tests/lib/nats.sh):
#  - the nats sinker fed by the replay eventer (BENCH_NATS_EVENTS, 300,000);
#  - the reference: a minimal libnats publisher (tests/bench/nats-pub.c)
#    sending as many messages with a payload of the same size and a
#    Nats-Msg-Id of the same length, asynchronously in batches of the same
#    size, each batch waiting for its acks, into a twin R3 stream.
# And the collector's drain of a stream the sinker filled with those
# events, on an R3 and on an R1 stream:
#  - tcp-audit --event nats --sink null, from its start until its durable
#    consumer's ack floor is the stream's last message, and its CPU then;
#  - the reference: a minimal libnats pull consumer (tests/bench/nats-pull.c)
#    with a durable of its own on the same stream, the same fetch size and
#    one ack a message, measured the same way.
# Prints "metric<TAB>value<TAB>unit" lines, and the ratios.
set -eu
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/nats.sh"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
N=${BENCH_NATS_EVENTS:-300000}
BATCH=10000
[ -e "$TCP_AUDIT_PLUGIN_DIR/nats.so" ] || skip "the nats plugin is not built"
make_tmpdir
cc -O2 -o "$T/nats-pub" "$here/nats-pub.c" $(pkg-config --cflags --libs libnats) ||
	{ echo "bench-nats: cannot build the reference publisher" >&2; exit 1; }
cc -O2 -o "$T/nats-pull" "$here/nats-pull.c" $(pkg-config --cflags --libs libnats) ||
	{ echo "bench-nats: cannot build the reference consumer" >&2; exit 1; }
nats_cluster_start 3

now_ns() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }

# One run of the sinker into a fresh stream $1 (made before the clock
# starts) of $2 replicas (3); prints the time in ns.
sink_run() {
	local start end
	nats_check create "$1" "$1.>" "${2:-3}" || exit 1
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

# The collector, durable $2, draining stream $1 into the null sink; prints
# the time in ns and its CPU in ns, both taken once all is acknowledged.
FETCH=1024
MAX_ACK=65536
col_run() {
	local start end cpu pid rc=0
	start=$(now_ns)
	"$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" --log-level=notice --hostname collector \
		-e nats -E servers="$NATS_URLS" -E stream="$1" -E subject="$1" -E durable="$2" \
		-E fetch_batch=$FETCH -E max_ack_pending=$MAX_ACK -s null 2>"$T/col.log" &
	pid=$!
	nats_check acked "$1" "$2" >&2 || { cat "$T/col.log" >&2; exit 1; }
	end=$(now_ns)
	cpu=$(proc_ns "$pid")
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/col.log" >&2; echo "bench-nats: the collector exited $rc" >&2; exit 1; }
	grep -q "stats: read $N, written $N in .*, lost 0 " "$T/col.log" ||
		{ cat "$T/col.log" >&2; echo "bench-nats: the collector did not store $N events" >&2; exit 1; }
	echo "$((end - start)) $cpu"
}
# The reference, durable $2, on stream $1: the same, from its own clock.
pull_run() {
	local ns got cpu
	read -r ns got cpu < <("$T/nats-pull" "$NATS_URLS" "$1" "$1.>" "$2" $FETCH $MAX_ACK)
	[ "$got" -eq $((N + 2)) ] ||
		{ echo "bench-nats: the reference consumer got $got of $((N + 2))" >&2; exit 1; }
	echo "$ns $cpu"
}

# best_of A B: the pair (time cpu) of the faster run, each given as "ns cpu".
best_of() { [ "${1% *}" -le "${2% *}" ] && echo "$1" || echo "$2"; }

# Two streams per replica count, each drained by both, the order swapped
# on the second so that neither always reads a stream the other warmed.
collector_bench() {
	local r=$1 a b c1 c2 p1 p2 col pull
	if [ "$r" -eq 3 ]; then
		a=SINK1 b=SINK2
	else
		a=R${r}A b=R${r}B
		sink_run "$a" "$r" >/dev/null
		sink_run "$b" "$r" >/dev/null
	fi
	c1=$(col_run "$a" COL)
	p1=$(pull_run "$a" PULL)
	p2=$(pull_run "$b" PULL)
	c2=$(col_run "$b" COL)
	col=$(best_of "$c1" "$c2")
	pull=$(best_of "$p1" "$p2")
	col_rate=$(rate "$N" "${col% *}")
	pull_rate=$(rate "$N" "${pull% *}")
	metric "nats_collector_r${r}_events_per_s" "$col_rate" "events/s"
	metric "nats_collector_r${r}_cpu_per_event" "$(per_event "${col#* }" "$N")" "cpu-us/event"
	metric "nats_libnats_pull_r${r}_msgs_per_s" "$pull_rate" "msgs/s"
	metric "nats_libnats_pull_r${r}_cpu_per_msg" "$(per_event "${pull#* }" "$N")" "cpu-us/msg"
	metric "nats_collector_vs_pull_r${r}" \
		"$(awk -v a="$col_rate" -v b="$pull_rate" 'BEGIN { printf "%.0f", 100 * a / b }')" "percent"
}
collector_bench 3
collector_bench 1
