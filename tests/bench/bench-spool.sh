#!/bin/bash
# The cost of the disk spool beside the memory-only path, for 500,000
# synthetic events (BENCH_SPOOL_EVENTS to change): replay -> json stored
# at once (memory only), against the same events spooled while the store
# is down (json into /dev/full: "disk full", retry later) and stored from
# the spool by the next start. Prints "metric<TAB>value<TAB>unit" lines:
# CPU per event of each path (user + system), and the spool's write
# amplification (bytes written to the spool per event, and per byte of
# the json the store got).
set -eu
: "${TCP_AUDIT:?run through tests/bench/run.sh or make bench}"
: "${TCP_AUDIT_PLUGIN_DIR:?run through tests/bench/run.sh or make bench}"
command -v /usr/bin/time >/dev/null || { echo "bench-spool: needs /usr/bin/time (Debian: time)" >&2; exit 77; }
N=${BENCH_SPOOL_EVENTS:-500000}
T=$(mktemp -d "${TMPDIR:-/tmp}/tcp-audit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
export TCP_AUDIT_STATE_DIR=$T/state
QMEM=$((N * 160 + (16 << 20)))

# One run; prints its CPU seconds (user + system).
cpu_of() {
	/usr/bin/time -f '%U %S' -o "$T/cpu" "$TCP_AUDIT" -c /dev/null --log-level=notice \
		--queue-memory="$QMEM" "$@" 2>"$T/log" || { cat "$T/log" >&2; return 1; }
	tail -n 1 "$T/cpu" | awk '{ printf "%.3f\n", $1 + $2 }'
}
per_event() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.0f\n", s * 1e9 / n }'; }

# Memory only.
mem=$(cpu_of -e replay -E count="$N" -s json -S path="$T/mem.json" --spool-max-size=0)
grep -q "stats: read $N, written $N in " "$T/log" || { cat "$T/log" >&2; exit 1; }

# Through the spool: the store is down while the N events are read, and
# at exit they all go to the spool (the deadline of 200 ms passes first).
in=$(cpu_of -e replay -E count="$N" -s json -S path=/dev/full --shutdown-timeout=200ms)
grep -q "waits in $T/state/spool for the next start" "$T/log" || { cat "$T/log" >&2; exit 1; }
spooled=$(du -sb "$T/state/spool" | cut -f1)
out=$(cpu_of -e replay -E count=1 -s json -S path="$T/spool.json")
lines=$(grep -vc '^{"type":' "$T/spool.json")
[ "$lines" -eq $((N + 1)) ] || { echo "bench-spool: the spool gave $lines of $N events" >&2; exit 1; }
json=$(stat -c %s "$T/mem.json")

printf 'spool_memory_path_cpu_per_event\t%s\tns\n' "$(per_event "$mem" "$N")"
printf 'spool_path_cpu_per_event\t%s\tns\n' "$(per_event "$(awk -v a="$in" -v b="$out" 'BEGIN { print a + b }')" "$N")"
printf 'spool_write_cpu_per_event\t%s\tns\n' "$(per_event "$in" "$N")"
printf 'spool_replay_cpu_per_event\t%s\tns\n' "$(per_event "$out" "$N")"
printf 'spool_bytes_per_event\t%s\tbytes\n' "$((spooled / N))"
printf 'spool_write_amplification\t%s\tx json\n' "$(awk -v s="$spooled" -v j="$json" 'BEGIN { printf "%.2f\n", s / j }')"
