#!/bin/bash
# The config file: [tcp-audit] chooses the plugins and the processor's
# settings, a [plugin] section holds that plugin's options, and the command
# line overrides the file. Plugin directory: --plugin-dir, then
# $TCP_AUDIT_PLUGIN_DIR, then the file's plugin_dir, then the default.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
make_tmpdir

cat >"$T/tcp-audit.conf" <<EOF2
# tcp-audit test configuration
[tcp-audit]
event = replay
sink = json
queue_memory = 1M
shutdown_timeout = 3s
stats_interval = 0
log_level = info
log_target = stderr

[replay]
count = 5

; options of a plugin not in use are kept, not checked
[text]
header = no

[json]
path = $T/file.json
EOF2

# Everything from the file.
run_tcp_audit -c "$T/tcp-audit.conf" >"$T/stdout" 2>"$T/log"
assert_eq "exit status" "$rc" 0
assert_eq "events from [replay] count" "$(events_in "$T/file.json")" 5
assert_eq "stdout" "$(lines "$T/stdout")" 0
assert_has "$T/log" "capturing: eventer 'replay' -> sinker 'json'"

run_tcp_audit -c "$T/tcp-audit.conf" --check >"$T/check" 2>"$T/log"
assert_eq "--check exit status" "$rc" 0
assert_has "$T/check" "  config file: $T/tcp-audit.conf"
assert_has "$T/check" "    count = 5"
assert_has "$T/check" "    path = $T/file.json"
assert_has "$T/check" "  queue memory: 1048576 bytes; shutdown timeout: 3000 ms; stats every: exit only"

# The command line wins, option by option.
run_tcp_audit -c "$T/tcp-audit.conf" -E count=7 --queue-memory=2M --check >"$T/check" 2>"$T/log"
assert_eq "--check with overrides" "$rc" 0
assert_has "$T/check" "    count = 7"
assert_has "$T/check" "  queue memory: 2097152 bytes; shutdown timeout: 3000 ms"
rm -f "$T/file.json"
run_tcp_audit -c "$T/tcp-audit.conf" -E count=7 -S path="$T/cli.json" 2>"$T/log"
assert_eq "exit status with -E/-S" "$rc" 0
assert_eq "events with -E count=7 into -S path" "$(events_in "$T/cli.json")" 7
[ ! -e "$T/file.json" ] || fail "the file's path= was used despite -S path="
# --sink on the command line replaces the file's sink; the [text] section applies.
run_tcp_audit -c "$T/tcp-audit.conf" -s text >"$T/text.out" 2>"$T/log"
assert_eq "exit status with -s text" "$rc" 0
assert_eq "text lines (header = no from [text])" "$(events_in "$T/text.out")" 5
assert_eq "first text line" "$(event_lines_of "$T/text.out" | head -c 31)" "2026-01-01T00:00:00.000000000Z "
# -q on the command line beats log_level = info in the file.
run_tcp_audit -c "$T/tcp-audit.conf" -q -S path="$T/q.json" 2>"$T/log"
assert_eq "exit status with -q" "$rc" 0
assert_eq "log lines with -q" "$(lines "$T/log")" 0
# log_level = debug in the file, and no override.
sed 's/^log_level = info/log_level = debug/' "$T/tcp-audit.conf" >"$T/debug.conf"
run_tcp_audit -c "$T/debug.conf" -S path="$T/d.json" 2>"$T/log"
assert_eq "exit status with log_level = debug" "$rc" 0
assert_has "$T/log" "debug: queue: 6898 events (152 bytes each)"

# An option in the file for the plugin in use is checked like one on the
# command line; for a plugin not in use ([text] above) it is not.
printf '[tcp-audit]\nevent = replay\nsink = null\n[replay]\ncount = 1\nrate = fast\n' >"$T/bad.conf"
run_tcp_audit -c "$T/bad.conf" 2>"$T/log"
assert_eq "bad value in [replay]" "$rc" 78
assert_has "$T/log" "error: replay: option rate=fast (from $T/bad.conf [replay]) is not an integer"
# Every option given is checked, even one the command line overrides.
run_tcp_audit -c "$T/bad.conf" -E rate=0 2>"$T/log"
assert_eq "bad value in [replay], good one on the command line" "$rc" 78

# Plugin directory precedence.
mkdir "$T/empty"
printf '[tcp-audit]\nplugin_dir = %s\nevent = replay\nsink = null\n[replay]\ncount = 2\n' "$T/empty" >"$T/dir.conf"
# TCP_AUDIT_PLUGIN_DIR (set by make check) beats the file's plugin_dir.
run_tcp_audit -c "$T/dir.conf" 2>"$T/log"
assert_eq "TCP_AUDIT_PLUGIN_DIR over plugin_dir" "$rc" 0
# Without it, the file's plugin_dir is used.
rc=0
env -u TCP_AUDIT_PLUGIN_DIR "$TCP_AUDIT" -c "$T/dir.conf" 2>"$T/log" || rc=$?
assert_eq "plugin_dir from the file" "$rc" 69
assert_has "$T/log" "plugin $T/empty/null.so does not exist"
# --plugin-dir beats both.
rc=0
TCP_AUDIT_PLUGIN_DIR=$T/empty "$TCP_AUDIT" -c "$T/dir.conf" -P "$PD" 2>"$T/log" || rc=$?
assert_eq "--plugin-dir over TCP_AUDIT_PLUGIN_DIR and plugin_dir" "$rc" 0
rc=0
TCP_AUDIT_PLUGIN_DIR=$PD "$TCP_AUDIT" -c "$T/dir.conf" -P "$T/empty" 2>"$T/log" || rc=$?
assert_eq "--plugin-dir over TCP_AUDIT_PLUGIN_DIR" "$rc" 69
assert_has "$T/log" "plugin $T/empty/null.so does not exist"
rc=0
TCP_AUDIT_PLUGIN_DIR=$T/empty "$TCP_AUDIT" -c /dev/null -e replay -E count=1 -s null 2>"$T/log" || rc=$?
assert_eq "TCP_AUDIT_PLUGIN_DIR used" "$rc" 69
assert_has "$T/log" "plugin $T/empty/null.so does not exist"
# A path ignores every directory; .so may be given or not with a name.
rc=0
TCP_AUDIT_PLUGIN_DIR=$T/empty "$TCP_AUDIT" -c /dev/null -e "$PD/replay.so" -E count=1 -s "$PD/null.so" 2>"$T/log" || rc=$?
assert_eq "plugins by path" "$rc" 0
run_tcp_audit -c /dev/null -e replay.so -E count=1 -s null.so 2>"$T/log"
assert_eq "names with .so" "$rc" 0
exit 0
