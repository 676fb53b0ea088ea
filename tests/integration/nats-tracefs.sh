#!/bin/bash
# End to end as root: the tracefs eventer into the nats sinker, with a
# churn of loopback connections of known size; every connection's
# handshake is in the R3 stream, once, and every event's seq once. The
# capture keeps only the churn's port: other tests on this machine make
# connections too, and their rate is not this test's to know.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
. "$TESTS_LIB/nats.sh"
. "$TESTS_LIB/nats-events.sh"
require_tracefs
make_tmpdir
tracefs_dir >/dev/null
nats_cluster_start 3
trap '[ -z "${TA_PID:-}" ] || kill -9 "$TA_PID" 2>/dev/null || true; nats_cluster_stop; rm -rf "$T"' EXIT

port=$(nats_free_port)
# start_capture's json output stays empty: the later --sink wins.
start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" -E ports="$port" --sink nats \
	-S servers="$NATS_URLS" -S replicas=3 -S max_delay=50ms
CHURN_PORT=$port $CHURN churn 4 3 2 400 >"$T/churn" || fail "the load generator failed"
read -r conns churn_port <"$T/churn"
assert_eq "the churn's port" "$churn_port" "$port"
[ "$conns" -gt 100 ] || fail "the churn made only $conns connections"
stop_capture
TA_PID=
grep -q 'lost 0 ' "$T/log" || { cat "$T/log" >&2; fail "tcp-audit lost events"; }

nats_check dump TCP_AUDIT >"$T/dump"
events=$(awk -F'\t' '$3 == "event"' "$T/dump" | wc -l)
nats_assert_events "$T/dump" "$events"
# SYN_SENT (2) > ESTABLISHED (1) of each client socket, to the churn's port.
assert_eq "client handshakes to port $port" \
	"$(awk -F'\t' -v p="$port" '$3 == "event" && $8 == "2>1" && $10 == p' "$T/dump" | wc -l)" "$conns"
echo "$conns connections, $events events in the stream, each once" >&2
