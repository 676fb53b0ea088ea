#!/bin/bash
# The sqlite sinker on a full file system: a clear warning, events held and
# retried, and once there is room again every event is stored. Runs in a
# private mount namespace, on a small tmpfs that vanishes with the test.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sqlite.sh"
require_root
require_cmd sqlite3 unshare
if [ -z "${TCA_SQLITE_FULL_NS:-}" ]; then
	unshare --mount --propagation private true 2>/dev/null || skip "cannot create a mount namespace"
	rc=0
	TCA_SQLITE_FULL_NS=1 unshare --mount --propagation private bash "$0" "$@" || rc=$?
	exit $rc
fi
make_tmpdir
mkdir "$T/fs"
trap 'umount "$T/fs" 2>/dev/null || true; rm -rf "$T"' EXIT
mount -t tmpfs -o size=16m tmpfs "$T/fs" || skip "cannot mount a tmpfs"
db=$T/fs/a.db

n=6000
sqlite_start_slow "$db" $n
# Take every free block, then wait for the sinker to notice.
dd if=/dev/zero of="$T/fs/filler" bs=64k 2>/dev/null || true
sqlite_wait_failure "the file system was full"
sleep 1
rm "$T/fs/filler"

sqlite_finish "$db" $n
assert_eq "lines reporting the full disk" \
	"$(grep -c "sqlite: cannot store events: database or disk is full (SQLite code 13; the file system is full; free some space or set max_size); keeping them in the queue" "$T/log")" 1
echo "PASS: a full file system delayed $n events and lost none"
