#!/bin/bash
# As root, a plugin runs with root's privileges: tcp-audit refuses one that
# another user owns or that group or others may write (exit 77), by name
# and by path, and says how to fix it.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_root
make_tmpdir
chmod 755 "$T"
mkdir "$T/plugins"
cp "$PD/replay.so" "$PD/null.so" "$T/plugins/"
chmod 755 "$T/plugins"/*.so
fix="as root, a plugin must be owned by root and not writable by group or others (chown root; chmod go-w)"

run_tcp_audit -P "$T/plugins" -e replay -E count=3 -s null 2>"$T/err"
assert_eq "safe plugins" "$rc" 0

for mode in 775 757; do
	chmod "$mode" "$T/plugins/null.so"
	run_tcp_audit -P "$T/plugins" -e replay -E count=3 -s null 2>"$T/err"
	assert_eq "null.so mode $mode, by name" "$rc" 77
	assert_has "$T/err" "error: refusing plugin $T/plugins/null.so: $fix"
	run_tcp_audit -e "$T/plugins/replay.so" -E count=3 -s "$T/plugins/null.so" 2>"$T/err"
	assert_eq "null.so mode $mode, by path" "$rc" 77
	assert_has "$T/err" "refusing plugin $T/plugins/null.so"
	run_tcp_audit --check -P "$T/plugins" -e replay -E count=3 -s null 2>"$T/err"
	assert_eq "--check, null.so mode $mode" "$rc" 77
done
chmod 755 "$T/plugins/null.so"

chown nobody "$T/plugins/replay.so"
run_tcp_audit -P "$T/plugins" -e replay -E count=3 -s null 2>"$T/err"
assert_eq "replay.so owned by nobody" "$rc" 77
assert_has "$T/err" "error: refusing plugin $T/plugins/replay.so: $fix"
chown root "$T/plugins/replay.so"

# By name, a symbolic link is not followed (it could point anywhere).
ln -s "$PD/json.so" "$T/plugins/json.so"
run_tcp_audit -P "$T/plugins" -e replay -E count=3 -s json 2>"$T/err"
assert_eq "plugin by name through a link" "$rc" 69
assert_has "$T/err" "plugin $T/plugins/json.so is a symbolic link; plugins are not looked up through links (give the real path)"
# An explicit path may be a link: the user chose it.
run_tcp_audit -P "$T/plugins" -e replay -E count=3 -s "$T/plugins/json.so" >"$T/out" 2>"$T/err"
assert_eq "plugin by path through a link" "$rc" 0
assert_eq "events through the linked json" "$(events_in "$T/out")" 3
exit 0
