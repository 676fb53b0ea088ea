# Helpers for the store tests that drive a sinker directly.

# sinkdrive PLUGIN [KEY=VALUE...] <commands: drive a sinker directly
# (tests/lib/sinkdrive.c), so that a test writes exactly the events, gaps
# and run records it means to; output in $T/drive.out, log in $T/drive.log.
sinkdrive() {
	local plugin=$1
	shift
	"$top_builddir/tests/lib/sinkdrive" "$TCP_AUDIT_PLUGIN_DIR/$plugin.so" "$@" \
		>"$T/drive.out" 2>"$T/drive.log" ||
		{ cat "$T/drive.out" "$T/drive.log" >&2; fail "sinkdrive $plugin failed"; }
}

# sinkdrive_try: the same, for commands that may fail: their status is in
# $drive_rc (1: some command returned an error), and only a broken driver
# (status 2) fails the test.
sinkdrive_try() {
	local plugin=$1
	shift
	drive_rc=0
	"$top_builddir/tests/lib/sinkdrive" "$TCP_AUDIT_PLUGIN_DIR/$plugin.so" "$@" \
		>"$T/drive.out" 2>"$T/drive.log" || drive_rc=$?
	[ "$drive_rc" -lt 2 ] || { cat "$T/drive.log" >&2; fail "sinkdrive $plugin could not run"; }
}
