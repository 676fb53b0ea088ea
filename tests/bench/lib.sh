# Helpers of the eventer benchmarks (bench-tracefs.sh, bench-bpf.sh):
# source after common.sh, make_tmpdir and the setting of $secs, $procs
# (and $hz for cpu_ticks); $T/churn is the compiled churn.c.

# One "name<TAB>value<TAB>unit" line.
metric() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }

# utime + stime of a process, all threads, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# CPU time in ns (schedstat: finer than the ticks, which make 0.01 s
# steps) of one thread, and of all the threads of a process.
thread_ns() { awk '{ print $1 }' "/proc/$1/task/$2/schedstat"; }
proc_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%d", s }'; }

# NS of CPU over N events as CPU-us per event.
per_event() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.3f", n ? t / 1000 / n : 0 }'; }

# The reader thread of tcp-audit $1: the processor starts it last (after
# the writer), so it is the thread started last (its stat's start time,
# then its id).
reader_tid() {
	local t
	for t in /proc/"$1"/task/*; do
		awk -v t="${t##*/}" '{ print $22, t }' "$t/stat"
	done | sort -n -k1,1 -k2,2 | tail -n 1 | cut -d' ' -f2
}

# start_tca EVENTER [OPTION...]: tcp-audit into the null sink, logs to
# $T/log, its pid in $TA; returns once it captures. A tracefs stop is a
# final one (restart_grace=0): a kept instance would go on recording
# after the bench, and the next run would adopt it and read the events
# of the loads in between (another reader's churn on the same port).
start_tca() {
	local ev=$1
	shift
	[ "$ev" != tracefs ] || set -- -E restart_grace=0 "$@"
	"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event "$ev" --sink null "$@" 2>"$T/log" &
	TA=$!
	for _ in $(seq 100); do
		grep -q "capturing:" "$T/log" && return 0
		sleep 0.1
	done
	cat "$T/log" >&2
	exit 1
}

# stop_tca: SIGTERM, then $read_n and $lost from its stats line.
stop_tca() {
	kill -TERM "$TA"
	wait "$TA" || true
	read_n=$(sed -n 's/.*stats: read \([0-9]*\),.*/\1/p' "$T/log")
	lost=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log")
}

# bench_tcpstates NAME RATE: the same churn under libbpf-tools' tcpstates,
# the reference, which prints every event (to a file); sets $tcpe
# (cpu-us/event), or leaves it empty when tcpstates is not installed.
bench_tcpstates() {
	local ts c0 c1 n conns
	tcpe=
	if [ ! -x /usr/sbin/tcpstates ]; then
		echo "# tcpstates not installed (apt-get install libbpf-tools): no comparison" >&2
		return 0
	fi
	/usr/sbin/tcpstates >"$T/tcpstates.out" 2>/dev/null &
	ts=$!
	for _ in $(seq 100); do # its header line comes once it is attached
		[ -s "$T/tcpstates.out" ] && break
		sleep 0.1
	done
	sleep 1
	c0=$(proc_ns "$ts")
	read -r conns _ < <("$T/churn" "$secs" "$procs" "$2")
	sleep 0.5
	c1=$(proc_ns "$ts")
	kill -INT "$ts"
	wait "$ts" || true
	n=$(($(wc -l <"$T/tcpstates.out") - 1))
	tcpe=$(per_event $((c1 - c0)) "$n")
	metric "tcpstates_$1_connections_per_s" $((conns / secs)) "conn/s"
	metric "tcpstates_$1_events_expected" $((conns * 10)) "events"
	metric "tcpstates_$1_events_captured" "$n" "events"
	metric "tcpstates_$1_cpu_per_event" "$tcpe" "cpu-us/event"
}
