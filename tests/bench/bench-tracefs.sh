#!/bin/bash
# Benchmark of the tracefs eventer (root): loopback connection churn at
# fixed rates (default 10000 and 3000 connections/s, the issue's two
# goals) and at full speed, into the null sink. Prints, per run,
# connections/s, events/s captured, events lost (kernel), CPU time of
# tcp-audit per event (all threads, from schedstat, in ns), the reader's
# wake-ups per 1000 events, and peak RSS. Beside it, on the same load in
# the same run: minreader (the floor: the same pages read and counted,
# nothing decoded), the bpf eventer if built, and a tcpstates-like
# bpftrace script (and tcpstates-bpfcc when installed and working), each
# with its ratio to tcp-audit; and the shipped defaults, tracefs into
# sqlite, with the events they stored and lost. Then the error of event times against
# CLOCK_REALTIME, and the CPU used when idle.
# Every reader keeps only the churn's port (in the kernel), so that the
# figures are per event of this load, whatever else the host runs.
# Usage: bench-tracefs.sh [SECONDS] [PROCS] [RATES]
set -eu
. "$TESTS_LIB/common.sh"
require_root
require_cmd cc python3
secs=${1:-5} procs=${2:-2} rates=${3:-"10000 3000"}
here=$(cd "$(dirname "$0")" && pwd)
make_tmpdir
cc -O2 -o "$T/churn" "$here/churn.c"
cc -O2 -o "$T/minreader" "$here/minreader.c"
tdir=$(awk '$3 == "tracefs" { print $2; exit }' /proc/self/mounts)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

. "$here/lib.sh"
cpu_ns() { proc_ns "$1"; }

wakeups() { # voluntary context switches of every thread: its sleeps
	cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'
}

# measure PID RATE: one churn while PID captures; sets conns, cpu, wake.
measure() {
	local c0 w0
	c0=$(cpu_ns "$1")
	w0=$(wakeups "$1")
	read -r conns _ < <("$T/churn" "$secs" "$procs" "$2" "$port")
	sleep 0.5
	cpu=$(( $(cpu_ns "$1") - c0 ))
	wake=$(( $(wakeups "$1") - w0 ))
}

# run NAME RATE EVENTER [OPTION...]: one churn under tcp-audit; sets cpe.
run() {
	local name=$1 r=$2 read_n lost rss
	shift 2
	local ev=$1
	shift
	start_tca "$ev" -E ports="$port" "$@"
	measure "$TA" "$r"
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$TA/status")
	stop_tca
	cpe=$(per_event "$cpu" "$read_n")
	metric "${name}_connections_per_s" $((conns / secs)) "conn/s"
	metric "${name}_events_per_s" $((read_n / secs)) "events/s"
	metric "${name}_events_expected" $((conns * 10)) "events"
	metric "${name}_events_captured" "$read_n" "events"
	metric "${name}_events_lost" "$lost" "events"
	metric "${name}_cpu_per_event" "$cpe" "cpu-us/event"
	metric "${name}_wakeups_per_1000_events" "$(awk -v w="$wake" -v n="$read_n" 'BEGIN { printf "%.2f", n ? w * 1000 / n : 0 }')" "wake-ups"
	metric "${name}_peak_rss" "$rss" "KiB"
}

# store NAME RATE: the same churn under the shipped defaults, the tracefs
# eventer into the sqlite sinker with its default queue, where the store,
# not the kernel, decides what is lost on a busy host (issue 14): the
# events the churn made, those stored (rows in the file) and those lost,
# by cause. The sinker's cost per event is bench-sqlite's.
store() {
	local name=$1 full unflushed rows expected
	start_tca tracefs -E ports="$port" -s sqlite -S path="$T/$name.db"
	measure "$TA" "$2"
	stop_tca
	full=$(sed -n 's/.*queue full \([0-9]*\),.*/\1/p' "$T/log")
	unflushed=$(sed -n 's/.*unflushed at exit \([0-9]*\)).*/\1/p' "$T/log")
	rows=$(sqlite3 "$T/$name.db" 'SELECT count(*) FROM tcp_events')
	expected=$((conns * 10))
	metric "${name}_connections_per_s" $((conns / secs)) "conn/s"
	metric "${name}_events_expected" "$expected" "events"
	metric "${name}_events_captured" "$read_n" "events"
	metric "${name}_events_stored" "$rows" "events"
	metric "${name}_events_lost_source" "$lost" "events"
	metric "${name}_events_lost_queue_full" "$full" "events"
	metric "${name}_events_lost_at_exit" "$unflushed" "events"
	metric "${name}_stored_vs_expected" "$(awk -v a="$rows" -v b="$expected" 'BEGIN { printf("%.3f", b > 0 ? a / b : 0) }')" "x"
}

