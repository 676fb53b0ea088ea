#!/bin/bash
# The sqlite sinker: every field round-trips (IPv4, IPv6, all 12 states, a
# NULL pid, an odd comm), the schema is what tcp-audit-sqlite(7) says, the
# directory is created, and a newer schema is refused. Name records: one
# per host, boot and id, the first stays, and the views show the path of
# their events' cgroup under their own boot only.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sinkdrive.sh"
require_cmd sqlite3 python3
make_tmpdir

db=$T/new/dir/audit.db
python3 - "$T/events.tsv" "$T/expected.json" <<'PY'
import json, sys
states = ["ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
          "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"]
addrs = [("ipv4", "127.0.0.1", "10.20.30.40"), ("ipv6", "::1", "2001:db8::1:0:0:1"),
         ("ipv4", "0.0.0.0", "255.255.255.255"), ("ipv6", "fe80::1", "::ffff:127.0.0.1")]
# (pid, comm as written in the TSV, comm as stored)
procs = [(None, "-", None), (1, "init", "init"), (2147483647, "tab\\there", "tab\there"),
         (42, "x\\\\y\\x7f", "x\\y\x7f")]
tsv, rows = [], []
for i in range(24):
    fam, sa, da = addrs[i % 4]
    pid, comm_tsv, comm = procs[i % 4]
    t = 1767225600000000000 + i * 1000000001 + (999999999 if i == 23 else 0)
    sport, dport = [(0, 65535), (65535, 0), (443, 40000)][i % 3]
    old, new = states[i % 12], states[(i + 5) % 12]
    sock = (1 << 62) + i
    tsv.append(f"{t}\t{sock}\t{'-' if pid is None else pid}\t{comm_tsv}\t{fam}\t{sa}\t{sport}\t{da}\t{dport}\t{old}\t{new}")
    rows.append(dict(time=t, sock=sock, pid=pid, comm=comm, family=fam, protocol="tcp",
                     saddr=sa, sport=sport, daddr=da, dport=dport, oldstate=old, newstate=new,
                     netns=None, cgroup=None, uid=None, bytes_sent=None, bytes_received=None,
                     lifetime_ns=None, seq=i + 1, cgroup_path=None))
open(sys.argv[1], "w").write("# a comment line\n" + "\n".join(tsv) + "\n")
json.dump(rows, open(sys.argv[2], "w"))
PY

run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/events.tsv" -s sqlite -S path="$db"
assert_eq "exit status" "$rc" 0
assert_eq "mode of the created directory" "$(stat -c %a "$T/new/dir")" 750

# The view, beside the exact time in ns (the key, or the column time
# where the key had to move to stay unique).
sqlite3 -json "$db" "SELECT n.*, coalesce(e.time, e.id) AS time_ns FROM tcp_events_named n
	JOIN tcp_events e ON e.seq = n.seq ORDER BY n.seq" >"$T/got.json"
assert_eq "columns of the view tcp_events_named" \
	"$(sqlite3 "$db" "SELECT group_concat(name, ' ') FROM pragma_table_info('tcp_events_named')")" \
	"time host sock pid comm family protocol saddr sport daddr dport oldstate newstate netns cgroup uid bytes_sent bytes_received lifetime_ns boot_id run_id seq owner cgroup_path"
python3 - "$T/expected.json" "$T/got.json" "$(hostname)" "$(cat /proc/sys/kernel/random/boot_id)" <<'PY' || fail "rows differ (see above)"
import json, sys, datetime
want, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
host, boot_id = sys.argv[3], sys.argv[4]
bad = 0
if len(got) != len(want):
    print(f"expected {len(want)} rows, got {len(got)}"); sys.exit(1)
run_ids = {g["run_id"] for g in got}
if len(run_ids) != 1 or not isinstance(next(iter(run_ids)), int):
    print("run_id:", run_ids); bad = 1
