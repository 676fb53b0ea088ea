#!/bin/bash
# End to end as root: the tracefs eventer into the pgsql sinker captures
# real loopback connections on 127.0.0.1 and ::1, and the rows match them;
# the clients' cgroup (the test's own) has its path, in a name record and
# beside their events.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
. "$TESTS_LIB/pg.sh"
require_tracefs
make_tmpdir
tracefs_dir >/dev/null
pg_start
trap '[ -z "${TA_PID:-}" ] || kill -9 "$TA_PID" 2>/dev/null || true; pg_stop_quiet; rm -rf "$T"' EXIT

# start_capture's json output stays empty: the later --sink wins.
start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --sink pgsql -S max_delay=50ms
connect_both_families
stop_capture
TA_PID=

while read -r fam port; do
	addr=127.0.0.1
	[ "$fam" = 6 ] && addr=::1
	# The client's socket: its connect and its handshake, by port and name.
	got=$(pg_sql -F '|' -c "SELECT family, host(saddr), host(daddr),
		string_agg(oldstate || '>' || newstate, ' ' ORDER BY time, seq)
		FROM tcp_events_named WHERE dport = $port AND comm = 'tca-e2e-client'
		AND newstate IN ('SYN_SENT', 'ESTABLISHED') GROUP BY 1, 2, 3")
	assert_eq "IPv$fam client rows to port $port" "$got" "ipv$fam|$addr|$addr|CLOSE>SYN_SENT SYN_SENT>ESTABLISHED"
	# The listener on the server side, by its port.
	got=$(pg_sql -c "SELECT count(*) FROM tcp_events_named WHERE sport = $port
		AND oldstate = 'CLOSE' AND newstate = 'LISTEN' AND saddr = '$addr'")
	assert_eq "IPv$fam LISTEN rows on port $port" "$got" 1
done <"$T/cases"
assert_eq "distinct run ids" "$(pg_sql -c "SELECT count(DISTINCT run_id) FROM tcp_events_named")" 1
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
my_path=$(sed -n 's/^0:://p' /proc/self/cgroup)
my_cg=$(stat -c %i "$cg2$my_path")
assert_eq "the test's cgroup's name record" "$(pg_sql -c "SELECT count(*), min(text)
	FROM tcp_audit_names WHERE kind = 'cgroup' AND id = $my_cg")" "1|$my_path"
assert_eq "the clients' events with a cgroup, and its path" "$(pg_sql -c "SELECT count(*) > 0,
	count(*) FILTER (WHERE cgroup <> $my_cg OR cgroup_path IS DISTINCT FROM '$my_path')
	FROM tcp_events_named WHERE comm = 'tca-e2e-client' AND cgroup IS NOT NULL")" "t|0"
echo "PASS: real loopback connections on IPv4 and IPv6 reached PostgreSQL"
