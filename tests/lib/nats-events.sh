# Helpers shared by the nats tests that count what reached the stream.
# Source after nats.sh.

# nats_stream_msgs STREAM: how many messages the stream holds now (0 if it
# does not exist yet or no node answers).
nats_stream_msgs() {
	nats_check info "$1" 2>/dev/null | sed -n 's/^msgs //p' | grep . || echo 0
}

# nats_wait_msgs STREAM N [SECONDS]: wait until the stream holds at least N
# messages (default 120 s).
nats_wait_msgs() {
	local i
	for i in $(seq 1 $((${3:-120} * 4))); do
		[ "$(nats_stream_msgs "$1")" -ge "$2" ] && return 0
		sleep 0.25
	done
	fail "stream $1 holds $(nats_stream_msgs "$1") messages after ${3:-120} s, expected $2"
}

# nats_wait_current STREAM R [SECONDS]: wait until the stream has a leader
# and its R-1 other replicas are current with no lag (default 120 s).
nats_wait_current() {
	local i
	for i in $(seq 1 $((${3:-120} * 4))); do
		[ "$(nats_check info "$1" 2>/dev/null | grep -c '^replica .* current 0$')" -eq $(($2 - 1)) ] &&
			return 0
		sleep 0.25
	done
	nats_check info "$1" >&2 || true
	fail "stream $1 does not have $2 current replicas after ${3:-120} s"
}

# nats_assert_events DUMP N: the dump (nats_check dump) has exactly N event
# messages, whose seqs are 1..N once each, and no message twice.
nats_assert_events() {
	local dump=$1 n=$2
	assert_eq "messages that do not decode" "$(awk -F'\t' '$3 == "BAD"' "$dump" | wc -l)" 0
	assert_eq "event messages" "$(awk -F'\t' '$3 == "event"' "$dump" | wc -l)" "$n"
	assert_eq "message ids stored twice" "$(cut -f2 "$dump" | sort | uniq -d | wc -l)" 0
	awk -F'\t' '$3 == "event" { print $7 }' "$dump" | sort -n >"$T/seqs"
	seq 1 "$n" >"$T/want"
	cmp -s "$T/seqs" "$T/want" || fail "the events' seqs are not 1..$n once each"
}
