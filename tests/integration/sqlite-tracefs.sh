#!/bin/bash
# End to end as root: the tracefs eventer into the sqlite sinker captures
# real loopback connections on 127.0.0.1 and ::1, and sqlite3 shows them.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
require_cmd sqlite3
make_tmpdir
tracefs_dir >/dev/null
db=$T/audit.db

# start_capture's json output stays empty: the later --sink wins.
start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --sink sqlite -S path="$db" -S max_delay=50ms
connect_both_families
stop_capture

while read -r fam port; do
	addr=127.0.0.1
	[ "$fam" = 6 ] && addr=::1
	# The client's socket: its connect and its handshake, by port and name.
	got=$(sqlite3 "$db" "SELECT family, saddr, daddr, group_concat(oldstate || '>' || newstate, ' ')
		FROM (SELECT * FROM tcp_events_named WHERE dport = $port AND comm = 'tca-e2e-client'
		      AND newstate IN ('SYN_SENT', 'ESTABLISHED') ORDER BY time, seq)")
	assert_eq "IPv$fam client rows to port $port" "$got" "ipv$fam|$addr|$addr|CLOSE>SYN_SENT SYN_SENT>ESTABLISHED"
	# The listener on the server side, by its port.
	got=$(sqlite3 "$db" "SELECT count(*) FROM tcp_events_named WHERE sport = $port
		AND oldstate = 'CLOSE' AND newstate = 'LISTEN' AND saddr = '$addr'")
	assert_eq "IPv$fam LISTEN rows on port $port" "$got" 1
done <"$T/cases"
assert_eq "distinct run ids" "$(sqlite3 "$db" 'SELECT count(DISTINCT run_id) FROM tcp_events_named')" 1
echo "PASS: real loopback connections on IPv4 and IPv6 reached the database"
