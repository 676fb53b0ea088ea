#!/bin/bash
# With tracefs unmounted, tcp-audit mounts it; with mount=no it says how to
# fix it and exits 69. Run in a private mount namespace, so that the
# machine's own tracefs mount is never touched.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
require_tracefs
require_cmd unshare
make_tmpdir

unshare --mount --propagation private bash -eu -c '
	T=$1 TCP_AUDIT=$2 dir=$3
	# Unmount every tracefs (and the debugfs automount) in this namespace only.
	while m=$(awk "\$3 == \"tracefs\" { print \$2; exit }" /proc/self/mounts) && [ -n "$m" ]; do
		umount -l "$m"
	done
	rc=0
	"$TCP_AUDIT" -P "$dir" -e tracefs -s json --check -E mount=no 2>"$T/nomount" || rc=$?
	echo "$rc" >"$T/nomount.rc"
	"$TCP_AUDIT" -P "$dir" -e tracefs -s json --check 2>"$T/mount" || { echo "check failed" >&2; cat "$T/mount" >&2; exit 1; }
	awk "\$3 == \"tracefs\" { print \$2 }" /proc/self/mounts >"$T/mounted"
' unshare-test "$T" "$TCP_AUDIT" "$TCP_AUDIT_PLUGIN_DIR" || fail "the unmounted case failed"

assert_eq "exit status with mount=no" "$(cat "$T/nomount.rc")" 69
grep -q "tracefs is not mounted (mount it with" "$T/nomount" || fail "no clear error: $(cat "$T/nomount")"
grep -q "mounted tracefs on /sys/kernel/tracing" "$T/mount" || fail "the mount was not logged: $(cat "$T/mount")"
assert_eq "tracefs mounted by tcp-audit" "$(cat "$T/mounted")" /sys/kernel/tracing
# The machine's own mount is still there.
grep -qw tracefs /proc/self/mounts || fail "the test unmounted the machine's tracefs"
exit 0
