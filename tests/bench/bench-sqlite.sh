#!/bin/bash
# Throughput of the sqlite sinker, with retention on, fed by the replay
# eventer at full speed, and the database's size per event; beside it, the
# reference: the sqlite3 shell inserting the same rows (the events and
# connections the sinker stored) through one prepared INSERT ... SELECT in
# one transaction, into the same tables and indexes, with the sinker's
# pragmas. Two workloads:
#  - synthetic: the replay eventer's events (4 a socket, every field
#    changing at every event: the worst case for the size); with
#    retention, max_size at half of what they need, so it deletes all along;
#  - trace: a trace shaped like real traffic (a client and a server socket
#    a connection, 5 and 4 state changes, 10 minutes up to now); with
#    retention, max_age=5m, so half of it expires as it arrives.
# Each runs once without retention (for the size, and the rows the
# reference inserts), and once with it.
# Set BENCH_SQLITE_EVENTS to change the number of events (1,000,000).
# Prints "metric<TAB>value<TAB>unit" lines: per workload, the sinker's
# events/s, CPU and bytes per event, without and with retention; the
# reference's; their ratios; and the ratios to the goals of issue 14
# (200,000 events/s with retention on, 100 bytes an event).
. "$TESTS_LIB/common.sh"
make_tmpdir
[ -e "$TCP_AUDIT_PLUGIN_DIR/sqlite.so" ] || skip "the sqlite plugin is not built"
require_cmd sqlite3 python3
command -v /usr/bin/time >/dev/null || skip "needs /usr/bin/time (Debian: time)"

n=${BENCH_SQLITE_EVENTS:-1000000}
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# The trace: connections start every 20 us, each on one of 2,000 peers,
# IPv4 and one in four IPv6; a client socket CLOSE>SYN_SENT (port not yet
# bound), >ESTABLISHED, >FIN_WAIT1, >FIN_WAIT2, >TIME_WAIT, and the
# server's accepted socket SYN_RECV>ESTABLISHED, >CLOSE_WAIT, >LAST_ACK,
# >CLOSE, in time order.
python3 - "$T/trace.tsv" "$n" <<'PY'
import sys, time
out, n = sys.argv[1], int(sys.argv[2])
conns = (n + 8) // 9
t0 = time.time_ns() - 600 * 10**9
step = 600 * 10**9 // max(conns, 1)
comms = ["curl", "wget", "python3", "java", "git", "apt", "ssh", "node"]
ev = []
for c in range(conns):
    t = t0 + c * step
    v6 = c % 4 == 3
    peer = c % 2000
    if v6:
        fam, local, remote = "ipv6", "2001:db8::1", "2001:db8:1::%x" % (peer + 1)
    else:
        fam, local, remote = "ipv4", "192.0.2.1", "198.51.%d.%d" % (100 + peer // 250, peer % 250 + 1)
    port = 32768 + c % 28000
    dport = (443, 80, 5432, 22)[c % 4]
    cs, ss = 2 * c + 1, 2 * c + 2
    comm, pid = comms[c % 8], 1000 + c % 64
    cl = [("CLOSE", "SYN_SENT", 0), ("SYN_SENT", "ESTABLISHED", 50000),
          ("ESTABLISHED", "FIN_WAIT1", 900000), ("FIN_WAIT1", "FIN_WAIT2", 950000),
          ("FIN_WAIT2", "TIME_WAIT", 1000000)]
    for o, s, d in cl:
        ev.append((t + d, cs, pid, comm, fam, local, 0 if o == "CLOSE" else port, remote, dport, o, s))
    sv = [("SYN_RECV", "ESTABLISHED", 60000), ("ESTABLISHED", "CLOSE_WAIT", 920000),
          ("CLOSE_WAIT", "LAST_ACK", 930000), ("LAST_ACK", "CLOSE", 1010000)]
    for o, s, d in sv:
        ev.append((t + d, ss, 400, "nginx", fam, remote, dport, local, port, o, s))
ev.sort()
with open(out, "w") as f:
    for e in ev[:n]:
        f.write("%d\t%d\t%d\t%s\t%s\t%s\t%d\t%s\t%d\t%s\t%s\n" % e)
PY

# One run of the sinker: the schema is made first (--check), so that only
# events are timed. Prints "<ns> <CPU ns>".
sink_run() {
	local db=$1 start end
	shift
	"$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir="$T/state" -e replay -E count=1 -s sqlite \
		-S path="$db" --check --log-level=warning >"$T/log" 2>&1 || { cat "$T/log" >&2; exit 1; }
	start=$(date +%s%N)
	# The replay eventer does not wait for the sink: give the queue room
	# for every event, and the drain at its end all the time it needs,
	# so that this measures the sink, not the loss.
	/usr/bin/time -f '%U %S' -o "$T/cpu" "$TCP_AUDIT" -c /dev/null -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir="$T/state" \
		--log-level=notice --queue-memory=$((n / 1000 * 200 / 1000 + 64))M --shutdown-timeout=1h \
		-s sqlite -S path="$db" "$@" 2>"$T/log" || { cat "$T/log" >&2; fail "tcp-audit failed"; }
	end=$(date +%s%N)
	grep -q "stats: read $n, written $n in .*, lost 0 " "$T/log" ||
		{ cat "$T/log" >&2; fail "events were lost"; }
	echo "$((end - start)) $(awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$T/cpu")"
}