for w, g in zip(want, got):
    w = dict(w, host=host, boot_id=boot_id, run_id=g["run_id"], time_ns=w["time"],
             owner="unknown" if w["pid"] is None else "holder")
    secs, ns = divmod(w["time"], 10**9)
    w["time"] = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{ns:09d}Z"
    if set(g) != set(w):
        print("columns differ:", sorted(set(g) ^ set(w))); bad = 1
    for k in w:
        if g.get(k) != w[k]:
            print(f"seq {w['seq']} {k}: expected {w[k]!r}, got {g.get(k)!r}"); bad = 1
sys.exit(bad)
PY

# The schema: version, WAL, the indexes the man page promises (events by
# time are by their key).
assert_eq "user_version" "$(sqlite3 "$db" 'PRAGMA user_version')" 4
assert_eq "journal_mode" "$(sqlite3 "$db" 'PRAGMA journal_mode')" wal
idx=$(sqlite3 "$db" "SELECT group_concat(name || '(' || cols || ')', ' ') FROM (SELECT m.name,
	(SELECT group_concat(name) FROM pragma_index_info(m.name)) AS cols FROM sqlite_master m
	WHERE m.type = 'index' AND m.tbl_name IN ('tcp_events', 'tcp_connections') ORDER BY m.name)")
assert_eq "indexes" "$idx" "sqlite_autoindex_tcp_connections_1(run_key,sock) tcp_connections_daddr(daddr,dport) tcp_connections_time(first_time) tcp_events_conn(conn)"
assert_eq "the key of tcp_events" "$(sqlite3 "$db" "SELECT name FROM pragma_table_info('tcp_events') WHERE pk")" id
# Every socket is a connection (each event here is its own socket).
assert_eq "connections" "$(sqlite3 "$db" "SELECT count(*), sum(events) FROM tcp_connections")" "24|24"

# Events of the same nanosecond (five, then one a ns later, which the
# moved keys reach): every one is stored, with its exact time.
printf '1767225600000000000\t%d\t-\t-\tipv4\t127.0.0.1\t1\t127.0.0.2\t80\tCLOSE\tSYN_SENT\n' 1 2 3 4 5 >"$T/same.tsv"
printf '1767225600000000001\t6\t-\t-\tipv4\t127.0.0.1\t1\t127.0.0.2\t80\tCLOSE\tSYN_SENT\n' >>"$T/same.tsv"
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/same.tsv" -s sqlite -S path="$T/same.db"
assert_eq "exit status (same times)" "$rc" 0
assert_eq "events of the same ns" "$(sqlite3 "$T/same.db" "SELECT seq, time, sock
	FROM tcp_events_named ORDER BY seq")" "1|2026-01-01T00:00:00.000000000Z|1
2|2026-01-01T00:00:00.000000000Z|2
3|2026-01-01T00:00:00.000000000Z|3
4|2026-01-01T00:00:00.000000000Z|4
5|2026-01-01T00:00:00.000000000Z|5
6|2026-01-01T00:00:00.000000001Z|6"
assert_eq "their keys, and the exact times kept" "$(sqlite3 "$T/same.db" "SELECT
	id - 1767225600000000000, time IS NULL FROM tcp_events ORDER BY seq" | tr '\n' ' ')" \
	"0|1 1|0 2|0 3|0 4|0 5|0 "

# A second run appends: rows are never replaced, and the schema stays.
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/events.tsv" -s sqlite -S path="$db"
assert_eq "exit status of the second run" "$rc" 0
assert_eq "rows after two runs" "$(sqlite3 "$db" 'SELECT count(*), count(DISTINCT run_id) FROM tcp_events_named')" "48|2"

# A newer schema is refused with a message that says what to do.
sqlite3 "$db" 'PRAGMA user_version = 5'
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=1 -s sqlite -S path="$db" --check \
	2>"$T/err" && fail "--check accepted a database with a newer schema"
grep -q "schema version 5, newer than this tcp-audit knows (4); upgrade tcp-audit or choose another path" "$T/err" ||
	{ cat "$T/err"; fail "no clear message for a newer schema"; }
assert_eq "rows after the refused run" "$(sqlite3 "$db" 'SELECT count(*) FROM tcp_events')" 48

