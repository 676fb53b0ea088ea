#!/bin/bash
# The json sinker: every line parses with a real JSON parser, has exactly
# the canonical keys, and carries the values of the replayed events, for
# synthetic events and for a TSV file with a hostile comm.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd python3
make_tmpdir

# Synthetic events: event i is deterministic (plugins/replay/synth.c).
run_tcp_audit -e replay -E count=1000 -s json >"$T/synth.json" 2>"$T/log"
assert_eq "exit status" "$rc" 0
assert_eq "stats line" "$(stat_of "$T/log" written)" 1000
HOST=$(hostname) python3 - "$T/synth.json" <<'PY'
import json, os, sys
keys = ["time", "host", "boot_id", "run_id", "seq", "sock", "pid", "comm", "owner", "family",
        "protocol", "saddr", "sport", "daddr", "dport", "oldstate", "newstate"]
states = ["ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
          "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"]
lines = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
# The run's start record first, its clean end last, the events between.
runs = [l for l in lines if l.get("type") == "run"]
rows = [l for l in lines if "type" not in l]
assert lines[0] is runs[0] and lines[-1] is runs[-1] and len(runs) == 2, runs
assert runs[0]["state"] == "running" and runs[1]["state"] == "clean", runs
assert runs[1]["last_seq"] == 1000 and runs[0]["run_id"] == runs[1]["run_id"], runs
assert len(rows) == 1000, len(rows)
boot = open("/proc/sys/kernel/random/boot_id").read().strip()
for i, r in enumerate(rows):
    assert list(r) == keys, (i, list(r))
    assert r["seq"] == i + 1 and r["run_id"] == runs[0]["run_id"] and r["boot_id"] == boot, r
    assert r["host"] == os.environ["HOST"], r
    assert r["time"] == "2026-01-01T00:00:00.%09dZ" % (i * 1000), r
    assert r["sock"] == i // 4 + 1, r
    assert r["protocol"] == "tcp", r
    assert r["oldstate"] == states[i % 12] and r["newstate"] == states[(i + 1) % 12], r
    if i % 7 == 6:
        assert r["pid"] is None and r["comm"] is None, r   # unknown: null, not a guess
        assert r["owner"] == "unknown", r
    else:
        assert r["pid"] == 1000 + i % 50 and r["comm"] == "proc-%d" % (i % 50), r
        assert r["owner"] == "holder", r
    assert r["family"] == ("ipv4" if r["sock"] % 2 else "ipv6"), r
    assert r["sport"] == 1024 + i and r["dport"] == [443, 80, 5432][i % 3], r
ident = {"boot_id": boot, "run_id": runs[0]["run_id"]}
assert rows[0] == {"time": "2026-01-01T00:00:00.000000000Z", "host": os.environ["HOST"], **ident,
    "seq": 1, "sock": 1, "pid": 1000, "comm": "proc-0", "owner": "holder", "family": "ipv4", "protocol": "tcp",
    "saddr": "192.0.2.1", "sport": 1024, "daddr": "198.51.100.1", "dport": 443,
    "oldstate": "ESTABLISHED", "newstate": "SYN_SENT"}, rows[0]
assert rows[6] == {"time": "2026-01-01T00:00:00.000006000Z", "host": os.environ["HOST"], **ident,
    "seq": 7, "sock": 2, "pid": None, "comm": None, "owner": "unknown", "family": "ipv6", "protocol": "tcp",
    "saddr": "2001:db8::6", "sport": 1030, "daddr": "2001:db8::1", "dport": 443,
    "oldstate": "CLOSE", "newstate": "CLOSE_WAIT"}, rows[6]
assert rows[992]["saddr"] == "192.0.2.243" and rows[992]["daddr"] == "198.51.100.193", rows[992]
assert rows[999]["saddr"] == "2001:db8::3e7", rows[999]
PY

