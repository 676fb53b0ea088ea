#!/bin/bash
# The journal sinker: every event becomes one entry with every field, and
# journalctl filters on the TCP_AUDIT_* fields; the run's records are
# entries of their own, with their own MESSAGE_ID.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/journald.sh"
journald_setup "$@"
require_cmd python3
make_tmpdir

ident=tca-test-$$-$RANDOM
# time_ns sock pid comm family saddr sport daddr dport oldstate newstate
cat >"$T/events.tsv" <<'TSV'
1767225600123456789	11	4242	curl	ipv4	127.0.0.1	40000	127.0.0.2	443	SYN_SENT	ESTABLISHED
1767225601000000000	12	-	-	ipv6	::1	40001	2001:db8::7	443	CLOSE	SYN_SENT
1767225602000000000	13	77	we\x20ird\x09c	ipv4	10.1.2.3	22	10.3.2.1	5555	ESTABLISHED	FIN_WAIT1
TSV

run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$T/events.tsv" \
	-s journal -S identifier="$ident"
assert_eq "exit status" "$rc" 0

journal_wait 5 SYSLOG_IDENTIFIER="$ident"
journalctl --no-pager -o json SYSLOG_IDENTIFIER="$ident" MESSAGE_ID=bff2a0e14484457085dbd943348b8454 >"$T/all.json"
journalctl --no-pager -o json SYSLOG_IDENTIFIER="$ident" MESSAGE_ID=93f89b4081de4f8399d506c2e3c92083 >"$T/runs.json"
journalctl --no-pager -o json SYSLOG_IDENTIFIER="$ident" TCP_AUDIT_DPORT=443 >"$T/443.json"

python3 - "$T/all.json" "$T/443.json" "$(hostname)" "$T/runs.json" <<'PY' || fail "journal fields differ (see above)"
import json, sys
all_ = [json.loads(l) for l in open(sys.argv[1])]
p443 = [json.loads(l) for l in open(sys.argv[2])]
host = sys.argv[3]
common = {"PRIORITY": "6", "MESSAGE_ID": "bff2a0e14484457085dbd943348b8454",
          "TCP_AUDIT_HOST": host, "TCP_AUDIT_PROTOCOL": "tcp"}
want = [
    dict(TCP_AUDIT_TIME="2026-01-01T00:00:00.123456789Z", TCP_AUDIT_SOCK="11",
         TCP_AUDIT_PID="4242", TCP_AUDIT_COMM="curl", TCP_AUDIT_FAMILY="ipv4",
         TCP_AUDIT_SADDR="127.0.0.1", TCP_AUDIT_SPORT="40000", TCP_AUDIT_DADDR="127.0.0.2",
         TCP_AUDIT_DPORT="443", TCP_AUDIT_OLDSTATE="SYN_SENT", TCP_AUDIT_NEWSTATE="ESTABLISHED",
         TCP_AUDIT_SEQ="1", TCP_AUDIT_OWNER="holder",
         MESSAGE="ipv4 127.0.0.1:40000 -> 127.0.0.2:443 SYN_SENT -> ESTABLISHED pid 4242 (curl)"),
    dict(TCP_AUDIT_TIME="2026-01-01T00:00:01.000000000Z", TCP_AUDIT_SOCK="12",
         TCP_AUDIT_FAMILY="ipv6", TCP_AUDIT_SADDR="::1", TCP_AUDIT_SPORT="40001",
         TCP_AUDIT_DADDR="2001:db8::7", TCP_AUDIT_DPORT="443", TCP_AUDIT_OLDSTATE="CLOSE",
         TCP_AUDIT_NEWSTATE="SYN_SENT", TCP_AUDIT_SEQ="2",
         MESSAGE="ipv6 [::1]:40001 -> [2001:db8::7]:443 CLOSE -> SYN_SENT"),
    dict(TCP_AUDIT_TIME="2026-01-01T00:00:02.000000000Z", TCP_AUDIT_SOCK="13",
         TCP_AUDIT_PID="77", TCP_AUDIT_COMM="we ird\tc", TCP_AUDIT_FAMILY="ipv4",
         TCP_AUDIT_SADDR="10.1.2.3", TCP_AUDIT_SPORT="22", TCP_AUDIT_DADDR="10.3.2.1",
         TCP_AUDIT_DPORT="5555", TCP_AUDIT_OLDSTATE="ESTABLISHED", TCP_AUDIT_NEWSTATE="FIN_WAIT1",
         TCP_AUDIT_SEQ="3", TCP_AUDIT_OWNER="holder",
         MESSAGE="ipv4 10.1.2.3:22 -> 10.3.2.1:5555 ESTABLISHED -> FIN_WAIT1 pid 77 (we ird\\tc)"),
]
def val(v):
    # journalctl prints values that are not plain text as arrays of bytes.
    return bytes(v).decode() if isinstance(v, list) else v
