#!/bin/bash
# Benchmark of the bpf eventer beside the tracefs eventer and tcpstates
# (libbpf-tools), on the same load in the same run (root): loopback
# connection churn at a fixed rate (default 10000 connections/s, about
# 100k events/s) and at full speed, into the null sink. Prints, per
# eventer and run, connections/s, events/s, events captured and lost, CPU
# time per event of the whole tcp-audit and of its reader thread (the
# eventer's read path, where the issue's 0.15 CPU-us/event goal applies)
# and peak RSS; then tcpstates's CPU per event on the same loads and the
# ratios; and the CPU used by the bpf eventer when idle. bpf_nosys is the
# bpf eventer with syscalls=no: the difference in connections/s is what
# the syscall tracepoints cost every process (the kernel side runs in
# theirs).
# Usage: bench-bpf.sh [SECONDS] [PROCS] [RATE]
set -eu
. "$TESTS_LIB/common.sh"
require_root
require_cmd cc python3
[ -e "$TCP_AUDIT_PLUGIN_DIR/bpf.so" ] || skip "the bpf plugin is not built (--enable-bpf)"
secs=${1:-5} procs=${2:-2} rate=${3:-10000}
here=$(cd "$(dirname "$0")" && pwd)
make_tmpdir
cc -O2 -o "$T/churn" "$here/churn.c"
hz=$(getconf CLK_TCK)

metric() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
per_event() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { printf "%.3f", n ? t * 1e6 / hz / n : 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# The reader thread: the processor starts it last (after the writer), so
# it is the thread started last ("start time" of its stat, then its id).
reader_tid() {
	for t in /proc/"$1"/task/*; do
		awk -v t="${t##*/}" '{ print $22, t }' "$t/stat"
	done | sort -n -k1,1 -k2,2 | tail -n 1 | cut -d' ' -f2
}
thread_ticks() { awk '{ print $14 + $15 }' "/proc/$1/task/$2/stat"; }

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
# rcpe (reader cpu-us/event).
run() {
	local label=$1 name=$2 r=$3
	shift 3
	start_tca "$@"
	set -- "$label" "$name" "$r"
	tid=$(reader_tid "$TA")
	c0=$(cpu_ticks "$TA") r0=$(thread_ticks "$TA" "$tid")
	read -r conns _ < <("$T/churn" "$secs" "$procs" "$3")
	sleep 0.5
	c1=$(cpu_ticks "$TA") r1=$(thread_ticks "$TA" "$tid")
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$TA/status")
	kill -TERM "$TA"
	wait "$TA" || true
	read_n=$(sed -n 's/.*stats: read \([0-9]*\),.*/\1/p' "$T/log")
	lost=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log")
	rcpe=$(per_event $((r1 - r0)) "$read_n")
	metric "$1_$2_connections_per_s" $((conns / secs)) "conn/s"
	metric "$1_$2_events_per_s" $((read_n / secs)) "events/s"
	metric "$1_$2_events_expected" $((conns * 10)) "events"
	metric "$1_$2_events_captured" "$read_n" "events"
	metric "$1_$2_events_lost" "$lost" "events"
	metric "$1_$2_cpu_per_event" "$(per_event $((c1 - c0)) "$read_n")" "cpu-us/event"
	metric "$1_$2_reader_cpu_per_event" "$rcpe" "cpu-us/event"
	metric "$1_$2_peak_rss" "$rss" "KiB"
}

# tcpstates NAME RATE: the same load under libbpf-tools' tcpstates, which
# prints every event (to a file); sets tcpe.
tcpstates() {
	/usr/sbin/tcpstates >"$T/tcpstates.out" 2>/dev/null &
	TS=$!
	for _ in $(seq 100); do # BPF load and attach: its header line comes after
		[ -s "$T/tcpstates.out" ] && break
		sleep 0.1
	done
	sleep 1
	c0=$(cpu_ticks "$TS")
	read -r conns _ < <("$T/churn" "$secs" "$procs" "$2")
	sleep 0.5
	c1=$(cpu_ticks "$TS")
	kill -INT "$TS"
	wait "$TS" || true
	n=$(($(wc -l <"$T/tcpstates.out") - 1))
	tcpe=$(per_event $((c1 - c0)) "$n")
	metric "tcpstates_$1_connections_per_s" $((conns / secs)) "conn/s"
	metric "tcpstates_$1_events_captured" "$n" "events"
	metric "tcpstates_$1_cpu_per_event" "$tcpe" "cpu-us/event"
}

for load in "rate $rate" "full 0"; do
	set -- $load
	run tracefs "$1" "$2" tracefs
	t=$rcpe
	run bpf_nosys "$1" "$2" bpf -E syscalls=no
	run bpf "$1" "$2" bpf
	metric "bpf_$1_reader_cpu_ratio_to_tracefs" "$(ratio "$rcpe" "$t")" "x"
	if [ -x /usr/sbin/tcpstates ]; then
		tcpstates "$1" "$2"
		metric "bpf_$1_reader_cpu_ratio_to_tcpstates" "$(ratio "$rcpe" "$tcpe")" "x"
	fi
	metric "bpf_$1_reader_cpu_ratio_to_goal" "$(ratio "$rcpe" 0.15)" "x (goal 0.15 cpu-us/event)"
done
[ -x /usr/sbin/tcpstates ] || echo "# tcpstates (libbpf-tools) not installed: no comparison" >&2

# Idle: CPU over 3 s with no load of ours (other traffic may exist).
start_tca bpf
c0=$(cpu_ticks "$TA")
sleep 3
c1=$(cpu_ticks "$TA")
kill -TERM "$TA"
wait "$TA" || true
metric bpf_idle_cpu_ms_per_s $(( (c1 - c0) * 1000 / hz / 3 )) "cpu-ms/s"