ratio() { # NAME REF_CPE CPE
	metric "$1" "$(awk -v a="$3" -v b="$2" 'BEGIN { printf("%.2f", b > 0 ? a / b : 0) }')" "x"
}

# The floor on the same load: minreader.
floor() { # NAME RATE; sets fcpe
	local n
	"$T/minreader" "$tdir" "tca-bench-min-$$" "sport == $port || dport == $port" \
		>"$T/min.out" 2>"$T/min.log" &
	MR=$!
	for _ in $(seq 50); do grep -q capturing "$T/min.log" && break; sleep 0.1; done
	measure "$MR" "$2"
	kill -TERM "$MR"
	wait "$MR" || true
	n=$(awk '/^events/ { print $2 }' "$T/min.out")
	fcpe=$(per_event "$cpu" "$n")
	metric "${1}_events_captured" "$n" "events"
	metric "${1}_cpu_per_event" "$fcpe" "cpu-us/event"
	metric "${1}_wakeups_per_1000_events" "$(awk -v w="$wake" -v n="$n" 'BEGIN { printf "%.2f", n ? w * 1000 / n : 0 }')" "wake-ups"
}

# A tcpstates-like reference: bpftrace on the same tracepoint, one line
# per event with the task, the states and the ports.
bt_ref() { # NAME RATE
	local n
	command -v bpftrace >/dev/null || { echo "# bpftrace not installed (apt-get install bpftrace): no comparison" >&2; return 0; }
	bpftrace -e 'tracepoint:sock:inet_sock_set_state /args->sport == '"$port"' || args->dport == '"$port"'/ { printf("%d %s %d %d %d %d\n", pid, comm, args->oldstate, args->newstate, args->sport, args->dport); }' \
		>"$T/bt.out" 2>"$T/bt.log" &
	BT=$!
	for _ in $(seq 100); do grep -q Attaching "$T/bt.out" && break; sleep 0.1; done
	measure "$BT" "$2"
	kill -INT "$BT"
	wait "$BT" || true
	n=$(($(wc -l <"$T/bt.out") - 1))
	metric "${1}_events_captured" "$n" "events"
	metric "${1}_cpu_per_event" "$(per_event "$cpu" "$n")" "cpu-us/event"
	metric "${1}_wakeups_per_1000_events" "$(awk -v w="$wake" -v n="$n" 'BEGIN { printf "%.2f", n ? w * 1000 / n : 0 }')" "wake-ups"
}

for r in $rates; do
	run "tracefs_rate$r" "$r" tracefs ${BENCH_TRACEFS_ARGS:-}
	tcpe=$cpe
	floor "minreader_rate$r" "$r"
	ratio "tracefs_rate${r}_vs_minreader" "$fcpe" "$tcpe"
	if [ -e "$TCP_AUDIT_PLUGIN_DIR/bpf.so" ]; then
		run "bpf_rate$r" "$r" bpf
		ratio "bpf_rate${r}_vs_tracefs" "$tcpe" "$cpe"
	fi
	bt_ref "bpftrace_rate$r" "$r"
	[ ! -e "$TCP_AUDIT_PLUGIN_DIR/sqlite.so" ] || ! command -v sqlite3 >/dev/null ||
		store "tracefs_sqlite_rate$r" "$r"