bad = 0
if len(all_) != 3:
    print("expected 3 entries, got", len(all_)); bad = 1
run_ids = {e.get("TCP_AUDIT_RUN_ID") for e in all_}
boot_ids = {e.get("TCP_AUDIT_BOOT_ID") for e in all_}
if len(run_ids) != 1 or None in run_ids or len(boot_ids) != 1 or None in boot_ids:
    print("identity fields missing or differing:", run_ids, boot_ids); bad = 1
for got, w in zip(all_, want):
    w = dict(common, **w)
    for k, v in w.items():
        if val(got.get(k)) != v:
            print(f"{k}: expected {v!r}, got {got.get(k)!r}"); bad = 1
    fields = {k for k in got if k.startswith("TCP_AUDIT_")}
    extra = fields - set(w) - {"TCP_AUDIT_RUN_ID", "TCP_AUDIT_BOOT_ID"}
    if extra:
        print("unexpected fields (unknown values must be left out):", extra); bad = 1
if [e["TCP_AUDIT_SEQ"] for e in p443] != ["1", "2"]:
    print("TCP_AUDIT_DPORT=443 matched", [e.get("TCP_AUDIT_SEQ") for e in p443]); bad = 1
runs = [json.loads(l) for l in open(sys.argv[4])]
if [val(r.get("TCP_AUDIT_RUN_STATE")) for r in runs] != ["running", "clean"]:
    print("run records:", [r.get("TCP_AUDIT_RUN_STATE") for r in runs]); bad = 1
elif val(runs[1].get("TCP_AUDIT_RUN_LAST_SEQ")) != "3" or \
        {val(r.get("TCP_AUDIT_RUN_ID")) for r in runs} != run_ids:
    print("run end record:", runs[1]); bad = 1
sys.exit(bad)
PY

# A source that loses every 10th of 100 events: 90 event entries, and one
# gap entry per loss, over exactly the lost seq, so that the journal alone
# shows the record complete.
ident2=$ident-gaps
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=100 -E lose_every=10 \
	-s journal -S identifier="$ident2"
assert_eq "exit status (gaps)" "$rc" 0
journal_wait 102 SYSLOG_IDENTIFIER="$ident2"
journalctl --no-pager -o json SYSLOG_IDENTIFIER="$ident2" >"$T/gaps.json"
python3 - "$T/gaps.json" <<'PY' || fail "journal gap entries differ (see above)"
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1])]
events = [e for e in entries if e["MESSAGE_ID"] == "bff2a0e14484457085dbd943348b8454"]
gaps = [e for e in entries if e["MESSAGE_ID"] == "f6aa5bf28c26410db3f3dc69d1cde281"]
runs = [e for e in entries if e["MESSAGE_ID"] == "93f89b4081de4f8399d506c2e3c92083"]
seqs = sorted(int(e["TCP_AUDIT_SEQ"]) for e in events)
lost = sorted(int(g["TCP_AUDIT_GAP_FIRST_SEQ"]) for g in gaps)
assert len(events) == 90 and lost == list(range(10, 101, 10)), (len(events), lost)
assert all(g["TCP_AUDIT_GAP_COUNT"] == "1" and g["TCP_AUDIT_GAP_REASON"] == "source" for g in gaps), gaps
assert sorted(seqs + lost) == list(range(1, 101)), "events and gaps do not cover 1..100 once"
assert runs[-1]["TCP_AUDIT_RUN_STATE"] == "clean" and runs[-1]["TCP_AUDIT_RUN_LAST_SEQ"] == "100", runs
assert gaps[0]["PRIORITY"] == "4" and gaps[0]["MESSAGE"].startswith("gap: 1 event of run "), gaps[0]
PY
echo "PASS: 3 entries with every field; TCP_AUDIT_DPORT=443 selects 2; gaps cover the losses"
