#!/bin/bash
# The journal sinker's name records (ABI 2.2): each cgroup id's path is an
# entry of its own, with its own MESSAGE_ID, the path's raw bytes in
# TCP_AUDIT_NAME_TEXT and escaped in MESSAGE, and TCP_AUDIT_CGROUP, so that
# one journalctl match finds a cgroup's events and its path.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/journald.sh"
journald_setup "$@"
require_cmd python3
make_tmpdir

ident=tca-test-names-$$-$RANDOM
# namesev: 40 events in cgroups 1000..1003, 10 each (tests/plugins/namesev.c).
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e "$TEST_PLUGIN_DIR/namesev.so" -E events=40 -E every=10 \
	-s journal -S identifier="$ident" 2>"$T/log"
assert_eq "exit status" "$rc" 0
grep -q "name records stored 4, not kept by the sink 0, lost 0" "$T/log" ||
	{ cat "$T/log" >&2; fail "the stats line does not count 4 name records stored"; }
run=$(sed -n 's/^run_id=0*//p' "$T/state/run.state")

# 40 events, 4 names, 2 run records.
journal_wait 46 SYSLOG_IDENTIFIER="$ident"
journalctl --no-pager -o json SYSLOG_IDENTIFIER="$ident" MESSAGE_ID=0d9b05668c9546d8882b713a71d5e053 >"$T/names.json"
journalctl --no-pager -o json SYSLOG_IDENTIFIER="$ident" TCP_AUDIT_CGROUP=1002 >"$T/1002.json"
python3 - "$T/names.json" "$T/1002.json" "$(hostname)" "$(cat /proc/sys/kernel/random/boot_id)" "$run" <<'PY' || fail "journal name entries differ (see above)"
import json, sys
names = [json.loads(l) for l in open(sys.argv[1])]
c1002 = [json.loads(l) for l in open(sys.argv[2])]
host, boot, run = sys.argv[3], sys.argv[4], sys.argv[5]
def raw(v):
    # journalctl prints values that are not plain text as arrays of bytes.
    return bytes(v) if isinstance(v, list) else v.encode()
texts = [b"/test.slice/c0.scope", b'/test.slice/q"uote\\back1', b"/test.slice/tab\tnl\n2",
         b"/test.slice/bytes\x01\xff\xc3\xa93"]
messages = ["name: cgroup 1000 is /test.slice/c0.scope",
            'name: cgroup 1001 is /test.slice/q\\"uote\\\\back1',
            "name: cgroup 1002 is /test.slice/tab\\tnl\\n2",
            "name: cgroup 1003 is /test.slice/bytes\\u0001\\u00ff\u00e93"]
bad = 0
if len(names) != 4:
    print("expected 4 name entries, got", len(names)); bad = 1
for k, e in enumerate(names[:4]):
    want = {"PRIORITY": "6", "TCP_AUDIT_HOST": host, "TCP_AUDIT_BOOT_ID": boot,
            "TCP_AUDIT_RUN_ID": run, "TCP_AUDIT_NAME_KIND": "cgroup",
            "TCP_AUDIT_NAME_ID": str(1000 + k), "TCP_AUDIT_CGROUP": str(1000 + k),
            "TCP_AUDIT_TIME": "2026-01-01T00:00:00.%09dZ" % (k * 10000)}
    for key, v in want.items():
        if e.get(key) != v:
            print(f"name {k}: {key}: expected {v!r}, got {e.get(key)!r}"); bad = 1
    if raw(e.get("TCP_AUDIT_NAME_TEXT", "")) != texts[k]:
        print(f"name {k}: TCP_AUDIT_NAME_TEXT {e.get('TCP_AUDIT_NAME_TEXT')!r}"); bad = 1
    if raw(e.get("MESSAGE", "")).decode("utf-8", "replace") != messages[k]:
        print(f"name {k}: MESSAGE {e.get('MESSAGE')!r}"); bad = 1
    if "TCP_AUDIT_SEQ" in e:
        print(f"name {k} has a seq, like an event"); bad = 1
# The cgroup's events and its name, with one match.
kinds = sorted("name" if e.get("TCP_AUDIT_NAME_ID") else "event" for e in c1002)
if kinds != ["event"] * 10 + ["name"]:
    print("TCP_AUDIT_CGROUP=1002 matched", kinds); bad = 1
sys.exit(bad)
PY
echo "PASS: 4 name entries with every field; TCP_AUDIT_CGROUP=1002 selects its 10 events and its name"
