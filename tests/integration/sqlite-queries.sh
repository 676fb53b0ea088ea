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
# 198.51.100.9:22, 5 nginx listening on port 80 for two hours, 6 another curl.
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
check() {
	local sql
	sql=$(query "$1")
	[ -n "$sql" ] || fail "no example query '$1' in tcp-audit-sqlite(7)"
	assert_eq "example query $1" "$(sqlite3 "$db" "$sql")" "$2"
}
check who-talked "curl|100|192.0.2.1|198.51.100.7|443
curl|102|192.0.2.1|198.51.100.7|443
wget|200|192.0.2.1|198.51.100.7|443"
check top-talkers "198.51.100.7|443|3
203.0.113.5|80|1"
check process "2026-01-01T00:00:00.001000000Z|100|192.0.2.1|40001|198.51.100.7|443
2026-01-01T00:00:20.001000000Z|101|192.0.2.1|40002|203.0.113.5|80
2026-01-01T00:00:40.001000000Z|102|192.0.2.1|40006|198.51.100.7|443"
check long-lived "5|nginx|0.0.0.0|0|7199
3|wget|198.51.100.7|443|3600"
check refused "2026-01-01T00:00:30.000500000Z|ssh|192.0.2.1|198.51.100.9|22"
check listeners "2026-01-01T00:00:01.000000000Z|nginx|0.0.0.0|80|opened
2026-01-01T02:00:00.000000000Z|nginx|0.0.0.0|80|closed"
run=$(sqlite3 "$db" 'SELECT run_id FROM tcp_audit_runs')
check completeness "$run|clean|$n|$n|0|0|complete"
echo "PASS: the 7 example queries of tcp-audit-sqlite(7) answer as documented"