# A TSV file: time_ns sock pid comm family saddr sport daddr dport old new;
# comm escapes \t \n \\ \xHH; pid "-" means unknown.
{
	printf '# a comment, then a blank line\n\n'
	printf '1700000000123456789\t42\t4242\ta"b\\\\c\\td\\x01\\xff\tipv4\t127.0.0.1\t5000\t127.0.0.1\t80\tSYN_SENT\tESTABLISHED\n'
	printf '1700000000000000001\t43\t-\t-\tipv6\t::1\t6000\t2001:db8::2\t443\tESTABLISHED\tFIN_WAIT1\n'
	printf '0\t9223372036854775807\t2147483647\tnl\\nesc\\x1bdel\\x7f\tipv6\t::ffff:10.0.0.1\t65535\tfe80::1\t0\tLISTEN\tNEW_SYN_RECV\n'
	printf '4102444800999999999\t1\t1\t\\xc3\\xa9t\\xc3\\xa9\tipv4\t10.1.2.3\t1\t255.255.255.255\t2\tCLOSING\tCLOSE\n'
} >"$T/events.tsv"
run_tcp_audit -e replay -E path="$T/events.tsv" -s json -S path="$T/tsv.json" 2>"$T/log"
assert_eq "exit status (tsv)" "$rc" 0
assert_eq "events written (tsv)" "$(stat_of "$T/log" written)" 4
# The escaping as bytes on the line, before any parser sees it.
assert_has "$T/tsv.json" '"comm":"a\"b\\c\td\u0001\u00ff"'
assert_has "$T/tsv.json" '"comm":"nl\nesc\u001bdel\u007f"'
HOST=$(hostname) python3 - "$T/tsv.json" <<'PY'
import json, os, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # the whole file is valid UTF-8
rows = [json.loads(line) for line in raw.decode().splitlines()]
rows = [r for r in rows if "type" not in r]
for r in rows:
    del r["boot_id"], r["run_id"], r["seq"]
h = os.environ["HOST"]
assert len(rows) == 4, rows
assert rows[0] == {"time": "2023-11-14T22:13:20.123456789Z", "host": h, "sock": 42,
    "pid": 4242, "comm": 'a"b\\c\td\x01\xff', "owner": "holder", "family": "ipv4", "protocol": "tcp",
    "saddr": "127.0.0.1", "sport": 5000, "daddr": "127.0.0.1", "dport": 80,
    "oldstate": "SYN_SENT", "newstate": "ESTABLISHED"}, rows[0]
assert rows[1] == {"time": "2023-11-14T22:13:20.000000001Z", "host": h, "sock": 43,
    "pid": None, "comm": None, "owner": "unknown", "family": "ipv6", "protocol": "tcp",
    "saddr": "::1", "sport": 6000, "daddr": "2001:db8::2", "dport": 443,
    "oldstate": "ESTABLISHED", "newstate": "FIN_WAIT1"}, rows[1]
assert rows[2] == {"time": "1970-01-01T00:00:00.000000000Z", "host": h,
    "sock": 9223372036854775807, "pid": 2147483647, "comm": "nl\nesc\x1bdel\x7f", "owner": "holder",
    "family": "ipv6", "protocol": "tcp", "saddr": "::ffff:10.0.0.1", "sport": 65535,
    "daddr": "fe80::1", "dport": 0, "oldstate": "LISTEN", "newstate": "NEW_SYN_RECV"}, rows[2]
assert rows[3]["time"] == "2100-01-01T00:00:00.999999999Z", rows[3]
assert rows[3]["comm"] == "\u00e9t\u00e9", rows[3]  # valid UTF-8 passes through
assert (rows[3]["saddr"], rows[3]["daddr"]) == ("10.1.2.3", "255.255.255.255"), rows[3]
assert (rows[3]["oldstate"], rows[3]["newstate"]) == ("CLOSING", "CLOSE"), rows[3]
PY

# A bad TSV line: a runtime error naming the file and line, and exit 74.
printf '1\t2\t3\tx\tipv5\t1.2.3.4\t1\t1.2.3.4\t2\tCLOSE\tLISTEN\n' >"$T/bad.tsv"
run_tcp_audit -e replay -E path="$T/bad.tsv" -s json >"$T/bad.json" 2>"$T/log"
assert_eq "exit status (bad tsv)" "$rc" 74
assert_has "$T/log" "replay: $T/bad.tsv:1: bad family (ipv4 or ipv6)"
exit 0
