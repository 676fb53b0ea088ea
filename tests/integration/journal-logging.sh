#!/bin/bash
# The daemon's own log lines: under systemd (stderr is the journal stream
# named by JOURNAL_STREAM) they reach the journal as structured entries with
# PRIORITY, SYSLOG_IDENTIFIER, TCP_AUDIT_PLUGIN and ERRNO; outside systemd
# they go to stderr with a priority prefix and never to the journal.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/journald.sh"
journald_setup "$@"
require_cmd python3
make_tmpdir

tag=tca-log-$$-$RANDOM
missing=$T/missing-$tag.tsv

# 1. Under the journal, a failing eventer: the error names the plugin and errno.
rc=0
run_under_journal "$tag-stream" "$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay \
	-E path="$missing" -s null &
pid=$!
wait $pid || rc=$?
[ "$rc" -ne 0 ] || fail "tcp-audit with a missing replay file exited 0"
journal_wait 1 _PID=$pid TCP_AUDIT_PLUGIN=replay
journalctl --no-pager -o json _PID=$pid >"$T/fail.json"

# 2. Under the journal, a good run: processor notices and plugin info lines.
run_under_journal "$tag-stream" "$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay \
	-E count=5 -s null &
pid2=$!
wait $pid2 || fail "tcp-audit replaying 5 events failed under the journal"
journal_wait 1 _PID=$pid2 TCP_AUDIT_PLUGIN=replay
journal_wait 1 _PID=$pid2 PRIORITY=5
journalctl --no-pager -o json _PID=$pid2 >"$T/good.json"
# Nothing went through the stream (stderr): structured entries only.
journalctl --no-pager -o json SYSLOG_IDENTIFIER="$tag-stream" >"$T/stream.json"

python3 - "$T/fail.json" "$T/good.json" "$T/stream.json" "$missing" <<'PY' || fail "journal log entries differ (see above)"
import json, sys
def load(p): return [json.loads(l) for l in open(p)]
fail, good, stream, missing = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3]), sys.argv[4]
bad = 0
def check(what, cond):
    global bad
    if not cond:
        print("FAIL:", what); bad = 1
err = [e for e in fail if missing in e.get("MESSAGE", "")]
check("one error entry naming the file", len(err) == 1)
if err:
    e = err[0]
    check("error PRIORITY=3", e.get("PRIORITY") == "3")
    check("error SYSLOG_IDENTIFIER=tcp-audit", e.get("SYSLOG_IDENTIFIER") == "tcp-audit")
    check("error TCP_AUDIT_PLUGIN=replay", e.get("TCP_AUDIT_PLUGIN") == "replay")
    check("error ERRNO=2 (ENOENT)", e.get("ERRNO") == "2")
    check("error transport is the native protocol", e.get("_TRANSPORT") == "journal")
check("every entry is tcp-audit's", all(e.get("SYSLOG_IDENTIFIER") == "tcp-audit" for e in fail + good))
info = [e for e in good if e.get("TCP_AUDIT_PLUGIN") == "replay" and "replayed 5 events" in e.get("MESSAGE", "")]
check("replay's info line with PRIORITY=6", len(info) == 1 and info[0].get("PRIORITY") == "6")
check("no ERRNO where there is no error", all("ERRNO" not in e for e in info))
core = [e for e in good if "capturing" in e.get("MESSAGE", "")]
check("the processor's notice with PRIORITY=5 and no plugin field",
      len(core) == 1 and core[0].get("PRIORITY") == "5" and "TCP_AUDIT_PLUGIN" not in core[0])
check("nothing written to stderr under the journal", stream == [])
sys.exit(bad)
PY

# 3. Outside systemd: stderr, with the priority as a prefix, and a stale
# JOURNAL_STREAM (inherited, but not our stderr) does not count.
missing2=$T/missing-$tag-2.tsv
rc=0
JOURNAL_STREAM=1:1 "$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E path="$missing2" \
	-s null 2>"$T/stderr" || rc=$?
[ "$rc" -ne 0 ] || fail "tcp-audit with a missing replay file exited 0"
grep -qx "tcp-audit: error: replay: cannot open the replay file $missing2: No such file or directory" \
	"$T/stderr" || { cat "$T/stderr"; fail "stderr lacks the prefixed error line"; }
journalctl --sync >/dev/null 2>&1 || true
n=$(journalctl --no-pager -q -o cat SYSLOG_IDENTIFIER=tcp-audit | grep -c "$missing2" || true)
assert_eq "entries in the journal from a run outside systemd" "$n" 0
echo "PASS: journal entries carry PRIORITY, SYSLOG_IDENTIFIER, TCP_AUDIT_PLUGIN, ERRNO; stderr is prefixed"
