#!/bin/bash
# Benchmark of the bpf eventer beside the tracefs eventer, on the same
# load in the same run (root): loopback connection churn at a fixed rate
# and at full speed, into the null sink. Prints, per eventer and run,
# connections/s, events captured and lost, CPU time of tcp-audit per
# event and peak RSS, then the bpf/tracefs CPU ratio per run, and the CPU
# used by the bpf eventer when idle. bpf_nosys is the bpf eventer with
# syscalls=no: the difference in connections/s is what the syscall
# tracepoints cost every process (the kernel side runs in theirs).
# Usage: bench-bpf.sh [SECONDS] [PROCS] [RATE]
set -eu
. "$TESTS_LIB/common.sh"
require_root
require_cmd cc python3
[ -e "$TCP_AUDIT_PLUGIN_DIR/bpf.so" ] || skip "the bpf plugin is not built (--enable-bpf)"
secs=${1:-5} procs=${2:-2} rate=${3:-5000}
here=$(cd "$(dirname "$0")" && pwd)
make_tmpdir
cc -O2 -o "$T/churn" "$here/churn.c"
hz=$(getconf CLK_TCK)

metric() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

start_tca() { # EVENTER [OPTION...]
	ev=$1
	shift
	"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event "$ev" --sink null "$@" 2>"$T/log" &
	TA=$!
	for _ in $(seq 100); do
		grep -q "capturing:" "$T/log" && return 0
		sleep 0.1
	done
	cat "$T/log" >&2
	exit 1
}

# run LABEL NAME RATE EVENTER [OPTION...]: one churn under tcp-audit; sets
# cpe (cpu-us/event).
run() {
	local label=$1 name=$2 r=$3
	shift 3
	start_tca "$@"
	set -- "$label" "$name" "$r"
	c0=$(cpu_ticks "$TA")
	read -r conns _ < <("$T/churn" "$secs" "$procs" "$3")
	sleep 0.5
	c1=$(cpu_ticks "$TA")
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$TA/status")
	kill -TERM "$TA"
	wait "$TA" || true
	read_n=$(sed -n 's/.*stats: read \([0-9]*\),.*/\1/p' "$T/log")
	lost=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log")
	cpu_us=$(( (c1 - c0) * 1000000 / hz ))
	cpe=$(awk -v c="$cpu_us" -v n="$read_n" 'BEGIN { printf "%.3f", n ? c / n : 0 }')
	metric "$1_$2_connections_per_s" $((conns / secs)) "conn/s"
	metric "$1_$2_events_expected" $((conns * 10)) "events"
	metric "$1_$2_events_captured" "$read_n" "events"
	metric "$1_$2_events_lost" "$lost" "events"
	metric "$1_$2_cpu_per_event" "$cpe" "cpu-us/event"
	metric "$1_$2_peak_rss" "$rss" "KiB"
}

for load in "rate $rate" "full 0"; do
	set -- $load
	run tracefs "$1" "$2" tracefs
	t=$cpe
	run bpf_nosys "$1" "$2" bpf -E syscalls=no
	run bpf "$1" "$2" bpf
	metric "bpf_$1_cpu_ratio_to_tracefs" "$(awk -v b="$cpe" -v t="$t" 'BEGIN { printf "%.2f", (t > 0 ? b / t : 0) }')" "x"
done

# Idle: CPU over 3 s with no load of ours (other traffic may exist).
start_tca bpf
c0=$(cpu_ticks "$TA")
sleep 3
c1=$(cpu_ticks "$TA")
kill -TERM "$TA"
wait "$TA" || true
metric bpf_idle_cpu_ms_per_s $(( (c1 - c0) * 1000 / hz / 3 )) "cpu-ms/s"
