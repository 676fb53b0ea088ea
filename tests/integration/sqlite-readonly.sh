#!/bin/bash
# The sqlite sinker when its file turns read-only under it (chattr +i, which
# stops even root): a clear warning, events held and retried, and once the
# file is writable again one "stores events again" line and every event stored.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/sqlite.sh"
require_root
require_cmd sqlite3 chattr
make_tmpdir

db=$T/ro/a.db
mkdir "$T/ro"
# Not the -shm file: SQLite maps it, and a write fault on an immutable
# mapping is a SIGBUS, which no program can handle. Read-only shared
# memory is not the case this test is about.
files="$T/ro $db $db-wal"
trap 'chattr -i $files 2>/dev/null || true; rm -rf "$T"' EXIT
chattr +i "$T/ro" 2>/dev/null && chattr -i "$T/ro" || skip "the file system of $T does not support chattr +i"

n=6000
sqlite_start_slow "$db" $n
chattr +i $files
sqlite_wait_failure "the database was read-only"
sleep 1
chattr -i $files

sqlite_finish "$db" $n
grep -Eq "sqlite: cannot store events: .*(make the file, its directory and its mount writable|check that the file is writable)" "$T/log" ||
	fail "no clear line about the read-only file"
echo "PASS: a read-only database delayed $n events and lost none"
