#!/bin/bash
# pgsql: every field round-trips exactly (IPv4, IPv6, all twelve states, a
# comm with quotes, a backslash, a tab, UTF-8 and a byte that is not UTF-8,
# an unknown pid as NULL), read back from the replay eventer's TSV file.
# Name records: exact texts, one per host, boot and id (the first stays),
# the views' cgroup_path under the name's own boot only, and texts a
# LATIN1 server cannot hold.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sinkdrive.sh"
. "$TESTS_LIB/pg.sh"
make_tmpdir
pg_start
export PGTZ=UTC

states="ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN CLOSING NEW_SYN_RECV"
: >"$T/events.tsv"
: >"$T/expected"
i=0
prev=CLOSE
for s in $states; do
	i=$((i + 1))
	if [ $((i % 2)) -eq 0 ]; then
		fam=ipv6 sa="2001:db8::$i" da="fe80::1:$i"
	else
		fam=ipv4 sa="192.0.2.$i" da="198.51.100.$((200 + i))"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "17672256001234567$((10 + i))" \
		"$((9223372036854775800 + i % 8))" "$((4000000 + i))" "p$i" "$fam" "$sa" "$((65530 + i % 6))" \
		"$da" "$i" "$prev" "$s" >>"$T/events.tsv"
	printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$i" "2026-01-01 00:00:00.123456+00" \
		"$((9223372036854775800 + i % 8))" "$((4000000 + i))" "$(printf 'p%s' "$i" | od -An -tx1 | tr -d ' \n')" \
		"$fam" tcp "$sa" "$((65530 + i % 6))" "$da" "$i" "$prev" "$s" >>"$T/expected"
	prev=$s
done
# Odd comms, and one with no pid.
printf '1767225600999999999\t7\t1\ta"b'"'"'c\\\\d\\te\\xc3\\xa9\\xff\tipv4\t0.0.0.0\t0\t255.255.255.255\t65535\tLISTEN\tSYN_RECV\n' >>"$T/events.tsv"
printf '13|2026-01-01 00:00:00.999999+00|7|1|%s|ipv4|tcp|0.0.0.0|0|255.255.255.255|65535|LISTEN|SYN_RECV\n' \
	"$(printf 'a"b'"'"'c\\x5cd\\x09e\\xc3\\xa9\\xff' | od -An -tx1 | tr -d ' \n')" >>"$T/expected"
printf '1767225600000000000\t8\t-\t-\tipv6\t::\t1\t::1\t2\tSYN_SENT\tESTABLISHED\n' >>"$T/events.tsv"
printf '14|2026-01-01 00:00:00+00|8|||ipv6|tcp|::|1|::1|2|SYN_SENT|ESTABLISHED\n' >>"$T/expected"

run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/events.tsv" -s pgsql >"$T/out" 2>&1
assert_eq "exit status" "$rc" 0

pg_sql -F '|' -c "SELECT seq, time, sock, pid, encode(convert_to(comm, 'UTF8'), 'hex'), family, protocol,
	host(saddr), sport, host(daddr), dport, oldstate, newstate FROM tcp_events_named ORDER BY seq" >"$T/got"
diff -u "$T/expected" "$T/got" >&2 || fail "the rows differ from the events"
# NULL, not 0 or '': an unknown pid and comm.
assert_eq "unknown pid is NULL" "$(pg_sql -c 'SELECT count(*) FROM tcp_events WHERE pid IS NULL AND comm IS NULL')" 1
assert_eq "identity" "$(pg_sql -c "SELECT count(DISTINCT (host, boot_id, run_id)), min(host) = '$(hostname)', min(boot_id::text) = '$(cat /proc/sys/kernel/random/boot_id)' FROM tcp_events_named")" "1|t|t"
# Whose pid and comm each row carries: the replayed ones name their holder.
assert_eq "owner kinds" "$(pg_sql -c 'SELECT owner, count(*), count(pid) FROM tcp_events_named GROUP BY 1 ORDER BY 1')" \
	"holder|13|13
unknown|1|0"
assert_eq "masks are host addresses" "$(pg_sql -c 'SELECT count(*) FROM tcp_events WHERE masklen(saddr) = (CASE family WHEN 4 THEN 32 ELSE 128 END) AND masklen(daddr) = masklen(saddr)')" 14

# A LATIN1 server cannot hold a CJK character: sent as it is, the whole
# batch failed with SQLSTATE 22P05, for good, and the daemon with it. The
# comm travels as ASCII with \xHH escapes, so any server encoding takes it.
pg_sql -c "CREATE DATABASE latin ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
printf '1767225600000000000\t9\t3\t\\xe4\\xb8\\xad\\xc3\\xa9x\tipv4\t10.0.0.1\t1\t10.0.0.2\t2\tSYN_SENT\tESTABLISHED\n' >"$T/cjk.tsv"
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/cjk.tsv" -s pgsql -S conninfo="dbname=latin" >"$T/out" 2>&1
assert_eq "exit status on a LATIN1 server" "$rc" 0
assert_eq "comm on a LATIN1 server" "$(pg_sql -d latin -c 'SELECT comm FROM tcp_events')" '\xe4\xb8\xad\xc3\xa9x'