done
[ -n "${BENCH_SKIP_FULL:-}" ] || run tracefs_full 0 tracefs ${BENCH_TRACEFS_ARGS:-}

# tcpstates-bpfcc (bpfcc-tools), when it works on this kernel.
if command -v tcpstates-bpfcc >/dev/null; then
	tcpstates-bpfcc >"$T/tcpstates.out" 2>"$T/tcpstates.log" &
	TS=$!
	sleep 8 # it compiles its program at start
	if kill -0 "$TS" 2>/dev/null; then
		measure "$TS" "${rates%% *}"
		kill -INT "$TS"
		wait "$TS" || true
		n=$(($(wc -l <"$T/tcpstates.out") - 1))
		metric "tcpstates_rate${rates%% *}_events_captured" "$n" "events"
		metric "tcpstates_rate${rates%% *}_cpu_per_event" "$(per_event "$cpu" "$n")" "cpu-us/event"
	else
		echo "# tcpstates-bpfcc fails here: $(tail -n 1 "$T/tcpstates.log")" >&2
	fi
else
	echo "# tcpstates-bpfcc (bpfcc-tools) not installed: no comparison" >&2
fi

# Time: each SYN_SENT>ESTABLISHED event happens inside its connect() call
# on loopback; the error is how far its time lies outside the window of
# CLOCK_REALTIME readings around the call. Only the listener's port is
# kept, so that the connections of other work on the host, which may
# reuse a client port of ours, match no window.
"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event tracefs -E ports="$port" -E restart_grace=0 --sink json \
	>"$T/time.json" 2>"$T/log" &
TA=$!
for _ in $(seq 100); do grep -q "capturing:" "$T/log" && break; sleep 0.1; done
python3 - "$T/windows" "$port" <<'PY'
import socket, sys, time
lst = socket.socket()
lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind(("127.0.0.1", int(sys.argv[2]))); lst.listen(512)
with open(sys.argv[1], "w") as out:
    for _ in range(300):
        c = socket.socket()
        t0 = time.clock_gettime_ns(time.CLOCK_REALTIME)
        c.connect(lst.getsockname())
        t1 = time.clock_gettime_ns(time.CLOCK_REALTIME)
        out.write("%d %d %d\n" % (c.getsockname()[1], t0, t1))
        lst.accept()[0].close(); c.close()
        time.sleep(0.002)
PY
sleep 0.3
kill -TERM "$TA"
wait "$TA" || true
python3 - "$T/windows" "$T/time.json" <<'PY'
import calendar, json, sys, time
win = {int(p): (int(a), int(b)) for p, a, b in (l.split() for l in open(sys.argv[1]))}
def ns(s):
    base, frac = s.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(frac.ljust(9, "0"))
errs, widths = [], []
for l in open(sys.argv[2]):
    e = json.loads(l)
    if "type" in e:
        continue
    if e["oldstate"] == "SYN_SENT" and e["newstate"] == "ESTABLISHED" and e["sport"] in win:
        a, b = win[e["sport"]]
        t = ns(e["time"])
        errs.append(max(a - t, t - b, 0))
        widths.append(b - a)
widths.sort()
print("tracefs_time_matched\t%d\tevents" % len(errs))
print("tracefs_time_error_max\t%.1f\tus" % (max(errs) / 1000 if errs else -1))
print("tracefs_time_window_median\t%.1f\tus" % (widths[len(widths) // 2] / 1000 if widths else -1))
PY

# Idle (but this host's other work still makes events: forks, execs,
# connections): CPU and wake-ups per second.
start_tca tracefs -E ports="$port"
sleep 1
c0=$(cpu_ns "$TA")
w0=$(wakeups "$TA")
sleep 3
c1=$(cpu_ns "$TA")
w1=$(wakeups "$TA")
kill -TERM "$TA"
wait "$TA" || true
metric tracefs_idle_cpu $(( (c1 - c0) / 3000 )) "cpu-us/s"
metric tracefs_idle_wakeups $(( (w1 - w0) / 3 )) "wake-ups/s"
