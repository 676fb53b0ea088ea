#!/bin/bash
# The example queries of tcp-audit-sqlite(7), taken from the man page as
# printed there, against an archive of known content: six sockets of four
# processes, replayed into the sqlite sinker. Each answer is checked row
# for row, so a query in the manual cannot rot.
. "$TESTS_LIB/common.sh"
require_cmd sqlite3 python3
make_tmpdir
db=$T/a.db

# t0 = 2026-01-01T00:00:00Z. Sockets: 1 curl and 3 wget to 198.51.100.7:443
# (3 lives an hour), 2 curl to 203.0.113.5:80, 4 ssh refused by
# 198.51.100.9:22, 5 nginx listening on port 80 for two hours, 6 another curl,
# 7 nginx's accepted connection from 203.0.113.9:50000.
python3 - "$T/events.tsv" <<'PY'
import sys
t0 = 1767225600 * 10**9
s = 10**9
ev = []
def conn(sock, pid, comm, sport, daddr, dport, start, life):
    ev.extend([
        (start, sock, pid, comm, "192.0.2.1", 0, daddr, dport, "CLOSE", "SYN_SENT"),
        (start + s // 1000, sock, pid, comm, "192.0.2.1", sport, daddr, dport, "SYN_SENT", "ESTABLISHED"),
        (start + life, sock, pid, comm, "192.0.2.1", sport, daddr, dport, "ESTABLISHED", "FIN_WAIT1"),
        (start + life + 1000, sock, pid, comm, "192.0.2.1", sport, daddr, dport, "FIN_WAIT1", "FIN_WAIT2"),
        (start + life + 2000, sock, pid, comm, "192.0.2.1", sport, daddr, dport, "FIN_WAIT2", "CLOSE")])
conn(1, 100, "curl", 40001, "198.51.100.7", 443, t0, 5 * s)
conn(2, 101, "curl", 40002, "203.0.113.5", 80, t0 + 20 * s, 2 * s)
conn(3, 200, "wget", 40003, "198.51.100.7", 443, t0 + 10 * s, 3600 * s)
conn(6, 102, "curl", 40006, "198.51.100.7", 443, t0 + 40 * s, 1 * s)
ev.append((t0 + 30 * s, 4, 300, "ssh", "192.0.2.1", 0, "198.51.100.9", 22, "CLOSE", "SYN_SENT"))
ev.append((t0 + 30 * s + s // 2000, 4, 300, "ssh", "192.0.2.1", 40004, "198.51.100.9", 22, "SYN_SENT", "CLOSE"))
ev.append((t0 + 1 * s, 5, 400, "nginx", "0.0.0.0", 80, "0.0.0.0", 0, "CLOSE", "LISTEN"))
for d, o, n in [(0, "SYN_RECV", "ESTABLISHED"), (s, "ESTABLISHED", "CLOSE_WAIT"),
                (s + 1000, "CLOSE_WAIT", "LAST_ACK"), (s + 2000, "LAST_ACK", "CLOSE")]:
    ev.append((t0 + 50 * s + d, 7, 400, "nginx", "192.0.2.1", 80, "203.0.113.9", 50000, o, n))
ev.append((t0 + 7200 * s, 5, 400, "nginx", "0.0.0.0", 80, "0.0.0.0", 0, "LISTEN", "CLOSE"))
with open(sys.argv[1], "w") as f:
    for e in sorted(ev):
        f.write("%d\t%d\t%d\t%s\tipv4\t%s\t%d\t%s\t%d\t%s\t%s\n" % e)
print(len(ev), file=open(sys.argv[1] + ".count", "w"))
PY
n=$(cat "$T/events.tsv.count")
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/events.tsv" -s sqlite -S path="$db"
assert_eq "exit status" "$rc" 0

# The query after '.\" example-query NAME' in the man page, unescaped.
query() {
	awk -v name="$1" '$0 == ".\\\" example-query " name { on = 1; next }
		on && $0 == ".nf" { next } on && $0 == ".fi" { exit } on { print }' \
		"$top_srcdir/man/tcp-audit-sqlite.7" | sed -e 's/\\-/-/g'
}
tested=
check() {
	local sql
	sql=$(query "$1")
	[ -n "$sql" ] || fail "no example query '$1' in tcp-audit-sqlite(7)"
	assert_eq "example query $1" "$(sqlite3 "$db" "$sql")" "$2"
	tested="$tested $1"
}
check who-talked "curl|100|192.0.2.1|198.51.100.7|443
curl|102|192.0.2.1|198.51.100.7|443
wget|200|192.0.2.1|198.51.100.7|443"
check top-talkers "198.51.100.7|443|3
203.0.113.5|80|1"
check process "2026-01-01T00:00:00.000000000Z|100|192.0.2.1|40001|198.51.100.7|443
2026-01-01T00:00:20.000000000Z|101|192.0.2.1|40002|203.0.113.5|80
2026-01-01T00:00:40.000000000Z|102|192.0.2.1|40006|198.51.100.7|443"
check busiest "curl|3|2
ssh|1|1
wget|1|1"
check long-lived "5|nginx|0.0.0.0|0|7199
3|wget|198.51.100.7|443|3600"
check refused "2026-01-01T00:00:30.000500000Z|ssh|192.0.2.1|198.51.100.9|22"
check incoming "2026-01-01T00:00:50.000000000Z|203.0.113.9|50000|nginx|400"
check listeners "2026-01-01T00:00:01.000000000Z|2026-01-01T02:00:00.000000000Z|nginx|0.0.0.0|80"
check window "2026-01-01T00:00:20.000000000Z|curl|203.0.113.5|80
2026-01-01T00:00:30.000000000Z|ssh|198.51.100.9|22
2026-01-01T00:00:40.000000000Z|curl|198.51.100.7|443"
check socket-life "2026-01-01T00:00:10.000000000Z|CLOSE|SYN_SENT|0
2026-01-01T00:00:10.001000000Z|SYN_SENT|ESTABLISHED|40003
2026-01-01T01:00:10.000000000Z|ESTABLISHED|FIN_WAIT1|40003
2026-01-01T01:00:10.000001000Z|FIN_WAIT1|FIN_WAIT2|40003
2026-01-01T01:00:10.000002000Z|FIN_WAIT2|CLOSE|40003"
run=$(sqlite3 "$db" 'SELECT run_id FROM tcp_audit_runs')
check completeness "$run|clean|$n|$n|0|0|complete"
# The indexed form of a question, on this archive of 2026-01-01: the
# connections to port 443 in the last hour are none; a copy whose times
# are moved to now finds the three.
check indexed ""
cp "$db" "$T/now.db"
shift_ns=$(( $(date +%s) * 1000000000 - 1767225600000000000 - 1800000000000 ))
sqlite3 "$T/now.db" "UPDATE tcp_connections SET first_time = first_time + $shift_ns,
	last_time = last_time + $shift_ns"
assert_eq "example query indexed, an hour ago" "$(sqlite3 "$T/now.db" "$(query indexed)" | cut -d'|' -f2-)" \
	"curl|192.0.2.1|198.51.100.7
wget|192.0.2.1|198.51.100.7
curl|192.0.2.1|198.51.100.7"

# Every example in the manual is one of those checked here.
documented=$(sed -n 's/^\.\\" example-query //p' "$top_srcdir/man/tcp-audit-sqlite.7" | sort | tr '\n' ' ')
assert_eq "the manual's example queries, all tested" "$documented" \
	"$(echo $tested | tr ' ' '\n' | sort | tr '\n' ' ')"
echo "PASS: the $(echo $tested | wc -w) example queries of tcp-audit-sqlite(7) answer as documented"