# Every event is stored or counted as pruned: retention kept up and
# accounted for all it deleted.
check_accounted() {
	local got
	got=$(sqlite3 "$1" "SELECT sum(stored + pruned), sum(missing) FROM tcp_audit_completeness")
	[ "$got" = "$n|0" ] || fail "$1: stored + pruned, missing: $got, not $n|0"
}

# Bytes of pages in use per stored event, indexes and connections included.
bytes_per_event() {
	sqlite3 "$1" "SELECT ((SELECT page_count FROM pragma_page_count)
		- (SELECT freelist_count FROM pragma_freelist_count))
		* (SELECT page_size FROM pragma_page_size) / count(*) FROM tcp_events"
}

# The reference: the same rows into an empty file with the same schema,
# by the shell, in one transaction (WHERE 1 keeps SQLite from copying
# the pages whole, which no writer of new rows can do). Prints events/s
# (of the rows it inserted), its CPU ns per event of $n and its bytes
# per event.
reference() {
	local src=$1 ref=$1.ref start end rows
	sqlite3 "$ref" "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL;" >/dev/null
	sqlite3 "$src" '.schema tcp_events' '.schema tcp_connections' | sqlite3 "$ref"
	rows=$(sqlite3 "$src" 'SELECT count(*) FROM tcp_events')
	start=$(date +%s%N)
	/usr/bin/time -f '%U %S' -o "$T/cpu.ref" \
	sqlite3 "$ref" "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;" \
		"ATTACH '$src' AS src; BEGIN;
		INSERT INTO tcp_connections SELECT * FROM src.tcp_connections WHERE 1;
		INSERT INTO tcp_events SELECT * FROM src.tcp_events WHERE 1; COMMIT;" ||
		fail "the reference insert failed"
	end=$(date +%s%N)
	[ "$(sqlite3 "$ref" 'SELECT count(*) FROM tcp_events')" = "$rows" ] ||
		fail "the reference inserted a different count"
	echo "$(rate "$rows" $((end - start))) $(awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$T/cpu.ref")" \
		"$(bytes_per_event "$ref")"
}

# A workload: once without retention, for the size and the reference's
# rows; once with it (the options after --), which is the rate that counts.
workload() {
	local name=$1 ns cpu ns_r cpu_r sink sink_r ref ref_cpu ref_bytes bytes_r
	shift
	read -r ns cpu < <(sink_run "$T/$name.db" "$@")
	bytes=$(bytes_per_event "$T/$name.db")
	read -r ref ref_cpu ref_bytes < <(reference "$T/$name.db")
	read -r ns_r cpu_r < <(sink_run "$T/$name-r.db" "$@" $retention)
	check_accounted "$T/$name-r.db"
	bytes_r=$(bytes_per_event "$T/$name-r.db")
	sink=$(rate "$n" "$ns")
	sink_r=$(rate "$n" "$ns_r")
	printf 'sqlite_%s_events_per_s\t%d\tevents/s\n' "$name" "$sink"
	printf 'sqlite_%s_cpu_per_event\t%s\tus\n' "$name" "$(cpu_us "$cpu")"
	printf 'sqlite_%s_bytes_per_event\t%d\tbytes\n' "$name" "$bytes"
	printf 'sqlite_%s_retention_events_per_s\t%d\tevents/s\n' "$name" "$sink_r"
	printf 'sqlite_%s_retention_cpu_per_event\t%s\tus\n' "$name" "$(cpu_us "$cpu_r")"
	printf 'sqlite_%s_retention_pruned\t%d\tevents\n' "$name" \
		"$(sqlite3 "$T/$name-r.db" 'SELECT coalesce(sum(count), 0) FROM tcp_audit_pruned')"
	printf 'sqlite_%s_retention_bytes_per_event\t%d\tbytes\n' "$name" "$bytes_r"
	printf 'sqlite_%s_ref_insert_events_per_s\t%d\tevents/s\n' "$name" "$ref"
	printf 'sqlite_%s_ref_insert_cpu_per_event\t%s\tus\n' "$name" "$(cpu_us "$ref_cpu")"
	printf 'sqlite_%s_ref_insert_bytes_per_event\t%d\tbytes\n' "$name" "$ref_bytes"
	printf 'sqlite_%s_sink_vs_ref\t%s\tratio\n' "$name" "$(ratio "$sink" "$ref")"
	printf 'sqlite_%s_retention_sink_vs_ref\t%s\tratio\n' "$name" "$(ratio "$sink_r" "$ref")"
	printf 'sqlite_%s_cpu_vs_ref\t%s\tratio\n' "$name" "$(ratio "$cpu" "$ref_cpu")"
	printf 'sqlite_%s_bytes_vs_ref\t%s\tratio\n' "$name" "$(ratio "$bytes" "$ref_bytes")"
	printf 'sqlite_%s_retention_ratio_to_goal\t%s\tx (goal 200000 events/s)\n' "$name" "$(ratio "$sink_r" 200000)"
	printf 'sqlite_%s_bytes_ratio_to_goal\t%s\tx (goal 100 bytes/event)\n' "$name" "$(ratio "$bytes" 100)"
}
cpu_us() { awk -v c="$1" -v n="$n" 'BEGIN { printf "%.2f", c / n / 1000 }'; }

# max_size: half of what the synthetic events need (about 118 bytes each).
retention="-S max_size=$((n * 59))"
workload synthetic -e replay -E count="$n"
retention="-S max_age=5m"
workload trace -e replay -E path="$T/trace.tsv"
