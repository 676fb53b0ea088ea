#!/bin/bash
# Throughput and peak memory of the processor: replay -> null (the
# processor alone, the reference) and replay -> json and replay -> text
# (with the encoding and a file write), for 1,000,000 synthetic events
# each (BENCH_CORE_EVENTS to change). Prints "metric<TAB>value<TAB>unit"
# lines; for json and text, the sink's own CPU per event (theirs less the
# null run's), their ratio to the null run, and to the goal of 0.4
# CPU-us an event (issue 14), which applies to the whole process.
set -eu
: "${TCP_AUDIT:?run through tests/bench/run.sh or make bench}"
: "${TCP_AUDIT_PLUGIN_DIR:?run through tests/bench/run.sh or make bench}"
command -v /usr/bin/time >/dev/null || { echo "bench-core: needs /usr/bin/time (Debian: time)" >&2; exit 77; }
N=${BENCH_CORE_EVENTS:-1000000}
T=$(mktemp -d "${TMPDIR:-/tmp}/tcp-audit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The replay eventer produces faster than a sink can encode, and the reader
# never waits for the writer: give the queue room for every event, so that
# the rate is that of events stored, none lost (peak RSS then includes the
# backlog, which the json sinker builds and the null one does not).
QMEM=$((N * 160 + (16 << 20)))

# One run: prints "<events/s> <peak RSS KiB> <CPU ns/event>" (the CPU time,
# user + system, is what a loaded machine does not distort); fails unless
# all N events arrived.
measure() {
	local start end
	start=$(date +%s%N)
	/usr/bin/time -f '%M %U %S' -o "$T/rss" "$TCP_AUDIT" -c /dev/null --log-level=notice \
		--queue-memory="$QMEM" -e replay -E count="$N" "$@" 2>"$T/log"
	end=$(date +%s%N)
	grep -q "stats: read $N, written $N in .*, lost 0 " "$T/log" ||
		{ cat "$T/log" >&2; echo "bench-core: events were lost: tcp-audit $*" >&2; return 1; }
	tail -n 1 "$T/rss" | awk -v n="$N" -v ns="$((end - start))" \
		'{ printf "%.0f %d %.0f\n", n / (ns / 1e9), $1, ($2 + $3) * 1e9 / n }'
}

read -r rate rss cpu < <(measure -s null)
printf 'core_replay_null_events_per_s\t%s\tevents/s\n' "$rate"
printf 'core_replay_null_cpu_per_event\t%s\tns\n' "$cpu"
printf 'core_replay_null_peak_rss\t%s\tKiB\n' "$rss"
null_cpu=$cpu

# A file sink: SINK FILE SKIP-REGEX (its non-event lines); sets $cpu.
file_sink() {
	local lines
	read -r rate rss cpu < <(measure -s "$1" -S path="$2")
	lines=$(grep -vc "$3" "$2")
	[ "$lines" -eq "$N" ] || { echo "bench-core: $1 wrote $lines of $N events" >&2; exit 1; }
	printf 'core_replay_%s_events_per_s\t%s\tevents/s\n' "$1" "$rate"
	printf 'core_replay_%s_cpu_per_event\t%s\tns\n' "$1" "$cpu"
	printf 'core_replay_%s_peak_rss\t%s\tKiB\n' "$1" "$rss"
	printf 'core_replay_%s_bytes_per_event\t%s\tbytes\n' "$1" "$(($(stat -c %s "$2") / N))"
}
file_sink json "$T/out.json" '^{"type":'
json_cpu=$cpu
file_sink text "$T/out.txt" '^#\|^TIME(UTC)'
text_cpu=$cpu

# The sinks beside the processor alone, and beside the goal.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
beside() { # SINK CPU-NS
	printf 'core_%s_sink_cpu_per_event\t%s\tns\n' "$1" "$(($2 - null_cpu))"
	printf 'core_%s_cpu_vs_null\t%s\tx\n' "$1" "$(ratio "$2" "$null_cpu")"
	printf 'core_%s_cpu_ratio_to_goal\t%s\tx (goal 400 ns/event)\n' "$1" "$(ratio "$2" 400)"
}
beside json "$json_cpu"
beside text "$text_cpu"
