#!/bin/bash
# The example queries of tcp-audit-pgsql(7), taken from the man page as
# printed there, against an archive of known content: seven sockets of
# five processes, replayed into the pgsql sinker half an hour ago. Each
# answer is checked row for row, so a query in the manual cannot rot.
. "$TESTS_LIB/common.sh"
require_cmd python3
make_tmpdir
. "$TESTS_LIB/pg.sh"
pg_start
export PGTZ=UTC

# Sockets: 1 and 6 curl, 3 wget (lives an hour) to 198.51.100.7:443; 2 curl
# to 203.0.113.5:80; 7 curl to 198.51.100.8:8443, still open; 4 ssh refused
# by 198.51.100.9:22; 5 nginx listening on port 80 for two hours.
t0=$(($(date +%s) - 1800))
python3 - "$T/events.tsv" "$t0" <<'PY'
import sys
s = 10**9
t0 = int(sys.argv[2]) * s
ev = []
def conn(sock, pid, comm, sport, daddr, dport, start, life):
    ev.extend([
        (start, sock, pid, comm, "192.0.2.1", 0, daddr, dport, "CLOSE", "SYN_SENT"),
        (start + s // 1000, sock, pid, comm, "192.0.2.1", sport, daddr, dport, "SYN_SENT", "ESTABLISHED")])
    if life:
        ev.extend([
            (start + life, sock, pid, comm, "192.0.2.1", sport, daddr, dport, "ESTABLISHED", "FIN_WAIT1"),
            (start + life + 1000, sock, pid, comm, "192.0.2.1", sport, daddr, dport, "FIN_WAIT1", "FIN_WAIT2"),
            (start + life + 2000, sock, pid, comm, "192.0.2.1", sport, daddr, dport, "FIN_WAIT2", "CLOSE")])
conn(1, 1234, "curl", 40001, "198.51.100.7", 443, t0, 5 * s)
conn(2, 1235, "curl", 40002, "203.0.113.5", 80, t0 + 20 * s, 2 * s)
conn(3, 200, "wget", 40003, "198.51.100.7", 443, t0 + 10 * s, 3600 * s)
conn(6, 1236, "curl", 40006, "198.51.100.7", 443, t0 + 40 * s, 1 * s)
conn(7, 1237, "curl", 40007, "198.51.100.8", 8443, t0 + 50 * s, 0)
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
# One event a batch: every connection is built by merging batch after
# batch into tcp_connections, the hardest case for its rules.
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/events.tsv" -s pgsql -S batch_size=1 \
	2>"$T/log"
assert_eq "exit status" "$rc" 0
grep -q "written $n in $n batches" "$T/log" || fail "not one event a batch: $(cat "$T/log")"
host=$(pg_sql -c 'SELECT DISTINCT host FROM tcp_events_named')

# t0 + N seconds as psql shows a timestamptz in UTC (add a fraction after).
at() { date -u -d "@$((t0 + $1))" '+%Y-%m-%d %H:%M:%S'; }
# The query after '.\" example-query NAME' in the man page source, unescaped,
# so that what the page shows is what is run.
query() {
	awk -v name="$1" '$0 == ".\\\" example-query " name { on = 1; next }
		on && $0 == ".nf" { next } on && $0 == ".fi" { exit } on { print }' \
		"$top_srcdir/man/tcp-audit-pgsql.7" | sed -e 's/\\-/-/g'
}
check() {
	local sql
	sql=$(query "$1")
	[ -n "$sql" ] || fail "no example query '$1' in tcp-audit-pgsql(7)"
	assert_eq "example query $1" "$(pg_sql -c "$sql")" "$2"
	checked=$((checked + 1))
}
checked=0
check who-talked "curl|1234|192.0.2.1|198.51.100.7|443
curl|1236|192.0.2.1|198.51.100.7|443
wget|200|192.0.2.1|198.51.100.7|443"
check process "$(at 0)+00|curl|192.0.2.1|40001|198.51.100.7|443|00:00:05.000002"
check top-talkers "curl|4|3
wget|1|1"
check busiest "198.51.100.7|443|3
198.51.100.8|8443|1
203.0.113.5|80|1"
check still-open "$host|7|$(at 50).001+00|1237|curl|192.0.2.1|40007|198.51.100.8|8443|ESTABLISHED"
check never-established "$host|4|$(at 30)+00|ssh|198.51.100.9|22"
check long-lived "5|nginx|0.0.0.0|0|7199
3|wget|198.51.100.7|443|3600"
check listeners "$(at 1)+00|nginx|0.0.0.0|80|opened
$(at 7200)+00|nginx|0.0.0.0|80|closed"
check socket-life "$(at 0)+00|CLOSE|SYN_SENT|0
$(at 0).001+00|SYN_SENT|ESTABLISHED|40001
$(at 5)+00|ESTABLISHED|FIN_WAIT1|40001
$(at 5).000001+00|FIN_WAIT1|FIN_WAIT2|40001
$(at 5).000002+00|FIN_WAIT2|CLOSE|40001"
run=$(pg_sql -c 'SELECT run_id FROM tcp_audit_runs')
check completeness "$run|clean|$n|$n|0|0|complete"
# Every example of the page is checked above: none can go untested.
assert_eq "example queries in tcp-audit-pgsql(7)" \
	"$(grep -c '^\.\\" example-query ' "$top_srcdir/man/tcp-audit-pgsql.7")" "$checked"
echo "PASS: the $checked example queries of tcp-audit-pgsql(7) answer as documented"