# Name records (write_names): the first text of a (host, boot, id) stays,
# a rewrite is a no-op, another boot's id is another cgroup, and the
# views show a path only for the events of the name's own host and boot.
ndb=$T/names.db
boot_a=11111111-1111-1111-1111-111111111111
boot_b=22222222-2222-2222-2222-222222222222
sinkdrive sqlite path="$ndb" <<EOF2
origin h1 $boot_a 7
run 0 1 1767225600000000000 0 0
name cgroup 4242 /system.slice/web.service
name cgroup 4242 /renamed/later.service
name cgroup 99 /user.slice/user-1000.slice/a\\x2db.scope
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
assert_eq "the name records" "$(sqlite3 "$ndb" "SELECT host, boot_id, kind, id, text, run_id
	FROM tcp_audit_names ORDER BY host, boot_id, id")" \
	"h1|$boot_a|cgroup|99|/user.slice/user-1000.slice/a\\x2db.scope|7
h1|$boot_a|cgroup|4242|/system.slice/web.service|7
h1|$boot_b|cgroup|4242|/system.slice/db.service|8"
assert_eq "a name's time" "$(sqlite3 "$ndb" "SELECT count(*) FROM tcp_audit_names_named
	WHERE time LIKE '20__-__-__T__:__:__._________Z' AND time = strftime('%Y-%m-%dT%H:%M:%S',
	(SELECT time FROM tcp_audit_names WHERE id = 99) / 1000000000, 'unixepoch') ||
	printf('.%09dZ', (SELECT time FROM tcp_audit_names WHERE id = 99) % 1000000000)
	AND id = 99")" 1
assert_eq "the events' cgroup paths" "$(sqlite3 "$ndb" "SELECT host, run_id, cgroup,
	coalesce(cgroup_path, '-'), count(*) FROM tcp_events_named
	GROUP BY host, run_id, cgroup ORDER BY host, run_id, cgroup")" \
	"h1|7|4242|/system.slice/web.service|4
h1|7|5000|-|2
h1|8|4242|/system.slice/db.service|2
h2|9|4242|-|2"
assert_eq "the connections' cgroup paths" "$(sqlite3 "$ndb" "SELECT run_id,
	coalesce(cgroup_path, '-'), count(*) FROM tcp_connections_named
	GROUP BY run_id, cgroup_path ORDER BY run_id, cgroup_path")" \
	"7|-|1
7|/system.slice/web.service|1
8|/system.slice/db.service|1
9|-|1"

# Through the processor: the test eventer namesev hands 400 events in
# cgroups 1000..1003 and each id's name with its first event; every text
# is stored byte for byte (quotes, backslash, tab, newline, a control
# byte, a byte that is not UTF-8), under this host and boot, and every
# event shows its path.
run_tcp_audit -e "$TEST_PLUGIN_DIR/namesev.so" -E events=400 -E every=100 -s sqlite \
	-S path="$T/ns.db"
assert_eq "exit status (namesev)" "$rc" 0
python3 - "$T/ns.db" "$(hostname)" "$(cat /proc/sys/kernel/random/boot_id)" <<'PY' ||
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.text_factory = bytes
def text(k):
    return [b"/test.slice/c%d.scope", b'/test.slice/q"uote\\back%d',
            b"/test.slice/tab\tnl\n%d", b"/test.slice/bytes\x01\xff\xc3\xa9%d"][k % 4] % k
got = db.execute("SELECT host, boot_id, kind, id, CAST(text AS BLOB) FROM tcp_audit_names"
                 " ORDER BY id").fetchall()
want = [(sys.argv[2].encode(), sys.argv[3].encode(), b"cgroup", 1000 + k, text(k)) for k in range(4)]
if got != want:
    sys.exit(f"name records: {got}, expected {want}")
rows = db.execute("SELECT cgroup, CAST(cgroup_path AS BLOB), count(*) FROM tcp_events_named"
                  " GROUP BY 1, 2 ORDER BY 1").fetchall()
if rows != [(1000 + k, text(k), 100) for k in range(4)]:
    sys.exit(f"events' paths: {rows}")
PY
	fail "namesev's name records in sqlite (see above)"
echo "PASS: 24 events round-trip with every field; schema, indexes and version checked; name records"