# Name records (write_names), driven directly: a rewrite and another text
# for the same id change nothing, another boot's id is another cgroup,
# and the views show a path only under the name's own host and boot.
boot_a=11111111-1111-1111-1111-111111111111
boot_b=22222222-2222-2222-2222-222222222222
odd='/system.slice/a"b\x2dc d.service'
cafe=$'/user.slice/caf\xc3\xa9.scope'
sinkdrive pgsql <<EOF2
origin h1 $boot_a 7
run 0 1 1767225600000000000 0 0
name cgroup 4242 $odd
name cgroup 4242 /renamed/later.service
name cgroup 99 $cafe
cgroup 4242
events 1 4
cgroup 5000
events 5 2
origin h1 $boot_b 8
name cgroup 4242 /system.slice/db.service
cgroup 4242
events 1 2
origin h2 $boot_a 9
cgroup 4242
events 1 2
EOF2
assert_eq "sinkdrive's name results" "$(grep -c '^name cgroup .*: 0$' "$T/drive.out")" 4
assert_eq "the name records" "$(pg_sql -c "SELECT host, boot_id, kind, id, text, run_id
	FROM tcp_audit_names WHERE host LIKE 'h_' ORDER BY host, boot_id, id")" \
	"h1|$boot_a|cgroup|99|$cafe|7
h1|$boot_a|cgroup|4242|$odd|7
h1|$boot_b|cgroup|4242|/system.slice/db.service|8"
assert_eq "a name's time" "$(pg_sql -c "SELECT count(*) FROM tcp_audit_names
	WHERE id = 99 AND abs(extract(epoch FROM now() - time)) < 3600")" 1
assert_eq "the events' cgroup paths" "$(pg_sql -c "SELECT host, run_id, cgroup,
	coalesce(cgroup_path, '-'), count(*) FROM tcp_events_named WHERE host LIKE 'h_'
	GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3")" \
	"h1|7|4242|$odd|4
h1|7|5000|-|2
h1|8|4242|/system.slice/db.service|2
h2|9|4242|-|2"
assert_eq "the connections' cgroup paths" "$(pg_sql -c "SELECT run_id, coalesce(cgroup_path, '-'),
	count(*) FROM tcp_connections_named WHERE host LIKE 'h_' GROUP BY 1, 2 ORDER BY 1, 2")" \
	"7|-|1
7|$odd|1
8|/system.slice/db.service|1
9|-|1"

# On a LATIN1 server, a path it cannot hold, or one that is not UTF-8,
# is stored as the comm is: ASCII with \xHH (the backslash too).
sinkdrive pgsql conninfo="dbname=latin" <<EOF2
origin h1 $boot_a 7
name cgroup 1 $(printf '/caf\xc3\xa9.scope')
name cgroup 2 $(printf '/bad\xff\\x2d.scope')
name cgroup 3 /plain\\x2d.scope
EOF2
assert_eq "names on a LATIN1 server" "$(pg_sql -d latin -c "SELECT id, text FROM tcp_audit_names
	ORDER BY id")" '1|/caf\xc3\xa9.scope
2|/bad\xff\x5cx2d.scope
3|/plain\x2d.scope'

# Through the processor: the test eventer namesev hands 400 events in
# cgroups 1000..1003 and each id's name with its first event. Texts that
# are UTF-8 without control bytes are stored as they are; the others
# (tab and newline; a control byte and one that is not UTF-8) as ASCII.
run_tcp_audit -e "$TEST_PLUGIN_DIR/namesev.so" -E events=400 -E every=100 -s pgsql \
	-S conninfo="dbname=latin" >"$T/out" 2>&1
assert_eq "exit status (namesev)" "$rc" 0
assert_eq "namesev's name records" "$(pg_sql -d latin -c "SELECT kind, id, text,
	host = '$(hostname)', boot_id = '$(cat /proc/sys/kernel/random/boot_id)'
	FROM tcp_audit_names WHERE id >= 1000 ORDER BY id")" \
	'cgroup|1000|/test.slice/c0.scope|t|t
cgroup|1001|/test.slice/q"uote\back1|t|t
cgroup|1002|/test.slice/tab\x09nl\x0a2|t|t
cgroup|1003|/test.slice/bytes\x01\xff\xc3\xa93|t|t'
assert_eq "namesev's events with their paths" "$(pg_sql -d latin -c "SELECT cgroup, count(*),
	count(cgroup_path) FROM tcp_events_named WHERE cgroup >= 1000 GROUP BY 1 ORDER BY 1")" \
	"1000|100|100
1001|100|100
1002|100|100
1003|100|100"
echo ok