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
# theirs). bpf_nohits is the bpf eventer with hit_count=no: beside bpf,
# what the tracepoint's own count (one trace buffer write per event)
# costs, in connections/s and in the reader's CPU; bpf_norecover has the
# count without recover_buffer: beside bpf, what the recovery of missed
# events costs (the reader keeps its records, and reads the count's kept
# events of a CPU that is never quiet), in the reader's CPU and RSS.
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

. "$here/lib.sh"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# run LABEL NAME RATE EVENTER [OPTION...]: one churn under tcp-audit; sets
# rcpe (reader cpu-us/event).
run() {
	local label=$1 name=$2 r=$3
	shift 3
	start_tca "$@"
	set -- "$label" "$name" "$r"
	tid=$(reader_tid "$TA")
	c0=$(proc_ns "$TA") r0=$(thread_ns "$TA" "$tid")
	read -r conns _ < <("$T/churn" "$secs" "$procs" "$3")
	sleep 0.5
	c1=$(proc_ns "$TA") r1=$(thread_ns "$TA" "$tid")
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$TA/status")
	stop_tca
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

for load in "rate $rate" "full 0"; do
	set -- $load
	run tracefs "$1" "$2" tracefs
	t=$rcpe
	run bpf_nosys "$1" "$2" bpf -E syscalls=no
	run bpf_nohits "$1" "$2" bpf -E hit_count=no
	run bpf_norecover "$1" "$2" bpf -E recover_buffer=0
	run bpf "$1" "$2" bpf
	metric "bpf_$1_reader_cpu_ratio_to_tracefs" "$(ratio "$rcpe" "$t")" "x"
	bench_tcpstates "$1" "$2"
	[ -z "$tcpe" ] || metric "bpf_$1_reader_cpu_ratio_to_tcpstates" "$(ratio "$rcpe" "$tcpe")" "x"
	metric "bpf_$1_reader_cpu_ratio_to_goal" "$(ratio "$rcpe" 0.15)" "x (goal 0.15 cpu-us/event)"
done

# Idle: CPU over 3 s with no load of ours (other traffic may exist).
start_tca bpf
c0=$(cpu_ticks "$TA")
sleep 3
c1=$(cpu_ticks "$TA")
stop_tca
metric bpf_idle_cpu_ms_per_s $(( (c1 - c0) * 1000 / hz / 3 )) "cpu-ms/s"
