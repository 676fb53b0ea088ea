#!/bin/bash
# What only the bpf eventer knows, against what the test set up: the inode
# of a network namespace it creates, the id and path of a cgroup it
# creates, the uid of a client run as another user, and the bytes of a
# transfer of known sizes, with the lifetime, at the close. The cgroup's
# path is in the store too: the json name record, before the events that
# carry the id, and the sqlite archive's name record, shown by
# the views beside the client's events; and a cgroup removed before its
# id is met has no name, its events the id alone, as with cgroup_paths=no.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/bpf.sh"
require_bpf
require_cmd ip setpriv sqlite3
make_tmpdir

cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -z "$cg2" ]; then
	mkdir -p "$T/cgroup2"
	mount -t cgroup2 none "$T/cgroup2" || skip "cannot mount cgroup2"
	cg2=$T/cgroup2
	mounted_cg2=1
fi
ns=tca-bpf-test-$$
cg=$cg2/tca-bpf-test-$$
gone=$cg2/tca-bpf-gone-$$
cleanup_extra() {
	ip netns del "$ns" 2>/dev/null || true
	[ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true
	[ -d "$gone" ] && rmdir "$gone" 2>/dev/null || true
	[ -n "${mounted_cg2:-}" ] && umount "$T/cgroup2" || true
}
trap bpf_exit EXIT
ip netns add "$ns" || skip "cannot create a network namespace"
ip -n "$ns" link set lo up
mkdir "$cg"

# Fixed ports below the ephemeral range, kept in the kernel, so that no
# other test's socket can share a number with ours.
ports=$(for _ in 1 2 3 4 5 6 7 8; do free_port; done | sort -u | tr '\n' ' ')
set -- $ports
[ $# -eq 8 ] || fail "could not find 8 free ports: $ports"
all_ports=$(echo $ports | tr ' ' ',')
start_bpf -E ports="$all_ports"
next_port() { BPFNET_PORT=$1; export BPFNET_PORT; shift; ports="$*"; }

# transfer NAME FAMILY SEND REPLY [WRAPPER...]: a server and a client that
# sends SEND bytes and gets REPLY back; "NAME PORT CLIENTPORT T0 T1" to
# $T/cases, T0 and T1 the realtime clock before the server started and
# after both ended: no socket of theirs can have lived longer.
transfer() {
	local name=$1 fam=$2 send=$3 reply=$4 t0
	shift 4
	next_port $ports
	rm -f "$T/port"
	t0=$(date +%s%N)
	"$@" $BPFNET sink "$fam" "$T/port" "$reply" &
	spid=$!
	port=$(wait_port "$T/port")
	out=$("$@" $BPFNET send "$fam" "$port" "$send" tca-client) || fail "$name: the client failed"
	wait "$spid" || fail "$name: the server failed"
	set -- $out
	[ "$2" = "$reply" ] || fail "$name: the client got $2 bytes, not $reply"
	echo "$name $port $1 $t0 $(date +%s%N)" >>"$T/cases"
}

transfer bytes4 4 100000 54321
transfer bytes6 6 7777 1048576
transfer netns 4 10 20 ip netns exec "$ns"

# client_only NAME FAMILY COMMAND...: a root server, and a client run by
# COMMAND, which ends with the client's arguments.
client_only() {
	local name=$1 fam=$2 t0
	shift 2
	next_port $ports
	rm -f "$T/port"
	t0=$(date +%s%N)
	$BPFNET sink "$fam" "$T/port" 20 &
	spid=$!
	port=$(wait_port "$T/port")
	out=$("$@" "$TESTS_LIB/bpf-net.py" send "$fam" "$port" 10 tca-client) ||
		fail "$name: the client failed"
	wait "$spid" || fail "$name: the server failed"
	echo "$name $port ${out%% *} $t0 $(date +%s%N)" >>"$T/cases"
}

# The system's python: a user's (pyenv) may not be readable by nobody.
client_only uid 6 setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3
# The client alone in the cgroup: a shell that moves itself, then execs it.
client_only cgroup 4 sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" python3
sleep 0.3
stop_bpf

netns=$(stat -L -c %i "/run/netns/$ns")
host_netns=$(stat -L -c %i /proc/self/ns/net)
cgid=$(stat -c %i "$cg")
python3 - "$T/events.json" "$T/cases" "$netns" "$host_netns" "$cgid" <<'PY' || fail "see above"
import json, sys
events = [e for e in map(json.loads, open(sys.argv[1])) if "type" not in e]
netns, host_netns, cgid = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
bad = []
for line in open(sys.argv[2]):
    name, port, cport, t0, t1 = line.split()
    port, cport, span = int(port), int(cport), int(t1) - int(t0)
    evs = [e for e in events if port in (e["sport"], e["dport"])]
    client = [e for e in evs if e["comm"] == "tca-client"]
    server = [e for e in evs if e["comm"] == "tca-server"]
    if len(client) != 5 or len(server) != 7 or len(evs) != 12:
        bad.append(f"{name}: {len(client)} client and {len(server)} server events of {len(evs)}")
        continue
    want_ns = netns if name == "netns" else host_netns
    for e in evs:
        if e.get("netns") != want_ns:
            bad.append(f"{name}: netns {e.get('netns')}, expected {want_ns}")
    for e in client:
        if name == "uid" and e.get("uid") != 65534:
            bad.append(f"uid: client uid {e.get('uid')}, expected 65534")
        if name == "cgroup" and e.get("cgroup") != cgid:
            bad.append(f"cgroup: client cgroup {e.get('cgroup')}, expected {cgid}")
    for e in server:
        if e.get("uid") != 0 or (name == "cgroup" and e.get("cgroup") == cgid):
            bad.append(f"{name}: the server has uid {e.get('uid')} cgroup {e.get('cgroup')}")
    sizes = {"bytes4": (100000, 54321), "bytes6": (7777, 1048576)}.get(name, (10, 20))
    closes = {e["comm"]: e for e in evs if e["newstate"] == "CLOSE" and e["oldstate"] != "LISTEN"}
    for comm, (sent, recvd) in (("tca-client", sizes), ("tca-server", sizes[::-1])):
        e = closes.get(comm)
        if not e or (e.get("bytes_sent"), e.get("bytes_received")) != (sent, recvd):
            bad.append(f"{name}: {comm} close {e}: expected sent {sent} received {recvd}")
        elif not 0 < e.get("lifetime_ns", 0) <= span:
            bad.append(f"{name}: {comm} lifetime {e.get('lifetime_ns')}, not in (0, {span}]")
    for e in evs:
        if e["newstate"] != "CLOSE" and ("bytes_sent" in e or "lifetime_ns" in e):
            bad.append(f"{name}: bytes or lifetime before the close: {e}")
for b in bad:
    print("bpf-context:", b)
sys.exit(1 if bad else 0)
PY
# The json sink's name record: one for the cgroup, with its path and this
# host and boot, before the first event that carries the id.
python3 - "$T/events.json" "$cgid" "/tca-bpf-test-$$" "$(hostname)" \
	"$(cat /proc/sys/kernel/random/boot_id)" <<'PY' || fail "the json name record (see above)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
cgid, path, host, boot = int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
names = [i for i, l in enumerate(lines) if l.get("type") == "name" and l.get("id") == cgid]
first = min(i for i, l in enumerate(lines) if "type" not in l and l.get("cgroup") == cgid)
if len(names) != 1:
    sys.exit(f"{len(names)} name records of cgroup {cgid}")
n = lines[names[0]]
want = {"kind": "cgroup", "text": path, "host": host, "boot_id": boot}
if {k: n.get(k) for k in want} != want or names[0] > first:
    sys.exit(f"name record {n} at line {names[0] + 1}, first event at {first + 1}; want {want}")
PY
grep -q "cgroup $cgid is /tca-bpf-test-$$\$" "$T/log" ||
	fail "the log does not name cgroup $cgid as /tca-bpf-test-$$: $(grep cgroup "$T/log")"

# Into the sqlite archive: the client in the cgroup again, and a client in
# a cgroup removed while tcp-audit is stopped, before it reads the events
# (the ring buffer holds them), so that the id is gone when first met.
db=$T/archive.db
start_bpf -E ports="$all_ports" --sink sqlite -S path="$db"
: >"$T/cases"
client_only cgroup 4 sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" python3
mkdir "$gone"
goneid=$(stat -c %i "$gone")
kill -STOP "$TA_PID"
client_only gone 4 sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$gone" python3
# Empty once its last task is released, which may come a moment later.
for _ in $(seq 100); do rmdir "$gone" 2>/dev/null && break; sleep 0.1; done
[ ! -d "$gone" ] || fail "cannot remove the cgroup $gone"
kill -CONT "$TA_PID"
sleep 0.3
stop_bpf
read -r _ cport _ <"$T/cases"
gport=$(awk '$1 == "gone" { print $2 }' "$T/cases")
assert_eq "the cgroup's name record" "$(sqlite3 "$db" "SELECT count(*), min(text)
	FROM tcp_audit_names WHERE kind = 'cgroup' AND id = $cgid")" "1|/tca-bpf-test-$$"
assert_eq "the names' origin is the run's" "$(sqlite3 "$db" "SELECT count(*) FROM tcp_audit_names n
	WHERE NOT EXISTS (SELECT 1 FROM tcp_audit_runs r WHERE r.host = n.host
	AND r.boot_id = n.boot_id AND r.run_id = n.run_id)")" 0
assert_eq "the client's events with the path" "$(sqlite3 "$db" "SELECT count(*),
	count(cgroup_path = '/tca-bpf-test-$$' OR NULL) FROM tcp_events_named
	WHERE comm = 'tca-client' AND cgroup = $cgid AND $cport IN (sport, dport)")" "5|5"
assert_eq "the client's connection with the path" "$(sqlite3 "$db" "SELECT count(*)
	FROM tcp_connections_named WHERE comm = 'tca-client' AND cgroup_path = '/tca-bpf-test-$$'")" 1
assert_eq "no name for the removed cgroup" "$(sqlite3 "$db" "SELECT count(*) FROM tcp_audit_names
	WHERE id = $goneid")" 0
assert_eq "its client's events: the id, no path" "$(sqlite3 "$db" "SELECT count(*),
	count(cgroup_path) FROM tcp_events_named WHERE comm = 'tca-client' AND cgroup = $goneid
	AND $gport IN (sport, dport)")" "5|0"
grep -q "cgroup $goneid is gone" "$T/log" ||
	fail "the log does not say cgroup $goneid is gone: $(grep cgroup "$T/log")"
grep -q "cgroup $goneid is /" "$T/log" && fail "the removed cgroup $goneid was named"

# cgroup_paths=no: the id alone, no name record and no log line.
db=$T/nopaths.db
start_bpf -E ports="$all_ports" -E cgroup_paths=no --sink sqlite -S path="$db"
: >"$T/cases"
client_only cgroup 4 sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" python3
sleep 0.3
stop_bpf
read -r _ cport _ <"$T/cases"
assert_eq "cgroup_paths=no: the client's events, ids only" "$(sqlite3 "$db" "SELECT count(*),
	count(cgroup_path) FROM tcp_events_named WHERE comm = 'tca-client' AND cgroup = $cgid
	AND $cport IN (sport, dport)")" "5|0"
assert_eq "cgroup_paths=no: name records" "$(sqlite3 "$db" "SELECT count(*) FROM tcp_audit_names")" 0
grep -q "cgroup [0-9]* is" "$T/log" && fail "cgroup_paths=no logged a path: $(grep cgroup "$T/log")"
exit 0
