#!/bin/bash
# Benchmark of the tracefs eventer (root): loopback connection churn at a
# fixed rate and at full speed, into the null sink. Prints, per run,
# connections/s, events/s captured, events lost (kernel), CPU time of
# tcp-audit per event and per million events, and peak RSS; then the same
# load under tcpstates (libbpf-tools) when installed; then the error of
# event times against CLOCK_REALTIME; and the CPU used when idle.
# Usage: bench-tracefs.sh [SECONDS] [PROCS] [RATE]
set -eu
. "$TESTS_LIB/common.sh"
require_root
require_cmd cc python3
secs=${1:-5} procs=${2:-2} rate=${3:-5000}
here=$(cd "$(dirname "$0")" && pwd)
make_tmpdir
cc -O2 -o "$T/churn" "$here/churn.c"
hz=$(getconf CLK_TCK)

. "$here/lib.sh"

# run NAME RATE: one churn under tcp-audit.
run() {
	start_tca tracefs ${BENCH_TRACEFS_ARGS:-}
	c0=$(cpu_ticks "$TA")
	read -r conns _ < <("$T/churn" "$secs" "$procs" "$2")
	sleep 0.5
	c1=$(cpu_ticks "$TA")
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$TA/status")
	stop_tca
	cpu_us=$(( (c1 - c0) * 1000000 / hz ))
	metric "tracefs_$1_connections_per_s" $((conns / secs)) "conn/s"
	metric "tracefs_$1_events_per_s" $((read_n / secs)) "events/s"
	metric "tracefs_$1_events_expected" $((conns * 10)) "events"
	metric "tracefs_$1_events_captured" "$read_n" "events"
	metric "tracefs_$1_events_lost" "$lost" "events"
	metric "tracefs_$1_cpu_per_event" "$(awk -v c="$cpu_us" -v n="$read_n" 'BEGIN { printf "%.3f", n ? c / n : 0 }')" "cpu-us/event"
	metric "tracefs_$1_cpu_per_million" "$(awk -v c="$cpu_us" -v n="$read_n" 'BEGIN { printf "%.2f", n ? c / n : 0 }')" "cpu-s/1M events"
	metric "tracefs_$1_peak_rss" "$rss" "KiB"
}

run rate "$rate"
run full 0

bench_tcpstates full 0

# Time: each SYN_SENT>ESTABLISHED event happens inside its connect() call
# on loopback; the error is how far its time lies outside the window of
# CLOCK_REALTIME readings around the call.
"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event tracefs --sink json \
	>"$T/time.json" 2>"$T/log" &
TA=$!
for _ in $(seq 100); do grep -q "capturing:" "$T/log" && break; sleep 0.1; done
python3 - "$T/windows" <<'PY'
import socket, sys, time
lst = socket.socket(); lst.bind(("127.0.0.1", 0)); lst.listen(512)
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

# Idle: no wake-ups, no CPU.
start_tca tracefs ${BENCH_TRACEFS_ARGS:-}
sleep 1
c0=$(cpu_ticks "$TA")
sleep 3
c1=$(cpu_ticks "$TA")
stop_tca
metric tracefs_idle_cpu $(( (c1 - c0) * 1000000 / hz / 3 )) "cpu-us/s"
